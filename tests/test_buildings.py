"""Scenario tests of the structures that hold early and of the leader AI's defence (docs/rules.md,
"Buildings" and "Leader AI: Defence"): early tower armour, backdoor protection and its regeneration,
each building's threat, and leaders converging on / teleporting to a threatened building.

Every scenario runs for both teams on the mirrored map (row y <-> 49 - y).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

import shotcaller.content
from shotcaller.content import ContentError, load_content
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT, content_with_rules

CONTENT_DIR = Path(shotcaller.content.__file__).parent


def bld(team: int, sub: int) -> int:
    return team * L.N_BLD + sub


def tower(team: int, lane: int, tier: int) -> int:
    return bld(team, 4 + 3 * lane + tier)


def unit(st, slot: int):
    return st.arrays.units[0, slot]


def mirror_y(team_acting: int, y: int) -> int:
    """Row y as written for blue (bottom) acting toward red (top)."""
    return y if team_acting == 0 else 49 - y


def disarm_all(st) -> None:
    """Buildings and leaders never attack (the scenario sets who does)."""
    for s in range(L.SLOT_CREEP0):
        set_field(st, s, aspd=0.0, base_as=0.0)


def mute_all(st) -> None:
    for li in range(10):
        st.arrays.leaders[0, li]["skills"][0] = -1
        st.arrays.leaders[0, li]["skills"][1] = -1


def set_tick(st, t: int) -> None:
    st.arrays.games["tick"][0] = t


def damage_log(st, victim: int, n_ticks: int) -> list[tuple[int, float]]:
    """Step n_ticks one at a time; (tick, health lost) at each tick where ``victim`` lost health."""
    out = []
    for _ in range(n_ticks):
        t = int(st.arrays.games["tick"][0])
        hp = float(unit(st, victim)["hp"])
        step_inplace(st, None, 1)
        d = hp - float(unit(st, victim)["hp"])
        if d > 0:
            out.append((t, d))
    return out


@pytest.fixture(scope="module")
def w(content):
    return build_world(content, SimConfig(), Params(latency_s=0, apm=0, micro=True))


def attacker_at_tower(w, a: int, t0: int, creep: bool = False):
    """Team ``a``'s leader 0 holds next to the enemy's left outer tower at tick t0; it alone attacks.

    Returns (state, attacker slot, tower slot, raw damage of one hit before building armour).
    """
    e = 1 - a
    st = scenario_state(w, draft=DRAFT)
    me = leader_slot(a * 5)
    keep_only(st, [me])
    mute_all(st)
    disarm_all(st)
    tw = tower(e, 0, 0)
    tx, ty = int(unit(st, tw)["x"]), int(unit(st, tw)["y"])
    place(st, me, tx, ty + (1 if a == 0 else -1))
    hold(st, me)
    hero = int(st.arrays.leaders[0, a * 5]["hero"])
    atk = float(w.rec["hero_stats"][hero, L.S_ATK])
    set_field(st, me, aspd=10.0, base_as=10.0, base_range=1.5, attack_range=1.5)
    if creep:  # an attacking-team creep next to the tower lifts backdoor protection; it never attacks
        c = spawn_unit(st, L.K_CREEP, a, tx, ty + (2 if a == 0 else -2))
        set_field(st, c, aspd=0.0, base_as=0.0, base_atk=0.0, atk=0.0)
    set_tick(st, t0)
    step_inplace(st, None, 1)  # stats, grid, first scans
    raw = max(1.0, atk - float(unit(st, tw)["dfn"]))
    return st, me, tw, raw


# ---------------------------------------------------------------------------- early armour
@pytest.mark.parametrize("a", [0, 1], ids=["blue_hits", "red_hits"])
def test_early_tower_armour_fades_linearly_to_nothing(w, content, a):
    r = content.rules
    until = round(r["buildings.early_armour_until_s"] * w.rec["tps"])
    armour = r["buildings.early_armour"]
    assert armour > 0 and until > 0
    for t0 in (0, until // 2, until - 40, until, until + 2000):
        st, me, tw, raw = attacker_at_tower(w, a, t0, creep=True)  # the creep keeps backdoor off
        assert unit(st, tw)["backdoor"] == 0
        log = damage_log(st, tw, 60)
        assert len(log) >= 2
        for t, d in log:
            f = 1.0 - armour * max(0.0, 1.0 - t / until)
            assert d == pytest.approx(raw * f, rel=1e-4), (t0, t)


def test_early_armour_is_for_towers_only(w):
    """Barracks take the full hit at tick 0 (their protection order is what guards them)."""
    st = scenario_state(w, draft=DRAFT)
    me = leader_slot(0)
    keep_only(st, [me])
    mute_all(st)
    disarm_all(st)
    rax = bld(1, 1)  # red's left barracks
    for k in range(3):
        unit(st, tower(1, 0, k))["alive"] = 0
    x, y = int(unit(st, rax)["x"]), int(unit(st, rax)["y"])
    place(st, me, x, y + 1)
    hold(st, me)
    c = spawn_unit(st, L.K_CREEP, 0, x, y + 2)
    set_field(st, c, aspd=0.0, base_as=0.0)
    set_field(st, me, aspd=10.0, base_as=10.0)
    step_inplace(st, None, 2)
    unit(st, rax)["invuln"] = 0
    log = damage_log(st, rax, 40)
    hero = int(st.arrays.leaders[0, 0]["hero"])
    raw = max(1.0, float(w.rec["hero_stats"][hero, L.S_ATK]) - float(unit(st, rax)["dfn"]))
    assert log and all(d == pytest.approx(raw) for _, d in log)


# ---------------------------------------------------------------------------- backdoor protection
@pytest.fixture(scope="module")
def w_no_regen(tmp_path_factory):
    """The content with backdoor regeneration off: damage alone shows in the health."""
    d = content_with_rules(tmp_path_factory.mktemp("content"), backdoor_regen_per_s=0)
    return build_world(load_content(d), SimConfig(), Params(latency_s=0, apm=0, micro=True))


@pytest.mark.parametrize("a", [0, 1], ids=["blue_hits", "red_hits"])
def test_backdoor_protection_without_creeps(w_no_regen, content, a):
    late = round(content.rules["buildings.early_armour_until_s"] * w_no_regen.rec["tps"]) + 100  # early armour over
    st, me, tw, raw = attacker_at_tower(w_no_regen, a, late)
    assert unit(st, tw)["backdoor"] == 1
    pool0 = float(unit(st, tw)["backdoor_pool"])
    log = damage_log(st, tw, 100)
    bd = content.rules["buildings.backdoor_armour"]
    assert len(log) >= 4 and all(d == pytest.approx(raw * (1 - bd), rel=1e-4) for _, d in log)
    assert float(unit(st, tw)["backdoor_pool"]) == pytest.approx(pool0 + sum(d for _, d in log), rel=1e-4)


@pytest.mark.parametrize("a", [0, 1], ids=["blue_hits", "red_hits"])
def test_backdoor_regenerates_what_it_took_under_protection_and_no_more(w, content, a):
    late = round(content.rules["buildings.early_armour_until_s"] * w.rec["tps"]) + 100
    st, me, tw, raw = attacker_at_tower(w, a, late)
    set_field(st, tw, hp=1500.0)  # damage taken before (with a creep near, say): never regenerated
    set_field(st, me, atk=400.0, base_atk=400.0)  # big hits, so that a pool builds up despite the regeneration
    step_inplace(st, None, 60)
    pool = float(unit(st, tw)["backdoor_pool"])
    assert pool > 200
    unit(st, me)["alive"] = 0  # the attacker leaves
    hp0 = float(unit(st, tw)["hp"])
    tps = int(w.rec["tps"])
    step_inplace(st, None, tps)  # one second
    regen = content.rules["buildings.backdoor_regen_per_s"]
    assert float(unit(st, tw)["hp"]) - hp0 == pytest.approx(regen, abs=regen * 2 * int(w.rec["scan_every"]) / tps)
    step_inplace(st, None, tps * int(pool / regen + 5))
    assert float(unit(st, tw)["hp"]) == pytest.approx(hp0 + pool, abs=1e-2)
    assert float(unit(st, tw)["backdoor_pool"]) == 0.0
    assert float(unit(st, tw)["hp"]) < float(unit(st, tw)["max_hp"])  # the damage taken before is not regenerated


@pytest.mark.parametrize("a", [0, 1], ids=["blue_hits", "red_hits"])
def test_a_creep_near_lifts_backdoor_and_that_damage_is_not_regenerated(w, content, a):
    late = round(content.rules["buildings.early_armour_until_s"] * w.rec["tps"]) + 100
    st, me, tw, raw = attacker_at_tower(w, a, late, creep=True)
    assert unit(st, tw)["backdoor"] == 0
    log = damage_log(st, tw, 60)
    assert log and all(d == pytest.approx(raw, rel=1e-4) for _, d in log)
    assert float(unit(st, tw)["backdoor_pool"]) == 0.0
    unit(st, me)["alive"] = 0
    hp = float(unit(st, tw)["hp"])
    step_inplace(st, None, int(w.rec["tps"]) * 10)
    assert float(unit(st, tw)["hp"]) == hp  # the creep is still there, and nothing was taken under protection


def test_summons_and_leaders_do_not_lift_backdoor(w):
    st = scenario_state(w, draft=DRAFT)
    keep_only(st, [leader_slot(0)])
    disarm_all(st)
    tw = tower(1, 1, 0)
    x, y = int(unit(st, tw)["x"]), int(unit(st, tw)["y"])
    place(st, leader_slot(0), x, y + 2)
    hold(st, leader_slot(0))
    s = spawn_unit(st, L.K_TREANT, 0, x, y + 1)
    set_field(st, s, aspd=0.0, base_as=0.0)
    step_inplace(st, None, 4)
    assert unit(st, tw)["backdoor"] == 1
    c = spawn_unit(st, L.K_CREEP, 0, x, y + 3)
    set_field(st, c, aspd=0.0, base_as=0.0)
    step_inplace(st, None, 4)
    assert unit(st, tw)["backdoor"] == 0


# ---------------------------------------------------------------------------- threat
@pytest.mark.parametrize("a", [0, 1], ids=["blue_threatens", "red_threatens"])
def test_threat_counts_seen_enemy_leaders_and_a_fraction_per_creep(w, content, a):
    e = 1 - a
    st = scenario_state(w, draft=DRAFT)
    keep_only(st, [leader_slot(a * 5), leader_slot(a * 5 + 1)])
    disarm_all(st)
    tw = tower(e, 1, 0)
    x, y = int(unit(st, tw)["x"]), int(unit(st, tw)["y"])
    d = 1 if a == 0 else -1
    for k, li in enumerate((a * 5, a * 5 + 1)):
        place(st, leader_slot(li), x, y + d * (2 + k))
        hold(st, leader_slot(li))
    for k in range(3):
        c = spawn_unit(st, L.K_CREEP, a, x, y + d * (4 + k))
        set_field(st, c, aspd=0.0, base_as=0.0)
    step_inplace(st, None, 20)
    per_creep = content.rules["buildings.threat_per_creep"]
    assert float(unit(st, tw)["threat"]) == pytest.approx(2 + 3 * per_creep, rel=1e-5)
    # far buildings feel nothing
    assert float(unit(st, tower(e, 0, 0))["threat"]) == 0.0
    assert float(unit(st, tower(a, 1, 0))["threat"]) == 0.0


def _expected_scan(st, rec, b: int) -> dict[int, tuple[int, float]]:
    """(creeps within backdoor_radius, threat) of every building due to scan at the next tick of game b,
    counted directly from the state (positions, health and vision do not change before the scan)."""
    un = st.arrays.units[b]
    g = st.arrays.games[b]
    t = int(g["tick"])
    bd2 = float(rec["bd_radius"]) ** 2
    th2 = float(rec["threat_radius"]) ** 2
    out = {}
    for u in range(2 * L.N_BLD):
        w = un[u]
        if (t + u % L.N_BLD) % int(rec["scan_every"]) != 0 or not w["alive"] or w["hp"] <= 0:
            continue
        creeps = leaders = seen_creeps = 0
        for v in range(L.SLOT_LEADER0, un.shape[0]):
            e = un[v]
            if not e["alive"] or e["hp"] <= 0 or e["team"] == w["team"] or e["kind"] not in (L.K_LEADER, L.K_CREEP):
                continue
            d = (int(e["x"]) - int(w["x"])) ** 2 + (int(e["y"]) - int(w["y"])) ** 2
            if e["kind"] == L.K_CREEP and d <= bd2:
                creeps += 1
            if d <= th2 and g["vis"][w["team"], v]:
                if e["kind"] == L.K_LEADER:
                    leaders += 1
                else:
                    seen_creeps += 1
        out[u] = (creeps, np.float32(leaders + seen_creeps * float(rec["threat_creep"])))
    return out


def test_the_building_scan_matches_a_direct_count_in_real_games(content):
    """The scan looks each leader's and creep's nearby buildings up in a per-tile table
    (``bld_near``) rather than walking the grid around every building: in real matches, at every stage,
    it counts exactly what a direct count over every unit gives."""
    from shotcaller.arena.bench import staggered_state

    world = build_world(content, SimConfig(), Params(autoreset=True))
    rec = world.rec
    st = staggered_state(world, 8, first_seed=4000)
    checked = busy = 0
    for _ in range(24):
        step_inplace(st, None, 37)
        for _tick in range(2):  # two ticks in a row: every building's scan
            want = [_expected_scan(st, rec, b) for b in range(8)]
            step_inplace(st, None, 1)
            for b in range(8):
                for u, (creeps, threat) in want[b].items():
                    got = st.arrays.units[b, u]
                    assert float(got["threat"]) == pytest.approx(float(threat), abs=1e-6), (b, u)
                    assert int(got["backdoor"]) == (1 if creeps == 0 else 0), (b, u)
                    checked += 1
                    busy += creeps > 0 or threat > 0
    assert checked > 1000 and busy > 50  # the games had fights at buildings to count


def test_a_building_moved_off_its_map_tile_is_scanned_where_it_stands(w):
    st = scenario_state(w, draft=DRAFT)
    keep_only(st, [])
    disarm_all(st)
    tw = tower(1, 1, 0)
    x0, y0 = int(unit(st, tw)["x"]), int(unit(st, tw)["y"])
    other = tower(1, 0, 0)
    x1, y1 = int(unit(st, other)["x"]), int(unit(st, other)["y"])
    place(st, tw, x1, y1)  # a scenario puts it on the top lane's tower tile
    set_field(st, other, alive=0)
    c = spawn_unit(st, L.K_CREEP, 0, x1, y1 + 2)
    set_field(st, c, aspd=0.0, base_as=0.0)
    c0 = spawn_unit(st, L.K_CREEP, 0, x0, y0 + 2)  # where it stood: no longer near it
    set_field(st, c0, aspd=0.0, base_as=0.0)
    step_inplace(st, None, 2)
    assert unit(st, tw)["backdoor"] == 0
    set_field(st, c, alive=0)
    step_inplace(st, None, 2)
    assert unit(st, tw)["backdoor"] == 1


# ---------------------------------------------------------------------------- defence
def defence_state(w, a: int, n_attackers: int):
    """Team a's first ``n_attackers`` leaders hold at the enemy's middle outer tower; the enemy's leaders
    stand in their lanes with the default lane order; every building and attacker is disarmed."""
    e = 1 - a
    st = scenario_state(w, draft=DRAFT)
    mute_all(st)
    disarm_all(st)
    tw = tower(e, 1, 0)
    x, y = int(unit(st, tw)["x"]), int(unit(st, tw)["y"])
    d = 1 if a == 0 else -1
    attackers = [leader_slot(a * 5 + i) for i in range(n_attackers)]
    for i in range(5):
        s = leader_slot(a * 5 + i)
        if s in attackers:
            place(st, s, x + (i % 3) - 1, y + d * (2 + i // 3))
            hold(st, s)
        else:
            unit(st, s)["alive"] = 0
            st.arrays.leaders[0, a * 5 + i]["respawn_at"] = L.NONE
    return st, tw, attackers


def dist(st, u: int, v: int) -> float:
    return float(np.hypot(int(unit(st, u)["x"]) - int(unit(st, v)["x"]), int(unit(st, u)["y"]) - int(unit(st, v)["y"])))


@pytest.mark.parametrize("a", [0, 1], ids=["blue_pushes", "red_pushes"])
def test_laners_converge_on_a_threatened_tower_and_go_back_after(w, a):
    e = 1 - a
    st, tw, attackers = defence_state(w, a, 2)
    defenders = [leader_slot(e * 5 + i) for i in range(5)]
    step_inplace(st, None, 20 * 12)
    near = [s for s in defenders if dist(st, s, tw) <= 10]
    answering = [s for s in defenders if st.arrays.leaders[0, s - L.SLOT_LEADER0]["defending"] == tw]
    # two seen enemy leaders: three answer (those already near count), the others keep their lanes
    assert len(answering) >= 3 and len(near) >= 3
    assert len(near) < 5
    # the threat goes away: everyone returns to the lanes
    for s in attackers:
        unit(st, s)["alive"] = 0
        st.arrays.leaders[0, s - L.SLOT_LEADER0]["respawn_at"] = L.NONE
    hold_s = max(float(c.profile_params[c.profile_id("standard"), L.PF_DEFEND_HOLD]) for c in [load_content()])
    step_inplace(st, None, int(20 * (hold_s - 5)))
    assert all(st.arrays.leaders[0, s - L.SLOT_LEADER0]["defending"] == tw for s in answering)  # holding the lane
    step_inplace(st, None, 20 * 25)
    assert all(st.arrays.leaders[0, s - L.SLOT_LEADER0]["defending"] == L.NONE for s in defenders)
    lanes = sorted(int(unit(st, s)["lane"]) for s in defenders)
    xs = {s: int(unit(st, s)["x"]) for s in defenders}
    lane_x = [int(w.rec["bld_xy"][e, 4 + 3 * lane, 0]) for lane in range(3)]
    for s in defenders:
        assert abs(xs[s] - lane_x[int(unit(st, s)["lane"])]) <= 3, (s, xs[s], lanes)


@pytest.mark.parametrize("a", [0, 1], ids=["blue_pushes", "red_pushes"])
def test_far_defenders_teleport_in_when_the_threat_is_large(w, content, a):
    e = 1 - a
    st, tw, _ = defence_state(w, a, 5)
    defenders = [leader_slot(e * 5 + i) for i in range(5)]
    step_inplace(st, None, 20 * 8)
    tps = [s for s in defenders if st.arrays.leaders[0, s - L.SLOT_LEADER0]["teleport_ready_at"] > 0]
    # the default lanes put two leaders in each side lane, 32 tiles from the middle tower (within the
    # standard 40-tile defend_range): they walk; move them to the far corner of the map to see teleports
    assert all(st.arrays.leaders[0, s - L.SLOT_LEADER0]["defending"] == tw for s in defenders)
    st2, tw2, _ = defence_state(w, a, 5)
    far = leader_slot(e * 5)
    place(st2, far, 10, mirror_y(a, 47))  # deep in the pushers' half, over 40 tiles from the tower
    assert dist(st2, far, tw2) > 40
    step_inplace(st2, None, 20 * 6)
    ld = st2.arrays.leaders[0, e * 5]
    assert ld["defending"] == tw2
    assert dist(st2, far, tw2) <= 2.5, "the far defender teleported onto the threatened tower"
    assert ld["teleport_ready_at"] > 0
    assert not tps or all(dist(st, s, tw) < 40 for s in tps)


@pytest.mark.parametrize("a", [0, 1], ids=["blue_pushes", "red_pushes"])
def test_a_lone_defender_waits_behind_the_building_instead_of_feeding(w, a):
    e = 1 - a
    st, tw, _ = defence_state(w, a, 4)
    lone = leader_slot(e * 5 + 2)  # the middle laner
    for i in range(5):
        s = leader_slot(e * 5 + i)
        if s != lone:
            unit(st, s)["alive"] = 0
            st.arrays.leaders[0, e * 5 + i]["respawn_at"] = L.NONE
    step_inplace(st, None, 20 * 10)
    assert st.arrays.leaders[0, e * 5 + 2]["defending"] == tw
    assert dist(st, lone, tw) >= 4  # behind its tower, out of the attackers' reach
    core = bld(e, 0)
    assert dist(st, lone, core) < dist(st, tw, core)


@pytest.mark.parametrize("a", [0, 1], ids=["blue_pushes", "red_pushes"])
def test_the_defend_order_is_played_like_the_leader_ai_defence(w, a):
    """A coach's `defend` sends a leader to the lane's outermost building and plays it like the AI's own
    defence: alone against four it waits behind the tower rather than standing in front of it and feeding."""
    e = 1 - a
    st, tw, _ = defence_state(w, a, 4)
    lone = leader_slot(e * 5 + 0)  # a side laner, told to defend the middle lane
    for i in range(5):
        s = leader_slot(e * 5 + i)
        if s != lone:
            unit(st, s)["alive"] = 0
            st.arrays.leaders[0, e * 5 + i]["respawn_at"] = L.NONE
    ld = st.arrays.leaders[0, e * 5]
    ld["order"], ld["order_a"] = L.O_DEFEND, 1
    step_inplace(st, None, 20 * 14)
    assert ld["order"] == L.O_DEFEND and ld["defending"] == tw
    assert dist(st, lone, tw) >= 4  # behind its tower, out of the attackers' reach
    assert dist(st, lone, bld(e, 0)) < dist(st, tw, bld(e, 0))
    # the threat gone, the order still stands: it holds at the tower
    st2, tw2, _ = defence_state(w, a, 0)
    ld2 = st2.arrays.leaders[0, e * 5]
    ld2["order"], ld2["order_a"] = L.O_DEFEND, 1
    step_inplace(st2, None, 20 * 14)
    assert ld2["defending"] == tw2 and dist(st2, leader_slot(e * 5), tw2) <= 8


def test_coach_orders_override_the_defence(w):
    """A leader told to push (any order but lane) does not answer threats."""
    st, tw, _ = defence_state(w, 0, 3)
    for i in range(5):
        st.arrays.leaders[0, 5 + i]["order"] = L.O_PUSH
        st.arrays.leaders[0, 5 + i]["order_a"] = int(unit(st, leader_slot(5 + i))["lane"])
    step_inplace(st, None, 20 * 8)
    assert all(st.arrays.leaders[0, 5 + i]["defending"] == L.NONE for i in range(5))


def test_profile_without_defence_keys_takes_the_standard_values(tmp_path):
    base = tomllib.loads((CONTENT_DIR / "profiles.toml").read_text())
    keys = ("defend_threat", "defend_range", "teleport_threat", "defend_hold_s", "push_when_dead")
    old = {k: v for k, v in base["standard"].items() if k not in keys}
    lines = ["[mine]"] + [f"{k} = {v}" for k, v in old.items()]
    p = tmp_path / "mine.toml"
    p.write_text("\n".join(lines) + "\n")
    c = load_content(profiles=p)
    row = c.profile_params[c.profile_id("mine")]
    std = c.profile_params[c.profile_id("standard")]
    assert np.array_equal(row, std)
    p.write_text("[mine]\n" + "\n".join(f"{k} = {v}" for k, v in {**old, "defend_range": -1}.items()) + "\n")
    with pytest.raises(ContentError, match="mine.defend_range"):
        load_content(profiles=p)
