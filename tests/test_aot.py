"""The ahead-of-time backend: same kernels, same results, a small process that never loads Numba."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PLAY = r"""
import json, sys
from shotcaller.content import load_content
from shotcaller.sim import build_world, new_state, step_inplace
from shotcaller.sim.backend import kernels
from shotcaller.sim import layout as L
import numpy as np
w = build_world(load_content())
st = new_state(w, [11, 12])
orders = np.array([[[0, -1, L.O_PUSH, 1, 0]], [[1, 2, L.O_BUY, 5, 0]]], np.int32)
step_inplace(st, orders, 3000)
rss = max(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"backend": kernels(w).name, "checksums": st.checksums(), "numba": "numba" in sys.modules,
                  "rss_mb": rss / 1024}))
"""


def _play(env: dict[str, str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", PLAY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def aot_dir(tmp_path_factory):
    pytest.importorskip("numba.pycc")
    d = tmp_path_factory.mktemp("aot")
    proc = subprocess.run(
        [sys.executable, "-c", f"from shotcaller.sim.aot import build; build({str(d)!r})"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0 and "CompilerError" in proc.stderr + proc.stdout:
        pytest.skip("no C compiler for numba.pycc")
    assert proc.returncode == 0, proc.stderr
    return d


def test_aot_matches_jit_and_stays_small(aot_dir):
    env = dict(os.environ, SHOTCALLER_AOT_DIR=str(aot_dir))
    aot = _play(env)
    jit = _play(dict(os.environ, SHOTCALLER_JIT="1"))
    assert aot["backend"] == "aot" and jit["backend"] == "jit"
    assert aot["checksums"] == jit["checksums"]
    assert aot["numba"] is False  # the game ran without loading Numba
    assert aot["rss_mb"] < 100, aot["rss_mb"]


def test_aot_build_is_not_used_for_other_layouts(aot_dir, tmp_path):
    """A world whose array layouts differ (here: more creep slots) falls back to the JIT."""
    code = (
        "from shotcaller.content import load_content\n"
        "from shotcaller.sim import build_world, SimConfig\n"
        "from shotcaller.sim.backend import kernels\n"
        "big = build_world(load_content(), SimConfig(max_creeps=80))\n"
        "print(kernels(build_world(load_content())).name, kernels(big).name)"
    )
    env = dict(os.environ, SHOTCALLER_AOT_DIR=str(aot_dir))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["aot", "jit"]
