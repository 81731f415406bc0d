"""What a micro agent reads and chooses: one leader steered every tick. Compiled, batched.

The micro mode of :mod:`shotcaller.envs` has ten agents per game (``blue_0 .. red_4``, agent ``k`` is
global leader ``k``). Each tick every agent picks one of ``N_ACTIONS`` actions; :func:`micro_step` turns
them into the engine's orders, advances every game by one tick and writes each agent's observation,
action mask, reward and episode end into preallocated arrays, all in one compiled call.

**Mirroring.** The map is mirror-symmetric (row y <-> H - 1 - y). Red's view is flipped vertically
and so are its directions: for both teams "north" (action 1) points at the enemy base and the own
base is at the bottom of the crop, so one policy can play either side.

**Actions** (``ACTION_NAMES``): 0 the coach plan (``stop`` when a micro order is active, else no
order); 1-8 ``move`` one tile north, north-east, ... north-west; 9-16 ``attack_move`` up to
``ATTACK_MOVE_TILES`` tiles that way (to the farthest floor tile in a straight line); 17 ``hold``;
18 .. 18 + K - 1 ``attack`` target k of the observation's target list (the K nearest enemy units
the team sees within ``TARGET_RADIUS`` that can be damaged, nearest first).

**Masks** are the engine's own validation (:func:`shotcaller.sim.orders.validate`) of the order each
action resolves to now, so a masked action is exactly one the engine would refuse. Action 0 is always
allowed (it gives ``stop`` only when that is valid: a living leader with a micro order).

**Observation** of agent k (float32 in [0, 1] except ``dx``/``dy`` of targets in [-1, 1]), flat:
``crop`` (C, S, S) centred on the leader (``CROP_PLANES``, S = 2 * ``CROP_RADIUS`` + 1; fog of war:
enemy units only where the team sees them, enemy buildings as last seen), then ``SELF_COLUMNS``,
``TEAM_COLUMNS`` and ``TARGET_COLUMNS`` for each of the K target slots.
"""

from __future__ import annotations

from collections import namedtuple

import numba as nb
import numpy as np

from shotcaller.sim._jit import entry, kernel
from shotcaller.sim.encode import COACH_ORDERS, game_score, offsets, width
from shotcaller.sim.kernels import run_game
from shotcaller.sim.layout import (
    E_ORDER_REJECTED,
    K_BARRACKS,
    K_CORE,
    K_CREEP,
    K_ELEPHANT,
    K_LEADER,
    K_TOWER,
    K_TREANT,
    M_CHANNEL,
    M_RETREAT,
    N_BLD,
    NONE,
    O_ATTACK,
    O_ATTACK_MOVE,
    O_FOLLOW,
    O_HOLD,
    O_MOVE,
    O_NONE,
    O_STOP,
    R_OK,
    SLOT_LEADER0,
)
from shotcaller.sim.orders import validate

# ---------------------------------------------------------------------------- actions
N_TARGETS = 8  # K: attack slots
TARGET_RADIUS = 7.0  # tiles: enemies farther away are not listed
ATTACK_MOVE_TILES = 4  # how far an attack-move aims
DIRECTIONS = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
# (dx, dy) of each direction for blue (row 0 is the top of the map, red's base); red's dy is negated
DIR_XY = np.array([[0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1]], np.int64)
A_PLAN, A_MOVE0, A_ATTACK_MOVE0, A_HOLD, A_TARGET0 = 0, 1, 9, 17, 18
N_ACTIONS = A_TARGET0 + N_TARGETS
ACTION_NAMES = (
    ("plan",)
    + tuple(f"move {d}" for d in DIRECTIONS)
    + tuple(f"attack_move {d}" for d in DIRECTIONS)
    + ("hold",)
    + tuple(f"attack target {k}" for k in range(N_TARGETS))
)

# ---------------------------------------------------------------------------- observation
CROP_RADIUS = 5
CROP = 2 * CROP_RADIUS + 1
CROP_PLANES = (
    "floor",  # 1 on walkable tiles (0 off the map)
    "own_leaders",  # health fraction of an own leader on the tile (the agent itself included)
    "own_minions",  # own creeps and summons on the tile / 4 (capped at 1)
    "own_buildings",  # health fraction of an own building
    "enemy_leaders",  # health fraction of a visible enemy leader
    "enemy_minions",  # visible enemy creeps and summons / 4 (capped at 1)
    "enemy_buildings",  # health fraction of an enemy building as last seen (0 once known destroyed)
)
MICRO_ORDERS = (O_NONE, O_MOVE, O_ATTACK_MOVE, O_FOLLOW, O_HOLD, O_ATTACK)  # one-hot of the active micro order
SELF_COLUMNS = (
    ("alive", 1),
    ("hp", 1),  # health fraction
    ("max_hp", 1),  # / 3000
    ("x", 1),  # / map width
    ("y", 1),  # / map height, from the own side (mirrored for red)
    ("respawn_in", 1),  # seconds / 60 while dead
    ("attack_ready_in", 1),  # seconds until its next attack / 2
    ("attack_range", 1),  # / 10
    ("attack", 1),  # / 300
    ("defense", 1),  # / 50
    ("move_points", 1),  # / 100 (0 when in debt)
    ("skill_ready_in", 3),  # seconds until each skill slot is ready / 20
    ("stunned", 1),
    ("rooted", 1),
    ("gold", 1),  # / 3000
    ("items", 1),  # items held / inventory slots
    ("mode", 3),  # one-hot normal, retreat, channel
    ("micro", len(MICRO_ORDERS)),  # one-hot of the active micro order (none first)
    ("order", len(COACH_ORDERS)),  # one-hot of the coach order the leader AI carries out
    ("hero", 10),  # one-hot of the drafted leader
    ("kills", 1),  # / 10
    ("deaths", 1),  # / 10
)
TEAM_COLUMNS = (
    ("time", 1),  # tick / time limit
    ("side", 1),  # 0 blue, 1 red
    ("kills", 1),  # team kills / 20
    ("deaths", 1),  # team deaths / 20
    ("buildings_lost", 1),  # / 13
    ("buildings_destroyed", 1),  # / 13
)
TARGET_COLUMNS = (
    ("present", 1),  # 1 when slot k holds a target
    ("dx", 1),  # / TARGET_RADIUS, east positive
    ("dy", 1),  # / TARGET_RADIUS, toward the enemy base positive (mirrored for red)
    ("distance", 1),  # / TARGET_RADIUS
    ("kind", 3),  # one-hot leader, creep or summon, building
    ("hp", 1),  # health fraction
    ("attacking", 1),  # 1 when it is the leader's current target
)
SELF_F = width(SELF_COLUMNS)
TEAM_F = width(TEAM_COLUMNS)
TARGET_F = width(TARGET_COLUMNS)
CROP_F = len(CROP_PLANES) * CROP * CROP
OBS_SELF = CROP_F  # first column of the self features
OBS_TEAM = OBS_SELF + SELF_F
OBS_TARGETS = OBS_TEAM + TEAM_F
OBS_SIZE = OBS_TARGETS + N_TARGETS * TARGET_F
_SC = offsets(SELF_COLUMNS)
_TC = offsets(TARGET_COLUMNS)
SC_ALIVE = _SC["alive"]
SC_HP = _SC["hp"]
SC_MAX_HP = _SC["max_hp"]
SC_X = _SC["x"]
SC_Y = _SC["y"]
SC_RESPAWN_IN = _SC["respawn_in"]
SC_ATTACK_READY_IN = _SC["attack_ready_in"]
SC_ATTACK_RANGE = _SC["attack_range"]
SC_ATTACK = _SC["attack"]
SC_DEFENSE = _SC["defense"]
SC_MOVE_POINTS = _SC["move_points"]
SC_SKILL_READY_IN = _SC["skill_ready_in"]
SC_STUNNED = _SC["stunned"]
SC_ROOTED = _SC["rooted"]
SC_GOLD = _SC["gold"]
SC_ITEMS = _SC["items"]
SC_MODE = _SC["mode"]
SC_MICRO = _SC["micro"]
SC_ORDER = _SC["order"]
SC_HERO = _SC["hero"]
SC_KILLS = _SC["kills"]
SC_DEATHS = _SC["deaths"]
TC_PRESENT = _TC["present"]
TC_DX = _TC["dx"]
TC_DY = _TC["dy"]
TC_DISTANCE = _TC["distance"]
TC_KIND = _TC["kind"]
TC_HP = _TC["hp"]
TC_ATTACKING = _TC["attacking"]

# reward terms (as the coach envs'): win, then the shaping terms per their units
N_TERMS = 5
SHAPING_SCALE = np.array([1000.0, 1.0, 1.0, 10.0])  # gold, kills, buildings, last_hits

# episode ends, per game
END_RUNNING, END_TERMINATED, END_TRUNCATED = 0, 1, 2


def split_observation(obs: np.ndarray) -> dict[str, np.ndarray]:
    """Views of the parts of flat observations ``obs`` (..., OBS_SIZE): ``crop`` (..., C, S, S), ``self``,
    ``team`` and ``targets`` (..., K, TARGET_F)."""
    lead = obs.shape[:-1]
    return {
        "crop": obs[..., :CROP_F].reshape(*lead, len(CROP_PLANES), CROP, CROP),
        "self": obs[..., OBS_SELF:OBS_TEAM],
        "team": obs[..., OBS_TEAM:OBS_TARGETS],
        "targets": obs[..., OBS_TARGETS:].reshape(*lead, N_TARGETS, TARGET_F),
    }


# ---------------------------------------------------------------------------- compiled parts
@kernel
def _clip01(v):
    return min(1.0, max(0.0, v))


@kernel
def _ray(T, x, y, dx, dy, n):
    """The farthest floor tile up to n steps from (x, y) along (dx, dy) in a straight line; (-1, -1)
    when the first step already leaves the floor (the engine refuses such coordinates)."""
    H, W = T.floor.shape
    bx = np.int64(-1)
    by = np.int64(-1)
    for s in range(1, n + 1):
        nx = x + s * dx
        ny = y + s * dy
        if nx < 0 or ny < 0 or nx >= W or ny >= H or not T.floor[ny, nx]:
            break
        bx = nx
        by = ny
    return bx, by


@kernel
def action_order(S, T, b, k, act, targets):
    """Agent k's action ``act`` as the engine's order (kind, a, b); ``targets`` (K,) its target slots."""
    ld = S.leaders[b, k]
    me = S.units[b, SLOT_LEADER0 + k]
    z = np.int64(0)
    if act == A_PLAN:
        if me.alive != 0 and ld.micro != 0:
            return np.int64(O_STOP), z, z
        return np.int64(O_NONE), z, z
    sgn = 1 if ld.team == 0 else -1
    if act < A_ATTACK_MOVE0:
        d = act - A_MOVE0
        x, y = _ray(T, np.int64(me.x), np.int64(me.y), DIR_XY[d, 0], sgn * DIR_XY[d, 1], 1)
        return np.int64(O_MOVE), x, y
    if act < A_HOLD:
        d = act - A_ATTACK_MOVE0
        x, y = _ray(T, np.int64(me.x), np.int64(me.y), DIR_XY[d, 0], sgn * DIR_XY[d, 1], ATTACK_MOVE_TILES)
        return np.int64(O_ATTACK_MOVE), x, y
    if act == A_HOLD:
        return np.int64(O_HOLD), z, z
    if act < N_ACTIONS:
        return np.int64(O_ATTACK), np.int64(targets[act - A_TARGET0]), z
    return np.int64(O_NONE), z, z


@kernel
def _targets(S, b, k, cand, n_cand, out, dist):
    """The K nearest of the team's candidate targets ``cand[:n_cand]`` within TARGET_RADIUS of agent k,
    nearest first (ties to the lower slot), into ``out`` (K,) (NONE padded); ``dist`` (K,) scratch."""
    un = S.units[b]
    me = un[SLOT_LEADER0 + k]
    K = out.shape[0]
    n = 0
    r2 = TARGET_RADIUS * TARGET_RADIUS
    for j in range(n_cand):
        v = cand[j]
        dx = np.int64(un[v].x) - me.x
        dy = np.int64(un[v].y) - me.y
        d = dx * dx + dy * dy
        if d > r2:
            continue
        # insertion into the sorted K best (candidates come in ascending slot order: ties keep it)
        p = n
        while p > 0 and dist[p - 1] > d:
            p -= 1
        if p >= K:
            continue
        last = min(n, K - 1)
        for q in range(last, p, -1):
            out[q] = out[q - 1]
            dist[q] = dist[q - 1]
        out[p] = v
        dist[p] = d
        if n < K:
            n += 1
    for q in range(n, K):
        out[q] = NONE


@kernel
def _crop_add(o, plane, row, col, v, add):
    i = (plane * CROP + row) * CROP + col
    o[i] = min(1.0, o[i] + v) if add else v


@kernel
def _observe_agent(S, T, b, k, shown, n_shown, targets, o):
    """Agent k's flat observation into ``o`` (OBS_SIZE,); ``shown`` (2, U, 3) the units each team's
    crop shows (slot, plane, value), ``targets`` (K,) its target slots."""
    H, W = T.floor.shape
    g = S.games[b]
    t = g.tick
    ld = S.leaders[b, k]
    team = np.int64(ld.team)
    enemy = 1 - team
    me = S.units[b, SLOT_LEADER0 + k]
    x = np.int64(me.x)
    y = np.int64(me.y)
    sgn = 1 if team == 0 else -1
    o[:] = 0.0
    # crop: floor, then the units the team's view shows
    for r in range(CROP):
        yy = y + sgn * (r - CROP_RADIUS)
        if yy < 0 or yy >= H:
            continue
        for c in range(CROP):
            xx = x + c - CROP_RADIUS
            if 0 <= xx < W and T.floor[yy, xx]:
                o[r * CROP + c] = 1.0
    un = S.units[b]
    for j in range(n_shown[team]):
        u = shown[team, j, 0]
        c = np.int64(un[u].x) - x + CROP_RADIUS
        r = sgn * (np.int64(un[u].y) - y) + CROP_RADIUS
        if 0 <= r < CROP and 0 <= c < CROP:
            plane = shown[team, j, 1]
            _crop_add(o, plane, r, c, shown[team, j, 2] / 1000.0, plane == 2 or plane == 5)
    # self
    s = OBS_SELF
    alive = me.alive != 0
    o[s + SC_ALIVE] = 1.0 if alive else 0.0
    if alive:
        o[s + SC_HP] = _clip01(me.hp / me.max_hp) if me.max_hp > 0 else 0.0
    o[s + SC_MAX_HP] = _clip01(me.max_hp / 3000.0)
    o[s + SC_X] = x / W
    o[s + SC_Y] = (y if team == 0 else H - 1 - y) / H
    if not alive and ld.respawn_at >= 0:
        o[s + SC_RESPAWN_IN] = _clip01((ld.respawn_at - t) / (60.0 * T.tps))
    o[s + SC_ATTACK_READY_IN] = _clip01((me.next_attack - t) / (2.0 * T.tps))
    o[s + SC_ATTACK_RANGE] = _clip01(me.attack_range / 10.0)
    o[s + SC_ATTACK] = _clip01(me.atk / 300.0)
    o[s + SC_DEFENSE] = _clip01(me.dfn / 50.0)
    o[s + SC_MOVE_POINTS] = _clip01(me.move_points / 100.0)
    for q in range(3):
        if ld.skills[q] >= 0:
            o[s + SC_SKILL_READY_IN + q] = _clip01((ld.skill_ready_at[q] - t) / (20.0 * T.tps))
    o[s + SC_STUNNED] = 1.0 if me.stun_until > t else 0.0
    o[s + SC_ROOTED] = 1.0 if me.root_until > t else 0.0
    o[s + SC_GOLD] = _clip01(ld.gold / 3000.0)
    n_items = 0
    for q in range(T.inv_slots):
        if g.inv[k, q] >= 0:
            n_items += 1
    o[s + SC_ITEMS] = n_items / max(1, T.inv_slots)
    o[s + SC_MODE + (1 if ld.mode == M_RETREAT else 2 if ld.mode == M_CHANNEL else 0)] = 1.0
    for q in range(len(MICRO_ORDERS)):
        if MICRO_ORDERS[q] == ld.micro:
            o[s + SC_MICRO + q] = 1.0
    for q in range(len(COACH_ORDERS)):
        if COACH_ORDERS[q] == ld.order:
            o[s + SC_ORDER + q] = 1.0
    if 0 <= ld.hero < 10:
        o[s + SC_HERO + ld.hero] = 1.0
    o[s + SC_KILLS] = _clip01(ld.kills / 10.0)
    o[s + SC_DEATHS] = _clip01(ld.deaths / 10.0)
    # team
    s = OBS_TEAM
    o[s] = _clip01(t / T.time_limit)
    o[s + 1] = team
    o[s + 2] = _clip01(S.teams[b, team].kills / 20.0)
    o[s + 3] = _clip01(S.teams[b, enemy].kills / 20.0)
    o[s + 4] = S.teams[b, team].buildings_lost / N_BLD
    o[s + 5] = S.teams[b, enemy].buildings_lost / N_BLD
    # targets
    for q in range(targets.shape[0]):
        v = targets[q]
        if v < 0:
            continue
        w = un[v]
        s = OBS_TARGETS + q * TARGET_F
        dx = np.int64(w.x) - x
        dy = -sgn * (np.int64(w.y) - y)
        o[s + TC_PRESENT] = 1.0
        o[s + TC_DX] = dx / TARGET_RADIUS
        o[s + TC_DY] = dy / TARGET_RADIUS
        o[s + TC_DISTANCE] = min(1.0, np.sqrt(dx * dx + dy * dy) / TARGET_RADIUS)
        kd = 0 if w.kind == K_LEADER else 2 if w.kind >= K_TOWER else 1
        o[s + TC_KIND + kd] = 1.0
        o[s + TC_HP] = _clip01(w.hp / w.max_hp) if w.max_hp > 0 else 0.0
        o[s + TC_ATTACKING] = 1.0 if me.target == v else 0.0


@kernel
def _shown(S, b, shown, n_shown, cand, n_cand):
    """Per team: the units its crops show (``shown`` (2, U, 3): slot, plane, value x 1000) and the
    enemies it may attack (``cand`` (2, U): living, seen, damageable; ascending slots)."""
    un = S.units[b]
    g = S.games[b]
    for team in range(2):
        n = 0
        m = 0
        for u in range(un.shape[0]):
            w = un[u]
            own = w.team == team
            if u < 2 * N_BLD:  # buildings: own exactly, the enemy's as last seen
                seen = own or g.vis[team, u] != 0
                hp = w.hp if seen else g.seen_hp[team, u]
                if (w.alive != 0 if seen else hp > 0) and w.max_hp > 0:
                    shown[team, n, 0] = u
                    shown[team, n, 1] = 3 if own else 6
                    shown[team, n, 2] = np.int64(1000.0 * min(1.0, max(0.0, hp / w.max_hp)))
                    n += 1
            elif w.alive != 0 and (own or g.vis[team, u] != 0):
                base = 1 if own else 4
                if w.kind == K_LEADER:
                    shown[team, n, 0] = u
                    shown[team, n, 1] = base
                    shown[team, n, 2] = np.int64(1000.0 * min(1.0, max(0.0, w.hp / w.max_hp)))
                    n += 1
                elif w.kind == K_CREEP or w.kind == K_TREANT or w.kind == K_ELEPHANT:
                    shown[team, n, 0] = u
                    shown[team, n, 1] = base + 1
                    shown[team, n, 2] = 250
                    n += 1
            if not own and w.alive != 0 and w.hp > 0 and w.invuln == 0 and g.vis[team, u] != 0:
                if w.kind == K_LEADER or w.kind == K_CREEP or w.kind == K_TREANT or w.kind == K_ELEPHANT:
                    cand[team, m] = u
                    m += 1
                elif w.kind == K_TOWER or w.kind == K_BARRACKS or w.kind == K_CORE:
                    cand[team, m] = u
                    m += 1
        n_shown[team] = n
        n_cand[team] = m


# The arrays ``orders.validate`` reads (the state's other arrays, effects, projectiles, events, are never
# read by it). Numba passes every array of a tuple argument on every call, so the masks' ~6 calls an agent
# a tick cost half as much given this lighter view of the same state.
ValidateView = namedtuple("ValidateView", ["units", "leaders", "teams", "games", "pending"])


@kernel
def _mask_agent(V, T, b, k, targets, m):
    """Agent k's action mask into ``m`` (N_ACTIONS,): the engine's verdict (``orders.validate``) on the order
    each action makes now (``action_order``), action 0 always allowed; ``V`` a :data:`ValidateView` of game
    state.

    A call to ``validate`` costs far more than its checks, and most of the 25 orders share a verdict, so each
    verdict is asked once: hold once; the moves, and the attack-moves, once for the orders aimed at a floor
    tile and once for the order that has none (``_ray``'s (-1, -1), one and the same order for every such
    direction), as ``validate`` reads a move's coordinates only through "a floor tile on the map?"; attacks
    once per listed target and once for the empty slot (the same order for every empty slot).
    ``tests/test_envs_micro.py`` checks every action's mask against the engine."""
    team = k // 5
    leader = k % 5
    m[A_PLAN] = 1
    m[A_HOLD] = np.int8(validate(V, T, b, team, leader, O_HOLD, 0, 0) == R_OK)
    for first in (A_MOVE0, A_ATTACK_MOVE0):
        on_tile = np.int8(-1)  # the verdict of this kind's orders aimed at a floor tile, once asked
        no_tile = np.int8(-1)  # ... and of its order without one
        for a in range(first, first + DIR_XY.shape[0]):
            kind, x, y = action_order(V, T, b, k, a, targets)
            if x < 0:
                if no_tile < 0:
                    no_tile = np.int8(validate(V, T, b, team, leader, kind, x, y) == R_OK)
                m[a] = no_tile
            else:
                if on_tile < 0:
                    on_tile = np.int8(validate(V, T, b, team, leader, kind, x, y) == R_OK)
                m[a] = on_tile
    empty = np.int8(-1)  # the verdict of the empty slot's order
    for q in range(targets.shape[0]):
        kind, x, y = action_order(V, T, b, k, A_TARGET0 + q, targets)
        if targets[q] < 0:
            if empty < 0:
                empty = np.int8(validate(V, T, b, team, leader, kind, x, y) == R_OK)
            m[A_TARGET0 + q] = empty
        else:
            m[A_TARGET0 + q] = np.int8(validate(V, T, b, team, leader, kind, x, y) == R_OK)


@kernel
def observe_game(S, T, b, targets, obs, masks, shown, cand):
    """Game b's ten agents: target lists ``targets`` (10, K), observations ``obs`` (10, OBS_SIZE) and
    masks ``masks`` (10, N_ACTIONS); ``shown`` (2, U, 3) and ``cand`` (2, U) scratch."""
    n_shown = np.zeros(2, np.int64)
    n_cand = np.zeros(2, np.int64)
    dist = np.zeros(targets.shape[1], np.int64)
    _shown(S, b, shown, n_shown, cand, n_cand)
    V = ValidateView(S.units, S.leaders, S.teams, S.games, S.pending)
    for k in range(10):
        team = k // 5
        tg = targets[k]
        _targets(S, b, k, cand[team], n_cand[team], tg, dist)
        _observe_agent(S, T, b, k, shown, n_shown, tg, obs[k])
        _mask_agent(V, T, b, k, tg, masks[k])


@kernel
def step_game(S, T, b, acts, skip, targets, orders, n_orders, no_draft, weights, score, rewards, terms, ends, rejected):
    """Game b: agents' actions ``acts`` (10,) to order rows, one tick, rewards and the episode's end.

    ``skip`` 1: the game was just reset (NEXT_STEP autoreset): no order, no tick, reward 0.
    ``score`` (2, 4) the score features at the last observation (updated); ``rewards`` (10,);
    ``terms`` (10, N_TERMS) weighted terms; ``ends`` END_*; ``rejected`` (10,) reason of each agent's
    refused order (0: none)."""
    rewards[:] = 0.0
    terms[:, :] = 0.0
    rejected[:] = 0
    ends[0] = END_RUNNING
    if skip != 0:
        game_score(S, b, score)
        return
    for k in range(10):
        kind, x, y = action_order(S, T, b, k, acts[k], targets[k])
        row = orders[b, k]
        row[0] = k // 5
        row[1] = k % 5
        row[2] = kind
        row[3] = x
        row[4] = y
    n_orders[b] = 10
    before = score.copy()
    run_game(S, T, orders, n_orders, 1, no_draft, b)
    game_score(S, b, score)
    g = S.games[b]
    ev = S.events[b]
    for q in range(g.n_events):
        if ev[q, 1] == E_ORDER_REJECTED and 0 <= ev[q, 2] <= 1 and 0 <= ev[q, 3] < 5:
            rejected[ev[q, 2] * 5 + ev[q, 3]] = ev[q, 5]
    if g.done != 0:
        ends[0] = END_TERMINATED if g.end_reason == 0 else END_TRUNCATED
    for team in range(2):
        win = 0.0
        if ends[0] == END_TERMINATED and g.winner != 2:
            win = 1.0 if g.winner == team else -1.0
        for k in range(team * 5, team * 5 + 5):
            terms[k, 0] = weights[0] * win
            for f in range(4):
                d = (score[team, f] - before[team, f]) - (score[1 - team, f] - before[1 - team, f])
                terms[k, 1 + f] = weights[1 + f] * d / SHAPING_SCALE[f]
            tot = 0.0
            for f in range(N_TERMS):
                tot += terms[k, f]
            rewards[k] = tot


@kernel
def _micro_game(
    S,
    T,
    b,
    acts,
    skip,
    targets,
    orders,
    n_orders,
    no_draft,
    weights,
    score,
    obs,
    masks,
    rewards,
    terms,
    ends,
    rejected,
    shown,
    cand,
):
    step_game(
        S,
        T,
        b,
        acts[b],
        skip[b],
        targets[b],
        orders,
        n_orders,
        no_draft,
        weights,
        score[b],
        rewards[b],
        terms[b],
        ends[b : b + 1],
        rejected[b],
    )
    observe_game(S, T, b, targets[b], obs[b], masks[b], shown[b], cand[b])


@entry
def micro_step(
    S,
    T,
    acts,
    skip,
    targets,
    orders,
    n_orders,
    no_draft,
    weights,
    score,
    obs,
    masks,
    rewards,
    terms,
    ends,
    rejected,
    shown,
    cand,
):
    """Every game: actions (B, 10) to orders, one tick, then rewards (B, 10), terms (B, 10, N_TERMS),
    ends (B,), rejected (B, 10), and the next target lists (B, 10, K), observations (B, 10, OBS_SIZE)
    and masks (B, 10, N_ACTIONS). ``skip`` (B,) marks games just reset (no tick, reward 0); ``score``
    (B, 2, 4) carries the score features between steps; ``orders`` (B, 10, 5), ``n_orders`` (B,),
    ``shown`` (B, 2, U, 3) and ``cand`` (B, 2, U) are scratch."""
    for b in range(S.games.shape[0]):
        _micro_game(
            S,
            T,
            b,
            acts,
            skip,
            targets,
            orders,
            n_orders,
            no_draft,
            weights,
            score,
            obs,
            masks,
            rewards,
            terms,
            ends,
            rejected,
            shown,
            cand,
        )


@nb.njit(cache=True, parallel=True, error_model="numpy")
def micro_step_parallel(
    S,
    T,
    acts,
    skip,
    targets,
    orders,
    n_orders,
    no_draft,
    weights,
    score,
    obs,
    masks,
    rewards,
    terms,
    ends,
    rejected,
    shown,
    cand,
):
    """Like :func:`micro_step`, with the games spread over Numba's threads (games are independent)."""
    for b in nb.prange(S.games.shape[0]):
        _micro_game(
            S,
            T,
            b,
            acts,
            skip,
            targets,
            orders,
            n_orders,
            no_draft,
            weights,
            score,
            obs,
            masks,
            rewards,
            terms,
            ends,
            rejected,
            shown,
            cand,
        )


@entry
def micro_observe(S, T, targets, obs, masks, score, shown, cand):
    """Every game's target lists, observations and masks (as :func:`micro_step` leaves them) and its score
    features ``score`` (B, 2, 4), without a tick: after a reset."""
    for b in range(S.games.shape[0]):
        game_score(S, b, score[b])
        observe_game(S, T, b, targets[b], obs[b], masks[b], shown[b], cand[b])


@entry
def micro_orders(S, T, acts, targets, out):
    """The order rows of every agent's action: ``acts`` (B, 10), ``targets`` (B, 10, K) -> ``out`` (B, 10, 5)
    ``(team, leader, kind, a, b)`` (kind 0: no order). For tests and tools; :func:`micro_step` does this."""
    for b in range(S.games.shape[0]):
        for k in range(10):
            kind, x, y = action_order(S, T, b, k, acts[b, k], targets[b, k])
            out[b, k, 0] = k // 5
            out[b, k, 1] = k % 5
            out[b, k, 2] = kind
            out[b, k, 3] = x
            out[b, k, 4] = y
