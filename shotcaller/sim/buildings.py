"""Structures that hold early: backdoor protection and each building's threat (docs/rules.md "Buildings").

The damage side lives in :func:`shotcaller.sim.core.building_armour` (early tower armour, backdoor
armour), applied by ``deal_damage``; the protection order (which buildings are invulnerable) is in
:mod:`shotcaller.sim.economy`, where deaths change it.
"""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import cell_range, grid_dims
from shotcaller.sim.layout import K_CREEP, K_LEADER, K_TOWER, N_BLD


@kernel
def _scan(S, T, b, u, r):
    """Enemy creeps within ``T.bd_radius``, and the threat within ``T.threat_radius``, of building u."""
    un = S.units[b]
    w = un[u]
    team = w.team
    x = np.int64(w.x)
    y = np.int64(w.y)
    nx = grid_dims(T)[0]
    cx0, cx1, cy0, cy1 = cell_range(T, x, y, r)
    g = S.games[b]
    gh = g.grid_head[1 - team]
    gn = g.grid_next
    bd2 = T.bd_radius * T.bd_radius
    th2 = T.threat_radius * T.threat_radius
    creeps = 0
    seen_leaders = 0
    seen_creeps = 0
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
                    if k == K_CREEP and d <= bd2:
                        creeps += 1
                    if d <= th2 and g.vis[team, v] != 0:
                        if k == K_LEADER:
                            seen_leaders += 1
                        elif k == K_CREEP:
                            seen_creeps += 1
                v = gn[v]
    # counted first, summed once: the same in any grid order (mirrored matches stay mirrored)
    return creeps, seen_leaders + seen_creeps * T.threat_creep


@kernel
def building_phase(S, T, b):
    """Every scan: backdoor protection on or off, regeneration of the damage taken under it, threat.

    A building is backdoor-protected while no enemy lane creep stands within ``backdoor_radius`` (summons
    and leaders do not lift it); it then regenerates ``backdoor_regen_per_s`` of the damage it took while
    protected. ``threat`` counts the visible enemy leaders within ``threat_radius`` plus
    ``threat_per_creep`` per enemy creep there (what the leader AI defends against).
    """
    t = S.games[b].tick
    un = S.units[b]
    r = max(T.bd_radius, T.threat_radius)
    regen = T.bd_regen * T.scan_every
    for team in range(2):
        for sub in range(N_BLD):
            if (t + sub) % T.scan_every != 0:  # the tick first: most ticks scan no building
                continue
            u = team * N_BLD + sub
            w = un[u]
            if w.alive == 0 or w.hp <= 0:
                continue
            creeps, threat = _scan(S, T, b, u, r)
            w.threat = threat
            w.backdoor = 1 if (creeps == 0 and T.bd_armour > 0) else 0
            if w.backdoor != 0 and w.backdoor_pool > 0 and regen > 0:
                h = min(regen, w.backdoor_pool, w.max_hp - w.hp)
                if h > 0:
                    w.hp += h
                w.backdoor_pool -= min(regen, w.backdoor_pool)
