"""Scenario tests of the game rules (docs/design.md sections 3, 4, 6 and 9) on hand-made sandbox states.

Drafts: with ``DRAFT`` blue leader 0 is Rollo and red leader 0 (global 5) is Chiron; with ``DRAFT_Q`` the two
swap. Chiron's skills (ReturnDamage, BattleCall) never change the outcome of a plain attack, so scenarios
use him as the acting leader; the other leader's skills are switched off with :func:`mute`.
Scenarios that involve one side are run for both teams on the mirrored map (row y <-> 49 - y).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

import shotcaller.content
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT, content_with_rules

CONTENT_DIR = Path(shotcaller.content.__file__).parent
DRAFT_Q = [5, 1, 2, 3, 4, 0, 6, 7, 8, 9]  # blue leader 0 is Chiron, red leader 0 is Rollo
ROLLO, CHIRON = 0, 5  # hero ids
IRON_SWORD, COFFEE, SALVE = 5, 0, 1


# ---------------------------------------------------------------------------- helpers
# Unit stats are balance-tuned in the content files: scenarios read them from the world's tables.
def hero(w, h: int, col: int) -> float:
    """Base stat ``col`` (layout.S_*) of hero h."""
    return float(w.rec["hero_stats"][h, col])


def ustat(w, row: int, col: int) -> float:
    """Base stat ``col`` of unit kind row (layout.UK_*)."""
    return float(w.rec["unit_stats"][row, col])


def rule(w, name: str) -> float:
    """Rule number ``name`` of the world's table record (in ticks where it is a time)."""
    return float(w.rec[name])


def passive(w, ticks: int) -> float:
    """Passive gold earned by one leader in ``ticks`` ticks."""
    return ticks * rule(w, "gold_per_tick")


def item_mod(w, item: int, col: int) -> float:
    """Stat modifier ``col`` (layout.IM_*) of item ``item``."""
    return float(w.rec["item_mods"][item, col])


def hit(atk: float, dfn: float) -> float:
    """Damage of one attack (docs/design.md 3: max(1, Attack - Defense))."""
    return max(1.0, atk - dfn)


def interval(w, aspd: float) -> int:
    """Ticks between attacks (docs/rules.md: max(1, round(10 s x ticks_per_second / AttackSpeed)))."""
    return max(1, int(10.0 * float(w.rec["tps"]) / aspd + 0.5))


class Side:
    """The acting team ``a`` of a mirrored scenario: Chiron is its leader 0, Rollo the enemy's."""

    def __init__(self, a: int) -> None:
        self.a = a
        self.e = 1 - a
        self.draft = DRAFT_Q if a == 0 else DRAFT
        self.me = 0 if a == 0 else 5  # global leader index of our Chiron
        self.foe = 5 if a == 0 else 0  # global index of the enemy Rollo

    def y(self, y: int) -> int:
        """Row y of the scenario as written for blue (bottom) acting toward red (top)."""
        return y if self.a == 0 else 49 - y


def bld(team: int, sub: int) -> int:
    return team * L.N_BLD + sub


def tower(team: int, lane: int, tier: int) -> int:
    return bld(team, 4 + 3 * lane + tier)


def mute(st, li: int) -> None:
    """Switch off leader li's skills."""
    st.arrays.leaders[0, li]["skills"][0] = -1
    st.arrays.leaders[0, li]["skills"][1] = -1


def disarm(st, slot: int) -> None:
    """Unit ``slot`` never attacks."""
    set_field(st, slot, aspd=0.0, base_as=0.0)


def disarm_buildings(st) -> None:
    for s in range(2 * L.N_BLD):
        disarm(st, s)


def events(ev, kind: str) -> list[dict]:
    return [e for e in ev.decoded(0) if e["kind"] == kind]


def unit(st, slot: int):
    return st.arrays.units[0, slot]


def adjacent(st, slot: int, toward: int) -> tuple[int, int]:
    """The tile next to building ``slot`` on the side of team ``toward``'s core."""
    x, y = int(unit(st, slot)["x"]), int(unit(st, slot)["y"])
    return x, y + (1 if st.world.rec["bld_xy"][toward, 0, 1] > y else -1)


def hits_in(st, victim: int, n_ticks: int) -> list[float]:
    """Step n_ticks one at a time; the health lost by ``victim`` at each tick where it lost some."""
    out = []
    for _ in range(n_ticks):
        hp = float(unit(st, victim)["hp"])
        step_inplace(st, None, 1)
        d = hp - float(unit(st, victim)["hp"])
        if d != 0:
            out.append(d)
    return out


def kill(st, slot: int):
    """Bring unit ``slot`` to 0 health and run the tick that resolves the death; returns its events."""
    set_field(st, slot, hp=0.0)
    return step_inplace(st, None, 1)


@pytest.fixture(scope="module")
def limit_worlds(content):
    """2-second matches: tie-break "draw" (the default) and "buildings"."""
    kw = dict(latency_s=0, apm=0, micro=True, time_limit_s=2)
    return {
        "draw": build_world(content, SimConfig(), Params(**kw)),
        "buildings": build_world(content, SimConfig(), Params(tiebreak="buildings", **kw)),
    }


# ---------------------------------------------------------------------------- protection order
def test_initial_protection_flags(fast_world):
    st = scenario_state(fast_world, DRAFT)
    inv = st.arrays.units[0]["invuln"]
    for team in (0, 1):
        assert inv[bld(team, 0)] == 1  # core
        assert [int(inv[bld(team, 1 + lane)]) for lane in range(3)] == [1, 1, 1]
        for lane in range(3):
            assert [int(inv[tower(team, lane, tier)]) for tier in range(3)] == [0, 1, 1]


@pytest.fixture(scope="module")
def bare_world(tmp_path_factory):
    """``fast_world`` without early armour and backdoor protection (tests/test_buildings.py has those):
    every hit on a building is attack - defense."""
    d = content_with_rules(tmp_path_factory.mktemp("content"), early_armour=0, backdoor_armour=0)
    return build_world(shotcaller.content.load_content(d), SimConfig(), Params(latency_s=0, apm=0, micro=True))


@pytest.mark.parametrize("a", [0, 1], ids=["blue_attacks", "red_attacks"])
def test_protection_order_tower_chain_barracks_core(bare_world, a):
    fast_world = bare_world
    s = Side(a)
    e = s.e
    st = scenario_state(fast_world, s.draft)
    me = leader_slot(s.me)
    keep_only(st, [me])
    disarm_buildings(st)
    hold(st, me)
    t0, t1, t2 = (tower(e, 0, k) for k in range(3))
    rax, core = bld(e, 1), bld(e, 0)

    atk = hero(fast_world, CHIRON, L.S_ATK)
    n_ticks = 3 * interval(fast_world, hero(fast_world, CHIRON, L.S_AS))

    def hammer(slot: int) -> list[float]:
        """Hold next to building ``slot`` for three attack intervals; the health it lost, hit by hit."""
        place(st, me, *adjacent(st, slot, a))
        return hits_in(st, slot, n_ticks)

    def blows(slot: int) -> list[float]:
        return [hit(atk, float(unit(st, slot)["dfn"]))] * 3

    tower_hp = ustat(fast_world, L.UK_TOWER, L.S_HP)
    # tier 1 is invulnerable while tier 0 stands: no damage at all
    assert hammer(t1) == []
    assert unit(st, t1)["invuln"] == 1 and unit(st, t1)["hp"] == tower_hp
    # even an attack aimed straight at it (outside the AI's decision ticks) deals nothing
    every = int(fast_world.rec["ai_every"])

    def aimed(slot: int) -> float:
        """The health ``slot`` loses to one attack aimed straight at it between two decisions."""
        while (int(st.arrays.games["tick"][0]) + s.me) % every != 1:
            step_inplace(st, None, 1)
        before = float(unit(st, slot)["hp"])
        set_field(st, me, target=slot, next_attack=int(st.arrays.games["tick"][0]))
        step_inplace(st, None, 2)
        return before - float(unit(st, slot)["hp"])

    assert aimed(t1) == 0 and unit(st, t1)["hp"] == tower_hp
    # the outer tower falls -> tier 1 becomes vulnerable, tier 2 and the barracks do not
    ev = kill(st, t0)
    assert [(x["a"], x["b"], x["c"]) for x in events(ev, "building_destroyed")] == [(e, 4, t0)]
    assert (unit(st, t1)["invuln"], unit(st, t2)["invuln"], unit(st, rax)["invuln"]) == (0, 1, 1)
    assert hammer(t1) == blows(t1)  # one attack per interval, attack - defense each
    assert aimed(t1) == blows(t1)[0]  # control: in the same window an attack does land once it is vulnerable
    kill(st, t1)
    assert (unit(st, t2)["invuln"], unit(st, rax)["invuln"]) == (0, 1)
    assert hammer(rax) == []  # the lane still has a tower
    kill(st, t2)
    # all three towers of lane 0 down: only that lane's barracks opens; the core stays protected
    assert [int(unit(st, bld(e, 1 + lane))["invuln"]) for lane in range(3)] == [0, 1, 1]
    assert unit(st, core)["invuln"] == 1
    assert hammer(core) == []
    assert hammer(rax) == blows(rax)
    # other lanes are untouched
    assert [int(unit(st, tower(e, 1, k))["invuln"]) for k in range(3)] == [0, 1, 1]
    kill(st, rax)
    assert unit(st, core)["invuln"] == 0
    assert hammer(core) == blows(core)
    # the acting team's own buildings never changed
    assert [int(unit(st, tower(a, 0, k))["invuln"]) for k in range(3)] == [0, 1, 1]
    assert unit(st, bld(a, 0))["invuln"] == 1


# ---------------------------------------------------------------------------- towers
@pytest.mark.parametrize("a", [0, 1], ids=["red_tower", "blue_tower"])
def test_tower_shoots_closest_creep_then_switches_to_leader_aggressor(fast_world, content, a):
    s = Side(a)
    st = scenario_state(fast_world, s.draft)
    me, foe = leader_slot(s.me), leader_slot(s.foe)
    keep_only(st, [me, foe])
    tw = tower(s.e, 0, 0)  # (8, 20) for red, (8, 29) for blue
    assert (int(unit(st, tw)["x"]), int(unit(st, tw)["y"])) == (8, s.y(20))
    # our leader stands 2 tiles from the tower, two of our creeps 4 and sqrt(17) away: all in range 5
    place(st, me, 8, s.y(22))
    hold(st, me)
    near = spawn_unit(st, L.K_CREEP, a, 8, s.y(24))
    far = spawn_unit(st, L.K_CREEP, a, 9, s.y(24))
    for c in (near, far):
        set_field(st, c, root_until=NEVER)
        disarm(st, c)
    place(st, foe, 24, 24)  # the enemy leader is away for now; it never attacks nor moves
    hold(st, foe)
    mute(st, s.foe)
    disarm(st, foe)
    foe_hp = 0.3 * float(unit(st, foe)["max_hp"])
    set_field(st, foe, hp=foe_hp, root_until=NEVER)  # hurt: the preferred target of our leader once in reach
    foe_hp = float(unit(st, foe)["hp"])
    tower_atk = ustat(fast_world, L.UK_TOWER, L.S_ATK)
    tower_every = interval(fast_world, ustat(fast_world, L.UK_TOWER, L.S_AS))
    creep_hp = ustat(fast_world, L.UK_CREEP, L.S_HP)
    step_inplace(st, None, tower_every + 1)
    # creeps first, the closest one; the closer leader is ignored
    assert unit(st, tw)["target"] == near
    assert unit(st, near)["hp"] == creep_hp - 2 * hit(tower_atk, float(unit(st, near)["dfn"]))  # shots at 0, every
    assert unit(st, far)["hp"] == creep_hp and unit(st, me)["hp"] == unit(st, me)["max_hp"]
    # the enemy leader steps next to our leader, which attacks it -> the tower switches to our leader
    place(st, foe, 9, s.y(22))
    first = None
    for _ in range(8):
        t = int(st.arrays.games["tick"][0])
        step_inplace(st, None, 1)
        if unit(st, foe)["hp"] < foe_hp:
            first = t
            break
    assert first is not None, "our leader never attacked the adjacent enemy leader"
    assert unit(st, me)["aggro_tick"] == first
    step_inplace(st, None, 2)
    assert unit(st, tw)["target"] == me
    creep_hp = float(unit(st, near)["hp"])
    assert hits_in(st, me, tower_every) == [hit(tower_atk, float(unit(st, me)["dfn"]))]
    assert unit(st, near)["hp"] == creep_hp
    # the enemy leader leaves: tower_leader_aggro_s after our leader's last attack on it the tower goes back
    last = int(unit(st, me)["aggro_tick"])
    place(st, foe, 24, 24)
    aggro = int(fast_world.rec["tower_aggro"])
    assert aggro == round(content.rules["combat.tower_leader_aggro_s"] * rule(fast_world, "tps")) > 0
    while int(st.arrays.games["tick"][0]) <= last + aggro:
        step_inplace(st, None, 1)
        assert unit(st, tw)["target"] == me
    step_inplace(st, None, 2)
    assert unit(st, tw)["target"] == near


# ---------------------------------------------------------------------------- waves and creeps
def test_barracks_spawn_waves_at_the_interval(fast_world, content):
    st = scenario_state(fast_world, DRAFT, waves=True)
    keep_only(st, [])
    T = fast_world.rec
    first, every, n = int(T["first_wave"]), int(T["wave_every"]), int(T["wave_size"])
    tps = content.rules["time.ticks_per_second"]
    assert (first, every) == (
        round(content.rules["waves.first_wave_s"] * tps),
        round(content.rules["waves.interval_s"] * tps),
    )
    assert n == content.rules["waves.creeps_per_wave"] > 0
    step_inplace(st, None, first)
    assert st.arrays.units[0, L.SLOT_CREEP0 :]["alive"].sum() == 0
    step_inplace(st, None, 1)
    cr = st.arrays.units[0, L.SLOT_CREEP0 :]
    alive = cr[cr["alive"] == 1]
    assert len(alive) == 2 * 3 * n  # every barracks of both teams
    growth = 1 + float(T["growth"]) * first / (60 * tps)  # creeps grow per game minute
    c_hp, c_atk = ustat(fast_world, L.UK_CREEP, L.S_HP), ustat(fast_world, L.UK_CREEP, L.S_ATK)
    for team in (0, 1):
        for lane in range(3):
            w = alive[(alive["team"] == team) & (alive["lane"] == lane)]
            assert len(w) == n
            assert (w["x"] == T["bld_xy"][team, 1 + lane, 0]).all()
            assert (w["y"] == T["bld_xy"][team, 1 + lane, 1]).all()
            assert w["kind"].tolist() == [L.K_CREEP] * n
            np.testing.assert_allclose(w["max_hp"], c_hp * growth, rtol=1e-6)
            np.testing.assert_allclose(w["atk"], c_atk * growth, rtol=1e-6)
    # nothing more until the next interval, then a second wave
    step_inplace(st, None, every - 1)
    cr = st.arrays.units[0, L.SLOT_CREEP0 :]
    assert (cr["spawn_tick"][cr["alive"] == 1] == first).all()
    step_inplace(st, None, 1)
    cr = st.arrays.units[0, L.SLOT_CREEP0 :]
    assert ((cr["alive"] == 1) & (cr["spawn_tick"] == first + every)).sum() == 2 * 3 * n


def test_fallen_barracks_makes_enemy_lane_creeps_mega(fast_world, content):
    st = scenario_state(fast_world, DRAFT, waves=True)
    keep_only(st, [])
    t_wave = 600  # a wave tick of this scene
    st.arrays.games["next_wave"][0] = t_wave
    kill(st, bld(1, 1))  # red barracks, lane 0
    kill(st, bld(0, 3))  # blue barracks, lane 2
    step_inplace(st, None, t_wave - int(st.arrays.games["tick"][0]) + 1)
    cr = st.arrays.units[0, L.SLOT_CREEP0 :]
    w = cr[(cr["alive"] == 1) & (cr["spawn_tick"] == t_wave)]
    growth = 1 + float(fast_world.rec["growth"]) * t_wave / (60 * rule(fast_world, "tps"))
    mega = float(fast_world.rec["mega"])
    assert mega == pytest.approx(content.rules["waves.mega_bonus"]) and mega > 0
    n = int(fast_world.rec["wave_size"])
    c_hp, c_atk = ustat(fast_world, L.UK_CREEP, L.S_HP), ustat(fast_world, L.UK_CREEP, L.S_ATK)
    for team in (0, 1):
        for lane in range(3):
            g = w[(w["team"] == team) & (w["lane"] == lane)]
            own_rax_down = (team, lane) in ((1, 0), (0, 2))
            enemy_rax_down = (team, lane) in ((0, 0), (1, 2))
            if own_rax_down:
                assert len(g) == 0, "a fallen barracks spawns nothing"
                continue
            mult = growth * (1 + mega if enemy_rax_down else 1.0)
            assert len(g) == n
            np.testing.assert_allclose(g["max_hp"], c_hp * mult, rtol=1e-6)
            np.testing.assert_allclose(g["hp"], c_hp * mult, rtol=1e-6)
            np.testing.assert_allclose(g["atk"], c_atk * mult, rtol=1e-6)


def test_creeps_walk_their_lane_toward_the_enemy_core(fast_world):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [])
    blue = spawn_unit(st, L.K_CREEP, 0, 8, 40)  # lane 0, heading north
    red = spawn_unit(st, L.K_CREEP, 1, 72, 9)  # lane 2, heading south (the mirror image)
    # refill r per tick, a step costs the orthogonal cost: one tile every ceil(cost / r) ticks
    cost, refill = rule(fast_world, "cost_o"), ustat(fast_world, L.UK_CREEP, L.S_REFILL)
    assert refill <= cost <= rule(fast_world, "max_pts")
    per = math.ceil(cost / refill)
    step_inplace(st, None, 11 * per + per // 2)
    assert (int(unit(st, blue)["x"]), int(unit(st, blue)["y"])) == (8, 40 - 11)
    assert (int(unit(st, red)["x"]), int(unit(st, red)["y"])) == (72, 9 + 11)
    assert unit(st, blue)["target"] == -1 and unit(st, red)["target"] == -1


def test_creeps_fight_enemies_within_aggro_range(fast_world):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [])
    disarm_buildings(st)
    aggro = rule(fast_world, "aggro")
    blue = spawn_unit(st, L.K_CREEP, 0, 40, 30)
    red = spawn_unit(st, L.K_CREEP, 1, 40, 30 - math.floor(aggro) - 2)  # 2 tiles beyond the aggro range
    step_inplace(st, None, 6)
    assert unit(st, blue)["target"] == -1 and unit(st, red)["target"] == -1
    for _ in range(20):
        step_inplace(st, None, 1)
        d = abs(int(unit(st, blue)["y"]) - int(unit(st, red)["y"]))
        if unit(st, blue)["target"] == red and unit(st, red)["target"] == blue:
            break
    assert unit(st, blue)["target"] == red and unit(st, red)["target"] == blue
    assert d <= aggro
    step_inplace(st, None, 120)
    # they stopped next to each other and trade blows of attack - defense
    assert abs(int(unit(st, blue)["y"]) - int(unit(st, red)["y"])) == 1
    blow = hit(ustat(fast_world, L.UK_CREEP, L.S_ATK), ustat(fast_world, L.UK_CREEP, L.S_DEF))
    for c in (blue, red):
        lost = float(unit(st, c)["max_hp"] - unit(st, c)["hp"])
        assert lost > 0 and lost % blow == 0


# ---------------------------------------------------------------------------- leaders: fountain, respawn
def test_fountain_heals_a_share_of_max_health_per_tick_next_to_own_core_only(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)
    keep_only(st, [b, r])
    disarm_buildings(st)
    m = {}
    for li, s in ((0, b), (5, r)):
        hold(st, s)
        st.arrays.leaders[0, li]["build_next"] = 4
        m[s] = float(unit(st, s)["max_hp"])
        set_field(st, s, hp=0.5 * m[s])
    heal = rule(fast_world, "heal_per_tick")  # share of the maximum
    assert 0 < 30 * heal < 0.5  # the scene heals from 50% without reaching the maximum
    place(st, b, 40, 47)  # next to the blue core (40, 48)
    place(st, r, 41, 2)  # next to the red core (40, 1)
    step_inplace(st, None, 20)
    for s in (b, r):
        assert float(unit(st, s)["hp"]) == pytest.approx((0.5 + 20 * heal) * m[s], abs=1e-3)
    step_inplace(st, None, 10)
    assert float(unit(st, b)["hp"]) == pytest.approx((0.5 + 30 * heal) * m[b], abs=1e-3)
    # one tile beyond the fountain radius of the own core: nothing; next to the enemy core: nothing
    place(st, b, 40, 48 - math.floor(rule(fast_world, "fountain_r")) - 1)
    place(st, r, 40, 47)
    hp = {s: float(unit(st, s)["hp"]) for s in (b, r)}
    step_inplace(st, None, 20)
    assert float(unit(st, b)["hp"]) == hp[b] and float(unit(st, r)["hp"]) == hp[r]
    # healing stops at full health
    place(st, r, 24, 24)
    place(st, b, 40, 47)
    step_inplace(st, None, math.ceil(0.5 / heal) + 1)
    assert unit(st, b)["hp"] == unit(st, b)["max_hp"] == m[b]


@pytest.mark.parametrize("minute", [0, 1, 3])
def test_respawn_delay_grows_per_minute_and_is_at_own_core(fast_world, minute):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [leader_slot(2), leader_slot(7)])
    t0 = minute * 60 * int(rule(fast_world, "tps")) + 17
    st.arrays.games["tick"][0] = t0
    for li in (2, 7):
        s = leader_slot(li)
        place(st, s, 24 + li, 24)
        hold(st, s)
        set_field(st, s, hp=0.0)
    ev = step_inplace(st, None, 1)
    assert sorted(x["a"] for x in events(ev, "kill")) == [leader_slot(2), leader_slot(7)]
    delay = round(rule(fast_world, "respawn_base") + rule(fast_world, "respawn_per_min") * minute)
    assert delay > 0
    for li in (2, 7):
        assert st.arrays.leaders[0, li]["respawn_at"] == t0 + delay
    step_inplace(st, None, delay - 1)
    assert unit(st, leader_slot(2))["alive"] == 0 and unit(st, leader_slot(7))["alive"] == 0
    ev = step_inplace(st, None, 1)
    assert sorted(x["a"] for x in events(ev, "respawn")) == [2, 7]
    assert all(x["tick"] == t0 + delay for x in events(ev, "respawn"))
    for li, team in ((2, 0), (7, 1)):
        u = unit(st, leader_slot(li))
        assert u["alive"] == 1 and u["hp"] == u["max_hp"]
        assert (int(u["x"]), int(u["y"])) == tuple(int(v) for v in fast_world.rec["bld_xy"][team, 0])


def test_mutual_kill_same_tick_both_die_credited_and_respawn_keeping_gold_and_items(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)  # Chiron (blue) and Rollo (red), both melee
    keep_only(st, [b, r])
    place(st, b, 24, 24)
    place(st, r, 25, 24)
    hold(st, b)
    hold(st, r)
    st.arrays.games["inv"][0, 0, 0] = IRON_SWORD  # blue keeps it across the death
    st.arrays.leaders[0, 0]["build_next"] = 4
    set_field(st, b, dirty=1)
    step_inplace(st, None, 1)
    sword_atk = hero(fast_world, CHIRON, L.S_ATK) + item_mod(fast_world, IRON_SWORD, L.IM_ATK)
    assert unit(st, b)["atk"] == sword_atk
    # both attacks become ready on tick 20 and each is lethal
    set_field(st, b, hp=1.0, next_attack=20)
    set_field(st, r, hp=1.0, next_attack=20)
    step_inplace(st, None, 19 - int(st.arrays.games["tick"][0]))
    assert unit(st, b)["hp"] == 1.0 and unit(st, r)["hp"] == 1.0
    gold = st.arrays.leaders[0]["gold"].copy()
    ev = step_inplace(st, None, 2)  # ticks 19 and 20
    kills = {(x["a"], x["b"], x["c"], x["d"]) for x in events(ev, "kill")}
    assert kills == {(r, b, 0, L.K_LEADER), (b, r, 5, L.K_LEADER)}
    assert all(x["tick"] == 20 for x in events(ev, "kill"))
    ld = st.arrays.leaders[0]
    assert unit(st, b)["alive"] == 0 and unit(st, r)["alive"] == 0
    assert (ld[0]["kills"], ld[0]["deaths"], ld[5]["kills"], ld[5]["deaths"]) == (1, 1, 1, 1)
    assert st.arrays.teams[0]["kills"].tolist() == [1, 1]
    respawn = round(rule(fast_world, "respawn_base"))  # minute 0
    for li in (0, 5):
        assert ld[li]["gold"] == pytest.approx(
            gold[li] + rule(fast_world, "bounty_leader") + passive(fast_world, 2), abs=1e-3
        )
        assert ld[li]["respawn_at"] == 20 + respawn
    assert ld[1]["gold"] == pytest.approx(gold[1] + passive(fast_world, 2), abs=1e-3)  # bounties go to the killer only
    gold = ld["gold"].copy()
    step_inplace(st, None, respawn - 1)
    assert unit(st, b)["alive"] == 0 and unit(st, r)["alive"] == 0
    ev = step_inplace(st, None, 1)
    assert sorted(x["a"] for x in events(ev, "respawn")) == [0, 5]
    ub, ur = unit(st, b), unit(st, r)
    cores = fast_world.rec["bld_xy"][:, 0]
    assert (int(ub["x"]), int(ub["y"]), int(ur["x"]), int(ur["y"])) == (*map(int, cores[0]), *map(int, cores[1]))
    assert ub["hp"] == hero(fast_world, CHIRON, L.S_HP) and ur["hp"] == hero(fast_world, ROLLO, L.S_HP)
    assert st.arrays.games["inv"][0, 0].tolist() == [IRON_SWORD, -1, -1, -1]
    assert ub["atk"] == sword_atk  # the item still counts
    assert st.arrays.leaders[0, 0]["gold"] == pytest.approx(gold[0] + passive(fast_world, respawn), abs=1e-3)


def test_reflected_hit_kills_the_attacker_credited_to_the_reflecting_leader(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)  # Chiron returns 30% of melee damage received
    keep_only(st, [b, r])
    place(st, b, 24, 24)
    place(st, r, 25, 24)
    hold(st, b)
    hold(st, r)
    disarm(st, b)  # Chiron does not attack: only the reflection can kill
    set_field(st, r, hp=1.0)
    g0 = st.arrays.leaders[0]["gold"].copy()
    ev = step_inplace(st, None, 8)
    assert [(x["a"], x["b"], x["c"], x["d"]) for x in events(ev, "kill")] == [(r, b, 0, L.K_LEADER)]
    t_kill = events(ev, "kill")[0]["tick"]
    # Rollo's hit landed in the same tick
    assert unit(st, b)["hp"] == unit(st, b)["max_hp"] - hit(hero(fast_world, ROLLO, L.S_ATK), unit(st, b)["dfn"])
    assert unit(st, r)["alive"] == 0
    ld = st.arrays.leaders[0]
    assert (int(ld[0]["kills"]), int(ld[5]["deaths"])) == (1, 1)
    assert ld[0]["gold"] - g0[0] == pytest.approx(rule(fast_world, "bounty_leader") + passive(fast_world, 8), abs=1e-3)
    assert ld[5]["respawn_at"] == t_kill + round(rule(fast_world, "respawn_base"))


# ---------------------------------------------------------------------------- gold and bounties
def test_passive_gold_per_second_for_every_leader(fast_world, content):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [])
    g0 = st.arrays.leaders[0]["gold"].copy()
    assert (g0 == content.rules["leaders.start_gold"]).all()
    tps = int(rule(fast_world, "tps"))
    per_s = content.rules["economy.passive_gold_per_s"]
    assert per_s > 0
    step_inplace(st, None, tps)
    np.testing.assert_allclose(st.arrays.leaders[0]["gold"] - g0, per_s, atol=1e-3)
    step_inplace(st, None, 59 * tps)
    np.testing.assert_allclose(st.arrays.leaders[0]["gold"] - g0, 60 * per_s, atol=0.05)
    np.testing.assert_allclose(st.arrays.leaders[0]["gold_total"], 60 * per_s, atol=0.05)


def test_creep_bounty_to_last_hitting_leader_only(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    place(st, b, 24, 24)
    hold(st, b)
    c = spawn_unit(st, L.K_CREEP, 1, 25, 24)
    set_field(st, c, hp=1.0, root_until=NEVER)
    disarm(st, c)
    g0 = st.arrays.leaders[0]["gold"].copy()
    ev = step_inplace(st, None, 1)
    assert [(x["a"], x["b"], x["c"], x["d"]) for x in events(ev, "kill")] == [(c, b, 0, L.K_CREEP)]
    gain = st.arrays.leaders[0]["gold"] - g0
    assert gain[0] == pytest.approx(rule(fast_world, "bounty_creep") + passive(fast_world, 1), abs=1e-3)
    np.testing.assert_allclose(gain[1:], passive(fast_world, 1), atol=1e-4)
    assert st.arrays.leaders[0]["last_hits"].tolist() == [1] + [0] * 9


def test_creep_killed_by_a_tower_gives_no_bounty(fast_world):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [])
    c = spawn_unit(st, L.K_CREEP, 1, 8, 27)  # red creep 2 tiles from the blue outer tower (8, 29)
    set_field(st, c, hp=1.0, root_until=NEVER)
    disarm(st, c)
    g0 = st.arrays.leaders[0]["gold"].copy()
    ev = step_inplace(st, None, 2)
    assert [(x["a"], x["b"], x["c"]) for x in events(ev, "kill")] == [(c, tower(0, 0, 0), -1)]
    np.testing.assert_allclose(st.arrays.leaders[0]["gold"] - g0, passive(fast_world, 2), atol=1e-4)


def test_deny_gives_no_bounty(fast_world):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [leader_slot(0)])
    # a blue creep whose last hit came from a blue leader
    c = spawn_unit(st, L.K_CREEP, 0, 24, 24)
    set_field(st, c, hp=0.0, last_attacker=leader_slot(0), last_attacker_leader=0)
    g0 = st.arrays.leaders[0]["gold"].copy()
    ev = step_inplace(st, None, 1)
    assert [(x["a"], x["b"], x["c"]) for x in events(ev, "kill")] == [(c, leader_slot(0), -1)]
    np.testing.assert_allclose(st.arrays.leaders[0]["gold"] - g0, passive(fast_world, 1), atol=1e-4)
    assert st.arrays.leaders[0]["last_hits"].sum() == 0


@pytest.mark.parametrize("a", [0, 1], ids=["blue_kills", "red_kills"])
def test_tower_bounty_to_every_allied_leader(fast_world, a):
    s = Side(a)
    st = scenario_state(fast_world, s.draft)
    me = leader_slot(s.me)
    keep_only(st, [me])
    disarm_buildings(st)
    tw = tower(s.e, 0, 0)
    place(st, me, *adjacent(st, tw, a))
    hold(st, me)
    set_field(st, tw, hp=1.0)
    g0 = st.arrays.leaders[0]["gold"].copy()
    ev = step_inplace(st, None, 4)
    assert [(x["a"], x["b"], x["c"], x["d"]) for x in events(ev, "kill")] == [(tw, me, s.me, L.K_TOWER)]
    gain = st.arrays.leaders[0]["gold"] - g0
    ours = slice(5 * a, 5 * a + 5)
    theirs = slice(5 * s.e, 5 * s.e + 5)
    bounty = rule(fast_world, "bounty_tower")
    assert bounty != rule(fast_world, "bounty_leader")  # (a leader's bounty for the killer would show)
    np.testing.assert_allclose(gain[ours], bounty + passive(fast_world, 4), atol=1e-3)  # the killer too, no more
    np.testing.assert_allclose(gain[theirs], passive(fast_world, 4), atol=1e-3)
    assert st.arrays.teams[0, s.e]["buildings_lost"] == 1


# ---------------------------------------------------------------------------- shop and items
def test_shop_only_at_own_core_fifo_and_stats_applied(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    disarm_buildings(st)
    hold(st, b)
    place(st, b, 40, 40)
    st.arrays.leaders[0, 0]["gold"] = 1000.0
    st.arrays.leaders[0, 0]["build_next"] = 4  # only the coach's queue
    rows = np.array([[[0, 0, L.O_BUY, IRON_SWORD, 0], [0, 0, L.O_BUY, COFFEE, 0]]], np.int32)
    step_inplace(st, rows, 20)
    assert st.arrays.games["buyq"][0, 0].tolist() == [IRON_SWORD, COFFEE, -1, -1]
    assert st.arrays.games["inv"][0, 0].tolist() == [-1, -1, -1, -1]
    # the enemy core is no shop
    place(st, b, 40, 2)
    step_inplace(st, None, 10)
    assert st.arrays.games["inv"][0, 0].tolist() == [-1, -1, -1, -1]
    gold = float(st.arrays.leaders[0, 0]["gold"])
    place(st, b, 40, 47)
    ev = step_inplace(st, None, 1)
    assert [(x["a"], x["b"]) for x in events(ev, "purchase")] == [(0, IRON_SWORD), (0, COFFEE)]
    assert st.arrays.games["inv"][0, 0].tolist() == [IRON_SWORD, COFFEE, -1, -1]
    assert st.arrays.games["buyq"][0, 0].tolist() == [-1, -1, -1, -1]
    ld = st.arrays.leaders[0, 0]
    price = fast_world.rec["item_price"]
    assert float(ld["gold"]) == pytest.approx(
        gold + passive(fast_world, 1) - price[IRON_SWORD] - price[COFFEE], abs=1e-3
    )
    step_inplace(st, None, 1)
    base_atk = hero(fast_world, CHIRON, L.S_ATK)
    sword = item_mod(fast_world, IRON_SWORD, L.IM_ATK)
    assert sword > 0 and unit(st, b)["atk"] == base_atk + sword
    # the sword really hits harder: (attack + sword) - creep defense
    place(st, b, 24, 24)
    c = spawn_unit(st, L.K_CREEP, 1, 25, 24)
    set_field(st, c, root_until=NEVER)
    disarm(st, c)
    per = interval(fast_world, hero(fast_world, CHIRON, L.S_AS))
    assert hits_in(st, c, per + 4) == [hit(base_atk + sword, ustat(fast_world, L.UK_CREEP, L.S_DEF))] * 2


def test_item_ids_of_these_scenarios_and_the_world_item_table(content, fast_world):
    """The ids used above name the items they claim; the world's item table is items.toml, item by item."""
    items = {it["name"]: it for it in tomllib.loads((CONTENT_DIR / "items.toml").read_text())["item"]}
    assert [content.item_names.index(n) for n in ("Iron Sword", "Coffee", "Healing Salve")] == [
        IRON_SWORD,
        COFFEE,
        SALVE,
    ]
    assert items["Iron Sword"].get("attack", 0) > 0 and items["Coffee"]["effect"] == "coffee"
    assert items["Healing Salve"]["effect"] == "heal"
    cols = {"attack": L.IM_ATK, "defense": L.IM_DEF, "health": L.IM_HP, "attack_speed": L.IM_AS, "move": L.IM_MOVE}
    cols["range"] = L.IM_RANGE
    assert list(content.item_names) == list(items)
    for i, (name, it) in enumerate(items.items()):
        want = [0.0] * 6
        for key, col in cols.items():
            want[col] = float(it.get(key, 0))
        assert fast_world.rec["item_mods"][i].tolist() == pytest.approx(want), name
        assert fast_world.rec["item_price"][i] == it["price"], name


# unit field, base stat column, item modifier column; the move item multiplies (docs/design.md 3: effectors)
STAT_FIELDS = {
    "atk": (L.S_ATK, L.IM_ATK),
    "dfn": (L.S_DEF, L.IM_DEF),
    "max_hp": (L.S_HP, L.IM_HP),
    "aspd": (L.S_AS, L.IM_AS),
    "refill": (L.S_REFILL, L.IM_MOVE),
    "attack_range": (L.S_RANGE, L.IM_RANGE),
}


@pytest.mark.parametrize(
    "item, fields",
    [
        ("Iron Sword", ["atk"]),
        ("Chain Mail", ["dfn"]),
        ("Vitality Stone", ["max_hp"]),
        ("Quick Gloves", ["aspd"]),
        ("Swift Boots", ["refill"]),
        ("Longbow", ["attack_range", "atk"]),
        ("Aegis Plate", ["max_hp", "dfn"]),
        ("Warlord Blade", ["atk", "aspd"]),
    ],
)
def test_item_stats_applied(fast_world, content, item, fields):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 24, 24)
    it = content.item_names.index(item)
    mods = fast_world.rec["item_mods"][it]
    base = {f: hero(fast_world, CHIRON, col) for f, (col, _) in STAT_FIELDS.items()}
    want = {f: base[f] + float(mods[im]) for f, (_, im) in STAT_FIELDS.items()}
    want["refill"] = base["refill"] * (1.0 + float(mods[L.IM_MOVE]))
    assert all(want[f] != base[f] for f in fields)  # the item does change these
    st.arrays.games["inv"][0, 0, 2] = it
    set_field(st, b, dirty=1)
    step_inplace(st, None, 1)
    for f in STAT_FIELDS:  # the item's stats, and nothing else
        assert float(unit(st, b)[f]) == pytest.approx(want[f]), f
    assert unit(st, b)["hp"] == want["max_hp"]  # bonus health is granted, not just the cap
    st.arrays.games["inv"][0, 0, 2] = -1  # gone again: back to the base stats
    set_field(st, b, dirty=1)
    step_inplace(st, None, 1)
    for f in STAT_FIELDS:
        assert float(unit(st, b)[f]) == pytest.approx(base[f]), f


def test_healing_salve_consumed_below_40_percent(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 24, 24)
    st.arrays.games["inv"][0, 0] = [SALVE, IRON_SWORD, -1, -1]
    set_field(st, b, dirty=1)
    step_inplace(st, None, 1)
    m = float(unit(st, b)["max_hp"])
    heal = float(fast_world.rec["item_value"][SALVE])
    assert heal > 0
    set_field(st, b, hp=0.5 * m)  # 50%: kept
    ev = step_inplace(st, None, 8)
    assert events(ev, "item_used") == [] and unit(st, b)["hp"] == np.float32(0.5 * m)
    set_field(st, b, hp=0.35 * m)  # 35%: drunk at the next decision
    ev = step_inplace(st, None, int(fast_world.rec["ai_every"]))
    assert [(x["a"], x["b"]) for x in events(ev, "item_used")] == [(0, SALVE)]
    assert float(unit(st, b)["hp"]) == pytest.approx(0.35 * m + heal, abs=1e-3)
    assert st.arrays.games["inv"][0, 0].tolist() == [-1, IRON_SWORD, -1, -1]
    set_field(st, b, hp=0.1 * m)
    ev = step_inplace(st, None, 8)
    assert events(ev, "item_used") == [] and unit(st, b)["hp"] == np.float32(0.1 * m)  # it is gone


def test_coffee_multiplies_attack_speed_for_its_duration_and_is_consumed(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)
    keep_only(st, [b, r])
    st.arrays.leaders[0, 0]["build_next"] = 4
    st.arrays.games["inv"][0, 0] = [COFFEE, -1, -1, -1]
    place(st, b, 24, 24)  # coach order "lane": the leader AI fights the enemy leader next to it
    place(st, r, 25, 24)
    hold(st, r)
    mute(st, 5)
    disarm(st, r)
    set_field(st, r, root_until=NEVER)
    t_hits = []
    used = []
    aspd = []
    for _ in range(150):
        t = int(st.arrays.games["tick"][0])
        hp = float(unit(st, r)["hp"])
        ev = step_inplace(st, None, 1)
        used += [(x["tick"], x["b"]) for x in events(ev, "item_used")]
        aspd.append(float(unit(st, b)["aspd"]))
        if float(unit(st, r)["hp"]) < hp:
            t_hits.append(t)
    assert len(used) == 1 and used[0][1] == COFFEE
    tu = used[0][0]
    assert st.arrays.games["inv"][0, 0].tolist() == [-1, -1, -1, -1]
    assert t_hits[0] == tu  # it is drunk when the fight starts
    # AttackSpeed x value from the next tick for the item's duration
    base = hero(fast_world, CHIRON, L.S_AS)
    mult, d = float(fast_world.rec["item_value"][COFFEE]), int(fast_world.rec["item_dur"][COFFEE])
    assert mult > 1 and 0 < d < 150 - tu - 2 * interval(fast_world, base)  # the scene sees the end of it
    assert aspd[tu] == base and set(aspd[tu + d :]) == {base}
    assert all(a == pytest.approx(mult * base, rel=1e-6) for a in aspd[tu + 1 : tu + d])
    slow, fast = interval(fast_world, base), interval(fast_world, mult * base)
    gaps = np.diff(t_hits).tolist()
    during = [g for t, g in zip(t_hits[1:], gaps, strict=True) if tu + slow < t <= tu + d]
    after = [g for t, g in zip(t_hits[1:], gaps, strict=True) if t > tu + d + slow]
    assert during and set(during) == {fast}
    assert after and set(after) == {slow}


# ---------------------------------------------------------------------------- vision
def test_vision_blocked_by_forest_within_radius(fast_world, content):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)
    keep_only(st, [b, r])
    disarm_buildings(st)
    hold(st, b)
    hold(st, r)
    vis = st.arrays.games["vis"]
    sight = math.floor(rule(fast_world, "vis_leader"))
    assert sight == math.floor(content.rules["vision.leader"]) and 45 < sight**2 and sight < 40  # the scene fits
    cases = [
        ((39, 3), (40 - sight, 3), 1),  # sight - 1 tiles in the open red base avenue: seen
        ((39, 6), (33, 3), 0),  # sqrt(45) < sight but the forest at (38, 5) is in between: hidden
        ((39, 3), (38 - sight, 3), 0),  # sight + 1 tiles in the open: beyond the leader sight radius
        ((39, 3), (39 - sight, 3), 1),  # exactly the sight radius: seen
    ]
    for (bx, by), (rx, ry), seen in cases:
        place(st, b, bx, by)
        place(st, r, rx, ry)
        step_inplace(st, None, int(fast_world.rec["vis_every"]))
        assert vis[0, 0, r] == seen, ((bx, by), (rx, ry))
        assert vis[0, 0, b] == 1  # own units are always visible


# ---------------------------------------------------------------------------- end of the match
@pytest.mark.parametrize("a", [0, 1], ids=["blue_wins", "red_wins"])
def test_core_destroyed_wins(fast_world, a):
    s = Side(a)
    st = scenario_state(fast_world, s.draft)
    me = leader_slot(s.me)
    keep_only(st, [me])
    disarm_buildings(st)
    core = bld(s.e, 0)
    kill(st, bld(s.e, 2))  # a barracks down opens the core
    assert unit(st, core)["invuln"] == 0
    place(st, me, *adjacent(st, core, a))
    hold(st, me)
    set_field(st, core, hp=1.0)
    t_end = None
    for _ in range(8):
        ev = step_inplace(st, None, 1)
        if st.arrays.games["done"][0]:
            t_end = int(st.arrays.games["tick"][0]) - 1
            break
    assert t_end is not None
    g = st.arrays.games[0]
    assert (int(g["winner"]), int(g["end_reason"]), int(g["end_tick"])) == (a, 0, t_end + 1)
    assert [(x["a"], x["b"], x["d"]) for x in events(ev, "kill")] == [(core, me, L.K_CORE)]
    assert [(x["a"], x["b"], x["c"]) for x in events(ev, "building_destroyed")] == [(s.e, 0, core)]
    assert [(x["a"], x["b"]) for x in events(ev, "game_over")] == [(a, 0)]
    # a finished match does not move
    before = st.checksum()
    ev = step_inplace(st, None, 10)
    assert int(st.arrays.games["tick"][0]) == t_end + 1 and st.checksum() == before
    assert events(ev, "game_over") == []


def test_time_limit_is_a_draw(limit_worlds, world, content):
    tps = content.rules["time.ticks_per_second"]
    assert int(world.rec["time_limit"]) == round(content.rules["time.time_limit_s"] * tps)  # the default
    w = limit_worlds["draw"]
    limit = int(w.rec["time_limit"])
    assert limit == round(2 * tps)  # Params(time_limit_s=2)
    st = scenario_state(w, DRAFT)
    kill(st, tower(1, 0, 0))  # draw mode ignores buildings
    step_inplace(st, None, limit - 2)
    assert not st.arrays.games["done"][0] and int(st.arrays.games["winner"][0]) == -1
    ev = step_inplace(st, None, 5)
    g = st.arrays.games[0]
    assert (int(g["done"]), int(g["winner"]), int(g["end_reason"]), int(g["end_tick"])) == (1, 2, 1, limit)
    assert int(g["tick"]) == limit
    assert [(x["tick"], x["a"], x["b"]) for x in events(ev, "game_over")] == [(limit - 1, 2, 1)]


@pytest.mark.parametrize(
    "lost_blue, lost_red, winner", [(0, 1, 0), (2, 1, 1), (1, 1, 2), (0, 0, 2)], ids=["blue", "red", "even", "none"]
)
def test_time_limit_tiebreak_buildings(limit_worlds, lost_blue, lost_red, winner):
    st = scenario_state(limit_worlds["buildings"], DRAFT)
    for team, n in ((0, lost_blue), (1, lost_red)):
        for lane in range(n):
            kill(st, tower(team, lane, 0))
    assert st.arrays.teams[0]["buildings_lost"].tolist() == [lost_blue, lost_red]
    limit = int(limit_worlds["buildings"].rec["time_limit"])
    ev = step_inplace(st, None, limit + 10)
    g = st.arrays.games[0]
    assert (int(g["done"]), int(g["winner"]), int(g["end_reason"]), int(g["end_tick"])) == (1, winner, 1, limit)
    assert [(x["a"], x["b"]) for x in events(ev, "game_over")] == [(winner, 1)]
