"""Explained orders: reasons kept in replays (still verifiable) and the match timeline (``replay show``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shotcaller.arena.match import play_match
from shotcaller.arena.replay import MAX_REASON_CHARS, Replay, ReplayError, check_reasons, load_replay, resimulate
from shotcaller.arena.timeline import ENTRY_TYPES, build_timeline, format_timeline
from shotcaller.bots import make_coach
from shotcaller.bots import orders as O
from shotcaller.bots.base import MAX_WHY, CoachWrapper, MatchInfo, Order
from shotcaller.cli import main
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world

ROOT = Path(__file__).resolve().parents[1]
WHY_BUY = "test: the big sword, before we can pay for it"
WHY_PUSH = "test: mid is the shortest lane"


class Explainer:
    """Two orders with reasons at the first decision: a buy it cannot pay (rejected) and a push."""

    decide_every_s = 60.0

    def reset(self, info: MatchInfo) -> None:
        self.done = False

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        if self.done:
            return []
        self.done = True
        return [O.buy("Warlord Blade", info, leader=0, why=WHY_BUY), O.push(1, why=WHY_PUSH)]


class Recorder(CoachWrapper):
    """Wraps a coach (every ability is the inner coach's) and keeps every order it returns."""

    def __init__(self, coach: Any) -> None:
        super().__init__(coach)
        self.orders: list[Any] = []

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        out = list(self.inner.act(view, info) or [])
        self.orders += out
        return out


def short_world(seconds: float) -> Any:
    return build_world(load_content(), SimConfig(), Params(time_limit_s=seconds))


def show(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["replay", "show", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A short match with reasons (one rejected order), saved."""
    path = tmp_path_factory.mktemp("timeline") / "explained.json"
    out = play_match(Explainer(), make_coach("pusher"), seed=4, world=short_world(60), replay_path=path)
    return out, path


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A whole match (strategist against pusher, about 10 game minutes: kills, fights, buildings)."""
    path = tmp_path_factory.mktemp("timeline") / "full.json.gz"
    play_match(make_coach("strategist"), make_coach("pusher"), seed=1, replay_path=path)
    return path


def test_match_keeps_reasons_and_the_replay_verifies(explained: tuple[Any, Path], capsys) -> None:
    out, path = explained
    rep = load_replay(path)
    whys = dict(rep.reasons)
    assert rep.orders[0][:4] == [0, 0, 0, 7] and whys[0] == WHY_BUY  # each reason beside its own order
    assert rep.orders[1][:4] == [0, 0, -1, 2] and whys[1] == WHY_PUSH
    assert sorted(whys) == list(range(len(rep.orders)))  # the pusher explains its orders too
    assert rep.to_json() == out.replay.to_json()
    assert main(["replay", "verify", str(path)]) == 0
    assert resimulate(rep)[1].ok


def test_show_prints_reasons_and_answers(explained: tuple[Any, Path], capsys) -> None:
    _, path = explained
    code, out, err = show(capsys, str(path))
    assert code == 0, err
    buy = next(line for line in out.splitlines() if "buy Warlord Blade" in line)
    assert buy.startswith("00:00  blue ") and "[REJECTED: not enough gold]" in buy and WHY_BUY in buy, buy
    push = next(line for line in out.splitlines() if "all: push mid" in line and line.split()[1] == "blue")
    assert "[accepted]" in push and WHY_PUSH in push, push
    assert "draft: 1 blue " in out and "10 red " in out
    assert out.splitlines()[-1].startswith("01:00  ") and "(time limit)" in out.splitlines()[-1]


def test_show_json_is_the_same_story(explained: tuple[Any, Path], capsys) -> None:
    _, path = explained
    _, text, _ = show(capsys, str(path))
    code, out, err = show(capsys, str(path), "--json")
    assert code == 0, err
    entries = json.loads(out)
    assert format_timeline(entries) == text.splitlines()
    assert {e["type"] for e in entries} <= set(ENTRY_TYPES)
    rejected = [e for e in entries if e["type"] == "order" and e["status"] == "rejected"]
    assert len(rejected) == 1
    (r,) = rejected
    assert r["reject_reason"] == "not enough gold" and r["why"] == WHY_BUY and r["side"] == "blue"
    assert r["orders"] == [
        {
            "index": 0,
            "leader": 0,
            "who": r["orders"][0]["who"],
            "order": "buy",
            "args": [10, 0],
            "what": "buy Warlord Blade",
        }
    ]


def test_kills_fights_buildings_and_the_end(full: Path, capsys) -> None:
    code, out, err = show(capsys, str(full))
    assert code == 0, err
    lines = out.splitlines()
    assert sum("FIRST BLOOD: " in line for line in lines) == 1
    assert any(" killed " in line and "FIRST BLOOD" not in line for line in lines), out
    assert any("fight at " in line and " red (" in line for line in lines), out
    assert any(" lost its " in line and " tower to " in line for line in lines), out
    assert any(" bought: " in line for line in lines)
    assert "wins (core destroyed) after " in lines[-1], lines[-1]
    res = load_replay(full).result
    assert lines[-1].startswith(f"{res['ticks'] // 20 // 60:02d}:{res['ticks'] // 20 % 60:02d}  {res['winner']} wins")
    entries = json.loads(show(capsys, str(full), "--json")[1])
    kills = [e for e in entries if e["type"] == "kill"] + [
        k for e in entries if e["type"] == "fight" for k in e["kills"]
    ]
    assert len(kills) == sum(res["teams"][s]["kills"] for s in ("blue", "red"))  # every leader death, once
    for e in entries:
        if e["type"] == "fight":
            lost = {s: sum(k["victim_side"] == s for k in e["kills"]) for s in ("blue", "red")}
            assert e["score"] == {"blue": lost["red"], "red": lost["blue"]}
    buys = [e for e in entries if e["type"] == "purchase"]
    for side in ("blue", "red"):
        ticks = [e["tick"] for e in buys if e["side"] == side]
        assert all(b - a > 200 for a, b in zip(ticks, ticks[1:], strict=False))  # 10 s apart, else one line
    for ld in res["leaders"]:  # each leader bought (at least) what it ends with
        got = [it for e in buys if e["side"] == ld["team"] for who, it in e["items"] if who == ld["leader"]]
        assert all(got.count(it) >= ld["items"].count(it) for it in ld["items"]), (ld, got)
    lost = [e for e in entries if e["type"] == "building"]
    assert {s: sum(e["side"] == s for e in lost) for s in ("blue", "red")} == res["buildings_lost"]


def test_filters(full: Path, capsys) -> None:
    entries = json.loads(show(capsys, str(full), "--json")[1])
    code, out, _ = show(capsys, str(full), "--only", "order,fight", "--side", "red", "--json")
    got = json.loads(out)
    assert code == 0 and got and {e["type"] for e in got} <= {"order", "fight"}
    assert all(e["side"] == "red" for e in got if e["type"] == "order")
    want = [e for e in entries if e["type"] == "fight" or (e["type"] == "order" and e["side"] == "red")]
    assert got == want
    red = json.loads(show(capsys, str(full), "--side", "red", "--json")[1])
    owned = {"order", "purchase", "teleport", "fault"}
    assert red == [e for e in entries if e["type"] not in owned or e["side"] == "red"]
    assert any(e["type"] == "building" and e["side"] == "blue" for e in red)  # what red destroyed stays
    _, out, _ = show(capsys, str(full), "--skip", "purchase,order", "--limit", "5")
    assert len(out.splitlines()) == 5 and " bought: " not in out and "[accepted]" not in out
    code, _, err = show(capsys, str(full), "--only", "kills")
    assert code == 2 and "unknown entry type kills" in err and len(err.strip().splitlines()) == 1


def test_old_replays_without_reasons_still_load_verify_and_show(explained: tuple[Any, Path], tmp_path, capsys) -> None:
    _, path = explained
    doc = json.loads(path.read_text())
    del doc["reasons"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    rep = load_replay(old)
    assert rep.reasons == []
    assert main(["replay", "verify", str(old)]) == 0
    code, out, err = show(capsys, str(old))
    assert code == 0, err
    buy = next(line for line in out.splitlines() if "buy Warlord Blade" in line)
    assert "[REJECTED: not enough gold]" in buy and "why:" not in buy


DAMAGED = {
    "not a list": ({"0": "x"}, "reasons must be a list"),
    "not a pair": ([[0, "a", "b"]], "reasons[0] must be a pair"),
    "index a string": ([["0", "a"]], "reasons[0]: order index must be an integer"),
    "index a bool": ([[True, "a"]], "reasons[0]: order index must be an integer"),
    "index outside": ([[0, "a"], [10**6, "b"]], "reasons[1]: order index 1000000 is outside the order log"),
    "negative index": ([[-1, "a"]], "reasons[0]: order index -1 is outside"),
    "out of order": ([[1, "a"], [0, "b"]], "reasons[1]: order index 0 is not after the previous one (1)"),
    "duplicate": ([[0, "a"], [0, "b"]], "reasons[1]: order index 0 is not after"),
    "why a number": ([[0, 5]], "reasons[0]: the reason must be a string"),
    "why huge": ([[0, "x" * (MAX_REASON_CHARS + 1)]], f"at most {MAX_REASON_CHARS}"),
}


@pytest.mark.parametrize("name", list(DAMAGED))
def test_a_damaged_reasons_field_is_a_clear_error(name: str, explained: tuple[Any, Path], tmp_path, capsys) -> None:
    _, path = explained
    value, needle = DAMAGED[name]
    doc = json.loads(path.read_text())
    assert len(doc["orders"]) >= 2
    doc["reasons"] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ReplayError, match="damaged replay"):
        load_replay(bad)
    for cmd in (["replay", "show", str(bad)], ["replay", "verify", str(bad)]):
        assert main(cmd) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1 and needle in err and str(bad) in err, err


def test_damaged_reasons_from_the_command_line_exit_2_without_a_traceback(explained, tmp_path) -> None:
    _, path = explained
    doc = json.loads(path.read_text())
    doc["reasons"] = [[0, {"evil": True}]]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "shotcaller", "replay", "show", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"shotcaller replay show: {bad}: damaged replay: reasons[0]: the reason must be a string, got {{'evil': True}}"
    ]


def test_reasons_never_change_the_match(explained: tuple[Any, Path], tmp_path) -> None:
    """Other reasons (or none) on the same orders: the replay still verifies, the story is the same."""
    _, path = explained
    rep = load_replay(path)
    other = Replay(**{**rep.__dict__, "reasons": [[i, "something else"] for i in range(len(rep.orders))]})
    assert resimulate(other)[1].ok
    strip = [{k: v for k, v in e.items() if k not in ("why", "text")} for e in build_timeline(rep).entries]
    again = [{k: v for k, v in e.items() if k not in ("why", "text")} for e in build_timeline(other).entries]
    assert [e for e in strip if e["type"] != "match"] == [e for e in again if e["type"] != "match"]


def test_a_hostile_reason_is_shown_escaped(explained: tuple[Any, Path], tmp_path, capsys) -> None:
    _, path = explained
    doc = json.loads(path.read_text())
    doc["reasons"] = [[0, "\x1b[2J\x1b]0;pwned\x07 clear the screen"]]
    bad = tmp_path / "hostile.json"
    bad.write_text(json.dumps(doc))
    code, out, _ = show(capsys, str(bad))
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "why: \\x1b[2J\\x1b]0;pwned\\x07 clear the screen" in out


def test_a_diverging_replay_tells_its_story_up_to_there(full: Path, tmp_path, capsys) -> None:
    rep = load_replay(full)
    rep.checksums[3][1] = "0" * 16
    bad = tmp_path / "diverged.json"
    rep.save(bad)
    code, out, err = show(capsys, str(bad))
    assert code == 1 and f"diverged at tick {rep.checksums[3][0]}" in err
    assert "the replay diverged here" in out.splitlines()[-1] and " wins " not in out


def test_check_reasons_accepts_what_a_match_writes() -> None:
    assert check_reasons([], 0) == []
    assert check_reasons([[0, "a"], [5, "b" * MAX_WHY]], 6) == [[0, "a"], [5, "b" * MAX_WHY]]
    with pytest.raises(ValueError, match="outside the order log"):
        check_reasons([[0, "a"]], 0)


def test_match_timeline_flag(tmp_path, capsys) -> None:
    args = ["match", "--blue", "strategist", "--red", "laner", "--time-limit", "60", "--seed", "2"]
    assert main([*args, "--timeline"]) == 0
    out = capsys.readouterr().out
    assert " wins " in out or "Draw" in out
    story = out[out.index("\n00:00  seed 2") + 1 :].splitlines()
    assert story[0].startswith("00:00  seed 2") and "why: hold our mid tower" in out
    assert "draft: " in story[1] and story[-1].startswith("01:00  ")
    assert main([*args, "--timeline", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert format_timeline(res["timeline"]) == story
    assert main([*args, "--json"]) == 0
    assert "timeline" not in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("name", "seconds"),
    [("random", 120), ("laner", 120), ("pusher", 120), ("strategist", 120), ("search", 50)],
)
def test_builtin_coaches_explain_every_order(name: str, seconds: float) -> None:
    coach = Recorder(make_coach(name))
    other = make_coach("laner" if name != "laner" else "strategist")
    play_match(coach, other, seed=3, world=short_world(seconds))
    assert coach.orders, f"{name} gave no orders"
    for o in coach.orders:
        why = getattr(o, "why", None)
        assert isinstance(why, str) and why.strip() and len(why) <= MAX_WHY, (name, o)
        assert "nan" not in why and "inf" not in why.split(), (name, why)


@pytest.mark.parametrize("row", [[0, 0, -1, 3, 2**40, 0], [-5, 0, -1, 3, 1, 0]])
def test_an_order_out_of_range_is_a_clear_error(row: list[int], explained: tuple[Any, Path], tmp_path, capsys) -> None:
    _, path = explained
    doc = json.loads(path.read_text())
    doc["orders"][0] = row
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    for cmd in (["replay", "show", str(bad)], ["replay", "verify", str(bad)]):
        assert main(cmd) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "orders[0]" in err and "out of range" in err, err


def test_the_story_says_who_was_privileged() -> None:
    out = play_match(make_coach("idle"), make_coach("search"), seed=5, world=short_world(20))
    head = build_timeline(out.replay).entries[0]
    assert head["type"] == "match" and head["privileged"] == ["red"]
    assert head["text"].endswith("; red is privileged (it reads the full state)")


def test_orders_in_words_never_fail_on_strange_numbers() -> None:
    from shotcaller.arena.words import MatchWords, clock

    w = MatchWords(short_world(60), list(range(10)))
    assert w.order(0, 2, 1, 0) == "push mid" and w.order(1, 3, 0, 0) == "defend left"
    assert w.order(0, 8, 4, 0) == "teleport to left outer tower" and w.order(0, 8, 13, 0) == "teleport to red core"
    assert w.order(0, 7, 5, 0) == "buy Iron Sword" and w.order(1, 4, 2, 0).startswith("gank blue ")
    for kind in range(-3, 20):
        for a in (-(2**31), -1, 0, 3, 26, 999, 2**31 - 1):
            assert w.order(0, kind, a, a)
    assert w.place(40, 24) == "mid river" and w.place(8, 12) == "left lane, red side" and w.place(40, 47) == "blue base"
    assert w.place(-50, 10**6) and clock(20 * 3599, 20) == "59:59" and clock(20 * 6000, 20) == "100:00"


JSON_LINES_BOT = """
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("type") == "observe":
        orders = []
        if msg["id"] == 1:
            orders = [{"order": "push", "leader": -1, "a": 2, "why": "json: right is open"},
                      [0, 9, 2, 0, "json: careful please"]]
        print(json.dumps({"id": msg["id"], "orders": orders}), flush=True)
"""


def test_a_json_lines_bots_reasons_reach_the_timeline(tmp_path, capsys) -> None:
    bot = tmp_path / "jl.py"
    bot.write_text(JSON_LINES_BOT)
    args = ["match", "--blue", f"exec:{sys.executable} {bot}", "--red", "idle", "--time-limit", "10"]
    assert main([*args, "--timeline", "--json", "--bot-logs", str(tmp_path), "--allow-unsandboxed"]) == 0
    story = json.loads(capsys.readouterr().out)["timeline"]
    said = {(e["orders"][0]["what"], e["why"]) for e in story if e["type"] == "order"}
    assert said == {("push right", "json: right is open"), ("stance careful", "json: careful please")}
