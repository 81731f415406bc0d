"""Scenario tests of the twenty leader skills (docs/design.md section 5).

Each test builds a tiny hand-made situation on the middle crossing of the map (row 24, x 15..30: far
from every tower), changes one thing, steps the real simulation and checks the skill's effect with
the numbers of ``content/skills.toml`` (read here straight from the file, not through the loader).

Conventions: ``run`` steps one tick at a time; ``samples[i]`` is the state after tick ``t0 + i``.
A stat changed by an effector shows from the tick after the cast (stats refresh at the start of a
tick) until the tick before ``cast + duration``. Leaders check their auto-cast skills every 4 ticks,
leader ``li`` on the ticks where ``(t + li) % 4 == 0``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import shotcaller.content
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT

_CONTENT = Path(shotcaller.content.__file__).parent
SK = tomllib.loads((_CONTENT / "skills.toml").read_text())
UNITS = tomllib.loads((_CONTENT / "units.toml").read_text())
RULES = tomllib.loads((_CONTENT / "rules.toml").read_text())
TPS = RULES["time"]["ticks_per_second"]

Y = 24  # a row of the middle crossing
BLUE, RED = L.BLUE, L.RED
# global leader indices of DRAFT
ROLLO, VESNA, SYLVAN, RAJA, BRAKKA = range(5)
CHIRON, CELSUS, ERNO, SOULS, BRISTLE = range(5, 10)
BIG = 100_000.0


def ticks(seconds: float) -> int:
    return round(seconds * TPS)


def cd(skill: str) -> int:
    return ticks(SK[skill]["cooldown_s"])


def dur(skill: str) -> int:
    return ticks(SK[skill]["duration_s"])


# ---------------------------------------------------------------------------- helpers
def sandbox(world, leaders, draft=DRAFT, seed=0):
    """A waveless state where only ``leaders`` (global indices) are on the map."""
    st = scenario_state(world, draft, seed=seed)
    keep_only(st, [leader_slot(li) for li in leaders])
    return st


def unit(st, s):
    return st.arrays.units[0, s]


def leader(st, li):
    return st.arrays.leaders[0, li]


def now(st) -> int:
    return int(st.arrays.games["tick"][0])


def hp(st, s) -> float:
    return float(unit(st, s)["hp"])


def tank(st, s, health=BIG):
    set_field(st, s, hp=health, max_hp=health, base_hp=health)


def passive(st, s):
    """Unit s never attacks."""
    set_field(st, s, base_as=0.0, aspd=0.0)


def put(st, li, x, y=Y, attacks=True):
    """Leader li stands (holds) at (x, y); returns its slot."""
    s = leader_slot(li)
    place(st, s, x, y)
    hold(st, s)
    if not attacks:
        passive(st, s)
    return s


def creep(st, team, x, y=Y, health=None, attacks=False, rooted=True):
    """A creep of ``team`` at (x, y): rooted and harmless unless told otherwise."""
    c = spawn_unit(st, L.K_CREEP, team, x, y)
    if rooted:
        set_field(st, c, root_until=NEVER)
    if not attacks:
        passive(st, c)
    if health is not None:
        if health > float(unit(st, c)["max_hp"]):
            tank(st, c, health)
        else:
            set_field(st, c, hp=health)
    return c


def mute(st, li, skill_slot):
    """Put leader li's skill in slot 0/1 on an endless cooldown (isolates the other skill)."""
    leader(st, li)["skill_ready_at"][skill_slot] = NEVER


def run(st, n, probe=None):
    """Step n ticks one at a time: (events as dicts, [probe(st) after each tick])."""
    evs, samples = [], []
    for _ in range(n):
        evs += step_inplace(st, None, 1).decoded(0)
        if probe is not None:
            samples.append(probe(st))
    return evs, samples


def casts(evs, skill_id, a=None):
    """Skill events of ``skill_id`` (optionally cast by unit slot ``a``)."""
    return [e for e in evs if e["kind"] == "skill" and e["b"] == skill_id and (a is None or e["a"] == a)]


def kills(evs):
    return [e for e in evs if e["kind"] == "kill"]


def changes(series, start):
    """Indices where ``series`` differs from the value before (``start`` before index 0)."""
    return [i for i, v in enumerate(series) if v != (series[i - 1] if i else start)]


def drops(series, start):
    """(index, amount) of every decrease in ``[start] + series``."""
    out = []
    prev = start
    for i, v in enumerate(series):
        if v < prev - 1e-6:
            out.append((i, prev - v))
        prev = v
    return out


# ---------------------------------------------------------------------------- Rollo
def test_double_damage_every_third_attack_deals_double(fast_world):
    st = sandbox(fast_world, [ROLLO])
    r = put(st, ROLLO, 22)
    c = creep(st, RED, 23, health=BIG)
    base = float(unit(st, r)["atk"]) - float(unit(st, c)["dfn"])
    evs, hps = run(st, 130, lambda s: hp(s, c))
    got = [round(a, 3) for _, a in drops(hps, BIG)]
    every, mult = SK["DoubleDamage"]["count"], SK["DoubleDamage"]["value"]
    assert got == [base * (mult if (k + 1) % every == 0 else 1.0) for k in range(7)]
    assert len(casts(evs, L.SK_DOUBLE_DAMAGE, r)) == 2


def test_cleave_needs_three_enemies_hits_all_within_radius_and_has_cooldown(fast_world):
    st = sandbox(fast_world, [ROLLO])
    r = put(st, ROLLO, 22, attacks=False)
    near = [creep(st, RED, 24, health=1000.0), creep(st, RED, 19, health=1000.0)]  # 2 and 3 tiles
    far = creep(st, RED, 27, health=1000.0)  # 5 tiles: outside radius 4
    evs, _ = run(st, 24)
    assert casts(evs, L.SK_CLEAVE) == []  # two enemies are not enough
    assert [hp(st, c) for c in near] == [1000.0, 1000.0]
    near.append(creep(st, RED, 26, health=1000.0))  # exactly 4 tiles: within
    evs, _ = run(st, 1)
    assert [e["tick"] for e in casts(evs, L.SK_CLEAVE, r)] == [24]
    dmg = SK["Cleave"]["damage"]
    assert [hp(st, c) for c in near] == [1000.0 - dmg] * 3
    assert hp(st, far) == 1000.0
    evs, _ = run(st, cd("Cleave") + 5)
    assert [e["tick"] for e in casts(evs, L.SK_CLEAVE, r)] == [24 + cd("Cleave")]
    assert [hp(st, c) for c in near] == [1000.0 - 2 * dmg] * 3
    assert hp(st, far) == 1000.0


# ---------------------------------------------------------------------------- Vesna
def test_attack_speed_increase_stacks_on_same_target_up_to_cap_and_resets(fast_world):
    st = sandbox(fast_world, [VESNA])
    v = put(st, VESNA, 20)
    c = creep(st, RED, 23, health=BIG)
    base_as = float(unit(st, v)["base_as"])
    step, cap = SK["AttackSpeedIncrease"]["value"], SK["AttackSpeedIncrease"]["max"]
    n0 = int(unit(st, v)["next_attack"])
    _, smp = run(st, 320, lambda s: (int(unit(s, v)["next_attack"]), float(unit(s, v)["aspd"])))
    attacks = changes([n for n, _ in smp], n0)
    aspd_after = [round(smp[t + 1][1], 4) for t in attacks[:-1]]
    want = [round(base_as * (1 + min(k * step, cap)), 4) for k in range(len(aspd_after))]
    assert aspd_after == want
    assert max(a for _, a in smp) == pytest.approx(base_as * (1 + cap))  # +100% and not more
    intervals = [b - a for a, b in zip(attacks, attacks[1:], strict=False)]
    slowest, fastest = int(200 / base_as + 0.5), int(200 / (base_as * (1 + cap)) + 0.5)
    assert intervals[0] == slowest and intervals[-3:] == [fastest] * 3
    assert all(b <= a for a, b in zip(intervals, intervals[1:], strict=False))
    # a new target starts over
    set_field(st, c, hp=0.0)
    c2 = creep(st, RED, 23, health=BIG)
    _, smp = run(st, 60, lambda s: (int(unit(s, v)["next_attack"]), float(unit(s, v)["aspd"]), hp(s, c2)))
    first = next(i for i in range(1, 60) if smp[i][0] != smp[i - 1][0])
    assert smp[first + 1][1] == pytest.approx(base_as)
    second = next(i for i in range(first + 1, 60) if smp[i][0] != smp[i - 1][0])
    assert smp[second + 1][1] == pytest.approx(base_as * (1 + step))


def test_slow_aoe_damages_and_halves_movement_of_each_enemy_within_5(fast_world):
    st = sandbox(fast_world, [VESNA])
    v = put(st, VESNA, 20, attacks=False)
    inside = [creep(st, RED, x, health=1000.0) for x in (21, 22, 25)]  # 1, 2 and 5 tiles
    outside = creep(st, RED, 26, health=1000.0)
    refill = float(unit(st, outside)["refill"])
    evs, smp = run(st, 250, lambda s: [(hp(s, c), float(unit(s, c)["refill"])) for c in [*inside, outside]])
    t1 = 3  # Vesna (leader 1) checks on ticks 3, 7, ...
    assert [e["tick"] for e in casts(evs, L.SK_SLOW_AOE, v)] == [t1, t1 + cd("SlowAOE")]
    dmg, slow, d = SK["SlowAOE"]["damage"], SK["SlowAOE"]["value"], dur("SlowAOE")
    for k in range(3):
        assert smp[t1 - 1][k] == (1000.0, refill)
        assert smp[t1][k][0] == 1000.0 - dmg
        assert {smp[t][k][1] for t in range(t1 + 1, t1 + d)} == {refill * slow}
        assert smp[t1 + d][k][1] == refill
        assert smp[-1][k][0] == 1000.0 - 2 * dmg
    assert {s[3] for s in smp} == {(1000.0, refill)}


# ---------------------------------------------------------------------------- Sylvan
def test_nature_summon_one_treant_every_6s_at_most_3_alive(fast_world):
    st = sandbox(fast_world, [SYLVAN])
    s = put(st, SYLVAN, 22)
    own = range(L.SLOT_SUMMON0 + 3 * SYLVAN, L.SLOT_SUMMON0 + 3 * SYLVAN + 3)

    def alive(st):
        return [k for k in own if unit(st, k)["alive"]]

    evs, smp = run(st, 300, lambda st: len(alive(st)))
    every = cd("NatureSummon")
    t1 = 2  # Sylvan (leader 2) checks on ticks 2, 6, ...
    assert [e["tick"] for e in casts(evs, L.SK_NATURE_SUMMON, s)] == [t1, t1 + every, t1 + 2 * every]
    assert smp[t1 - 1] == 0 and smp[t1] == 1 and smp[t1 + every] == 2 and smp[t1 + 2 * every] == 3
    assert max(smp) == SK["NatureSummon"]["max"]
    for k in alive(st):
        u = unit(st, k)
        assert (int(u["kind"]), int(u["team"]), int(u["owner"])) == (L.K_TREANT, BLUE, SYLVAN)
        assert (float(u["max_hp"]), float(u["atk"])) == (UNITS["treant"]["health"], UNITS["treant"]["attack"])
    # one dies: the next comes on the 6 s rhythm (t1 + 3 * every), not before
    set_field(st, alive(st)[0], hp=0.0)
    evs, smp = run(st, 100, lambda st: len(alive(st)))
    assert [e["tick"] for e in casts(evs, L.SK_NATURE_SUMMON, s)] == [t1 + 3 * every]
    assert smp[0] == 2 and smp[-1] == 3


def test_root_roots_the_closest_enemy_for_2s_with_cooldown(fast_world):
    st = sandbox(fast_world, [SYLVAN])
    s = put(st, SYLVAN, 22, attacks=False)
    leader(st, SYLVAN)["summon_ready"] = NEVER  # no treants in this scene
    a = creep(st, RED, 25, rooted=False)  # 3 tiles: the closest
    b = creep(st, RED, 26, rooted=False)  # 4 tiles
    evs, smp = run(st, 200, lambda st: (int(unit(st, a)["x"]), int(unit(st, b)["x"])))
    t1, d = 2, dur("Root")
    rc = casts(evs, L.SK_ROOT, s)
    assert [e["tick"] for e in rc] == [t1, t1 + cd("Root")]
    assert rc[0]["c"] == a
    assert {x for x, _ in smp[: t1 + d]} == {25}  # rooted through tick t1 + d - 1
    assert smp[t1 + d - 1][1] < 26  # while the other one walked
    assert smp[t1 + d + 10][0] < 25  # and walks again afterwards


def test_root_and_battle_hunger_need_an_enemy_within_4(fast_world):
    st = sandbox(fast_world, [SYLVAN, BRAKKA])
    s = put(st, SYLVAN, 22, attacks=False)
    leader(st, SYLVAN)["summon_ready"] = NEVER
    b = put(st, BRAKKA, 22, attacks=False)
    c = creep(st, RED, 27, health=1000.0)  # 5 tiles
    evs, _ = run(st, 40)
    assert casts(evs, L.SK_ROOT, s) == [] and casts(evs, L.SK_BATTLE_HUNGER, b) == []
    assert hp(st, c) == 1000.0


def test_root_does_not_stop_attacks(fast_world):
    st = sandbox(fast_world, [SYLVAN])
    s = put(st, SYLVAN, 22, attacks=False)
    leader(st, SYLVAN)["summon_ready"] = NEVER
    tank(st, s)
    c = creep(st, RED, 23, attacks=True, rooted=False)
    evs, hps = run(st, 45, lambda st: hp(st, s))
    assert casts(evs, L.SK_ROOT, s)[0]["c"] == c
    assert int(unit(st, c)["root_until"]) == 2 + dur("Root")
    dmg = float(unit(st, c)["atk"]) - float(unit(st, s)["dfn"])
    assert [round(a, 3) for _, a in drops(hps, BIG)] == [dmg] * 3  # ticks ~0, 20, 40: rooted or not


# ---------------------------------------------------------------------------- Raja
def test_elephant_summon_one_companion_resummoned_60s_after_death(fast_world):
    st = sandbox(fast_world, [RAJA])
    r = put(st, RAJA, 22)
    own = range(L.SLOT_SUMMON0 + 3 * RAJA, L.SLOT_SUMMON0 + 3 * RAJA + 3)

    def elephants(st):
        return [k for k in own if unit(st, k)["alive"] and unit(st, k)["kind"] == L.K_ELEPHANT]

    evs, _ = run(st, 200)
    assert [e["tick"] for e in casts(evs, L.SK_ELEPHANT_SUMMON, r)] == [1]  # leader 3: ticks 1, 5, ...
    (e,) = elephants(st)
    u = unit(st, e)
    assert (int(u["team"]), int(u["owner"])) == (BLUE, RAJA)
    assert (float(u["max_hp"]), float(u["atk"])) == (UNITS["elephant"]["health"], UNITS["elephant"]["attack"])
    set_field(st, e, hp=0.0)
    died = now(st)
    wait = cd("ElephantSummon")
    ev = step_inplace(st, None, wait)  # ticks died .. died + wait - 1
    assert [k for k in ev.decoded(0) if k["kind"] == "kill"][0]["a"] == e
    assert casts(ev.decoded(0), L.SK_ELEPHANT_SUMMON) == []
    assert elephants(st) == []
    evs, _ = run(st, 4)
    (again,) = casts(evs, L.SK_ELEPHANT_SUMMON, r)
    assert died + wait <= again["tick"] < died + wait + 4
    assert len(elephants(st)) == 1


def test_savagery_gives_raja_and_elephant_attack_speed_for_10s(fast_world):
    st = sandbox(fast_world, [RAJA])
    r = put(st, RAJA, 22)
    run(st, 8)  # the elephant comes first
    (e,) = [k for k in range(L.SLOT_SUMMON0 + 9, L.SLOT_SUMMON0 + 12) if unit(st, k)["alive"]]
    c = creep(st, RED, 23, health=BIG)
    t0 = now(st)
    base = float(unit(st, r)["aspd"])
    assert float(unit(st, e)["aspd"]) == base
    n0 = int(unit(st, r)["next_attack"])

    def probe(st):
        return float(unit(st, r)["aspd"]), float(unit(st, e)["aspd"]), int(unit(st, r)["next_attack"])

    evs, smp = run(st, 440, probe)
    attacks = changes([x[2] for x in smp], n0)  # Raja's attack ticks (relative to t0)
    sv = [x["tick"] - t0 for x in casts(evs, L.SK_SAVAGERY, r)]
    t1 = attacks[0]
    assert sv[0] == t1  # on Raja's first attack
    bonus, d = SK["Savagery"]["value"], dur("Savagery")
    assert {smp[t][:2] for t in range(t1 + 1, t1 + d)} == {(base + bonus, base + bonus)}
    assert smp[t1 + d][:2] == (base, base)
    # cooldown 20 s: the next cast is Raja's first attack at or after t1 + 400
    assert sv == [t1, min(t for t in attacks if t >= t1 + cd("Savagery"))]
    assert attacks[1] - attacks[0] < cd("Savagery")
    assert hp(st, c) < BIG


# ---------------------------------------------------------------------------- Brakka
def test_return_aoe_every_5th_attack_received_with_cooldown(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    b = put(st, BRAKKA, 22, attacks=False)
    mute(st, BRAKKA, 1)  # no BattleHunger
    hitters = [creep(st, RED, 23, health=BIG, attacks=True), creep(st, RED, 21, health=BIG, attacks=True)]
    inside = [creep(st, RED, 25, health=BIG), creep(st, RED, 26, health=BIG)]  # 3 and 4 tiles
    outside = creep(st, RED, 27, health=BIG)
    evs, smp = run(st, 260, lambda st: int(leader(st, BRAKKA)["recv_hits"]))
    hits = []  # tick of each attack received, in order
    prev = 0
    for t, n in enumerate(smp):
        hits += [t] * (n - prev)
        prev = n
    # the rule: the k-th attack received with k % 5 == 0 casts when off cooldown
    want, ready = [], 0
    for k, t in enumerate(hits, start=1):
        if k % SK["ReturnAOE"]["count"] == 0 and t >= ready:
            want.append(t)
            ready = t + cd("ReturnAOE")
    got = [e["tick"] for e in casts(evs, L.SK_RETURN_AOE, b)]
    assert got == want and len(want) == 3  # hits 5, 15, 25: the 10th and 20th fall in the cooldown
    dmg = SK["ReturnAOE"]["damage"]
    for c in inside:
        assert hp(st, c) == BIG - 3 * dmg
    assert hp(st, outside) == BIG
    for c in hitters:  # 1 tile away: hit too (they never get hit otherwise)
        assert hp(st, c) == BIG - 3 * dmg


def test_battle_hunger_slows_closest_speeds_caster_with_cooldown(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    b = put(st, BRAKKA, 22, attacks=False)
    v = creep(st, RED, 24, health=1000.0)  # 2 tiles: the closest
    w = creep(st, RED, 25, health=1000.0)  # 3 tiles
    rf_v, rf_b = float(unit(st, v)["refill"]), float(unit(st, b)["refill"])

    def probe(st):
        return float(unit(st, v)["refill"]), float(unit(st, b)["refill"]), hp(st, w), float(unit(st, w)["refill"])

    evs, smp = run(st, 250, probe)
    bh = casts(evs, L.SK_BATTLE_HUNGER, b)
    assert [e["tick"] for e in bh] == [0, cd("BattleHunger")]  # leader 4 checks on ticks 0, 4, ...
    assert bh[0]["c"] == v
    d, slow, fast = dur("BattleHunger"), SK["BattleHunger"]["value"], SK["BattleHunger"]["max"]
    assert {smp[t][:2] for t in range(1, d)} == {(rf_v * slow, rf_b * fast)}
    assert smp[d][:2] == (rf_v, rf_b)
    assert {smp[t][2:] for t in range(len(smp))} == {(1000.0, float(unit(st, w)["base_refill"]))}


def test_battle_hunger_deals_2_per_tick_for_5s(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    put(st, BRAKKA, 22, attacks=False)
    v = creep(st, RED, 24, health=1000.0)
    run(st, 200)
    total = SK["BattleHunger"]["damage_per_s"] / TPS * dur("BattleHunger")  # per tick, for every tick
    assert 1000.0 - hp(st, v) == pytest.approx(total)
    assert float(leader(st, BRAKKA)["damage"]) == pytest.approx(total)


def test_battle_hunger_kill_is_credited_to_the_caster(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    b = put(st, BRAKKA, 22, attacks=False)
    v = creep(st, RED, 24, health=21.0)
    gold0 = float(leader(st, BRAKKA)["gold"])
    evs, _ = run(st, 40)
    (k,) = kills(evs)
    assert (k["a"], k["b"], k["c"]) == (v, b, BRAKKA)
    assert 10 <= k["tick"] <= 12  # 2 per tick
    passive_gold = 40 * RULES["economy"]["passive_gold_per_s"] / TPS
    assert float(leader(st, BRAKKA)["gold"]) - gold0 == pytest.approx(
        RULES["economy"]["bounty_creep"] + passive_gold, abs=1e-3
    )


# ---------------------------------------------------------------------------- Chiron
def test_return_damage_reflects_30_percent_of_melee_damage_only(fast_world):
    st = sandbox(fast_world, [CHIRON, VESNA])
    ch = put(st, CHIRON, 22, attacks=False)
    tank(st, ch)
    ves = put(st, VESNA, 26)  # ranged, 4 tiles away
    mute(st, VESNA, 1)
    m = creep(st, BLUE, 23, health=1000.0, attacks=True)  # melee
    evs, smp = run(st, 100, lambda st: (hp(st, ch), hp(st, m)))
    ch_drops = drops([a for a, _ in smp], BIG)
    m_drops = drops([b for _, b in smp], 1000.0)
    melee = float(unit(st, m)["atk"]) - float(unit(st, ch)["dfn"])
    n_melee = sum(1 for _, a in ch_drops if round(a, 3) == melee)
    assert n_melee == 5 and len(ch_drops) > n_melee  # Vesna's arrows hit too
    assert [round(a, 3) for _, a in m_drops] == [round(melee * SK["ReturnDamage"]["value"], 3)] * n_melee
    assert hp(st, ves) == float(unit(st, ves)["max_hp"])  # nothing comes back to a ranged attacker
    assert len(casts(evs, L.SK_RETURN_DAMAGE, ch)) == n_melee


def test_leader_killed_by_reflect_is_credited_and_bounty_paid(fast_world):
    st = sandbox(fast_world, [ROLLO, CHIRON])
    ch = put(st, CHIRON, 22, attacks=False)
    r = put(st, ROLLO, 23)
    set_field(st, r, hp=10.0)  # 30% of Rollo's hit (47) comes back: 14.1
    hit = float(unit(st, r)["atk"]) - float(unit(st, ch)["dfn"])
    assert hit * SK["ReturnDamage"]["value"] > 10.0
    gold0 = float(leader(st, CHIRON)["gold"])
    evs, _ = run(st, 1)
    (k,) = kills(evs)
    assert (k["a"], k["b"], k["c"], k["d"]) == (r, ch, CHIRON, L.K_LEADER)
    assert float(leader(st, CHIRON)["gold"]) - gold0 == pytest.approx(
        RULES["economy"]["bounty_leader"] + RULES["economy"]["passive_gold_per_s"] / TPS, abs=1e-3
    )
    assert int(leader(st, CHIRON)["kills"]) == 1 and int(leader(st, ROLLO)["deaths"]) == 1
    assert int(st.arrays.teams[0, RED]["kills"]) == 1
    assert not unit(st, r)["alive"] and int(leader(st, ROLLO)["respawn_at"]) > 0
    assert hp(st, ch) == float(unit(st, ch)["max_hp"]) - hit


def test_battle_call_speeds_up_for_5s_with_cooldown(fast_world):
    st = sandbox(fast_world, [CHIRON, ROLLO])
    ch = put(st, CHIRON, 22, attacks=False)
    put(st, ROLLO, 28, attacks=False)  # an enemy leader 6 tiles away
    rf = float(unit(st, ch)["refill"])
    evs, smp = run(st, 220, lambda st: float(unit(st, ch)["refill"]))
    t1 = 3  # leader 5 checks on ticks 3, 7, ...
    assert [e["tick"] for e in casts(evs, L.SK_BATTLE_CALL, ch)] == [t1, t1 + cd("BattleCall")]
    d = dur("BattleCall")
    assert smp[t1] == rf
    assert set(smp[t1 + 1 : t1 + d]) == {rf * SK["BattleCall"]["value"]}
    assert set(smp[t1 + d : t1 + cd("BattleCall") + 1]) == {rf}
    assert smp[t1 + cd("BattleCall") + 1] == rf * SK["BattleCall"]["value"]


# ---------------------------------------------------------------------------- Celsus
def test_greedy_touch_doubles_gold_gain_for_5s_with_cooldown(fast_world):
    st = sandbox(fast_world, [CELSUS])
    ce = put(st, CELSUS, 22)
    c = creep(st, BLUE, 27, health=30.0)  # 5 tiles: in range, out of AirCorrosion's 4
    per_tick = RULES["economy"]["passive_gold_per_s"] / TPS
    n0 = int(unit(st, ce)["next_attack"])

    def probe(st):
        return float(leader(st, CELSUS)["gold"]), float(unit(st, ce)["gold_mult"]), int(unit(st, ce)["next_attack"])

    evs, smp = run(st, 150, probe)
    (t1,) = changes([x[2] for x in smp], n0)  # one attack: the creep dies
    assert [e["tick"] for e in casts(evs, L.SK_GREEDY_TOUCH, ce)] == [t1]
    (k,) = kills(evs)
    assert (k["a"], k["c"]) == (c, CELSUS)
    mult, d = SK["GreedyTouch"]["value"], dur("GreedyTouch")
    gain = smp[k["tick"]][0] - smp[k["tick"] - 1][0]
    assert gain == pytest.approx(mult * (RULES["economy"]["bounty_creep"] + per_tick), abs=1e-3)
    assert {x[1] for x in smp[t1 + 1 : t1 + d]} == {mult}
    assert smp[t1 + d][1] == 1.0
    assert smp[60][0] - smp[40][0] == pytest.approx(20 * mult * per_tick, abs=1e-3)
    assert smp[140][0] - smp[120][0] == pytest.approx(20 * per_tick, abs=1e-3)
    # cooldown: attacks again from tick 150 on; the cast waits for the first attack at or after t1 + 200
    c2 = creep(st, BLUE, 27, health=BIG)
    n0 = int(unit(st, ce)["next_attack"])
    evs, smp = run(st, 80, lambda st: int(unit(st, ce)["next_attack"]))
    attacks = [150 + i for i in changes(smp, n0)]
    ready = t1 + cd("GreedyTouch")
    assert attacks[0] < ready
    assert [e["tick"] for e in casts(evs, L.SK_GREEDY_TOUCH, ce)] == [min(t for t in attacks if t >= ready)]
    assert hp(st, c2) < BIG


def test_air_corrosion_halves_defense_of_all_enemies_within_4(fast_world):
    st = sandbox(fast_world, [CELSUS, ROLLO])
    ce = put(st, CELSUS, 22, attacks=False)
    r = put(st, ROLLO, 24, attacks=False)  # 2 tiles
    near = creep(st, BLUE, 26)  # 4 tiles
    far = creep(st, BLUE, 27)  # 5 tiles
    defs = [float(unit(st, s)["dfn"]) for s in (r, near, far)]
    evs, smp = run(st, 210, lambda st: tuple(float(unit(st, s)["dfn"]) for s in (r, near, far)))
    t1 = 2
    ac = casts(evs, L.SK_AIR_CORROSION, ce)
    assert [e["tick"] for e in ac] == [t1, t1 + cd("AirCorrosion")]
    assert ac[0]["d"] == 2  # two enemies affected
    f, d = SK["AirCorrosion"]["value"], dur("AirCorrosion")
    halved = (defs[0] * f, defs[1] * f, defs[2])
    assert smp[t1] == tuple(defs)
    assert set(smp[t1 + 1 : t1 + d]) == {halved}
    assert set(smp[t1 + d : t1 + cd("AirCorrosion") + 1]) == {tuple(defs)}
    assert smp[t1 + cd("AirCorrosion") + 1] == halved


# ---------------------------------------------------------------------------- Erno
def _steal_scene(world, seed, victim=ROLLO):
    st = sandbox(world, [ERNO, victim], seed=seed)
    e = put(st, ERNO, 22, attacks=False)
    mute(st, ERNO, 1)  # no Telekinesis
    put(st, victim, 24, attacks=False)
    evs, _ = run(st, 4)
    return st, e, evs


def test_spell_steal_copies_a_skill_of_the_nearest_enemy_leader_chosen_by_rng(fast_world):
    rollo_skills = {L.SK_DOUBLE_DAMAGE, L.SK_CLEAVE}
    picks = set()
    for seed in range(12):
        st, e, evs = _steal_scene(fast_world, seed)
        (ss,) = casts(evs, L.SK_SPELL_STEAL, e)
        assert ss["tick"] == 1 and ss["c"] == leader_slot(ROLLO)  # leader 7 checks on ticks 1, 5, ...
        ld = leader(st, ERNO)
        assert int(ld["skills"][2]) == ss["d"] and ss["d"] in rollo_skills
        assert (int(ld["skills"][0]), int(ld["skills"][1])) == (L.SK_SPELL_STEAL, L.SK_TELEKINESIS)
        assert {
            int(leader(st, ROLLO)["skills"][0]),
            int(leader(st, ROLLO)["skills"][1]),
        } == rollo_skills  # copied, not taken
        picks.add(ss["d"])
    assert picks == rollo_skills


def test_spell_steal_out_of_range_does_nothing(fast_world):
    st = sandbox(fast_world, [ERNO, ROLLO])
    e = put(st, ERNO, 20, attacks=False)
    put(st, ROLLO, 26, attacks=False)  # 6 tiles > 5
    evs, _ = run(st, 40)
    assert casts(evs, L.SK_SPELL_STEAL, e) == [] and int(leader(st, ERNO)["skills"][2]) == -1


def test_stolen_skill_works(fast_world):
    seed = next(
        s for s in range(40) if int(leader(_steal_scene(fast_world, s)[0], ERNO)["skills"][2]) == L.SK_DOUBLE_DAMAGE
    )
    st, e, _ = _steal_scene(fast_world, seed)
    keep_only(st, [e])  # the victim leaves
    set_field(st, e, base_as=10.0, dirty=1)  # Erno attacks from now on
    c = creep(st, BLUE, 25, health=BIG)
    evs, hps = run(st, 130, lambda st: hp(st, c))
    base = float(unit(st, e)["atk"]) - float(unit(st, c)["dfn"])
    got = [round(a, 3) for _, a in drops(hps, BIG)]
    assert got[:6] == [base, base, 2 * base] * 2
    assert len(casts(evs, L.SK_DOUBLE_DAMAGE, e)) == 2


def test_spell_steal_once_per_life_and_cleared_on_death(fast_world):
    st = sandbox(fast_world, [ERNO, ROLLO, VESNA])
    e = put(st, ERNO, 22, attacks=False)
    mute(st, ERNO, 1)  # no Telekinesis
    put(st, ROLLO, 24, attacks=False)
    vs = put(st, VESNA, 15, 25, attacks=False)  # 7.1 tiles: out of reach for now
    mute(st, VESNA, 1)
    evs, _ = run(st, 4)
    (ss,) = casts(evs, L.SK_SPELL_STEAL, e)
    stolen = int(leader(st, ERNO)["skills"][2])
    assert ss["c"] == leader_slot(ROLLO) and stolen in (L.SK_DOUBLE_DAMAGE, L.SK_CLEAVE)
    # a nearer enemy leader does not give a second skill in the same life
    place(st, vs, 23, Y)
    evs, _ = run(st, 40)
    assert casts(evs, L.SK_SPELL_STEAL) == [] and int(leader(st, ERNO)["skills"][2]) == stolen
    # death clears it
    set_field(st, e, hp=0.0)
    run(st, 1)
    assert int(leader(st, ERNO)["skills"][2]) == -1 and int(leader(st, ERNO)["stolen_life"]) == 0
    evs, _ = run(st, 200)
    assert [x for x in evs if x["kind"] == "respawn" and x["a"] == ERNO]
    assert int(leader(st, ERNO)["skills"][2]) == -1  # nobody near the core
    # a new life, a new steal: Vesna is the nearest enemy leader now
    put(st, ERNO, 22, attacks=False)
    mute(st, ERNO, 1)  # cooldowns restart at respawn
    evs, _ = run(st, 8)
    (ss,) = casts(evs, L.SK_SPELL_STEAL, e)
    assert ss["c"] == vs and int(leader(st, ERNO)["skills"][2]) in (L.SK_ATTACK_SPEED_INCREASE, L.SK_SLOW_AOE)


def test_telekinesis_pulls_nearest_onto_second_nearest_and_stuns_around_it(fast_world):
    st = sandbox(fast_world, [ERNO])
    e = put(st, ERNO, 20, attacks=False)
    a = creep(st, BLUE, 22, attacks=True, rooted=False)  # 2 tiles: nearest
    b = creep(st, BLUE, 24, attacks=True, rooted=False)  # 4 tiles: 2nd nearest
    d = creep(st, BLUE, 25, 25, attacks=True, rooted=False)  # 1.4 from b, 5.1 from Erno
    far = creep(st, BLUE, 27, attacks=True)  # 3 from b: not stunned (rooted so it stays out of reach)
    ally = creep(st, RED, 24, 23, health=BIG)  # next to b: what the stunned creeps would hit
    for s in (a, b, d, far):
        set_field(st, s, next_attack=5)

    def probe(st):
        return tuple((int(unit(st, s)["x"]), int(unit(st, s)["y"])) for s in (a, b, d)), hp(st, ally)

    evs, smp = run(st, 250, probe)
    t1, stun = 1, dur("Telekinesis")
    tk = casts(evs, L.SK_TELEKINESIS, e)
    assert [x["tick"] for x in tk] == [t1, t1 + cd("Telekinesis")]
    assert (tk[0]["c"], tk[0]["d"]) == (a, b)
    assert smp[t1][0] == ((24, Y), (24, Y), (25, 25))  # a landed on b
    assert {s[0] for s in smp[t1 : t1 + stun]} == {((24, Y), (24, Y), (25, 25))}  # no movement
    assert {s[1] for s in smp[: t1 + stun]} == {BIG}  # and no attacks while stunned
    assert smp[t1 + stun + 2][1] < BIG  # then they hit the ally
    assert int(unit(st, far)["stun_until"]) == 0 and int(unit(st, ally)["stun_until"]) == 0


def test_telekinesis_needs_two_enemies_within_5(fast_world):
    st = sandbox(fast_world, [ERNO])
    e = put(st, ERNO, 20, attacks=False)
    creep(st, BLUE, 22)
    creep(st, BLUE, 26)  # 6 tiles
    evs, _ = run(st, 40)
    assert casts(evs, L.SK_TELEKINESIS, e) == []


# ---------------------------------------------------------------------------- SoulsCollector
def test_steal_soul_souls_on_leader_kills_attack_per_soul_cap_and_half_lost_on_death(fast_world):
    st = sandbox(fast_world, [SOULS, ROLLO, VESNA])
    sc = put(st, SOULS, 22)
    mute(st, SOULS, 1)
    leader(st, SOULS)["build_next"] = 4  # buys nothing at the core after respawning
    r = put(st, ROLLO, 25, attacks=False)
    set_field(st, r, hp=30.0)
    ves = put(st, VESNA, 15, 25, attacks=False)  # out of sight for now
    atk0 = float(unit(st, sc)["atk"])
    per = SK["StealSoul"]["value"]
    evs, _ = run(st, 12)
    (k,) = kills(evs)
    assert (k["a"], k["c"]) == (r, SOULS)
    assert int(leader(st, SOULS)["souls"]) == 1 and float(unit(st, sc)["atk"]) == atk0 + per
    # at the cap a kill adds nothing
    cap = SK["StealSoul"]["max"]
    leader(st, SOULS)["souls"] = cap
    set_field(st, sc, dirty=1)
    run(st, 1)
    assert float(unit(st, sc)["atk"]) == atk0 + cap * per
    place(st, ves, 25, Y)
    set_field(st, ves, hp=30.0)
    evs, _ = run(st, 12)
    assert [x["a"] for x in kills(evs)] == [ves]
    assert int(leader(st, SOULS)["souls"]) == cap and float(unit(st, sc)["atk"]) == atk0 + cap * per
    set_field(st, ves, hp=0.0)
    # death: half the souls are lost
    set_field(st, sc, hp=0.0)
    run(st, 1)
    assert int(leader(st, SOULS)["souls"]) == cap // 2
    evs, _ = run(st, 120)
    assert [x for x in evs if x["kind"] == "respawn" and x["a"] == SOULS]
    assert float(unit(st, sc)["atk"]) == atk0 + (cap // 2) * per


def test_steal_soul_counts_only_this_leaders_kills(fast_world):
    st = sandbox(fast_world, [SOULS, CELSUS, ROLLO])
    put(st, SOULS, 18, attacks=False)
    mute(st, SOULS, 1)
    put(st, CELSUS, 22)
    mute(st, CELSUS, 1)
    r = put(st, ROLLO, 25, attacks=False)  # 7 tiles from SoulsCollector
    set_field(st, r, hp=30.0)
    evs, _ = run(st, 12)
    assert [(x["a"], x["c"]) for x in kills(evs)] == [(r, CELSUS)]
    assert int(leader(st, SOULS)["souls"]) == 0


def test_dark_presence_halves_defense_within_4_and_ends_on_leaving(fast_world):
    st = sandbox(fast_world, [SOULS, ROLLO])
    put(st, SOULS, 22, attacks=False)
    r = put(st, ROLLO, 26, attacks=False)  # 4 tiles
    far = creep(st, BLUE, 27)  # 5 tiles
    d_r, d_far = float(unit(st, r)["dfn"]), float(unit(st, far)["dfn"])
    f = SK["DarkPresence"]["value"]
    _, smp = run(st, 60, lambda st: (float(unit(st, r)["dfn"]), float(unit(st, far)["dfn"])))
    assert set(smp[1:]) == {(d_r * f, d_far)}  # leader 8 checks on ticks 0, 4, ...: on from tick 1, no gap
    place(st, r, 28, Y)  # out of the aura
    _, smp = run(st, 20, lambda st: float(unit(st, r)["dfn"]))
    assert smp[-1] == d_r and smp.index(d_r) <= 8


@pytest.mark.parametrize("ai_interval", [1, 4, 10, 25])
def test_dark_presence_has_no_gap_at_any_ai_interval(content, ai_interval):
    """The aura is refreshed on each of the caster's checks (every ai_interval ticks): it must last until
    the next one (it used to last a fixed 6 ticks, so at ai_interval 10 it was off 4 ticks in 10)."""
    w = build_world(content, SimConfig(), Params(latency_s=0, apm=0, micro=True, ai_interval=ai_interval))
    st = sandbox(w, [SOULS, ROLLO])
    put(st, SOULS, 22, attacks=False)
    r = put(st, ROLLO, 26, attacks=False)  # 4 tiles
    d_r, f = float(unit(st, r)["dfn"]), SK["DarkPresence"]["value"]
    _, smp = run(st, 3 * ai_interval + 20, lambda st: float(unit(st, r)["dfn"]))
    first = smp.index(d_r * f)
    assert first <= ai_interval  # the caster had its check
    assert set(smp[first:]) == {d_r * f}, f"gaps: {[t for t in range(first, len(smp)) if smp[t] != d_r * f]}"


def test_dark_presence_two_sources_do_not_stack(fast_world):
    st = sandbox(fast_world, [SOULS, ERNO, ROLLO])
    sc = put(st, SOULS, 22, attacks=False)
    put(st, ERNO, 26, attacks=False)
    mute(st, ERNO, 1)
    leader(st, ERNO)["skills"][2] = L.SK_DARK_PRESENCE  # as if stolen: a second source of the same aura
    leader(st, ERNO)["stolen_life"] = 1
    r = put(st, ROLLO, 24, attacks=False)  # 2 tiles from both
    mute(st, ROLLO, 1)
    d_r, f = float(unit(st, r)["dfn"]), SK["DarkPresence"]["value"]
    _, smp = run(st, 40, lambda st: float(unit(st, r)["dfn"]))
    assert set(smp[2:]) == {d_r * f}
    # one source leaves: the other keeps the aura up
    set_field(st, sc, hp=0.0)
    _, smp = run(st, 40, lambda st: float(unit(st, r)["dfn"]))
    assert set(smp[2:]) == {d_r * f}


# ---------------------------------------------------------------------------- Bristle
def test_thorn_volley_hits_enemies_within_3_when_damaged_with_cooldown(fast_world):
    st = sandbox(fast_world, [BRISTLE])
    br = put(st, BRISTLE, 22, attacks=False)
    hitter = creep(st, BLUE, 23, health=BIG, attacks=True)
    inside = creep(st, BLUE, 25, health=BIG)  # 3 tiles
    outside = creep(st, BLUE, 26, health=BIG)  # 4 tiles
    evs, smp = run(st, 200, lambda st: (int(leader(st, BRISTLE)["recv_hits"]), hp(st, inside)))
    hit_ticks = [t for t in range(len(smp)) if smp[t][0] > (smp[t - 1][0] if t else 0)]
    want, ready = [], 0
    for t in hit_ticks:
        if t >= ready:
            want.append(t)
            ready = t + cd("ThornVolley")
    assert len(hit_ticks) == 10 and len(want) == 5  # one attack a second, cooldown 2 s
    assert [e["tick"] for e in casts(evs, L.SK_THORN_VOLLEY, br)] == want
    dmg = SK["ThornVolley"]["damage"]
    assert drops([h for _, h in smp], BIG) == [(t, dmg) for t in want]
    assert hp(st, hitter) == BIG - 5 * dmg
    assert hp(st, outside) == BIG


def test_leader_killed_by_thorns_is_credited_even_if_bristle_dies_from_the_same_hit(fast_world):
    st = sandbox(fast_world, [ROLLO, BRISTLE])
    br = put(st, BRISTLE, 22, attacks=False)
    r = put(st, ROLLO, 23)
    set_field(st, r, hp=20.0)
    set_field(st, br, hp=40.0)  # Rollo's hit (47) kills Bristle, whose thorns (30) still kill Rollo
    g_br, g_r = float(leader(st, BRISTLE)["gold"]), float(leader(st, ROLLO)["gold"])
    evs, _ = run(st, 1)
    got = {(k["a"], k["b"], k["c"]) for k in kills(evs)}
    assert got == {(r, br, BRISTLE), (br, r, ROLLO)}
    bounty = RULES["economy"]["bounty_leader"] + RULES["economy"]["passive_gold_per_s"] / TPS
    assert float(leader(st, BRISTLE)["gold"]) - g_br == pytest.approx(bounty, abs=1e-3)
    assert float(leader(st, ROLLO)["gold"]) - g_r == pytest.approx(bounty, abs=1e-3)
    assert int(leader(st, BRISTLE)["kills"]) == 1 and int(leader(st, ROLLO)["kills"]) == 1
    assert not unit(st, r)["alive"] and not unit(st, br)["alive"]


def test_back_endurance_defense_per_10_hits_capped_and_reset_on_death(fast_world):
    st = sandbox(fast_world, [BRISTLE])
    br = put(st, BRISTLE, 22, attacks=False)
    mute(st, BRISTLE, 0)  # no thorns
    leader(st, BRISTLE)["build_next"] = 4  # buys nothing at the core after respawning
    tank(st, br)
    d0 = float(unit(st, br)["dfn"])
    ring = ((-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1))
    cs = [creep(st, BLUE, 22 + dx, Y + dy, health=BIG, attacks=True) for dx, dy in ring]
    c_atk = float(unit(st, cs[0])["atk"])
    per, cap = SK["BackEndurance"]["count"], SK["BackEndurance"]["max"]

    def probe(st):
        return int(leader(st, BRISTLE)["recv_hits"]), int(leader(st, BRISTLE)["back_def"]), float(unit(st, br)["dfn"])

    _, smp = run(st, 400, probe)
    for t in range(1, len(smp)):
        hits, bd, _ = smp[t]
        assert bd == min(cap, hits // per)
        assert smp[t][2] == d0 + smp[t - 1][1]  # the defense follows one tick later
    assert smp[-1][0] > (cap + 2) * per and smp[-1][1] == cap
    # the damage per hit shrinks with it: 8 creeps hit once a second each
    h0 = hp(st, br)
    run(st, 20)
    assert h0 - hp(st, br) == 8 * max(1.0, c_atk - (d0 + cap))
    set_field(st, br, hp=0.0)
    run(st, 1)
    assert (int(leader(st, BRISTLE)["back_def"]), int(leader(st, BRISTLE)["recv_hits"])) == (0, 0)
    evs, _ = run(st, 120)
    assert [x for x in evs if x["kind"] == "respawn" and x["a"] == BRISTLE]
    assert float(unit(st, br)["dfn"]) == d0


def test_skill_damage_triggers_thorns_and_the_kill_is_credited(fast_world):
    st = sandbox(fast_world, [ROLLO, BRISTLE])
    r = put(st, ROLLO, 22, attacks=False)
    set_field(st, r, hp=20.0)
    br = put(st, BRISTLE, 23, attacks=False)
    creep(st, RED, 25)
    creep(st, RED, 20)
    g_br = float(leader(st, BRISTLE)["gold"])
    evs, _ = run(st, 1)  # Rollo's Cleave hits Bristle, Bristle's thorns kill Rollo
    assert [e["a"] for e in casts(evs, L.SK_CLEAVE)] == [r]
    assert [e["a"] for e in casts(evs, L.SK_THORN_VOLLEY)] == [br]
    assert [(k["a"], k["b"], k["c"]) for k in kills(evs)] == [(r, br, BRISTLE)]
    assert hp(st, br) == float(unit(st, br)["max_hp"]) - SK["Cleave"]["damage"]
    bounty = RULES["economy"]["bounty_leader"] + RULES["economy"]["passive_gold_per_s"] / TPS
    assert float(leader(st, BRISTLE)["gold"]) - g_br == pytest.approx(bounty, abs=1e-3)


def test_reflected_damage_triggers_thorns(fast_world):
    draft = [5, 1, 2, 3, 4, 0, 6, 7, 8, 9]  # Chiron plays blue leader 0, Rollo red leader 5
    st = sandbox(fast_world, [0, BRISTLE], draft=draft)
    ch = put(st, 0, 22, attacks=False)
    tank(st, ch)
    br = put(st, BRISTLE, 23)
    tank(st, br)
    evs, _ = run(st, 4)  # Bristle hits Chiron once; 30% comes back
    hit = float(unit(st, br)["atk"]) - float(unit(st, ch)["dfn"])
    assert hp(st, br) == pytest.approx(BIG - hit * SK["ReturnDamage"]["value"])
    assert [e["a"] for e in casts(evs, L.SK_THORN_VOLLEY)] == [br]
    assert hp(st, ch) == pytest.approx(BIG - hit - SK["ThornVolley"]["damage"])
