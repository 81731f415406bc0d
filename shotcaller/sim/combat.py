"""Creep, summon and tower AI; movement; attacks and projectiles (docs/design.md section 3)."""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import cell_range, deal_damage, dist2, grid_dims, nearest_enemy
from shotcaller.sim.layout import (
    D_MELEE,
    D_RANGED,
    K_LEADER,
    K_TOWER,
    KM_ALL,
    KM_MOBILE,
    N_BLD,
    NONE,
    SLOT_CREEP0,
    SLOT_LEADER0,
    SLOT_SUMMON0,
    SUMMONS_PER_LEADER,
)
from shotcaller.sim.nav import can_step, nav_dir
from shotcaller.sim.skills import drain_reactions, on_attack

# direction index of the step (dx, dy), indexed [dy + 1, dx + 1]
ADJ_DIR = np.array([[7, 0, 1], [6, -1, 2], [5, 4, 3]], np.int64)


@kernel
def targetable(S, b, v):
    """A living, damageable unit (not dying this tick, not a protected building)."""
    uv = S.units[b, v]
    return uv.alive != 0 and uv.hp > 0 and uv.invuln == 0


@kernel
def in_range(S, b, u, v):
    """Whether v is within u's attack range (buildings count half a tile closer: they fill their tile)."""
    r = S.units[b, u].attack_range
    return dist2(S, b, u, v) <= r * r


@kernel
def _keep(S, b, u, r):
    v = S.units[b, u].target
    if v < 0:
        return False
    if not targetable(S, b, v) or S.units[b, v].team == S.units[b, u].team:
        return False
    return dist2(S, b, u, v) <= r * r


# ---------------------------------------------------------------------------- creeps and summons
@kernel
def creep_ai(S, T, b):
    """Creeps walk their lane path toward the enemy core and fight enemies within aggro range."""
    t = S.games[b].tick
    un = S.units[b]
    S.games[b].front[:, :] = NONE
    aggro = T.aggro
    g = S.games[b]
    per_team = (un.shape[0] - SLOT_CREEP0) // 2
    for i in range(g.n_live):
        u = g.live[i]
        if u < SLOT_CREEP0:
            continue
        c = un[u]
        if c.alive == 0 or c.hp <= 0:
            continue
        team = c.team
        lane = c.lane
        if not _keep(S, b, u, aggro + 2.0):
            c.target = NONE
            if (t + u - team * per_team) % T.scan_every == 0:  # every scan_every_s, in step with the mirror creep
                c.target = nearest_enemy(S, T, b, u, aggro, KM_ALL)
        n = T.lane_len[team, lane]
        wp = c.path_index
        if wp + 1 < n and c.x == T.lane_path[team, lane, wp + 1, 0] and c.y == T.lane_path[team, lane, wp + 1, 1]:
            wp += 1
            c.path_index = wp
        nxt = min(wp + 1, n - 1)
        c.goal_x = T.lane_path[team, lane, nxt, 0]
        c.goal_y = T.lane_path[team, lane, nxt, 1]
        if wp > S.games[b].front[team, lane]:
            S.games[b].front[team, lane] = wp


@kernel
def summon_ai(S, T, b):
    """Summons guard their leader: they fight its target or enemies near it, and follow it."""
    t = S.games[b].tick
    un = S.units[b]
    for u in range(SLOT_SUMMON0, SLOT_CREEP0):
        s = un[u]
        if s.alive == 0 or s.hp <= 0:
            continue
        li = s.owner
        lu = SLOT_LEADER0 + li
        L = un[lu]
        owner_ok = L.alive != 0 and L.hp > 0
        if not _keep(S, b, u, T.aggro + 1.0):
            s.target = NONE
        if (t + u - 5 * SUMMONS_PER_LEADER * s.team) % T.scan_every == 0:  # in step with the other team's summon
            lt = L.target
            if owner_ok and lt >= 0 and targetable(S, b, lt) and un[lt].team != s.team and dist2(S, b, u, lt) <= 100:
                s.target = lt
            elif s.target < 0:
                s.target = nearest_enemy(S, T, b, u, T.aggro, KM_MOBILE)
        if owner_ok:
            if dist2(S, b, u, lu) > 64:  # leash: never stray far from the leader
                s.target = NONE
            s.goal_x = L.x
            s.goal_y = L.y
        else:
            s.goal_x = T.bld_xy[s.team, 0, 0]
            s.goal_y = T.bld_xy[s.team, 0, 1]


@kernel
def _tower_scan(S, T, b, u, aggro_since):
    """One pass over the grid around tower u: the closest enemy leader that hit an allied leader since
    ``aggro_since``, the closest creep or summon, the closest leader, and the creep/summon count."""
    un = S.units[b]
    w = un[u]
    x = np.int64(w.x)
    y = np.int64(w.y)
    r = w.attack_range
    nx = grid_dims(T)[0]
    cx0, cx1, cy0, cy1 = cell_range(T, x, y, r)
    g = S.games[b]
    gh = g.grid_head[1 - w.team]
    gn = g.grid_next
    r2 = r * r
    best_a = NONE
    best_c = NONE
    best_l = NONE
    big = np.int64(1) << 60
    da = big
    dc = big
    dl = big
    cover = 0
    for cy in range(cy0, cy1 + 1):
        for cx in range(cx0, cx1 + 1):
            v = gh[cy * nx + cx]
            while v >= 0:
                e = un[v]
                k = e.kind
                if e.alive != 0 and e.hp > 0 and k < K_TOWER:
                    dx = np.int64(e.x) - x
                    dy = np.int64(e.y) - y
                    d = dx * dx + dy * dy
                    if d <= r2:
                        if k == K_LEADER:
                            if e.aggro_tick >= aggro_since and (d < da or (d == da and v < best_a)):
                                da = d
                                best_a = v
                            if d < dl or (d == dl and v < best_l):
                                dl = d
                                best_l = v
                        else:
                            cover += 1
                            if d < dc or (d == dc and v < best_c):
                                dc = d
                                best_c = v
                v = gn[v]
    return best_a, best_c, best_l, cover


@kernel
def tower_ai(S, T, b):
    """Towers shoot the closest enemy in range: a leader that just hit an allied leader first,
    then creeps and summons, then leaders. ``cover`` counts enemy creeps and summons in range."""
    t = S.games[b].tick
    un = S.units[b]
    for team in range(2):
        for sub in range(4, N_BLD):
            u = team * N_BLD + sub
            w = un[u]
            if w.alive == 0 or w.hp <= 0:
                continue
            if (t + sub) % T.scan_every != 0:  # towers look around every scan_every_s
                if not _keep(S, b, u, w.attack_range):
                    w.target = NONE
                continue
            best_a, best_c, best_l, cover = _tower_scan(S, T, b, u, t - T.tower_aggro)
            w.cover = cover
            if best_a >= 0:
                w.target = best_a
            elif _keep(S, b, u, w.attack_range) and un[w.target].kind != K_LEADER:
                pass
            elif best_c >= 0:
                w.target = best_c
            else:
                w.target = best_l


# ---------------------------------------------------------------------------- movement
@kernel
def move_phase(S, T, b):
    """Movement economy: refill points each tick (capped at 100); 100 per orthogonal step, 141 per diagonal.

    ``refill`` is per tick: the content's ``refill_per_s`` over the tick rate (sim/world.py).

    A unit with a target out of range walks toward it; otherwise toward its goal (tx, ty).
    Stunned and rooted units refill nothing and do not move.

    Moves are simultaneous: every unit picks its step from the positions at the start of the phase
    (kept in the scratch ``buf[1]``), then all steps are taken, so neither team walks first.
    """
    t = S.games[b].tick
    un = S.units[b]
    stride = T.stride
    need_min = min(T.cost_o, T.cost_d, T.max_pts)
    g = S.games[b]
    step = g.buf[1]
    for i in range(g.n_live):
        step[i] = NONE
        u = g.live[i]
        if u < SLOT_LEADER0:
            continue
        m = un[u]
        if m.alive == 0 or m.hp <= 0:
            continue
        if m.stun_until > t or m.root_until > t:
            continue
        m.move_points = min(T.max_pts, m.move_points + m.refill)
        if m.move_points < need_min:
            continue
        v = m.target
        if v >= 0:
            if in_range(S, b, u, v):
                continue
            gx = un[v].x
            gy = un[v].y
        else:
            gx = m.goal_x
            gy = m.goal_y
        if gx == m.x and gy == m.y:
            continue
        ddx = gx - m.x
        ddy = gy - m.y
        if -1 <= ddx <= 1 and -1 <= ddy <= 1 and can_step(T, m.x, m.y, ADJ_DIR[ddy + 1, ddx + 1]):
            k = ADJ_DIR[ddy + 1, ddx + 1]  # the next tile of a path is adjacent: no search
        else:
            k = nav_dir(T, stride, m.x, m.y, gx, gy, m.team)
        step[i] = k
    for i in range(g.n_live):
        k = step[i]
        if k < 0:
            continue
        m = un[g.live[i]]
        cost = T.cost_d if (T.dirs[k, 0] != 0 and T.dirs[k, 1] != 0) else T.cost_o
        # a step needs its cost, or a full tank when it costs more than the cap (then the
        # points go negative: a diagonal is slower on average, as 141 vs 100 says)
        if m.move_points >= min(cost, T.max_pts):
            m.move_points -= cost
            m.x += T.dirs[k, 0]
            m.y += T.dirs[k, 1]


# ---------------------------------------------------------------------------- attacks
@kernel
def _launch(S, T, b, u, v, dmg):
    pr = S.proj[b]
    for p in range(pr.shape[0]):
        if pr[p].alive == 0:
            pr[p].alive = 1
            pr[p].src = u
            pr[p].dst = v
            pr[p].owner = S.units[b, u].owner
            pr[p].team = S.units[b, u].team
            pr[p].x = S.units[b, u].x
            pr[p].y = S.units[b, u].y - (T.floor.shape[0] - 1) * 0.5  # from the mid-line (PROJ_DTYPE)
            pr[p].dmg = dmg
            S.games[b].n_proj += 1
            return True
    return False


@kernel
def attack_phase(S, T, b):
    """Every unit whose attack is ready hits its target if in range: damage = max(1, atk - def).

    Attacks in one tick are simultaneous: a unit that takes lethal damage this tick still lands its
    own ready attack. Ranged leaders fire projectiles; towers and melee units hit at once.
    """
    t = S.games[b].tick
    un = S.units[b]
    g = S.games[b]
    for i in range(g.n_live):
        u = g.live[i]
        a = un[u]
        if a.alive == 0 or a.target < 0 or a.aspd <= 0:
            continue
        if t < a.next_attack or a.stun_until > t:
            continue
        v = a.target
        if un[v].alive == 0 or un[v].invuln != 0 or not in_range(S, b, u, v):
            continue
        dmg = max(1.0, a.atk - un[v].dfn)
        if a.kind == K_LEADER:
            dmg *= on_attack(S, T, b, u, v)
        interval = max(1, np.int64(T.attack_period / a.aspd + 0.5))  # attack speed: attacks per 10 s
        a.next_attack = t + interval
        if a.kind == K_TOWER:
            deal_damage(S, T, b, u, v, dmg, D_RANGED)
        elif a.ranged != 0:
            if not _launch(S, T, b, u, v, dmg):
                deal_damage(S, T, b, u, v, dmg, D_RANGED)
        else:
            deal_damage(S, T, b, u, v, dmg, D_MELEE)
    drain_reactions(S, T, b)


@kernel
def projectile_phase(S, T, b):
    """Projectiles fly toward their target's current tile and hit on arrival; a dead target's fizzle.

    ``T.proj_speed`` is tiles per tick: the content's ``projectile_speed_per_s`` over the tick rate.
    """
    g = S.games[b]
    if g.n_proj == 0:
        return
    pr = S.proj[b]
    un = S.units[b]
    sp = T.proj_speed
    # y is kept from the map's mid-line, so a flight and its mirror image round alike
    mid = (T.floor.shape[0] - 1) * 0.5
    for p in range(pr.shape[0]):
        q = pr[p]
        if q.alive == 0:
            continue
        v = q.dst
        if un[v].alive == 0 or un[v].hp <= 0:
            q.alive = 0
            g.n_proj -= 1
            continue
        dx = un[v].x - q.x
        dy = (un[v].y - mid) - q.y
        d = np.sqrt(dx * dx + dy * dy)
        if d <= sp:
            q.alive = 0
            g.n_proj -= 1
            deal_damage(S, T, b, q.src, v, q.dmg, D_RANGED)
        else:
            q.x += dx / d * sp
            q.y += dy / d * sp
    drain_reactions(S, T, b)
