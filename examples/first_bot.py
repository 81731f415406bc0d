"""A complete coach bot: lanes 2-1-2, then all five push the middle once two enemy towers are down.

shotcaller match --blue examples/first_bot.py:FirstBot --red laner
"""

from shotcaller.bots import Coach
from shotcaller.bots import orders as O


class FirstBot(Coach):
    def reset(self, info):
        self.started = False
        self.push_every = info.ticks(20.0)  # game seconds -> ticks at this match's tick rate

    def act(self, view, info):
        if not self.started:  # first decision: 2-1-2 lanes
            self.started = True
            return [O.lane(0, 0), O.lane(0, 1), O.lane(1, 2), O.lane(2, 3), O.lane(2, 4)]
        enemy = "red" if info.side == "blue" else "blue"
        down = sum(1 for b in view["buildings"] if b["team"] == enemy and not b["alive"])
        hurt = [ld["index"] % 5 for ld in view["leaders"] if ld["alive"] and ld["hp"] < 0.3 * ld["max_hp"]]
        orders = [O.retreat(i) for i in hurt]
        if down >= 2 and view["tick"] % self.push_every == 0:  # every 20 s: keep the push going
            orders.append(O.push(1))
        return orders
