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
    CoachLike,
    MatchInfo,
    TimeBudget,
    ability,
    as_coach,
    declared_budget,
    fault,
)
from shotcaller.bots.budget import Clock
from shotcaller.bots.seat import (  # noqa: F401  (re-exported: the match's limits are read from here too)
    DEFAULT_DECIDE_EVERY_S,
    MAX_DECIDE_EVERY_S,
    MAX_FAULTS_PER_SIDE,
    MAX_ORDERS_PER_DECISION,
    FaultLog,
    Seat,
    cadence,
    order_event,
    ticks,
)
from shotcaller.content import Content, load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.config import params_to_dict
from shotcaller.sim.observe import team_view
from shotcaller.sim.result import match_result
from shotcaller.sim.world import World

CHECKSUM_EVERY_S = 10.0  # game seconds between the replay's state checksums


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
    every = [cadence(seat, decide_every_s, world, faults) for seat in seats]
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
                    pending_events[team].append(order_event(row))
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
