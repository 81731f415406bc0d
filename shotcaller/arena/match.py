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
    live = start_match(blue, red, seed, world, draft, decide_every_s, checksums, budgets, log_dir)
    try:
        while not live.done:
            live.advance()
        return live.finish(replay_path)
    except BaseException:  # the match itself failed (or was interrupted): still stop every bot process
        live.close()
        raise


def start_match(
    blue: CoachLike,
    red: CoachLike,
    seed: int,
    world: World,
    draft: list[int] | None = None,
    decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
    checksums: bool = True,
    budgets: tuple[TimeBudget | None, TimeBudget | None] | None = None,
    log_dir: str | Path | None = None,
    on_step: Any = None,
) -> LiveMatch:
    """Seat two coaches and start a :class:`LiveMatch` (drafted, coaches reset), as :func:`play_match`
    does before it plays; the arguments are :func:`play_match`'s. The caller advances it and calls
    ``finish`` (or ``close`` when it gives up on the match)."""
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
        return LiveMatch(seats, seed, world, draft, decide_every_s, checksums, faults, on_step)
    except BaseException:  # the start failed (or was interrupted): still stop every bot process
        for seat in seats:
            try:
                seat.coach.close()
            except Exception:
                pass
        raise


class LiveMatch:
    """A match played a step at a time: what :func:`play_match` runs to the end in one go, and what a
    live frontend (the terminal game) advances a frame at a time, reading :attr:`state` in between.

    Build it from :class:`~shotcaller.bots.seat.Seat` objects (:func:`live_match` does that from two
    coaches); it drafts (when no draft is given), resets the coaches and asks each at its cadence
    exactly as :func:`play_match` does, so a match advanced in any slices of ticks is the same match,
    tick for tick, and its replay verifies like any other.

    ``on_step(state, rows, issued)`` (optional) is called after every simulation step with its event
    rows and the indices into ``replay.orders`` issued at its first tick, the hook
    :func:`shotcaller.arena.replay.resimulate` offers, so a live feed reads the same events as a replay's
    timeline.
    """

    def __init__(
        self,
        seats: list[Seat],
        seed: int,
        world: World,
        draft: list[int] | None,
        decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
        checksums: bool = True,
        faults: FaultLog | None = None,
        on_step: Any = None,
    ) -> None:
        self.seats = seats
        self.world = world
        self.faults = faults if faults is not None else FaultLog()
        self.checksums = checksums
        self.on_step = on_step
        coaches = (seats[0].coach, seats[1].coach)
        self.checksum_every = ticks(CHECKSUM_EVERY_S, world)
        if draft is None:  # an explicit draft (a replay's, a fixed one) is never re-drafted
            draft = run_draft(coaches[0], coaches[1], seed, world.content, self.faults, guards=[s.guard for s in seats])
        drafts = np.array([draft if draft is not None else [-1] * 10], np.int8)
        self.state = state = new_state(world, seed, drafts)
        A = state.arrays
        self.replay = rep = Replay(
            content_version=world.content.version,
            map=world.config.map_name,
            seed=int(seed),
            draft=[int(h) for h in A.games["draft"][0]],
            params=params_to_dict(world.params),
            config=dict(world.config.__dict__),
            checksum_every=self.checksum_every,
        )
        self.infos = [
            MatchInfo(seed=int(seed), team=t, draft=rep.draft, content_version=rep.content_version, world=world)
            for t in (0, 1)
        ]
        faults = self.faults
        for seat in seats:
            try:
                seat.guard(lambda seat=seat: seat.coach.reset(self.infos[seat.team]))
            except KeyboardInterrupt:
                raise
            except (Exception, SystemExit) as e:  # a bot's bug must never stop the match
                faults.append(fault(0, seat.team, f"reset raised {type(e).__name__}: {e}"))
        self.every = [cadence(seat, decide_every_s, world, faults) for seat in seats]
        problems: list[list[str]] = [[], []]
        self.privileged = [ability(seat.coach, "privileged", False, problems[seat.team]) is True for seat in seats]
        faults += [fault(0, t, p) for t in (0, 1) for p in problems[t]]
        for seat in seats:
            seat.shadow = state.copy()
        self.pending_events: list[list[dict[str, Any]]] = [[], []]
        self._asked_at = -1  # the tick the coaches were last asked at (a slice ending off a decision tick)
        self._closed = False

    @property
    def tick(self) -> int:
        """The game tick the match has reached."""
        return int(self.state.arrays.games["tick"][0])

    @property
    def done(self) -> bool:
        """Whether the match is over (a core fell or the time limit passed)."""
        return bool(self.state.arrays.games["done"][0])

    def advance(self, max_ticks: int = INT32) -> int:
        """Play until the next decision or checksum (at most ``max_ticks`` ticks); returns the ticks played.

        Coaches due at the current tick are asked first, as in :func:`play_match`.
        """
        state, rep, seats, every = self.state, self.replay, self.seats, self.every
        A = state.arrays
        if A.games["done"][0] or max_ticks <= 0:
            return 0
        now = int(A.games["tick"][0])
        rows: list[list[int]] = []
        issued: list[int] = []
        for t, seat in enumerate(seats):
            if now % every[t] == 0 and now != self._asked_at:
                assert seat.shadow is not None
                state.copy_into(seat.shadow)  # the coach reads (and may scribble on) its own copy
                view = team_view(seat.shadow, t, privileged=self.privileged[t])
                view["events"] = self.pending_events[t]
                self.pending_events[t] = []
                for row, why in seat.ask(view, self.infos[t], now, self.faults):
                    if why:
                        rep.reasons.append([len(rep.orders), why])
                    issued.append(len(rep.orders))
                    rep.orders.append([now, *row])
                    rows.append(row)
                view.expire()  # read later without view.keep(), it raises instead of showing a later tick
        self._asked_at = now  # a slice that stops short of the next decision does not ask again
        ce = self.checksum_every
        nxt = min(
            ((now // every[0]) + 1) * every[0],
            ((now // every[1]) + 1) * every[1],
            ((now // ce) + 1) * ce if self.checksums else INT32,
            now + max_ticks,
        )
        orders = np.array([rows], np.int32) if rows else None
        ev = step_inplace(state, orders, nxt - now)
        evrows = ev.of(0)
        for row in evrows:
            kind = int(row[1])
            if kind in (L.E_ORDER_OK, L.E_ORDER_REJECTED, L.E_ORDER_APPLIED):
                team = int(row[2])
                if team in (0, 1):
                    self.pending_events[team].append(order_event(row))
        if self.on_step is not None:
            self.on_step(state, evrows, issued)
        t2 = int(A.games["tick"][0])
        if self.checksums and t2 % ce == 0 and not A.games["done"][0]:
            rep.checksums.append([t2, state.checksum(0)])
        return t2 - now

    def close(self) -> None:
        """Stop the coaches (their processes, if any); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for seat in self.seats:
            try:
                seat.coach.close()
            except Exception as e:  # never lose the result to a bot's clean-up
                self.faults.append(fault(self.tick, seat.team, f"close raised {e!r}"))

    def finish(self, replay_path: str | Path | None = None) -> MatchOutcome:
        """Close the coaches and return the outcome (the match may be unfinished: a player who quits
        still gets a replay that verifies up to where it stopped)."""
        state, rep, faults = self.state, self.replay, self.faults
        end = self.tick
        self.close()  # close now (not only in play_match's finally) so the logs are complete in the result
        if not rep.checksums or rep.checksums[-1][0] != end:
            rep.checksums.append([end, state.checksum(0)])
        rep.result = match_result(state)
        rep.result["faults"] = list(faults)
        rep.result["faults_dropped"] = faults.dropped
        rep.result["privileged"] = [L.TEAM_NAMES[t] for t in (0, 1) if self.privileged[t]]
        rep.result["budgets"] = {L.TEAM_NAMES[s.team]: s.clock.budget.to_dict() for s in self.seats}
        rep.result["bot_logs"] = {L.TEAM_NAMES[s.team]: ability(s.coach, "log_path", None) for s in self.seats}
        if replay_path is not None:
            rep.save(replay_path)
        return MatchOutcome(rep.result, rep)
