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

Drafting (optional, DESIGN.md section 9): before the match, the teams pick 5 of the 10 leaders in the
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


Order = tuple[int, int, int, int]


def fault(tick: int, team: int, reason: str) -> dict[str, Any]:
    """A bot fault as matches record it: ``{"tick", "team": "blue" | "red", "reason"}``."""
    return {"tick": int(tick), "team": ("blue", "red")[team], "reason": reason}


class Coach(Protocol):
    """A coach: ``reset`` once per match, then ``act`` on the team-visible view, returning orders."""

    def reset(self, info: MatchInfo) -> None: ...

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]: ...


class Drafter(Protocol):
    """A coach that drafts: returns the hero id (0..9) or the leader name it picks."""

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str: ...
