"""Two checkouts of the engine, timed at the same moment: each on its own core, so both see the same
machine (on a shared machine, runs minutes apart differ by more than most changes do).

    python benchmarks/ab_ticks.py OLD_DIR NEW_DIR [--games 32] [--ticks 1000] [--reps 25]

OLD_DIR and NEW_DIR are source trees (a ``git worktree add`` of a commit, or this checkout). Each child
process imports ``shotcaller`` from its tree, with its own kernel cache, builds ``--games`` games at
staggered stages of a match (as ``shotcaller bench`` does), compiles, then steps copies of them
``--ticks`` ticks ``--reps`` times and prints the best game ticks per CPU second. Diagnostic only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import sys, time
from shotcaller.arena.bench import staggered_state
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, State, build_world, step_inplace
from shotcaller.sim.state import Arrays
games, ticks, reps = (int(a) for a in sys.argv[1:4])
world = build_world(load_content(map_name="map.txt"), SimConfig(map_name="map.txt"), Params(autoreset=True))
base = staggered_state(world, games)
step_inplace(State(Arrays(*[a.copy() for a in base.arrays]), world), None, 2)  # compile before timing
print("ready", flush=True)
sys.stdin.readline()  # start together
best = float("inf")
for _ in range(reps):
    st = State(Arrays(*[a.copy() for a in base.arrays]), world)
    t0 = time.process_time()
    step_inplace(st, None, ticks)
    best = min(best, time.process_time() - t0)
print(f"{games * ticks / best:,.0f}", flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path, help="source tree of the first engine")
    ap.add_argument("new", type=Path, help="source tree of the second engine")
    ap.add_argument("--games", type=int, default=32)
    ap.add_argument("--ticks", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=25)
    a = ap.parse_args(argv)
    for d in (a.old, a.new):
        if not (d / "shotcaller" / "__init__.py").is_file():
            ap.error(f"{d} is not a source tree (no shotcaller/__init__.py in it)")
    procs = []
    for d in (a.old, a.new):
        env = dict(os.environ, PYTHONPATH=str(d.resolve()))
        # one kernel cache per tree, kept between runs (the first run compiles each engine)
        env["SHOTCALLER_CACHE_DIR"] = str(
            Path(tempfile.gettempdir()) / "ab_ticks" / str(d.resolve()).strip("/").replace("/", "_")
        )
        cmd = [sys.executable, "-c", CHILD, str(a.games), str(a.ticks), str(a.reps)]
        procs.append(
            subprocess.Popen(
                cmd, env=env, cwd=tempfile.gettempdir(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        )
    for p in procs:
        line = p.stdout.readline().strip() if p.stdout else ""
        if line != "ready":
            print(f"a child failed to start (said {line!r})", file=sys.stderr)
            return 1
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for d, p in zip((a.old, a.new), procs, strict=True):
        out, _ = p.communicate()
        print(f"{d}: {out.strip()} game ticks per CPU second (best of {a.reps}, {a.games} games x {a.ticks} ticks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
