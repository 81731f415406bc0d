"""The compiled tick: the phases in rulebook order, and the batch loops (single- and multi-threaded)."""

from __future__ import annotations

import numba as nb
import numpy as np

from shotcaller.sim._jit import entry, kernel
from shotcaller.sim.buildings import building_phase
from shotcaller.sim.combat import (
    attack_phase,
    creep_ai,
    move_phase,
    projectile_phase,
    summon_ai,
    tower_ai,
)
from shotcaller.sim.core import build_grid, refresh_stats
from shotcaller.sim.economy import economy_phase, end_phase, resolve_deaths
from shotcaller.sim.leader_ai import leader_ai
from shotcaller.sim.orders import apply_due, submit
from shotcaller.sim.skills import dot_phase, skills_phase
from shotcaller.sim.spawn import reset_game, spawn_waves
from shotcaller.sim.vision import vision_phase


@kernel
def stats_phase(S, T, b):
    """Refresh effective stats of units whose effectors changed or expired."""
    t = S.games[b].tick
    un = S.units[b]
    g = S.games[b]
    n_dot = 0
    for i in range(g.n_live):
        u = g.live[i]
        if un[u].dirty != 0 or t >= un[u].next_expire:
            refresh_stats(S, T, b, u)
        if un[u].dot > 0:
            n_dot += 1
    g.n_dot = n_dot


@kernel
def tick(S, T, b):
    """Advance game b by one tick."""
    stats_phase(S, T, b)
    build_grid(S, T, b)
    apply_due(S, T, b)
    building_phase(S, T, b)
    leader_ai(S, T, b)
    creep_ai(S, T, b)
    summon_ai(S, T, b)
    tower_ai(S, T, b)
    move_phase(S, T, b)
    attack_phase(S, T, b)
    projectile_phase(S, T, b)
    skills_phase(S, T, b, T.ai_every)
    dot_phase(S, T, b)
    resolve_deaths(S, T, b)
    economy_phase(S, T, b)
    spawn_waves(S, T, b)
    if S.games[b].tick % T.vis_every == 0:
        vision_phase(S, T, b)
    end_phase(S, T, b)
    S.games[b].tick += 1


@kernel
def _next_seed(seed, episode):
    z = np.uint64(seed) + np.uint64(episode) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.int64(z >> np.uint64(2))


@kernel
def run_game(S, T, orders, n_orders, n_ticks, no_draft, b):
    """Advance game b up to n_ticks; orders[b, :n_orders[b]] are issued at the first tick.

    A finished game stays put, or with ``T.autoreset`` starts a new match from a derived seed.
    """
    g = S.games[b]
    g.n_events = 0
    g.dropped = 0
    if n_orders[b] > 0 and (g.done == 0 or T.autoreset == 0):
        submit(S, T, b, orders[b], n_orders[b])  # a finished game rejects them: "the match is over"
    for k in range(n_ticks):
        if g.done != 0:
            if T.autoreset != 0:
                reset_game(S, T, b, _next_seed(g.seed, g.episode), no_draft)
                if k == 0 and n_orders[b] > 0:
                    submit(S, T, b, orders[b], n_orders[b])
            else:
                break
        tick(S, T, b)


@entry
def run_kernel(S, T, orders, n_orders, n_ticks, no_draft):
    """Advance every game of the batch, one after the other, on this thread."""
    for b in range(S.games.shape[0]):
        run_game(S, T, orders, n_orders, n_ticks, no_draft, b)


@nb.njit(cache=True, parallel=True, error_model="numpy")
def run_kernel_parallel(S, T, orders, n_orders, n_ticks, no_draft):
    """Like :func:`run_kernel`, with the games spread over Numba's threads (games are independent)."""
    for b in nb.prange(S.games.shape[0]):
        run_game(S, T, orders, n_orders, n_ticks, no_draft, b)


@entry
def reset_kernel(S, T, seeds, drafts):
    """Reset every game b from seeds[b] with drafts[b] (-1 row for random)."""
    for b in range(S.games.shape[0]):
        S.games[b].episode = 0
        reset_game(S, T, b, seeds[b], drafts[b])
        stats_phase(S, T, b)
        build_grid(S, T, b)
        vision_phase(S, T, b)
