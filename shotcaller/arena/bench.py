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
    """Agent steps per second of the native vector env, observations, masks and rewards included.

    ``mode="coach"``: B coaches choosing at random among their allowed choices against ``idle``; an agent
    step is a coach's decision (40 game ticks), so ``agent_steps_per_second`` equals
    ``decisions_per_second``. ``mode="micro"``: B games of ten leader agents each choosing at random among
    their allowed actions every tick; an agent step is one leader's action for one tick (10 B a step), and
    ``decisions_per_second`` counts the same (every agent decides every tick). ``ticks_per_second`` is the
    game ticks simulated meanwhile.
    """
    from shotcaller.envs import vector_env

    if mode not in ("coach", "micro"):
        raise ValueError(f"--env must be 'coach' or 'micro', got {mode!r}")
    parallel = threads > 1
    if parallel:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    warm = vector_env(1, mode=mode, threads=parallel)
    _, info = warm.reset(seed=0)
    nvec = _nvec(warm)
    warm.step(masked_random(info["action_mask"], nvec, rng).reshape(warm.action_space.shape))  # compile outside
    results = []
    for B in batches:
        env = vector_env(B, mode=mode, threads=parallel)
        _, info = env.reset(seed=1000)
        shape = env.action_space.shape
        steps, ends = 0, 0
        t0 = time.perf_counter()
        c0 = time.process_time()
        while True:
            _, _, term, trunc, info = env.step(masked_random(info["action_mask"], nvec, rng).reshape(shape))
            steps += 1
            ends += int(term.sum() + trunc.sum())
            dt = time.perf_counter() - t0
            if dt >= seconds:
                break
        cpu = time.process_time() - c0
        agents = env.num_envs  # coach: B coaches; micro: 10 B leaders
        decisions = steps * agents
        ticks = steps * B * (env.decide_every if mode == "coach" else 1)
        results.append(
            {
                "batch": B,
                "agents": agents,
                "decisions_per_second": round(decisions / dt, 1),
                "agent_steps_per_second": round(decisions / dt, 1),
                "cpu_decisions_per_second": round(decisions / cpu, 1),
                "ticks_per_second": round(ticks / dt, 1),
                "seconds": round(dt, 2),
                "decisions": decisions,
                "matches_finished": ends // (1 if mode == "coach" else 10),
            }
        )
        env.close()
    return {"env": mode, "threads": threads, "results": results, "rss_mb": round(peak_rss_mb(), 1)}


def _nvec(env: Any) -> np.ndarray:
    """The choices of each part of one sub-environment's action (a Discrete is one part)."""
    space = env.single_action_space
    if hasattr(space, "nvec"):
        return np.asarray(space.nvec)
    return np.array([space.n])
