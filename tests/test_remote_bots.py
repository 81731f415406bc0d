"""Out-of-process bots over JSON lines: a bot in another language plays; hostile ones are contained."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import BotLoadError, load_bot
from shotcaller.bots.remote import SubprocessCoach
from shotcaller.sim import Params, SimConfig, build_world

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _logs(tmp_path, monkeypatch):
    """Bot logs of these matches go to the test's temp dir, not the user's state directory."""
    monkeypatch.setenv("SHOTCALLER_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=60))


def test_shell_bot_round_trip(short_world):
    bot = load_bot(f"exec:bash {ROOT / 'examples' / 'shell_bot.sh'}")
    res = play_match(bot, load_bot("idle"), seed=5, world=short_world).result
    assert res["faults"] == []
    assert res["teams"]["blue"]["orders_given"] >= 30  # one push per decision, capped by the APM budget


def _script(tmp_path: Path, name: str, body: str) -> list[str]:
    p = tmp_path / name
    p.write_text(body)
    return ["bash", str(p)]


HOSTILE = {
    "never-answers": "while IFS= read -r line; do :; done\n",
    "sleeps": "while IFS= read -r line; do sleep 5; done\n",
    "garbage": "while IFS= read -r line; do echo 'orders please?'; done\n",
    "crashes": "exit 3\n",
    "floods": "head -c 3000000 /dev/zero | tr '\\\\0' 'x'; while IFS= read -r line; do :; done\n",
    "bad-orders": "while IFS= read -r line; do echo '{\"orders\": [[1, 2]]}'; done\n",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_bot_faults_are_recorded_and_the_match_completes(kind, tmp_path, short_world):
    bot = SubprocessCoach(_script(tmp_path, f"{kind}.sh", HOSTILE[kind]), budget_ms=50, bank_ms=200, max_faults=5)
    res = play_match(bot, load_bot("laner"), seed=6, world=short_world).result
    assert res["end_reason"] in ("core destroyed", "time limit")
    assert res["teams"]["red"]["orders_given"] > 0  # the other bot is unaffected
    faults = [f for f in res["faults"] if f["team"] == "blue"]
    assert 1 <= len(faults) <= 5  # silenced after max_faults in a row
    assert all("BotFault" in f["reason"] for f in faults)
    assert bot.proc is None  # the child process is gone


# ---------------------------------------------------------------------------- the sandbox
needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None or os.environ.get("SHOTCALLER_SANDBOX", "").lower() in ("off", "0", "no"),
    reason="bubblewrap is not installed, or SHOTCALLER_SANDBOX=off",
)

ANSWER = (
    "import json, sys\n"
    "for line in sys.stdin:\n"
    "    msg = json.loads(line)\n"
    "    if msg.get('type') == 'observe':\n"
    "        print(json.dumps({'id': msg['id'], 'orders': []}), flush=True)\n"
)


def _py_bot(tmp_path: Path, name: str, attempt: str) -> list[str]:
    p = tmp_path / name
    p.write_text(f"try:\n    {attempt}\nexcept Exception:\n    pass\n" + ANSWER)
    return [sys.executable, str(p)]


@needs_bwrap
def test_sandbox_blocks_writes_outside_its_temp_dir(tmp_path, short_world):
    target = ROOT / "sandbox_escape_probe.txt"
    outside_tmp = tmp_path / "escape.txt"
    attempt = f"open({str(target)!r}, 'w').write('x'); open({str(outside_tmp)!r}, 'w').write('x')"
    bot = SubprocessCoach(_py_bot(tmp_path, "writer.py", attempt), sandbox=True)
    res = play_match(bot, load_bot("idle"), seed=1, world=short_world).result
    assert not target.exists() and not outside_tmp.exists()
    assert res["faults"] == []  # the bot itself kept playing


@needs_bwrap
def test_sandbox_has_no_network(tmp_path, short_world):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(0.5)
    port = srv.getsockname()[1]
    attempt = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'hi')"
    bot = SubprocessCoach(_py_bot(tmp_path, "net.py", attempt), sandbox=True)
    play_match(bot, load_bot("idle"), seed=1, world=short_world)
    with pytest.raises(TimeoutError):
        srv.accept()
    srv.close()


def test_memory_hog_is_stopped_and_recorded(tmp_path, short_world):
    hog = tmp_path / "hog.py"
    hog.write_text("import sys\nsys.stdin.readline()\nx = bytearray(3 << 30)\n" + ANSWER)
    bot = SubprocessCoach([sys.executable, str(hog)], budget_ms=50, bank_ms=200, max_faults=3, memory_mb=512)
    res = play_match(bot, load_bot("laner"), seed=2, world=short_world).result
    assert any("BotFault" in f["reason"] for f in res["faults"] if f["team"] == "blue")
    assert res["teams"]["red"]["orders_given"] > 0


# ---------------------------------------------------------------------------- start-up failures, logs, reasons
def test_exec_of_a_missing_program_fails_at_load_time():
    with pytest.raises(BotLoadError, match="'/nonexistent/prog': no such file"):
        load_bot("exec:/nonexistent/prog")
    with pytest.raises(BotLoadError, match="not found on PATH"):
        load_bot("exec:no-such-program-anywhere --flag")
    with pytest.raises(BotLoadError, match="not an executable file"):
        load_bot(f"exec:{ROOT / 'README.md'}")


def test_a_program_that_cannot_start_is_a_fault_per_decision_then_silenced(short_world):
    bot = SubprocessCoach(["/nonexistent/prog"], budget_ms=50, bank_ms=200, max_faults=4)
    assert bot.silenced is False and bot.clock.faults_in_a_row == 0 and bot.seq == 0  # set before any start
    res = play_match(bot, load_bot("idle"), seed=3, world=short_world).result
    faults = [f["reason"] for f in res["faults"] if f["team"] == "blue"]
    assert len(faults) == 4 and all("No such file or directory" in r for r in faults), faults
    assert bot.silenced


def test_preflight_reports_a_program_that_exits_at_once_with_its_stderr(tmp_path):
    bot = SubprocessCoach(_script(tmp_path, "dies.sh", "echo 'missing config file bot.toml' >&2\nexit 7\n"))
    with pytest.raises(BotLoadError, match=r"exited at once \(exit code 7\): missing config file bot.toml"):
        bot.preflight()
    assert bot.proc is None
    SubprocessCoach(_script(tmp_path, "waits.sh", HOSTILE["never-answers"])).preflight()  # a live bot passes


def test_stderr_is_kept_in_a_capped_log(tmp_path, short_world):
    body = "yes e | head -c 3000000 >&2; echo 'debug line' >&2\n" + HOSTILE["never-answers"]
    bot = SubprocessCoach(_script(tmp_path, "chatty.sh", body), budget_ms=50, bank_ms=100, max_faults=2)
    res = play_match(bot, load_bot("idle"), seed=3, world=short_world, log_dir=tmp_path / "logs").result
    log = Path(res["bot_logs"]["blue"])
    assert log.parent == tmp_path / "logs" and bot.log_path == str(log)
    text = log.read_text()
    assert text.startswith("e\ne\n") and len(text) < (1 << 20) + 200
    assert "more bytes of stderr dropped" in text


def test_reasons_and_order_names_come_back_from_json_lines(tmp_path, short_world):
    answer = (
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    msg = json.loads(line)\n"
        "    if msg.get('type') == 'observe':\n"
        "        orders = [[-1, 'push', 1, 0, 'mid is open'], {'order': 'stance', 'a': 2, 'why': 'careful now'}]\n"
        "        print(json.dumps({'id': msg['id'], 'orders': orders}), flush=True)\n"
    )
    (tmp_path / "why.py").write_text(answer)
    bot = SubprocessCoach([sys.executable, str(tmp_path / "why.py")])
    out = play_match(bot, load_bot("idle"), seed=3, world=short_world)
    assert out.result["faults"] == []
    assert {w for _, w in out.replay.reasons} == {"mid is open", "careful now"}
    assert out.result["teams"]["blue"]["orders_given"] > 0


def test_the_documented_python_example_runs_as_exec(short_world):
    """``exec:python examples/draft_bot.py`` (its docstring's command) works sandboxed too, whatever
    launcher ``python`` is on this host's PATH."""
    if shutil.which("python") is None:
        pytest.skip("no 'python' on PATH")
    bot = load_bot(f"exec:python {ROOT / 'examples' / 'draft_bot.py'}")
    bot.preflight()
    res = play_match(bot, load_bot("laner"), seed=8, world=short_world).result
    assert res["faults"] == []
