"""Leader AI customisation: your own profiles from a data file, the ``profile`` order, and Python hooks
that switch profiles or give orders per leader, on top of any coach."""

from __future__ import annotations

import numpy as np
import pytest

from shotcaller.arena.match import play_match
from shotcaller.arena.replay import resimulate
from shotcaller.bots import load_bot
from shotcaller.bots import orders as O
from shotcaller.bots.hooks import HurtIsCareful, with_hooks
from shotcaller.content import ContentError, load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.observe import team_view

BERSERKER = """
[berserker]
retreat_hp = 0.05
resume_hp = 0.6
aggression = 3.0
farm = 0.2
push = 2.0
risk = 1.0
chase = 10
shop_gold = 900
"""


def test_own_profiles_from_a_file_are_added_and_change_the_version(tmp_path, content):
    p = tmp_path / "mine.toml"
    p.write_text(BERSERKER)
    c = load_content(profiles=p)
    assert c.profile_names[: len(content.profile_names)] == content.profile_names
    assert c.profile_names[-1] == "berserker"
    assert c.profile_params[-1][0] == pytest.approx(0.05)
    assert c.version != content.version
    world = build_world(c, SimConfig(), Params(profiles=("berserker",) * 5 + ("standard",) * 5))
    st = new_state(world, 1)
    assert st.arrays.leaders["profile"][0].tolist() == [c.profile_id("berserker")] * 5 + [0] * 5


@pytest.mark.parametrize(
    "text,expect",
    [
        (BERSERKER.replace("risk = 1.0", "risk = 7"), r"mine.toml: berserker.risk"),
        (BERSERKER.replace("chase = 10", "chase = 10\nspeed = 3"), "speed"),
        (BERSERKER.replace("farm = 0.2\n", ""), r"berserker.farm: missing"),
        ("[berserker\n", "not valid TOML"),
        ("", "no profiles defined"),
    ],
)
def test_bad_profile_files_name_the_problem(tmp_path, text, expect):
    p = tmp_path / "mine.toml"
    p.write_text(text)
    with pytest.raises(ContentError, match=expect):
        load_content(profiles=p)


def test_the_profile_order_switches_a_leader_even_when_dead(fast_world):
    st = new_state(fast_world, 3)
    careful = fast_world.content.profile_id("careful")
    st.arrays.units["alive"][0, L.SLOT_LEADER0 + 1] = 0  # blue leader 1 is dead
    rows = np.array([[[0, 1, L.O_PROFILE, careful, 0], [1, -1, L.O_PROFILE, 99, 0]]], np.int32)
    ev = step_inplace(st, rows, 2)
    rejected = [e for e in ev.decoded(0) if e["kind"] == "order_rejected"]
    assert [(e["a"], e["d"]) for e in rejected] == [(1, L.R_BAD_ARGUMENT)]  # red's unknown profile id
    assert st.arrays.leaders["profile"][0, 1] == careful
    assert team_view(st, 1)["leaders"][0]["profile"] == "standard"


def test_micro_mode_still_guards_micro_orders_only(world):
    st = new_state(world, 3)  # default rules: micro orders off
    rows = np.array([[[0, 0, L.O_PROFILE, 1, 0], [0, 0, L.O_MOVE, 24, 24]]], np.int32)
    ev = step_inplace(st, rows, 1)
    out = [(e["kind"], e["c"]) for e in ev.decoded(0) if e["kind"] in ("order_accepted", "order_rejected")]
    assert out == [("order_accepted", L.O_PROFILE), ("order_rejected", L.O_MOVE)]
    assert [e["d"] for e in ev.decoded(0) if e["kind"] == "order_rejected"] == [L.R_MICRO_DISABLED]


class Broken:
    def profile(self, leader, view, info):
        if leader["index"] % 5 == 2:
            raise RuntimeError("hook bug")
        return None


class Mistyped:
    def profile(self, leader, view, info):
        return "berzerker"


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=300))


def test_a_hooked_coach_switches_profiles_and_replays_exactly(short_world):
    coach = with_hooks(load_bot("laner"), HurtIsCareful())
    out = play_match(coach, load_bot("pusher"), seed=6, world=short_world)
    assert out.result["faults"] == []
    switches = [o for o in out.replay.orders if o[1] == 0 and o[3] == L.O_PROFILE]
    names = {short_world.content.profile_names[o[4]] for o in switches}
    assert "careful" in names  # some leader got hurt and turned careful
    assert resimulate(out.replay, short_world)[1].ok


def test_hook_faults_are_recorded_and_the_coach_orders_kept(short_world):
    coach = with_hooks(load_bot("pusher"), Broken(), Mistyped())
    res = play_match(coach, load_bot("idle"), seed=2, world=short_world).result
    reasons = {f["reason"].split(":")[0] for f in res["faults"]}
    assert reasons == {"hook Broken on leader 2"} | {f"hook Mistyped on leader {i}" for i in range(5)}
    assert any("unknown profile 'berzerker'" in f["reason"] for f in res["faults"])
    assert res["teams"]["blue"]["orders_given"] >= 1  # the pusher's own orders went out


def test_profile_order_helper(short_world):
    info = type("I", (), {"world": short_world})()
    assert O.profile("farmer", info, 3) == (3, L.O_PROFILE, short_world.content.profile_id("farmer"), 0)
    with pytest.raises(KeyError, match="unknown profile"):
        O.profile("nope", info)


def test_the_example_hooked_bot_loads_from_its_file_and_plays(short_world):
    from pathlib import Path

    spec = str(Path(__file__).resolve().parents[1] / "examples" / "profile_hook.py") + ":AdaptiveLaner"
    res = play_match(load_bot(spec), load_bot("laner"), seed=1, world=short_world).result
    assert res["faults"] == [] and res["teams"]["blue"]["orders_given"] > 5
