"""Team vision (docs/design.md section 6): each team sees what its units see; forest blocks sight."""

from __future__ import annotations

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import seen_by, sight_radius
from shotcaller.sim.layout import N_BLD

__all__ = ["sight_radius", "vision_phase"]


@kernel
def vision_phase(S, T, b):
    """Recompute which units each team sees; remember the last seen health of enemy buildings."""
    un = S.units[b]
    U = un.shape[0]
    g = S.games[b]
    rmax = max(T.vis_leader, T.vis_creep, T.vis_summon, T.vis_tower, T.vis_barracks, T.vis_core)
    for team in range(2):
        vis = g.vis[team]
        for u in range(U):
            w = un[u]
            if w.alive == 0:
                vis[u] = 0
            elif w.team == team:
                vis[u] = 1
            else:
                seen = seen_by(S, T, b, team, w.x, w.y, rmax)
                vis[u] = 1 if seen else 0
                if seen and u < 2 * N_BLD:
                    g.seen_hp[team, u] = w.hp
