"""Tournaments: schedule, SQLite store, resume after SIGKILL, OpenSkill ratings, report."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shotcaller.arena.tournament import (
    TournamentIncomplete,
    chunk_size,
    head_to_head,
    pairs,
    portable_spec,
    ratings,
    run_tournament,
    schedule,
    wilson,
)
from shotcaller.bots import load_bot
from shotcaller.bots.builtin import LanerCoach

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


def test_ladder_schedule_plays_adjacent_pairs_on_both_sides():
    s = schedule(["a", "b", "c", "d"], 2, kind="ladder")
    assert pairs(["a", "b", "c", "d"], "ladder") == [("a", "b"), ("b", "c"), ("c", "d")]
    assert len(s) == 3 * 2 * 2
    assert {frozenset((g.blue, g.red)) for g in s} == {frozenset("ab"), frozenset("bc"), frozenset("cd")}
    keys = {(g.blue, g.red, g.seed) for g in s}
    assert len(keys) == len(s) and all((g.red, g.blue, g.seed) in keys for g in s)
    assert schedule(["a", "b", "c"], 1) == schedule(["a", "b", "c"], 1, 0, "round-robin")  # the old call
    assert schedule(["a"], 3, kind="ladder") == []
    with pytest.raises(ValueError, match="unknown schedule"):
        schedule(["a", "b"], 1, kind="swiss")


def test_chunks_are_small_and_spread_over_the_workers():
    assert chunk_size(1000, 2) == 8  # big tournaments: a few games per task
    assert chunk_size(24, 2) == 3  # small ones: every worker still gets about four tasks
    assert chunk_size(3, 4) == 1


def test_portable_spec_makes_bot_files_absolute(tmp_path, monkeypatch):
    (tmp_path / "mine.py").write_text("class B:\n    def act(self, view, info):\n        return []\n")
    monkeypatch.chdir(tmp_path)
    assert portable_spec("mine.py:B") == f"{tmp_path / 'mine.py'}:B"
    module_spec = "shotcaller.bots.builtin:LanerCoach"
    assert isinstance(load_bot(module_spec), LanerCoach)  # a module spec that really names a bot
    for spec in ("laner", module_spec, "exec:./bot.sh", "missing.py:B"):
        assert portable_spec(spec) == spec


def test_replays_written_by_workers_verify(tmp_path):
    from shotcaller.arena.replay import load_replay, resimulate

    n = run_tournament(["laner", "pusher"], 1, tmp_path / "t.sqlite", workers=2, replay_dir=str(tmp_path / "rep"))
    files = sorted((tmp_path / "rep").glob("*.json.gz"))
    assert n == 2 and len(files) == 2
    for f in files:
        rep = load_replay(f)
        assert len(rep.checksums) > 1  # every 200 ticks when the replay is kept
        assert resimulate(rep)[1].ok


BAD_BOTS = """
import os
from pathlib import Path


def _second_load() -> bool:  # the tournament checks a bot once before play (in a child process)
    marker = Path(__file__).with_suffix(".loaded")
    if marker.exists():
        return True
    marker.touch()
    return False


class LoadsOnce:  # loads when checked, then fails wherever a game loads it
    def __init__(self):
        if _second_load():
            raise RuntimeError("boom: cannot load in the worker")

    def act(self, view, info):
        return []


class ExitsLater(LoadsOnce):  # even sys.exit in a bot must not take a worker down
    def __init__(self):
        if _second_load():
            raise SystemExit(3)


class CrashesLater(LoadsOnce):  # kills the worker process that loads it for a game
    def __init__(self):
        if _second_load():
            os._exit(3)
"""


def _bad(tmp_path: Path, cls: str) -> str:
    path = tmp_path / f"bad_{cls}.py"  # a marker of its own per class
    path.write_text(BAD_BOTS)
    return f"{path}:{cls}"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_game_that_raises_is_reported_not_stored_and_retried(tmp_path, workers):
    bad, exits = _bad(tmp_path, "LoadsOnce"), _bad(tmp_path, "ExitsLater")
    db = tmp_path / "t.sqlite"
    bots = ["idle", bad, "laner", exits]
    errors: list = []
    played = run_tournament(bots, 1, db, workers=workers, chunk=3, on_error=lambda g, e: errors.append((g, e)))
    assert played == 2 and _count(db) == (2, 2)  # idle-laner, both sides
    bad_names = {"bad_LoadsOnce.py:LoadsOnce", "bad_ExitsLater.py:ExitsLater"}
    assert len(errors) == 10 and all({g.blue.split("@")[0], g.red.split("@")[0]} & bad_names for g, _ in errors)
    reasons = {e.split(" (at ")[0] for _, e in errors}
    assert reasons == {"RuntimeError: boom: cannot load in the worker", "SystemExit: 3"}
    # the next run retries exactly the failed games; without a callback the failures are raised at the end
    for marker in tmp_path.glob("*.loaded"):
        marker.unlink()  # (else the check itself fails them: broken bots, forfeits)
    with pytest.raises(TournamentIncomplete) as info:
        run_tournament(bots, 1, db, workers=workers)
    assert info.value.played == 0 and len(info.value.failures) == 10
    assert _count(db) == (2, 2)


def test_a_worker_process_that_dies_does_not_stop_the_tournament(tmp_path):
    crash = _bad(tmp_path, "CrashesLater")
    db = tmp_path / "t.sqlite"
    errors: list = []
    bots = ["idle", "laner", crash]
    played = run_tournament(bots, 1, db, workers=2, chunk=1, on_error=lambda g, e: errors.append(g))
    assert played + len(errors) == 6  # every game either stored or reported (games in flight die with the pool)
    assert len([g for g in errors if "CrashesLater" in g.blue + g.red]) == 4
    assert _count(db) == (played, played) and played <= 2


def test_cli_reports_failed_games_and_exits_nonzero(tmp_path, monkeypatch, capsys):
    from shotcaller.cli import main

    (tmp_path / "bad.py").write_text(BAD_BOTS)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "t.sqlite"
    rc = main(["tournament", "idle", "bad.py:LoadsOnce", "--games", "1", "--db", str(db), "--schedule", "ladder"])
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert "played 0 games" in out
    assert "2 games failed and were not stored" in err and "boom: cannot load in the worker" in err
    assert re.search(r"idle@[0-9a-f]{8} vs bad\.py:LoadsOnce@[0-9a-f]{8} seed 0", err)
    assert re.search(r"bad\.py:LoadsOnce@[0-9a-f]{8} vs idle@[0-9a-f]{8} seed 0", err)
    assert "Traceback" not in err


def _cli(args: list[str], pre: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    code = f"import sys\n{pre}\nfrom shotcaller.cli import main\nsys.exit(main({args!r}))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def test_ray_backend_without_ray_names_the_fix(tmp_path):
    args = ["tournament", "idle", "random", "--db", str(tmp_path / "t.sqlite"), "--backend", "ray"]
    out = _cli(args, pre="sys.modules['ray'] = None  # as if Ray were not installed")
    assert out.returncode == 2, out.stderr
    assert 'pip install "shotcaller[ray]"' in out.stderr and "Traceback" not in out.stderr
    # a broken install (found, but its import fails) is reported the same way
    fake = tmp_path / "fake" / "ray"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('libray.so: cannot open shared object file')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "fake")}
    out = _cli(args, env=env)
    assert out.returncode == 2, out.stderr
    assert 'pip install "shotcaller[ray]"' in out.stderr and "libray.so" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "t.sqlite").exists() or _count(tmp_path / "t.sqlite") == (0, 0)


def test_ray_address_needs_the_ray_backend(tmp_path):
    from shotcaller.cli import main

    assert main(["tournament", "idle", "random", "--db", str(tmp_path / "t"), "--ray-address", "auto"]) == 2


def test_the_ladder_report_script_runs_end_to_end(tmp_path):
    """`python benchmarks/ladder.py` regenerates docs/ladder.md; here on one seed per pair."""
    root = Path(__file__).resolve().parents[1]
    out, db = tmp_path / "ladder.md", tmp_path / "l" / "ladder.db"
    cmd = [sys.executable, "benchmarks/ladder.py", "--games", "1", "--db", str(db), "--out", str(out)]
    p = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert "| 5 | `search` |" in text and "8 games" in text
    assert (db.parent / "winrates.png").stat().st_size > 1000


def test_ratings_do_not_depend_on_the_number_of_workers(tmp_path):
    """OpenSkill is order-dependent: ratings are computed in schedule order, not in finishing order."""
    from shotcaller.arena.ratings import ratings
    from shotcaller.arena.results import load_results

    bots = ["random", "idle", "laner"]
    out = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.sqlite"
        run_tournament(bots, 3, db, workers=workers, chunk=1)
        games = load_results(db).games
        table = ratings(games)
        out[workers] = (games, {name: (round(r.mu, 9), round(r.sigma, 9)) for name, r in table.items()})
    assert out[1][0] == out[2][0]  # the same games, in the same (schedule) order
    assert out[1][1] == out[2][1]
    # the order ratings are computed in is the schedule's: seed by seed
    assert [g[2] for g in out[2][0]] == sorted(g[2] for g in out[2][0])
