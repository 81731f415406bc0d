"""Built-in coach bots: a graded ladder from doing nothing to simulating ahead.

The graded ladder (each tier beats the one below it; measured figures in ``docs/ladder.md``):

* ``random``: a legal random order every few seconds (lane, push, defend, stance, buy, gank, retreat).
* ``idle`` (alias ``none``): no orders; the leaders play the default plan (2-1-2 lanes, their builds).
* ``pusher``: groups all five and pushes the weakest enemy lane while it is not behind (else lanes).
* ``strategist``: reads the map: defends threatened lanes (teleporting the far leaders), ganks
  isolated leaders, pushes with its creep waves, regroups when behind, spends gold on its builds.
* ``search``: the strategist's candidates and a few more, each simulated ahead on cloned states
  (privileged: it reads the full state), picks the best by a material evaluation.

Outside the ladder: ``drafter`` (drafts greedily by measured leader strength, then plays like
``idle``; see :mod:`shotcaller.bots.drafters`), and ``laner`` (fixed 2-1-2 lanes, retreats hurt
leaders, buys the builds), which plays about as well as ``idle``: the same plan, run by the leaders.

The bots read :attr:`TeamView.arrays` (numpy columns), the fast path for Python coaches, and decide
every 2 s (``decide_every = 40``): orders take 2 s to arrive and the APM budget allows one order per
2 s on average, so deciding every tick would only spend time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shotcaller.bots import orders as O
from shotcaller.bots.base import MatchInfo, Order
from shotcaller.sim import layout as L

LANES_212 = (0, 0, 1, 2, 2)
K_CORE = 7


class IdleCoach:
    """No orders at all: the leaders follow their default plan."""

    name = "idle"
    decide_every = 20 * 60

    def reset(self, info: MatchInfo) -> None:
        return None

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        return []


class RandomCoach:
    """A legal random order every 4 s on average, from its own seeded generator."""

    name = "random"
    decide_every = 40

    def reset(self, info: MatchInfo) -> None:
        self.rng = np.random.default_rng([info.seed, info.team, 7])

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        if self.rng.random() > 0.5:
            return []
        a = view.arrays
        alive = np.flatnonzero(a["leaders"]["alive"])
        if alive.size == 0:
            return []
        i = int(alive[int(self.rng.integers(alive.size))])
        ld = a["leaders"]
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
            room = ld["n_items"][i] + ld["n_queued"][i] < 4
            affordable = [k for k, p in enumerate(c.item_price) if p <= ld["gold"][i]]
            if room and affordable:
                return [O.buy(int(affordable[int(self.rng.integers(len(affordable)))]), info, i)]
            return []
        seen = np.flatnonzero(a["enemy_leaders"]["visible"])
        if choice == 5 and seen.size:
            return [O.gank((1 - info.team) * 5 + int(seen[int(self.rng.integers(seen.size))]), i)]
        if ld["hp"][i] < 0.5 * ld["max_hp"][i]:
            return [O.retreat(i)]
        return []


class LanerCoach:
    """Fixed 2-1-2 lanes; hurt leaders go home; each leader buys its build as soon as it can."""

    name = "laner"
    decide_every = 40
    retreat_below = 0.35

    def reset(self, info: MatchInfo) -> None:
        self.started = False
        c = info.world.content
        self.builds = [[int(x) for x in c.leader_build[h] if x >= 0] for h in info.draft[info.team * 5 :][:5]]

    def lane_orders(self) -> list[Order]:
        return [O.lane(LANES_212[i], i) for i in range(5)]

    def shopping(self, view: Any, info: MatchInfo) -> list[Order]:
        """Hurt leaders home; the next item of each leader's build once it is affordable."""
        out: list[Order] = []
        ld = view.arrays["leaders"]
        price = info.world.content.item_price
        for i in range(5):
            if ld["alive"][i] and ld["mode"][i] == L.M_NORMAL and ld["hp"][i] < self.retreat_below * ld["max_hp"][i]:
                out.append(O.retreat(i))
            owned = int(ld["n_items"][i] + ld["n_queued"][i])
            if ld["n_queued"][i] or owned >= 4 or owned >= len(self.builds[i]):
                continue
            want = self.builds[i][owned]
            if ld["gold"][i] >= price[want]:
                out.append(O.buy(want, info, i))
        return out

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        out: list[Order] = []
        if not self.started:
            self.started = True
            out += self.lane_orders()
        return out + self.shopping(view, info)


def lane_strength(b: dict[str, np.ndarray], team: int) -> list[tuple[int, float]]:
    """Per lane: (standing towers and barracks, their total health) of ``team`` as known."""
    out = []
    for lane_ in range(3):
        m = (b["team"] == team) & (b["lane"] == lane_) & (b["kind"] != K_CORE) & b["alive"]
        out.append((int(m.sum()), float(b["hp"][m].sum())))
    return out


def weakest_lane(b: dict[str, np.ndarray], team: int) -> int:
    """The lane of ``team`` with the fewest standing buildings, then the least health, then the
    shortest (mid)."""
    s = lane_strength(b, team)
    return min(range(3), key=lambda k: (*s[k], k != 1))


class PusherCoach:
    """Groups all five on the weakest enemy lane and pushes it while it is not behind; behind (three
    or fewer leaders alive) it sends its leaders back to their 2-1-2 lanes, each as it respawns."""

    name = "pusher"
    decide_every = 40

    def reset(self, info: MatchInfo) -> None:
        self.pushing = -1
        self.laned: set[int] = set()

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        alive = view.arrays["leaders"]["alive"]
        if int(alive.sum()) >= 4:
            self.laned.clear()
            target = weakest_lane(view.arrays["buildings"], 1 - info.team)
            if target == self.pushing:
                return []
            self.pushing = target
            return [O.push(target)]
        self.pushing = -1
        out = [O.lane(LANES_212[i], i) for i in range(5) if alive[i] and i not in self.laned]
        self.laned.update(i for i in range(5) if alive[i])
        return out


Plan = tuple[Any, ...]  # ("push", lane) | ("defend", lane) | ("lanes",)


def plan_orders(plan: Plan) -> list[Order]:
    """The team orders that start ``plan``."""
    if plan[0] == "defend":
        return [O.defend(plan[1])]
    if plan[0] == "push":
        return [O.push(plan[1])]
    return [O.lane(LANES_212[i], i) for i in range(5)]


class StrategistCoach:
    """Reads the map and keeps one team plan at a time:

    * **defend**: three or more enemy leaders near an own lane's buildings, all five defend that lane;
      leaders more than 25 tiles away teleport to its outermost standing tower when they can;
    * **hold**: the first 45 s, all five guard the own mid tower, where the creep waves meet and a
      rush meets the tower too;
    * **push**: with four or more alive, all five push the weakest enemy lane (fewest buildings
      standing, least health, mid first) behind their creep wave;
    * **regroup**: behind (three or fewer alive), defend the own weakest lane until the dead are back.

    Leaders buy their build list themselves (the leader AI shops whenever it has the gold).
    """

    name = "strategist"
    decide_every = 40
    hold_until = 20 * 45
    threat_radius = 12.0
    teleport_beyond = 25.0

    def reset(self, info: MatchInfo) -> None:
        self.plan: Plan | None = None
        self.team = info.team

    def propose(self, view: Any) -> tuple[Plan, list[Order]]:
        """The plan for this moment and any teleports it wants now."""
        a = view.arrays
        me = self.team
        ld, el, b = a["leaders"], a["enemy_leaders"], a["buildings"]
        extra: list[Order] = []
        own = np.flatnonzero((b["team"] == me) & b["alive"])
        threat_lane, threat_n = -1, 0
        if el["visible"].any():
            ex, ey = el["x"][el["visible"]], el["y"][el["visible"]]
            for lane_ in range(3):
                blds = own[b["lane"][own] == lane_]
                if blds.size == 0:
                    continue
                d2 = (b["x"][blds][:, None] - ex[None]) ** 2 + (b["y"][blds][:, None] - ey[None]) ** 2
                n = int((d2.min(axis=0) <= self.threat_radius**2).sum())
                if n > threat_n:
                    threat_lane, threat_n = lane_, n
        if threat_n >= 3:
            blds = own[b["lane"][own] == threat_lane]
            towers = blds[(blds % L.N_BLD) >= 4]
            tgt = int(towers[np.argmin(towers % L.N_BLD)]) if towers.size else me * L.N_BLD
            for i in range(5):
                if ld["alive"][i] and ld["teleport_ready_in"][i] == 0 and ld["mode"][i] == L.M_NORMAL:
                    d2 = (ld["x"][i] - b["x"][tgt]) ** 2 + (ld["y"][i] - b["y"][tgt]) ** 2
                    if d2 > self.teleport_beyond**2:
                        extra.append(O.teleport(tgt, i))
            return ("defend", threat_lane), extra
        return self.calm_plan(view), extra

    def calm_plan(self, view: Any) -> Plan:
        """The plan when no lane is threatened: hold, then push while not behind, else regroup."""
        a = view.arrays
        if view["tick"] < self.hold_until:
            return ("defend", 1)
        if int(a["leaders"]["alive"].sum()) >= 4:
            return ("push", weakest_lane(a["buildings"], 1 - self.team))
        return ("defend", weakest_lane(a["buildings"], self.team))

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        plan, extra = self.propose(view)
        if plan != self.plan:
            self.plan = plan
            return plan_orders(plan) + extra
        return extra


def _greedy_drafter() -> Any:
    from shotcaller.bots.drafters import GreedyDrafter

    return GreedyDrafter()


def _search_coach() -> Any:
    from shotcaller.bots.search import SearchCoach  # it builds on this module

    return SearchCoach()


BUILTIN: dict[str, Callable[[], Any]] = {
    "none": IdleCoach,
    "idle": IdleCoach,
    "random": RandomCoach,
    "laner": LanerCoach,
    "pusher": PusherCoach,
    "strategist": StrategistCoach,
    "search": _search_coach,
    "drafter": _greedy_drafter,
}
