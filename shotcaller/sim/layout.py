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
# The default plan's lanes by pick (leader 0..4 of a team): 2-1-2, the third pick in the middle
DEFAULT_LANES = (0, 0, 1, 2, 2)

# Unit kinds
K_NONE, K_LEADER, K_CREEP, K_TREANT, K_ELEPHANT, K_TOWER, K_BARRACKS, K_CORE = range(8)
KIND_NAMES = ("none", "leader", "creep", "treant", "elephant", "tower", "barracks", "core")

# Slot layout
N_BLD = 13  # per team: sub 0 the core, 1..3 the barracks of lanes 0..2, 4 + 3 lane + tier the towers

# Names of lanes, tower tiers and building slots (one vocabulary for bots, timelines and frontends)
LANE_NAMES = ("left", "mid", "right")  # lane 0, 1, 2 (x grows to the right; blue at the bottom)
TIER_NAMES = ("outer", "inner", "base")  # tower tier 0 (the first a wave meets), 1, 2


def building_name(slot: int) -> str:
    """``"mid outer tower"``, ``"left barracks"`` or ``"core"`` for building slot 0..25 (either team)."""
    sub = slot % N_BLD
    if sub == 0:
        return "core"
    if sub < 4:
        return f"{LANE_NAMES[sub - 1]} barracks"
    lane_, tier = divmod(sub - 4, 3)
    return f"{LANE_NAMES[lane_]} {TIER_NAMES[tier]} tower"


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
O_FORTIFY = 16  # the team's: every own building takes no damage for fortify_s (leader ignored, no arguments)
O_ATTACK = 17  # micro: a = unit slot of a visible enemy; attack it (chasing it) while it lives and is seen
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
    "fortify",
    "attack",
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
R_PENDING = 18
R_INVULNERABLE = 19
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
    "already ordered: the same team order is waiting out its latency",
    "target cannot be damaged now (a building under the protection order)",
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
E_FORTIFY = 14  # a team, b tick its buildings' fortification ends
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
    "fortify",
)

# Damage kinds
D_MELEE, D_RANGED, D_SKILL, D_REFLECT, D_DOT = range(5)

# The one "none" sentinel of every index field (unit slot, leader, skill, item, lane-path index) and
# of the "not set" ticks (respawn_at, end_tick) and codes (winner, end_reason): -1. Every real value is
# >= 0, so kernels may also test ``x < 0`` / ``x >= 0``; they assign and return NONE.
NONE = -1
# A tick that never comes (the int32 maximum): "no effect expires", "not until it dies".
NEVER = 2147483647
# A tick long past (before any tick 0 minus any window the rules use): "never happened".
LONG_AGO = -1000000

# Records (one NumPy structured dtype per table; docs/state.md describes every field in prose).
# Ticks are absolute game ticks (``games.tick``); "slot" is a unit slot (see the module docstring);
# "leader" is a global leader index 0..9 (blue 0..4, red 5..9) unless it says "within the team".

# One unit (building, leader, summon or creep) per slot: (B, U). Hot fields first (read by every phase,
# within the first 64 bytes), cold ones (base stats) last; 128 bytes per unit.
UNIT_DTYPE = np.dtype(
    [
        ("alive", "i1"),  # 1 while the slot holds a living unit (a dead slot keeps its last values)
        ("kind", "i1"),  # K_* unit kind
        ("team", "i1"),  # BLUE 0 or RED 1
        ("invuln", "i1"),  # 1: cannot be damaged or targeted (buildings under the protection order)
        ("dirty", "i1"),  # 1: effective stats must be recomputed (effects, items, souls changed)
        ("ranged", "i1"),  # 1: its attacks fly as projectiles (ranged leaders, units of range over 2; not towers)
        ("lane", "i1"),  # lane 0..2 it walks (creeps), fights in (leaders) or stands in (buildings)
        ("sub", "i1"),  # buildings: index within the team (0 core, 1..3 barracks, 4 + 3 * lane + tier towers)
        ("x", "i2"),  # tile column
        ("y", "i2"),  # tile row
        ("goal_x", "i2"),  # tile it walks toward when it has no target out of range
        ("goal_y", "i2"),  # (goal_x, goal_y): the goal tile
        ("target", "i2"),  # slot it attacks, or NONE
        ("owner", "i2"),  # leader credited with its damage and kills (itself, a summon's leader), or NONE
        ("hp", "f4"),  # health; <= 0 while dying this tick
        ("max_hp", "f4"),  # effective maximum health
        ("attack_range", "f4"),  # effective attack range in tiles
        ("refill", "f4"),  # effective movement points gained per tick (content: refill_per_s)
        ("move_points", "f4"),  # movement points banked (a step costs 100 / 141; may go negative)
        ("dot", "f4"),  # damage over time taken per tick (sum of ST_DOT effects; content: damage_per_s)
        ("atk", "f4"),  # effective attack (damage per hit before the target's defense)
        ("dfn", "f4"),  # effective defense (subtracted from each hit)
        ("aspd", "f4"),  # effective attack speed (attacks per 10 s)
        ("next_attack", "i4"),  # tick from which its next attack is ready
        ("stun_until", "i4"),  # stunned (no move, no attack, no cast) while tick < this
        ("root_until", "i4"),  # rooted (no move) while tick < this
        ("next_expire", "i4"),  # earliest tick one of its effects expires (NEVER if none): stats refresh then
        ("path_index", "i2"),  # creeps: index of the lane-path tile reached
        ("last_attacker", "i2"),  # slot that damaged it last, or NONE (kill credit)
        ("last_attacker_leader", "i2"),  # that unit's owner leader, or NONE (bounty)
        ("cover", "i2"),  # towers: enemy creeps and summons in range at the last scan
        ("gold_mult", "f4"),  # leaders: gold gain multiplier (GreedyTouch)
        ("aggro_tick", "i4"),  # leaders: last tick it attacked an enemy leader (tower aggro), LONG_AGO if never
        ("spawn_tick", "i4"),  # tick it was spawned or respawned
        ("base_hp", "f4"),  # base stats before effects and items: health,
        ("base_atk", "f4"),  # attack,
        ("base_def", "f4"),  # defense,
        ("base_as", "f4"),  # attack speed,
        ("base_range", "f4"),  # attack range,
        ("base_refill", "f4"),  # movement refill per tick (content: refill_per_s / ticks_per_second)
        ("threat", "f4"),  # buildings: visible enemy leaders near it plus a fraction per enemy creep (last scan)
        ("backdoor_pool", "f4"),  # buildings: damage taken under backdoor protection, still to regenerate
        ("backdoor", "i4"),  # buildings: 1 while backdoor protection is on (no enemy lane creep near)
    ],
    align=True,
)

# One leader's coach-facing and skill state: (B, 10), leader li is unit slot SLOT_LEADER0 + li.
# An order's arguments (a, b) are the O_* arguments documented above.
LEADER_DTYPE = np.dtype(
    [
        ("hero", "i1"),  # content leader id (Content.leader_names) drafted into this seat
        ("team", "i1"),  # BLUE 0 or RED 1
        ("idx", "i1"),  # index within the team 0..4 (the ``leader`` argument of orders)
        ("profile", "i1"),  # leader AI profile id (Content.profile_names)
        ("stance", "i1"),  # 0 aggressive, 1 balanced, 2 careful
        ("mode", "i1"),  # M_NORMAL, M_RETREAT (walking home) or M_CHANNEL (teleporting)
        ("order", "i1"),  # the coach order it carries out (O_LANE..O_RETREAT)
        ("prev_order", "i1"),  # the order to return to after a retreat or gank
        ("micro", "i1"),  # active micro order (O_MOVE..O_HOLD, O_ATTACK), 0 when none overrides the coach order
        ("stolen_life", "i1"),  # 1 once SpellSteal has stolen a skill this life
        ("build_next", "i1"),  # index of the next item of its build list (4: list done)
        ("pad", "i1"),  # alignment (always 0)
        ("slot", "i2"),  # its unit slot
        ("order_a", "i2"),  # argument a of ``order``
        ("order_b", "i2"),  # argument b of ``order``
        ("prev_a", "i2"),  # argument a of ``prev_order``
        ("prev_b", "i2"),  # argument b of ``prev_order``
        ("micro_a", "i2"),  # argument a of ``micro`` (x, or the followed or attacked slot)
        ("micro_b", "i2"),  # argument b of ``micro`` (y)
        ("channel_target", "i2"),  # teleport destination building slot, or NONE
        ("skills", "i2", (3,)),  # skill ids: its two own, then the stolen one (NONE if none)
        ("streak_target", "i2"),  # AttackSpeedIncrease: slot it attacks consecutively, or NONE
        ("streak", "i2"),  # AttackSpeedIncrease: consecutive-attack stacks on it
        ("souls", "i2"),  # StealSoul: souls collected
        ("back_def", "i2"),  # BackEndurance: defense bonus earned from hits received this life
        ("gold", "f4"),  # gold to spend
        ("gold_total", "f4"),  # gold earned over the match
        ("damage", "f4"),  # damage dealt over the match (its summons' included)
        ("kills", "i4"),  # leader kills
        ("deaths", "i4"),  # times it died
        ("last_hits", "i4"),  # creeps last-hit
        ("respawn_at", "i4"),  # tick it respawns while dead; NONE while alive (or dead for good in a scenario)
        ("teleport_ready_at", "i4"),  # tick its teleport cooldown ends
        ("channel_until", "i4"),  # tick its teleport channel completes (read in M_CHANNEL; NONE after a death)
        ("skill_ready_at", "i4", (3,)),  # tick each skill slot's cooldown ends
        ("atk_count", "i4"),  # attacks made this life (DoubleDamage's every-n-th)
        ("recv_atk", "i4"),  # attacks received this life while it has ReturnAOE (every n-th returns)
        ("recv_hits", "i4"),  # attacks received this life (BackEndurance)
        ("summon_ready", "i4"),  # NatureSummon: tick the next treant may come
        ("elephant_ready", "i4"),  # ElephantSummon: tick the elephant may come (NEVER while it lives)
        ("gank_seen", "i4"),  # gank order: last tick the target was seen (given up 3 s later)
        ("defending", "i4"),  # leader AI: own building slot it is answering a threat to, or NONE
        ("defend_seen", "i4"),  # leader AI: last tick the lane it defends was under threat
    ],
    align=True,
)

# Timed stat modifiers ("effectors"): (B, U, E), E = SimConfig.max_effects per unit.
EFFECT_DTYPE = np.dtype(
    [
        ("key", "i2"),  # what applied it (skill / item key; 0 = free entry); one entry per key
        ("src", "i2"),  # slot of the unit that applied it (damage-over-time credit)
        ("stat", "i1"),  # ST_* stat it modifies
        ("op", "i1"),  # OP_ADD, OP_MUL or OP_ADDMUL
        ("pad", "i2"),  # alignment (always 0)
        ("val", "f4"),  # the amount (added, or the multiplier)
        ("until", "i4"),  # expires at this tick
    ],
    align=True,
)

# Projectiles in flight: (B, PR), PR = SimConfig.max_projectiles.
PROJ_DTYPE = np.dtype(
    [
        ("alive", "i1"),  # 1 while in flight
        ("kind", "i1"),  # unused, always 0
        ("pad", "i2"),  # alignment (always 0)
        ("src", "i2"),  # slot of the shooter
        ("dst", "i2"),  # slot of the target
        ("owner", "i2"),  # shooter's owner leader (NONE for none)
        ("team", "i2"),  # shooter's team
        ("x", "f4"),  # position in tiles (fractional)
        ("y", "f4"),  # tiles below the map's mid-line (height - 1) / 2: mirrored flights are exact negatives
        ("dmg", "f4"),  # damage it deals on arrival (fixed at launch)
    ],
    align=True,
)

# Per-team counters: (B, 2).
TEAM_DTYPE = np.dtype(
    [
        ("orders_given", "i4"),  # orders accepted
        ("orders_rejected", "i4"),  # orders refused (a reason event each)
        ("buildings_lost", "i4"),  # own buildings destroyed (the "buildings" tie-break)
        ("kills", "i4"),  # enemy leaders killed
        ("apm_pos", "i4"),  # next position in the games.apm ring
        ("seq", "i4"),  # sequence number of the next accepted order (application order)
        ("fortify_until", "i4"),  # its buildings take no damage while tick < this (fortify order)
        ("fortify_ready_at", "i4"),  # tick its fortify cooldown ends (the next fortify may take effect)
    ],
    align=True,
)

# Per-game scalars (the first fields of the game record, see state.game_dtype): (B,).
GAME_DTYPE = np.dtype(
    [
        ("tick", "i4"),  # ticks simulated so far
        ("done", "i1"),  # 1 once the match is over
        ("winner", "i1"),  # 0 blue, 1 red, 2 draw; NONE while running
        ("end_reason", "i1"),  # 0 a core fell, 1 time limit; NONE while running
        ("pad", "i1"),  # alignment (always 0)
        ("end_tick", "i4"),  # tick count when it ended, NONE while running
        ("next_wave", "i4"),  # tick of the next creep wave
        ("n_events", "i4"),  # scratch: events written by this step call
        ("dropped", "i4"),  # scratch: events lost to a full buffer in this step call
        ("episode", "i4"),  # matches started in this game slot (autoreset counts up)
        ("n_react", "i4"),  # scratch: queued reactions
        ("n_live", "i4"),  # scratch: length of the live list
        ("n_proj", "i4"),  # projectiles in flight
        ("n_pending", "i4"),  # orders waiting out their latency
        ("n_dot", "i4"),  # units taking damage over time (0 skips the dot phase)
        ("seed", "i8"),  # the match's seed
        ("rng_state", "u8"),  # the match's splitmix64 generator state
    ],
    align=True,
)

# Orders waiting out their latency: (B, 2, Q) per team, Q = SimConfig.order_queue.
PENDING_DTYPE = np.dtype(
    [
        ("used", "i1"),  # 1: this queue entry holds an order
        ("leader", "i1"),  # leader within the team 0..4, or NONE for the whole team
        ("kind", "i1"),  # O_* order kind
        ("pad", "i1"),  # alignment (always 0)
        ("a", "i4"),  # order arguments (see O_*)
        ("b", "i4"),  # (a, b): the order's arguments
        ("due", "i4"),  # tick it applies
        ("seq", "i4"),  # acceptance number: due orders apply in this order
    ],
    align=True,
)

# Reactions queued within a tick (reflects, thorns): (B, RQ) scratch, RQ = SimConfig.react_capacity.
REACT_DTYPE = np.dtype(
    [
        ("kind", "i4"),  # RX_* reaction
        ("src", "i4"),  # slot of the leader whose skill reacts
        ("dst", "i4"),  # slot it hits (ReturnDamage), or NONE for an area
        ("amount", "f4"),  # damage (ReturnDamage)
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
# Columns of Tables.skill_p (content's SKILL_KEYS; cooldown and duration in ticks, damage_per_s per tick there)
SP_RADIUS, SP_COOLDOWN, SP_DURATION, SP_DAMAGE, SP_VALUE, SP_COUNT, SP_MAX, SP_DAMAGE_PER_TICK = range(8)
# Columns of unit/hero stats (content's STAT_KEYS; refill per tick in the tables)
S_HP, S_ATK, S_DEF, S_AS, S_RANGE, S_REFILL = range(6)
# Rows of Tables.unit_stats
UK_CREEP, UK_TREANT, UK_ELEPHANT, UK_TOWER, UK_BARRACKS, UK_CORE, UK_MELEE, UK_RANGED = range(8)
# Columns of Tables.item_mods and item effects
IM_ATK, IM_DEF, IM_HP, IM_AS, IM_MOVE, IM_RANGE = range(6)
IE_NONE, IE_COFFEE, IE_HEAL, IE_TELEPORT = range(4)
# Columns of Tables.prof
(
    PF_RETREAT,
    PF_RESUME,
    PF_AGGRESSION,
    PF_FARM,
    PF_PUSH,
    PF_RISK,
    PF_CHASE,
    PF_SHOP,
    PF_DEFEND_THREAT,
    PF_DEFEND_RANGE,
    PF_TELEPORT_THREAT,
    PF_DEFEND_HOLD,
    PF_PUSH_WHEN_DEAD,
) = range(13)
# Kind bit masks for spatial queries
KM_LEADER = 1 << K_LEADER
KM_CREEP = 1 << K_CREEP
KM_SUMMON = (1 << K_TREANT) | (1 << K_ELEPHANT)
KM_BUILDING = (1 << K_TOWER) | (1 << K_BARRACKS) | (1 << K_CORE)
KM_MOBILE = KM_LEADER | KM_CREEP | KM_SUMMON
KM_ALL = KM_MOBILE | KM_BUILDING
GRID_CELL = 8
