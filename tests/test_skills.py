"""Scenario tests of the twenty leader skills (docs/design.md section 5).

Each test builds a tiny hand-made situation on the middle crossing of the map (row 24, x 15..30: far
from every tower), changes one thing, steps the real simulation and checks the skill's effect with
the numbers of ``content/skills.toml`` (read here straight from the file, not through the loader).
Balance numbers (radii, cooldowns, durations, damage, counts, caps, attack speeds, bounties) are never
written into a test: places, run lengths and expected values are derived from them, so retuning the
content does not break these tests while changing a rule does. A test that checks a skill is *not* cast
also flips the one condition under test and checks that the same leader then casts it.

Conventions: ``run`` steps one tick at a time; ``samples[i]`` is the state after tick ``t0 + i``.
A stat changed by an effector shows from the tick after the cast (stats refresh at the start of a
tick) until the tick before ``cast + duration``. Leaders check their auto-cast skills every ``EVERY``
(the AI interval) ticks, leader ``li`` on the ticks where ``(t + li % 5) % EVERY == 0`` (:func:`first_check`).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

import shotcaller.content
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from shotcaller.sim.skills import BATTLE_CALL_RADIUS
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
RING = ((-1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1), (1, 0))  # neighbours, (1, 0) last
EVERY = Params().ai_interval  # ticks between a leader's skill checks (fast_world keeps the default)


def ticks(seconds: float) -> int:
    return round(seconds * TPS)


def cd(skill: str) -> int:
    return ticks(SK[skill]["cooldown_s"])


def dur(skill: str) -> int:
    return ticks(SK[skill]["duration_s"])


def interval(aspd: float) -> int:
    """Ticks between attacks at attack speed ``aspd`` (docs/rules.md: max(1, round(10 s x tps / AttackSpeed)))."""
    return max(1, int(10.0 * TPS / aspd + 0.5))


def first_check(li: int, t: int = 0) -> int:
    """The first tick at or after ``t`` on which leader ``li`` checks its skills (leader i of either team
    checks on the same ticks)."""
    return t + (-(t + li % 5)) % EVERY


def reach(skill: str, key: str = "radius") -> int:
    """The farthest whole number of tiles along a row still within ``skill``'s radius (or ``key``)."""
    return math.floor(SK[skill][key])


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


def same(values, x) -> bool:
    """Every value equals ``x`` to float32 precision (the state is float32; content factors need not be
    exact binary fractions)."""
    values = list(values)
    return bool(values) and all(v == pytest.approx(x, rel=1e-6) for v in values)


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
def test_double_damage_every_nth_attack_deals_more(fast_world):
    st = sandbox(fast_world, [ROLLO])
    r = put(st, ROLLO, 22)
    c = creep(st, RED, 23, health=BIG)
    base = float(unit(st, r)["atk"]) - float(unit(st, c)["dfn"])
    every, mult = SK["DoubleDamage"]["count"], SK["DoubleDamage"]["value"]
    evs, hps = run(st, (2 * every + 1) * interval(float(unit(st, r)["aspd"])) + 10, lambda s: hp(s, c))
    got = [a for _, a in drops(hps, BIG)]
    assert len(got) > 2 * every
    assert got == pytest.approx([base * (mult if (k + 1) % every == 0 else 1.0) for k in range(len(got))], abs=0.02)
    assert len(casts(evs, L.SK_DOUBLE_DAMAGE, r)) == len(got) // every


def test_cleave_needs_enough_enemies_hits_all_within_radius_and_has_cooldown(fast_world):
    st = sandbox(fast_world, [ROLLO])
    x0, r, need = 22, reach("Cleave"), int(SK["Cleave"]["count"])
    rl = put(st, ROLLO, x0, attacks=False)
    near = [creep(st, RED, x0 - 1 - k, health=BIG) for k in range(need - 1)]  # one enemy too few
    far = creep(st, RED, x0 + r + 1, health=BIG)  # one tile beyond the radius
    t1 = 6 * EVERY  # a check of Rollo (leader 0)
    evs, _ = run(st, t1)
    assert casts(evs, L.SK_CLEAVE) == []  # not enough enemies within the radius
    assert [hp(st, c) for c in near] == [BIG] * (need - 1)
    near.append(creep(st, RED, x0 + r, health=BIG))  # exactly on the radius: within
    evs, _ = run(st, 1)
    assert [e["tick"] for e in casts(evs, L.SK_CLEAVE, rl)] == [t1]
    dmg = SK["Cleave"]["damage"]
    assert [hp(st, c) for c in near] == [BIG - dmg] * need
    assert hp(st, far) == BIG
    t2 = first_check(ROLLO, t1 + cd("Cleave"))
    evs, _ = run(st, t2 - t1 + EVERY)
    assert [e["tick"] for e in casts(evs, L.SK_CLEAVE, rl)] == [t2]
    assert [hp(st, c) for c in near] == [BIG - 2 * dmg] * need
    assert hp(st, far) == BIG


# ---------------------------------------------------------------------------- Vesna
def test_attack_speed_increase_stacks_on_same_target_up_to_cap_and_resets(fast_world):
    st = sandbox(fast_world, [VESNA])
    v = put(st, VESNA, 20)
    c = creep(st, RED, 23, health=BIG)
    base_as = float(unit(st, v)["base_as"])
    step, cap = SK["AttackSpeedIncrease"]["value"], SK["AttackSpeedIncrease"]["max"]
    n_cap = math.ceil(cap / step - 1e-9)  # attacks until the cap
    n = sum(interval(base_as * (1 + min(k * step, cap))) for k in range(n_cap + 5)) + 20
    n0 = int(unit(st, v)["next_attack"])
    _, smp = run(st, n, lambda s: (int(unit(s, v)["next_attack"]), float(unit(s, v)["aspd"])))
    attacks = changes([n for n, _ in smp], n0)
    aspd_after = [round(smp[t + 1][1], 4) for t in attacks[:-1]]
    want = [round(base_as * (1 + min(k * step, cap)), 4) for k in range(len(aspd_after))]
    assert len(aspd_after) > n_cap + 2 and aspd_after == want
    assert max(a for _, a in smp) == pytest.approx(base_as * (1 + cap))  # the cap and not more
    intervals = [b - a for a, b in zip(attacks, attacks[1:], strict=False)]
    slowest, fastest = interval(base_as), interval(base_as * (1 + cap))
    assert intervals[0] == slowest and intervals[-3:] == [fastest] * 3
    assert all(b <= a for a, b in zip(intervals, intervals[1:], strict=False))
    # a new target starts over
    set_field(st, c, hp=0.0)
    c2 = creep(st, RED, 23, health=BIG)
    n0 = int(unit(st, v)["next_attack"])
    _, smp = run(st, 2 * slowest + 20, lambda s: (int(unit(s, v)["next_attack"]), float(unit(s, v)["aspd"])))
    first, second = changes([n for n, _ in smp], n0)[:2]
    assert smp[first + 1][1] == pytest.approx(base_as)
    assert smp[second + 1][1] == pytest.approx(base_as * (1 + step))
    assert hp(st, c2) < BIG  # those attacks were on the new target


def test_slow_aoe_damages_and_slows_each_enemy_within_its_radius(fast_world):
    st = sandbox(fast_world, [VESNA])
    x0, r, need = 20, reach("SlowAOE"), int(SK["SlowAOE"]["count"])
    assert need - 1 < r  # the scene fits: one creep per tile, the last one on the radius
    v = put(st, VESNA, x0, attacks=False)
    inside = [creep(st, RED, x0 + 1 + k, health=BIG) for k in range(need - 1)] + [creep(st, RED, x0 + r, health=BIG)]
    outside = creep(st, RED, x0 + r + 1, health=BIG)
    refill = float(unit(st, outside)["refill"])
    t1 = first_check(VESNA)
    t2 = first_check(VESNA, t1 + cd("SlowAOE"))
    probe = lambda s: [(hp(s, c), float(unit(s, c)["refill"])) for c in [*inside, outside]]  # noqa: E731
    evs, smp = run(st, t2 + EVERY, probe)
    assert [e["tick"] for e in casts(evs, L.SK_SLOW_AOE, v)] == [t1, t2]
    dmg, slow, d = SK["SlowAOE"]["damage"], SK["SlowAOE"]["value"], dur("SlowAOE")
    for k in range(need):
        if t1:
            assert smp[t1 - 1][k] == (BIG, refill)
        assert smp[t1][k][0] == BIG - dmg
        assert same([smp[t][k][1] for t in range(t1 + 1, t1 + d)], refill * slow)
        assert smp[t1 + d][k][1] == refill
        assert smp[-1][k][0] == BIG - 2 * dmg
    assert {s[need] for s in smp} == {(BIG, refill)}


# ---------------------------------------------------------------------------- Sylvan
def test_nature_summon_one_treant_per_cooldown_up_to_the_cap(fast_world):
    st = sandbox(fast_world, [SYLVAN])
    s = put(st, SYLVAN, 22)
    own = range(L.SLOT_SUMMON0 + 3 * SYLVAN, L.SLOT_SUMMON0 + 3 * SYLVAN + 3)
    cap = int(SK["NatureSummon"]["max"])
    assert cap <= len(own)

    def alive(st):
        return [k for k in own if unit(st, k)["alive"]]

    every = cd("NatureSummon")
    t1 = first_check(SYLVAN)
    rhythm = [t1]  # a check at or after the previous summon + the cooldown
    for _ in range(cap):
        rhythm.append(first_check(SYLVAN, rhythm[-1] + every))
    evs, smp = run(st, rhythm[cap - 1] + every // 2, lambda st: len(alive(st)))
    assert [e["tick"] for e in casts(evs, L.SK_NATURE_SUMMON, s)] == rhythm[:cap]
    assert [smp[t] for t in rhythm[:cap]] == list(range(1, cap + 1)) and (t1 == 0 or smp[t1 - 1] == 0)
    for k in alive(st):
        u = unit(st, k)
        assert (int(u["kind"]), int(u["team"]), int(u["owner"])) == (L.K_TREANT, BLUE, SYLVAN)
        assert (float(u["max_hp"]), float(u["atk"])) == (UNITS["treant"]["health"], UNITS["treant"]["attack"])
    # one dies before the next is due: the next comes on the rhythm, not before
    set_field(st, alive(st)[0], hp=0.0)
    t0 = now(st)
    evs, smp = run(st, rhythm[cap] - t0 + EVERY, lambda st: len(alive(st)))
    assert [e["tick"] for e in casts(evs, L.SK_NATURE_SUMMON, s)] == [rhythm[cap]]
    assert smp[0] == cap - 1 and smp[-1] == cap
    # at the cap, the check one cooldown later summons nothing
    t0 = now(st)
    evs, smp = run(st, first_check(SYLVAN, rhythm[cap] + every) - t0 + EVERY, lambda st: len(alive(st)))
    assert casts(evs, L.SK_NATURE_SUMMON, s) == [] and set(smp) == {cap}
    # control: below the cap it would have summoned at that check
    set_field(st, alive(st)[0], hp=0.0)
    evs, _ = run(st, EVERY + 1)
    assert len(casts(evs, L.SK_NATURE_SUMMON, s)) == 1


def test_root_roots_the_closest_enemy_for_its_duration_with_cooldown(fast_world):
    st = sandbox(fast_world, [SYLVAN])
    x0, r = 22, reach("Root")
    s = put(st, SYLVAN, x0, attacks=False)
    leader(st, SYLVAN)["summon_ready"] = NEVER  # no treants in this scene
    a = creep(st, RED, x0 + r - 1, rooted=False)  # the closest
    b = creep(st, RED, x0 + r, rooted=False)  # on the radius
    t1, d = first_check(SYLVAN), dur("Root")
    t2 = first_check(SYLVAN, t1 + cd("Root"))
    evs, smp = run(st, t2 + 1, lambda st: (int(unit(st, a)["x"]), int(unit(st, b)["x"])))
    rc = casts(evs, L.SK_ROOT, s)
    assert [e["tick"] for e in rc] == [t1, t2]
    assert rc[0]["c"] == a
    held = smp[t1][0]  # where the root caught it (it may have stepped before the first check)
    assert {x for x, _ in smp[t1 : t1 + d]} == {held}  # rooted through tick t1 + d - 1
    assert smp[t1 + d - 1][1] < x0 + r  # while the other one walked
    assert min(x for x, _ in smp[t1 + d : t2]) < held  # and walks again afterwards


@pytest.mark.parametrize(
    "who, name, skill_id",
    [
        (SYLVAN, "Root", L.SK_ROOT),
        (BRAKKA, "BattleHunger", L.SK_BATTLE_HUNGER),
        (CELSUS, "AirCorrosion", L.SK_AIR_CORROSION),
    ],
)
def test_targeted_skills_need_an_enemy_within_their_radius(fast_world, who, name, skill_id):
    st = sandbox(fast_world, [who])
    x0 = 22
    s = put(st, who, x0, attacks=False)
    leader(st, who)["summon_ready"] = NEVER  # no treants for Sylvan (unused by the others)
    foe = RED if who < 5 else BLUE
    c = creep(st, foe, x0 + reach(name) + 1, health=BIG)  # one tile beyond the radius
    evs, _ = run(st, 10 * EVERY)  # ten checks of the caster
    assert casts(evs, skill_id, s) == []
    assert hp(st, c) == BIG
    # control: the same creep one tile nearer (on the radius) is taken at the caster's next check
    place(st, c, x0 + reach(name), Y)
    evs, _ = run(st, EVERY)
    assert [e["c"] for e in casts(evs, skill_id, s)] == [c]


def test_root_does_not_stop_attacks(fast_world):
    st = sandbox(fast_world, [SYLVAN])
    s = put(st, SYLVAN, 22, attacks=False)
    leader(st, SYLVAN)["summon_ready"] = NEVER
    tank(st, s)
    c = creep(st, RED, 23, attacks=True, rooted=False)
    every = interval(float(unit(st, c)["aspd"]))
    evs, hps = run(st, 2 * every + 5, lambda st: hp(st, s))
    assert casts(evs, L.SK_ROOT, s)[0]["c"] == c
    assert int(unit(st, c)["root_until"]) == first_check(SYLVAN) + dur("Root")
    dmg = float(unit(st, c)["atk"]) - float(unit(st, s)["dfn"])
    got = drops(hps, BIG)
    assert [round(a, 3) for _, a in got] == [dmg] * 3  # ticks 0, every, 2 * every: rooted or not
    assert got[0][0] < int(unit(st, c)["root_until"])  # at least one of them while rooted


# ---------------------------------------------------------------------------- Raja
def test_elephant_summon_one_companion_resummoned_a_cooldown_after_death(fast_world):
    st = sandbox(fast_world, [RAJA])
    r = put(st, RAJA, 22)
    own = range(L.SLOT_SUMMON0 + 3 * RAJA, L.SLOT_SUMMON0 + 3 * RAJA + 3)

    def elephants(st):
        return [k for k in own if unit(st, k)["alive"] and unit(st, k)["kind"] == L.K_ELEPHANT]

    evs, _ = run(st, 50 * EVERY)
    assert [e["tick"] for e in casts(evs, L.SK_ELEPHANT_SUMMON, r)] == [first_check(RAJA)]  # one, not one a check
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
    evs, _ = run(st, EVERY)
    (again,) = casts(evs, L.SK_ELEPHANT_SUMMON, r)
    assert died + wait <= again["tick"] < died + wait + EVERY
    assert len(elephants(st)) == 1


def test_savagery_gives_raja_and_elephant_attack_speed_for_its_duration(fast_world):
    st = sandbox(fast_world, [RAJA])
    r = put(st, RAJA, 22)
    run(st, first_check(RAJA) + 1)  # the elephant comes first
    (e,) = [k for k in range(L.SLOT_SUMMON0 + 9, L.SLOT_SUMMON0 + 12) if unit(st, k)["alive"]]
    c = creep(st, RED, 23, health=BIG)
    t0 = now(st)
    base = float(unit(st, r)["aspd"])
    assert float(unit(st, e)["aspd"]) == base
    n0 = int(unit(st, r)["next_attack"])

    def probe(st):
        return float(unit(st, r)["aspd"]), float(unit(st, e)["aspd"]), int(unit(st, r)["next_attack"])

    evs, smp = run(st, cd("Savagery") + 3 * interval(base) + 10, probe)
    attacks = changes([x[2] for x in smp], n0)  # Raja's attack ticks (relative to t0)
    sv = [x["tick"] - t0 for x in casts(evs, L.SK_SAVAGERY, r)]
    t1 = attacks[0]
    assert sv[0] == t1  # on Raja's first attack
    bonus, d = SK["Savagery"]["value"], dur("Savagery")
    assert same([x for t in range(t1 + 1, t1 + d) for x in smp[t][:2]], base + bonus)
    assert smp[t1 + d][:2] == (base, base)
    # cooldown: the next cast is Raja's first attack at or after t1 + the cooldown, not the attacks before
    assert sv == [t1, min(t for t in attacks if t >= t1 + cd("Savagery"))]
    assert attacks[1] - attacks[0] < cd("Savagery")
    assert hp(st, c) < BIG


# ---------------------------------------------------------------------------- Brakka
def test_return_aoe_every_nth_attack_received_with_cooldown(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    x0, r = 22, reach("ReturnAOE")
    b = put(st, BRAKKA, x0, attacks=False)
    tank(st, b)
    mute(st, BRAKKA, 1)  # no BattleHunger
    count, wait = int(SK["ReturnAOE"]["count"]), cd("ReturnAOE")
    # enough hitters around Brakka that every nth hit comes sooner than the cooldown (up to the 8 neighbours)
    every = interval(UNITS["creep"]["attack_speed"])
    n_hit = min(8, max(2, count * every // wait + 1))
    hitters = [creep(st, RED, x0 + dx, Y + dy, health=BIG, attacks=True) for dx, dy in RING[:n_hit]]
    inside = [creep(st, RED, x0 + r, health=BIG)] + ([creep(st, RED, x0 + r - 1, health=BIG)] if r > 2 else [])
    outside = creep(st, RED, x0 + r + 1, health=BIG)
    evs, smp = run(st, 3 * wait + 3 * count * every, lambda st: int(leader(st, BRAKKA)["recv_hits"]))
    hits = []  # tick of each attack received, in order
    prev = 0
    for t, n in enumerate(smp):
        hits += [t] * (n - prev)
        prev = n
    # the rule: the k-th attack received with k % count == 0 casts when off cooldown
    triggers = [t for k, t in enumerate(hits, start=1) if k % count == 0]
    want, ready = [], 0
    for t in triggers:
        if t >= ready:
            want.append(t)
            ready = t + wait
    got = [e["tick"] for e in casts(evs, L.SK_RETURN_AOE, b)]
    assert got == want and len(want) >= 2
    assert len(triggers) > len(want), "no trigger fell in the cooldown: the scene does not test it"
    dmg = SK["ReturnAOE"]["damage"]
    for c in inside:
        assert hp(st, c) == BIG - len(want) * dmg
    assert hp(st, outside) == BIG
    for c in hitters:  # 1 tile away: hit too (they never get hit otherwise)
        assert hp(st, c) == BIG - len(want) * dmg


def test_battle_hunger_slows_closest_speeds_caster_with_cooldown(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    x0, r = 22, reach("BattleHunger")
    b = put(st, BRAKKA, x0, attacks=False)
    v = creep(st, RED, x0 + r - 1, health=BIG)  # the closest
    w = creep(st, RED, x0 + r, health=BIG)  # on the radius
    rf_v, rf_b = float(unit(st, v)["refill"]), float(unit(st, b)["refill"])

    def probe(st):
        return float(unit(st, v)["refill"]), float(unit(st, b)["refill"]), hp(st, w), float(unit(st, w)["refill"])

    t1 = first_check(BRAKKA)
    t2 = first_check(BRAKKA, t1 + cd("BattleHunger"))
    evs, smp = run(st, t2 + EVERY, probe)
    bh = casts(evs, L.SK_BATTLE_HUNGER, b)
    assert [e["tick"] for e in bh] == [t1, t2]
    assert bh[0]["c"] == v
    d, slow, fast = dur("BattleHunger"), SK["BattleHunger"]["value"], SK["BattleHunger"]["max"]
    assert same([smp[t][0] for t in range(t1 + 1, t1 + d)], rf_v * slow)
    assert same([smp[t][1] for t in range(t1 + 1, t1 + d)], rf_b * fast)
    assert smp[t1 + d][:2] == (rf_v, rf_b)
    assert {smp[t][2:] for t in range(len(smp))} == {(BIG, float(unit(st, w)["base_refill"]))}


def test_battle_hunger_deals_its_damage_every_tick_for_its_duration(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    put(st, BRAKKA, 22, attacks=False)
    v = creep(st, RED, 22 + reach("BattleHunger"), health=BIG)
    run(st, first_check(BRAKKA) + cd("BattleHunger"))  # up to (not including) the second cast
    total = SK["BattleHunger"]["damage_per_s"] / TPS * dur("BattleHunger")  # per tick, for every tick
    assert BIG - hp(st, v) == pytest.approx(total)
    assert float(leader(st, BRAKKA)["damage"]) == pytest.approx(total)


def test_battle_hunger_kill_is_credited_to_the_caster(fast_world):
    st = sandbox(fast_world, [BRAKKA])
    b = put(st, BRAKKA, 22, attacks=False)
    per_tick = SK["BattleHunger"]["damage_per_s"] / TPS
    assert 11 < dur("BattleHunger")
    v = creep(st, RED, 22 + reach("BattleHunger"), health=10.5 * per_tick)  # dies on the 11th tick of damage
    gold0 = float(leader(st, BRAKKA)["gold"])
    n = first_check(BRAKKA) + 12
    evs, _ = run(st, n)
    (k,) = kills(evs)
    assert (k["a"], k["b"], k["c"]) == (v, b, BRAKKA)
    assert k["tick"] == first_check(BRAKKA) + 10  # the damage starts on the tick of the cast
    passive_gold = n * RULES["economy"]["passive_gold_per_s"] / TPS
    assert float(leader(st, BRAKKA)["gold"]) - gold0 == pytest.approx(
        RULES["economy"]["bounty_creep"] + passive_gold, abs=1e-3
    )


# ---------------------------------------------------------------------------- Chiron
def test_return_damage_reflects_a_share_of_melee_damage_only(fast_world):
    st = sandbox(fast_world, [CHIRON, VESNA])
    x0 = 22
    ch = put(st, CHIRON, x0, attacks=False)
    tank(st, ch)
    ves = put(st, VESNA, x0 + 1)
    mute(st, VESNA, 1)
    place(st, ves, x0 + math.floor(float(unit(st, ves)["attack_range"])), Y)  # ranged, as far as she shoots
    m = creep(st, BLUE, x0 + 1, health=1000.0, attacks=True)  # melee (health small enough for exact float32 drops)
    every = interval(float(unit(st, m)["aspd"]))
    evs, smp = run(st, 4 * every + every // 2, lambda st: (hp(st, ch), hp(st, m)))
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
    hit = float(unit(st, r)["atk"]) - float(unit(st, ch)["dfn"])
    set_field(st, r, hp=0.5 * hit * SK["ReturnDamage"]["value"])  # half of what comes back
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


def test_battle_call_speeds_up_for_its_duration_with_cooldown(fast_world):
    st = sandbox(fast_world, [CHIRON, ROLLO])
    ch = put(st, CHIRON, 22, attacks=False)
    put(st, ROLLO, 22 + math.floor(BATTLE_CALL_RADIUS), attacks=False)  # an enemy leader within the call radius
    rf = float(unit(st, ch)["refill"])
    t1 = first_check(CHIRON)
    t2 = first_check(CHIRON, t1 + cd("BattleCall"))
    evs, smp = run(st, t2 + EVERY, lambda st: float(unit(st, ch)["refill"]))
    assert [e["tick"] for e in casts(evs, L.SK_BATTLE_CALL, ch)] == [t1, t2]
    d = dur("BattleCall")
    assert smp[t1] == rf
    assert same(smp[t1 + 1 : t1 + d], rf * SK["BattleCall"]["value"])
    assert set(smp[t1 + d : t2 + 1]) == {rf}
    assert same([smp[t2 + 1]], rf * SK["BattleCall"]["value"])


# ---------------------------------------------------------------------------- Celsus
def test_greedy_touch_multiplies_gold_gain_for_its_duration_with_cooldown(fast_world):
    st = sandbox(fast_world, [CELSUS])
    x0 = 22
    ce = put(st, CELSUS, x0)
    x = x0 + reach("AirCorrosion") + 1  # out of AirCorrosion's radius, within Celsus's attack range
    assert x - x0 <= float(unit(st, ce)["attack_range"])
    c = creep(st, BLUE, x)
    set_field(st, c, hp=0.5 * (float(unit(st, ce)["atk"]) - float(unit(st, c)["dfn"])))  # one attack kills it
    per_tick = RULES["economy"]["passive_gold_per_s"] / TPS
    n0 = int(unit(st, ce)["next_attack"])
    mult, d, wait = SK["GreedyTouch"]["value"], dur("GreedyTouch"), cd("GreedyTouch")
    every = interval(float(unit(st, ce)["aspd"]))
    n = every + d + 20
    assert n + every < wait  # the second creep below comes while the skill is still on cooldown

    def probe(st):
        return float(leader(st, CELSUS)["gold"]), float(unit(st, ce)["gold_mult"]), int(unit(st, ce)["next_attack"])

    evs, smp = run(st, n, probe)
    (t1,) = changes([x[2] for x in smp], n0)  # one attack: the creep dies
    assert [e["tick"] for e in casts(evs, L.SK_GREEDY_TOUCH, ce)] == [t1]
    (k,) = kills(evs)
    assert (k["a"], k["c"]) == (c, CELSUS)
    gain = smp[k["tick"]][0] - smp[k["tick"] - 1][0]
    assert gain == pytest.approx(mult * (RULES["economy"]["bounty_creep"] + per_tick), abs=1e-3)
    assert {x[1] for x in smp[t1 + 1 : t1 + d]} == {mult}
    assert smp[t1 + d][1] == 1.0
    kt = k["tick"]  # after the projectile's flight
    assert t1 <= kt < t1 + d - 1
    assert smp[t1 + d - 1][0] - smp[kt][0] == pytest.approx((t1 + d - 1 - kt) * mult * per_tick, abs=0.01)
    assert smp[n - 1][0] - smp[t1 + d][0] == pytest.approx((n - 1 - t1 - d) * per_tick, abs=0.01)
    # cooldown: attacks again from tick n on; the cast waits for the first attack at or after t1 + cooldown
    c2 = creep(st, BLUE, x, health=BIG)
    n0 = int(unit(st, ce)["next_attack"])
    evs, smp = run(st, wait - n + t1 + 2 * every, lambda st: int(unit(st, ce)["next_attack"]))
    attacks = [n + i for i in changes(smp, n0)]
    ready = t1 + wait
    assert attacks[0] < ready
    assert [e["tick"] for e in casts(evs, L.SK_GREEDY_TOUCH, ce)] == [min(t for t in attacks if t >= ready)]
    assert hp(st, c2) < BIG


def test_air_corrosion_lowers_defense_of_all_enemies_within_its_radius(fast_world):
    st = sandbox(fast_world, [CELSUS, ROLLO])
    x0, r = 22, reach("AirCorrosion")
    ce = put(st, CELSUS, x0, attacks=False)
    rl = put(st, ROLLO, x0 + 1, attacks=False)
    near = creep(st, BLUE, x0 + r)  # on the radius
    far = creep(st, BLUE, x0 + r + 1)  # one tile beyond
    defs = [float(unit(st, s)["dfn"]) for s in (rl, near, far)]
    t1 = first_check(CELSUS)
    t2 = first_check(CELSUS, t1 + cd("AirCorrosion"))
    evs, smp = run(st, t2 + EVERY, lambda st: tuple(float(unit(st, s)["dfn"]) for s in (rl, near, far)))
    ac = casts(evs, L.SK_AIR_CORROSION, ce)
    assert [e["tick"] for e in ac] == [t1, t2]
    assert ac[0]["d"] == 2  # two enemies affected
    f, d = SK["AirCorrosion"]["value"], dur("AirCorrosion")
    assert smp[t1] == tuple(defs)
    for k, want in enumerate((defs[0] * f, defs[1] * f, defs[2])):
        assert same([x[k] for x in smp[t1 + 1 : t1 + d]], want) and same([smp[t2 + 1][k]], want)
    assert set(smp[t1 + d : t2 + 1]) == {tuple(defs)}


# ---------------------------------------------------------------------------- Erno
def _steal_scene(world, seed, victim=ROLLO):
    st = sandbox(world, [ERNO, victim], seed=seed)
    e = put(st, ERNO, 22, attacks=False)
    mute(st, ERNO, 1)  # no Telekinesis
    put(st, victim, 22 + min(2, reach("SpellSteal")), attacks=False)
    evs, _ = run(st, first_check(ERNO) + 1)
    return st, e, evs


def test_spell_steal_copies_a_skill_of_the_nearest_enemy_leader_chosen_by_rng(fast_world):
    rollo_skills = {L.SK_DOUBLE_DAMAGE, L.SK_CLEAVE}
    picks = set()
    for seed in range(12):
        st, e, evs = _steal_scene(fast_world, seed)
        (ss,) = casts(evs, L.SK_SPELL_STEAL, e)
        assert ss["tick"] == first_check(ERNO) and ss["c"] == leader_slot(ROLLO)
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
    x0 = 20
    e = put(st, ERNO, x0, attacks=False)
    r = put(st, ROLLO, x0 + reach("SpellSteal") + 1, attacks=False)  # one tile beyond the radius
    evs, _ = run(st, 10 * EVERY)
    assert casts(evs, L.SK_SPELL_STEAL, e) == [] and int(leader(st, ERNO)["skills"][2]) == -1
    # control: one tile nearer (on the radius), Erno steals at his next check
    place(st, r, x0 + reach("SpellSteal"), Y)
    evs, _ = run(st, EVERY)
    assert [x["c"] for x in casts(evs, L.SK_SPELL_STEAL, e)] == [r] and int(leader(st, ERNO)["skills"][2]) >= 0


def test_stolen_skill_works(fast_world):
    seed = next(
        s for s in range(40) if int(leader(_steal_scene(fast_world, s)[0], ERNO)["skills"][2]) == L.SK_DOUBLE_DAMAGE
    )
    st, e, _ = _steal_scene(fast_world, seed)
    keep_only(st, [e])  # the victim leaves
    set_field(st, e, base_as=10.0, dirty=1)  # Erno attacks from now on, once a second
    c = creep(st, BLUE, 23, health=BIG)
    every, mult = SK["DoubleDamage"]["count"], SK["DoubleDamage"]["value"]
    evs, hps = run(st, (2 * every + 1) * interval(10.0) + 10, lambda st: hp(st, c))
    base = float(unit(st, e)["atk"]) - float(unit(st, c)["dfn"])
    got = [a for _, a in drops(hps, BIG)]
    want = [base * (mult if (k + 1) % every == 0 else 1.0) for k in range(2 * every)]
    assert got[: 2 * every] == pytest.approx(want, abs=0.02)
    assert len(casts(evs, L.SK_DOUBLE_DAMAGE, e)) == 2


def test_spell_steal_once_per_life_and_cleared_on_death(fast_world):
    st = sandbox(fast_world, [ERNO, ROLLO, VESNA])
    x0 = 22
    e = put(st, ERNO, x0, attacks=False)
    mute(st, ERNO, 1)  # no Telekinesis
    put(st, ROLLO, x0 + min(2, reach("SpellSteal")), attacks=False)
    vs = put(st, VESNA, x0 - reach("SpellSteal") - 2, Y + 1, attacks=False)  # out of reach for now
    mute(st, VESNA, 1)
    evs, _ = run(st, first_check(ERNO) + 1)
    (ss,) = casts(evs, L.SK_SPELL_STEAL, e)
    stolen = int(leader(st, ERNO)["skills"][2])
    assert ss["c"] == leader_slot(ROLLO) and stolen in (L.SK_DOUBLE_DAMAGE, L.SK_CLEAVE)
    # a nearer enemy leader does not give a second skill in the same life
    place(st, vs, x0 + 1, Y)
    evs, _ = run(st, 10 * EVERY)
    assert casts(evs, L.SK_SPELL_STEAL) == [] and int(leader(st, ERNO)["skills"][2]) == stolen
    # death clears it
    set_field(st, e, hp=0.0)
    run(st, 1)
    assert int(leader(st, ERNO)["skills"][2]) == -1 and int(leader(st, ERNO)["stolen_life"]) == 0
    evs, _ = run(st, ticks(RULES["leaders"]["respawn_base_s"]) + 2 * EVERY)
    assert [x for x in evs if x["kind"] == "respawn" and x["a"] == ERNO]
    assert int(leader(st, ERNO)["skills"][2]) == -1  # nobody near the core
    # a new life, a new steal: Vesna is the nearest enemy leader now
    put(st, ERNO, x0, attacks=False)
    mute(st, ERNO, 1)  # cooldowns restart at respawn
    evs, _ = run(st, 2 * EVERY)
    (ss,) = casts(evs, L.SK_SPELL_STEAL, e)
    assert ss["c"] == vs and int(leader(st, ERNO)["skills"][2]) in (L.SK_ATTACK_SPEED_INCREASE, L.SK_SLOW_AOE)


def test_telekinesis_pulls_nearest_onto_second_nearest_and_stuns_around_it(fast_world):
    st = sandbox(fast_world, [ERNO])
    x0, r, sr = 20, reach("Telekinesis"), SK["Telekinesis"]["value"]  # pull radius, stun radius
    assert r >= 3 and sr >= math.sqrt(2)  # the scene fits
    e = put(st, ERNO, x0, attacks=False)
    xb = x0 + r - 1
    a = creep(st, BLUE, x0 + 1, attacks=True, rooted=False)  # nearest
    b = creep(st, BLUE, xb, attacks=True, rooted=False)  # 2nd nearest
    d = creep(st, BLUE, xb + 1, Y + 1, attacks=True, rooted=False)  # 1.4 from b, beyond the pull radius from Erno
    far = creep(st, BLUE, xb + math.floor(sr) + 1, attacks=True)  # beyond the stun radius of b (rooted: stays out)
    ally = creep(st, RED, xb, Y - 1, health=BIG)  # next to b: what the stunned creeps would hit
    t1, stun = first_check(ERNO), dur("Telekinesis")
    for s in (a, b, d, far):
        set_field(st, s, next_attack=t1 + 3)  # they would attack only after the cast

    def probe(st):
        return tuple((int(unit(st, s)["x"]), int(unit(st, s)["y"])) for s in (a, b, d)), hp(st, ally)

    t2 = first_check(ERNO, t1 + cd("Telekinesis"))
    evs, smp = run(st, t2 + EVERY, probe)
    tk = casts(evs, L.SK_TELEKINESIS, e)
    assert [x["tick"] for x in tk] == [t1, t2]
    assert (tk[0]["c"], tk[0]["d"]) == (a, b)
    d_at = smp[t1][0][2]  # d may have stepped before the first check: still within the stun radius of b
    assert math.dist(d_at, (xb, Y)) <= sr
    landed = ((xb, Y), (xb, Y), d_at)
    assert smp[t1][0] == landed  # a landed on b
    assert {s[0] for s in smp[t1 : t1 + stun]} == {landed}  # no movement
    assert {s[1] for s in smp[: t1 + stun]} == {BIG}  # and no attacks while stunned
    assert smp[t1 + stun + 2][1] < BIG  # then they hit the ally
    assert int(unit(st, far)["stun_until"]) == 0 and int(unit(st, ally)["stun_until"]) == 0


def test_telekinesis_needs_enough_enemies_within_its_radius(fast_world):
    st = sandbox(fast_world, [ERNO])
    x0 = 20
    e = put(st, ERNO, x0, attacks=False)
    need, r = int(SK["Telekinesis"]["count"]), reach("Telekinesis")
    assert need - 1 < r  # the scene fits: need - 1 creeps inside, one per tile
    for k in range(need - 1):
        creep(st, BLUE, x0 + 1 + k)
    last = creep(st, BLUE, x0 + r + 1)  # one tile beyond the radius: one enemy too few
    evs, _ = run(st, 10 * EVERY)
    assert casts(evs, L.SK_TELEKINESIS, e) == []
    # control: the last one steps onto the radius, Erno casts at his next check
    place(st, last, x0 + r, Y)
    evs, _ = run(st, EVERY)
    assert len(casts(evs, L.SK_TELEKINESIS, e)) == 1


# ---------------------------------------------------------------------------- SoulsCollector
def test_steal_soul_souls_on_leader_kills_attack_per_soul_cap_and_half_lost_on_death(fast_world):
    st = sandbox(fast_world, [SOULS, ROLLO, VESNA])
    sc = put(st, SOULS, 22)
    mute(st, SOULS, 1)
    leader(st, SOULS)["build_next"] = 4  # buys nothing at the core after respawning
    r = put(st, ROLLO, 23, attacks=False)
    set_field(st, r, hp=1.0)
    ves = put(st, VESNA, 15, 25, attacks=False)  # out of reach for now
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
    place(st, ves, 23, Y)
    set_field(st, ves, hp=1.0)
    evs, _ = run(st, 12)
    assert [x["a"] for x in kills(evs)] == [ves]
    assert int(leader(st, SOULS)["souls"]) == cap and float(unit(st, sc)["atk"]) == atk0 + cap * per
    set_field(st, ves, hp=0.0)
    # death: half the souls are lost
    set_field(st, sc, hp=0.0)
    run(st, 1)
    assert int(leader(st, SOULS)["souls"]) == cap // 2
    evs, _ = run(st, ticks(RULES["leaders"]["respawn_base_s"]) + 20)
    assert [x for x in evs if x["kind"] == "respawn" and x["a"] == SOULS]
    assert float(unit(st, sc)["atk"]) == atk0 + (cap // 2) * per


@pytest.mark.parametrize("killer", [CELSUS, SOULS])
def test_steal_soul_counts_only_this_leaders_kills(fast_world, killer):
    """Rollo dies next to SoulsCollector either way; a soul only when SoulsCollector made the kill."""
    st = sandbox(fast_world, [SOULS, CELSUS, ROLLO])
    other = SOULS if killer == CELSUS else CELSUS
    put(st, killer, 24)
    put(st, other, 26, attacks=False)
    for li in (SOULS, CELSUS):
        mute(st, li, 1)
    r = put(st, ROLLO, 25, attacks=False)  # next to both
    set_field(st, r, hp=1.0)
    evs, _ = run(st, 12)
    assert [(x["a"], x["c"]) for x in kills(evs)] == [(r, killer)]
    assert int(leader(st, SOULS)["souls"]) == (1 if killer == SOULS else 0)


def test_dark_presence_lowers_defense_within_its_radius_and_ends_on_leaving(fast_world):
    st = sandbox(fast_world, [SOULS, ROLLO])
    x0, r = 22, reach("DarkPresence")
    put(st, SOULS, x0, attacks=False)
    rl = put(st, ROLLO, x0 + r, attacks=False)  # on the radius
    far = creep(st, BLUE, x0 + r + 1)  # one tile beyond
    d_r, d_far = float(unit(st, rl)["dfn"]), float(unit(st, far)["dfn"])
    f = SK["DarkPresence"]["value"]
    t1 = first_check(SOULS)
    _, smp = run(st, t1 + 10 * EVERY, lambda st: (float(unit(st, rl)["dfn"]), float(unit(st, far)["dfn"])))
    # on from the tick after the first check, no gap
    assert same([a for a, _ in smp[t1 + 1 :]], d_r * f) and {b for _, b in smp} == {d_far}
    place(st, rl, x0 + r + 2, Y)  # out of the aura
    _, smp = run(st, 5 * EVERY, lambda st: float(unit(st, rl)["dfn"]))
    assert smp[-1] == d_r and smp.index(d_r) <= 2 * EVERY


@pytest.mark.parametrize("ai_interval", [1, 4, 10, 25])
def test_dark_presence_has_no_gap_at_any_ai_interval(content, ai_interval):
    """The aura is refreshed on each of the caster's checks (every ai_interval ticks): it must last until
    the next one (it used to last a fixed 6 ticks, so at ai_interval 10 it was off 4 ticks in 10)."""
    w = build_world(content, SimConfig(), Params(latency_s=0, apm=0, micro=True, ai_interval=ai_interval))
    st = sandbox(w, [SOULS, ROLLO])
    put(st, SOULS, 22, attacks=False)
    r = put(st, ROLLO, 22 + reach("DarkPresence"), attacks=False)  # on the radius
    d_r, f = float(unit(st, r)["dfn"]), SK["DarkPresence"]["value"]
    _, smp = run(st, 3 * ai_interval + 20, lambda st: float(unit(st, r)["dfn"]))
    first = next(t for t, v in enumerate(smp) if v < d_r)
    assert first <= ai_interval  # the caster had its check
    assert same(smp[first:], d_r * f), f"gaps: {[t for t in range(first, len(smp)) if smp[t] == d_r]}"


def test_dark_presence_two_sources_do_not_stack(fast_world):
    st = sandbox(fast_world, [SOULS, ERNO, ROLLO])
    x0 = 22
    assert reach("DarkPresence") >= 2
    sc = put(st, SOULS, x0, attacks=False)
    put(st, ERNO, x0 + 4, attacks=False)
    mute(st, ERNO, 1)
    leader(st, ERNO)["skills"][2] = L.SK_DARK_PRESENCE  # as if stolen: a second source of the same aura
    leader(st, ERNO)["stolen_life"] = 1
    r = put(st, ROLLO, x0 + 2, attacks=False)  # 2 tiles from both
    mute(st, ROLLO, 1)
    d_r, f = float(unit(st, r)["dfn"]), SK["DarkPresence"]["value"]
    _, smp = run(st, 10 * EVERY, lambda st: float(unit(st, r)["dfn"]))
    assert same(smp[min(first_check(SOULS), first_check(ERNO)) + 1 :], d_r * f)  # from the first source's check on
    # one source leaves: the other keeps the aura up
    set_field(st, sc, hp=0.0)
    _, smp = run(st, 10 * EVERY, lambda st: float(unit(st, r)["dfn"]))
    assert same(smp[EVERY // 2 :], d_r * f)


# ---------------------------------------------------------------------------- Bristle
def test_thorn_volley_hits_enemies_within_its_radius_when_damaged_with_cooldown(fast_world):
    st = sandbox(fast_world, [BRISTLE])
    x0, r = 22, reach("ThornVolley")
    br = put(st, BRISTLE, x0, attacks=False)
    tank(st, br)
    wait, every = cd("ThornVolley"), interval(UNITS["creep"]["attack_speed"])
    n_hit = min(8, every // wait + 1)  # enough hitters that some hits fall in the cooldown
    hitters = [creep(st, BLUE, x0 + dx, Y + dy, health=BIG, attacks=True) for dx, dy in RING[:n_hit]]
    inside = creep(st, BLUE, x0 + r, health=BIG)  # on the radius
    outside = creep(st, BLUE, x0 + r + 1, health=BIG)  # one tile beyond
    evs, smp = run(st, 3 * wait + 3 * every, lambda st: (int(leader(st, BRISTLE)["recv_hits"]), hp(st, inside)))
    hit_ticks = [t for t in range(len(smp)) if smp[t][0] > (smp[t - 1][0] if t else 0)]
    want, ready = [], 0
    for t in hit_ticks:
        if t >= ready:
            want.append(t)
            ready = t + wait
    assert len(hit_ticks) > len(want) >= 2  # casts, and hits in the cooldown that do not
    assert [e["tick"] for e in casts(evs, L.SK_THORN_VOLLEY, br)] == want
    dmg = SK["ThornVolley"]["damage"]
    assert drops([h for _, h in smp], BIG) == [(t, dmg) for t in want]
    assert [hp(st, h) for h in hitters] == [BIG - len(want) * dmg] * n_hit
    assert hp(st, outside) == BIG


def test_leader_killed_by_thorns_is_credited_even_if_bristle_dies_from_the_same_hit(fast_world):
    st = sandbox(fast_world, [ROLLO, BRISTLE])
    br = put(st, BRISTLE, 22, attacks=False)
    r = put(st, ROLLO, 23)
    set_field(st, r, hp=0.5 * SK["ThornVolley"]["damage"])
    # Rollo's hit kills Bristle, whose thorns still kill Rollo
    set_field(st, br, hp=0.5 * (float(unit(st, r)["atk"]) - float(unit(st, br)["dfn"])))
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

    # 8 creeps hit once an interval each: enough ticks for (cap + 3) * per hits
    every = interval(float(unit(st, cs[0])["aspd"]))
    _, smp = run(st, math.ceil((cap + 3) * per / 8) * every + every, probe)
    for t in range(1, len(smp)):
        hits, bd, _ = smp[t]
        assert bd == min(cap, hits // per)
        assert smp[t][2] == d0 + smp[t - 1][1]  # the defense follows one tick later
    assert smp[-1][0] > (cap + 2) * per and smp[-1][1] == cap
    # the damage per hit shrinks with it: 8 creeps hit once an interval each
    h0 = hp(st, br)
    run(st, every)
    assert h0 - hp(st, br) == 8 * max(1.0, c_atk - (d0 + cap))
    set_field(st, br, hp=0.0)
    run(st, 1)
    assert (int(leader(st, BRISTLE)["back_def"]), int(leader(st, BRISTLE)["recv_hits"])) == (0, 0)
    evs, _ = run(st, ticks(RULES["leaders"]["respawn_base_s"]) + 20)
    assert [x for x in evs if x["kind"] == "respawn" and x["a"] == BRISTLE]
    assert float(unit(st, br)["dfn"]) == d0


def test_skill_damage_triggers_thorns_and_the_kill_is_credited(fast_world):
    st = sandbox(fast_world, [ROLLO, BRISTLE])
    r = put(st, ROLLO, 22, attacks=False)
    set_field(st, r, hp=0.5 * SK["ThornVolley"]["damage"])  # one volley kills Rollo
    br = put(st, BRISTLE, 23, attacks=False)
    assert SK["Cleave"]["count"] - 1 <= reach("Cleave")
    for k in range(int(SK["Cleave"]["count"]) - 1):  # with Bristle, enough enemies for a Cleave
        creep(st, RED, 21 - k)
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
    evs, _ = run(st, 4)  # Bristle hits Chiron once; a share comes back
    hit = float(unit(st, br)["atk"]) - float(unit(st, ch)["dfn"])
    assert hp(st, br) == pytest.approx(BIG - hit * SK["ReturnDamage"]["value"])
    assert [e["a"] for e in casts(evs, L.SK_THORN_VOLLEY)] == [br]
    assert hp(st, ch) == pytest.approx(BIG - hit - SK["ThornVolley"]["damage"])
