"""Throughput benchmark: full 5v5 matches with leader AIs, creeps and towers, auto-resetting."""

from __future__ import annotations

import resource
import time
from typing import Any

import numpy as np

from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, State, build_world, new_state, step_inplace
from shotcaller.sim.state import Arrays
from shotcaller.sim.world import World

MATCH_TICKS = 16000  # about the length of a default match


def staggered_state(world: World, batch: int, first_seed: int = 1000) -> State:
    """``batch`` games at evenly spread stages of a match, so a short measurement sees early,
    mid and late game in the proportions a long auto-resetting run would."""
    parts = []
    for b in range(batch):
        st = new_state(world, [first_seed + b])
        ahead = (b * MATCH_TICKS) // batch
        if ahead:
            step_inplace(st, None, ahead)
        parts.append(st.arrays)
    return State(Arrays(*(np.concatenate(cols) for cols in zip(*parts, strict=True))), world)


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(
    batches: list[int], seconds: float = 5.0, chunk: int = 200, map_name: str = "map.txt", threads: int = 1
) -> dict[str, Any]:
    """Game ticks per second for each batch size, one process, one thread (or ``threads`` Numba
    threads over the games of the batch; the single-thread figure is the headline).

    Every game plays real matches with the default plan and restarts when one ends; the games start
    at staggered stages of a match (see :func:`staggered_state`). Also reports CPU-time throughput,
    which a busy machine disturbs less than wall time.
    """
    world = build_world(load_content(map_name=map_name), SimConfig(map_name=map_name), Params(autoreset=True))
    parallel = threads > 1
    if parallel:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    results = []
    warm = new_state(world, [0])
    step_inplace(warm, None, 2)  # compile (or load the cache) outside the timing
    for B in batches:
        state = staggered_state(world, B)
        step_inplace(state, None, chunk, parallel=parallel)
        ticks = 0
        t0 = time.perf_counter()
        c0 = time.process_time()
        while True:
            step_inplace(state, None, chunk, parallel=parallel)
            ticks += B * chunk
            dt = time.perf_counter() - t0
            if dt >= seconds:
                break
        cpu = time.process_time() - c0
        episodes = int(state.arrays.games["episode"].sum() - B)
        results.append(
            {
                "batch": B,
                "ticks_per_second": round(ticks / dt, 1),
                "cpu_ticks_per_second": round(ticks / cpu, 1),
                "seconds": round(dt, 2),
                "ticks": ticks,
                "matches_finished": episodes,
            }
        )
    # one 15-minute match (18,000 ticks) from the start, B = 1, best of 3
    match_s = min(_time_match(world) for _ in range(3))
    from shotcaller.sim.backend import kernels

    return {
        "backend": kernels(world).name,
        "threads": threads,
        "results": results,
        "match_18000_ticks_seconds": round(match_s, 4),
        "rss_mb": round(peak_rss_mb(), 1),
    }


def _time_match(world: World, ticks: int = 18000) -> float:
    st = new_state(world, [7])
    t0 = time.perf_counter()
    step_inplace(st, None, ticks)
    return time.perf_counter() - t0


def masked_random(masks: np.ndarray, nvec: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One uniformly random allowed choice per part of each game's action: ``masks`` (B, sum(nvec)) ->
    (B, len(nvec)) (vectorised: the allowed choice with the largest random key)."""
    keys = rng.random(masks.shape) * (masks > 0)
    out = np.empty((masks.shape[0], len(nvec)), np.int64)
    start = 0
    for k, n in enumerate(nvec):
        out[:, k] = keys[:, start : start + n].argmax(axis=1)
        start += n
    return out


def bench_env(mode: str, batches: list[int], seconds: float = 5.0, threads: int = 1) -> dict[str, Any]:
    """Decisions per second of the native vector env (``mode="coach"``): B coaches choosing at random
    among their allowed choices against ``idle``, observations, masks and rewards included.

    ``agent_steps_per_second`` counts one step of one agent (a coach's decision); in coach mode it equals
    ``decisions_per_second``. ``ticks_per_second`` is the game ticks simulated meanwhile (40 a decision).
    """
    from shotcaller.envs import vector_env

    if mode != "coach":
        raise ValueError(f"--env must be 'coach' (the micro mode is not built yet), got {mode!r}")
    parallel = threads > 1
    if parallel:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    warm = vector_env(1, threads=parallel)
    _, info = warm.reset(seed=0)
    warm.step(masked_random(info["action_mask"], warm.single_action_space.nvec, rng))  # compile outside the timing
    results = []
    for B in batches:
        env = vector_env(B, threads=parallel)
        _, info = env.reset(seed=1000)
        nvec = env.single_action_space.nvec
        steps, ends = 0, 0
        t0 = time.perf_counter()
        c0 = time.process_time()
        while True:
            _, _, term, _, info = env.step(masked_random(info["action_mask"], nvec, rng))
            steps += 1
            ends += int(term.sum())
            dt = time.perf_counter() - t0
            if dt >= seconds:
                break
        cpu = time.process_time() - c0
        decisions = steps * B
        results.append(
            {
                "batch": B,
                "decisions_per_second": round(decisions / dt, 1),
                "agent_steps_per_second": round(decisions / dt, 1),
                "cpu_decisions_per_second": round(decisions / cpu, 1),
                "ticks_per_second": round(decisions * env.decide_every / dt, 1),
                "seconds": round(dt, 2),
                "decisions": decisions,
                "matches_finished": ends,
            }
        )
        env.close()
    return {"env": mode, "threads": threads, "results": results, "rss_mb": round(peak_rss_mb(), 1)}
