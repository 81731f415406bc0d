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

Every order they give carries a short reason (``why=``), shown by ``shotcaller replay show``: the
strategist says which lane is weakest and how weak ("their weakest lane: mid outer tower at 20%"),
how many enemy leaders threaten which building, or how many of its leaders are alive.

The bots read :attr:`TeamView.arrays` (numpy columns), the fast path for Python coaches, and decide
every 2 s (``decide_every_s = 2.0``): orders take 2 s to arrive and the APM budget allows one order per
2 s on average, so deciding every tick would only spend time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shotcaller.bots import orders as O
from shotcaller.bots.base import Coach, MatchInfo, Order
from shotcaller.sim import layout as L
from shotcaller.sim.layout import LANE_NAMES, TIER_NAMES, building_name  # noqa: F401  (re-exported: bots import them from here)

K_CORE = 7


def building_max_hp(info: MatchInfo) -> np.ndarray:
    """Full health of the 26 building slots (core, barracks, towers; both teams), shape (26,)."""
    stats = info.world.rec["unit_stats"]
    sub = np.arange(2 * L.N_BLD) % L.N_BLD
    row = np.where(sub == 0, L.UK_CORE, np.where(sub < 4, L.UK_BARRACKS, L.UK_TOWER))
    return stats[row, L.S_HP].astype(np.float64)


def lane_front(b: dict[str, np.ndarray], team: int, lane_: int) -> int:
    """The outermost standing building of ``team``'s lane (a tower, else the barracks) as known; -1
    when none stands."""
    subs = [4 + 3 * lane_ + tier for tier in range(3)] + [1 + lane_]
    for sub in subs:
        if b["alive"][team * L.N_BLD + sub]:
            return team * L.N_BLD + sub
    return -1


def lane_words(b: dict[str, np.ndarray], team: int, lane_: int, max_hp: np.ndarray) -> str:
    """A lane's front in a few words: ``"mid outer tower at 20%"``, ``"left barracks at 40%"``,
    ``"right lane open to the core"``."""
    front = lane_front(b, team, lane_)
    if front < 0:
        return f"{LANE_NAMES[lane_]} lane open to the core"
    return f"{building_name(front)} at {100 * float(b['hp'][front]) / max(float(max_hp[front]), 1.0):.0f}%"


def why_push(b: dict[str, np.ndarray], team: int, lane_: int, max_hp: np.ndarray) -> str:
    """Why push ``lane_`` of enemy ``team`` (the weakest by :func:`weakest_lane`), in words."""
    s = lane_strength(b, team)
    if all(x == s[lane_] for x in s):
        return f"their lanes are even; {LANE_NAMES[lane_]} is the shortest"
    return f"their weakest lane: {lane_words(b, team, lane_, max_hp)}"


class IdleCoach(Coach):
    """No orders at all: the leaders follow their default plan."""

    name = "idle"
    decide_every_s = 60.0

    def reset(self, info: MatchInfo) -> None:
        return None

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        return []


class RandomCoach(Coach):
    """A legal random order every 4 s on average, from its own seeded generator."""

    name = "random"
    decide_every_s = 2.0

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
        why = "a random legal order"
        if choice == 0:
            return [O.lane(int(self.rng.integers(3)), i, why=why)]
        if choice == 1:
            return [O.push(int(self.rng.integers(3)), i, why=why)]
        if choice == 2:
            return [O.defend(int(self.rng.integers(3)), i, why=why)]
        if choice == 3:
            return [O.stance(("aggressive", "balanced", "careful")[int(self.rng.integers(3))], i, why=why)]
        if choice == 4:
            room = ld["n_items"][i] + ld["n_queued"][i] < int(info.world.rec["inv_slots"])
            affordable = [k for k, p in enumerate(c.item_price) if p <= ld["gold"][i]]
            if room and affordable:
                return [O.buy(int(affordable[int(self.rng.integers(len(affordable)))]), info, i, why=why)]
            return []
        seen = np.flatnonzero(a["enemy_leaders"]["visible"])
        if choice == 5 and seen.size:
            return [O.gank((1 - info.team) * 5 + int(seen[int(self.rng.integers(seen.size))]), i, why=why)]
        if ld["hp"][i] < 0.5 * ld["max_hp"][i]:
            return [O.retreat(i, why=f"random, and below half health ({100 * ld['hp'][i] / ld['max_hp'][i]:.0f}%)")]
        return []


class LanerCoach(Coach):
    """Fixed 2-1-2 lanes; hurt leaders go home; each leader buys its build as soon as it can."""

    name = "laner"
    decide_every_s = 2.0
    retreat_below = 0.35

    def reset(self, info: MatchInfo) -> None:
        self.started = False
        c = info.world.content
        self.builds = [[int(x) for x in c.leader_build[h] if x >= 0] for h in info.draft[info.team * 5 :][:5]]

    def lane_orders(self) -> list[Order]:
        why = "the 2-1-2 start: two leaders left, one mid, two right"
        return [O.lane(L.DEFAULT_LANES[i], i, why=why) for i in range(5)]

    def shopping(self, view: Any, info: MatchInfo) -> list[Order]:
        """Hurt leaders home; the next item of each leader's build once it is affordable."""
        out: list[Order] = []
        ld = view.arrays["leaders"]
        price = info.world.content.item_price
        slots = int(info.world.rec["inv_slots"])
        for i in range(5):
            if ld["alive"][i] and ld["mode"][i] == L.M_NORMAL and ld["hp"][i] < self.retreat_below * ld["max_hp"][i]:
                pct = 100 * ld["hp"][i] / ld["max_hp"][i]
                out.append(O.retreat(i, why=f"health {pct:.0f}%, below {100 * self.retreat_below:.0f}%: heal at home"))
            owned = int(ld["n_items"][i] + ld["n_queued"][i])
            if ld["n_queued"][i] or owned >= slots or owned >= len(self.builds[i]):
                continue
            want = self.builds[i][owned]
            if ld["gold"][i] >= price[want]:
                why = f"item {owned + 1} of its build, {ld['gold'][i]:.0f} gold for {price[want]:.0f}"
                out.append(O.buy(want, info, i, why=why))
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


class PusherCoach(Coach):
    """Groups all five on the weakest enemy lane and pushes it while it is not behind; behind (three
    or fewer leaders alive) it sends its leaders back to their 2-1-2 lanes, each as it respawns."""

    name = "pusher"
    decide_every_s = 2.0

    def reset(self, info: MatchInfo) -> None:
        self.pushing = -1
        self.laned: set[int] = set()
        self.max_hp = building_max_hp(info)

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        alive = view.arrays["leaders"]["alive"]
        n = int(alive.sum())
        if n >= 4:
            self.laned.clear()
            b = view.arrays["buildings"]
            target = weakest_lane(b, 1 - info.team)
            if target == self.pushing:
                return []
            self.pushing = target
            return [O.push(target, why=f"{why_push(b, 1 - info.team, target, self.max_hp)}; {n} of 5 alive")]
        self.pushing = -1
        why = f"only {n} of 5 alive: back to the 2-1-2 lanes until the dead respawn"
        out = [O.lane(L.DEFAULT_LANES[i], i, why=why) for i in range(5) if alive[i] and i not in self.laned]
        self.laned.update(i for i in range(5) if alive[i])
        return out


Plan = tuple[Any, ...]  # ("push", lane) | ("defend", lane) | ("lanes",)


def plan_orders(plan: Plan, why: str | None = None) -> list[Order]:
    """The team orders that start ``plan``, with the reason ``why``."""
    if plan[0] == "defend":
        return [O.defend(plan[1], why=why)]
    if plan[0] == "push":
        return [O.push(plan[1], why=why)]
    return [O.lane(L.DEFAULT_LANES[i], i, why=why) for i in range(5)]


def plan_words(plan: Plan) -> str:
    """``"push mid"``, ``"defend left"``, ``"lanes"``."""
    return f"{plan[0]} {LANE_NAMES[plan[1]]}" if len(plan) > 1 else str(plan[0])


class StrategistCoach(Coach):
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
    decide_every_s = 2.0
    hold_s = 45.0  # game seconds the team first guards its mid tower
    threat_radius = 12.0
    teleport_beyond = 25.0

    def reset(self, info: MatchInfo) -> None:
        self.plan: Plan | None = None
        self.team = info.team
        self.max_hp = building_max_hp(info)
        self.tps = info.ticks_per_second
        self.hold_until = info.ticks(self.hold_s)
        self.threat = (-1, 0, -1)  # the threatened lane, enemy leaders seen near it, our building they threaten

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
        self.threat = (-1, 0, -1)
        if threat_n >= 3:
            blds = own[b["lane"][own] == threat_lane]
            towers = blds[(blds % L.N_BLD) >= 4]
            tgt = int(towers[np.argmin(towers % L.N_BLD)]) if towers.size else me * L.N_BLD
            self.threat = (threat_lane, threat_n, tgt)
            for i in range(5):
                if ld["alive"][i] and ld["teleport_ready_in"][i] == 0 and ld["mode"][i] == L.M_NORMAL:
                    d2 = (ld["x"][i] - b["x"][tgt]) ** 2 + (ld["y"][i] - b["y"][tgt]) ** 2
                    if d2 > self.teleport_beyond**2:
                        why = f"{threat_n} enemy leaders at our {building_name(tgt)}; too far to walk"
                        extra.append(O.teleport(tgt, i, why=why))
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

    def explain(self, plan: Plan, view: Any) -> str:
        """Why ``plan`` (just proposed for ``view``), in a few words."""
        a = view.arrays
        b = a["buildings"]
        alive = int(a["leaders"]["alive"].sum())
        if plan == ("defend", self.threat[0]):
            return f"{self.threat[1]} enemy leaders at our {building_name(self.threat[2])}"
        if plan[0] == "push":
            return f"{why_push(b, 1 - self.team, plan[1], self.max_hp)}; {alive} of 5 alive"
        if plan[0] == "defend" and view["tick"] < self.hold_until:
            return f"hold our mid tower for the first {self.hold_until / self.tps:.0f} s, where the first waves meet"
        if plan[0] == "defend":
            words = lane_words(b, self.team, plan[1], self.max_hp)
            return f"only {alive} of 5 alive: regroup on our weakest lane ({words})"
        return "the 2-1-2 lanes"

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        plan, extra = self.propose(view)
        if plan != self.plan:
            self.plan = plan
            return plan_orders(plan, self.explain(plan, view)) + extra
        return extra


def _greedy_drafter() -> Any:
    from shotcaller.bots.drafters import GreedyDrafter

    return GreedyDrafter()


def _learned_coach() -> Any:
    from shotcaller.bots.learned import LearnedCoach

    # the policy of docs/training.md's run, drafting with the model the run fitted on its games; it takes
    # the likeliest allowed choice: on train seeds that had the larger margin over both goals (docs/training.md)
    return LearnedCoach(greedy=True)


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
    "learned": _learned_coach,
    "drafter": _greedy_drafter,
}
