"""Tournaments: schedule, SQLite store, resume after SIGKILL, OpenSkill ratings, report."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shotcaller.arena.tournament import head_to_head, ratings, schedule, wilson

ROOT = Path(__file__).resolve().parents[1]


def test_schedule_is_a_mirrored_round_robin():
    s = schedule(["a", "b", "c"], games=2)
    assert len(s) == 3 * 2 * 2
    keys = {(g.blue, g.red, g.seed) for g in s}
    assert len(keys) == len(s)
    for g in s:
        assert (g.red, g.blue, g.seed) in keys  # every seed on both sides


def test_openskill_ratings_hand_checked():
    # Plackett-Luce, defaults mu=25, sigma=25/3: after one win the winner has mu 27.635389493140497 and
    # sigma 8.06590141354368 (openskill's own formula: mu + sigma^2/c * (1 - p), c = sqrt(2 sigma^2 + beta^2))
    t = ratings([("a", "b", 0, "blue")])
    assert t["a"].mu == pytest.approx(27.635389493140497)
    assert t["b"].mu == pytest.approx(25 - 2.635389493140497)
    assert t["a"].sigma == pytest.approx(8.06590141354368)
    t2 = ratings([("a", "b", 0, "draw")])
    assert t2["a"].mu == pytest.approx(t2["b"].mu)


def test_head_to_head_and_wilson():
    h = head_to_head([("a", "b", 0, "blue"), ("b", "a", 0, "draw"), ("b", "a", 1, "blue")])
    assert h[("a", "b")] == (1.5, 3) and h[("b", "a")] == (1.5, 3)
    lo, hi = wilson(7, 10)
    assert lo == pytest.approx(0.3968, abs=1e-3) and hi == pytest.approx(0.8922, abs=1e-3)


def _count(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    n = con.execute("SELECT COUNT(*) FROM games").fetchone()[0]
    distinct = con.execute("SELECT COUNT(*) FROM (SELECT DISTINCT blue, red, seed FROM games)").fetchone()[0]
    con.close()
    return n, distinct


def test_tournament_killed_with_sigkill_resumes_without_losing_or_repeating_games(tmp_path):
    db = tmp_path / "t.sqlite"
    cmd = [sys.executable, "-m", "shotcaller", "tournament", "idle", "laner", "--games", "3", "--db", str(db)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        if db.exists():
            try:
                if _count(db)[0] >= 2:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _count(db)[0]
    assert 2 <= before < 6
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert f"played {6 - before} games" in out.stdout
    assert _count(db) == (6, 6)
    plots = tmp_path / "plots"
    rep = subprocess.run(
        [sys.executable, "-m", "shotcaller", "report", "--db", str(db), "--plots", str(plots)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rep.returncode == 0 and "ordinal" in rep.stdout and "6 games" in rep.stdout
    for name in ("ratings.png", "winrates.png"):
        assert (plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
