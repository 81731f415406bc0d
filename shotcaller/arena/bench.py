"""Throughput benchmark: full 5v5 matches with leader AIs, creeps and towers, auto-resetting."""

from __future__ import annotations

import resource
import time
from typing import Any

import numpy as np

from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(batches: list[int], seconds: float = 5.0, chunk: int = 200, map_name: str = "map.txt") -> dict[str, Any]:
    """Game ticks per second for each batch size, one process, one thread.

    Every game plays real matches with the default plan and restarts when one ends.
    """
    world = build_world(load_content(map_name=map_name), SimConfig(map_name=map_name), Params(autoreset=True))
    results = []
    warm = new_state(world, [0])
    step_inplace(warm, None, 2)  # compile (or load the cache) outside the timing
    for B in batches:
        state = new_state(world, np.arange(B, dtype=np.int64) + 1000)
        step_inplace(state, None, chunk)
        ticks = 0
        t0 = time.perf_counter()
        while True:
            step_inplace(state, None, chunk)
            ticks += B * chunk
            dt = time.perf_counter() - t0
            if dt >= seconds:
                break
        episodes = int(state.arrays.games["episode"].sum() - B)
        results.append(
            {
                "batch": B,
                "ticks_per_second": round(ticks / dt, 1),
                "seconds": round(dt, 2),
                "ticks": ticks,
                "matches_finished": episodes,
            }
        )
    return {"results": results, "rss_mb": round(peak_rss_mb(), 1)}
