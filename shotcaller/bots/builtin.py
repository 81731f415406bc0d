"""Built-in coach bots, from doing nothing to reading the map.

* ``idle`` (alias ``none``): no orders; the leaders play the default plan.
* ``random``: a legal random order now and then (lane, push, defend, stance, buy, gank, retreat).
* ``laner``: fixed 2-1-2 lanes, sends hurt leaders home, buys each leader's items when affordable.
* ``pusher``: plays like ``laner``; when ahead, groups the team and pushes the weakest enemy lane.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shotcaller.bots import orders as O
from shotcaller.bots.base import MatchInfo, Order

LANES_212 = (0, 0, 1, 2, 2)


class IdleCoach:
    """No orders at all: the leaders follow their default plan."""

    name = "idle"

    def reset(self, info: MatchInfo) -> None:
        return None

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]:
        return []


class RandomCoach:
    """A legal random order now and then (about one every 4 s), from its own seeded generator."""

    name = "random"

    def reset(self, info: MatchInfo) -> None:
        self.rng = np.random.default_rng([info.seed, info.team, 7])

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]:
        if self.rng.random() > 0.25:
            return []
        alive = [ld for ld in view["leaders"] if ld["alive"]]
        if not alive:
            return []
        ld = alive[int(self.rng.integers(len(alive)))]
        i = ld["index"] % 5
        c = info.world.content
        choice = int(self.rng.integers(7))
        if choice == 0:
            return [O.lane(int(self.rng.integers(3)), i)]
        if choice == 1:
            return [O.push(int(self.rng.integers(3)), i)]
        if choice == 2:
            return [O.defend(int(self.rng.integers(3)), i)]
        if choice == 3:
            return [O.stance(("aggressive", "balanced", "careful")[int(self.rng.integers(3))], i)]
        if choice == 4:
            room = len(ld["items"]) + len(ld["queued"]) < 4
            affordable = [k for k, p in enumerate(c.item_price) if p <= ld["gold"]]
            if room and affordable:
                return [O.buy(int(affordable[int(self.rng.integers(len(affordable)))]), info, i)]
            return []
        if choice == 5 and view["enemy_leaders"]:
            e = view["enemy_leaders"][int(self.rng.integers(len(view["enemy_leaders"])))]
            return [O.gank(e["index"], i)]
        if ld["hp"] < 0.5 * ld["max_hp"]:
            return [O.retreat(i)]
        return []


class LanerCoach:
    """Fixed 2-1-2 lanes; hurt leaders go home; each leader buys its build as soon as it can."""

    name = "laner"
    retreat_below = 0.35

    def reset(self, info: MatchInfo) -> None:
        self.started = False
        c = info.world.content
        self.builds = [[int(x) for x in c.leader_build[h] if x >= 0] for h in info.draft[info.team * 5 :][:5]]

    def lane_orders(self, view: dict[str, Any]) -> list[Order]:
        return [O.lane(LANES_212[i], i) for i in range(5)]

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]:
        out: list[Order] = []
        if not self.started:
            self.started = True
            out += self.lane_orders(view)
        c = info.world.content
        for ld in view["leaders"]:
            i = ld["index"] % 5
            if ld["alive"] and ld["mode"] == "normal" and ld["hp"] < self.retreat_below * ld["max_hp"]:
                out.append(O.retreat(i))
            owned = len(ld["items"]) + len(ld["queued"])
            if ld["queued"] or owned >= 4 or owned >= len(self.builds[i]):
                continue
            want = self.builds[i][owned]
            if c.item_names[want] in ld["items"]:
                continue
            if ld["gold"] >= c.item_price[want]:
                out.append(O.buy(want, info, i))
        return out


class PusherCoach(LanerCoach):
    """Lanes like ``laner``; when ahead, groups all five and pushes the weakest enemy lane."""

    name = "pusher"

    def reset(self, info: MatchInfo) -> None:
        super().reset(info)
        self.pushing = -1

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]:
        out = super().act(view, info)
        me, enemy = info.side, ("red", "blue")[info.team]
        lost = {t: sum(1 for b in view["buildings"] if b["team"] == t and not b["alive"]) for t in (me, enemy)}
        alive_me = sum(1 for ld in view["leaders"] if ld["alive"])
        ahead = lost[enemy] > lost[me] or view["tick"] > 20 * 60 * 8
        if ahead and alive_me >= 4:
            # the weakest enemy lane: fewest standing buildings, then lowest health
            score = []
            for lane_ in range(3):
                bs = [b for b in view["buildings"] if b["team"] == enemy and b["lane"] == lane_ and b["kind"] != "core"]
                score.append((sum(b["alive"] for b in bs), sum(b["hp"] for b in bs if b["alive"])))
            target = min(range(3), key=lambda k: score[k])
            if target != self.pushing:
                self.pushing = target
                out.append(O.push(target))
        elif self.pushing >= 0 and not ahead:
            self.pushing = -1
            out += self.lane_orders(view)
        return out


BUILTIN: dict[str, type] = {
    "none": IdleCoach,
    "idle": IdleCoach,
    "random": RandomCoach,
    "laner": LanerCoach,
    "pusher": PusherCoach,
}
