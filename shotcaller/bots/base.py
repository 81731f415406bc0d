"""The coach protocol: every player answers the same call with orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from shotcaller.sim.world import World


@dataclass(frozen=True)
class MatchInfo:
    """What a coach knows about its match before it starts."""

    seed: int
    team: int  # 0 blue, 1 red
    draft: list[int]
    content_version: str
    world: World


class Coach(Protocol):
    """A coach: ``reset`` once per match, then ``act`` on the team-visible view, returning order rows
    ``(leader, kind, a, b)`` (leader -1 for the whole team); see :mod:`shotcaller.sim.layout`."""

    def reset(self, info: MatchInfo) -> None: ...

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[tuple[int, int, int, int]]: ...


class NoneCoach:
    """No coach at all: the leaders follow their default plan (2-1-2 lanes, retreat, buy)."""

    name = "none"

    def reset(self, info: MatchInfo) -> None:
        return None

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[tuple[int, int, int, int]]:
        return []


BUILTIN = {"none": NoneCoach}


def make_coach(name: str) -> Coach:
    """A coach by name; raises ValueError naming the known coaches."""
    try:
        return BUILTIN[name]()
    except KeyError:
        raise ValueError(f"unknown coach {name!r}; known: {', '.join(sorted(BUILTIN))}") from None
