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
from shotcaller.bots.base import MatchInfo, Order


class LeaderHook(Protocol):
    """Per-leader custom behaviour: ``profile`` (and optionally ``orders`` and ``reset``)."""

    def profile(self, leader: dict[str, Any], view: Any, info: MatchInfo) -> str | None: ...


class HookFault(ValueError):
    """A hook answered something unusable (recorded as a fault of the coach)."""


class HookedCoach:
    """A coach whose leaders also run the given hooks (see :func:`with_hooks`)."""

    def __init__(self, coach: Any, hooks: list[Any]) -> None:
        self.coach = coach
        self.hooks = hooks
        self.name = f"{getattr(coach, 'name', type(coach).__name__)}+hooks"
        self.problems: list[str] = []
        for attr in ("decide_every", "privileged", "budget", "times_itself"):
            if hasattr(coach, attr):
                setattr(self, attr, getattr(coach, attr))
        for method in ("draft", "wants_draft", "configure_arena", "preflight"):
            if callable(getattr(coach, method, None)):
                setattr(self, method, getattr(coach, method))

    @property
    def log_path(self) -> str | None:
        """The wrapped coach's log file, if it keeps one."""
        return getattr(self.coach, "log_path", None)

    def reset(self, info: MatchInfo) -> None:
        self.coach.reset(info)
        for h in self.hooks:
            if callable(getattr(h, "reset", None)):
                h.reset(info)

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        out = list(self.coach.act(view, info) or [])
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
                        vals = tuple(o)
                        why = getattr(o, "why", None) or (vals[4] if len(vals) == 5 else None)
                        leader = i if vals[0] == -1 else vals[0]
                        out.append(Order(leader, *vals[1:4], why=why))
                except Exception as e:  # one hook's bug costs its own orders only
                    problems.append(f"hook {type(h).__name__} on leader {i}: {type(e).__name__}: {e}")
        self.problems += problems
        return out

    def take_faults(self) -> list[str]:
        """Faults since the last call (the match records them and goes on)."""
        out, self.problems = self.problems, []
        return out

    def close(self) -> None:
        close = getattr(self.coach, "close", None)
        if callable(close):
            close()


def with_hooks(coach: Any, *hooks: Any) -> HookedCoach:
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
