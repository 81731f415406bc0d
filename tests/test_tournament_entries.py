"""Tournament entries and results: bot versions, broken bots, --db errors, the report table, --verify,
budgets, and databases from before bot versions."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shotcaller.arena.results import APPLICATION_ID, load_results
from shotcaller.arena.tournament import run_tournament
from shotcaller.bots.identity import BotSpecError, identify, resolve_entries
from shotcaller.sim import Params
from tests.helpers import db_rows

ROOT = Path(__file__).resolve().parents[1]
SHORT = Params(time_limit_s=30.0)  # 600 ticks: a game in a fraction of a second
BOT = "class B:\n    def act(self, view, info):\n        return []\n"


# ---------------------------------------------------------------------------- identity
def test_the_same_file_typed_two_ways_is_one_entry_and_an_edit_is_a_new_version(tmp_path, monkeypatch):
    (tmp_path / "bots").mkdir()
    path = tmp_path / "bots" / "b.py"
    path.write_text(BOT)
    monkeypatch.chdir(tmp_path / "bots")
    rel, absolute = identify("../bots/b.py:B"), identify(f"{path}:B")
    assert rel == absolute and rel.name == "b.py:B" and re.fullmatch(r"b\.py:B@[0-9a-f]{8}", rel.key)
    assert rel.spec == f"{path}:B"  # absolute: workers find it from any directory
    assert len(resolve_entries(["b.py:B", "../bots/b.py:B", f"{path}:B"])) == 1
    path.write_text(BOT + "# tuned\n")
    edited = identify("b.py:B")
    assert edited.name == rel.name and edited.digest != rel.digest
    assert identify("mine=b.py:B").key == f"mine@{edited.digest}"


def test_two_bots_with_one_display_name_must_be_named(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "bot.py").write_text(BOT + f"# {d}\n")
    a, b = f"{tmp_path / 'a' / 'bot.py'}:B", f"{tmp_path / 'b' / 'bot.py'}:B"
    with pytest.raises(BotSpecError, match=r"both named 'bot.py:B'.*NAME=SPEC"):
        resolve_entries([a, b])
    named = resolve_entries([f"alpha={a}", f"beta={b}"])
    assert [e.name for e in named] == ["alpha", "beta"] and named[0].digest != named[1].digest


def test_identity_of_builtins_modules_and_programs(tmp_path, monkeypatch):
    laner = identify("laner")
    assert laner.name == "laner" and laner.source.endswith("builtin.py")
    assert identify("shotcaller.bots.builtin:LanerCoach").python
    prog = tmp_path / "bot.sh"
    prog.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    rel, absolute = identify("exec:sh bot.sh --fast"), identify(f"exec:sh {prog} --fast")
    assert rel == absolute and rel.name == "exec:sh bot.sh --fast" and rel.spec == f"exec:sh {prog} --fast"
    prog.write_text("#!/bin/sh\n# v2\n")
    assert identify("exec:sh bot.sh --fast").digest != rel.digest
    assert identify("exec:cmd --x=1").name == "exec:cmd --x=1"  # '=' inside a spec is not NAME=
    for bad, why in (("lanr", "unknown bot 'lanr'"), ("nope.py:B", "no such file"), ("no_such_mod:B", "no module")):
        with pytest.raises(BotSpecError, match=why):
            identify(bad)


def test_a_builtin_is_a_new_version_when_any_file_it_runs_changes(monkeypatch):
    """Every module whose classes a built-in runs (its class and their bases, the bot contract aside) is
    covered by its digest, and editing one changes that built-in's version only."""
    import inspect

    from shotcaller.bots import identity as ident
    from shotcaller.bots.builtin import BUILTIN

    bots_dir = Path(ident.__file__).parent
    for spec, factory in BUILTIN.items():
        extra = ident.BUILTIN_SOURCES.get(spec, ())
        covered = {(bots_dir / rel).resolve() for rel in ("builtin.py", *extra)}
        for cls in type(factory()).__mro__:
            if cls.__module__.startswith("shotcaller.bots.") and cls.__module__ != "shotcaller.bots.base":
                assert Path(inspect.getfile(cls)).resolve() in covered, (spec, cls)
    before = {b: identify(b).digest for b in ("search", "strategist", "drafter")}
    read = ident._read
    monkeypatch.setattr(
        ident, "_read", lambda path, entry: read(path, entry) + (b"#" if path.name == "search.py" else b"")
    )
    after = {b: identify(b).digest for b in before}
    assert after["search"] != before["search"]
    assert after["strategist"] == before["strategist"] and after["drafter"] == before["drafter"]


# ---------------------------------------------------------------------------- versions in the store
def test_edited_bot_is_a_new_version_and_report_shows_the_latest(tmp_path, monkeypatch):
    path = tmp_path / "b.py"
    path.write_text(BOT)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "t.sqlite"
    assert run_tournament(["b.py:B", f"{path}:B", "idle"], 1, db, params=SHORT) == 2  # one entry, typed twice
    assert run_tournament([f"{path}:B", "idle"], 1, db, params=SHORT) == 0  # same code: nothing to play
    path.write_text(BOT + "# edited\n")
    assert run_tournament(["b.py:B", "idle"], 1, db, params=SHORT) == 2  # new version: played again
    keys = [k for (k,) in db_rows(db, "SELECT key FROM bots WHERE name = 'b.py:B' ORDER BY first_seen")]
    assert len(keys) == 2 and keys[0] != keys[1]
    latest = load_results(db)
    assert len(latest.games) == 2 and {g[0] for g in latest.games} == {"b.py:B", "idle"}
    every = load_results(db, all_versions=True)
    assert len(every.games) == 4 and {g[0] for g in every.games} == {"b.py:B", f"{keys[0]}", "idle"}
    from shotcaller.cli import main

    assert main(["report", "--db", str(db), "--plots", "", "--all-versions"]) == 0


# ---------------------------------------------------------------------------- broken bots
BROKEN = """
import os
import sys


class BadInit:
    def __init__(self):
        raise RuntimeError("boom in __init__")

    def act(self, view, info):
        return []


class Exits(BadInit):
    def __init__(self):
        sys.exit(3)


class Dies(BadInit):
    def __init__(self):
        os._exit(4)  # would kill the tournament if it were loaded in its process
"""


def test_broken_bots_forfeit_their_games_and_report_flags_them(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    db = tmp_path / "t.sqlite"
    bots = ["idle", "random", *(f"{tmp_path / 'bad.py'}:{c}" for c in ("BadInit", "Exits", "Dies"))]
    cmd = [sys.executable, "-m", "shotcaller", "tournament", *bots, "--games", "1", "--db", str(db)]
    out = subprocess.run([*cmd, "--schedule", "ladder", "--budget-ms", "80"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if "is broken" in line]
    assert len(warnings) == 3 and "Traceback" not in out.stderr
    assert "boom in __init__" in warnings[0] and "SystemExit: 3" in warnings[1] and "exit code 4" in warnings[2]
    assert "played 2 games" in out.stdout  # idle-random only
    status = db_rows(db, "SELECT status, COUNT(*) FROM games GROUP BY status ORDER BY status")
    assert status == [("forfeit", 2), ("played", 2), ("void", 4)]  # random-BadInit; two broken bots: void
    forfeits = db_rows(db, "SELECT blue, winner, reason FROM games WHERE status = 'forfeit'")
    for blue, winner, reason in forfeits:
        assert winner == ("red" if blue.startswith("bad.py:BadInit@") else "blue") and "boom in __init__" in reason
    budgets = [json.loads(b) for (b,) in db_rows(db, "SELECT budgets FROM games WHERE status = 'played'")]
    assert all(b[side]["budget_ms"] == 80 for b in budgets for side in ("blue", "red"))
    rep = subprocess.run(
        [sys.executable, "-m", "shotcaller", "report", "--db", str(db), "--plots", ""],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert rep.returncode == 0, rep.stderr
    assert re.search(r"bad\.py:BadInit .*BROKEN", rep.stdout) and "broken bots" in rep.stdout
    assert "bad.py:BadInit: loading it raised RuntimeError: boom in __init__" in rep.stdout


def test_unknown_bots_are_a_usage_error_before_anything_is_played(tmp_path, capsys):
    from shotcaller.cli import main

    db = tmp_path / "t.sqlite"
    for typo in ("lanr", "missing.py:B"):
        assert main(["tournament", "idle", typo, "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and typo in err
    assert not db.exists()


# ---------------------------------------------------------------------------- --db errors
@pytest.mark.parametrize("case", ["missing-dir", "not-sqlite", "foreign-sqlite", "read-only", "directory"])
def test_unusable_db_is_one_line_exit_2_and_nothing_is_lost(tmp_path, capsys, case):
    from shotcaller.cli import main

    db = tmp_path / "t.sqlite"
    before = None
    if case == "missing-dir":
        db = tmp_path / "no" / "such" / "t.sqlite"
    elif case == "not-sqlite":
        db.write_text("precious notes, not a database\n" * 10)
        before = db.read_bytes()
    elif case == "foreign-sqlite":
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE accounts (id INTEGER, balance REAL)")
        con.execute("INSERT INTO accounts VALUES (1, 10.5)")
        con.commit()
        con.close()
        before = db.read_bytes()
    elif case == "read-only":
        db = Path("/proc/shotcaller-test.sqlite")  # root may write anywhere else: /proc is a read-only place
    elif case == "directory":
        db = tmp_path
    for cmd in (["tournament", "idle", "random", "--db", str(db)], ["report", "--db", str(db)]):
        assert main(cmd) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and str(db) in err, err
    if before is not None:
        assert db.read_bytes() == before
    assert not (tmp_path / "t.sqlite-logs").exists()


# ---------------------------------------------------------------------------- the report table
def test_report_is_an_aligned_table_with_long_names(tmp_path):
    from shotcaller.arena.results import open_db, register_bot, store_game

    db = tmp_path / "t.sqlite"
    con = open_db(db)
    long_a, long_b = "a-bot-with-a-really-quite-long-name-v2", "another-contender-whose-name-goes-on"
    for i, name in enumerate(("idle", long_a, long_b)):
        register_bot(con, f"{name}@0000000{i}", name, f"0000000{i}", name, "test", None, None, 1.0 + i)
    games = [("idle", long_a, "red"), (long_a, long_b, "blue"), (long_b, "idle", "draw"), (long_b, long_a, "red")]
    for seed, (blue, red, winner) in enumerate(games):
        key = {n: f"{n}@0000000{i}" for i, n in enumerate(("idle", long_a, long_b))}
        store_game(con, key[blue], key[red], seed, {"winner": winner, "ticks": 100, "faults": []})
    store_game(con, key["idle"], key[long_b], 9, {"winner": "blue", "ticks": 5}, status="void", reason="diverged")
    con.close()
    out = subprocess.run(
        [sys.executable, "-m", "shotcaller", "report", "--db", str(db), "--plots", ""],
        cwd=ROOT,
        capture_output=True,
        text=True,  # piped: no terminal
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "4 games, 1 void (excluded)"
    head = next(i for i, line in enumerate(lines) if line.startswith("row \\ column"))
    matrix = [lines[head]] + lines[head + 2 : head + 5]
    assert len({len(line) for line in matrix}) == 1  # one width: aligned, nothing folded
    assert long_a in lines[head] and long_b in lines[head] and "idle" in lines[head]
    for line in matrix[1:]:  # every cell under its header's right edge
        cells = re.findall(r"(?:\d+% \[\d+%-\d+%\]|-)(?= |$)", line)
        assert len(cells) == 3
    board = next(i for i, line in enumerate(lines) if line.startswith("#"))
    assert re.match(r"#\s+bot\s+version\s+ordinal\s+mu\s+sigma\s+games\s+flags", lines[board])
    assert "void games" in out.stdout and "idle vs another-contender-whose-name-goes-on seed 9: diverged" in out.stdout


# ---------------------------------------------------------------------------- --verify
TAMPER = """
import gc

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim.state import State


class Tamper:
    '''Reaches the engine's state through the garbage collector and kills the enemy core.'''

    def reset(self, info):
        self.team = info.team

    def act(self, view, info):
        for obj in gc.get_objects():
            if isinstance(obj, State):
                u = obj.arrays.units[0]
                core = np.flatnonzero((u["kind"] == L.K_CORE) & (u["team"] == 1 - self.team))
                u["hp"][core] = 0
        return []
"""


def test_verify_voids_a_tampered_game_and_keeps_honest_ones(tmp_path):
    (tmp_path / "tamper.py").write_text(TAMPER)
    db = tmp_path / "t.sqlite"
    bots = ["random", "idle", f"{tmp_path / 'tamper.py'}:Tamper"]
    seen: list[str] = []
    n = run_tournament(bots, 1, db, params=SHORT, verify=True, schedule_kind="ladder", on_warning=seen.append)
    assert n == 4
    rows = db_rows(db, "SELECT blue, red, winner, ticks, status, reason FROM games ORDER BY id")
    honest = [r for r in rows if "tamper" not in r[0] + r[1]]
    tampered = [r for r in rows if "tamper" in r[0] + r[1]]
    assert [r[4] for r in honest] == ["played", "played"]
    for blue, _red, winner, ticks, status, reason in tampered:
        assert winner == ("blue" if blue.startswith("tamper") else "red") and ticks < 600  # the cheat won early
        assert status == "void" and "diverged at tick" in reason
    assert len([w for w in seen if "is void" in w]) == 2
    res = load_results(db)
    assert len(res.games) == 2 and len(res.void) == 2
    assert all("tamper" not in g[0] + g[1] for g in res.games)  # not in ratings or head-to-head


# ---------------------------------------------------------------------------- budgets
SLOW = """
from shotcaller.bots.base import TimeBudget


class Slow:
    budget = TimeBudget(budget_ms=250.0, bank_ms=500.0)

    def act(self, view, info):
        return []
"""


@pytest.mark.parametrize("equal", [True, False])
def test_budgets_per_pairing_are_recorded(tmp_path, equal):
    (tmp_path / "slow.py").write_text(SLOW)
    db = tmp_path / "t.sqlite"
    run_tournament([f"{tmp_path / 'slow.py'}:Slow", "idle"], 1, db, params=SHORT, equal_budgets=equal)
    for blue, budgets, result in db_rows(db, "SELECT blue, budgets, result FROM games"):
        b = json.loads(budgets)
        assert json.loads(result)["budgets"] == b
        slow, idle = (b["blue"], b["red"]) if blue.startswith("slow") else (b["red"], b["blue"])
        assert slow == {"budget_ms": 250.0, "bank_ms": 1000.0 if equal else 500.0, "max_faults": 10}
        assert idle == (slow if equal else {"budget_ms": 100.0, "bank_ms": 1000.0, "max_faults": 10})


# ---------------------------------------------------------------------------- migration
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY, blue TEXT NOT NULL, red TEXT NOT NULL, seed INTEGER NOT NULL,
    winner TEXT NOT NULL, ticks INTEGER NOT NULL, result TEXT NOT NULL, faults TEXT NOT NULL,
    replay_path TEXT, finished_at REAL NOT NULL, UNIQUE (blue, red, seed)
);
"""


def test_a_database_from_before_bot_versions_keeps_working(tmp_path, capsys):
    from shotcaller.cli import main

    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.executescript(OLD_SCHEMA)
    old = [("idle", "../old/b.py:B", 0, "blue"), ("../old/b.py:B", "idle", 0, "red"), ("idle", "random", 0, "draw")]
    for k, (blue, red, seed, winner) in enumerate(old):
        con.execute(
            "INSERT INTO games (blue, red, seed, winner, ticks, result, faults, replay_path, finished_at)"
            " VALUES (?, ?, ?, ?, 100, '{}', '[]', NULL, ?)",
            (blue, red, seed, winner, 1000.0 + k),
        )
    con.commit()
    con.close()
    assert main(["report", "--db", str(db), "--plots", ""]) == 0  # read-only: migrated in memory
    out = capsys.readouterr().out
    assert out.startswith("3 games") and "../old/b.py:B" in out and "(before versions)" in out
    assert db_rows(db, "PRAGMA application_id") == [(0,)]  # report wrote nothing
    assert run_tournament(["idle", "random"], 1, db, params=SHORT) == 2  # migrated in place, new versions
    assert db_rows(db, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert len(db_rows(db, "SELECT * FROM games")) == 5
    latest = load_results(db)  # the new versions of idle and random supersede the old ones (and their games)
    assert len(latest.games) == 2 and {g[0] for g in latest.games} == {"idle", "random"}
    every = load_results(db, all_versions=True)
    assert len(every.games) == 5 and {g[0] for g in every.games} == {"idle", "idle@old", "random", "../old/b.py:B"}


def test_an_installed_module_bot_is_found_from_any_directory(tmp_path):
    """``package.module:Class`` of an installed package resolves whatever the working directory (an
    editable install is found through its import finder, not sys.path)."""
    code = (
        "from shotcaller.bots.identity import identify\n"
        "i = identify('shotcaller.bots.builtin:PusherCoach')\n"
        "print(i.name, i.digest)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    name, digest = proc.stdout.split()
    assert name == "shotcaller.bots.builtin:PusherCoach" and len(digest) == 8
