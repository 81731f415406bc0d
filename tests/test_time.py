"""Durations and rates are game seconds at any tick rate and any AI interval.

Every duration of the rules is written in seconds in the content files, every rate per second, and both
are converted to ticks once (``sim/world.py``). These scenarios run the same rule at
``time.ticks_per_second`` 20 (the default) and 40 (a copy of the content with that one rule changed),
with ``Params.ai_interval`` 8 (the default), 10 and 4, and check that what lasts N seconds lasts
N x ticks_per_second ticks, and that walking, projectiles and damage over time cover the same ground and
deal the same damage per game second at both tick rates. Numbers are read from the content, never
written here.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest

from shotcaller.content import Content, ContentError, load_content
from shotcaller.content.loader import CONTENT_DIR, SKILL_KEYS, STAT_KEYS, UNIT_KINDS
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from shotcaller.sim.skills import KEY_SKILL
from shotcaller.sim.world import World
from tests.helpers import DRAFT

RATES = [(20, 8), (20, 10), (40, 8), (40, 10), (20, 4)]  # (ticks_per_second, ai_interval)
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


@pytest.fixture(scope="module")
def make_world(contents) -> Callable[[int, int], World]:
    """``make_world(ticks_per_second, ai_interval)``: the scenario world (no latency, micro orders), built once."""
    built: dict[tuple[int, int], World] = {}

    def make(tps: int, ai: int) -> World:
        if (tps, ai) not in built:
            params = Params(latency_s=0, apm=0, micro=True, ai_interval=ai)
            built[tps, ai] = build_world(contents[tps], SimConfig(), params)
        w = built[tps, ai]
        assert w.content.rule("time.ticks_per_second") == tps and int(w.rec["ai_every"]) == ai
        return w

    return make


@pytest.fixture(scope="module", params=RATES, ids=[f"{t}hz-ai{a}" for t, a in RATES])
def world(request, make_world) -> World:
    return make_world(*request.param)


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
    scan = int(world.rec["scan_every"])  # towers look around every scan_every_s
    assert scan == max(1, secs(world, world.content.rule("combat.scan_every_s")))
    step_inplace(st, None, scan)
    while now(st) <= last + window:
        assert unit(st, tw)["target"] == me
        step_inplace(st, None, 1)
    # ... until the window ends: then, at its next look around, the creep
    step_inplace(st, None, scan)
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


# ---------------------------------------------------------------------------- the rates
ROLLO = 0  # blue leader 0 in DRAFT: a melee leader with the default refill
BRAKKA = 4  # blue leader 4 in DRAFT: ReturnAOE, BattleHunger
TICK_RATES = (20, 40)


def walk(world: World, seconds: int) -> list[tuple[int, int]]:
    """Rollo, alone and unkillable, walks east along an open row (a micro move from an empty tank);
    his tile after each whole game second."""
    st = scenario_state(world, DRAFT)
    s = leader_slot(ROLLO)
    keep_only(st, [s])
    place(st, s, 12, 24)
    tank(st, s)
    leader(st, ROLLO)["micro"] = L.O_MOVE
    leader(st, ROLLO)["micro_a"] = 70
    leader(st, ROLLO)["micro_b"] = 24
    set_field(st, s, move_points=0.0)
    tiles = []
    for k in range(1, seconds + 1):
        step_inplace(st, None, secs(world, k) - now(st))
        tiles.append((int(unit(st, s)["x"]), int(unit(st, s)["y"])))
    return tiles


@pytest.mark.parametrize("ai", [4, 10])
def test_a_leader_walks_as_far_in_a_game_second_at_any_tick_rate(make_world, ai):
    c = make_world(20, ai).content
    refill = float(c.leader_stats[ROLLO, STAT_KEYS.index("refill_per_s")])
    speed = refill / c.rule("movement.orthogonal_cost")  # tiles per second along a row
    assert speed > 0
    seconds = 8
    tiles = {tps: walk(make_world(tps, ai), seconds) for tps in TICK_RATES}
    for k in range(seconds):
        assert {y for _, y in (tiles[20][k], tiles[40][k])} == {24}, "not a straight line"
        x20, x40 = tiles[20][k][0], tiles[40][k][0]
        assert abs(x20 - x40) <= 1, f"after {k + 1} s: x {x20} at 20 Hz, {x40} at 40 Hz"
        for x in (x20, x40):
            assert abs((x - 12) - speed * (k + 1)) <= 1
    assert tiles[20][-1][0] - 12 >= seconds * speed - 1  # it did walk the whole time


def flights(world: World) -> list[int]:
    """Vesna (holding, unkillable) shoots a rooted creep at her full range: the ticks from each shot to
    its hit."""
    st = scenario_state(world, DRAFT)
    me = leader_slot(VESNA)
    keep_only(st, [me])
    place(st, me, 24, 24)
    hold(st, me)
    tank(st, me)
    rng = float(unit(st, me)["attack_range"])
    foe = spawn_unit(st, L.K_CREEP, L.RED, 24 + int(rng), 24)
    anchor(st, foe)
    tank(st, foe)
    shots, hits = [], []
    while now(st) < secs(world, 4):
        n, hp, t = int(leader(st, VESNA)["atk_count"]), float(unit(st, foe)["hp"]), now(st)
        step_inplace(st, None, 1)
        if leader(st, VESNA)["atk_count"] > n:
            shots.append(t)
            assert st.arrays.games["n_proj"][0] == 1, "Vesna's attack did not fly"
        if unit(st, foe)["hp"] < hp:
            hits.append(t)
    assert len(shots) >= 3 and len(hits) >= len(shots) - 1
    return [h - s for s, h in zip(shots, hits, strict=False)]


@pytest.mark.parametrize("ai", [4, 10])
def test_a_projectile_lands_after_the_same_game_time_at_any_tick_rate(make_world, ai):
    c = make_world(20, ai).content
    speed = c.rule("combat.projectile_speed_per_s")
    distance = float(c.leader_stats[VESNA, STAT_KEYS.index("range")])
    flown: dict[int, float] = {}
    for tps in TICK_RATES:
        ticks = flights(make_world(tps, ai))
        assert len(set(ticks)) == 1, f"{tps} Hz: flights of {ticks} ticks"
        # it lands within a tick of distance / speed (the tick it arrives in, or the one before)
        assert abs(ticks[0] - distance / speed * tps) <= 1
        flown[tps] = ticks[0] / tps
    assert abs(flown[20] - flown[40]) <= 1 / 20, flown


def hunger(world: World, seconds: int) -> list[float]:
    """Brakka (not attacking) casts BattleHunger on a rooted creep next to him: the damage it takes in
    each whole game second from the cast on."""
    st = scenario_state(world, DRAFT)
    me = leader_slot(BRAKKA)
    keep_only(st, [me])
    place(st, me, 22, 24)
    hold(st, me)
    disarm(st, me)
    foe = spawn_unit(st, L.K_CREEP, L.RED, 24, 24)
    anchor(st, foe)
    set_field(st, foe, base_hp=1000.0, max_hp=1000.0, hp=1000.0)
    hp = [float(unit(st, foe)["hp"])]
    cast = None
    while cast is None and now(st) < secs(world, 2):
        casts = [e for e in step_events(st) if e["kind"] == "skill" and e["b"] == L.SK_BATTLE_HUNGER]
        if casts:
            (cast,) = casts
        else:
            hp = [float(unit(st, foe)["hp"])]
    assert cast is not None and cast["c"] == foe, "Brakka never cast BattleHunger at the creep next to him"
    hp.append(float(unit(st, foe)["hp"]))  # hp[j]: after j ticks counted from the start of the cast tick
    for _ in range(secs(world, seconds) - 1):
        step_inplace(st, None, 1)
        hp.append(float(unit(st, foe)["hp"]))
    tps = secs(world, 1)
    return [hp[k * tps] - hp[(k + 1) * tps] for k in range(seconds)]


@pytest.mark.parametrize("ai", [4, 10])
def test_battle_hunger_deals_the_same_damage_per_second_at_any_tick_rate(make_world, ai):
    c = make_world(20, ai).content
    sk = c.skill_params[L.SK_BATTLE_HUNGER]
    per_s, duration = float(sk[SKILL_KEYS.index("damage_per_s")]), float(sk[SKILL_KEYS.index("duration_s")])
    assert per_s > 0 and duration == int(duration)
    seconds = int(duration) + 1
    dealt = {tps: hunger(make_world(tps, ai), seconds) for tps in TICK_RATES}
    assert dealt[20] == dealt[40] == [per_s] * int(duration) + [0.0], dealt


def test_rates_are_converted_once_into_the_tables(make_world):
    """The kernels read per-tick tables; the content holds per-second numbers."""
    for tps in TICK_RATES:
        w = make_world(tps, 4)
        c = w.content
        assert float(w.rec["proj_speed"]) == c.rule("combat.projectile_speed_per_s") / tps
        refill = STAT_KEYS.index("refill_per_s")
        assert (w.rec["unit_stats"][:, L.S_REFILL] == c.unit_stats[:, refill] / tps).all()
        assert (w.rec["hero_stats"][:, L.S_REFILL] == c.leader_stats[:, refill] / tps).all()
        dot = SKILL_KEYS.index("damage_per_s")
        assert (w.rec["skill_p"][:, L.SP_DAMAGE_PER_TICK] == c.skill_params[:, dot] / tps).all()
        assert int(w.rec["scan_every"]) == max(1, secs(w, c.rule("combat.scan_every_s")))
    assert UNIT_KINDS.index("creep") == L.UK_CREEP and STAT_KEYS.index("refill_per_s") == L.S_REFILL


@pytest.mark.parametrize(
    "fname, old, new, message",
    [
        ("units.toml", "refill_per_s = 300", "refill = 15", "units.toml: creep.refill: unknown key"),
        ("rules.toml", "projectile_speed_per_s = 20", "projectile_speed = 1.0", "projectile_speed_per_s: missing"),
        ("skills.toml", "damage_per_s = 40", "damage = 2", "BattleHunger.damage: BattleHunger does not use"),
        ("skills.toml", "damage = 100", "damage_per_s = 100", "skills.toml: Cleave.damage_per_s: Cleave does not use"),
    ],
)
def test_a_rate_still_written_per_tick_is_refused(tmp_path, fname, old, new, message):
    """Content written before rates were per second fails loudly instead of playing 20x slower."""
    shutil.copytree(CONTENT_DIR, tmp_path, ignore=shutil.ignore_patterns("*.py", "__pycache__"), dirs_exist_ok=True)
    text = (tmp_path / fname).read_text()
    assert text.count(old) == 1
    (tmp_path / fname).write_text(text.replace(old, new))
    with pytest.raises(ContentError, match=message):
        load_content(tmp_path)
