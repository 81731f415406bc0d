"""Smoke tests of the ``shotcaller`` command, run as ``python -m shotcaller`` in subprocesses."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import NoneCoach
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim import layout as L
from tests.helpers import DRAFT

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["--time-limit", "120"]  # 2400-tick matches where the full length is not needed


def run(*args: str, hashseed: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if hashseed is not None:
        env["PYTHONHASHSEED"] = hashseed
    return subprocess.run(
        [sys.executable, "-m", "shotcaller", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_clean_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    """Non-zero exit, a readable message on stderr naming ``needles``, no traceback."""
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert proc.returncode > 0, f"killed by signal {-proc.returncode}: {out}"
    assert "Traceback" not in out, out
    assert proc.stderr.strip(), "no message on stderr"
    for n in needles:
        assert n in proc.stderr, proc.stderr


# Most invocations are independent: the ``runs`` fixture starts them all at once (a few at a time)
# and each test checks its own. Every run pays ~1 s of interpreter + Numba start-up.
CASES: dict[str, list[str]] = {}  # name -> args; "{tmp}" and "{good}" are filled in by ``runs``


def case(name: str, *args: str) -> str:
    CASES[name] = list(args)
    return name


@pytest.fixture(scope="module")
def good_replay(content, tmp_path_factory):
    """A replay recorded with a fixed draft (re-simulates faithfully), plain JSON."""
    world = build_world(content, SimConfig(), Params(time_limit_s=60))
    path = tmp_path_factory.mktemp("good") / "fixed.json"
    out = play_match(NoneCoach(), NoneCoach(), seed=2, world=world, draft=DRAFT, replay_path=path)
    return out.replay, path


@pytest.fixture(scope="module")
def cli_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def runs(good_replay, cli_tmp) -> dict[str, subprocess.CompletedProcess]:
    rep, good = good_replay
    tmp = cli_tmp
    for name, make in DAMAGE.items():
        (tmp / f"{name}.json").write_bytes(make(rep.to_json()))
    for name, edit in TAMPER.items():
        doc = rep.to_json()
        edit(doc)
        (tmp / f"{name}.json").write_text(json.dumps(doc))

    def go(item):
        name, args = item
        args = [a.format(tmp=tmp, good=good) for a in args]
        hashseed = args.pop(0).split("=")[1] if args and args[0].startswith("PYTHONHASHSEED=") else None
        return name, run(*args, hashseed=hashseed)

    slow_first = sorted(CASES.items(), key=lambda kv: not kv[0].startswith(("bench", "full", "hash")))
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as ex:
        return dict(ex.map(go, slow_first))


# ----------------------------------------------------------------------------- match
SUMMARY = case("summary", "match", "--seed", "7", *SHORT, "--replay", "{tmp}/seed7.json.gz")


@pytest.fixture(scope="module")
def cli_replay(runs, cli_tmp):
    """``shotcaller match --seed 7 --time-limit 120 --replay PATH``: its output and replay file."""
    return runs[SUMMARY], cli_tmp / "seed7.json.gz"


def test_match_prints_a_summary_and_writes_the_replay(cli_replay):
    proc, path = cli_replay
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert re.match(
        r"^(Blue wins|Red wins|Draw) \((core destroyed|time limit)\) after [\d.]+ game minutes "
        r"\(\d+ ticks\), seed 7$",
        lines[0],
    ), lines[0]
    assert re.match(r"^blue: none\s+buildings lost\s+\d+\s+red: none\s+buildings lost\s+\d+$", lines[1]), lines[1]
    assert lines[2].split()[:3] == ["leader", "K", "D"]
    ids = [ln.split()[0] for ln in lines[3:13]]
    assert ids == [f"{t}_{i}" for t in ("blue", "red") for i in range(5)]
    assert lines[-1] == f"replay written to {path}"
    assert path.exists() and path.read_bytes()[:2] == b"\x1f\x8b"
    doc = json.loads(gzip.decompress(path.read_bytes()))
    assert doc["format"] == "shotcaller-replay" and doc["seed"] == 7


def _check_result_json(res: dict, seed: int) -> None:
    assert res["winner"] in ("blue", "red", "draw")
    assert isinstance(res["ticks"], int) and res["ticks"] > 0
    assert res["seed"] == seed
    assert set(res["buildings_lost"]) == {"blue", "red"}
    assert all(isinstance(v, int) and 0 <= v <= L.N_BLD for v in res["buildings_lost"].values())
    assert [ld["id"] for ld in res["leaders"]] == [f"{t}_{i}" for t in ("blue", "red") for i in range(5)]
    for ld in res["leaders"]:
        for k in ("kills", "deaths", "gold", "damage"):
            assert isinstance(ld[k], int | float) and ld[k] >= 0, (k, ld)
    if res["winner"] != "draw":  # a win means the enemy core fell
        loser = "red" if res["winner"] == "blue" else "blue"
        assert res["end_reason"] == "core destroyed"
        assert res["buildings_lost"][loser] >= 1
        assert res["teams"][loser]["core_hp"] <= 0


FULL = case("full", "match", "--seed", "3", "--json")
HASH_A = case("hash-a", "PYTHONHASHSEED=1", "match", "--seed", "11", *SHORT, "--json")
HASH_B = case("hash-b", "PYTHONHASHSEED=987654", "match", "--seed", "11", *SHORT, "--json")


def test_match_json_full_length(runs):
    proc = runs[FULL]
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, "--json prints exactly one JSON object"
    res = json.loads(lines[0])
    _check_result_json(res, 3)
    assert res["end_reason"] in ("core destroyed", "time limit")


def test_match_json_is_identical_across_processes_and_hash_seeds(runs):
    a, b = runs[HASH_A], runs[HASH_B]
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout
    res = json.loads(a.stdout)
    _check_result_json(res, 11)
    assert res["ticks"] == 2400 and res["winner"] == "draw" and res["end_reason"] == "time limit"


# ----------------------------------------------------------------------------- replay verify
def test_replay_of_cli_match_verifies(cli_replay):
    _, path = cli_replay
    proc = run("replay", "verify", str(path))
    assert proc.returncode == 0, proc.stderr
    assert re.match(r"^ok: \d+ checksums match", proc.stdout)


VERIFY_OK = case("verify-ok", "replay", "verify", "{good}")


def test_replay_verify_ok(good_replay, runs):
    rep, path = good_replay
    proc = runs[VERIFY_OK]
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"ok: {len(rep.checksums)} checksums match ({path})"


def _tamper_checksums(doc: dict) -> None:
    doc["checksums"][2][1] = "ffffffffffffffff"
    doc["checksums"][4][1] = "eeeeeeeeeeeeeeee"  # a later one too: only the first is reported


def _tamper_orders(doc: dict) -> None:
    doc["orders"].append([500, 1, -1, L.O_PUSH, 2, 0])  # an order that was never given


TAMPER = {"tampered-checksum": _tamper_checksums, "tampered-order": _tamper_orders}
for _name in TAMPER:
    case(_name, "replay", "verify", "{tmp}/" + _name + ".json")


def test_tampered_checksum_names_the_first_diverging_tick(good_replay, runs):
    rep, _ = good_replay
    tick = rep.checksums[2][0]
    proc = runs["tampered-checksum"]
    assert_clean_error(proc, f"diverged at tick {tick}", "expected ffffffffffffffff", "2 earlier checksums matched")
    assert proc.returncode == 1


def test_tampered_order_names_the_first_diverging_tick(runs):
    assert_clean_error(runs["tampered-order"], "diverged at tick 600")


def _bad_format(doc: dict) -> bytes:
    doc["format"] = "chess-pgn"
    return json.dumps(doc).encode()


def _bad_draft(doc: dict) -> bytes:
    doc["draft"] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 8]
    return json.dumps(doc).encode()


def _other_content(doc: dict) -> bytes:
    doc["content_version"] = "0000000000000000"
    return json.dumps(doc).encode()


def _corrupt_gzip(doc: dict) -> bytes:
    b = bytearray(gzip.compress(json.dumps(doc).encode(), mtime=0))
    for i in range(20, 60):
        b[i] ^= 0xFF
    return bytes(b)


def _bad_profile(doc: dict) -> bytes:
    doc["params"]["profiles"] = ["berserker"] * 10
    return json.dumps(doc).encode()


DAMAGE = {
    "not-json": lambda d: b"this is not json",
    "truncated": lambda d: gzip.compress(json.dumps(d).encode())[:100],
    "wrong-format": _bad_format,
    "bad-draft": _bad_draft,
    "other-content-version": _other_content,
    "corrupted-gzip": _corrupt_gzip,
    "bad-profile": _bad_profile,
}
for _name in DAMAGE:
    case(_name, "replay", "verify", "{tmp}/" + _name + ".json")
MISSING = case("missing", "replay", "verify", "{tmp}/nothing-here.json")


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        pytest.param("not-json", ["damaged replay file"], id="not-json"),
        pytest.param("truncated", ["damaged replay file"], id="truncated"),
        pytest.param("wrong-format", ["not a Shotcaller replay", "chess-pgn"], id="wrong-format"),
        pytest.param("bad-draft", ["draft must list the 10 leaders once"], id="bad-draft"),
        pytest.param("other-content-version", ["0000000000000000", "content version"], id="other-content-version"),
        pytest.param(
            "corrupted-gzip",
            ["damaged replay file"],
            id="corrupted-gzip",
        ),
        pytest.param(
            "bad-profile",
            ["berserker"],
            id="bad-profile",
        ),
    ],
)
def test_damaged_replay_gives_a_clear_error(runs, name, needles):
    assert_clean_error(runs[name], "shotcaller replay verify:", *needles)


def test_missing_replay_file(runs):
    assert_clean_error(runs[MISSING], "cannot read replay")


# ----------------------------------------------------------------------------- bench
BENCH_JSON = case("bench-json", "bench", "--batch", "1", "4", "--seconds", "0.5", "--json")
BENCH_TEXT = case("bench-text", "bench", "--batch", "2", "--seconds", "0.2")
BENCH_ENV = case("bench-env", "bench", "--env", "coach", "--batch", "1", "3", "--seconds", "0.3", "--json")
BENCH_MICRO = case("bench-micro", "bench", "--env", "micro", "--batch", "1", "3", "--seconds", "0.3", "--json")
BENCH_MICRO_TEXT = case("bench-micro-text", "bench", "--env", "micro", "--batch", "2", "--seconds", "0.2")


def test_bench_json(runs):
    proc = runs[BENCH_JSON]
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"results", "rss_mb"} <= set(out)
    assert [r["batch"] for r in out["results"]] == [1, 4]
    for r in out["results"]:
        assert {"batch", "ticks_per_second"} <= set(r)
        assert isinstance(r["ticks_per_second"], float) and r["ticks_per_second"] > 0
    assert isinstance(out["rss_mb"], float) and out["rss_mb"] > 0


def test_bench_text(runs):
    proc = runs[BENCH_TEXT]
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^batch\s+2:\s+[\d,]+ game ticks/s", proc.stdout, re.M), proc.stdout
    assert "peak RSS" in proc.stdout


def test_bench_env_json(runs):
    proc = runs[BENCH_ENV]
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["env"] == "coach" and [r["batch"] for r in out["results"]] == [1, 3]
    for r in out["results"]:
        assert r["agent_steps_per_second"] > 0 and r["decisions_per_second"] > 0
        assert r["decisions"] % r["batch"] == 0  # each step is one decision of every game
        # 40 ticks a decision (both figures are rounded to 0.1 before they are printed)
        assert r["ticks_per_second"] == pytest.approx(r["decisions_per_second"] * 40, abs=2.5)


def test_bench_env_micro_json(runs):
    proc = runs[BENCH_MICRO]
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["env"] == "micro" and [r["batch"] for r in out["results"]] == [1, 3]
    for r in out["results"]:
        assert r["agents"] == 10 * r["batch"]
        assert r["agent_steps_per_second"] > 0 and r["decisions_per_second"] == r["agent_steps_per_second"]
        assert r["decisions"] % (10 * r["batch"]) == 0  # each step is one action of every leader of every game
        # one tick a step: ten agent steps a game tick (both figures are rounded to 0.1 before they are printed)
        assert r["agent_steps_per_second"] == pytest.approx(r["ticks_per_second"] * 10, abs=1.5)


def test_bench_env_micro_text(runs):
    proc = runs[BENCH_MICRO_TEXT]
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^batch\s+2:\s+[\d,]+ agent steps/s", proc.stdout, re.M), proc.stdout


# ----------------------------------------------------------------------------- bad usage
def usage(args: list[str], needles: list[str], id: str, **kw):
    case("usage:" + " ".join(args), *args)
    return pytest.param(args, needles, id=id, **kw)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        usage(["match", "--blue", "nobody"], ["unknown bot 'nobody'", "none", "laner"], id="unknown-blue"),
        usage(["match", "--red", "deep-blue"], ["unknown bot 'deep-blue'"], id="unknown-red"),
        usage(["match", "--seed", "abc"], ["--seed", "expected an integer seed"], id="seed-not-int"),
        usage(["match", "--time-limit", "soon"], ["--time-limit"], id="time-limit-not-float"),
        usage(["match", "--map", "no_such_map.txt"], ["no_such_map.txt"], id="match-unknown-map"),
        usage(["match", "--jsn"], ["unrecognized arguments: --jsn"], id="unknown-option"),
        usage(["bench", "--batch", "0"], ["positive integer"], id="batch-zero"),
        usage(["bench", "--batch", "x"], ["--batch"], id="batch-not-int"),
        usage(["bench", "--seconds", "abc"], ["--seconds"], id="seconds-not-float"),
        usage(["bench", "--env", "macro"], ["--env", "invalid choice"], id="bench-unknown-env"),
        usage(["frobnicate"], ["invalid choice: 'frobnicate'"], id="unknown-command"),
        usage([], ["required"], id="no-command"),
        usage(["replay"], ["required"], id="replay-no-subcommand"),
        usage(["replay", "verify"], ["path"], id="verify-no-path"),
        usage(
            ["bench", "--map", "no_such_map.txt", "--seconds", "0.1"],
            ["no_such_map.txt"],
            id="bench-unknown-map",
        ),
        usage(
            ["match", "--time-limit", "-5", "--json"],
            ["--time-limit"],
            id="negative-time-limit",
        ),
        usage(
            ["match", "--latency", "-1", "--time-limit", "30", "--json"],
            ["--latency"],
            id="negative-latency",
        ),
        usage(
            ["match", "--apm", "-3", "--time-limit", "30", "--json"],
            ["--apm"],
            id="negative-apm",
        ),
    ],
)
def test_bad_usage_exits_non_zero_with_a_readable_message(runs, args, needles):
    assert_clean_error(runs["usage:" + " ".join(args)], *needles)


def test_report_into_a_closed_pipe_stops_quietly(tmp_path):
    from shotcaller.arena.tournament import run_tournament

    db = tmp_path / "t.sqlite"
    run_tournament(["idle", "random"], 1, db)
    p = subprocess.Popen(
        [sys.executable, "-m", "shotcaller", "report", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    p.stdout.close()  # like `| head -0`
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and "Traceback" not in err


def test_match_refuses_bots_that_cannot_start(tmp_path):
    proc = run("match", "--blue", "exec:/nonexistent/prog")
    assert_clean_error(proc, "exec:/nonexistent/prog", "no such file")
    bad = tmp_path / "bad_import.py"
    bad.write_text("import no_such_module_xyz\nclass B:\n    def act(self, view, info):\n        return []\n")
    bad.chmod(0o644)
    tmp_path.chmod(0o755)
    from shotcaller.bots.sandbox import sandbox_available

    if sandbox_available()[0]:
        proc = run("match", "--blue", f"sandbox:{bad}:B")
        assert_clean_error(proc, "cannot start", "no_such_module_xyz")


def test_match_without_a_sandbox_refuses_sandbox_bots_unless_allowed(tmp_path, monkeypatch):
    bot = tmp_path / "ok_bot.py"
    bot.write_text("class B:\n    def act(self, view, info):\n        return []\n")
    bot.chmod(0o644)
    monkeypatch.setenv("SHOTCALLER_SANDBOX", "off")
    proc = run("match", "--blue", f"sandbox:{bot}:B", "--time-limit", "5")
    assert_clean_error(proc, "refused", "--allow-unsandboxed", "rights")
    proc = run("match", "--blue", f"sandbox:{bot}:B", "--time-limit", "5", "--allow-unsandboxed", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "without a sandbox" in proc.stderr
    assert json.loads(proc.stdout)["faults"] == []
