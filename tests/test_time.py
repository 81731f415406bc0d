"""Durations are game seconds at any tick rate and any AI interval.

Every duration of the rules is written in seconds in the content files and converted to ticks once
(``sim/world.py``). These scenarios run the same rule at ``time.ticks_per_second`` 20 (the default) and
40 (a copy of the content with that one rule changed), with ``Params.ai_interval`` 4 (the default) and
10, and check that what lasts N seconds lasts N x ticks_per_second ticks. Numbers are read from the
content, never written here.
"""

from __future__ import annotations

import shutil

import pytest

from shotcaller.content import Content, load_content
from shotcaller.content.loader import CONTENT_DIR, SKILL_KEYS
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from shotcaller.sim.skills import KEY_SKILL
from shotcaller.sim.world import World
from tests.helpers import DRAFT

RATES = [(20, 4), (20, 10), (40, 4), (40, 10)]  # (ticks_per_second, ai_interval)
VESNA = 1  # blue leader 1 in DRAFT: AttackSpeedIncrease, SlowAOE
SYLVAN = 2  # blue leader 2 in DRAFT: NatureSummon, Root


@pytest.fixture(scope="module")
def contents(tmp_path_factory) -> dict[int, Content]:
    """The default content at 20 ticks a second, and a copy at 40."""
    folder = tmp_path_factory.mktemp("content40")
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"), dirs_exist_ok=True)
    rules = (folder / "rules.toml").read_text()
    assert "ticks_per_second = 20" in rules
    (folder / "rules.toml").write_text(rules.replace("ticks_per_second = 20", "ticks_per_second = 40"))
    return {20: load_content(), 40: load_content(folder)}


@pytest.fixture(scope="module", params=RATES, ids=[f"{t}hz-ai{a}" for t, a in RATES])
def world(request, contents) -> World:
    tps, ai = request.param
    w = build_world(contents[tps], SimConfig(), Params(latency_s=0, apm=0, micro=True, ai_interval=ai))
    assert w.content.rule("time.ticks_per_second") == tps and int(w.rec["ai_every"]) == ai
    return w


def secs(w: World, seconds: float) -> int:
    """``seconds`` of game time in ticks of world ``w``."""
    return round(seconds * w.content.rule("time.ticks_per_second"))


def now(st) -> int:
    return int(st.arrays.games["tick"][0])


def unit(st, slot: int):
    return st.arrays.units[0, slot]


def leader(st, li: int):
    return st.arrays.leaders[0, li]


def step_events(st, orders=None) -> list[dict]:
    """One tick; its decoded events."""
    rows = None if orders is None else [[orders]]
    return step_inplace(st, rows, 1).decoded(0)


def disarm(st, slot: int) -> None:
    set_field(st, slot, aspd=0.0, base_as=0.0)


def anchor(st, slot: int) -> None:
    """Unit ``slot`` never moves (no movement points) and never attacks."""
    set_field(st, slot, refill=0.0, base_refill=0.0)
    disarm(st, slot)


def tank(st, slot: int) -> None:
    set_field(st, slot, base_hp=1e6, max_hp=1e6, hp=1e6)


# ---------------------------------------------------------------------------- the rules
def test_first_wave_at_first_wave_s_then_every_interval_s(world):
    st = scenario_state(world, DRAFT, waves=True)
    keep_only(st, [])
    first = secs(world, world.content.rule("waves.first_wave_s"))
    every = secs(world, world.content.rule("waves.interval_s"))
    creeps = st.arrays.units[0, L.SLOT_CREEP0 :]
    step_inplace(st, None, first)
    assert creeps["alive"].sum() == 0
    step_inplace(st, None, 1)
    assert creeps["alive"].sum() > 0 and set(creeps["spawn_tick"][creeps["alive"] == 1].tolist()) == {first}
    step_inplace(st, None, every - 1)
    assert (creeps["spawn_tick"][creeps["alive"] == 1] == first).all()  # (the first wave may have fought)
    step_inplace(st, None, 1)
    assert ((creeps["alive"] == 1) & (creeps["spawn_tick"] == first + every)).sum() > 0


@pytest.mark.parametrize("minute", [0, 1])
def test_respawn_after_base_plus_per_minute_seconds(world, minute):
    st = scenario_state(world, DRAFT)
    s = leader_slot(3)
    keep_only(st, [s])
    t0 = minute * secs(world, 60) + 7
    st.arrays.games["tick"][0] = t0
    set_field(st, s, hp=0.0)
    step_inplace(st, None, 1)
    c = world.content
    delay = secs(world, c.rule("leaders.respawn_base_s") + c.rule("leaders.respawn_per_minute_s") * minute)
    assert leader(st, 3)["respawn_at"] == t0 + delay
    step_inplace(st, None, delay - 1)
    assert unit(st, s)["alive"] == 0
    assert [e["tick"] for e in step_events(st) if e["kind"] == "respawn"] == [t0 + delay]
    assert unit(st, s)["alive"] == 1


def test_teleport_channel_and_cooldown_in_seconds(world):
    st = scenario_state(world, DRAFT)
    keep_only(st, [leader_slot(0)])
    dest = 4  # blue's outer tower of lane 0 (building slot team * 13 + sub)
    order = [L.BLUE, 0, L.O_TELEPORT, dest, 0]
    t_order = now(st)
    step_events(st, order)
    assert leader(st, 0)["mode"] == L.M_CHANNEL
    channel = secs(world, world.content.rule("orders.teleport_channel_s"))
    cooldown = secs(world, world.content.rule("orders.teleport_cooldown_s"))
    while leader(st, 0)["mode"] == L.M_CHANNEL:
        evs = step_events(st)
    (tp,) = [e for e in evs if e["kind"] == "teleport"]
    assert tp["tick"] == t_order + channel
    assert (int(unit(st, leader_slot(0))["x"]), int(unit(st, leader_slot(0))["y"])) == (
        int(unit(st, dest)["x"]),
        int(unit(st, dest)["y"]),
    )
    assert leader(st, 0)["teleport_ready_at"] == tp["tick"] + cooldown
    # one tick before the cooldown ends the order is refused; at its end it is accepted
    step_inplace(st, None, tp["tick"] + cooldown - 1 - now(st))
    (no,) = [e for e in step_events(st, order) if e["kind"] == "order_rejected"]
    assert no["d"] == L.R_COOLDOWN
    assert [e["kind"] for e in step_events(st, order) if e["kind"].startswith("order_")] == [
        "order_accepted",
        "order_applied",
    ]


def test_tower_keeps_a_leader_aggressor_for_tower_leader_aggro_s(world):
    st = scenario_state(world, DRAFT)
    me = leader_slot(0)
    keep_only(st, [me])
    tw = L.N_BLD + 4  # red's outer tower of lane 0, at (8, 20)
    assert (int(unit(st, tw)["x"]), int(unit(st, tw)["y"])) == (8, 20)
    place(st, me, 8, 22)
    hold(st, me)
    anchor(st, me)
    tank(st, me)
    leader(st, 0)["skills"][:] = L.NONE
    creep = spawn_unit(st, L.K_CREEP, L.BLUE, 8, 24)
    anchor(st, creep)
    tank(st, creep)
    # our leader has just hit an allied leader of the tower (as if): the tower's priority ...
    set_field(st, me, aggro_tick=now(st))
    last = now(st)
    window = secs(world, world.content.rule("combat.tower_leader_aggro_s"))
    assert int(world.rec["tower_aggro"]) == window
    step_inplace(st, None, 2)
    while now(st) <= last + window:
        assert unit(st, tw)["target"] == me
        step_inplace(st, None, 1)
    # ... until the window ends: then the creep (towers look around every other tick)
    step_inplace(st, None, 2)
    assert unit(st, tw)["target"] == creep


def test_attack_interval_is_ten_seconds_over_attack_speed(world):
    st = scenario_state(world, DRAFT)
    keep_only(st, [])
    tw = L.N_BLD + 4  # red's outer tower of lane 0, at (8, 20): range 5
    creep = spawn_unit(st, L.K_CREEP, L.BLUE, 8, 23)
    anchor(st, creep)
    tank(st, creep)
    hits = []
    for _ in range(secs(world, 6)):
        hp = float(unit(st, creep)["hp"])
        t = now(st)
        step_inplace(st, None, 1)
        if unit(st, creep)["hp"] < hp:
            hits.append(t)
    speed = float(world.rec["unit_stats"][L.UK_TOWER, L.S_AS])
    every = max(1, round(secs(world, 10) / speed))
    assert unit(st, tw)["target"] == creep
    assert len(hits) >= 3 and {b - a for a, b in zip(hits, hits[1:], strict=False)} == {every}


def test_root_lasts_its_duration_s(world):
    st = scenario_state(world, DRAFT)
    me = leader_slot(SYLVAN)
    keep_only(st, [me])
    place(st, me, 24, 24)
    hold(st, me)
    disarm(st, me)
    leader(st, SYLVAN)["skills"][0] = L.NONE  # no treants
    foe = spawn_unit(st, L.K_CREEP, L.RED, 26, 24)
    anchor(st, foe)
    cast = None
    for _ in range(3 * int(world.rec["ai_every"])):
        evs = step_events(st)
        casts = [e for e in evs if e["kind"] == "skill" and e["b"] == L.SK_ROOT]
        if casts:
            cast = casts[0]
            break
    assert cast is not None and cast["c"] == foe, "Sylvan never cast Root at the creep next to it"
    duration = world.content.skill_params[L.SK_ROOT, SKILL_KEYS.index("duration_s")]
    assert unit(st, foe)["root_until"] == cast["tick"] + secs(world, float(duration))
    assert unit(st, foe)["root_until"] < NEVER


def test_attack_speed_increase_bonus_lasts_its_duration_s(world):
    """The consecutive-attack bonus lasts ``duration_s`` after each attack (it was a literal 60 ticks)."""
    st = scenario_state(world, DRAFT)
    me = leader_slot(VESNA)
    keep_only(st, [me])
    place(st, me, 24, 24)
    hold(st, me)
    foe = spawn_unit(st, L.K_CREEP, L.RED, 27, 24)
    anchor(st, foe)
    tank(st, foe)
    attacks = []
    while len(attacks) < 2 and now(st) < secs(world, 10):
        n, t = int(leader(st, VESNA)["atk_count"]), now(st)
        step_inplace(st, None, 1)
        if leader(st, VESNA)["atk_count"] > n:
            attacks.append(t)
    assert len(attacks) == 2 and leader(st, VESNA)["streak"] == 1, "Vesna did not attack the creep twice"
    window = secs(world, float(world.content.skill_params[L.SK_ATTACK_SPEED_INCREASE, SKILL_KEYS.index("duration_s")]))
    assert window > 0
    effects = st.arrays.effects[0, me]
    key = KEY_SKILL + L.SK_ATTACK_SPEED_INCREASE
    (bonus,) = effects[effects["key"] == key]
    assert bonus["until"] == attacks[-1] + window
    # no more attacks: the bonus is there until its last tick, gone after
    disarm(st, me)
    step_inplace(st, None, attacks[-1] + window - now(st))
    assert (effects["key"] == key).sum() == 1
    step_inplace(st, None, 1)
    assert (effects["key"] == key).sum() == 0
