"""Words for a match: game time as mm:ss, names of leaders, items and places, orders in words.

Used by :mod:`shotcaller.arena.timeline`; everything here reads untrusted numbers (a replay's order
arguments) and never fails on them: out-of-range values are shown as numbers.
"""

from __future__ import annotations

from typing import Any

from shotcaller.sim import layout as L
from shotcaller.sim.layout import LANE_NAMES, building_name
from shotcaller.sim.world import World


def clock(tick: int, tps: float) -> str:
    """Game time of ``tick`` as ``mm:ss`` (minutes may pass 99)."""
    s = max(0, int(tick // tps))
    return f"{s // 60:02d}:{s % 60:02d}"


def printable(text: Any) -> str:
    """``text`` safe to print on a terminal: control characters escaped (a replay is untrusted)."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


class MatchWords:
    """Names of leaders, items, lanes and places of one match, and its orders in words."""

    def __init__(self, world: World, draft: list[int]) -> None:
        c = world.content
        self.leaders = [c.leader_names[h] if 0 <= h < len(c.leader_names) else f"hero {h}" for h in draft]
        self.items = c.item_names
        self.profiles = c.profile_names
        rec = world.rec
        self.lane_of_x = rec["lane_of_x"]
        bld = rec["bld_xy"]
        self.core_y = [float(bld[t, 0, 1]) for t in (0, 1)]
        self.inner_y = [float(bld[t, 4 + 3 + 2, 1]) for t in (0, 1)]  # the mid base tower (tier 2) bounds the base
        self.river_y = (float(bld[0, 4 + 3, 1]) + float(bld[1, 4 + 3, 1])) / 2  # between the mid outer towers
        self.river_half = max(2.0, 0.06 * world.height)

    def leader(self, li: int) -> str:
        """``"blue Rollo"`` for global leader index 0..9."""
        if 0 <= li < 10:
            return f"{L.TEAM_NAMES[li // 5]} {self.leaders[li]}"
        return f"leader {li}"

    def own_leader(self, team: int, i: int) -> str:
        return self.leaders[team * 5 + i] if team in (0, 1) and 0 <= i < 5 else f"leader {i}"

    def lane(self, a: int) -> str:
        return LANE_NAMES[a] if 0 <= a < 3 else f"lane {a}"

    def item(self, a: int) -> str:
        return self.items[a] if 0 <= a < len(self.items) else f"item {a}"

    def place(self, x: float, y: float) -> str:
        """Where (x, y) is: ``"mid river"``, ``"left lane, red side"``, ``"blue base"``."""
        xi = min(max(int(round(x)), 0), len(self.lane_of_x) - 1)
        lane = LANE_NAMES[int(self.lane_of_x[xi])] if len(self.lane_of_x) else "?"
        for t in (0, 1):
            if abs(y - self.core_y[t]) <= abs(self.inner_y[t] - self.core_y[t]):
                return f"{L.TEAM_NAMES[t]} base"
        if abs(y - self.river_y) <= self.river_half:
            return f"{lane} river"
        side = 0 if abs(y - self.core_y[0]) < abs(y - self.core_y[1]) else 1
        return f"{lane} lane, {L.TEAM_NAMES[side]} side"

    def order(self, team: int, kind: int, a: int, b: int) -> str:
        """An order in words: ``"push mid"``, ``"buy Iron Sword"``, ``"teleport to mid outer tower"``."""
        name = L.ORDER_NAMES[kind] if 0 <= kind < len(L.ORDER_NAMES) else f"order kind {kind}"
        if kind in (L.O_LANE, L.O_PUSH, L.O_DEFEND):
            return f"{name} {self.lane(a)}"
        if kind == L.O_GANK:
            return f"gank {self.leader(a)}"
        if kind == L.O_GROUP:
            return f"group at ({a}, {b})"
        if kind == L.O_BUY:
            return f"buy {self.item(a)}"
        if kind == L.O_TELEPORT:
            if 0 <= a < 2 * L.N_BLD:
                own = "" if a // L.N_BLD == team else f"{L.TEAM_NAMES[a // L.N_BLD]} "
                return f"teleport to {own}{building_name(a)}"
            return f"teleport to building {a}"
        if kind == L.O_STANCE:
            return f"stance {L.STANCE_NAMES[a] if 0 <= a < 3 else a}"
        if kind == L.O_PROFILE:
            return f"profile {self.profiles[a] if 0 <= a < len(self.profiles) else a}"
        if kind in (L.O_MOVE, L.O_ATTACK_MOVE):
            return f"{name.replace('_', '-')} to ({a}, {b})"
        if kind == L.O_FORTIFY:
            return "fortify all buildings"
        if kind in (L.O_FOLLOW, L.O_ATTACK):
            return f"{name} {self.leader(a - L.SLOT_LEADER0) if L.SLOT_LEADER0 <= a < L.SLOT_SUMMON0 else f'unit {a}'}"
        return name
