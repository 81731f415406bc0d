"""Struct-of-arrays layout of the simulation: record dtypes, slot layout and enumerations.

Every state array has a leading game axis B. Units live in fixed slots with an ``alive`` flag:

* slots 0..25: buildings, 13 per team (``team * 13 + sub``; sub 0 core, 1..3 barracks by lane,
  4 + 3 * lane + tier towers, tier 0 the outermost);
* slots 26..35: leaders (``26 + team * 5 + i``);
* slots 36..65: summons, 3 per leader (``36 + 3 * leader + k``);
* slots 66..: creeps, ``max_creeps`` per team.
"""

from __future__ import annotations

import numpy as np

# Teams
BLUE, RED = 0, 1
DRAFT_ORDER = (0, 1, 1, 0, 0, 1, 1, 0, 0, 1)  # who picks at each draft step: A-B-B-A-A-B-B-A-A-B, A = blue (0)
TEAM_NAMES = ("blue", "red")

# Unit kinds
K_NONE, K_LEADER, K_CREEP, K_TREANT, K_ELEPHANT, K_TOWER, K_BARRACKS, K_CORE = range(8)
KIND_NAMES = ("none", "leader", "creep", "treant", "elephant", "tower", "barracks", "core")

# Slot layout
N_BLD = 13  # per team
SLOT_LEADER0 = 26
SLOT_SUMMON0 = 36
SUMMONS_PER_LEADER = 3
SLOT_CREEP0 = 66

# Stats of effectors
ST_ATK, ST_DEF, ST_AS, ST_MOVE, ST_RANGE, ST_HP, ST_GOLD, ST_DOT = range(8)
OP_ADD, OP_MUL, OP_ADDMUL = range(3)

# Orders (kind codes); a/b arguments in comments
O_NONE = 0
O_LANE = 1  # a = lane 0..2
O_PUSH = 2  # a = lane
O_DEFEND = 3  # a = lane
O_GANK = 4  # a = enemy leader, global index 0..9
O_GROUP = 5  # a = x, b = y
O_RETREAT = 6
O_BUY = 7  # a = item id
O_TELEPORT = 8  # a = own building slot 0..25 (team * 13 + sub)
O_STANCE = 9  # a = 0 aggressive, 1 balanced, 2 careful
O_MOVE = 10  # micro: a = x, b = y
O_ATTACK_MOVE = 11  # micro: a = x, b = y
O_FOLLOW = 12  # micro: a = unit slot
O_HOLD = 13  # micro
O_STOP = 14  # micro: back to the coach order
O_PROFILE = 15  # a = leader AI profile id (content.profile_names); not a micro order
ORDER_NAMES = (
    "none",
    "lane",
    "push",
    "defend",
    "gank",
    "group",
    "retreat",
    "buy",
    "teleport",
    "stance",
    "move",
    "attack_move",
    "follow",
    "hold",
    "stop",
    "profile",
)
N_ORDER_KINDS = len(ORDER_NAMES)
STANCE_NAMES = ("aggressive", "balanced", "careful")

# Rejection reasons
R_OK = 0
R_UNKNOWN_ORDER = 1
R_WRONG_TEAM = 2
R_DEAD_LEADER = 3
R_BAD_LANE = 4
R_BAD_COORDS = 5
R_UNKNOWN_ITEM = 6
R_NOT_ENOUGH_GOLD = 7
R_INVENTORY_FULL = 8
R_NOT_VISIBLE = 9
R_COOLDOWN = 10
R_BAD_TARGET = 11
R_APM = 12
R_MICRO_DISABLED = 13
R_QUEUE_FULL = 14
R_BAD_ARGUMENT = 15
R_GAME_OVER = 16
R_BAD_LEADER = 17
REJECT_REASONS = (
    "ok",
    "unknown order kind",
    "wrong team",
    "leader is dead",
    "lane must be 0, 1 or 2",
    "coordinates are off the map or not floor",
    "unknown item",
    "not enough gold",
    "inventory full",
    "target is not visible to your team",
    "on cooldown",
    "target does not exist or is destroyed",
    "APM budget exhausted for this minute",
    "micro orders are disabled in this match",
    "order queue full",
    "bad argument",
    "the match is over",
    "leader index must be -1 (whole team) or 0..4",
)

# Leader AI modes
M_NORMAL, M_RETREAT, M_CHANNEL = 0, 1, 2

# Events: (tick, kind, a, b, c, d)
E_KILL = 1  # a victim slot, b killer slot (-1), c killer leader (-1), d victim kind
E_BUILDING = 2  # a team that lost it, b sub index, c slot
E_ORDER_OK = 3  # a team, b leader (-1 all), c kind, d due tick
E_ORDER_REJECTED = 4  # a team, b leader, c kind, d reason
E_PURCHASE = 5  # a leader (global 0..9), b item
E_PURCHASE_FAILED = 6  # a leader, b item, c reason
E_SKILL = 7  # a unit slot, b skill id, c target slot
E_RESPAWN = 8  # a leader
E_GAME_OVER = 9  # a winner (0 blue, 1 red, 2 draw), b reason (0 core, 1 time limit)
E_TELEPORT = 10  # a leader, b building sub
E_SPAWN_SKIPPED = 11  # a team, b lane (no free creep slot)
E_ITEM_USED = 12  # a leader, b item
E_ORDER_APPLIED = 13  # a team, b leader, c kind
EVENT_NAMES = (
    "none",
    "kill",
    "building_destroyed",
    "order_accepted",
    "order_rejected",
    "purchase",
    "purchase_failed",
    "skill",
    "respawn",
    "game_over",
    "teleport",
    "spawn_skipped",
    "item_used",
    "order_applied",
)

# Damage kinds
D_MELEE, D_RANGED, D_SKILL, D_REFLECT, D_DOT = range(5)

# hot fields first (read by every phase, within the first 64 bytes), cold ones (base stats) last;
# 128 bytes per unit
UNIT_DTYPE = np.dtype(
    [
        ("alive", "i1"),
        ("kind", "i1"),
        ("team", "i1"),
        ("invuln", "i1"),
        ("dirty", "i1"),
        ("ranged", "i1"),
        ("lane", "i1"),
        ("sub", "i1"),
        ("x", "i2"),
        ("y", "i2"),
        ("tx", "i2"),
        ("ty", "i2"),
        ("target", "i2"),
        ("owner", "i2"),
        ("hp", "f4"),
        ("max_hp", "f4"),
        ("rng", "f4"),
        ("refill", "f4"),
        ("mpts", "f4"),
        ("dot", "f4"),
        ("atk", "f4"),
        ("dfn", "f4"),
        ("aspd", "f4"),
        ("next_attack", "i4"),
        ("stun_until", "i4"),
        ("root_until", "i4"),
        ("next_expire", "i4"),
        ("wp", "i2"),
        ("last_by", "i2"),
        ("last_by_owner", "i2"),
        ("cover", "i2"),
        ("gold_mult", "f4"),
        ("aggro_tick", "i4"),
        ("spawn_tick", "i4"),
        ("base_hp", "f4"),
        ("base_atk", "f4"),
        ("base_def", "f4"),
        ("base_as", "f4"),
        ("base_range", "f4"),
        ("base_refill", "f4"),
        ("pad", "i4", (3,)),
    ],
    align=True,
)

LEADER_DTYPE = np.dtype(
    [
        ("hero", "i1"),
        ("team", "i1"),
        ("idx", "i1"),
        ("profile", "i1"),
        ("stance", "i1"),
        ("mode", "i1"),
        ("order", "i1"),
        ("prev", "i1"),
        ("micro", "i1"),
        ("stolen_life", "i1"),
        ("build_next", "i1"),
        ("pad", "i1"),
        ("slot", "i2"),
        ("oa", "i2"),
        ("ob", "i2"),
        ("pa", "i2"),
        ("pb", "i2"),
        ("ma", "i2"),
        ("mb", "i2"),
        ("chan_target", "i2"),
        ("sk0", "i2"),
        ("sk1", "i2"),
        ("sk2", "i2"),
        ("cons_target", "i2"),
        ("cons_n", "i2"),
        ("souls", "i2"),
        ("back_def", "i2"),
        ("gold", "f4"),
        ("gold_total", "f4"),
        ("damage", "f4"),
        ("kills", "i4"),
        ("deaths", "i4"),
        ("last_hits", "i4"),
        ("respawn_at", "i4"),
        ("tp_ready", "i4"),
        ("chan_until", "i4"),
        ("cd0", "i4"),
        ("cd1", "i4"),
        ("cd2", "i4"),
        ("atk_count", "i4"),
        ("recv_atk", "i4"),
        ("recv_hits", "i4"),
        ("summon_ready", "i4"),
        ("eleph_ready", "i4"),
        ("gank_seen", "i4"),
        ("decide_tick", "i4"),
    ],
    align=True,
)

EFFECT_DTYPE = np.dtype(
    [
        ("key", "i2"),
        ("src", "i2"),
        ("stat", "i1"),
        ("op", "i1"),
        ("pad", "i2"),
        ("val", "f4"),
        ("until", "i4"),
    ],
    align=True,
)

PROJ_DTYPE = np.dtype(
    [
        ("alive", "i1"),
        ("kind", "i1"),
        ("pad", "i2"),
        ("src", "i2"),
        ("dst", "i2"),
        ("owner", "i2"),
        ("team", "i2"),
        ("x", "f4"),
        ("y", "f4"),
        ("dmg", "f4"),
    ],
    align=True,
)

TEAM_DTYPE = np.dtype(
    [
        ("orders_given", "i4"),
        ("orders_rejected", "i4"),
        ("buildings_lost", "i4"),
        ("kills", "i4"),
        ("apm_pos", "i4"),
        ("seq", "i4"),
    ],
    align=True,
)

GAME_DTYPE = np.dtype(
    [
        ("tick", "i4"),
        ("done", "i1"),
        ("winner", "i1"),
        ("end_reason", "i1"),
        ("pad", "i1"),
        ("end_tick", "i4"),
        ("next_wave", "i4"),
        ("n_events", "i4"),
        ("dropped", "i4"),
        ("episode", "i4"),
        ("n_react", "i4"),
        ("n_live", "i4"),
        ("n_proj", "i4"),
        ("n_pending", "i4"),
        ("n_dot", "i4"),
        ("seed", "i8"),
        ("rng", "u8"),
    ],
    align=True,
)

PENDING_DTYPE = np.dtype(
    [
        ("used", "i1"),
        ("leader", "i1"),
        ("kind", "i1"),
        ("pad", "i1"),
        ("a", "i4"),
        ("b", "i4"),
        ("due", "i4"),
        ("seq", "i4"),
    ],
    align=True,
)

REACT_DTYPE = np.dtype(
    [
        ("kind", "i4"),
        ("src", "i4"),
        ("dst", "i4"),
        ("amount", "f4"),
    ],
    align=True,
)

# Reaction kinds (queued effects resolved within the tick)
RX_RETURN_DAMAGE, RX_THORNS, RX_RETURN_AOE = 1, 2, 3


def n_units(max_creeps: int) -> int:
    """Total unit slots for ``max_creeps`` creep slots per team."""
    return SLOT_CREEP0 + 2 * max_creeps


# Skill ids (order of shotcaller.content.SKILL_NAMES)
(
    SK_DOUBLE_DAMAGE,
    SK_CLEAVE,
    SK_ATTACK_SPEED_INCREASE,
    SK_SLOW_AOE,
    SK_NATURE_SUMMON,
    SK_ROOT,
    SK_ELEPHANT_SUMMON,
    SK_SAVAGERY,
    SK_RETURN_AOE,
    SK_BATTLE_HUNGER,
    SK_RETURN_DAMAGE,
    SK_BATTLE_CALL,
    SK_GREEDY_TOUCH,
    SK_AIR_CORROSION,
    SK_SPELL_STEAL,
    SK_TELEKINESIS,
    SK_STEAL_SOUL,
    SK_DARK_PRESENCE,
    SK_THORN_VOLLEY,
    SK_BACK_ENDURANCE,
) = range(20)
# Columns of Tables.skill_p
SP_RADIUS, SP_COOLDOWN, SP_DURATION, SP_DAMAGE, SP_VALUE, SP_COUNT, SP_MAX = range(7)
# Columns of unit/hero stats
S_HP, S_ATK, S_DEF, S_AS, S_RANGE, S_REFILL = range(6)
# Rows of Tables.unit_stats
UK_CREEP, UK_TREANT, UK_ELEPHANT, UK_TOWER, UK_BARRACKS, UK_CORE, UK_MELEE, UK_RANGED = range(8)
# Columns of Tables.item_mods and item effects
IM_ATK, IM_DEF, IM_HP, IM_AS, IM_MOVE, IM_RANGE = range(6)
IE_NONE, IE_COFFEE, IE_HEAL, IE_TELEPORT = range(4)
# Columns of Tables.prof
PF_RETREAT, PF_RESUME, PF_AGGRESSION, PF_FARM, PF_PUSH, PF_RISK, PF_CHASE, PF_SHOP = range(8)
# Kind bit masks for spatial queries
KM_LEADER = 1 << K_LEADER
KM_CREEP = 1 << K_CREEP
KM_SUMMON = (1 << K_TREANT) | (1 << K_ELEPHANT)
KM_BUILDING = (1 << K_TOWER) | (1 << K_BARRACKS) | (1 << K_CORE)
KM_MOBILE = KM_LEADER | KM_CREEP | KM_SUMMON
KM_ALL = KM_MOBILE | KM_BUILDING
GRID_CELL = 8
