"""Simple fixed coach plans: a parametric family for the strategy sweep (``benchmarks/strategy_sweep.py``).

A :class:`Plan` is a small frozen description (which lane each leader takes, when and where the team
groups, which lanes it pushes and from when, whether it falls back when behind, a farming carry, early
teleport defence); :class:`PlanCoach` plays one. :data:`PLANS` names the plans of the sweep; each is a bot
spec ``plan:NAME`` (``shotcaller match plan:rush-mid-0 strategist``).

Every decision the coach works out what each leader should be doing now (a ``lane``, ``group``,
``push`` or ``defend`` order, in that order of phases) and gives only the orders that differ from the
ones it gave last, each with a short reason; durations are game seconds (``info.ticks``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from shotcaller.bots import orders as O
from shotcaller.bots.base import Coach, MatchInfo, Order
from shotcaller.sim import layout as L
from shotcaller.sim.layout import LANE_NAMES, building_name

Lanes = tuple[int, int, int, int, int]
STANCES = ("aggressive", "balanced", "careful")


@dataclass(frozen=True)
class Plan:
    """One fixed coach plan. Leaders are 0..4 (the team's draft order), lanes 0 left, 1 mid, 2 right.

    Attributes:
        lanes: the lane each leader farms from the start (and returns to when the team falls back).
        group_at_s: game second from which all five gather at the team's own outermost standing tower
            of ``group_lane`` (None: never group).
        group_lane: the lane whose tower the team gathers at.
        push_from_s: game second from which the leaders push (None: never push).
        push_lanes: the lane each leader pushes from ``push_from_s`` (-1: that leader keeps its lane).
        regroup_below: while pushing, with fewer than this many leaders alive, every leader goes back to
            its lane until the dead are back (0: never fall back).
        carry: a leader that farms with the ``farmer`` profile (four-protect-one), or None.
        tp_defence_until_s: until this game second, when ``tp_threshold`` or more enemy leaders are seen
            near an own lane's buildings, all five defend that lane and the far ones teleport to its
            front tower (0: no teleport defence; ``math.inf``: the whole match).
        tp_threshold: enemy leaders near a lane that count as a threat.
        stance: a team stance given at the start (None: leave the default).
    """

    lanes: Lanes = L.DEFAULT_LANES
    group_at_s: float | None = None
    group_lane: int = 1
    push_from_s: float | None = None
    push_lanes: Lanes = (1, 1, 1, 1, 1)
    regroup_below: int = 0
    carry: int | None = None
    tp_defence_until_s: float = 0.0
    tp_threshold: int = 3
    stance: str | None = None

    def __post_init__(self) -> None:
        for name in ("lanes", "push_lanes"):
            v = getattr(self, name)
            low = -1 if name == "push_lanes" else 0
            if len(v) != 5 or not all(isinstance(x, int) and low <= x <= 2 for x in v):
                raise ValueError(f"Plan.{name} must be five lanes in {low}..2, got {v!r}")
        if self.group_lane not in (0, 1, 2):
            raise ValueError(f"Plan.group_lane must be 0, 1 or 2, got {self.group_lane!r}")
        for name in ("group_at_s", "push_from_s"):
            v = getattr(self, name)
            if v is not None and not v >= 0:
                raise ValueError(f"Plan.{name} must be None or game seconds >= 0, got {v!r}")
        if not 0 <= self.regroup_below <= 5:
            raise ValueError(f"Plan.regroup_below must be 0..5, got {self.regroup_below!r}")
        if self.carry is not None and self.carry not in range(5):
            raise ValueError(f"Plan.carry must be None or a leader 0..4, got {self.carry!r}")
        if not self.tp_defence_until_s >= 0 or not 1 <= self.tp_threshold <= 5:
            raise ValueError("Plan.tp_defence_until_s must be >= 0 and tp_threshold 1..5")
        if self.stance is not None and self.stance not in STANCES:
            raise ValueError(f"Plan.stance must be None or one of {', '.join(STANCES)}, got {self.stance!r}")


def _split(word: str) -> Lanes:
    """``"212"`` (leaders per lane, left-mid-right) -> the lane of each leader in order."""
    counts = [int(c) for c in word]
    out = [lane_ for lane_, n in enumerate(counts) for _ in range(n)]
    if len(out) != 5:
        raise ValueError(f"{word!r} does not place five leaders")
    return (out[0], out[1], out[2], out[3], out[4])


ALL: dict[int, Lanes] = {0: (0, 0, 0, 0, 0), 1: (1, 1, 1, 1, 1), 2: (2, 2, 2, 2, 2)}
OWN = (-1, -1, -1, -1, -1)
INF = math.inf

PLANS: dict[str, Plan] = {
    # which leaders take which lanes (no pushing orders: the leaders farm and push with their waves)
    "lanes-212": Plan(),
    "lanes-113": Plan(lanes=_split("113")),
    "lanes-311": Plan(lanes=_split("311")),
    "lanes-131": Plan(lanes=_split("131")),
    "lanes-221": Plan(lanes=_split("221")),
    "lanes-122": Plan(lanes=_split("122")),
    "lanes-050": Plan(lanes=_split("050")),
    # rush timing: all five push one lane from a given second
    "rush-mid-0": Plan(push_from_s=0, push_lanes=ALL[1]),
    "rush-mid-60": Plan(push_from_s=60, push_lanes=ALL[1]),
    "rush-mid-180": Plan(push_from_s=180, push_lanes=ALL[1]),
    "rush-mid-420": Plan(push_from_s=420, push_lanes=ALL[1]),
    "rush-mid-0-regroup": Plan(push_from_s=0, push_lanes=ALL[1], regroup_below=4),
    "rush-left-0": Plan(push_from_s=0, push_lanes=ALL[0]),
    "rush-right-0": Plan(push_from_s=0, push_lanes=ALL[2]),
    "rush-left-240": Plan(push_from_s=240, push_lanes=ALL[0]),
    "rush-right-240-careful": Plan(push_from_s=240, push_lanes=ALL[2], stance="careful"),
    "rush-mid-0-aggressive": Plan(push_from_s=0, push_lanes=ALL[1], stance="aggressive"),
    # when and where to group, then push
    "group-mid-60-push-120": Plan(group_at_s=60, push_from_s=120, push_lanes=ALL[1]),
    "group-left-180-push-240": Plan(group_at_s=180, group_lane=0, push_from_s=240, push_lanes=ALL[0]),
    "group-right-300-push-360": Plan(group_at_s=300, group_lane=2, push_from_s=360, push_lanes=ALL[2]),
    "group-mid-600-push-660": Plan(group_at_s=600, push_from_s=660, push_lanes=ALL[1], regroup_below=3),
    "group-mid-hold": Plan(group_at_s=0),
    # split push: leaders push different lanes at once
    "split-212-0": Plan(push_from_s=0, push_lanes=_split("212")),
    "split-212-180": Plan(push_from_s=180, push_lanes=_split("212")),
    "split-131-0": Plan(push_from_s=0, push_lanes=_split("131")),
    "split-410-0": Plan(push_from_s=0, push_lanes=_split("410")),
    "split-041-120": Plan(lanes=_split("131"), push_from_s=120, push_lanes=_split("041")),
    "split-1-lane-rest-mid-0": Plan(push_from_s=0, push_lanes=(0, 1, 1, 1, -1)),
    # four-protect-one: one leader farms (farmer profile), four stay in its lane, then push together
    "protect-0-left": Plan(lanes=ALL[0], carry=0),
    "protect-2-mid": Plan(lanes=ALL[1], carry=2),
    "protect-4-right-push-480": Plan(lanes=ALL[2], carry=4, push_from_s=480, push_lanes=ALL[2]),
    "protect-0-left-push-mid-300": Plan(lanes=ALL[0], carry=0, push_from_s=300, push_lanes=ALL[1]),
    # early teleport defence: answer a threat with all five, teleporting the far ones
    "tpdef-212-300": Plan(tp_defence_until_s=300),
    "tpdef-212-all": Plan(tp_defence_until_s=INF),
    "tpdef-212-all-2": Plan(tp_defence_until_s=INF, tp_threshold=2),
    "tpdef-300-rush-mid-300": Plan(tp_defence_until_s=300, push_from_s=300, push_lanes=ALL[1], regroup_below=4),
    "tpdef-all-split-212-240": Plan(tp_defence_until_s=INF, push_from_s=240, push_lanes=_split("212")),
}
"""The named plans of the sweep, by family (lanes, rush timing, grouping, split push, four-protect-one,
teleport defence). Each is the bot spec ``plan:NAME``."""

THREAT_RADIUS = 12.0  # tiles from an own building within which a seen enemy leader is a threat
TELEPORT_BEYOND = 25.0  # tiles from the threatened tower beyond which a leader teleports rather than walks
DEFEND_FOR_S = 10.0  # game seconds a lane is still defended after its threat was last seen
TELEPORT_RETRY_S = 6.0  # game seconds before a leader is told to teleport again


def get_plan(name: str) -> Plan:
    """The plan registered as ``name``; KeyError naming the known ones when there is none."""
    try:
        return PLANS[name]
    except KeyError:
        raise KeyError(f"no plan {name!r} (known: {', '.join(sorted(PLANS))})") from None


Want = tuple[int, int, int]  # (order kind, a, b) a leader should be following


class PlanCoach(Coach):
    """Plays one :class:`Plan`: each decision, the order each alive leader should follow now (teleport
    defence, else fall back, push, group or lane, in that order), given only when it changed.

    Args:
        plan: the plan, or the name of one in :data:`PLANS`.
        name: the display name (default ``plan:NAME`` for a registered plan).
    """

    decide_every_s = 2.0

    def __init__(self, plan: Plan | str = "lanes-212", name: str | None = None) -> None:
        if isinstance(plan, str):
            self.name = name or f"plan:{plan}"
            plan = get_plan(plan)
        else:
            self.name = name or "plan"
        self.plan = plan

    def reset(self, info: MatchInfo) -> None:
        self.team = info.team
        p = self.plan
        self.group_at = None if p.group_at_s is None else info.ticks(p.group_at_s)
        self.push_from = None if p.push_from_s is None else info.ticks(p.push_from_s)
        self.tp_until = p.tp_defence_until_s * info.ticks_per_second
        self.given: list[Want | None] = [None] * 5
        self.started = False
        self.defend_for = info.ticks(DEFEND_FOR_S)
        self.retry = info.ticks(TELEPORT_RETRY_S)
        self.threat = (-1, 0, -1)  # (lane, enemy leaders seen, tick last seen)
        self.teleported = [-self.retry] * 5  # tick of each leader's last teleport order

    def _front(self, b: dict[str, np.ndarray], lane_: int) -> int:
        """Own outermost standing tower of ``lane_``, else its barracks, else the core."""
        base = self.team * L.N_BLD
        for sub in [4 + 3 * lane_ + tier for tier in range(3)] + [1 + lane_]:
            if b["alive"][base + sub]:
                return base + sub
        return base

    def _threat(self, a: dict[str, Any]) -> tuple[int, int]:
        """(lane, enemy leaders seen near its own buildings) of the most threatened own lane; (-1, 0)."""
        el, b = a["enemy_leaders"], a["buildings"]
        if not el["visible"].any():
            return -1, 0
        own = np.flatnonzero((b["team"] == self.team) & b["alive"])
        ex, ey = el["x"][el["visible"]], el["y"][el["visible"]]
        best = (-1, 0)
        for lane_ in range(3):
            blds = own[b["lane"][own] == lane_]
            if blds.size == 0:
                continue
            d2 = (b["x"][blds][:, None] - ex[None]) ** 2 + (b["y"][blds][:, None] - ey[None]) ** 2
            n = int((d2.min(axis=0) <= THREAT_RADIUS**2).sum())
            if n > best[1]:
                best = (lane_, n)
        return best

    def _wants(self, view: Any) -> tuple[list[tuple[Want, str]], int]:
        """What each leader should follow now, with why, and the threatened lane (-1: none)."""
        p, a, tick = self.plan, view.arrays, int(view["tick"])
        b = a["buildings"]
        if tick < self.tp_until:
            lane_, n = self._threat(a)
            if n >= p.tp_threshold:
                self.threat = (lane_, n, tick)
            if self.threat[0] >= 0 and tick - self.threat[2] < self.defend_for:
                lane_, n, _ = self.threat
                why = f"{n} enemy leaders at our {LANE_NAMES[lane_]} lane: all five defend it"
                return [((L.O_DEFEND, lane_, 0), why)] * 5, lane_
        n_alive = int(a["leaders"]["alive"].sum())
        pushing = self.push_from is not None and tick >= self.push_from
        fall_back = pushing and n_alive < p.regroup_below
        out: list[tuple[Want, str]] = []
        for i in range(5):
            if pushing and not fall_back and p.push_lanes[i] >= 0:
                why = f"the plan pushes {LANE_NAMES[p.push_lanes[i]]} from {p.push_from_s:.0f} s"
                out.append(((L.O_PUSH, p.push_lanes[i], 0), why))
            elif self.group_at is not None and tick >= self.group_at and not fall_back:
                slot = self._front(b, p.group_lane)
                why = f"the plan gathers at our {building_name(slot)} from {p.group_at_s:.0f} s"
                out.append(((L.O_GROUP, int(b["x"][slot]), int(b["y"][slot])), why))
            else:
                why = f"the plan's lanes ({self._lanes_word()})"
                if fall_back:
                    why = f"only {n_alive} of 5 alive: back to the lanes until the dead respawn"
                out.append(((L.O_LANE, p.lanes[i], 0), why))
        return out, -1

    def _lanes_word(self) -> str:
        return "-".join(str(self.plan.lanes.count(k)) for k in range(3))

    def _setup(self, info: MatchInfo) -> list[Order]:
        p = self.plan
        out: list[Order] = []
        if p.stance is not None:
            out.append(O.stance(p.stance, why=f"the plan plays {p.stance}"))
        if p.carry is not None:
            why = f"four protect one: {info.leaders[p.carry]} farms"
            out.append(O.profile("farmer", info, p.carry, why=why))
        return out

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        out: list[Order] = []
        if not self.started:
            self.started = True
            out += self._setup(info)
        wants, threat_lane = self._wants(view)
        alive = view.arrays["leaders"]["alive"]
        for i, (want, why) in enumerate(wants):
            if alive[i] and want != self.given[i]:  # a dead leader hears its order once it is back
                self.given[i] = want
                out.append(Order(i, want[0], want[1], want[2], why=why))
        if threat_lane >= 0:
            out += self._teleports(view, threat_lane, int(view["tick"]))
        return out

    def _teleports(self, view: Any, lane_: int, tick: int) -> list[Order]:
        """Teleports of the leaders far from the threatened lane's front tower (when ready)."""
        a = view.arrays
        ld, b = a["leaders"], a["buildings"]
        tgt = self._front(b, lane_)
        out = []
        for i in range(5):
            ready = ld["teleport_ready_in"][i] == 0 and tick - self.teleported[i] >= self.retry
            if ld["alive"][i] and ready and ld["mode"][i] == L.M_NORMAL:
                d2 = (ld["x"][i] - b["x"][tgt]) ** 2 + (ld["y"][i] - b["y"][tgt]) ** 2
                if d2 > TELEPORT_BEYOND**2:
                    self.teleported[i] = tick
                    why = f"our {building_name(tgt)} is threatened and too far to walk"
                    out.append(O.teleport(tgt, i, why=why))
        return out
