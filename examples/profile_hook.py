"""A leader hook on top of a built-in coach: hurt leaders play careful, healthy equipped ones aggressive.

shotcaller match --blue examples/profile_hook.py:AdaptiveLaner --red laner
"""

from shotcaller.bots import LanerCoach
from shotcaller.bots.hooks import with_hooks


class HurtIsCareful:
    def profile(self, leader, view, info):
        if not leader["alive"]:
            return None  # keep whatever it has
        if leader["hp"] < 0.4 * leader["max_hp"]:
            return "careful"
        if len(leader["items"]) >= 2:
            return "aggressive"
        return "standard"


def AdaptiveLaner():  # noqa: N802 - a bot spec names it like a class
    return with_hooks(LanerCoach(), HurtIsCareful())
