"""``step``: the game as a pure function over a batch of matches.

One tick is the ordered list of phases in :func:`shotcaller.sim.kernels.tick`; if a rule is not in
that list, it is not in the game. This module is the Python face of the compiled kernels, which come
from :mod:`shotcaller.sim.backend` (ahead-of-time compiled when built, else Numba's JIT).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim.backend import kernels
from shotcaller.sim.state import Arrays, State, alloc_arrays
from shotcaller.sim.world import World


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
    kernels(world).reset(A, world.rec, seeds, drafts)
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
    K = kernels(state.world)
    run = K.run_parallel if parallel else K.run
    run(A, state.world.rec, orders_arr, n, int(n_ticks), no_draft)
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


__all__ = ["Events", "new_state", "step", "step_inplace", "Arrays"]
