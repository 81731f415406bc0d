"""Team vision (DESIGN.md section 6): each team sees what its units see; forest blocks sight."""

from __future__ import annotations

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import query
from shotcaller.sim.layout import (
    K_BARRACKS,
    K_CORE,
    K_CREEP,
    K_LEADER,
    K_TOWER,
    KM_ALL,
    N_BLD,
)
from shotcaller.sim.world import line_of_sight


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


@kernel
def vision_phase(S, T, b):
    """Recompute which units each team sees; remember the last seen health of enemy buildings."""
    un = S.units[b]
    U = un.shape[0]
    rmax = max(T.vis_leader, T.vis_creep, T.vis_summon, T.vis_tower, T.vis_barracks, T.vis_core)
    out = S.games[b].buf[1]
    for team in range(2):
        vis = S.games[b].vis[team]
        for u in range(U):
            w = un[u]
            if w.alive == 0:
                vis[u] = 0
                continue
            if w.team == team:
                vis[u] = 1
                continue
            seen = 0
            n = query(S, T, b, team, w.x, w.y, rmax, KM_ALL, out)
            for i in range(n):
                v = out[i]
                r = sight_radius(T, un[v].kind)
                dx = un[v].x - w.x
                dy = un[v].y - w.y
                if dx * dx + dy * dy <= r * r and line_of_sight(T, un[v].x, un[v].y, w.x, w.y):
                    seen = 1
                    break
            vis[u] = seen
            if seen != 0 and u < 2 * N_BLD:
                S.games[b].seen_hp[team, u] = w.hp
