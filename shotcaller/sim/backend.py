"""Where the compiled kernels come from.

Two interchangeable backends run the very same kernel code:

* **ahead-of-time** (AOT): a native module built once by ``shotcaller compile`` (Numba's ``pycc``)
  for the default configuration. Loading it needs neither Numba nor LLVM, so a process that plays
  the default game starts in well under a second and stays small (tens of MB instead of ~180 MB).
* **JIT**: Numba compiles the kernels on first use and caches them on disk (``cache=True``); it
  serves every other configuration (other maps, content shapes, sizes) and multi-threaded runs.

:func:`kernels` picks the AOT module when its recorded array layouts match the world's, else the JIT.
Both give identical results (tested).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import os
import re
import weakref
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from shotcaller.paths import cache_dir

SIM_DIR = Path(__file__).resolve().parent
# one build per installed copy of the package (an editable and a regular install never share one)
AOT_DIR = Path(
    os.environ.get("SHOTCALLER_AOT_DIR") or cache_dir() / "aot" / hashlib.sha1(str(SIM_DIR).encode()).hexdigest()[:12]
)
AOT_NAME = "_aot_kernels"


GAME_ROOTS = ("kernels", "nav", "_jit", "aot")  # what a match runs: the tick, reset, navigation, their build
NOT_COMPILED = ("backend",)  # imported by _jit and aot for paths and stamps only: no kernel reads it


def kernel_modules(sim_dir: Path = SIM_DIR, roots: tuple[str, ...] | None = None) -> list[Path]:
    """The simulation modules compiled code is built from: every module that defines ``@kernel`` or
    ``@entry`` functions, ``_jit.py`` and ``aot.py`` (the compiler settings and the AOT exports), and
    every ``shotcaller.sim`` module they import, transitively (their constants are frozen into the
    machine code). Observation, result and scenario helpers are not among them, so editing those
    recompiles nothing; nor is this module (``NOT_COMPILED``). ``roots`` (module names) narrows it to
    those modules and what they import."""
    files = {p.stem: p for p in sim_dir.glob("*.py")}
    if roots is None:
        todo = [n for n, p in files.items() if re.search(r"^@(kernel|entry)\b", p.read_text(), re.M)] + ["_jit", "aot"]
    else:
        todo = list(roots)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in files or name in NOT_COMPILED:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(files[name].read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "shotcaller.sim":
                todo += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shotcaller.sim."):
                todo.append(str(node.module).split(".")[2])
            elif isinstance(node, ast.Import):
                todo += [a.name.split(".")[2] for a in node.names if a.name.startswith("shotcaller.sim.")]
    return sorted(files[n] for n in seen)


def source_stamp(sim_dir: Path = SIM_DIR, roots: tuple[str, ...] | None = None) -> bytes:
    """A digest of the :func:`kernel_modules` of ``sim_dir`` (from ``roots``)."""
    h = hashlib.sha256()
    for p in kernel_modules(sim_dir, roots):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.digest()


@functools.lru_cache(maxsize=1)
def sim_source_stamp() -> bytes:
    """The freshness stamp of all compiled kernels: a digest of the modules they are built from
    (:func:`kernel_modules`), so an edit to any rule recompiles every kernel that may include it."""
    return source_stamp(SIM_DIR)


@functools.lru_cache(maxsize=1)
def game_source_stamp() -> bytes:
    """The stamp of the game itself: the modules the tick, the reset and navigation are built from
    (``GAME_ROOTS``). Compiled readers of the state that the game does not run (the learning agents'
    encoders, :mod:`shotcaller.sim.encode`) are left out, so editing them changes no game result."""
    return source_stamp(SIM_DIR, GAME_ROOTS)


def game_version(content_version: str) -> str:
    """What a measured result depends on: the content's version and the simulation code's stamp, e.g.
    ``"1a08b219f00b6c68-3f2a9c1d7e4b"``. Stores of measured games (the strategy sweep's, the ladder's) are
    named by it, so a change of the rules or of their code never reuses games played under the old ones."""
    return f"{content_version}-{game_source_stamp().hex()[:12]}"


class Kernels(NamedTuple):
    """The entry points of a backend."""

    name: str
    run: Any  # (S, T, orders, n_orders, n_ticks, no_draft) -> None
    run_parallel: Any
    reset: Any  # (S, T, seeds, drafts) -> None
    dijkstra: Any  # (floor, tidx, anchor_xy, dist) -> None


def layout_fingerprint(world: Any) -> str:
    """A digest of every array layout the kernels see for ``world`` (dtypes, offsets, nested shapes)
    and of the simulation's source code."""
    from shotcaller.sim.state import alloc_arrays

    A = alloc_arrays(world, 1)
    parts = [
        f"{name}:{arr.ndim}:{arr.dtype.descr!r}:{arr.dtype.itemsize}" for name, arr in zip(A._fields, A, strict=True)
    ]
    parts.append(f"T:{world.tables.dtype.descr!r}:{world.tables.dtype.itemsize}")
    parts.append(game_source_stamp().hex())  # the code too: an edit to any rule retires the AOT build
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


_aot_cache: dict[str, tuple[ModuleType | None, str | None]] = {}


def _load_aot() -> tuple[ModuleType | None, str | None]:
    """The AOT module and its fingerprint, if built and loadable."""
    if "m" in _aot_cache:
        return _aot_cache["m"]
    result: tuple[ModuleType | None, str | None] = (None, None)
    if os.environ.get("SHOTCALLER_JIT") != "1":
        meta = AOT_DIR / f"{AOT_NAME}.json"
        libs = sorted(AOT_DIR.glob(f"{AOT_NAME}*.so")) + sorted(AOT_DIR.glob(f"{AOT_NAME}*.pyd"))
        if meta.exists() and libs:
            try:
                info = json.loads(meta.read_text())
                spec = importlib.util.spec_from_file_location(AOT_NAME, libs[0])
                if spec is not None and spec.loader is not None:
                    mod = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(mod)
                    result = (mod, str(info["fingerprint"]))
            except (OSError, ImportError, ValueError, KeyError):
                result = (None, None)
    _aot_cache["m"] = result
    return result


def _jit() -> Kernels:
    from shotcaller.sim import kernels as K
    from shotcaller.sim.nav import dijkstra_all

    return Kernels("jit", K.run_kernel, K.run_kernel_parallel, K.reset_kernel, dijkstra_all)


def kernels(world: Any) -> Kernels:
    """The kernels for ``world``: AOT when built for its layouts, else JIT (``world=None``: any map)."""
    mod, fp = _load_aot()
    if mod is not None:
        if world is None:
            return Kernels("aot", None, None, None, mod.dijkstra)
        key = id(world)
        fits = _matches.get(key)
        if fits is None:
            fits = _matches[key] = layout_fingerprint(world) == fp
            weakref.finalize(world, _matches.pop, key, None)  # forget it with the world: keep no world alive
        if fits:
            return Kernels("aot", mod.run, _ParallelViaJit(), mod.reset, mod.dijkstra)
    return _jit()


_matches: dict[int, bool] = {}  # id(world) -> whether the AOT build fits it, for living worlds only


class _ParallelViaJit:
    """Multi-threaded runs always use the JIT (``pycc`` builds single-threaded code)."""

    def __call__(self, *args: Any) -> Any:
        return _jit().run_parallel(*args)
