"""Side balance: how often blue (team 0) wins when both sides field the same lineups, swapped.

    python benchmarks/side_balance.py [--pairs 1000] [--first-seed 0] [--workers 1] [--batch 250]

Each pair is one random draft (the simulation's own, drawn from the seed) played twice with the same
seed: as drawn, then with the two lineups swapped between the sides. Both sides follow the default
plan (no coach orders). Any lineup edge cancels within a pair, so blue's win rate over all the games
measures the side's edge alone (issue 9: the first pick is always blue, so a side edge is a first-pick
edge). A draw counts half a win and is also reported on its own; intervals are Wilson 95% score
intervals. Also printed: blue's win rate split by which side destroyed the first building (tower) and
which side got the first leader kill, each with how often that side was blue.

The games run batched in the compiled core (``new_state`` with fixed drafts, ``step_inplace``);
``--workers`` spreads the batches over that many processes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from shotcaller.arena.ratings import wilson
from shotcaller.cli.parser import positive_int
from shotcaller.content import load_content
from shotcaller.sim import build_world, new_state, step_inplace
from shotcaller.sim.layout import E_BUILDING, E_KILL, K_LEADER
from shotcaller.sim.world import World

CHUNK = 200  # ticks per step_inplace call: the event buffer (1024 a game) holds far more than that

_WORLD: World | None = None


def _world() -> World:
    global _WORLD
    if _WORLD is None:
        _WORLD = build_world(load_content())
    return _WORLD


def random_drafts(world: World, seeds: np.ndarray) -> np.ndarray:
    """(N, 10) the simulation's random draft for each seed (blue 0..4, red 0..4)."""
    return new_state(world, seeds).arrays.games["draft"].astype(np.int8).copy()


def play(seeds: np.ndarray, drafts: np.ndarray) -> np.ndarray:
    """Play one batch to the end; returns (N, 4) int rows: winner (0 blue, 1 red, 2 draw), end tick,
    the team that destroyed the first building (-1 none), the team that got the first leader kill (-1 none)."""
    world = _world()
    limit = int(world.rec["time_limit"])
    state = new_state(world, seeds, drafts)
    n = len(seeds)
    first_bld = np.full(n, -1, np.int64)
    first_kill = np.full(n, -1, np.int64)
    while not state.done.all() and state.tick.max() <= limit:
        ev = step_inplace(state, None, CHUNK)
        if ev.dropped.any():
            raise RuntimeError("event buffer overflow: lower CHUNK")
        for b in range(n):
            if first_bld[b] >= 0 and first_kill[b] >= 0:
                continue
            rows = ev.of(b)
            if first_bld[b] < 0:
                hit = rows[rows[:, 1] == E_BUILDING]
                if len(hit):
                    first_bld[b] = 1 - hit[0, 2]  # a: the team that lost it
            if first_kill[b] < 0:
                hit = rows[(rows[:, 1] == E_KILL) & (rows[:, 5] == K_LEADER)]
                if len(hit):
                    victim = int(hit[0, 2])
                    first_kill[b] = 1 - int(state.arrays.units[b, victim]["team"])
    g = state.arrays.games
    return np.stack([g["winner"].astype(np.int64), g["end_tick"].astype(np.int64), first_bld, first_kill], axis=1)


def _play_job(job: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return play(*job)


def blue_rate(winner: np.ndarray) -> tuple[float, int, str]:
    """(blue's win rate, games, 'a% – b%') with draws as half a win."""
    n = len(winner)
    pts = float((winner == 0).sum() + 0.5 * (winner == 2).sum())
    if n == 0:
        return float("nan"), 0, "–"
    lo, hi = wilson(pts, n)
    return pts / n, n, f"{lo:.1%} – {hi:.1%}"


def report(res: np.ndarray, tps: int) -> list[str]:
    winner, end_tick, first_bld, first_kill = res.T
    p, n, ci = blue_rate(winner)
    lines = [
        f"blue wins {p:.1%} (95% CI {ci}) of {n} games; {int((winner == 2).sum())} draws;"
        f" median length {statistics.median((end_tick / tps / 60).tolist()):.1f} min;"
        f" {float((res[:, 0] != 2).mean()):.1%} decided",
    ]
    for name, first in (("first building", first_bld), ("first leader kill", first_kill)):
        nb = int((first == 0).sum())
        nr = int((first == 1).sum())
        nn = int((first < 0).sum())
        lines.append(f"{name}: blue {nb / n:.1%}, red {nr / n:.1%}, none {nn / n:.1%}")
        for side, code in (("blue", 0), ("red", 1)):
            sp, sn, sci = blue_rate(winner[first == code])
            if sn:
                lines.append(f"  {side} took it: blue wins {sp:.1%} ({sci}) of {sn}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=positive_int, default=1000, help="random drafts, each played from both sides")
    ap.add_argument("--first-seed", type=int, default=0, help="seed of the first pair; the others follow")
    ap.add_argument("--workers", type=positive_int, default=1, help="processes playing batches")
    ap.add_argument("--batch", type=positive_int, default=250, help="games per batch in the compiled core")
    args = ap.parse_args(argv)
    world = _world()
    seeds = np.arange(args.first_seed, args.first_seed + args.pairs, dtype=np.int64)
    drafts = random_drafts(world, seeds)
    # game 2k: the draft as drawn; game 2k + 1: the same seed with the lineups swapped
    all_seeds = np.repeat(seeds, 2)
    all_drafts = np.empty((2 * args.pairs, 10), np.int8)
    all_drafts[0::2] = drafts
    all_drafts[1::2] = np.roll(drafts, 5, axis=1)
    jobs = [
        (all_seeds[k : k + args.batch], all_drafts[k : k + args.batch]) for k in range(0, len(all_seeds), args.batch)
    ]
    t = time.time()
    parts = []
    if args.workers == 1:
        for i, job in enumerate(jobs):
            parts.append(_play_job(job))
            print(f"  {min((i + 1) * args.batch, len(all_seeds))}/{len(all_seeds)} games", file=sys.stderr)
    else:
        with ProcessPoolExecutor(args.workers) as pool:
            for i, part in enumerate(pool.map(_play_job, jobs)):
                parts.append(part)
                print(f"  {min((i + 1) * args.batch, len(all_seeds))}/{len(all_seeds)} games", file=sys.stderr)
    res = np.concatenate(parts)
    wall = time.time() - t
    print(
        f"side balance: {args.pairs} random drafts x 2 sides, seeds {args.first_seed}..{seeds[-1]},"
        f" default plan both sides ({wall:.0f} s, {args.workers} worker(s))"
    )
    for line in report(res, int(world.rec["tps"])):
        print(line)
    # a pair where the same lineup wins from both sides is a lineup win; one where blue wins both is a side win
    w = res[:, 0]
    a, b = w[0::2], w[1::2]
    blue_both = int(((a == 0) & (b == 0)).sum())
    red_both = int(((a == 1) & (b == 1)).sum())
    print(f"pairs won by blue both times: {blue_both}, by red both times: {red_both}, of {args.pairs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
