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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

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


Order = tuple[int, int, int, int]


class Coach(Protocol):
    """A coach: ``reset`` once per match, then ``act`` on the team-visible view, returning orders."""

    def reset(self, info: MatchInfo) -> None: ...

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]: ...
