"""Play one match headless between two coaches, recording a replay."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.arena.budget import BudgetExceeded, Clock
from shotcaller.arena.draft import run_draft
from shotcaller.arena.replay import Replay
from shotcaller.bots.base import INT32, Coach, MatchInfo, TimeBudget, declared_budget, fault, read_order
from shotcaller.bots.wire import quote
from shotcaller.content import Content, load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.config import params_to_dict
from shotcaller.sim.observe import team_view
from shotcaller.sim.result import match_result
from shotcaller.sim.state import State
from shotcaller.sim.world import World

CHECKSUM_EVERY = 200  # ticks (10 game seconds)


def _order_event(row: np.ndarray) -> dict[str, Any]:
    t, kind, team, leader, okind, d = (int(v) for v in row)
    ev: dict[str, Any] = {
        "tick": t,
        "kind": L.EVENT_NAMES[kind],
        "leader": leader,
        "order": L.ORDER_NAMES[okind] if 0 <= okind < len(L.ORDER_NAMES) else str(okind),
    }
    if kind == L.E_ORDER_REJECTED:
        ev["reason"] = L.REJECT_REASONS[d] if 0 <= d < len(L.REJECT_REASONS) else str(d)
    return ev


MAX_ORDERS_PER_DECISION = 64  # more in one decision is a fault (a coach cannot grow the replay without bound)
MAX_FAULTS_PER_SIDE = 50  # fault records a match keeps per side; the rest are only counted


class FaultLog(list[dict[str, Any]]):
    """The match's fault records: at most MAX_FAULTS_PER_SIDE per side (reasons already capped by
    :func:`~shotcaller.bots.base.fault`); ``dropped`` counts the rest per side."""

    def __init__(self, cap: int = MAX_FAULTS_PER_SIDE) -> None:
        super().__init__()
        self.cap = cap
        self.kept = {"blue": 0, "red": 0}
        self.dropped = {"blue": 0, "red": 0}

    def append(self, rec: dict[str, Any]) -> None:
        side = rec.get("team")
        if side in self.kept:
            if self.kept[side] >= self.cap:
                self.dropped[side] += 1
                return
            self.kept[side] += 1
        super().append(rec)

    def extend(self, recs: Any) -> None:
        for r in recs:
            self.append(r)

    def __iadd__(self, recs: Any) -> FaultLog:  # type: ignore[override, misc]
        self.extend(recs)
        return self


def _parse_orders(out: Any, team: int, tick: int, faults: list[dict[str, Any]]) -> list[tuple[list[int], str | None]]:
    """A coach's answer as (row (team, leader, kind, a, b), reason) pairs; garbage is a recorded fault."""
    if out is None:
        return []
    try:
        orders = list(out)
    except TypeError:
        faults.append(fault(tick, team, f"act returned {type(out).__name__}, not a list"))
        return []
    if len(orders) > MAX_ORDERS_PER_DECISION:
        faults.append(
            fault(tick, team, f"{len(orders)} orders in one decision; only the first {MAX_ORDERS_PER_DECISION} kept")
        )
        orders = orders[:MAX_ORDERS_PER_DECISION]
    rows = []
    for o in orders:
        read = read_order(o)
        if read is None:
            faults.append(
                fault(tick, team, f"malformed order {quote(o)}: expected (leader, kind, a, b[, why]) integers")
            )
            continue
        rows.append(([team, *read[0]], read[1]))
    return rows


@dataclass
class Seat:
    """One side of a match: its coach, its clock (time budget) and the coach's private copy of the state."""

    coach: Any
    team: int
    clock: Clock
    shadow: State | None = None  # the state the coach's views read: a copy, refreshed before each view

    def ask(
        self, view: Any, info: MatchInfo, tick: int, faults: list[dict[str, Any]]
    ) -> list[tuple[list[int], str | None]]:
        """The coach's orders with their reasons. A coach that raises, overruns its budget or returns
        garbage loses those orders; the fault is recorded and the match goes on."""
        coach, team = self.coach, self.team
        if self.clock.silenced:
            return []
        try:
            out = self.clock.call(lambda: coach.act(view, info))
        except KeyboardInterrupt:
            raise
        except BudgetExceeded as e:
            out = None
            faults.append(fault(tick, team, str(e) + self._silenced()))
        except (Exception, SystemExit) as e:  # a bot's bug (even sys.exit) must never stop the match
            out = None
            faults.append(fault(tick, team, f"act raised {type(e).__name__}: {e}" + self._silenced()))
        take = getattr(coach, "take_faults", None)  # faults a coach contained itself (e.g. a leader hook's)
        if callable(take):
            try:
                faults += [fault(tick, team, str(r)) for r in take() or []]
            except Exception as e:
                faults.append(fault(tick, team, f"take_faults raised {e!r}"))
        return _parse_orders(out, team, tick, faults)

    def guard(self, fn: Any) -> Any:
        """Run a draft call on the coach's clock (an overrun or silence becomes an ordinary exception)."""
        return self.clock.call(fn)

    def _silenced(self) -> str:
        return f"; silenced after {self.clock.faults_in_a_row} faults in a row" if self.clock.silenced else ""


MAX_DECIDE_EVERY = 20 * 60  # a coach is asked at least once a game minute


def _cadence(coach: Any, default: int, team: int, faults: list[dict[str, Any]]) -> int:
    """How often (ticks) the coach is asked: its ``decide_every`` attribute, else the match default."""
    val = getattr(coach, "decide_every", None)
    if val is None:
        return default
    if isinstance(val, int | np.integer) and not isinstance(val, bool) and 1 <= int(val) <= MAX_DECIDE_EVERY:
        return int(val)
    why = f"decide_every={val!r} is not a whole number of ticks in 1..{MAX_DECIDE_EVERY}; using {default}"
    faults.append(fault(0, team, why))
    return default


@dataclass
class MatchOutcome:
    """A finished match: its result record and its replay."""

    result: dict[str, Any]
    replay: Replay


def play_match(
    blue: Coach,
    red: Coach,
    seed: int = 0,
    world: World | None = None,
    content: Content | None = None,
    params: Params | None = None,
    draft: list[int] | None = None,
    decide_every: int = 20,
    replay_path: str | Path | None = None,
    checksums: bool = True,
    budgets: tuple[TimeBudget | None, TimeBudget | None] | None = None,
    log_dir: str | Path | None = None,
) -> MatchOutcome:
    """Run a full match: each coach sees its team's view every ``decide_every`` ticks and returns orders.

    A coach may set its own cadence with a ``decide_every`` attribute (ticks, 1..1200), and may declare
    ``privileged = True`` to read the full state through ``view.state``; the result lists privileged
    sides under ``"privileged"``. Every other coach's view reads a private copy of the state, so a coach
    that writes into it changes nothing in the match.

    Every decision (and draft pick) runs on the coach's time budget (:class:`TimeBudget`;
    :mod:`shotcaller.arena.budget`): an in-process coach that overruns is interrupted, a JSON-lines coach
    is timed by its own plumbing; either way the decision's orders are lost, the fault recorded, and
    repeated faults silence the coach. Faults are capped per side (``result["faults_dropped"]`` counts
    the rest).

    Args:
        blue, red: coaches (anything with ``act(view, info) -> list of order rows``).
        seed: the match seed (drives the draft when none is given, and every random rule).
        draft: 10 hero ids (blue 0..4, red 0..4), or None to draft: coaches with a ``draft`` method
            pick in the A-B-B-A-A-B-B-A-A-B order (:func:`shotcaller.arena.draft.run_draft`), the
            others at random; when neither drafts, the simulation's seeded random draft.
        replay_path: also write the replay there.
        checksums: record state checksums every 200 ticks in the replay (False skips them when the
            replay is not kept, as tournaments without a replay directory do; the final one stays).
        budgets: (blue, red) time budgets; a None side uses the budget its coach declares (a ``budget``
            class attribute), else ``TimeBudget()``. Recorded in ``result["budgets"]``.
        log_dir: where JSON-lines coaches write their stderr logs (their paths are in
            ``result["bot_logs"]``); None: ``shotcaller.paths.state_dir() / "bot-logs"``.
    """
    if world is None:
        content = content or load_content()
        world = build_world(content, SimConfig(), params or Params())
    coaches = (blue, red)
    chosen = budgets or (None, None)
    seat_budgets = [chosen[t] or declared_budget(coaches[t]) or TimeBudget() for t in (0, 1)]
    if log_dir is None:
        from shotcaller.paths import state_dir

        log_dir = state_dir() / "bot-logs"
    seats = []
    for t in (0, 1):
        times_itself = getattr(coaches[t], "times_itself", False) is True
        if times_itself:
            coaches[t].configure_arena(seat_budgets[t], str(log_dir))
        seats.append(Seat(coaches[t], t, Clock(seat_budgets[t], enforce=not times_itself)))
    faults = FaultLog()
    try:
        return _play(seats, seed, world, draft, decide_every, replay_path, checksums, faults)
    except BaseException:  # the match itself failed (or was interrupted): still stop every bot process
        for seat in seats:
            close = getattr(seat.coach, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
        raise


def _play(
    seats: list[Seat],
    seed: int,
    world: World,
    draft: list[int] | None,
    decide_every: int,
    replay_path: str | Path | None,
    checksums: bool,
    faults: FaultLog,
) -> MatchOutcome:
    coaches = tuple(seat.coach for seat in seats)
    if draft is None:  # an explicit draft (a replay's, a fixed one) is never re-drafted
        draft = run_draft(*coaches, seed, world.content, faults, guards=[s.guard for s in seats])
    drafts = np.array([draft if draft is not None else [-1] * 10], np.int8)
    state = new_state(world, seed, drafts)
    A = state.arrays
    rep = Replay(
        content_version=world.content.version,
        map=world.config.map_name,
        seed=int(seed),
        draft=[int(h) for h in A.games["draft"][0]],
        params=params_to_dict(world.params),
        config=dict(world.config.__dict__),
        checksum_every=CHECKSUM_EVERY,
    )
    infos = [
        MatchInfo(seed=int(seed), team=t, draft=rep.draft, content_version=rep.content_version, world=world)
        for t in (0, 1)
    ]
    for seat in seats:
        try:
            seat.guard(lambda seat=seat: seat.coach.reset(infos[seat.team]))
        except KeyboardInterrupt:
            raise
        except (Exception, SystemExit) as e:  # a bot's bug must never stop the match
            faults.append(fault(0, seat.team, f"reset raised {type(e).__name__}: {e}"))
    every = [_cadence(coaches[t], decide_every, t, faults) for t in (0, 1)]
    privileged = [getattr(coaches[t], "privileged", False) is True for t in (0, 1)]
    for seat in seats:
        seat.shadow = state.copy()
    pending_events: list[list[dict[str, Any]]] = [[], []]
    while not A.games["done"][0]:
        now = int(A.games["tick"][0])
        rows: list[list[int]] = []
        for t, seat in enumerate(seats):
            if now % every[t] == 0:
                assert seat.shadow is not None
                state.copy_into(seat.shadow)  # the coach reads (and may scribble on) its own copy
                view = team_view(seat.shadow, t, privileged=privileged[t])
                view["events"] = pending_events[t]
                pending_events[t] = []
                held = sys.getrefcount(view)
                for row, why in seat.ask(view, infos[t], now, faults):
                    if why:
                        rep.reasons.append([len(rep.orders), why])
                    rep.orders.append([now, *row])
                    rows.append(row)
                if sys.getrefcount(view) > held:  # the coach kept the view: make it a snapshot
                    view.detach()
                del view
        nxt = min(
            ((now // every[0]) + 1) * every[0],
            ((now // every[1]) + 1) * every[1],
            ((now // CHECKSUM_EVERY) + 1) * CHECKSUM_EVERY if checksums else INT32,
        )
        orders = np.array([rows], np.int32) if rows else None
        ev = step_inplace(state, orders, nxt - now)
        for row in ev.of(0):
            kind = int(row[1])
            if kind in (L.E_ORDER_OK, L.E_ORDER_REJECTED, L.E_ORDER_APPLIED):
                team = int(row[2])
                if team in (0, 1):
                    pending_events[team].append(_order_event(row))
        t2 = int(A.games["tick"][0])
        if checksums and t2 % CHECKSUM_EVERY == 0 and not A.games["done"][0]:
            rep.checksums.append([t2, state.checksum(0)])
    end = int(A.games["tick"][0])
    for seat in seats:  # close now (not only in play_match's finally) so the logs are complete in the result
        close = getattr(seat.coach, "close", None)
        if callable(close):
            try:
                close()
            except Exception as e:  # never lose the result to a bot's clean-up
                faults.append(fault(end, seat.team, f"close raised {e!r}"))
    rep.checksums.append([end, state.checksum(0)])
    rep.result = match_result(state)
    rep.result["faults"] = list(faults)
    rep.result["faults_dropped"] = faults.dropped
    rep.result["privileged"] = [L.TEAM_NAMES[t] for t in (0, 1) if privileged[t]]
    rep.result["budgets"] = {L.TEAM_NAMES[s.team]: s.clock.budget.to_dict() for s in seats}
    rep.result["bot_logs"] = {L.TEAM_NAMES[s.team]: getattr(s.coach, "log_path", None) for s in seats}
    if replay_path is not None:
        rep.save(replay_path)
    return MatchOutcome(rep.result, rep)
