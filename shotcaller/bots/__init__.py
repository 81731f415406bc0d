"""Coach bots: the policy protocol, order helpers, built-in bots and the loader."""

from shotcaller.bots.base import Coach, MatchInfo, Order
from shotcaller.bots.builtin import BUILTIN, IdleCoach, LanerCoach, PusherCoach, RandomCoach
from shotcaller.bots.loader import BotLoadError, load_bot

NoneCoach = IdleCoach


def make_coach(spec: str, *, allow_unsandboxed: bool = False) -> Coach:
    """A coach from any spec; raises ValueError (BotLoadError) naming what is wrong (see :func:`load_bot`)."""
    return load_bot(spec, allow_unsandboxed=allow_unsandboxed)


__all__ = [
    "BUILTIN",
    "BotLoadError",
    "Coach",
    "IdleCoach",
    "LanerCoach",
    "MatchInfo",
    "NoneCoach",
    "Order",
    "PusherCoach",
    "RandomCoach",
    "load_bot",
    "make_coach",
]
