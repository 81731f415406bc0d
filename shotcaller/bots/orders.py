"""Build orders by name: ``lane(1)``, ``push(2, leader=0)``, ``buy("Iron Sword", info, leader=3)``.

Each helper returns the tuple ``(leader, kind, a, b)`` a coach returns from ``act``; ``leader`` is
0..4, or -1 (the default) for the whole team. See ``docs/orders.md``.
"""

from __future__ import annotations

from shotcaller.bots.base import MatchInfo, Order
from shotcaller.sim import layout as L


def lane(lane_: int, leader: int = -1) -> Order:
    """Farm and hold lane 0, 1 or 2."""
    return (leader, L.O_LANE, lane_, 0)


def push(lane_: int, leader: int = -1) -> Order:
    """Push lane 0, 1 or 2 to its next building."""
    return (leader, L.O_PUSH, lane_, 0)


def defend(lane_: int, leader: int = -1) -> Order:
    """Guard the own buildings of lane 0, 1 or 2."""
    return (leader, L.O_DEFEND, lane_, 0)


def gank(enemy: int, leader: int = -1) -> Order:
    """Hunt enemy leader ``enemy`` (global index 0..9; see ``view["enemy_leaders"][i]["index"]``)."""
    return (leader, L.O_GANK, enemy, 0)


def group(x: int, y: int, leader: int = -1) -> Order:
    """Gather at tile (x, y)."""
    return (leader, L.O_GROUP, x, y)


def retreat(leader: int = -1) -> Order:
    """Go home, heal to full, shop, then resume."""
    return (leader, L.O_RETREAT, 0, 0)


def buy(item: str | int, info: MatchInfo, leader: int = -1) -> Order:
    """Queue a purchase by item name (or id)."""
    it = item if isinstance(item, int) else info.world.content.item_id(item)
    return (leader, L.O_BUY, it, 0)


def teleport(building_slot: int, leader: int = -1) -> Order:
    """Teleport to an own building (slot 0..25, see ``view["buildings"]``)."""
    return (leader, L.O_TELEPORT, building_slot, 0)


def stance(name: str, leader: int = -1) -> Order:
    """``"aggressive"``, ``"balanced"`` or ``"careful"``."""
    return (leader, L.O_STANCE, L.STANCE_NAMES.index(name), 0)


def profile(name: str | int, info: MatchInfo, leader: int = -1) -> Order:
    """Switch the leader AI profile (``"standard"``, ``"aggressive"``, ``"careful"``, ``"farmer"`` or a
    custom one loaded with the content) by name or id."""
    pid = name if isinstance(name, int) else info.world.content.profile_id(name)
    return (leader, L.O_PROFILE, pid, 0)
