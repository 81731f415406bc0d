"""A Python coach that drafts: its favourite leader when it is free, otherwise the greedy drafter's pick
(the leader that adds most to the team's measured chance to win); then it plays like ``laner``.

    shotcaller match --blue examples/drafting_bot.py:DraftingBot --red laner
"""

from shotcaller.bots import LanerCoach
from shotcaller.bots.drafters import greedy_pick


class DraftingBot(LanerCoach):
    favourite = "Vesna"

    def draft(self, view, info):
        # view: step, order, you, picks, my_picks, enemy_picks, available, pool, skills (docs/bot_protocol.md)
        if any(a["leader"] == self.favourite for a in view["available"]):
            return self.favourite
        return greedy_pick(view, info)
