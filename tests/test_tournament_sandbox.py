"""Tournaments with sandboxed and JSON-lines bots: --sandbox, --allow-unsandboxed, programs that do not
start, and bot logs stored with the games."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from shotcaller.arena.results import load_results
from shotcaller.arena.tournament import BotSpecError, run_tournament
from shotcaller.bots.identity import identify
from shotcaller.bots.sandbox import UnsandboxedWarning, sandbox_available
from shotcaller.sim import Params
from tests.helpers import db_rows

SHORT = Params(time_limit_s=30.0)
NOISY = """
import sys

from shotcaller.bots.base import TimeBudget


class Noisy:
    budget = TimeBudget(budget_ms=150.0)

    def act(self, view, info):
        print("thinking hard about tick", view["tick"], file=sys.stderr, flush=True)
        if view["tick"] >= 100:
            raise RuntimeError("my plan fell apart")
        return []
"""
needs_sandbox = pytest.mark.skipif(not sandbox_available()[0], reason=f"no sandbox here: {sandbox_available()[1]}")


@needs_sandbox
def test_sandbox_flag_runs_python_bots_sandboxed_with_logs_in_the_db(tmp_path, capsys):
    bot = tmp_path / "noisy.py"
    bot.write_text(NOISY)
    db = tmp_path / "t.sqlite"
    assert run_tournament([f"{bot}:Noisy", "idle"], 1, db, params=SHORT, sandbox=True) == 2
    ident = identify(f"{bot}:Noisy")
    [(key, spec)] = db_rows(db, "SELECT key, spec FROM bots WHERE name = 'noisy.py:Noisy'")
    assert key == ident.key and spec == f"sandbox:{bot}:Noisy"  # same version as in-process, run sandboxed
    assert db_rows(db, "SELECT spec FROM bots WHERE name = 'idle'") == [("idle",)]  # built-ins stay in-process
    logs_dir = tmp_path / "t-logs"
    for blue, logs, faults, budgets in db_rows(db, "SELECT blue, bot_logs, faults, budgets FROM games"):
        side = "blue" if blue == key else "red"
        assert [b["budget_ms"] for b in json.loads(budgets).values()] == [150.0, 150.0]  # declared in the sandbox
        path = Path(json.loads(logs)[side])
        assert path.parent == logs_dir or logs_dir in path.parents
        assert "thinking hard" in path.read_text()
        assert any("my plan fell apart" in f["reason"] for f in json.loads(faults) if f["team"] == side)
    res = load_results(db)
    [noisy] = [b for b in res.bots if b.name == "noisy.py:Noisy"]
    assert noisy.faulty_games == 2 and noisy.last_log is not None
    from shotcaller.cli import main

    assert main(["report", "--db", str(db), "--plots", ""]) == 0
    out = capsys.readouterr().out
    assert "faults in 2 games" in out and f"(last log: {noisy.last_log})" in out


def test_sandbox_without_a_sandbox_refuses_unless_allowed(tmp_path, monkeypatch, capsys):
    from shotcaller.cli import main

    monkeypatch.setenv("SHOTCALLER_SANDBOX", "off")
    assert sandbox_available()[0] is False
    bot = tmp_path / "noisy.py"
    bot.write_text(NOISY)
    db = tmp_path / "t.sqlite"
    with pytest.raises(BotSpecError, match="--allow-unsandboxed"):
        run_tournament([f"{bot}:Noisy", "idle"], 1, db, params=SHORT, sandbox=True)
    assert not db.exists()  # refused before anything was stored
    assert main(["tournament", f"{bot}:Noisy", "idle", "--sandbox", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no sandbox available" in err
    seen: list[str] = []
    n = run_tournament(
        [f"{bot}:Noisy", "idle"], 1, db, params=SHORT, sandbox=True, allow_unsandboxed=True, on_warning=seen.append
    )
    assert n == 2 and any("UNSANDBOXED" in w for w in seen)


def test_a_program_that_does_not_start_is_broken_and_forfeits(tmp_path, capsys):
    from shotcaller.cli import main

    db = tmp_path / "t.sqlite"
    cmd = ["tournament", "idle", "random", "exec:/nonexistent/prog", "--games", "1", "--db", str(db)]
    assert main([*cmd, "--allow-unsandboxed"]) == 0
    captured = capsys.readouterr()
    [warning] = [line for line in captured.err.splitlines() if "is broken" in line]
    assert "exec:prog" in warning or "/nonexistent/prog" in warning
    assert "played 2 games" in captured.out  # idle-random; the missing program never ranks above random
    rows = db_rows(db, "SELECT blue, red, winner, status FROM games WHERE status != 'played'")
    assert len(rows) == 4 and all(r[3] == "forfeit" for r in rows)
    for blue, _red, winner, _status in rows:
        assert winner == ("red" if "prog" in blue else "blue")
    assert main(["report", "--db", str(db), "--plots", ""]) == 0
    out = capsys.readouterr().out
    board = [line for line in out.splitlines() if "BROKEN" in line]
    assert len(board) == 1 and board[0].split()[0] == "3"  # last place


def test_an_unsandboxed_program_is_announced_once_not_per_game(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOTCALLER_SANDBOX", "off")
    root = Path(__file__).resolve().parents[1]
    seen: list[str] = []
    db = tmp_path / "t.sqlite"
    entry = f"exec:bash {root / 'examples' / 'shell_bot.sh'}"
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        assert run_tournament([entry, "idle"], 2, db, params=SHORT, on_warning=seen.append) == 4
    assert not [w for w in raised if issubclass(w.category, UnsandboxedWarning)]  # not once per game
    assert len(seen) == 1 and seen[0].startswith("exec:bash shell_bot.sh: ") and "without a sandbox" in seen[0]
    assert db_rows(db, "SELECT COUNT(*) FROM games WHERE status = 'played'") == [(4,)]
