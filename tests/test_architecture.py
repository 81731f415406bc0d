"""Architecture rules: the simulation core stays NumPy + Numba only, and the code base is lint-clean."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Heavy or front-end packages the simulation core must never pull in (top-level module names).
FORBIDDEN = {
    # RL / ML frameworks
    "gymnasium",
    "gym",
    "pettingzoo",
    "torch",
    "tensorflow",
    "jax",
    # terminal UI
    "textual",
    "rich",
    "curses",
    # web frameworks and servers
    "flask",
    "fastapi",
    "starlette",
    "django",
    "aiohttp",
    "tornado",
    "uvicorn",
    "websockets",
    "bottle",
    "sanic",
    "quart",
    "werkzeug",
}
# Parts of the package the core must not depend on (layering: sim <- bots/arena/envs/ui/render).
FORBIDDEN_OWN = ("shotcaller.bots", "shotcaller.arena", "shotcaller.envs", "shotcaller.ui", "shotcaller.render")


def _modules_after(stmt: str) -> list[str]:
    code = f"import json, sys\n{stmt}\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def sim_modules() -> list[str]:
    return _modules_after(
        "import shotcaller.sim\nimport shotcaller.sim.observe, shotcaller.sim.result, shotcaller.sim.kernels"
    )


def test_sim_imports_no_framework_or_frontend(sim_modules):
    top = {m.split(".")[0] for m in sim_modules}
    assert "numpy" in top and "shotcaller" in top  # sanity: the probe really imported the core
    # the kernels load lazily (AOT module or Numba JIT): importing the package loads neither
    assert not (top & FORBIDDEN), f"shotcaller.sim pulls in {sorted(top & FORBIDDEN)}"


def test_sim_does_not_depend_on_outer_layers(sim_modules):
    bad = [m for m in sim_modules if m.startswith(FORBIDDEN_OWN)]
    assert not bad, f"shotcaller.sim imports outer layers: {bad}"


def test_cli_parser_is_light():
    """``shotcaller --help`` and argument errors must not pay for Numba: the CLI imports lazily."""
    mods = _modules_after("import shotcaller.cli\nshotcaller.cli.build_parser()")
    top = {m.split(".")[0] for m in mods}
    assert not (top & (FORBIDDEN | {"numba"})), sorted(top & (FORBIDDEN | {"numba"}))


def _ruff() -> list[str] | None:
    exe = shutil.which("ruff")
    if exe:
        return [exe]
    probe = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True)
    return [sys.executable, "-m", "ruff"] if probe.returncode == 0 else None


def test_ruff_check_passes():
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    proc = subprocess.run(
        [*ruff, "check", "shotcaller", "tests", "benchmarks", ".ci"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_passes(tmp_path):
    """The package ships ``py.typed``: its annotations are checked (``[tool.mypy]`` in pyproject.toml:
    the whole package, bots/, arena/ and cli/ included)."""
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout


def test_kernel_cache_lives_outside_the_package(world):
    """Compiled kernels go to the per-user cache directory: nothing is written inside the package (an
    installed copy's cache would outlive an uninstall and shadow the next install)."""
    from shotcaller.sim import _jit, kernels
    from shotcaller.sim.backend import AOT_DIR, SIM_DIR

    assert world is not None  # the session fixture has compiled (or loaded) every kernel by now
    package = SIM_DIR.parent
    assert not [p for p in package.rglob("*") if p.suffix in (".nbi", ".nbc")]
    root = _jit.kernel_cache_root()
    assert not root.is_relative_to(package) and not AOT_DIR.is_relative_to(package)
    loc = _jit._SimCacheLocator.from_function(kernels.tick.py_func, kernels.__file__)
    assert loc is not None and Path(loc.get_cache_path()).is_relative_to(root)
    assert list(Path(loc.get_cache_path()).glob("kernels.*.nbi")), "the kernels' cache index is where we look"


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    from shotcaller import paths

    monkeypatch.setenv("SHOTCALLER_CACHE_DIR", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SHOTCALLER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert paths.cache_dir() == tmp_path / "x" / "shotcaller"
    monkeypatch.setenv("SHOTCALLER_STATE_DIR", str(tmp_path / "s"))
    assert paths.state_dir() == tmp_path / "s"


def test_numba_patches_are_live(world):
    """Canary: the two places where we reach into Numba still work with the installed release. If a
    release turned either into a silent no-op, compile time would multiply (widening) or caches would
    go stale or back into the package (locator)."""
    import numba as nb
    import numpy as np
    from numba.core import caching

    from shotcaller.sim import _jit, kernels

    assert caching.CacheImpl._locator_classes[0] is _jit._SimCacheLocator
    assert isinstance(kernels.tick._cache._impl.locator, _jit._SimCacheLocator)

    def twice(x):
        return x + x

    widened, plain = nb.njit(twice), nb.njit(twice)
    widened._widen_args = True

    @nb.njit
    def caller():
        return widened(1) + widened(2) + widened(np.int32(3)) + widened(np.uint8(4))

    @nb.njit
    def caller_plain():
        return plain(1) + plain(2) + plain(np.int32(3)) + plain(np.uint8(4))

    assert caller() == caller_plain() == 20
    assert len(plain.signatures) > 1  # what Numba does by itself: one version per literal and width
    assert [str(s) for s in widened.signatures] == ["(int64,)"]  # one compiled version


def test_only_kernel_modules_stamp_the_kernel_cache(tmp_path):
    """Editing an observation or scenario helper recompiles nothing; editing a rule recompiles all."""
    import shutil

    from shotcaller.sim.backend import SIM_DIR, kernel_modules, source_stamp

    names = {p.name for p in kernel_modules()}
    assert {"kernels.py", "core.py", "layout.py", "skills.py", "_jit.py", "aot.py"} <= names
    assert not {"observe.py", "result.py", "scenario.py", "step.py", "backend.py"} & names
    copy = tmp_path / "sim"
    shutil.copytree(SIM_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_stamp(copy)
    with open(copy / "observe.py", "a") as f:
        f.write("\n# a comment\n")
    assert source_stamp(copy) == before
    with open(copy / "core.py", "a") as f:
        f.write("\n# a comment\n")
    assert source_stamp(copy) != before


def test_the_game_stamp_leaves_out_the_learning_encoders(tmp_path):
    """Editing the agents' encoders (sim/encode.py) recompiles them but changes no game result: the game's
    stamp (results stores, the AOT build, the draft model) covers the tick, reset and navigation only."""
    import shutil

    from shotcaller.sim.backend import GAME_ROOTS, SIM_DIR, kernel_modules, source_stamp

    game = {p.name for p in kernel_modules(roots=GAME_ROOTS)}
    assert "encode.py" in {p.name for p in kernel_modules()} and "encode.py" not in game
    assert {"kernels.py", "core.py", "orders.py", "leader_ai.py", "nav.py", "_jit.py", "aot.py"} <= game
    copy = tmp_path / "sim"
    shutil.copytree(SIM_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before_all, before_game = source_stamp(copy), source_stamp(copy, GAME_ROOTS)
    with open(copy / "encode.py", "a") as f:
        f.write("\n# a comment\n")
    assert source_stamp(copy) != before_all and source_stamp(copy, GAME_ROOTS) == before_game
    with open(copy / "orders.py", "a") as f:
        f.write("\n# a comment\n")
    assert source_stamp(copy, GAME_ROOTS) != before_game


def test_aot_world_cache_keeps_no_world_alive(content):
    import gc
    import weakref

    from shotcaller.sim import backend, build_world

    w = build_world(content)
    backend.kernels(w)
    ref = weakref.ref(w)
    del w
    gc.collect()
    assert ref() is None


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports at module level (``from pkg import submodule`` counts as
    the submodule; imports inside functions and ``if TYPE_CHECKING`` are not module-level)."""
    import ast

    root = ROOT / "shotcaller"
    mods = {}
    for p in root.rglob("*.py"):
        name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = p
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.parse(p.read_text()).body:
            nodes = [node]
            if isinstance(node, ast.If):
                guarded = isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                nodes = [] if guarded else node.body + node.orelse
            for n in nodes:
                if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("shotcaller"):
                    for a in n.names:
                        sub = f"{n.module}.{a.name}"
                        graph[m].add(sub if sub in mods else str(n.module))
                elif isinstance(n, ast.Import):
                    graph[m] |= {a.name for a in n.names if a.name in mods}
    return graph


def test_no_import_cycles():
    graph = _import_graph()
    cycles = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                cycles.append(path[path.index(n) :] + [n])
            elif n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, f"module-level import cycles: {cycles}"


LAYERS = {  # a part of the package and the parts it must never import (imports flow one way)
    "shotcaller.content": (
        "shotcaller.sim",
        "shotcaller.bots",
        "shotcaller.envs",
        "shotcaller.arena",
        "shotcaller.cli",
    ),
    "shotcaller.sim": ("shotcaller.bots", "shotcaller.envs", "shotcaller.arena", "shotcaller.cli"),
    "shotcaller.bots": ("shotcaller.envs", "shotcaller.arena", "shotcaller.cli"),
    "shotcaller.envs": ("shotcaller.arena", "shotcaller.cli"),
    "shotcaller.arena": ("shotcaller.cli",),
}
ML_LIBRARIES = ("gymnasium", "pettingzoo")  # imported by shotcaller.envs only


def test_layers_point_down_only():
    """content -> sim -> bots -> envs -> arena -> cli, checked on every import statement, functions included;
    and the ML libraries are imported by ``shotcaller.envs`` only (the adapters)."""
    import ast

    bad = []
    for p in (ROOT / "shotcaller").rglob("*.py"):
        mod = ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        banned = next((v for k, v in LAYERS.items() if mod == k or mod.startswith(k + ".")), ())
        for node in ast.walk(ast.parse(p.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            bad += [f"{mod} imports {n}" for n in names if any(n == b or n.startswith(b + ".") for b in banned)]
            if not mod.startswith("shotcaller.envs"):
                bad += [f"{mod} imports {n}" for n in names if n.split(".")[0] in ML_LIBRARIES]
    assert not bad, bad


def test_the_draft_order_and_default_lanes_have_one_home():
    """Content rules spelled as literals live in sim/layout.py only (DRAFT_ORDER, DEFAULT_LANES): a
    second spelling elsewhere in the package would drift from it."""
    import ast

    from shotcaller.sim import layout as L

    rules = {tuple(L.DRAFT_ORDER): "DRAFT_ORDER", tuple(L.DEFAULT_LANES): "DEFAULT_LANES"}
    found = []
    for path in sorted((ROOT / "shotcaller").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple | ast.List) and all(isinstance(e, ast.Constant) for e in node.elts):
                vals = tuple(e.value for e in node.elts if isinstance(e, ast.Constant))
                if vals in rules:
                    found.append((rules[vals], f"{path.relative_to(ROOT)}:{node.lineno}"))
    assert sorted(name for name, _ in found) == ["DEFAULT_LANES", "DRAFT_ORDER"], found
    assert all(where.startswith("shotcaller/sim/layout.py:") for _, where in found), found


def test_old_kernel_caches_of_other_installs_are_pruned(tmp_path):
    """Every installed copy of the package compiles into its own ``sim_*`` cache (100-250 MB): the least
    recently used ones beyond the newest KEEP_CACHES, unused for UNUSED_DAYS, are deleted."""
    import os
    import time

    from shotcaller.sim._jit import prune_kernel_caches

    now = time.time()
    ages = {f"sim_{i:02d}": i * 10 for i in range(12)}  # days since last use: 0, 10, ..., 110
    for name, days in ages.items():
        d = tmp_path / name
        d.mkdir()
        (d / "k.nbi").write_bytes(b"x")
        (d / "last-used").touch()
        os.utime(d / "last-used", (now - days * 86400, now - days * 86400))
    (tmp_path / "not-a-cache").mkdir()
    gone = prune_kernel_caches(tmp_path, keep=3, unused_days=45)
    left = sorted(p.name for p in tmp_path.iterdir())
    # kept: the 3 newest, and every other one used within 45 days; the rest deleted, other files untouched
    assert sorted(p.name for p in gone) == [f"sim_{i:02d}" for i in range(5, 12)]
    assert left == ["not-a-cache"] + [f"sim_{i:02d}" for i in range(5)]


def test_this_install_marks_its_kernel_cache_as_used(world):
    from shotcaller.sim._jit import kernel_cache_root

    marks = list(kernel_cache_root().glob("sim_*/last-used"))
    assert marks and max(m.stat().st_mtime for m in marks) > __import__("time").time() - 24 * 3600
