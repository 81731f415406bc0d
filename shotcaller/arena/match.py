"""Play one match headless between two coaches, recording a replay."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.arena.draft import run_draft
from shotcaller.arena.replay import Replay
from shotcaller.bots.base import (
    INT32,
    Coach,
    CoachLike,
    MatchInfo,
    TimeBudget,
    ability,
    as_coach,
    declared_budget,
    fault,
    read_order,
    retired_abilities,
)
from shotcaller.bots.budget import BudgetExceeded, Clock
from shotcaller.bots.wire import quote
from shotcaller.content import Content, load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.config import params_to_dict
from shotcaller.sim.observe import team_view
from shotcaller.sim.result import match_result
from shotcaller.sim.state import State
from shotcaller.sim.world import World

CHECKSUM_EVERY_S = 10.0  # game seconds between the replay's state checksums
DEFAULT_DECIDE_EVERY_S = 1.0  # game seconds between decisions of a coach that declares no cadence
MAX_DECIDE_EVERY_S = 60.0  # a coach is asked at least once a game minute


def ticks(seconds: float, world: World) -> int:
    """Game ``seconds`` as a whole number of ticks (at least 1) at the world's tick rate."""
    return max(1, round(seconds * float(world.content.rules["time.ticks_per_second"])))


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

    coach: Coach
    team: int
    own_clock: Clock  # the match's clock of an in-process coach (a self-timed coach keeps its own)
    times_itself: bool  # read once before the match
    shadow: State | None = None  # the state the coach's views read: a copy, refreshed before each view

    @property
    def clock(self) -> Clock:
        """The coach's clock: the coach's own when it times itself (``times_itself``), else the match's."""
        own = ability(self.coach, "clock", None) if self.times_itself else None
        return own if isinstance(own, Clock) else self.own_clock

    def ask(
        self, view: Any, info: MatchInfo, tick: int, faults: list[dict[str, Any]]
    ) -> list[tuple[list[int], str | None]]:
        """The coach's orders with their reasons. A coach that raises, overruns its budget or returns
        garbage loses those orders; the fault is recorded and the match goes on."""
        coach, team, clock = self.coach, self.team, self.clock
        if clock.silenced:
            return []
        try:  # a self-timed coach runs each question on its own clock already
            out = coach.act(view, info) if clock is not self.own_clock else clock.call(lambda: coach.act(view, info))
        except KeyboardInterrupt:
            raise
        except BudgetExceeded as e:
            out = None
            faults.append(fault(tick, team, str(e) + self._silenced()))
        except (Exception, SystemExit) as e:  # a bot's bug (even sys.exit) must never stop the match
            out = None
            faults.append(fault(tick, team, f"act raised {type(e).__name__}: {e}" + self._silenced()))
        try:  # faults a coach contained itself (e.g. a leader hook's, or a JSON-lines bot's report)
            faults += [fault(tick, team, str(r)) for r in coach.take_faults() or []]
        except Exception as e:
            faults.append(fault(tick, team, f"take_faults raised {e!r}"))
        return _parse_orders(out, team, tick, faults)

    def guard(self, fn: Any) -> Any:
        """Run a draft call on the coach's clock (an overrun or silence becomes an ordinary exception)."""
        clock = self.clock
        return fn() if clock is not self.own_clock else clock.call(fn)

    def _silenced(self) -> str:
        return f"; silenced after {self.clock.faults_in_a_row} faults in a row" if self.clock.silenced else ""


def _cadence(seat: Seat, default_s: float, world: World, faults: list[dict[str, Any]]) -> int:
    """How often (ticks) the coach is asked: its ``decide_every_s``, else the match's ``default_s``, at
    the world's tick rate (at least one tick, at most one game minute)."""
    team = seat.team
    for old, new in retired_abilities(seat.coach):
        faults.append(fault(0, team, f"{old} is no longer read: declare {new}"))
    problems: list[str] = []
    val = ability(seat.coach, "decide_every_s", None, problems)  # after reset: a child process's coach says it then
    faults += [fault(0, team, p) for p in problems]
    if val is None:
        return ticks(default_s, world)
    if isinstance(val, int | float | np.integer | np.floating) and not isinstance(val, bool):
        if 0 < float(val) <= MAX_DECIDE_EVERY_S:
            return ticks(float(val), world)
    why = f"decide_every_s={val!r} is not a number of seconds in (0, {MAX_DECIDE_EVERY_S:g}]; using {default_s:g}"
    faults.append(fault(0, team, why))
    return ticks(default_s, world)


@dataclass
class MatchOutcome:
    """A finished match: its result record and its replay."""

    result: dict[str, Any]
    replay: Replay


def play_match(
    blue: CoachLike,
    red: CoachLike,
    seed: int = 0,
    world: World | None = None,
    content: Content | None = None,
    params: Params | None = None,
    draft: list[int] | None = None,
    decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
    replay_path: str | Path | None = None,
    checksums: bool = True,
    budgets: tuple[TimeBudget | None, TimeBudget | None] | None = None,
    log_dir: str | Path | None = None,
) -> MatchOutcome:
    """Run a full match: each coach sees its team's view every ``decide_every_s`` game seconds and
    returns orders.

    Coaches are read through the :class:`~shotcaller.bots.base.Coach` contract (:func:`as_coach`): a
    coach may set its own cadence (``decide_every_s``, seconds in (0, 60]), and may declare
    ``privileged = True`` to read the full state through ``view.state``; the result lists privileged
    sides under ``"privileged"``. Every other coach's view reads a private copy of the state, so a coach
    that writes into it changes nothing in the match. A view is valid during its ``act`` call; a coach
    that keeps one calls ``view.keep()`` (a view read later without it raises).

    Every decision (and draft pick) runs on the coach's time budget (:class:`TimeBudget`;
    :mod:`shotcaller.bots.budget`): an in-process coach that overruns is interrupted, a JSON-lines coach
    is timed by its own plumbing; either way the decision's orders are lost, the fault recorded, and
    repeated faults silence the coach. Faults are capped per side (``result["faults_dropped"]`` counts
    the rest).

    Args:
        blue, red: coaches (a :class:`Coach`, or anything with ``reset(info)`` and ``act(view, info)``).
        seed: the match seed (drives the draft when none is given, and every random rule).
        draft: 10 hero ids (blue 0..4, red 0..4), or None to draft: coaches with a ``draft`` method
            pick in the A-B-B-A-A-B-B-A-A-B order (:func:`shotcaller.arena.draft.run_draft`), the
            others at random; when neither drafts, the simulation's seeded random draft.
        replay_path: also write the replay there.
        checksums: record state checksums every 10 game seconds in the replay (False skips them when the
            replay is not kept, as tournaments without a replay directory do; the final one stays).
        budgets: (blue, red) time budgets; a None side uses the budget its coach declares (a ``budget``
            class attribute), else ``TimeBudget()``. Recorded in ``result["budgets"]``.
        log_dir: where JSON-lines coaches write their stderr logs (their paths are in
            ``result["bot_logs"]``); None: ``shotcaller.paths.state_dir() / "bot-logs"``.
    """
    if world is None:
        content = content or load_content()
        world = build_world(content, SimConfig(), params or Params())
    coaches = (as_coach(blue), as_coach(red))
    problems: list[list[str]] = [[], []]
    chosen = budgets or (None, None)
    seat_budgets = [chosen[t] or declared_budget(coaches[t], problems[t]) or TimeBudget() for t in (0, 1)]
    self_timed = [ability(coaches[t], "times_itself", False, problems[t]) is True for t in (0, 1)]
    if log_dir is None:
        from shotcaller.paths import state_dir

        log_dir = state_dir() / "bot-logs"
    seats = []
    faults = FaultLog()
    for t in (0, 1):
        faults += [fault(0, t, p) for p in problems[t]]
        seats.append(Seat(coaches[t], t, Clock(seat_budgets[t]), self_timed[t]))
    try:
        for seat in seats:
            if seat.times_itself:
                try:
                    seat.coach.configure_arena(seat_budgets[seat.team], str(log_dir))
                except Exception as e:  # a bot's bug must never stop the match
                    faults.append(fault(0, seat.team, f"configure_arena raised {type(e).__name__}: {e}"))
        return _play(seats, seed, world, draft, decide_every_s, replay_path, checksums, faults)
    except BaseException:  # the match itself failed (or was interrupted): still stop every bot process
        for seat in seats:
            try:
                seat.coach.close()
            except Exception:
                pass
        raise


def _play(
    seats: list[Seat],
    seed: int,
    world: World,
    draft: list[int] | None,
    decide_every_s: float,
    replay_path: str | Path | None,
    checksums: bool,
    faults: FaultLog,
) -> MatchOutcome:
    coaches = (seats[0].coach, seats[1].coach)
    checksum_every = ticks(CHECKSUM_EVERY_S, world)
    if draft is None:  # an explicit draft (a replay's, a fixed one) is never re-drafted
        draft = run_draft(coaches[0], coaches[1], seed, world.content, faults, guards=[s.guard for s in seats])
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
        checksum_every=checksum_every,
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
    every = [_cadence(seat, decide_every_s, world, faults) for seat in seats]
    problems: list[list[str]] = [[], []]
    privileged = [ability(seat.coach, "privileged", False, problems[seat.team]) is True for seat in seats]
    faults += [fault(0, t, p) for t in (0, 1) for p in problems[t]]
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
                for row, why in seat.ask(view, infos[t], now, faults):
                    if why:
                        rep.reasons.append([len(rep.orders), why])
                    rep.orders.append([now, *row])
                    rows.append(row)
                view.expire()  # read later without view.keep(), it raises instead of showing a later tick
        nxt = min(
            ((now // every[0]) + 1) * every[0],
            ((now // every[1]) + 1) * every[1],
            ((now // checksum_every) + 1) * checksum_every if checksums else INT32,
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
        if checksums and t2 % checksum_every == 0 and not A.games["done"][0]:
            rep.checksums.append([t2, state.checksum(0)])
    end = int(A.games["tick"][0])
    for seat in seats:  # close now (not only in play_match's finally) so the logs are complete in the result
        try:
            seat.coach.close()
        except Exception as e:  # never lose the result to a bot's clean-up
            faults.append(fault(end, seat.team, f"close raised {e!r}"))
    rep.checksums.append([end, state.checksum(0)])
    rep.result = match_result(state)
    rep.result["faults"] = list(faults)
    rep.result["faults_dropped"] = faults.dropped
    rep.result["privileged"] = [L.TEAM_NAMES[t] for t in (0, 1) if privileged[t]]
    rep.result["budgets"] = {L.TEAM_NAMES[s.team]: s.clock.budget.to_dict() for s in seats}
    rep.result["bot_logs"] = {L.TEAM_NAMES[s.team]: ability(s.coach, "log_path", None) for s in seats}
    if replay_path is not None:
        rep.save(replay_path)
    return MatchOutcome(rep.result, rep)
