# ruff: noqa: E501, E702
"""Where the time goes: cycles spent in each phase of ``tick`` (rdtsc around each phase call).

    python benchmarks/profile_phases.py [BATCH] [TICKS]

Prints each phase's share of the tick. Diagnostic only (a copy of ``tick`` with timers).
"""

from __future__ import annotations

import sys
import time

import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

from shotcaller.arena.bench import staggered_state
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state
from shotcaller.sim.buildings import building_phase
from shotcaller.sim.combat import attack_phase, creep_ai, move_phase, projectile_phase, summon_ai, tower_ai
from shotcaller.sim.core import build_grid
from shotcaller.sim.economy import economy_phase, end_phase, resolve_deaths
from shotcaller.sim.kernels import _next_seed, stats_phase
from shotcaller.sim.leader_ai import leader_ai
from shotcaller.sim.orders import apply_due
from shotcaller.sim.skills import dot_phase, skills_phase
from shotcaller.sim.spawn import reset_game, spawn_waves
from shotcaller.sim.vision import vision_phase

PHASES = (
    "stats",
    "grid",
    "orders",
    "buildings",
    "leader_ai",
    "creep_ai",
    "summon_ai",
    "tower_ai",
    "move",
    "attack",
    "projectiles",
    "skills",
    "dot",
    "deaths",
    "economy",
    "spawn",
    "vision",
    "end",
)


@intrinsic
def rdtsc(typingctx):
    sig = types.int64()

    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(64), []), "llvm.readcyclecounter"
        )
        return builder.call(fn, [])

    return sig, codegen


@nb.njit
def timed(S, T, n_ticks, acc, no_draft):
    for b in range(S.games.shape[0]):
        g = S.games[b]
        for _ in range(n_ticks):
            if g.done != 0:
                reset_game(S, T, b, _next_seed(g.seed, g.episode), no_draft)
            c0 = rdtsc()
            stats_phase(S, T, b)
            c1 = rdtsc()
            acc[0] += c1 - c0
            build_grid(S, T, b)
            c0 = rdtsc()
            acc[1] += c0 - c1
            apply_due(S, T, b)
            c1 = rdtsc()
            acc[2] += c1 - c0
            building_phase(S, T, b)
            c0 = rdtsc()
            acc[3] += c0 - c1
            leader_ai(S, T, b)
            c1 = rdtsc()
            acc[4] += c1 - c0
            creep_ai(S, T, b)
            c0 = rdtsc()
            acc[5] += c0 - c1
            summon_ai(S, T, b)
            c1 = rdtsc()
            acc[6] += c1 - c0
            tower_ai(S, T, b)
            c0 = rdtsc()
            acc[7] += c0 - c1
            move_phase(S, T, b)
            c1 = rdtsc()
            acc[8] += c1 - c0
            attack_phase(S, T, b)
            c0 = rdtsc()
            acc[9] += c0 - c1
            projectile_phase(S, T, b)
            c1 = rdtsc()
            acc[10] += c1 - c0
            skills_phase(S, T, b, T.ai_every)
            c0 = rdtsc()
            acc[11] += c0 - c1
            dot_phase(S, T, b)
            c1 = rdtsc()
            acc[12] += c1 - c0
            resolve_deaths(S, T, b)
            c0 = rdtsc()
            acc[13] += c0 - c1
            economy_phase(S, T, b)
            c1 = rdtsc()
            acc[14] += c1 - c0
            spawn_waves(S, T, b)
            c0 = rdtsc()
            acc[15] += c0 - c1
            if g.tick % T.vis_every == 0:
                vision_phase(S, T, b)
            c1 = rdtsc()
            acc[16] += c1 - c0
            end_phase(S, T, b)
            c0 = rdtsc()
            acc[17] += c0 - c1
            g.tick += 1


if __name__ == "__main__":
    B = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    world = build_world(load_content(), SimConfig(), Params(autoreset=True))
    st = new_state(world, np.arange(B))
    acc = np.zeros(len(PHASES), np.int64)
    nd = np.full(10, -1, np.int8)
    timed(st.arrays, world.rec, 2, acc, nd)
    best = None
    for _ in range(3):
        st = staggered_state(world, B)
        a = np.zeros(len(PHASES), np.int64)
        t = time.process_time()
        timed(st.arrays, world.rec, n, a, nd)
        dt = time.process_time() - t
        if best is None or dt < best:
            best, acc = dt, a
    tot = acc.sum()
    print(f"{B * n / best:,.0f} ticks/s (process CPU time, best of 3); cycles per game tick {tot / (B * n):,.0f}")
    for i in np.argsort(-acc):
        print(f"{PHASES[i]:>12}: {100 * acc[i] / tot:5.1f}%  {acc[i] / (B * n):8.0f} cycles/tick")
