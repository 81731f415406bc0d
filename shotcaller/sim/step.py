"""``step``: the game as a pure function over a batch of matches.

One tick is the ordered list of phases below; if a rule is not in this list, it is not in the game.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim._jit import entry, kernel
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
from shotcaller.sim.state import Arrays, State, alloc_arrays
from shotcaller.sim.vision import vision_phase
from shotcaller.sim.world import World


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


@dataclass
class Events:
    """Events of one ``step`` call: ``data`` (B, EV, 6) rows (tick, kind, a, b, c, d), ``count`` (B,)."""

    data: np.ndarray
    count: np.ndarray
    dropped: np.ndarray

    def of(self, b: int) -> np.ndarray:
        """(n, 6) event rows of game b."""
        return self.data[b, : self.count[b]]

    def decoded(self, b: int) -> list[dict[str, int | str]]:
        """Game b's events as dicts with readable kind names."""
        out: list[dict[str, int | str]] = []
        for row in self.of(b):
            t, k, a, bb, c, d = (int(x) for x in row)
            out.append({"tick": t, "kind": L.EVENT_NAMES[k], "a": a, "b": bb, "c": c, "d": d})
        return out


NO_ORDERS = np.zeros((1, 0, 5), np.int32)


def new_state(world: World, seeds: int | list[int] | np.ndarray, drafts: np.ndarray | None = None) -> State:
    """A batch of fresh matches, one per seed.

    Args:
        world: the static tables (:func:`shotcaller.sim.build_world`).
        seeds: one seed per game (an int makes B=1).
        drafts: optional (B, 10) hero ids, blue 0..4 then red 0..4; -1 rows draft at random.
    """
    try:
        seeds = np.atleast_1d(np.asarray(seeds, dtype=np.int64))
    except OverflowError:
        raise ValueError(f"seeds must fit in 64-bit signed integers, got {seeds!r}") from None
    B = len(seeds)
    if drafts is None:
        drafts = np.full((B, 10), -1, np.int8)
    drafts = np.asarray(drafts, dtype=np.int8).reshape(B, 10)
    for row in drafts:
        if row[0] >= 0 and sorted(row.tolist()) != list(range(10)):
            raise ValueError(f"a draft must name each of the 10 leaders once, got {row.tolist()}")
    A = alloc_arrays(world, B)
    reset_kernel(A, world.rec, seeds, drafts)
    return State(A, world)


def step_inplace(state: State, orders: np.ndarray | None = None, n_ticks: int = 1, parallel: bool = False) -> Events:
    """Advance ``state`` in place (the fast path for benchmarks and vector envs).

    ``parallel=True`` spreads the games over Numba's worker threads (``numba.set_num_threads``); the
    results are identical to the single-threaded run.
    """
    A = state.arrays
    B = A.games.shape[0]
    if orders is None:
        orders_arr = np.zeros((B, 1, 5), np.int32)
        n = np.zeros(B, np.int64)
    else:
        orders_arr = np.ascontiguousarray(orders, dtype=np.int32)
        if orders_arr.ndim != 3 or orders_arr.shape[0] != B or orders_arr.shape[2] != 5:
            raise ValueError(f"orders must have shape (B={B}, K, 5), got {orders_arr.shape}")
        n = np.full(B, orders_arr.shape[1], np.int64)
    no_draft = np.full(10, -1, np.int8)
    kern = run_kernel_parallel if parallel else run_kernel
    kern(A, state.world.rec, orders_arr, n, int(n_ticks), no_draft)
    return Events(A.events, A.games["n_events"].copy(), A.games["dropped"].copy())


def step(state: State, orders: np.ndarray | None = None, n_ticks: int = 1) -> tuple[State, Events]:
    """Pure step: returns a new state advanced ``n_ticks`` ticks and the events of those ticks.

    Args:
        state: the current batch (left unchanged).
        orders: (B, K, 5) int rows ``(team, leader, kind, a, b)`` issued now; kind 0 rows are padding.
            ``leader`` is 0..4 or -1 for the whole team. See :mod:`shotcaller.sim.layout` for kinds.
        n_ticks: ticks to advance (finished games stop unless ``Params.autoreset``).
    """
    new = state.copy()
    events = step_inplace(new, orders, n_ticks)
    events = Events(events.data.copy(), events.count, events.dropped)
    return new, events


__all__ = ["Events", "new_state", "step", "step_inplace", "tick", "Arrays"]
