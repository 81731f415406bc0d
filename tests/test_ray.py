"""The Ray backends (tournament games as Ray tasks, the coach vector env over Ray actors), on a small
local Ray instance (2 CPUs, loopback only, no dashboard).

Everything that starts Ray runs in one test so that, under ``pytest -n 2``, two Ray instances never start
side by side.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# Keep the local Ray instance (this process's and the CLI's) on 127.0.0.1: Ray reads this when imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

ray = pytest.importorskip("ray", reason='Ray is not installed (pip install "shotcaller[ray]")')

import numpy as np  # noqa: E402

from shotcaller.arena.tournament import run_tournament, schedule  # noqa: E402
from shotcaller.envs import vector_env  # noqa: E402
from shotcaller.raycluster import BackendUnavailable  # noqa: E402
from shotcaller.sim import Params  # noqa: E402
from shotcaller.sim import encode as E  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

BAD = """
from pathlib import Path


class BadInit:  # loads when the tournament checks it, then fails in every worker
    def __init__(self):
        marker = Path(__file__).with_suffix(".loaded")
        if marker.exists():
            raise RuntimeError("boom in __init__")
        marker.touch()

    def act(self, view, info):
        return []
"""


def _name(key: str) -> str:
    return key.rpartition("@")[0]  # games are stored by bot version, name@digest


def _keys(db: Path) -> list[tuple[str, str, int]]:
    con = sqlite3.connect(db)
    rows = sorted((_name(b), _name(r), s) for b, r, s in con.execute("SELECT blue, red, seed FROM games"))
    con.close()
    return rows


def _assert_same(a, b, where: str) -> None:
    """Equal arrays (same dtype), or dicts or tuples of them, part by part."""
    if isinstance(a, tuple):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{k}]")
        return
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _assert_same(a[k], b[k], f"{where}/{k}")
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, where
    np.testing.assert_array_equal(a, b, err_msg=where)


def _ray_vector_env_equals_the_local_one() -> None:
    """B = 5 games over 2 actors (shares of 2 and 3) against ``pusher``, 30-second matches: every step's
    observations, rewards, terminated, truncated, infos and masks equal one local env's, through many
    autoresets (whose seeds the driver draws as the local env does)."""
    kw = {"opponent": "pusher", "params": Params(time_limit_s=30)}
    local = vector_env(5, **kw)
    remote = vector_env(5, backend="ray", workers=2, **kw)
    assert remote.single_observation_space == local.single_observation_space
    assert remote.action_space == local.action_space and remote.choice_names == local.choice_names
    assert remote.metadata["autoreset_mode"] == local.metadata["autoreset_mode"]
    _assert_same(local.reset(seed=11), remote.reset(seed=11), "reset")
    rng = np.random.default_rng(0)
    n = local.n_choices
    ends = 0
    for step in range(300):
        masks = local.action_masks()
        _assert_same(masks, remote.action_masks(), f"masks before step {step}")
        act = np.zeros((5, E.N_ACTION), np.int64)
        for b in range(5):
            for i, (lo, hi) in enumerate(E.mask_offsets(n)):
                act[b, i] = rng.choice(np.flatnonzero(masks[b, lo:hi]))
        out_local, out_remote = local.step(act), remote.step(act)
        _assert_same(out_local, out_remote, f"step {step}")
        ends += int(out_local[2].sum())
    assert ends >= 50  # every game ended (and autoreset) many times: 15 decisions a match
    remote.close()
    local.close()
    with pytest.raises(ValueError, match="unknown bot 'no-such-bot'"):  # the env's own error, from the actor
        vector_env(2, backend="ray", workers=2, opponent="no-such-bot")
    with pytest.raises(ValueError, match="workers=3 actors need 3 CPUs"):
        vector_env(4, backend="ray", workers=3)


def test_vector_env_backend_arguments_and_a_missing_ray(monkeypatch):
    with pytest.raises(ValueError, match="backend must be 'local' or 'ray'"):
        vector_env(2, backend="dask")
    with pytest.raises(ValueError, match="workers and ray_address are for backend='ray'"):
        vector_env(2, workers=2)
    with pytest.raises(ValueError, match="workers must be an integer from 1 to num_envs"):
        vector_env(2, backend="ray", workers=3)
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails, as where it is not installed
    with pytest.raises(BackendUnavailable, match=r'install it with: pip install "shotcaller\[ray\]"'):
        vector_env(2, backend="ray", workers=1)


def test_ray_backend_plays_stores_resumes_and_reports_failures(tmp_path):
    db = tmp_path / "ray.sqlite"
    bots = ["idle", "random"]
    expected = sorted((g.blue, g.red, g.seed) for g in schedule(bots, 2))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    try:
        seen: list[tuple[int, int]] = []
        played = run_tournament(bots, 2, db, backend="ray", progress=lambda d, t: seen.append((d, t)))
        assert played == 4
        assert _keys(db) == expected  # exactly the scheduled games, once each
        assert seen[0] == (0, 4) and seen[-1] == (4, 4)
        assert run_tournament(bots, 2, db, backend="ray") == 0  # resuming plays nothing
        assert _keys(db) == expected

        # a game that raises inside a Ray worker is reported, not stored; the others are stored
        (tmp_path / "bad.py").write_text(BAD)
        bad = f"{tmp_path / 'bad.py'}:BadInit"
        errors: list = []
        played = run_tournament(
            [bad, "idle", "random"],
            2,
            db,
            backend="ray",
            schedule_kind="ladder",
            workers=2,
            on_error=lambda g, e: errors.append((g, e)),
        )
        assert played == 0  # idle-random is stored already; bad-idle fails on both sides
        assert sorted((_name(g.blue), _name(g.red), g.seed) for g, _ in errors) == sorted(
            (g.blue, g.red, g.seed) for g in schedule(["bad.py:BadInit", "idle"], 2)
        )
        assert all("RuntimeError: boom in __init__" in e for _, e in errors)
        assert _keys(db) == expected

        _ray_vector_env_equals_the_local_one()  # joins this Ray instance
    finally:
        ray.shutdown()

    # the command line, with a local Ray instance started by ray.init itself
    db2 = tmp_path / "cli.sqlite"
    cmd = [sys.executable, "-m", "shotcaller", "tournament", "idle", "random", "--games", "1"]
    cmd += ["--backend", "ray", "--db", str(db2)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "played 2 games" in out.stdout and "Traceback" not in out.stderr
    assert _keys(db2) == sorted((g.blue, g.red, g.seed) for g in schedule(bots, 1))
