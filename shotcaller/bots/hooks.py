"""Leader AI hooks: Python code that changes how each leader plays, on top of any coach.

The compiled leader AI runs every leader with a *profile*, a row of parameters (``profiles.toml``;
your own with ``load_content(profiles="my_profiles.toml")``). A hook is Python that looks at one
leader each decision and may switch its profile or give it orders of its own::

    class HurtIsCareful:
        def profile(self, leader, view, info):       # -> a profile name, or None to keep the current one
            return "careful" if leader["hp"] < 0.4 * leader["max_hp"] else "standard"

        def orders(self, leader, view, info):        # -> extra orders for this leader (optional method)
            return []

    coach = with_hooks(LanerCoach(), HurtIsCareful())

``leader`` is the leader's dict from ``view["leaders"]`` (``index % 5`` is its order argument; its
current profile is ``leader["profile"]``). Profile switches are ``profile`` orders: they take the order
latency and count against the APM budget like any order, and they are in the replay, so a hooked
match replays exactly. A hook that raises loses its orders for that decision (the fault is recorded);
the coach's own orders still go out.
"""

from __future__ import annotations

from typing import Any, Protocol

from shotcaller.bots import orders as O
from shotcaller.bots.base import CoachLike, CoachWrapper, MatchInfo, Order, OrderLike, read_order
from shotcaller.sim.observe import TeamView


class LeaderHook(Protocol):
    """Per-leader custom behaviour: ``profile`` (and optionally ``orders`` and ``reset``)."""

    def profile(self, leader: dict[str, Any], view: Any, info: MatchInfo) -> str | None: ...


class HookFault(ValueError):
    """A hook answered something unusable (recorded as a fault of the coach)."""


class HookedCoach(CoachWrapper):
    """A coach whose leaders also run the given hooks (see :func:`with_hooks`). Every ability of the
    coach (cadence, budget, drafting, its clock and log, ...) is the wrapped coach's."""

    def __init__(self, coach: CoachLike, hooks: list[Any]) -> None:
        super().__init__(coach)
        self.hooks = hooks
        self.name = f"{getattr(coach, 'name', type(coach).__name__)}+hooks"
        self.problems: list[str] = []

    def reset(self, info: MatchInfo) -> None:
        self.inner.reset(info)
        for h in self.hooks:
            if callable(getattr(h, "reset", None)):
                h.reset(info)

    def act(self, view: TeamView, info: MatchInfo) -> list[OrderLike]:
        out: list[OrderLike] = list(self.inner.act(view, info) or [])
        problems = []
        names = info.world.content.profile_names
        for ld in view["leaders"]:
            i = ld["index"] % 5
            for h in self.hooks:
                try:
                    want = h.profile(ld, view, info) if hasattr(h, "profile") else None
                    if want is not None and want != ld["profile"]:
                        if want not in names:
                            raise HookFault(f"unknown profile {want!r} (known: {', '.join(names)})")
                        out.append(O.profile(want, info, i, why=f"hook {type(h).__name__}: {want}"))
                    more = h.orders(ld, view, info) if hasattr(h, "orders") else None
                    for o in more or []:  # a hook's orders are for its own leader; their reasons are kept
                        read = read_order(o)
                        if read is None:
                            raise HookFault(f"malformed order {o!r}: expected (leader, kind, a, b[, why]) integers")
                        (leader, kind, arg_a, arg_b), why = read
                        out.append(Order(i if leader == -1 else leader, kind, arg_a, arg_b, why=why))
                except Exception as e:  # one hook's bug costs its own orders only
                    problems.append(f"hook {type(h).__name__} on leader {i}: {type(e).__name__}: {e}")
        self.problems += problems
        return out

    def take_faults(self) -> list[str]:
        """Faults since the last call: the wrapped coach's own, then the hooks'."""
        out, self.problems = self.inner.take_faults() + self.problems, []
        return out


def with_hooks(coach: CoachLike, *hooks: Any) -> HookedCoach:
    """``coach`` with leader hooks: each decision, every hook sees each of the team's leaders."""
    return HookedCoach(coach, list(hooks))


class HurtIsCareful:
    """A small example hook: careful below 40% health, aggressive when healthy and equipped (two
    items or more), standard otherwise."""

    def profile(self, leader: dict[str, Any], view: Any, info: MatchInfo) -> str | None:
        if not leader["alive"]:
            return None
        if leader["hp"] < 0.4 * leader["max_hp"]:
            return "careful"
        if len(leader["items"]) >= 2 and leader["hp"] > 0.8 * leader["max_hp"]:
            return "aggressive"
        return "standard"
