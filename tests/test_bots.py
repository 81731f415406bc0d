"""Coach bots: every spec form loads, built-ins play real matches, faulty bots never stop a match."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import BUILTIN, BotLoadError, LanerCoach, PusherCoach, load_bot
from shotcaller.bots.base import CoachWrapper
from shotcaller.sim import Params, SimConfig, build_world

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=240))


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_bots_play_a_match_and_give_valid_orders(name, short_world):
    out = play_match(load_bot(name), load_bot("idle"), seed=3, world=short_world)
    res = out.result
    assert res["faults"] == []
    blue = res["teams"]["blue"]
    if name in ("idle", "none", "drafter"):  # the leaders play the default plan
        assert blue["orders_given"] == 0
    else:
        assert blue["orders_given"] > 0
        assert blue["orders_rejected"] <= blue["orders_given"] // 4  # they mostly speak the grammar right


def test_example_bot_from_file_runs(short_world):
    bot = load_bot(str(ROOT / "examples" / "first_bot.py") + ":FirstBot")
    res = play_match(bot, load_bot("laner"), seed=1, world=short_world).result
    assert res["faults"] == [] and res["teams"]["blue"]["orders_given"] >= 5


def test_module_and_entry_point_specs(monkeypatch):
    assert isinstance(load_bot("shotcaller.bots.builtin:LanerCoach"), LanerCoach)
    ep = EntryPoint(name="my-pusher", value="shotcaller.bots.builtin:PusherCoach", group="shotcaller.bots")
    monkeypatch.setattr("shotcaller.bots.loader.entry_points", lambda group: [ep] if group == "shotcaller.bots" else [])
    assert isinstance(load_bot("my-pusher"), PusherCoach)


@pytest.mark.parametrize(
    "spec,expect",
    [
        ("deep-blue", "unknown bot 'deep-blue'"),
        ("nowhere/bot.py:Bot", "no such file"),
        ("shotcaller.bots.builtin:Nope", "has no attribute 'Nope'"),
        ("no_such_module_xyz:Bot", "cannot import module"),
        ("shotcaller.bots.builtin:BUILTIN", "has no act"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, expect):
    with pytest.raises(BotLoadError, match=expect):
        load_bot(spec)


def test_bot_file_that_fails_to_import(tmp_path):
    p = tmp_path / "broken.py"
    p.write_text("def oops(:\n")
    with pytest.raises(BotLoadError, match="importing .* failed: SyntaxError"):
        load_bot(f"{p}:Bot")


class Raises:
    def reset(self, info):
        pass

    def act(self, view, info):
        if view["tick"] % 200 == 0:
            raise RuntimeError("boom")
        return [(0, 1, 1, 0)]


class Garbage:
    def reset(self, info):
        pass

    def act(self, view, info):
        return [("lane", 1), (0, 1, 2**40, 0), None, (0, 1, 1, 0), 5]


def test_faulty_bots_lose_their_orders_and_the_match_goes_on(short_world):
    res = play_match(Raises(), Garbage(), seed=2, world=short_world).result
    assert res["end_reason"] in ("core destroyed", "time limit")
    reasons = [f["reason"] for f in res["faults"]]
    assert any("act raised RuntimeError: boom" in r for r in reasons)
    assert any("malformed order" in r for r in reasons)
    assert res["teams"]["blue"]["orders_given"] > 0  # the good orders still went through
    assert res["teams"]["red"]["orders_given"] > 0


def test_bots_see_their_rejected_orders(short_world):
    seen = []

    class Probe:
        def reset(self, info):
            pass

        def act(self, view, info):
            seen.extend(view["events"])
            return [(0, 1, 7, 0)] if view["tick"] == 0 else []  # lane 7 does not exist

    play_match(Probe(), load_bot("idle"), seed=4, world=short_world)
    assert {"kind": "order_rejected", "leader": 0, "order": "lane", "reason": "lane must be 0, 1 or 2"}.items() <= (
        next(e for e in seen if e["kind"] == "order_rejected").items()
    )


def test_cli_match_accepts_bot_specs():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "shotcaller",
            "match",
            "--blue",
            "examples/first_bot.py:FirstBot",
            "--red",
            "pusher",
            "--time-limit",
            "120",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert '"faults": []' in out.stdout


def test_a_drafting_coach_drafts_in_the_match(short_world):
    undrafted = play_match(load_bot("idle"), load_bot("idle"), seed=5, world=short_world).replay.draft
    out = play_match(load_bot("drafter"), load_bot("idle"), seed=5, world=short_world)
    assert out.result["faults"] == []
    draft = out.replay.draft
    assert sorted(draft) == list(range(10)) and draft != undrafted
    from shotcaller.arena.draft import draft_view
    from shotcaller.bots.drafters import greedy_pick

    first = greedy_pick(draft_view(short_world.content, []), None)  # blue picks first
    assert short_world.content.leader_names[draft[0]] == first


class Recorder(CoachWrapper):
    """Wraps a coach (every ability is the inner coach's) and records its orders with their ticks."""

    def __init__(self, inner):
        super().__init__(inner)
        self.orders = []

    def act(self, view, info):
        out = self.inner.act(view, info)
        self.orders += [(view["tick"], tuple(o)) for o in out]
        return out


def test_pusher_and_strategist_open_as_described(short_world):
    from shotcaller.sim import layout as L

    p, s = Recorder(load_bot("pusher")), Recorder(load_bot("strategist"))
    play_match(p, s, seed=2, world=short_world)
    assert p.orders[0] == (0, (-1, L.O_PUSH, 1, 0))  # all five push mid (the weakest-lane tie-break)
    assert s.orders[0] == (0, (-1, L.O_DEFEND, 1, 0))  # all five hold the own mid tower first
    # the pushers reach the strategist's mid tower: it keeps defending mid there
    assert all(o[1][1] == L.O_DEFEND for o in s.orders if o[0] < 20 * 45)


def test_search_is_labelled_privileged_and_plays_legal_orders(short_world):
    out = play_match(load_bot("strategist"), load_bot("search"), seed=4, world=short_world).result
    assert out["privileged"] == ["red"] and out["faults"] == []
    assert out["teams"]["red"]["orders_rejected"] <= out["teams"]["red"]["orders_given"] // 4


def test_search_score_is_antisymmetric_and_counts_material(world):
    from shotcaller.bots.search import evaluate
    from shotcaller.sim import new_state, step_inplace

    st = new_state(world, 8)
    step_inplace(st, None, 20 * 60)
    base = evaluate(st, 0)
    assert base == pytest.approx(-evaluate(st, 1), abs=1e-6)
    un = st.arrays.units[0]
    health = float(un["hp"][13 + 4] / un["max_hp"][13 + 4])  # red's first top tower, weight 1
    lost = st.copy()
    lost.arrays.units["alive"][0, 13 + 4] = 0
    lost.arrays.units["hp"][0, 13 + 4] = 0
    assert evaluate(lost, 0)[0] == pytest.approx(base[0] + health, abs=1e-4)


class ClosesBadly:
    def reset(self, info):
        pass

    def act(self, view, info):
        return []

    def close(self):
        raise OSError("cannot close")


def test_a_coach_whose_close_raises_is_a_fault_of_its_side(short_world):
    res = play_match(load_bot("idle"), ClosesBadly(), seed=1, world=short_world).result
    assert [(f["team"], f["reason"]) for f in res["faults"]] == [("red", "close raised OSError('cannot close')")]
