"""The coach protocol: every player answers the same call with orders.

A coach is any object with two methods::

    class MyCoach:
        def reset(self, info: MatchInfo) -> None: ...           # once, before the match
        def act(self, view: dict, info: MatchInfo) -> list: ...  # every decision, returns orders

``view`` is the team-visible observation (:func:`shotcaller.sim.observe.team_view`) plus ``events``:
what happened to the team's own orders since its last decision (accepted, rejected with a reason,
applied). An order is a tuple ``(leader, kind, a, b)``: ``leader`` 0..4 or -1 for the whole team,
``kind`` and arguments as in ``docs/orders.md``; the helpers in :mod:`shotcaller.bots.orders` build
them by name. A coach may keep any state between decisions.

Drafting (optional, docs/design.md section 9): before the match, the teams pick 5 of the 10 leaders in the
order A-B-B-A-A-B-B-A-A-B (A = blue). A coach that has a method::

        def draft(self, view: dict, info: DraftInfo) -> int | str: ...   # the hero id or leader name

is asked for each of its team's picks (:func:`shotcaller.arena.draft.run_draft`; the view is described
there and in ``docs/bot_protocol.md``); a coach without one gets random picks. A bad answer (an
exception, an unknown or taken leader, another type) is a recorded fault and a random pick. A coach
may also have ``wants_draft(info) -> bool`` to decide per match whether it drafts (the JSON-lines
coach uses it for its handshake). :func:`shotcaller.bots.drafters.greedy_pick` is a ready-made drafter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from shotcaller.content import Content
from shotcaller.sim.world import World


@dataclass(frozen=True)
class MatchInfo:
    """What a coach knows about its match before it starts."""

    seed: int
    team: int  # 0 blue, 1 red
    draft: list[int]
    content_version: str
    world: World = field(repr=False)

    @property
    def side(self) -> str:
        """``"blue"`` or ``"red"``."""
        return ("blue", "red")[self.team]

    @property
    def leaders(self) -> list[str]:
        """Names of the team's five leaders (index = leader argument of orders)."""
        names = self.world.content.leader_names
        return [names[h] for h in self.draft[self.team * 5 : self.team * 5 + 5]]

    @property
    def enemy_leaders(self) -> list[str]:
        """Names of the enemy's five leaders."""
        names = self.world.content.leader_names
        e = 1 - self.team
        return [names[h] for h in self.draft[e * 5 : e * 5 + 5]]


@dataclass(frozen=True)
class DraftInfo:
    """What a coach knows when it drafts (before the match; the leaders are not known yet)."""

    seed: int
    team: int  # 0 blue, 1 red
    content_version: str
    content: Content = field(repr=False)

    @property
    def side(self) -> str:
        """``"blue"`` or ``"red"``."""
        return ("blue", "red")[self.team]


MAX_WHY = 200  # characters of an order's reason kept (longer ones are cut)


class Order(tuple[int, int, int, int]):
    """One order: the 4-tuple ``(leader, kind, a, b)`` with an optional short reason, ``why``.

    It is a plain tuple to everything that reads orders (it compares equal to ``(leader, kind, a, b)``
    and unpacks into four values); the reason travels beside it into the replay and the match
    timeline and never changes what the order does. A coach may return bare 4-tuples, 5-tuples
    ``(leader, kind, a, b, why)`` or these; the helpers in :mod:`shotcaller.bots.orders` build them::

        O.push(1, why="their mid tower is low")

    Example:
        >>> o = Order(-1, 2, 1, 0, why="mid is open")
        >>> o == (-1, 2, 1, 0), o.why
        (True, 'mid is open')
    """

    why: str | None

    def __new__(cls, leader: int, kind: int, a: int = 0, b: int = 0, why: str | None = None) -> Order:
        self = super().__new__(cls, (leader, kind, a, b))
        self.why = clean_why(why)
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickling (process pools, Ray) keeps the reason
        return (*self, self.why)

    @property
    def leader(self) -> int:
        """0..4, or -1 for the whole team."""
        return self[0]

    @property
    def kind(self) -> int:
        """The order kind (``shotcaller.sim.layout.ORDER_NAMES`` index)."""
        return self[1]

    def __repr__(self) -> str:
        why = f", why={self.why!r}" if self.why else ""
        return f"Order({self[0]}, {self[1]}, {self[2]}, {self[3]}{why})"


def clean_why(why: Any) -> str | None:
    """A reason as kept: printable text on one line of at most MAX_WHY characters, or None (also for a
    reason that is not text: a bot's odd object never reaches the replay, nor breaks the match)."""
    if why is None or not isinstance(why, str):
        return None
    text = " ".join("".join(c if c.isprintable() else " " for c in why[: 4 * MAX_WHY]).split())
    return (text[: MAX_WHY - 1] + "…" if len(text) > MAX_WHY else text) or None


INT32 = 2**31  # order arguments are 32-bit integers


def read_order(o: Any) -> tuple[list[int], str | None] | None:
    """One order as a coach returned it (``(leader, kind, a, b)``, with a fifth element or an ``Order.why``
    as its reason) read into ``([leader, kind, a, b], why)``; None when it is not four 32-bit integers.
    The one reading of coach answers, in the match and in the sandboxed child alike."""
    why = getattr(o, "why", None)
    try:
        vals = list(o)
    except TypeError:
        return None
    if len(vals) == 5 and (vals[4] is None or isinstance(vals[4], str)):
        why = vals.pop()
    ok = len(vals) == 4 and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and -INT32 <= int(v) < INT32 for v in vals
    )
    return ([int(v) for v in vals], clean_why(why)) if ok else None


MAX_FAULT_REASON = 300  # characters of a fault's reason kept (a bot's garbage never grows the host)


def fault(tick: int, team: int, reason: str) -> dict[str, Any]:
    """A bot fault as matches record it: ``{"tick", "team": "blue" | "red", "reason"}`` (the reason cut to
    MAX_FAULT_REASON characters)."""
    text = str(reason)
    if len(text) > MAX_FAULT_REASON:
        text = text[: MAX_FAULT_REASON - 1] + "…"
    return {"tick": int(tick), "team": ("blue", "red")[team], "reason": text}


@dataclass(frozen=True)
class TimeBudget:
    """How long a coach may think: ``budget_ms`` per decision plus a bank of ``bank_ms`` for the whole
    match that absorbs overruns (Screeps/Lux style). A decision that runs past its budget and what is
    left of the bank is interrupted and recorded as a fault; ``max_faults`` faults in a row silence the
    coach for the rest of the match. The same budget applies to in-process and JSON-lines coaches.

    A coach class that needs more time declares it: ``budget = TimeBudget(budget_ms=500)``.
    """

    budget_ms: float = 100.0
    bank_ms: float = 1000.0
    max_faults: int = 10

    def __post_init__(self) -> None:
        for name in ("budget_ms", "bank_ms"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or isinstance(v, bool) or not 0 <= v <= 3_600_000:
                raise ValueError(f"TimeBudget.{name} must be milliseconds in 0..3600000, got {v!r}")
        if self.budget_ms + self.bank_ms <= 0:
            raise ValueError("TimeBudget: budget_ms + bank_ms must be > 0")
        if not isinstance(self.max_faults, int) or isinstance(self.max_faults, bool) or self.max_faults < 1:
            raise ValueError(f"TimeBudget.max_faults must be a whole number >= 1, got {self.max_faults!r}")

    def to_dict(self) -> dict[str, float | int]:
        """``{"budget_ms", "bank_ms", "max_faults"}`` (as recorded with each game)."""
        return {"budget_ms": self.budget_ms, "bank_ms": self.bank_ms, "max_faults": self.max_faults}


def declared_budget(coach: Any) -> TimeBudget | None:
    """The budget a coach declares (its ``budget`` attribute), or None."""
    b = getattr(coach, "budget", None)
    return b if isinstance(b, TimeBudget) else None


class Coach(Protocol):
    """A coach: ``reset`` once per match, then ``act`` on the team-visible view, returning orders."""

    def reset(self, info: MatchInfo) -> None: ...

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]: ...


class Drafter(Protocol):
    """A coach that drafts: returns the hero id (0..9) or the leader name it picks."""

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str: ...
