"""A person as a coach: orders typed or clicked in a frontend, handed to the match like any bot's.

The terminal game (and any other frontend) never touches the game state: it queues the player's orders
on a :class:`HumanCoach` with :meth:`HumanCoach.submit`, and the match asks the coach for them at its
cadence exactly as it asks a bot, so the player's orders pass the same validation, latency and APM
budget, land in the replay, and the replay verifies like any other. What the engine answered (accepted,
or rejected with its reason) comes back in :attr:`HumanCoach.answers`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from shotcaller.bots.base import Coach, MatchInfo, Order, OrderLike, TimeBudget
from shotcaller.sim.observe import TeamView

MAX_QUEUED = 64  # orders a player can queue between two decisions (the match takes at most 64 a decision)


@dataclass(frozen=True)
class Answer:
    """The engine's answer to one of the player's orders: ``status`` ``"accepted"`` (queued for its
    latency), ``"applied"`` (in effect) or ``"rejected"`` with ``reason``."""

    tick: int
    leader: int
    order: str
    status: str
    reason: str | None = None


class HumanCoach(Coach):
    """The coach a person plays through a frontend.

    It is asked four times a game second (``decide_every_s = 0.25``), so a player's order waits at most
    a quarter second before the rules' latency starts; it thinks in no time, so its budget is never the
    limit. Thread-safe: a frontend may submit from its own thread. It does not draft: a frontend with a
    draft screen passes the player's picks to the match (:class:`~shotcaller.arena.draft.Draft`), and
    elsewhere the seat gets the draft's seeded random picks.
    """

    decide_every_s = 0.25
    budget = TimeBudget(budget_ms=1000.0, bank_ms=10_000.0)

    def __init__(self) -> None:
        self._queue: deque[Order] = deque()
        self._lock = threading.Lock()
        self.answers: list[Answer] = []
        self.info: MatchInfo | None = None

    def reset(self, info: MatchInfo) -> None:
        self.info = info
        with self._lock:
            self._queue.clear()
        self.answers = []

    def submit(self, leader: int, kind: int, a: int = 0, b: int = 0, why: str | None = None) -> bool:
        """Queue one order for the next decision; False (nothing queued) when MAX_QUEUED are waiting."""
        with self._lock:
            if len(self._queue) >= MAX_QUEUED:
                return False
            self._queue.append(Order(int(leader), int(kind), int(a), int(b), why=why))
            return True

    @property
    def pending(self) -> list[Order]:
        """Orders submitted and not yet handed to the match."""
        with self._lock:
            return list(self._queue)

    def act(self, view: TeamView, info: MatchInfo) -> Sequence[OrderLike] | None:
        for ev in view.get("events", []) or []:
            kind = str(ev.get("kind", ""))
            status = {"order_accepted": "accepted", "order_rejected": "rejected", "order_applied": "applied"}.get(
                kind, kind
            )
            self.answers.append(Answer(int(ev["tick"]), int(ev["leader"]), str(ev["order"]), status, ev.get("reason")))
        with self._lock:
            out = list(self._queue)
            self._queue.clear()
        return out
