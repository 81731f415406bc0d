"""The fortify order (docs/rules.md "Fortify", docs/orders.md): every building of the ordering team takes
no damage for ``orders.fortify_s`` seconds from the tick it takes effect; the team's next fortify may take
effect ``orders.fortify_cooldown_s`` seconds after. Numbers are read from the content, never written here.

Scenarios put red attackers (a melee and a ranged leader, creeps, a treant, and a skill's damage over
time) on blue's left outer tower (slot 4, at (8, 29)) and a blue leader on red's left outer tower
(slot 17, at (8, 20)); both towers are disarmed so the attackers live.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from shotcaller.arena.match import play_match
from shotcaller.arena.replay import load_replay, resimulate
from shotcaller.arena.timeline import build_timeline
from shotcaller.bots import orders as O
from shotcaller.bots.wire import parse_orders
from shotcaller.content import Content, load_content
from shotcaller.content.loader import CONTENT_DIR
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.observe import full_view, team_view
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from shotcaller.sim.world import World
from tests.helpers import DRAFT

BLUE_TOWER, RED_TOWER = 4, L.N_BLD + 4  # the left outer towers: (8, 29) and (8, 20)
RED_MELEE, RED_RANGED, BLUE_MELEE = 5, 6, 0  # Chiron, Celsus (ranged), Rollo in DRAFT
DOT_PER_TICK = 3.0  # a hand-made damage-over-time effect on the blue tower: damage every tick
DOT_KEY = 9999


def fortify_row(team: int, leader: int = -1) -> list[int]:
    return [team, leader, L.O_FORTIFY, 0, 0]


def rows(*rs: list[int]) -> np.ndarray:
    return np.array([list(rs)], np.int32)


def now(st) -> int:
    return int(st.arrays.games["tick"][0])


def hp(st, slot: int) -> float:
    return float(st.arrays.units[0, slot]["hp"])


def team(st, t: int):
    return st.arrays.teams[0, t]


def step(st, orders=None, n: int = 1) -> list[dict]:
    return step_inplace(st, orders, n).decoded(0)


def secs(w: World, key: str) -> int:
    """Rule ``key`` (seconds) in ticks of world ``w``."""
    return round(w.content.rule(key) * w.content.rule("time.ticks_per_second"))


def latency(w: World) -> int:
    return int(w.rec["latency"])


def order_answers(evs: list[dict]) -> list[tuple[str, int]]:
    """(accepted / rejected, reason) of the order answers, in order."""
    return [(e["kind"], e["d"]) for e in evs if e["kind"] in ("order_accepted", "order_rejected")]


def siege(w: World, dot: bool = True):
    """Red attackers on blue's left outer tower, blue Rollo on red's; towers disarmed, no waves."""
    st = scenario_state(w, DRAFT)
    keep_only(st, [leader_slot(RED_MELEE), leader_slot(RED_RANGED), leader_slot(BLUE_MELEE)])
    place(st, leader_slot(RED_MELEE), 8, 28)
    place(st, leader_slot(RED_RANGED), 8, 25)
    place(st, leader_slot(BLUE_MELEE), 8, 19)
    for li in (RED_MELEE, RED_RANGED, BLUE_MELEE):
        hold(st, leader_slot(li))
    for s in (BLUE_TOWER, RED_TOWER):
        set_field(st, s, aspd=0.0, base_as=0.0)
    spawn_unit(st, L.K_CREEP, L.RED, 7, 28)
    spawn_unit(st, L.K_CREEP, L.RED, 9, 28)
    spawn_unit(st, L.K_TREANT, L.RED, 9, 29)
    # a blue creep at red's tower keeps its backdoor protection off (docs/rules.md, "Buildings")
    set_field(st, spawn_unit(st, L.K_CREEP, L.BLUE, 9, 18), aspd=0.0, base_as=0.0)
    if dot:  # a skill's damage over time (BattleHunger's kind of effect) on the tower: damage every tick
        ef = st.arrays.effects[0, BLUE_TOWER]
        ef[0] = (DOT_KEY, leader_slot(RED_MELEE), L.ST_DOT, L.OP_ADD, 0, DOT_PER_TICK, NEVER)
        st.arrays.units[0, BLUE_TOWER]["dirty"] = 1
    return st


# ---------------------------------------------------------------------------- the rule
def test_fortify_waits_its_latency_then_stops_every_damage_for_exactly_fortify_s(world):
    st = siege(world)
    lat, dur, cd = latency(world), secs(world, "orders.fortify_s"), secs(world, "orders.fortify_cooldown_s")
    assert lat > 0 and dur > 0 and cd > dur
    step(st, n=60)  # the siege is on: every attacker has hit the tower
    t0 = now(st)
    hits = [hp(st, BLUE_TOWER)]
    evs = step(st, rows(fortify_row(L.BLUE)))
    assert [(e["kind"], e["d"]) for e in evs if e["kind"] == "order_accepted"] == [("order_accepted", t0 + lat)]
    hits.append(hp(st, BLUE_TOWER))
    applied: list[dict] = []
    red_before = hp(st, RED_TOWER)
    red_during = None
    for _ in range(lat + dur + 40):
        evs = step(st)
        applied += [e for e in evs if e["kind"] in ("fortify", "order_applied")]
        hits.append(hp(st, BLUE_TOWER))
        if now(st) == t0 + lat:
            red_before = hp(st, RED_TOWER)
        if now(st) == t0 + lat + dur:
            red_during = hp(st, RED_TOWER)
    due = t0 + lat
    assert [(e["kind"], e["tick"], e["a"], e["b"]) for e in applied] == [
        ("fortify", due, L.BLUE, due + dur),
        ("order_applied", due, L.BLUE, -1),
    ]
    # hits[k] is the health after tick t0 + k - 1: the ticks that dealt damage are exactly those outside
    # [due, due + dur) (the damage over time lands every tick, the attacks on top of it)
    damaged = {t0 + k - 1 for k in range(1, len(hits)) if hits[k] < hits[k - 1]}
    ticks = set(range(t0, t0 + len(hits) - 1))
    assert damaged == ticks - set(range(due, due + dur))
    assert team(st, L.BLUE)["fortify_until"] == due + dur
    assert team(st, L.BLUE)["fortify_ready_at"] == due + cd
    # the enemy's buildings are not fortified: blue Rollo kept damaging red's tower meanwhile
    assert red_during is not None and red_during < red_before
    assert team(st, L.RED)["fortify_until"] == 0


def test_every_attacker_keeps_its_target_and_deals_nothing(fast_world):
    st = siege(fast_world, dot=False)
    dur = secs(fast_world, "orders.fortify_s")
    step(st, n=60)
    units = st.arrays.units[0]
    attackers = [leader_slot(RED_MELEE), leader_slot(RED_RANGED)] + [
        s for s in range(L.SLOT_CREEP0, units.shape[0]) if units[s]["alive"] and units[s]["team"] == L.RED
    ]
    assert len(attackers) == 5
    assert all(units[s]["target"] == BLUE_TOWER for s in attackers)
    red_damage = st.arrays.leaders[0]["damage"][[RED_MELEE, RED_RANGED]].copy()
    step(st, rows(fortify_row(L.BLUE)))  # no latency in this world: in effect from this tick
    h = hp(st, BLUE_TOWER)
    last_attack = units[attackers]["next_attack"].copy()
    for _ in range(dur - 1):
        step(st)
        assert all(units[s]["target"] == BLUE_TOWER for s in attackers)  # still its target, like Dota
    assert hp(st, BLUE_TOWER) == h
    assert (units[attackers]["next_attack"] > last_attack).all()  # every one of them attacked meanwhile
    assert (red_damage > 0).all()  # they had dealt damage before the fortify, none during it
    assert (st.arrays.leaders[0]["damage"][[RED_MELEE, RED_RANGED]] == red_damage).all()
    step(st, n=40)  # over: the tower takes damage again, from the leaders too
    assert hp(st, BLUE_TOWER) < h
    assert (st.arrays.leaders[0]["damage"][[RED_MELEE, RED_RANGED]] > red_damage).all()


def test_every_building_of_the_team_is_fortified_the_enemys_are_not(fast_world):
    """All 26 buildings unprotected (protection would shield most of them anyway) and under a damage over
    time: while blue is fortified its 13 take nothing, red's 13 keep losing health."""
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [])
    for s in range(2 * L.N_BLD):
        st.arrays.units[0, s]["invuln"] = 0
        st.arrays.effects[0, s][0] = (DOT_KEY, L.NONE, L.ST_DOT, L.OP_ADD, 0, DOT_PER_TICK, NEVER)
        st.arrays.units[0, s]["dirty"] = 1
    step(st, rows(fortify_row(L.BLUE)))  # no latency in this world: in effect from this tick
    before = st.arrays.units[0, : 2 * L.N_BLD]["hp"].copy()
    assert (before[: L.N_BLD] == st.arrays.units[0, : L.N_BLD]["max_hp"]).all()
    dur = secs(fast_world, "orders.fortify_s")
    step(st, n=dur - 1)
    after = st.arrays.units[0, : 2 * L.N_BLD]["hp"]
    assert (after[: L.N_BLD] == before[: L.N_BLD]).all()
    # red's keep losing health (less than the raw damage over time: early armour and backdoor protection)
    assert (after[L.N_BLD :] < before[L.N_BLD :]).all()
    step(st)
    assert (st.arrays.units[0, : L.N_BLD]["hp"] < before[: L.N_BLD]).all()  # over for all of them at once


# ---------------------------------------------------------------------------- validation
def test_cooldown_rejects_until_it_would_be_over_when_the_order_arrives(world):
    st = scenario_state(world, DRAFT)
    lat, cd = latency(world), secs(world, "orders.fortify_cooldown_s")
    step(st, rows(fortify_row(L.BLUE)), lat + 1)  # issued at tick 0, in effect at tick lat
    assert team(st, L.BLUE)["fortify_ready_at"] == lat + cd
    evs = step(st, rows(fortify_row(L.BLUE)))
    assert order_answers(evs) == [("order_rejected", L.R_COOLDOWN)]
    # issued one tick before the cooldown would be over on arrival: refused; at that tick: accepted
    step(st, n=cd - 1 - now(st))
    assert now(st) == cd - 1
    assert order_answers(step(st, rows(fortify_row(L.BLUE)))) == [("order_rejected", L.R_COOLDOWN)]
    evs = step(st, rows(fortify_row(L.BLUE)), lat + 1)
    assert order_answers(evs) == [("order_accepted", cd + lat)]
    assert [e["tick"] for e in evs if e["kind"] == "fortify"] == [cd + lat]  # exactly when the cooldown ends
    assert team(st, L.BLUE)["fortify_ready_at"] == cd + lat + cd


def test_a_pending_fortify_rejects_another_of_the_same_team_only(world):
    st = scenario_state(world, DRAFT)
    evs = step(st, rows(fortify_row(L.BLUE), fortify_row(L.BLUE, 2), fortify_row(L.RED)))
    assert order_answers(evs) == [
        ("order_accepted", latency(world)),
        ("order_rejected", L.R_PENDING),
        ("order_accepted", latency(world)),
    ]
    assert order_answers(step(st, rows(fortify_row(L.BLUE, 0)))) == [("order_rejected", L.R_PENDING)]
    assert L.REJECT_REASONS[L.R_PENDING].startswith("already ordered")
    evs = step(st, None, latency(world))
    assert sorted(e["a"] for e in evs if e["kind"] == "fortify") == [L.BLUE, L.RED]
    assert order_answers(step(st, rows(fortify_row(L.BLUE)))) == [("order_rejected", L.R_COOLDOWN)]


@pytest.mark.parametrize("leader", [-1, 0, 3, 4])
def test_any_leader_value_means_the_team_and_dead_leaders_do_not_matter(fast_world, leader):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [leader_slot(i) for i in range(5, 10)])  # every blue leader is gone
    evs = step(st, rows(fortify_row(L.BLUE, leader)))
    assert order_answers(evs) == [("order_accepted", 0)]
    assert [(e["kind"], e["a"]) for e in evs if e["kind"] in ("fortify", "order_applied")] == [
        ("fortify", L.BLUE),
        ("order_applied", L.BLUE),
    ]
    assert team(st, L.BLUE)["fortify_until"] == secs(fast_world, "orders.fortify_s")
    assert (st.arrays.leaders[0]["order"][:5] == L.O_LANE).all()  # no leader's own order changed


@pytest.mark.parametrize("leader", [5, -2])
def test_a_leader_value_out_of_range_is_still_refused(fast_world, leader):
    st = scenario_state(fast_world, DRAFT)
    assert order_answers(step(st, rows(fortify_row(L.BLUE, leader)))) == [("order_rejected", L.R_BAD_LEADER)]
    assert team(st, L.BLUE)["fortify_until"] == 0


def test_fortify_counts_against_the_apm_budget(world):
    st = scenario_state(world, DRAFT)
    apm = int(world.rec["apm"])
    lanes = [[L.BLUE, -1, L.O_LANE, 1, 0]] * apm
    assert order_answers(step(st, rows(*lanes))) == [("order_accepted", latency(world))] * apm
    assert order_answers(step(st, rows(fortify_row(L.BLUE)))) == [("order_rejected", L.R_APM)]


# ---------------------------------------------------------------------------- what coaches see
def test_the_view_shows_own_cooldown_and_fortification_and_whether_the_enemy_is_fortified(fast_world):
    st = scenario_state(fast_world, DRAFT)
    dur, cd = secs(fast_world, "orders.fortify_s"), secs(fast_world, "orders.fortify_cooldown_s")

    def seen(t: int) -> dict:
        v = team_view(st, t)
        d = v["fortify"]
        a = v.arrays["fortify"]
        assert {k: a[k].item() for k in a} == d and a["ready_in"].dtype == np.int32
        assert json.loads(json.dumps(v.to_dict()))["fortify"] == d
        return d

    assert seen(L.BLUE) == seen(L.RED) == {"ready_in": 0, "active_for": 0, "enemy_fortified": False}
    step(st, rows(fortify_row(L.BLUE)))  # applied at tick 0; the view is of tick 1
    assert seen(L.BLUE) == {"ready_in": cd - 1, "active_for": dur - 1, "enemy_fortified": False}
    assert seen(L.RED) == {"ready_in": 0, "active_for": 0, "enemy_fortified": True}
    assert full_view(st)["fortify"] == {
        "blue": {"ready_in": cd - 1, "active_for": dur - 1},
        "red": {"ready_in": 0, "active_for": 0},
    }
    step(st, n=dur - 1)
    assert seen(L.BLUE) == {"ready_in": cd - dur, "active_for": 0, "enemy_fortified": False}
    assert seen(L.RED)["enemy_fortified"] is False


def test_order_helper_wire_name_and_words():
    o = O.fortify(why="five at our mid tower")
    assert o == (-1, L.O_FORTIFY, 0, 0) and o.why == "five at our mid tower"
    assert L.ORDER_NAMES[L.O_FORTIFY] == "fortify" and L.N_ORDER_KINDS == L.O_ATTACK + 1
    (w,) = parse_orders([{"order": "fortify", "why": "hold"}])
    assert w == (-1, L.O_FORTIFY, 0, 0) and w.why == "hold"
    assert parse_orders([[-1, "fortify", 0, 0]]) == [(-1, L.O_FORTIFY, 0, 0)]


# ---------------------------------------------------------------------------- replays and the timeline
class FortifyCoach:
    """Fortifies at 20 s and again at 30 s (refused: on cooldown), with reasons."""

    def reset(self, info) -> None:
        self.done: set[int] = set()

    def act(self, view, info):
        s = view["tick"] // info.ticks(1)
        for at in (20, 30):
            if s >= at and at not in self.done:
                self.done.add(at)
                return [O.fortify(why=f"fortify at {at} s")]
        return []


def test_a_match_with_fortifies_replays_and_tells_them(content, tmp_path):
    world = build_world(content, SimConfig(), Params(time_limit_s=60))
    path = tmp_path / "fortify.json"
    out = play_match(FortifyCoach(), FortifyCoach(), seed=3, world=world, draft=DRAFT, replay_path=path)
    rep = load_replay(path)
    assert sum(1 for o in rep.orders if o[3] == L.O_FORTIFY) == 4
    _, ok = resimulate(rep, world)
    assert ok.ok and ok.checked > 0
    assert [out.result["teams"][s]["orders_rejected"] for s in ("blue", "red")] == [1, 1]
    tl = build_timeline(rep, world)
    assert tl.verified.ok
    forts = [e for e in tl.entries if e["type"] == "fortify"]
    assert [e["side"] for e in forts] == ["blue", "red"]
    assert all(e["text"].endswith("buildings fortified until " + e["until"]) for e in forts)
    said = [e["text"] for e in tl.entries if e["type"] == "order"]
    assert any("all: fortify all buildings  [accepted]  why: fortify at 20 s" in t for t in said)
    assert any("[REJECTED: on cooldown]  why: fortify at 30 s" in t for t in said)


# ---------------------------------------------------------------------------- seconds at any tick rate
@pytest.fixture(scope="module")
def content40(tmp_path_factory) -> Content:
    folder = tmp_path_factory.mktemp("content40")
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"), dirs_exist_ok=True)
    rules = (folder / "rules.toml").read_text()
    assert "ticks_per_second = 20" in rules
    (folder / "rules.toml").write_text(rules.replace("ticks_per_second = 20", "ticks_per_second = 40"))
    return load_content(folder)


@pytest.mark.parametrize("tps", [20, 40])
def test_fortify_and_its_cooldown_last_their_seconds_at_any_tick_rate(content, content40, tps):
    c = content if tps == 20 else content40
    w = build_world(c)
    assert c.rule("time.ticks_per_second") == tps
    lat = latency(w)
    assert lat == round(c.rule("orders.latency_s") * tps)
    st = siege(w)
    step(st, n=10)
    t0 = now(st)
    step(st, rows(fortify_row(L.BLUE)), lat)
    assert now(st) == t0 + lat
    hp0 = hp(st, BLUE_TOWER)
    step(st, n=round(c.rule("orders.fortify_s") * tps))
    assert hp(st, BLUE_TOWER) == hp0  # the whole fortify_s seconds
    step(st)
    assert hp(st, BLUE_TOWER) < hp0  # and not a tick more
    ready = t0 + lat + round(c.rule("orders.fortify_cooldown_s") * tps)
    assert team(st, L.BLUE)["fortify_ready_at"] == ready
    step(st, n=ready - lat - 1 - now(st))
    assert order_answers(step(st, rows(fortify_row(L.BLUE)))) == [("order_rejected", L.R_COOLDOWN)]
    assert order_answers(step(st, rows(fortify_row(L.BLUE)))) == [("order_accepted", ready)]
