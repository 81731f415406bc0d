"""Build orders by name: ``lane(1)``, ``push(2, leader=0)``, ``buy("Iron Sword", info, leader=3)``.

Each helper returns an :class:`~shotcaller.bots.base.Order`, the tuple ``(leader, kind, a, b)`` a coach
returns from ``act``; ``leader`` is 0..4, or -1 (the default) for the whole team, and ``why`` is an
optional short reason kept in the replay and shown in the match timeline (``fortify`` is the team's
and takes no leader). See ``docs/orders.md``.
"""

from __future__ import annotations

from shotcaller.bots.base import MatchInfo, Order
from shotcaller.sim import layout as L


def lane(lane_: int, leader: int = -1, why: str | None = None) -> Order:
    """Farm and hold lane 0, 1 or 2."""
    return Order(leader, L.O_LANE, lane_, 0, why=why)


def push(lane_: int, leader: int = -1, why: str | None = None) -> Order:
    """Push lane 0, 1 or 2 to its next building."""
    return Order(leader, L.O_PUSH, lane_, 0, why=why)


def defend(lane_: int, leader: int = -1, why: str | None = None) -> Order:
    """Defend the outermost own building of lane 0, 1 or 2 as the leader AI answers a threat (hold
    behind the own wave, clear the enemy creeps there first, wait behind it when outnumbered, teleport in
    from far away when the threat is large; docs/rules.md, "Defence")."""
    return Order(leader, L.O_DEFEND, lane_, 0, why=why)


def gank(enemy: int, leader: int = -1, why: str | None = None) -> Order:
    """Hunt enemy leader ``enemy`` (global index 0..9; see ``view["enemy_leaders"][i]["index"]``)."""
    return Order(leader, L.O_GANK, enemy, 0, why=why)


def group(x: int, y: int, leader: int = -1, why: str | None = None) -> Order:
    """Gather at tile (x, y)."""
    return Order(leader, L.O_GROUP, x, y, why=why)


def retreat(leader: int = -1, why: str | None = None) -> Order:
    """Go home, heal to full, shop, then resume."""
    return Order(leader, L.O_RETREAT, 0, 0, why=why)


def buy(item: str | int, info: MatchInfo, leader: int = -1, why: str | None = None) -> Order:
    """Queue a purchase by item name (or id)."""
    it = item if isinstance(item, int) else info.world.content.item_id(item)
    return Order(leader, L.O_BUY, it, 0, why=why)


def teleport(building_slot: int, leader: int = -1, why: str | None = None) -> Order:
    """Teleport to an own building (slot 0..25, see ``view["buildings"]``)."""
    return Order(leader, L.O_TELEPORT, building_slot, 0, why=why)


def stance(name: str, leader: int = -1, why: str | None = None) -> Order:
    """``"aggressive"``, ``"balanced"`` or ``"careful"``."""
    return Order(leader, L.O_STANCE, L.STANCE_NAMES.index(name), 0, why=why)


def profile(name: str | int, info: MatchInfo, leader: int = -1, why: str | None = None) -> Order:
    """Switch the leader AI profile (``"standard"``, ``"aggressive"``, ``"careful"``, ``"farmer"`` or a
    custom one loaded with the content) by name or id."""
    pid = name if isinstance(name, int) else info.world.content.profile_id(name)
    return Order(leader, L.O_PROFILE, pid, 0, why=why)


def fortify(why: str | None = None) -> Order:
    """Fortify every own building (towers, barracks, core): no damage for ``orders.fortify_s`` seconds,
    then ``orders.fortify_cooldown_s`` seconds (from when it took effect) until the next one. The team's
    order: ``view["fortify"]`` says when it is ready."""
    return Order(-1, L.O_FORTIFY, 0, 0, why=why)
