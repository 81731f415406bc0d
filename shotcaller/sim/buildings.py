"""Structures that hold early: backdoor protection and each building's threat (docs/rules.md "Buildings").

The damage side lives in :func:`shotcaller.sim.core.building_armour` (early tower armour, backdoor
armour), applied by ``deal_damage``; the protection order (which buildings are invulnerable) is in
:mod:`shotcaller.sim.economy`, where deaths change it.
"""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.layout import K_CREEP, K_LEADER, N_BLD, SLOT_CREEP0, SLOT_LEADER0, SLOT_SUMMON0


@kernel
def _lowest_bit(m):
    """Index of the lowest set bit of m (m != 0)."""
    i = 0
    while (m >> i) & 1 == 0:
        i += 1
    return i


@kernel
def building_phase(S, T, b):
    """Every scan: backdoor protection on or off, regeneration of the damage taken under it, threat.

    A building is backdoor-protected while no enemy lane creep stands within ``backdoor_radius`` (summons
    and leaders do not lift it); it then regenerates ``backdoor_regen_per_s`` of the damage it took while
    protected. ``threat`` counts the visible enemy leaders within ``threat_radius`` plus
    ``threat_per_creep`` per enemy creep there (what the leader AI defends against).

    Each building scans every ``scan_every`` ticks, staggered by its index. The scan goes over the living
    leaders and creeps once, each looking up the buildings near its tile in ``T.bld_near`` (a bitmask
    per tile), rather than every due building walking the grid cells around it: the same counts, for a
    fraction of the work. The table only narrows the candidates (distances are tested exactly), so a
    building standing away from its map tile (only scenarios move one) is simply a candidate for every
    unit.
    """
    t = S.games[b].tick
    g = S.games[b]
    un = S.units[b]
    # the buildings due this tick and alive (bit u: slot u); ``moved``: those away from their map tiles
    due = np.int64(0)
    moved = np.int64(0)
    for team in range(2):
        for sub in range(N_BLD):
            if (t + sub) % T.scan_every != 0:  # the tick first: most ticks scan no building
                continue
            u = team * N_BLD + sub
            w = un[u]
            if w.alive == 0 or w.hp <= 0:
                continue
            due |= np.int64(1) << u
            if w.x != T.bld_xy[team, sub, 0] or w.y != T.bld_xy[team, sub, 1]:
                moved |= np.int64(1) << u
    if due == 0:
        return
    # counters by building slot: creeps within bd_radius, seen leaders and seen creeps within threat_radius
    cnt = g.buf[1]
    for u in range(2 * N_BLD):
        cnt[u] = 0
        cnt[2 * N_BLD + u] = 0
        cnt[4 * N_BLD + u] = 0
    bd2 = T.bd_radius * T.bd_radius
    th2 = T.threat_radius * T.threat_radius
    team_bits = (np.int64(1) << N_BLD) - 1
    for i in range(g.n_live):
        v = g.live[i]
        if v < SLOT_LEADER0 or (v >= SLOT_SUMMON0 and v < SLOT_CREEP0):  # buildings and summons count not
            continue
        e = un[v]
        k = e.kind
        if (k != K_LEADER and k != K_CREEP) or e.alive == 0 or e.hp <= 0:
            continue
        # the due buildings of the other team that may be near v: by v's tile, or moved
        m = ((np.int64(T.bld_near[e.y, e.x]) & due) | moved) & (team_bits << ((1 - e.team) * N_BLD))
        while m != 0:
            u = _lowest_bit(m)
            m &= m - 1
            w = un[u]
            dx = np.int64(e.x) - np.int64(w.x)
            dy = np.int64(e.y) - np.int64(w.y)
            d = dx * dx + dy * dy
            if k == K_CREEP and d <= bd2:
                cnt[u] += 1
            if d <= th2 and g.vis[w.team, v] != 0:
                if k == K_LEADER:
                    cnt[2 * N_BLD + u] += 1
                else:
                    cnt[4 * N_BLD + u] += 1
    regen = T.bd_regen * T.scan_every
    for u in range(2 * N_BLD):
        if (due >> u) & 1 == 0:
            continue
        creeps = np.int64(cnt[u])
        threat = np.int64(cnt[2 * N_BLD + u]) + np.int64(cnt[4 * N_BLD + u]) * T.threat_creep
        w = un[u]
        w.threat = threat
        w.backdoor = 1 if (creeps == 0 and T.bd_armour > 0) else 0
        if w.backdoor != 0 and w.backdoor_pool > 0 and regen > 0:
            h = min(regen, w.backdoor_pool, w.max_hp - w.hp)
            if h > 0:
                w.hp += h
            w.backdoor_pool -= min(regen, w.backdoor_pool)
