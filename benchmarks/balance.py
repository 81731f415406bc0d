"""Balance smoke: default-vs-default over many seeds with random drafts; prints the figures.

python benchmarks/balance.py [N_SEEDS]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from shotcaller.content import load_content
from shotcaller.sim import build_world, new_state, step_inplace


def run(n: int = 100, first_seed: int = 0) -> dict[str, float]:
    """Play n matches at once (B = n) to the end; return win rates and length statistics."""
    world = build_world(load_content())
    state = new_state(world, np.arange(first_seed, first_seed + n))
    limit = int(world.rec["time_limit"])
    while not state.done.all() and state.tick.max() < limit + 1:
        step_inplace(state, None, 1200)
    g = state.arrays.games
    tps = float(world.rec["tps"])
    minutes = g["end_tick"] / tps / 60
    core = g["end_reason"] == 0
    return {
        "matches": n,
        "core_destroyed": float(core.mean()),
        "blue": float((g["winner"] == 0).mean()),
        "red": float((g["winner"] == 1).mean()),
        "draw": float((g["winner"] == 2).mean()),
        "median_minutes": float(np.median(minutes)),
        "p10_minutes": float(np.percentile(minutes, 10)),
        "p90_minutes": float(np.percentile(minutes, 90)),
        "mean_kills": float(state.arrays.leaders["kills"].sum(axis=1).mean()),
        "mean_buildings_lost": float(state.arrays.teams["buildings_lost"].sum(axis=1).mean()),
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    t = time.time()
    res = run(n)
    for k, v in res.items():
        print(f"{k:>20}: {v:.3f}" if isinstance(v, float) else f"{k:>20}: {v}")
    print(f"{'wall seconds':>20}: {time.time() - t:.1f}")
