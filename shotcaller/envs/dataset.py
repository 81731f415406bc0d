"""From recorded orders to the coach env's actions: the inverse of the choice table, and a match's
decisions re-simulated as the coach env's observations, masks, actions and rewards.

:func:`invert_choice` turns an engine order into the row of the choice table
(:func:`shotcaller.sim.encode.coach_choices`) that gives it. :func:`record_decisions` re-simulates a
match from its order log and, at every decision point of the chosen team(s) (every ``decide_every``
ticks, as ``Shotcaller-v1`` decides), records the team's observation exactly as the coach env builds
it, its action mask, the action the recorded orders correspond to and the reward per the env's
:class:`~shotcaller.envs.game.RewardWeights`. Replay files are read, and datasets written, by
:mod:`shotcaller.arena.dataset` (``shotcaller dataset export``, ``docs/envs.md``).

**From orders to actions.** The orders issued in ``[t, t + K)`` belong to the decision at tick ``t``;
a whole-team order (leader -1) is the action's whole-team choice (the latest one wins) and replaces the
leaders' own orders issued before it in the window; the latest order per leader after it is that
leader's choice (the env gives the whole-team order first, so the leader's own overrides it);
``fortify`` sets the fortify bit. An order becomes a row of the choice table by :func:`invert_choice`
against the state of the decision tick: exactly when some row resolves to it, else ``group`` at any
point becomes the ``group`` row of the lane nearest that point, and anything else (a micro order,
``profile``, a bad argument) is unmapped. Each order's fate is counted by order kind (:data:`FATES`),
never dropped silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shotcaller.envs.game import RewardWeights, weighted_terms
from shotcaller.sim import State, World, new_state, step_inplace
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L

FATES = (
    "exact",  # the decision's action holds a row that resolves to exactly this order
    "nearest",  # kept as the nearest row (group at a point: the group row of the nearest lane)
    "superseded",  # a later order of the same window for the same leader (or fortify) replaced it
    "masked",  # its row was not allowed at the decision tick (the engine refuses it): recorded as no order
    "unmapped",  # no row of the choice table is equivalent (micro orders, profile, bad arguments)
)


class Diverged(ValueError):
    """The re-simulated match does not reproduce the recorded checksums."""


# ---------------------------------------------------------------------------- the inverse of resolve_choice
def resolved_all(state: State, team: int, table: np.ndarray) -> np.ndarray:
    """(B, N, 3) int64: the engine order ``(kind, a, b)`` each row of the choice table ``table`` resolves to
    for ``team`` in every game of ``state`` now (:func:`shotcaller.sim.encode.resolve_choice`, through the
    compiled :func:`~shotcaller.sim.encode.coach_orders`; row 0, no order, is ``(0, 0, 0)``)."""
    B = state.arrays.games.shape[0]
    n = table.shape[0]
    out = np.zeros((B, n, 3), np.int64)
    buf = np.zeros((B, E.N_ACTION, 5), np.int32)
    none = np.zeros(B, np.int64)
    for start in range(1, n, 5):
        k = min(5, n - start)
        rows = np.zeros((B, 5), np.int64)
        rows[:, :k] = np.arange(start, start + k)
        E.coach_orders(state.arrays, team, table, rows, none, none, buf)
        out[:, start : start + k] = buf[:, 1 : 1 + k, 2:5]  # row 0 of buf: the (empty) whole-team order
    return out


def resolved_choices(state: State, team: int, table: np.ndarray, game: int = 0) -> np.ndarray:
    """(N, 3) int64: :func:`resolved_all` of game ``game``."""
    return resolved_all(state, team, table)[game]


def nearest_lane(world: World, team: int, x: int, y: int) -> int:
    """The lane (0..2) whose path (``team``'s own, barracks to enemy core) passes nearest tile (x, y)."""
    rec = world.rec
    best, lane = np.inf, 0
    for ln in range(3):
        path = rec["lane_path"][team, ln, : int(rec["lane_len"][team, ln])].astype(np.int64)
        d = float(((path[:, 0] - x) ** 2 + (path[:, 1] - y) ** 2).min())
        if d < best:
            best, lane = d, ln
    return lane


def invert_choice(
    state: State,
    team: int,
    table: np.ndarray,
    kind: int,
    a: int,
    b: int,
    *,
    nearest: bool = True,
    resolved: np.ndarray | None = None,
) -> tuple[int, str]:
    """The row of the choice table ``table`` that gives the engine order ``(kind, a, b)`` of ``team`` now:
    the inverse of :func:`shotcaller.sim.encode.resolve_choice` in game 0 of ``state``.

    Returns ``(row, "exact")`` when a row resolves to exactly this order (when two rows do, as ``group``
    on two lanes whose towers and barracks are all down, both gathering at the core, the lower one);
    else, with ``nearest``, ``(row, "nearest")`` for a ``group`` at another point: the ``group`` row of the
    lane nearest it (:func:`nearest_lane`); else ``(-1, "unmapped")``. ``resolved`` is
    :func:`resolved_choices` of the same state and team, when already computed.

    Example::

        row, how = invert_choice(state, 0, table, L.O_PUSH, 1, 0)   # (5, "exact"): "push mid"
    """
    res = resolved_choices(state, team, table) if resolved is None else resolved
    if kind != L.O_NONE:
        hit = np.flatnonzero((res[:, 0] == kind) & (res[:, 1] == a) & (res[:, 2] == b))
        if hit.size:
            return int(hit[0]), "exact"
    if nearest and kind == L.O_GROUP:
        lane = nearest_lane(state.world, team, a, b)
        rows = np.flatnonzero((table[:, 0] == L.O_GROUP) & (table[:, 2] == lane))
        if rows.size:
            return int(rows[0]), "nearest"
    return -1, "unmapped"


# ---------------------------------------------------------------------------- one decision's orders
class OrderWindow:
    """The orders one team issued between two decision points, becoming that decision's action (also how
    ``shotcaller train --teacher`` maps a teacher's orders, :mod:`shotcaller.train.imitate`)."""

    def __init__(self, tick: int, resolved: np.ndarray, mask: np.ndarray, n_choices: int) -> None:
        self.tick = tick
        self.resolved = resolved  # (N, 3) what each row meant at the decision tick
        self.mask = mask  # (6 N + 2,) the decision's action mask
        self.offsets = [lo for lo, _hi in E.mask_offsets(n_choices)]
        self.orders: list[tuple[str, int, str, int, bool]] = []  # kind name, row, how, action part, at t
        # index into orders of the kept order of each part of the action: leaders 0-4, fortify, whole team
        self.final = [-1] * E.N_ACTION

    def add(self, state: State, team: int, table: np.ndarray, row: list[int]) -> None:
        """Map one replay order row ``[tick, team, leader, kind, a, b]``."""
        tick, _team, leader, kind, a, b = row
        name = L.ORDER_NAMES[kind] if 0 <= kind < len(L.ORDER_NAMES) else f"kind {kind}"
        k = len(self.orders)
        if kind == L.O_FORTIFY:
            self.orders.append((name, 1, "exact", E.ACT_FORTIFY, tick == self.tick))
            self.final[E.ACT_FORTIFY] = k
            return
        if not -1 <= leader < 5:
            self.orders.append((name, -1, "unmapped", -1, False))
            return
        c, how = invert_choice(state, team, table, kind, a, b, resolved=self.resolved)
        part = E.ACT_WHOLE if leader == -1 else leader
        self.orders.append((name, c, how, part, tick == self.tick))
        if c >= 0:
            self.final[part] = k
            if part == E.ACT_WHOLE:  # it replaces every leader's earlier order of the window
                self.final[:5] = [-1] * 5

    def action(self, counts: dict[str, dict[str, int]]) -> tuple[np.ndarray, bool]:
        """The decision's action (7,) and whether it reproduces the orders exactly; adds each order's fate
        to ``counts`` (fate -> order kind -> n)."""
        act = np.zeros(E.N_ACTION, np.int64)
        allowed = np.zeros(E.N_ACTION, bool)
        for i in range(E.N_ACTION):
            k = self.final[i]
            if k < 0:
                continue
            c = self.orders[k][1]
            allowed[i] = bool(self.mask[self.offsets[i] + c])
            act[i] = c if allowed[i] else 0
        exact = True
        for k, (name, _row, how, part, at_tick) in enumerate(self.orders):
            if how == "unmapped":
                fate = "unmapped"
            elif self.final[part] != k:
                fate = "superseded"
            elif not allowed[part]:
                fate = "masked"
            elif how == "nearest":
                fate = "nearest"
            else:
                fate = "exact"
            exact = exact and at_tick and fate in ("exact", "masked")
            by_kind = counts.setdefault(fate, {})
            by_kind[name] = by_kind.get(name, 0) + 1
        return act, exact


def _rejections(events: np.ndarray, team: int, out: np.ndarray) -> None:
    """As :func:`shotcaller.sim.encode.rejections` over a window's event rows: ``out`` (6,) the last
    rejection reason per leader (5: whole-team orders), 0 where none."""
    out[:] = 0
    for row in events:
        if int(row[1]) == L.E_ORDER_REJECTED and int(row[2]) == team:
            who = int(row[3])
            out[who if 0 <= who < 5 else 5] = int(row[5])


# ---------------------------------------------------------------------------- one match
Decisions = dict[int, dict[str, list[Any]]]  # team -> column -> one value per decision


def record_decisions(
    world: World,
    seed: int,
    draft: list[int],
    orders: list[list[int]],
    checksums: list[list[Any]],
    teams: tuple[int, ...],
    decide_every: int,
    weights: RewardWeights,
    planes: bool = True,
) -> tuple[Decisions, dict[str, dict[str, int]]]:
    """Re-simulate a match from its order log and record every decision of ``teams``.

    Args:
        world: the match's world; ``seed``, ``draft`` (10 hero ids): its start.
        orders: ``[tick, team, leader, kind, a, b]`` rows in issue order (a replay's ``orders``).
        checksums: ``[tick, digest]`` rows; each is checked on the way (:class:`Diverged` otherwise).
        teams: whose decisions to record (0 blue, 1 red); ``decide_every``: ticks between decisions.
        weights: reward weights; ``planes``: record the planes (as float16).

    Returns:
        ``(decisions, fates)``: per team, lists (one entry per decision) ``planes``, ``leaders``,
        ``buildings``, ``scalars``, ``action_mask``, ``actions``, ``exact``, ``rewards``,
        ``reward_<term>``, ``terminated``, ``tick``; and the orders' fates (fate -> order kind -> count).
    """
    table, _names = E.coach_choices(world.content.item_names)
    n = int(table.shape[0])
    H, W = world.height, world.width
    buf = {
        "planes": np.zeros((1, E.N_PLANES, H, W), np.float32),
        "leaders": np.zeros((1, 10, E.LF), np.float32),
        "buildings": np.zeros((1, 2 * L.N_BLD, E.BF), np.float32),
        "scalars": np.zeros((1, E.SF), np.float32),
    }
    masks, fortify, whole = np.zeros((1, 5, n), np.int8), np.zeros((1, 2), np.int8), np.zeros((1, n), np.int8)
    rejected = {t: np.zeros((1, 6), np.int32) for t in teams}
    score = np.zeros((1, 2, len(E.SCORE_FEATURES)), np.float64)
    state = new_state(world, seed, np.array([draft], np.int8))
    games = state.arrays.games
    by_tick: dict[int, list[list[int]]] = {}
    for row in orders:
        by_tick.setdefault(row[0], []).append(row)
    expected = {int(t): str(h) for t, h in checksums}
    stops = sorted(set(by_tick) | set(expected))
    out: Decisions = {t: {} for t in teams}
    counts: dict[str, dict[str, int]] = {}

    def put(team: int, key: str, value: Any) -> None:
        out[team].setdefault(key, []).append(value)

    def check(tick: int) -> None:
        if tick in expected and state.checksum(0) != expected[tick]:
            raise Diverged(
                f"diverged at tick {tick} (expected checksum {expected[tick]}, got {state.checksum(0)}): "
                "this Shotcaller does not reproduce the recorded match"
            )

    E.score_features(state.arrays, score)
    check(0)
    while not games["done"][0]:
        t = int(games["tick"][0])
        windows = {}
        for team in teams:
            E.coach_obs(state.arrays, world.rec, team, rejected[team], *buf.values())
            for key, arr in buf.items():
                if key != "planes" or planes:
                    put(team, key, arr[0].astype(np.float16) if key == "planes" else arr[0].copy())
            E.coach_masks(state.arrays, world.rec, team, table, masks, fortify, whole)
            mask = np.concatenate([masks[0].reshape(-1), fortify[0], whole[0]])
            put(team, "action_mask", mask)
            windows[team] = OrderWindow(t, resolved_choices(state, team, table), mask, n)
        before = score.copy()
        end, events = t + decide_every, []
        now = t
        while now < end and not games["done"][0]:
            rows = by_tick.get(now)
            for row in rows or ():
                if row[1] in windows:  # mapped against the decision tick's state (the env resolves there)
                    windows[row[1]].add(state, row[1], table, row)
            nxt = next((s for s in stops if now < s < end), end)
            ev = step_inplace(state, np.array([[r[1:] for r in rows]], np.int32) if rows else None, nxt - now)
            events.append(ev.of(0))
            if int(games["tick"][0]) == now:  # the match is over: time stands still
                break
            now = int(games["tick"][0])
            check(now)
        E.score_features(state.arrays, score)
        done = bool(games["done"][0])
        winner = int(games["winner"][0])
        window_events = np.concatenate(events)
        for team in teams:
            _rejections(window_events, team, rejected[team][0])
            act, exact = windows[team].action(counts)
            d = (score[0, team] - before[0, team]) - (score[0, 1 - team] - before[0, 1 - team])
            win = 0.0 if not done or winner == 2 else 1.0 if winner == team else -1.0
            terms = {k: float(v) for k, v in weighted_terms(weights, d, win).items()}
            put(team, "actions", act)
            put(team, "exact", exact)
            put(team, "rewards", sum(terms.values()))
            for k, v in terms.items():
                put(team, f"reward_{k}", v)
            put(team, "terminated", done)
            put(team, "tick", t)
    last = int(games["tick"][0])
    late = [tk for tk in expected if tk > last]
    if late:
        raise Diverged(f"diverged: the match ended at tick {last}, the recorded one ran to tick {max(late)}")
    return out, counts
