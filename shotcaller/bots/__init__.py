"""Coach bots: the policy protocol and the built-in bots."""

from shotcaller.bots.base import Coach, MatchInfo, NoneCoach, make_coach

__all__ = ["Coach", "MatchInfo", "NoneCoach", "make_coach"]
