"""The Ray backend of tournaments, on a small local Ray instance (2 CPUs, loopback only, no dashboard).

Everything runs in one test so that, under ``pytest -n 2``, two Ray instances never start side by side.
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

from shotcaller.arena.tournament import run_tournament, schedule  # noqa: E402

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
