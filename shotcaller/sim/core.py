"""Shared kernel helpers: match RNG, events, effectors and stats, damage, the spatial grid."""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.layout import (
    D_MELEE,
    D_RANGED,
    GRID_CELL,
    IM_AS,
    IM_ATK,
    IM_DEF,
    IM_HP,
    IM_MOVE,
    IM_RANGE,
    K_BARRACKS,
    K_CORE,
    K_CREEP,
    K_LEADER,
    K_TOWER,
    NEVER,
    NONE,
    OP_ADD,
    OP_MUL,
    RX_RETURN_AOE,
    RX_RETURN_DAMAGE,
    RX_THORNS,
    SK_BACK_ENDURANCE,
    SK_RETURN_AOE,
    SK_RETURN_DAMAGE,
    SK_STEAL_SOUL,
    SK_THORN_VOLLEY,
    SLOT_LEADER0,
    SP_COOLDOWN,
    SP_COUNT,
    SP_MAX,
    SP_VALUE,
    ST_AS,
    ST_ATK,
    ST_DEF,
    ST_DOT,
    ST_GOLD,
    ST_HP,
    ST_MOVE,
    ST_RANGE,
)
from shotcaller.sim.nav import line_of_sight

U64_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


# ---------------------------------------------------------------------------- randomness
@kernel
def rand_u32(S, b):
    """Next 32 random bits of game b's own generator (splitmix64 over a counter kept in the state)."""
    s = S.games[b].rng_state + np.uint64(0x9E3779B97F4A7C15)
    S.games[b].rng_state = s
    z = s
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.int64(z >> np.uint64(32))


@kernel
def rand_int(S, b, n):
    """A uniform integer in [0, n)."""
    return rand_u32(S, b) % n


# ---------------------------------------------------------------------------- events
@kernel
def emit(S, b, kind, a, bb, c, d):
    """Append an event to game b's buffer (counted as dropped when full)."""
    g = S.games[b]
    n = g.n_events
    ev = S.events[b]
    if n >= ev.shape[0]:
        g.dropped += 1
        return
    ev[n, 0] = g.tick
    ev[n, 1] = kind
    ev[n, 2] = a
    ev[n, 3] = bb
    ev[n, 4] = c
    ev[n, 5] = d
    g.n_events = n + 1


# ---------------------------------------------------------------------------- skills lookup
@kernel
def skill_slot(S, b, li, sk):
    """Which of leader li's skill slots (0, 1 its own, 2 stolen) holds skill sk, or NONE."""
    skills = S.leaders[b, li].skills
    for sl in range(3):
        if skills[sl] == sk:
            return sl
    return NONE


@kernel
def skill_ready(S, b, li, slot):
    """Whether the skill in ``slot`` is off cooldown."""
    return S.games[b].tick >= S.leaders[b, li].skill_ready_at[slot]


@kernel
def skill_used(S, T, b, li, slot, sk):
    """Start the cooldown of the skill in ``slot``."""
    S.leaders[b, li].skill_ready_at[slot] = S.games[b].tick + np.int32(T.skill_p[sk, SP_COOLDOWN])


@kernel
def leader_of(S, b, u):
    """Global leader index (0..9) of a leader unit slot, else NONE."""
    if S.units[b, u].kind == K_LEADER:
        return u - SLOT_LEADER0
    return NONE


# ---------------------------------------------------------------------------- effectors and stats
@kernel
def add_effect(S, b, u, key, stat, op, val, until, src):
    """Add a timed effector to unit u. An effector with the same key is replaced (no stacking)."""
    ef = S.effects[b, u]
    free = NONE
    for e in range(ef.shape[0]):
        if ef[e].key == key:
            if ef[e].stat == stat and ef[e].op == op and ef[e].val == np.float32(val):
                # same effect again (an aura's refresh): extend it, the stats do not change
                if until > ef[e].until:
                    ef[e].until = until
                ef[e].src = src
                return
            free = e
            break
        if free < 0 and ef[e].key == 0:
            free = e
    if free < 0:  # full: replace the one expiring first
        free = 0
        for e in range(1, ef.shape[0]):
            if ef[e].until < ef[free].until:
                free = e
    ef[free].key = key
    ef[free].stat = stat
    ef[free].op = op
    ef[free].val = val
    ef[free].until = until
    ef[free].src = src
    un = S.units[b, u]
    un.dirty = 1
    if until < un.next_expire:
        un.next_expire = until


@kernel
def refresh_stats(S, T, b, u):
    """Recompute unit u's effective stats: (base + sum add) * (prod mul + sum addmul)."""
    un = S.units[b, u]
    t = S.games[b].tick
    acc = S.games[b].acc  # scratch (3, 8): sums of adds, products of multipliers, sums of add-multipliers
    add = acc[0]
    mul = acc[1]
    amul = acc[2]
    for s in range(8):
        add[s] = 0.0
        mul[s] = 1.0
        amul[s] = 0.0
    ef = S.effects[b, u]
    nxt = np.int32(NEVER)
    for e in range(ef.shape[0]):
        if ef[e].key == 0:
            continue
        if ef[e].until <= t:
            ef[e].key = 0
            continue
        if ef[e].until < nxt:
            nxt = ef[e].until
        s = ef[e].stat
        if ef[e].op == OP_ADD:
            add[s] += ef[e].val
        elif ef[e].op == OP_MUL:
            mul[s] *= ef[e].val
        else:
            amul[s] += ef[e].val
    if un.kind == K_LEADER:
        li = u - SLOT_LEADER0
        inv = S.games[b].inv[li]
        for k in range(inv.shape[0]):
            it = inv[k]
            if it < 0:
                continue
            add[ST_ATK] += T.item_mods[it, IM_ATK]
            add[ST_DEF] += T.item_mods[it, IM_DEF]
            add[ST_HP] += T.item_mods[it, IM_HP]
            add[ST_AS] += T.item_mods[it, IM_AS]
            amul[ST_MOVE] += T.item_mods[it, IM_MOVE]
            add[ST_RANGE] += T.item_mods[it, IM_RANGE]
        ld = S.leaders[b, li]
        if skill_slot(S, b, li, SK_STEAL_SOUL) >= 0:
            add[ST_ATK] += ld.souls * T.skill_p[SK_STEAL_SOUL, SP_VALUE]
        add[ST_DEF] += ld.back_def
    old_max = un.max_hp
    un.atk = max(0.0, (un.base_atk + add[ST_ATK]) * (mul[ST_ATK] + amul[ST_ATK]))
    un.dfn = max(0.0, (un.base_def + add[ST_DEF]) * (mul[ST_DEF] + amul[ST_DEF]))
    un.aspd = max(0.0, (un.base_as + add[ST_AS]) * (mul[ST_AS] + amul[ST_AS]))
    un.refill = max(0.0, (un.base_refill + add[ST_MOVE]) * (mul[ST_MOVE] + amul[ST_MOVE]))
    un.attack_range = max(0.0, (un.base_range + add[ST_RANGE]) * (mul[ST_RANGE] + amul[ST_RANGE]))
    un.max_hp = max(1.0, (un.base_hp + add[ST_HP]) * (mul[ST_HP] + amul[ST_HP]))
    un.gold_mult = max(0.0, (1.0 + add[ST_GOLD]) * (mul[ST_GOLD] + amul[ST_GOLD]))
    un.dot = add[ST_DOT]
    if un.max_hp > old_max and old_max > 0:
        un.hp += un.max_hp - old_max
    if un.hp > un.max_hp:
        un.hp = un.max_hp
    un.next_expire = nxt
    un.dirty = 0


@kernel
def clear_effects(S, b, u):
    """Remove every effector of unit u (death, respawn, spawn)."""
    ef = S.effects[b, u]
    for e in range(ef.shape[0]):
        ef[e].key = 0
    S.units[b, u].dirty = 1


# ---------------------------------------------------------------------------- damage
@kernel
def fortified(S, b, u):
    """Whether unit u is a building of a team whose fortify order is in effect (it takes no damage)."""
    un = S.units[b, u]
    return un.kind >= K_TOWER and S.games[b].tick < S.teams[b, un.team].fortify_until


@kernel
def queue_reaction(S, b, kind, src, dst, amount):
    """Queue an effect that resolves later in the same tick (reflect, thorns)."""
    g = S.games[b]
    n = g.n_react
    rq = S.react[b]
    if n >= rq.shape[0]:
        return False
    rq[n].kind = kind
    rq[n].src = src
    rq[n].dst = dst
    rq[n].amount = amount
    g.n_react = n + 1
    return True


@kernel
def building_armour(S, T, b, u):
    """The fraction of damage building u takes: early armour (towers, fading over the first minutes)
    times backdoor protection (no enemy lane creep near it); docs/rules.md "Buildings"."""
    w = S.units[b, u]
    f = 1.0
    if w.kind == K_TOWER and T.early_until > 0:
        t = S.games[b].tick
        if t < T.early_until:
            f *= 1.0 - T.early_armour * (1.0 - t / T.early_until)
    if w.backdoor != 0:
        f *= 1.0 - T.bd_armour
    return f


@kernel
def deal_damage(S, T, b, src, dst, amount, dkind):
    """Apply damage from unit src to unit dst; credit, skill reactions; deaths resolve later in the tick.

    Returns the damage dealt. Invulnerable and fortified buildings and dead units take none.
    """
    ud = S.units[b, dst]
    if ud.alive == 0 or ud.invuln != 0 or amount <= 0:
        return 0.0
    if ud.kind >= K_TOWER and fortified(S, b, dst):  # the kind test first: most hits are on units
        return 0.0
    if ud.hp <= 0:  # already dying this tick: no overkill accounting
        return 0.0
    if ud.kind >= K_TOWER:
        amount *= building_armour(S, T, b, dst)
        if ud.backdoor != 0:
            ud.backdoor_pool += min(amount, ud.hp)
    dealt = min(amount, ud.hp)
    ud.hp -= amount
    ud.last_attacker = src
    owner = NONE
    if src >= 0:
        owner = S.units[b, src].owner
        if owner >= 0:
            S.leaders[b, owner].damage += dealt
    ud.last_attacker_leader = owner
    if ud.kind == K_LEADER:
        li = dst - SLOT_LEADER0
        ld = S.leaders[b, li]
        is_attack = dkind == D_MELEE or dkind == D_RANGED
        if is_attack:
            ld.recv_hits += 1
            sl = skill_slot(S, b, li, SK_BACK_ENDURANCE)
            if sl >= 0:
                per = max(1, np.int64(T.skill_p[SK_BACK_ENDURANCE, SP_COUNT]))
                nd = min(np.int64(T.skill_p[SK_BACK_ENDURANCE, SP_MAX]), ld.recv_hits // per)
                if nd != ld.back_def:
                    ld.back_def = nd
                    ud.dirty = 1
            sl = skill_slot(S, b, li, SK_RETURN_AOE)
            if sl >= 0:
                ld.recv_atk += 1
                every = max(1, np.int64(T.skill_p[SK_RETURN_AOE, SP_COUNT]))
                if ld.recv_atk % every == 0 and skill_ready(S, b, li, sl):
                    if queue_reaction(S, b, RX_RETURN_AOE, dst, NONE, 0.0):
                        skill_used(S, T, b, li, sl, SK_RETURN_AOE)
        if dkind == D_MELEE and src >= 0:
            if skill_slot(S, b, li, SK_RETURN_DAMAGE) >= 0:
                queue_reaction(S, b, RX_RETURN_DAMAGE, dst, src, dealt * T.skill_p[SK_RETURN_DAMAGE, SP_VALUE])
        # any damage triggers thorns (reflected damage too); the cooldown ends every chain
        sl = skill_slot(S, b, li, SK_THORN_VOLLEY)
        if sl >= 0 and skill_ready(S, b, li, sl):
            if queue_reaction(S, b, RX_THORNS, dst, NONE, 0.0):
                skill_used(S, T, b, li, sl, SK_THORN_VOLLEY)
    return dealt


@kernel
def heal(S, b, u, amount):
    """Heal unit u up to its max health."""
    un = S.units[b, u]
    if un.alive == 0 or un.hp <= 0:
        return
    un.hp = min(un.max_hp, un.hp + amount)


# ---------------------------------------------------------------------------- spatial grid
@kernel
def grid_dims(T):
    """(cells across, cells down)."""
    H, W = T.floor.shape
    return (W + GRID_CELL - 1) // GRID_CELL, (H + GRID_CELL - 1) // GRID_CELL


@kernel
def cell_range(T, x, y, r):
    """The grid cells (cx0, cx1, cy0, cy1) that may hold a unit within r of (x, y).

    One tile of slack: the grid is built at the start of the tick and units move a tile at most.
    """
    nx, ny = grid_dims(T)
    reach = np.int64(r) + 2
    x = np.int64(x)
    y = np.int64(y)
    return (
        max(0, (x - reach) // GRID_CELL),
        min(nx - 1, (x + reach) // GRID_CELL),
        max(0, (y - reach) // GRID_CELL),
        min(ny - 1, (y + reach) // GRID_CELL),
    )


@kernel
def build_grid(S, T, b):
    """Bucket every living unit by team and cell (linked lists in grid_head / grid_next) and list the
    living units in slot order (``live[:n_live]``), which the phases of this tick iterate."""
    g = S.games[b]
    gh = g.grid_head
    gn = g.grid_next
    gh[:] = NONE
    nx, ny = grid_dims(T)
    un = S.units[b]
    n = 0
    for u in range(un.shape[0]):
        if un[u].alive != 0:
            g.live[n] = u
            n += 1
    g.n_live = n
    for i in range(n - 1, -1, -1):
        u = g.live[i]
        c = (un[u].y // GRID_CELL) * nx + un[u].x // GRID_CELL
        t = un[u].team
        gn[u] = gh[t, c]
        gh[t, c] = u


@kernel
def query(S, T, b, team, x, y, r, kmask, out):
    """Write into ``out`` the living units of ``team`` of kinds in ``kmask`` within r of (x, y).

    Returns the count, in grid order (cells row by row, slots ascending within a cell): deterministic.
    Units killed this tick (hp <= 0) are left out.
    """
    nx = grid_dims(T)[0]
    cx0, cx1, cy0, cy1 = cell_range(T, x, y, r)
    gh = S.games[b].grid_head[team]
    gn = S.games[b].grid_next
    un = S.units[b]
    r2 = r * r
    n = 0
    for cy in range(cy0, cy1 + 1):
        for cx in range(cx0, cx1 + 1):
            u = gh[cy * nx + cx]
            while u >= 0:
                k = un[u].kind
                if un[u].alive != 0 and un[u].hp > 0 and (kmask >> k) & 1:
                    dx = un[u].x - x
                    dy = un[u].y - y
                    if dx * dx + dy * dy <= r2:
                        out[n] = u
                        n += 1
                u = gn[u]
    return n


@kernel
def dist2(S, b, u, v):
    """Squared tile distance between units u and v."""
    dx = np.int64(S.units[b, u].x) - S.units[b, v].x
    dy = np.int64(S.units[b, u].y) - S.units[b, v].y
    return dx * dx + dy * dy


@kernel
def nearest_enemy(S, T, b, u, r, kmask):
    """Closest targetable enemy of unit u within r among kinds ``kmask``, or NONE.

    Mobile units come before buildings (creeps fight the wave before the tower); equal distances go
    to the lowest slot. Walks the grid directly (no result list).
    """
    un = S.units[b]
    me = un[u]
    x = np.int64(me.x)
    y = np.int64(me.y)
    nx = grid_dims(T)[0]
    cx0, cx1, cy0, cy1 = cell_range(T, x, y, r)
    g = S.games[b]
    gh = g.grid_head[1 - me.team]
    gn = g.grid_next
    r2 = r * r
    best = NONE
    bd = np.int64(1) << 62
    for cy in range(cy0, cy1 + 1):
        for cx in range(cx0, cx1 + 1):
            v = gh[cy * nx + cx]
            while v >= 0:
                w = un[v]
                k = w.kind
                if w.alive != 0 and w.hp > 0 and w.invuln == 0 and (kmask >> k) & 1:
                    dx = np.int64(w.x) - x
                    dy = np.int64(w.y) - y
                    d = dx * dx + dy * dy
                    if d <= r2:
                        if k >= K_TOWER:
                            d += np.int64(1) << 40
                        if d < bd or (d == bd and v < best):
                            bd = d
                            best = v
                v = gn[v]
    return best


@kernel
def seen_by(S, T, b, team, x, y, rmax):
    """Whether a unit of ``team`` sees tile (x, y): within its kind's sight radius, with line of sight."""
    from_grid = S.games[b].grid_head[team]
    gn = S.games[b].grid_next
    un = S.units[b]
    x = np.int64(x)
    y = np.int64(y)
    nx = grid_dims(T)[0]
    cx0, cx1, cy0, cy1 = cell_range(T, x, y, rmax)
    for cy in range(cy0, cy1 + 1):
        for cx in range(cx0, cx1 + 1):
            v = from_grid[cy * nx + cx]
            while v >= 0:
                w = un[v]
                if w.alive != 0:
                    r = sight_radius(T, w.kind)
                    dx = np.int64(w.x) - x
                    dy = np.int64(w.y) - y
                    if dx * dx + dy * dy <= r * r and line_of_sight(T, w.x, w.y, x, y):
                        return True
                v = gn[v]
    return False


@kernel
def sight_radius(T, kind):
    """Vision radius of a unit kind, in tiles."""
    if kind == K_LEADER:
        return T.vis_leader
    if kind == K_CREEP:
        return T.vis_creep
    if kind == K_TOWER:
        return T.vis_tower
    if kind == K_BARRACKS:
        return T.vis_barracks
    if kind == K_CORE:
        return T.vis_core
    return T.vis_summon
