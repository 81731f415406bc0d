"""A coach's seat at a match: asking it for orders on its clock, its cadence, and the match's fault log.

Everything that plays coaches against the simulation (a match in :mod:`shotcaller.arena.match`, the
environments of :mod:`shotcaller.envs`) asks them through a :class:`Seat`, so a coach that raises,
overruns its budget or answers garbage loses those orders and a recorded fault, never the game.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shotcaller.bots.base import Coach, MatchInfo, ability, fault, read_order, retired_abilities
from shotcaller.bots.budget import BudgetExceeded, Clock
from shotcaller.bots.wire import quote
from shotcaller.sim import layout as L
from shotcaller.sim.state import State
from shotcaller.sim.world import World

DEFAULT_DECIDE_EVERY_S = 1.0  # game seconds between decisions of a coach that declares no cadence
MAX_DECIDE_EVERY_S = 60.0  # a coach is asked at least once a game minute
MAX_ORDERS_PER_DECISION = 64  # more in one decision is a fault (a coach cannot grow the replay without bound)
MAX_FAULTS_PER_SIDE = 50  # fault records a match keeps per side; the rest are only counted


def ticks(seconds: float, world: World) -> int:
    """Game ``seconds`` as a whole number of ticks (at least 1) at the world's tick rate."""
    return max(1, round(seconds * float(world.content.rules["time.ticks_per_second"])))


def order_event(row: np.ndarray) -> dict[str, Any]:
    """An order event row (tick, kind, team, leader, order kind, due or reason) as a coach reads it."""
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


def parse_orders(out: Any, team: int, tick: int, faults: list[dict[str, Any]]) -> list[tuple[list[int], str | None]]:
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
        return parse_orders(out, team, tick, faults)

    def guard(self, fn: Any) -> Any:
        """Run a draft call on the coach's clock (an overrun or silence becomes an ordinary exception)."""
        clock = self.clock
        return fn() if clock is not self.own_clock else clock.call(fn)

    def _silenced(self) -> str:
        return f"; silenced after {self.clock.faults_in_a_row} faults in a row" if self.clock.silenced else ""


def cadence(seat: Seat, default_s: float, world: World, faults: list[dict[str, Any]]) -> int:
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
