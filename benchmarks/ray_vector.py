"""Coach decisions per second of the native vector env, local against sharded over Ray actors.

    python benchmarks/ray_vector.py [--batch 64] [--workers 2] [--seconds 20] [--ray-address ADDR]

Both envs play B games of random allowed choices (``shotcaller.arena.bench.masked_random``) against
``idle`` from the same seed, observations, masks and rewards included, for ``--seconds`` each after a
warm-up step. The Ray env starts a local Ray instance with ``--workers`` CPUs (or joins ``--ray-address``)
and moves every step's observations through Ray's object store. Prints both figures.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

from shotcaller.arena.bench import masked_random


def measure(env: Any, seconds: float) -> tuple[float, int]:
    """(decisions per second, decisions) of ``env`` stepped with random allowed choices for ``seconds``."""
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=1000)
    nvec = env.single_action_space.nvec
    _, _, _, _, info = env.step(masked_random(info["action_mask"], nvec, rng))  # warm-up, outside the timing
    steps, t0 = 0, time.perf_counter()
    while (dt := time.perf_counter() - t0) < seconds:
        _, _, _, _, info = env.step(masked_random(info["action_mask"], nvec, rng))
        steps += 1
    return steps * env.num_envs / dt, steps * env.num_envs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--ray-address", default=None)
    args = p.parse_args()
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a local instance stays on loopback
    import ray

    from shotcaller.envs import vector_env

    local = vector_env(args.batch)
    rate, n = measure(local, args.seconds)
    local.close()
    print(f"local: {rate:,.0f} decisions/s (B={args.batch}, one process, {n:,} decisions)")
    if args.ray_address is None:
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False, logging_level="warning")
    remote = vector_env(args.batch, backend="ray", workers=args.workers, ray_address=args.ray_address)
    rate, n = measure(remote, args.seconds)
    remote.close()
    print(f"ray:   {rate:,.0f} decisions/s (B={args.batch} over {args.workers} actors, {n:,} decisions)")


if __name__ == "__main__":
    main()
