"""The coach protocol: every player answers the same call with orders.

A coach subclasses :class:`Coach` (or is any object with the same two methods, a :class:`CoachLike`)::

    class MyCoach(Coach):
        def reset(self, info: MatchInfo) -> None: ...                 # once, before the match
        def act(self, view: TeamView, info: MatchInfo) -> list: ...   # every decision, returns orders

:class:`Coach` declares every optional ability with its default (cadence ``decide_every_s``,
``privileged``, ``budget``, drafting, ``close`` ...); the arena reads every coach through
:func:`as_coach` and probes nothing else. ``view`` is the team-visible observation
(:class:`shotcaller.sim.observe.TeamView`, a mapping) plus ``events``: what happened to the team's own
orders since its last decision (accepted, rejected with a reason, applied). It is valid during the
call; ``view.keep()`` keeps it. An order is a tuple ``(leader, kind, a, b)``: ``leader`` 0..4 or -1 for the whole team,
``kind`` and arguments as in ``docs/orders.md``; the helpers in :mod:`shotcaller.bots.orders` build
them by name. A coach may keep any state between decisions.

Drafting (optional, docs/design.md section 9): before the match, the teams pick 5 of the 10 leaders in the
order A-B-B-A-A-B-B-A-A-B (A = blue). A coach that has a method::

        def draft(self, view: dict, info: DraftInfo) -> int | str: ...   # the hero id or leader name

is asked for each of its team's picks (:func:`shotcaller.arena.draft.run_draft`; the view is described
there and in ``docs/bot_protocol.md``); a coach without one gets random picks. A bad answer (an
exception, an unknown or taken leader, another type) is a recorded fault and a random pick.
``wants_draft(info) -> bool`` decides per match whether it drafts (by default: whether it has
``draft``; the JSON-lines coach uses it for its handshake). :func:`shotcaller.bots.drafters.greedy_pick`
is a ready-made drafter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from shotcaller.content import Content
from shotcaller.sim.world import World

if TYPE_CHECKING:
    from shotcaller.sim.observe import TeamView


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
    def ticks_per_second(self) -> float:
        """The content's tick rate (``rules.toml`` ``time.ticks_per_second``)."""
        return float(self.world.content.rules["time.ticks_per_second"])

    def ticks(self, seconds: float) -> int:
        """Game ``seconds`` as a whole number of ticks at this match's tick rate."""
        return round(seconds * self.ticks_per_second)

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


OrderLike = Order | tuple[int, int, int, int] | tuple[int, int, int, int, str | None]
"""What ``act`` may return in its list: an :class:`Order`, a bare ``(leader, kind, a, b)`` or that with a reason."""


class CoachLike(Protocol):
    """The least a coach must have: ``reset`` once per match, then ``act`` on the team-visible view,
    returning orders. Everything else a coach may declare is in :class:`Coach`, with its default."""

    def reset(self, info: MatchInfo) -> None: ...

    def act(self, view: TeamView, info: MatchInfo) -> Sequence[OrderLike] | None: ...


class Coach:
    """The coach contract: every ability the arena uses, declared once with its default.

    Subclass it and override :meth:`act` (and :meth:`reset` to set up per-match state); override an
    ability only when you need it. A plain class with ``reset`` and ``act`` (a :class:`CoachLike`)
    works too: the arena reads it through :func:`as_coach`, which gives it these same defaults.

    Abilities (class attributes or properties):

    * ``decide_every_s``: seconds of game time between decisions, or None for the match's default
      (``play_match(decide_every_s=1.0)``); the match turns it into ticks at the content's tick rate,
      at least one tick and at most one game minute.
    * ``privileged``: True opens :attr:`TeamView.state` (the full state; search bots). Recorded.
    * ``budget``: the :class:`TimeBudget` the coach declares, or None for the default one.
    * ``times_itself``: True for coaches that keep their own :class:`~shotcaller.bots.budget.Clock`
      (JSON-lines bots in a child process): the match calls :meth:`configure_arena` and then uses the
      coach's ``clock`` instead of interrupting ``act``.
    * ``log_path``: the coach's log file (a child process's stderr), or None.

    Methods: :meth:`draft` and :meth:`wants_draft` (drafting), :meth:`take_faults` (faults the coach
    contained itself), :meth:`configure_arena`, :meth:`preflight` (a quick start-up check before a
    tournament) and :meth:`close` (release processes and files; called at the end of every match).
    """

    decide_every_s: float | None = None
    privileged: bool = False
    budget: TimeBudget | None = None
    times_itself: bool = False
    log_path: str | None = None

    def reset(self, info: MatchInfo) -> None:
        """Called once before the match (after the draft), with what the coach knows of it."""

    def act(self, view: TeamView, info: MatchInfo) -> Sequence[OrderLike] | None:
        """The team's orders for this decision (see the module docstring and ``docs/orders.md``).

        ``view`` is valid during this call; keep it past the call with ``view.keep()``."""
        raise NotImplementedError(f"{type(self).__name__} must define act(view, info)")

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str:
        """One draft pick: a hero id or a leader name (asked only when :meth:`wants_draft` says so)."""
        raise NotImplementedError(f"{type(self).__name__} does not draft")

    def wants_draft(self, info: DraftInfo) -> bool:
        """Whether the coach drafts this match; by default, whether it has a :meth:`draft` of its own."""
        return can_draft(self)

    def take_faults(self) -> list[str]:
        """Faults the coach contained itself since the last call (the match records them)."""
        return []

    def configure_arena(self, budget: TimeBudget, log_dir: str | None) -> None:
        """For ``times_itself`` coaches: the budget of the next matches and where logs go."""

    def preflight(self) -> None:
        """Check the coach can start; raise :class:`~shotcaller.bots.loader.BotLoadError` if not."""

    def close(self) -> None:
        """Release what the coach holds (processes, files). Called at the end of every match."""


class CoachWrapper(Coach):
    """A coach around another: every ability is the inner coach's unless the wrapper overrides it.

    Subclasses override what they change (usually :meth:`act`) and call ``super()`` for the rest; a new
    ability added to :class:`Coach` must be added here too (a test checks every one is forwarded).
    """

    def __init__(self, inner: CoachLike) -> None:
        self.inner: Coach = as_coach(inner)

    @property
    def decide_every_s(self) -> float | None:  # type: ignore[override]
        return self.inner.decide_every_s

    @property
    def privileged(self) -> bool:  # type: ignore[override]
        return self.inner.privileged

    @property
    def budget(self) -> TimeBudget | None:  # type: ignore[override]
        return self.inner.budget

    @property
    def times_itself(self) -> bool:  # type: ignore[override]
        return self.inner.times_itself

    @property
    def log_path(self) -> str | None:  # type: ignore[override]
        return self.inner.log_path

    @property
    def clock(self) -> Any:
        """The inner coach's clock (``times_itself`` coaches only)."""
        return getattr(self.inner, "clock", None)

    def reset(self, info: MatchInfo) -> None:
        self.inner.reset(info)

    def act(self, view: TeamView, info: MatchInfo) -> Sequence[OrderLike] | None:
        return self.inner.act(view, info)

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str:
        return self.inner.draft(view, info)

    def wants_draft(self, info: DraftInfo) -> bool:
        return self.inner.wants_draft(info)

    def take_faults(self) -> list[str]:
        return self.inner.take_faults()

    def configure_arena(self, budget: TimeBudget, log_dir: str | None) -> None:
        self.inner.configure_arena(budget, log_dir)

    def preflight(self) -> None:
        self.inner.preflight()

    def close(self) -> None:
        self.inner.close()


class _Adapted(CoachWrapper):
    """A plain :class:`CoachLike` object read through the :class:`Coach` contract: each ability it
    defines is used, each one it lacks has its default. The one place that probes a coach's abilities."""

    def __init__(self, obj: Any) -> None:  # no super().__init__: the inner object is not a Coach
        self.inner = obj

    def _get(self, name: str, default: Any) -> Any:
        return getattr(self.inner, name, default)

    @property
    def decide_every_s(self) -> float | None:  # type: ignore[override]
        return self._get("decide_every_s", None)

    @property
    def privileged(self) -> bool:  # type: ignore[override]
        return self._get("privileged", False) is True

    @property
    def budget(self) -> TimeBudget | None:  # type: ignore[override]
        return self._get("budget", None)

    @property
    def times_itself(self) -> bool:  # type: ignore[override]
        return self._get("times_itself", False) is True

    @property
    def log_path(self) -> str | None:  # type: ignore[override]
        return self._get("log_path", None)

    def _call(self, name: str, default: Any, *args: Any) -> Any:
        fn = getattr(self.inner, name, None)
        return fn(*args) if callable(fn) else default

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str:
        fn = getattr(self.inner, "draft", None)
        if not callable(fn):
            raise NotImplementedError(f"{type(self.inner).__name__} does not draft")
        return fn(view, info)

    def wants_draft(self, info: DraftInfo) -> bool:
        return bool(self._call("wants_draft", callable(getattr(self.inner, "draft", None)), info))

    def take_faults(self) -> list[str]:
        return [str(r) for r in self._call("take_faults", None) or []]

    def configure_arena(self, budget: TimeBudget, log_dir: str | None) -> None:
        self._call("configure_arena", None, budget, log_dir)

    def preflight(self) -> None:
        self._call("preflight", None)

    def close(self) -> None:
        self._call("close", None)

    def __repr__(self) -> str:
        return f"as_coach({self.inner!r})"


def can_draft(coach: Coach) -> bool:
    """Whether a coach has a ``draft`` of its own (a wrapper: whether the coach it wraps has one)."""
    if isinstance(coach, _Adapted):
        return callable(getattr(coach.inner, "draft", None))
    if isinstance(coach, CoachWrapper) and type(coach).draft is CoachWrapper.draft:
        return can_draft(coach.inner)
    return type(coach).draft is not Coach.draft


RETIRED_ABILITIES = {"decide_every": "decide_every_s (seconds of game time)"}


def retired_abilities(coach: Coach) -> list[tuple[str, str]]:
    """(old name, what replaced it) for each retired ability a coach still declares (the match
    records a fault naming it, so a bot written against an older contract hears why it is ignored)."""
    inner = coach.inner if isinstance(coach, _Adapted) else coach

    def has(name: str) -> bool:
        try:
            getattr(inner, name)
        except AttributeError:
            return False
        except Exception:  # a property that raises: it is declared all the same
            return True
        return True

    return [(old, new) for old, new in RETIRED_ABILITIES.items() if has(old)]


def as_coach(obj: CoachLike) -> Coach:
    """``obj`` itself when it is a :class:`Coach`, else ``obj`` read through the contract (its missing
    abilities get their defaults). The arena calls this once per coach; it never probes coaches itself."""
    return obj if isinstance(obj, Coach) else _Adapted(obj)


def ability(coach: CoachLike, name: str, default: Any, problems: list[str] | None = None) -> Any:
    """``coach``'s ability ``name`` through the contract; its default when reading it raises (a bot's
    broken property never stops a match: the problem is appended to ``problems``)."""
    try:
        return getattr(as_coach(coach), name)
    except Exception as e:
        if problems is not None:
            problems.append(f"reading {name} raised {type(e).__name__}: {e}; using {default!r}")
        return default


def declared_budget(coach: CoachLike, problems: list[str] | None = None) -> TimeBudget | None:
    """The budget a coach declares (its ``budget`` attribute), or None."""
    budget = ability(coach, "budget", None, problems)
    return budget if isinstance(budget, TimeBudget) else None


class Drafter(Protocol):
    """A coach that drafts: returns the hero id (0..9) or the leader name it picks."""

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str: ...
