"""Build the ahead-of-time kernel module (``shotcaller compile``).

Compiles the same kernels as the JIT with Numba's ``pycc`` for the default configuration's array
layouts and writes ``_aot_kernels*.so`` into the per-user cache directory (``backend.AOT_DIR``) plus a
JSON file with the layout fingerprint. Needs Numba and a C compiler once; afterwards the game runs
without loading Numba.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numba
import numpy as np
from numba import types

from shotcaller.content import load_content
from shotcaller.sim.backend import AOT_DIR, AOT_NAME, layout_fingerprint
from shotcaller.sim.state import alloc_arrays
from shotcaller.sim.world import World, build_world


def _exports(world: World) -> dict[str, tuple[object, object]]:
    from shotcaller.sim.kernels import reset_kernel, run_kernel
    from shotcaller.sim.nav import dijkstra_all

    S = numba.typeof(alloc_arrays(world, 1))
    T = numba.typeof(world.rec)
    i64 = types.int64

    def run(S, T, orders, n_orders, n_ticks, no_draft):
        run_kernel(S, T, orders, n_orders, n_ticks, no_draft)

    def reset(S, T, seeds, drafts):
        reset_kernel(S, T, seeds, drafts)

    def dijkstra(floor, tidx, anchor_xy, dist):
        dijkstra_all(floor, tidx, anchor_xy, dist)

    arr = types.Array
    return {
        "run": (run, types.void(S, T, arr(types.int32, 3, "C"), arr(i64, 1, "C"), i64, arr(types.int8, 1, "C"))),
        "reset": (reset, types.void(S, T, arr(i64, 1, "C"), arr(types.int8, 2, "C"))),
        "dijkstra": (
            dijkstra,
            types.void(
                arr(types.boolean, 2, "C"),
                arr(types.int32, 2, "C"),
                arr(types.int16, 2, "C"),
                arr(types.uint16, 2, "C"),
            ),
        ),
    }


def build(out_dir: Path | None = None) -> Path:
    """Compile the AOT module for the default world; returns the path of the built library."""
    from numba.pycc import CC

    out = Path(out_dir) if out_dir is not None else AOT_DIR
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(load_content())
    cc = CC(AOT_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        cc.output_dir = tmp
        cc.verbose = False
        cc.target_cpu = "host"  # built on the machine that runs it, like the JIT
        for name, (fn, sig) in _exports(world).items():
            cc.export(name, sig)(fn)
        cc.compile()  # its warnings (pycc's pending deprecation among them) are shown, not silenced
        built = next(Path(tmp).glob(f"{AOT_NAME}*"))
        for old in out.glob(f"{AOT_NAME}*"):
            old.unlink()
        target = out / built.name
        shutil.copy2(built, target)
    (out / f"{AOT_NAME}.json").write_text(
        json.dumps({"fingerprint": layout_fingerprint(world), "numba": numba.__version__, "numpy": np.__version__})
    )
    return target
