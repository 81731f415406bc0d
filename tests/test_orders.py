"""The shotcaller's orders (docs/design.md section 7): validation and rejection reasons, latency, the APM budget,
whole-team orders, shopping, teleport, retreat and micro orders.

``world`` has the default pacing (``LATENCY`` ticks, ``APM`` orders a minute, micro off); ``fast_world`` has none of
it.
Order rows are ``(team, leader, kind, a, b)``; arguments as in docs/orders.md (``gank`` takes the enemy
leader's global index 0..9, ``teleport`` the own building's unit slot 0..25).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT

DRAFT_Q = [5, 1, 2, 3, 4, 0, 6, 7, 8, 9]  # blue leader 0 is Chiron, red leader 0 is Rollo
COFFEE, SALVE, SCROLL, BOOTS, GLOVES, IRON_SWORD, CHAIN_MAIL, VITALITY, LONGBOW, AEGIS, WARLORD = range(11)
# rule numbers of the content (balance, retuned in content/rules.toml): scenarios derive from them
_RULES = load_content().rules
_TPS = _RULES["time.ticks_per_second"]
LATENCY = round(_RULES["orders.latency_s"] * _TPS)  # the default latency, in ticks
APM = int(_RULES["orders.apm"])  # the default budget of accepted orders per team per minute
MINUTE = round(60 * _TPS)
TP_CHAN = round(_RULES["orders.teleport_channel_s"] * _TPS)
TP_CD = round(_RULES["orders.teleport_cooldown_s"] * _TPS)
GOLD_TICK = _RULES["economy.passive_gold_per_s"] / _TPS


# ---------------------------------------------------------------------------- helpers
def orders(*rows) -> np.ndarray:
    return np.array(rows, np.int32).reshape(1, len(rows), 5)


def order_events(ev) -> list[tuple]:
    """(kind, team, leader, order kind, d) of the accept/reject events, in order."""
    return [
        (e["kind"], e["a"], e["b"], e["c"], e["d"])
        for e in ev.decoded(0)
        if e["kind"] in ("order_accepted", "order_rejected")
    ]


def events(ev, kind: str) -> list[dict]:
    return [e for e in ev.decoded(0) if e["kind"] == kind]


def tick(st) -> int:
    return int(st.arrays.games["tick"][0])


def unit(st, slot: int):
    return st.arrays.units[0, slot]


def leader(st, li: int):
    return st.arrays.leaders[0, li]


def step_to(st, t: int, rows=None):
    """Advance to tick t (rows issued at the current tick)."""
    return step_inplace(st, rows, t - tick(st))


def disarm(st, slot: int) -> None:
    set_field(st, slot, aspd=0.0, base_as=0.0)


def same_records(a: np.ndarray, b: np.ndarray) -> bool:
    """Field-by-field equality of two record arrays (padding bytes ignored)."""
    return all(np.array_equal(a[f], b[f]) for f in a.dtype.names)


def accepted(ev) -> int:
    return sum(1 for e in order_events(ev) if e[0] == "order_accepted")


def reasons(ev) -> list[int]:
    return [e[4] for e in order_events(ev) if e[0] == "order_rejected"]


@pytest.fixture(scope="module")
def queue_world(content):
    """Default latency but no APM cap: for filling the order queue."""
    return build_world(content, SimConfig(), Params(apm=0))


@pytest.fixture(scope="module")
def apm_world(content):
    """The default rules, with an order queue long enough to submit more than a minute's budget at once."""
    return build_world(content, SimConfig(order_queue=max(SimConfig().order_queue, 2 * APM + 16)), Params())


@pytest.fixture(scope="module")
def short_world(content):
    """A 2-second match without latency."""
    return build_world(content, SimConfig(), Params(latency_s=0, apm=0, micro=True, time_limit_s=2))


# ---------------------------------------------------------------------------- rejection reasons
def _dead0(st):
    keep_only(st, [leader_slot(i) for i in range(1, 10)])


def _blue_dead(st):
    keep_only(st, [leader_slot(i) for i in range(5, 10)])


def _full_inventory(st):
    st.arrays.games["inv"][0, 0] = [BOOTS, GLOVES, CHAIN_MAIL, VITALITY]
    leader(st, 0)["gold"] = 5000.0


def _on_cooldown(st):
    leader(st, 0)["teleport_ready_at"] = 5000


def _fortify_on_cooldown(st):
    st.arrays.teams[0, 0]["fortify_ready_at"] = 5000


def _blue2_dead(st):
    keep_only(st, [leader_slot(i) for i in range(10) if i != 2])


def _red_protected_tower_seen(st):
    slot = L.N_BLD + 4 + 1  # red's left-lane tier-1 tower: protected while the outer one stands
    assert unit(st, slot)["invuln"] == 1
    st.arrays.games["vis"][0, 0, slot] = 1  # blue sees it (vision is recomputed every few ticks only)


def _blue_tower_down(st):
    set_field(st, 4, hp=0.0)
    step_inplace(st, None, 1)
    assert unit(st, 4)["alive"] == 0


REJECTIONS = [
    # id, world, setup, row, reason
    ("unknown_kind_past_the_last", "fast_world", None, (0, 0, L.N_ORDER_KINDS, 0, 0), L.R_UNKNOWN_ORDER),
    ("unknown_kind_negative", "fast_world", None, (1, 2, -1, 0, 0), L.R_UNKNOWN_ORDER),
    ("unknown_kind_huge", "world", None, (0, -1, 100000, 0, 0), L.R_UNKNOWN_ORDER),
    ("wrong_team_2", "fast_world", None, (2, 0, L.O_STANCE, 0, 0), L.R_WRONG_TEAM),
    ("wrong_team_negative", "world", None, (-1, 0, L.O_LANE, 1, 0), L.R_WRONG_TEAM),
    ("wrong_team_gank_ally", "fast_world", None, (1, 0, L.O_GANK, 7, 0), L.R_WRONG_TEAM),
    ("wrong_team_teleport_enemy_building", "fast_world", None, (1, 0, L.O_TELEPORT, 4, 0), L.R_WRONG_TEAM),
    ("bad_leader_5", "fast_world", None, (0, 5, L.O_STANCE, 0, 0), L.R_BAD_LEADER),
    ("bad_leader_minus_2", "world", None, (1, -2, L.O_LANE, 0, 0), L.R_BAD_LEADER),
    ("dead_lane", "fast_world", _dead0, (0, 0, L.O_LANE, 1, 0), L.R_DEAD_LEADER),
    ("dead_group", "world", _dead0, (0, 0, L.O_GROUP, 24, 24), L.R_DEAD_LEADER),
    ("dead_retreat", "fast_world", _dead0, (0, 0, L.O_RETREAT, 0, 0), L.R_DEAD_LEADER),
    ("dead_teleport", "fast_world", _dead0, (0, 0, L.O_TELEPORT, 0, 0), L.R_DEAD_LEADER),
    ("dead_move", "fast_world", _dead0, (0, 0, L.O_MOVE, 24, 24), L.R_DEAD_LEADER),
    ("dead_whole_team", "world", _blue_dead, (0, -1, L.O_PUSH, 1, 0), L.R_DEAD_LEADER),
    ("bad_lane_3", "fast_world", None, (0, 0, L.O_LANE, 3, 0), L.R_BAD_LANE),
    ("bad_lane_push_negative", "world", None, (0, 1, L.O_PUSH, -1, 0), L.R_BAD_LANE),
    ("bad_lane_defend_whole_team", "fast_world", None, (1, -1, L.O_DEFEND, 7, 0), L.R_BAD_LANE),
    ("coords_negative", "fast_world", None, (0, 0, L.O_GROUP, -1, 5), L.R_BAD_COORDS),
    ("coords_x_off_map", "world", None, (0, 0, L.O_GROUP, 81, 24), L.R_BAD_COORDS),
    ("coords_y_off_map", "fast_world", None, (1, 3, L.O_GROUP, 20, 50), L.R_BAD_COORDS),
    ("coords_forest", "fast_world", None, (0, -1, L.O_GROUP, 0, 0), L.R_BAD_COORDS),
    ("coords_forest_move", "fast_world", None, (0, 0, L.O_MOVE, 20, 20), L.R_BAD_COORDS),
    ("coords_attack_move_off_map", "fast_world", None, (1, 0, L.O_ATTACK_MOVE, 500, 500), L.R_BAD_COORDS),
    ("unknown_item_11", "fast_world", None, (0, 0, L.O_BUY, 11, 0), L.R_UNKNOWN_ITEM),
    ("unknown_item_negative", "world", None, (1, -1, L.O_BUY, -1, 0), L.R_UNKNOWN_ITEM),
    ("not_enough_gold", "fast_world", None, (0, 0, L.O_BUY, WARLORD, 0), L.R_NOT_ENOUGH_GOLD),
    ("not_enough_gold_whole_team", "world", None, (1, -1, L.O_BUY, AEGIS, 0), L.R_NOT_ENOUGH_GOLD),
    ("inventory_full", "fast_world", _full_inventory, (0, 0, L.O_BUY, COFFEE, 0), L.R_INVENTORY_FULL),
    ("gank_not_visible", "fast_world", None, (1, 0, L.O_GANK, 0, 0), L.R_NOT_VISIBLE),
    ("follow_not_visible", "fast_world", None, (0, 0, L.O_FOLLOW, leader_slot(5), 0), L.R_NOT_VISIBLE),
    ("teleport_cooldown", "fast_world", _on_cooldown, (0, 0, L.O_TELEPORT, 0, 0), L.R_COOLDOWN),
    ("fortify_cooldown", "world", _fortify_on_cooldown, (0, -1, L.O_FORTIFY, 0, 0), L.R_COOLDOWN),
    ("fortify_bad_leader_5", "fast_world", None, (1, 5, L.O_FORTIFY, 0, 0), L.R_BAD_LEADER),
    ("gank_target_10", "fast_world", None, (1, 0, L.O_GANK, 10, 0), L.R_BAD_TARGET),
    ("gank_target_negative", "world", None, (1, 1, L.O_GANK, -1, 0), L.R_BAD_TARGET),
    ("gank_dead_leader", "fast_world", _blue2_dead, (1, 0, L.O_GANK, 2, 0), L.R_BAD_TARGET),
    ("teleport_negative", "fast_world", None, (0, 0, L.O_TELEPORT, -1, 0), L.R_BAD_TARGET),
    ("teleport_26", "world", None, (0, 0, L.O_TELEPORT, 26, 0), L.R_BAD_TARGET),
    ("teleport_destroyed", "fast_world", _blue_tower_down, (0, 0, L.O_TELEPORT, 4, 0), L.R_BAD_TARGET),
    ("follow_no_such_slot", "fast_world", None, (0, 0, L.O_FOLLOW, 1_000_000, 0), L.R_BAD_TARGET),
    ("follow_empty_slot", "fast_world", None, (0, 0, L.O_FOLLOW, 100, 0), L.R_BAD_TARGET),
    ("micro_move", "world", None, (0, 0, L.O_MOVE, 24, 24), L.R_MICRO_DISABLED),
    ("micro_attack_move", "world", None, (1, -1, L.O_ATTACK_MOVE, 24, 24), L.R_MICRO_DISABLED),
    ("micro_follow", "world", None, (0, 1, L.O_FOLLOW, leader_slot(2), 0), L.R_MICRO_DISABLED),
    ("micro_hold", "world", None, (0, 2, L.O_HOLD, 0, 0), L.R_MICRO_DISABLED),
    ("micro_stop", "world", None, (1, 4, L.O_STOP, 0, 0), L.R_MICRO_DISABLED),
    ("micro_attack", "world", None, (0, 0, L.O_ATTACK, leader_slot(5), 0), L.R_MICRO_DISABLED),
    ("attack_own_unit", "fast_world", None, (0, 0, L.O_ATTACK, leader_slot(1), 0), L.R_WRONG_TEAM),
    ("attack_own_building", "fast_world", None, (1, 2, L.O_ATTACK, L.N_BLD, 0), L.R_WRONG_TEAM),
    ("attack_not_visible", "fast_world", None, (0, 0, L.O_ATTACK, leader_slot(5), 0), L.R_NOT_VISIBLE),
    ("attack_dead_leader", "fast_world", _blue2_dead, (1, 0, L.O_ATTACK, leader_slot(2), 0), L.R_BAD_TARGET),
    ("attack_empty_slot", "fast_world", None, (0, 0, L.O_ATTACK, 100, 0), L.R_BAD_TARGET),
    ("attack_negative_slot", "fast_world", None, (1, 0, L.O_ATTACK, -1, 0), L.R_BAD_TARGET),
    ("attack_protected", "fast_world", _red_protected_tower_seen, (0, 0, L.O_ATTACK, L.N_BLD + 5, 0), L.R_INVULNERABLE),
    ("stance_3", "fast_world", None, (0, 0, L.O_STANCE, 3, 0), L.R_BAD_ARGUMENT),
    ("stance_negative", "world", None, (1, -1, L.O_STANCE, -1, 0), L.R_BAD_ARGUMENT),
]


@pytest.mark.parametrize("wname, setup, row, reason", [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_invalid_order_is_rejected_with_reason(request, wname, setup, row, reason):
    w = request.getfixturevalue(wname)
    st = scenario_state(w, DRAFT)
    if setup is not None:
        setup(st)
    ref = st.copy()
    ev = step_inplace(st, orders(row), 2)
    step_inplace(ref, None, 2)
    team, li, kind = row[0], row[1], row[2]
    assert order_events(ev) == [("order_rejected", team, li, kind, reason)]
    assert 0 < reason < len(L.REJECT_REASONS) and len(L.REJECT_REASONS[reason]) > 5  # a text the bot can show
    tc = min(max(team, 0), 1)
    assert st.arrays.teams[0]["orders_rejected"].tolist() == [int(tc == 0), int(tc == 1)]
    assert st.arrays.teams[0]["orders_given"].tolist() == [0, 0]
    assert events(ev, "order_applied") == []
    # nothing else changed: same leaders, shop and queue as a match that got no order at all
    assert (st.arrays.pending["used"] == 0).all()
    assert same_records(st.arrays.leaders, ref.arrays.leaders)
    assert same_records(st.arrays.units, ref.arrays.units)
    assert (st.arrays.games["buyq"] == ref.arrays.games["buyq"]).all()
    assert (st.arrays.games["inv"] == ref.arrays.games["inv"]).all()


def test_every_reject_reason_is_covered():
    # R_PENDING (a second fortify while one waits out its latency): tests/test_fortify.py
    covered = {r[-1] for r in REJECTIONS} | {L.R_APM, L.R_QUEUE_FULL, L.R_GAME_OVER, L.R_PENDING}
    assert covered == set(range(1, len(L.REJECT_REASONS)))


def test_valid_orders_of_each_kind_are_accepted(fast_world):
    st = scenario_state(fast_world, DRAFT)
    rows = [
        (0, 0, L.O_LANE, 2, 0),
        (0, 1, L.O_PUSH, 1, 0),
        (0, 2, L.O_DEFEND, 0, 0),
        (0, 3, L.O_GROUP, 24, 24),
        (0, 4, L.O_TELEPORT, 4, 0),
        (1, 0, L.O_BUY, COFFEE, 0),
        (1, 1, L.O_RETREAT, 0, 0),
        (1, 2, L.O_STANCE, 0, 0),
        (1, 3, L.O_MOVE, 24, 24),
        (1, 4, L.O_ATTACK_MOVE, 30, 24),
        (1, 0, L.O_FOLLOW, leader_slot(6), 0),
        (1, 1, L.O_HOLD, 0, 0),
        (1, 2, L.O_STOP, 0, 0),
        (0, -1, L.O_FORTIFY, 0, 0),
    ]
    ev = step_inplace(st, orders(*rows), 1)
    assert order_events(ev) == [("order_accepted", t, li, k, 0) for t, li, k, _, _ in rows]
    assert len(events(ev, "order_applied")) == len(rows)
    assert st.arrays.teams[0]["orders_given"].tolist() == [6, 8]


def test_buy_and_stance_are_accepted_for_a_dead_leader(fast_world):
    st = scenario_state(fast_world, DRAFT)
    keep_only(st, [leader_slot(i) for i in range(1, 10)])
    leader(st, 0)["build_next"] = 4
    ev = step_inplace(st, orders((0, 0, L.O_BUY, COFFEE, 0), (0, 0, L.O_STANCE, 0, 0)), 1)
    assert [e[0] for e in order_events(ev)] == ["order_accepted"] * 2
    assert st.arrays.games["buyq"][0, 0].tolist() == [COFFEE, -1, -1, -1]
    assert leader(st, 0)["stance"] == 0


def test_orders_after_game_over_are_rejected(short_world):
    st = scenario_state(short_world, DRAFT)
    step_inplace(st, None, 60)
    assert st.arrays.games["done"][0] == 1
    ev = step_inplace(st, orders((0, 0, L.O_STANCE, 2, 0), (1, -1, L.O_LANE, 1, 0)), 1)
    assert order_events(ev) == [
        ("order_rejected", 0, 0, L.O_STANCE, L.R_GAME_OVER),
        ("order_rejected", 1, -1, L.O_LANE, L.R_GAME_OVER),
    ]
    assert st.arrays.teams[0]["orders_rejected"].tolist() == [1, 1]


def test_finished_game_does_not_apply_orders(short_world):
    st = scenario_state(short_world, DRAFT)
    step_inplace(st, None, 60)
    ref = st.copy()
    ev = step_inplace(st, orders((0, 0, L.O_STANCE, 2, 0)), 5)
    assert accepted(ev) == 0 and leader(st, 0)["stance"] == 1
    assert tick(st) == 40 and (st.arrays.pending["used"] == 0).all()
    assert same_records(st.arrays.leaders, ref.arrays.leaders) and same_records(st.arrays.units, ref.arrays.units)


# ---------------------------------------------------------------------------- never crashes
_small = hst.integers(-3, 90)
_any = hst.one_of(_small, hst.integers(-(2**31), 2**31 - 1))
_row = hst.tuples(hst.integers(-1, 2), hst.integers(-2, 5), hst.integers(-1, 15), _any, _any)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=hst.lists(_row, min_size=1, max_size=12))
def test_random_orders_never_crash_and_each_gets_one_answer(fast_world, world, rows):
    for w in (fast_world, world):
        st = scenario_state(w, DRAFT)
        keep_only(st, [leader_slot(i) for i in range(10) if i not in (3, 8)])
        ev = step_inplace(st, orders(*rows), 3)
        answers = order_events(ev)
        real = [r for r in rows if r[2] != L.O_NONE]
        assert [(a[1], a[2], a[3]) for a in answers] == [(r[0], r[1], r[2]) for r in real]
        for a in answers:
            if a[0] == "order_rejected":
                assert 1 <= a[4] < len(L.REJECT_REASONS)
        given_ = int(st.arrays.teams[0]["orders_given"].sum())
        assert given_ == sum(1 for a in answers if a[0] == "order_accepted")
        assert int(st.arrays.teams[0]["orders_rejected"].sum()) == len(answers) - given_
        assert tick(st) == 3
        # the match goes on (with latency the accepted orders apply now) and stays consistent
        step_inplace(st, None, 60)
        assert tick(st) == 63
        ld = st.arrays.leaders[0]
        assert set(ld["stance"].tolist()) <= {0, 1, 2}
        assert set(ld["order"].tolist()) <= {L.O_LANE, L.O_PUSH, L.O_DEFEND, L.O_GANK, L.O_GROUP, L.O_RETREAT}
        assert set(ld["micro"].tolist()) <= {0, L.O_MOVE, L.O_ATTACK_MOVE, L.O_FOLLOW, L.O_HOLD}
        un = st.arrays.units[0]
        alive = un["alive"] == 1
        assert w.rec["floor"][un["y"][alive], un["x"][alive]].all()


# ---------------------------------------------------------------------------- latency
def test_order_takes_effect_exactly_latency_ticks_later(world):
    assert int(world.rec["latency"]) == LATENCY
    st = scenario_state(world, DRAFT)
    # blue leader 0: stance balanced -> careful; red leader 1 (global 6): lane 0 (default plan) -> lane 2
    ev = step_inplace(st, orders((0, 0, L.O_STANCE, 2, 0), (1, 1, L.O_LANE, 2, 0)), LATENCY)
    assert order_events(ev) == [
        ("order_accepted", 0, 0, L.O_STANCE, LATENCY),  # d = the tick it takes effect
        ("order_accepted", 1, 1, L.O_LANE, LATENCY),
    ]
    assert events(ev, "order_applied") == []
    assert leader(st, 0)["stance"] == 1
    assert (leader(st, 6)["order"], leader(st, 6)["order_a"], unit(st, leader_slot(6))["lane"]) == (L.O_LANE, 0, 0)
    ev = step_inplace(st, None, 1)
    assert leader(st, 0)["stance"] == 2
    assert (leader(st, 6)["order"], leader(st, 6)["order_a"], unit(st, leader_slot(6))["lane"]) == (L.O_LANE, 2, 2)
    assert [(e["tick"], e["a"], e["b"], e["c"]) for e in events(ev, "order_applied")] == [
        (LATENCY, 0, 0, L.O_STANCE),
        (LATENCY, 1, 1, L.O_LANE),
    ]


def test_lane_change_visible_only_after_latency_from_any_tick(world):
    st = scenario_state(world, DRAFT)
    step_to(st, 77)
    assert (leader(st, 6)["order"], leader(st, 6)["order_a"], unit(st, leader_slot(6))["lane"]) == (L.O_LANE, 0, 0)
    ev = step_inplace(st, orders((1, 1, L.O_LANE, 2, 0)), 1)
    assert order_events(ev) == [("order_accepted", 1, 1, L.O_LANE, 77 + LATENCY)]
    step_to(st, 77 + LATENCY)
    assert (leader(st, 6)["order_a"], unit(st, leader_slot(6))["lane"]) == (0, 0)
    step_inplace(st, None, 1)
    assert (leader(st, 6)["order"], leader(st, 6)["order_a"], unit(st, leader_slot(6))["lane"]) == (L.O_LANE, 2, 2)


def test_orders_issued_at_once_apply_in_issue_order(world):
    st = scenario_state(world, DRAFT)
    ev = step_inplace(
        st, orders((0, 0, L.O_STANCE, 2, 0), (0, -1, L.O_STANCE, 0, 0), (0, 1, L.O_STANCE, 2, 0)), LATENCY + 1
    )
    assert accepted(ev) == 3
    assert st.arrays.leaders[0]["stance"][:5].tolist() == [0, 2, 0, 0, 0]


# ---------------------------------------------------------------------------- APM budget
def test_apm_budget_per_minute_then_free_again(apm_world):
    assert int(apm_world.rec["apm"]) == APM > 0
    st = scenario_state(apm_world, DRAFT)
    rows = [(0, i % 5, L.O_STANCE, i % 3, 0) for i in range(APM + 1)] + [(1, 0, L.O_STANCE, 0, 0)]
    ev = step_inplace(st, orders(*rows), 1)
    answers = order_events(ev)
    assert [a[0] for a in answers[:APM]] == ["order_accepted"] * APM
    assert answers[APM] == ("order_rejected", 0, APM % 5, L.O_STANCE, L.R_APM)
    assert answers[APM + 1][0] == "order_accepted"  # the other team has its own budget
    assert st.arrays.teams[0]["orders_rejected"].tolist() == [1, 0]
    one = orders((0, 0, L.O_STANCE, 1, 0))
    step_to(st, MINUTE // 2)
    assert reasons(step_inplace(st, one, 1)) == [L.R_APM]
    step_to(st, MINUTE - 1)
    assert reasons(step_inplace(st, one, 1)) == [L.R_APM]
    # a minute after tick 0: the orders of tick 0 are a minute old
    ev = step_inplace(st, orders(*[(0, 0, L.O_STANCE, 1, 0)] * (APM + 1)), 1)
    assert accepted(ev) == APM and reasons(ev) == [L.R_APM]


def test_rejected_orders_do_not_use_the_apm_budget(apm_world):
    st = scenario_state(apm_world, DRAFT)
    bad = [(0, 0, L.O_LANE, 9, 0)] * (APM + 10)
    good = [(0, 1, L.O_LANE, 1, 0)] * (APM + 1)
    ev = step_inplace(st, orders(*(bad + good)), 1)
    assert reasons(ev) == [L.R_BAD_LANE] * (APM + 10) + [L.R_APM]
    assert accepted(ev) == APM


def test_order_queue_full(queue_world):
    st = scenario_state(queue_world, DRAFT)
    q = st.arrays.pending.shape[2]
    assert q == SimConfig().order_queue  # the default shape
    ev = step_inplace(st, orders(*[(0, 0, L.O_STANCE, 0, 0)] * (q + 1) + [(1, 0, L.O_STANCE, 0, 0)]), 1)
    assert accepted(ev) == q + 1  # red's queue is its own
    assert reasons(ev) == [L.R_QUEUE_FULL]
    assert order_events(ev)[q] == ("order_rejected", 0, 0, L.O_STANCE, L.R_QUEUE_FULL)
    # once applied, the queue has room again
    step_to(st, LATENCY + 1)
    assert (st.arrays.pending["used"] == 0).all()
    ev = step_inplace(st, orders((0, 0, L.O_STANCE, 2, 0)), 1)
    assert accepted(ev) == 1


# ---------------------------------------------------------------------------- whole-team orders
def test_whole_team_orders_apply_to_all_five(world):
    st = scenario_state(world, DRAFT)
    ev = step_inplace(st, orders((0, -1, L.O_STANCE, 0, 0), (1, -1, L.O_PUSH, 2, 0)), LATENCY + 1)
    assert order_events(ev) == [
        ("order_accepted", 0, -1, L.O_STANCE, LATENCY),
        ("order_accepted", 1, -1, L.O_PUSH, LATENCY),
    ]
    assert [(e["a"], e["b"]) for e in events(ev, "order_applied")] == [(0, -1), (1, -1)]
    ld = st.arrays.leaders[0]
    assert ld["stance"].tolist() == [0] * 5 + [1] * 5
    assert ld["order"][5:].tolist() == [L.O_PUSH] * 5 and ld["order_a"][5:].tolist() == [2] * 5
    assert st.arrays.units[0]["lane"][L.SLOT_LEADER0 + 5 : L.SLOT_LEADER0 + 10].tolist() == [2] * 5
    assert ld["order"][:5].tolist() == [L.O_LANE] * 5  # blue's plan did not change
    assert ld["order_a"][:5].tolist() == [0, 0, 1, 2, 2]


def test_whole_team_buy_goes_to_leaders_who_can_pay(world):
    st = scenario_state(world, DRAFT)
    for li in range(5):
        hold(st, leader_slot(li))  # everybody stays at the core (the shop)
        leader(st, li)["build_next"] = 4
    price = float(world.rec["item_price"][CHAIN_MAIL])
    for li in (0, 2, 4):  # cannot pay, even after the latency
        leader(st, li)["gold"] = min(float(leader(st, li)["gold"]), price - GOLD_TICK * (LATENCY + 2))
    leader(st, 1)["gold"] = price + 100.0
    leader(st, 3)["gold"] = price + 100.0
    ev = step_inplace(st, orders((0, -1, L.O_BUY, CHAIN_MAIL, 0)), LATENCY)
    assert accepted(ev) == 1 and events(ev, "purchase") == []
    ev = step_inplace(st, None, 1)
    assert sorted((e["a"], e["b"]) for e in events(ev, "purchase")) == [(1, CHAIN_MAIL), (3, CHAIN_MAIL)]
    assert events(ev, "purchase_failed") == []
    inv = st.arrays.games["inv"][0]
    assert inv[1].tolist() == [CHAIN_MAIL, -1, -1, -1] and inv[3].tolist() == [CHAIN_MAIL, -1, -1, -1]
    assert (inv[[0, 2, 4]] == -1).all() and (st.arrays.games["buyq"][0, :5] == -1).all()
    assert float(leader(st, 1)["gold"]) == pytest.approx(100 + GOLD_TICK * (LATENCY + 1), abs=0.01)


def test_whole_team_buy_skips_leaders_with_a_full_inventory(fast_world):
    st = scenario_state(fast_world, DRAFT)
    for li in range(5):
        hold(st, leader_slot(li))
        leader(st, li)["build_next"] = 4
        leader(st, li)["gold"] = 1000.0
    st.arrays.games["inv"][0, 2] = [BOOTS, GLOVES, CHAIN_MAIL, VITALITY]
    ev = step_inplace(st, orders((0, -1, L.O_BUY, COFFEE, 0)), 2)
    assert accepted(ev) == 1
    assert sorted(e["a"] for e in events(ev, "purchase")) == [0, 1, 3, 4]
    assert events(ev, "purchase_failed") == []  # the order was not valid for leader 2: not applied to it


# ---------------------------------------------------------------------------- shopping
def test_buy_is_queued_after_latency_and_done_at_the_core(world):
    st = scenario_state(world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 40, 38)
    leader(st, 0)["gold"] = 1000.0
    leader(st, 0)["build_next"] = 4
    ev = step_inplace(st, orders((0, 0, L.O_BUY, IRON_SWORD, 0), (0, 0, L.O_BUY, COFFEE, 0)), LATENCY)
    assert accepted(ev) == 2
    assert st.arrays.games["buyq"][0, 0].tolist() == [-1] * 4
    step_inplace(st, None, 1)
    assert st.arrays.games["buyq"][0, 0].tolist() == [IRON_SWORD, COFFEE, -1, -1]
    step_inplace(st, None, 100)  # away from the core: nothing bought
    assert st.arrays.games["inv"][0, 0].tolist() == [-1] * 4
    # "go back and buy": the purchase happens on the first tick within the fountain radius of the own core
    t_order = tick(st)
    step_inplace(st, orders((0, 0, L.O_RETREAT, 0, 0)), 1)
    buys = []
    d2 = []
    for _ in range(200):
        ev = step_inplace(st, None, 1)
        d2.append((int(unit(st, b)["x"]) - 40) ** 2 + (int(unit(st, b)["y"]) - 48) ** 2)
        buys += events(ev, "purchase")
        if buys:
            break
    assert [(e["a"], e["b"]) for e in buys] == [(0, IRON_SWORD), (0, COFFEE)]
    assert buys[0]["tick"] > t_order + LATENCY  # walked home first
    assert d2[-1] <= float(world.rec["fountain_r"]) ** 2 < d2[-2]
    assert st.arrays.games["inv"][0, 0].tolist() == [IRON_SWORD, COFFEE, -1, -1]
    assert st.arrays.games["buyq"][0, 0].tolist() == [-1] * 4
    price = world.rec["item_price"]
    spent = float(price[IRON_SWORD] + price[COFFEE])
    assert float(leader(st, 0)["gold"]) == pytest.approx(1000 + GOLD_TICK * tick(st) - spent, abs=0.01)
    step_inplace(st, None, 1)
    sword = world.rec["item_mods"][IRON_SWORD, L.IM_ATK]
    assert sword > 0 and unit(st, b)["atk"] == world.rec["hero_stats"][5, L.S_ATK] + sword  # Chiron with the sword


def test_buy_waits_in_queue_until_affordable(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 40, 47)
    leader(st, 0)["build_next"] = 4
    sword, mail = (float(fast_world.rec["item_price"][i]) for i in (IRON_SWORD, CHAIN_MAIL))
    leader(st, 0)["gold"] = sword + 0.5 * mail  # the sword, not the mail too
    ev = step_inplace(st, orders((0, 0, L.O_BUY, IRON_SWORD, 0), (0, 0, L.O_BUY, CHAIN_MAIL, 0)), 1)
    assert accepted(ev) == 2
    assert [e["b"] for e in events(ev, "purchase")] == [IRON_SWORD]
    assert st.arrays.games["buyq"][0, 0].tolist() == [CHAIN_MAIL, -1, -1, -1]
    # the queue waits for the gold: ten more ticks of passive gold
    leader(st, 0)["gold"] = mail - 9.5 * GOLD_TICK
    ev = step_inplace(st, None, 9)
    assert events(ev, "purchase") == []
    ev = step_inplace(st, None, 2)
    assert [(e["tick"], e["b"]) for e in events(ev, "purchase")] == [(10, CHAIN_MAIL)]
    assert st.arrays.games["inv"][0, 0].tolist() == [IRON_SWORD, CHAIN_MAIL, -1, -1]


def test_inventory_full_counts_queued_purchases(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    st.arrays.games["inv"][0, 0] = [BOOTS, GLOVES, -1, -1]
    leader(st, 0)["gold"] = 5000.0
    leader(st, 0)["build_next"] = 4
    hold(st, leader_slot(0))
    place(st, leader_slot(0), 40, 40)
    step_inplace(st, orders((0, 0, L.O_BUY, COFFEE, 0), (0, 0, L.O_BUY, SALVE, 0)), 1)
    assert st.arrays.games["buyq"][0, 0].tolist() == [COFFEE, SALVE, -1, -1]
    ev = step_inplace(st, orders((0, 0, L.O_BUY, SCROLL, 0)), 1)
    assert reasons(ev) == [L.R_INVENTORY_FULL]


@pytest.mark.parametrize("wname", ["fast_world", "world"])
def test_inventory_full_counts_buy_orders_in_flight(request, wname):
    st = scenario_state(request.getfixturevalue(wname), DRAFT_Q)
    st.arrays.games["inv"][0, 0] = [BOOTS, GLOVES, -1, -1]
    leader(st, 0)["gold"] = 5000.0
    leader(st, 0)["build_next"] = 4
    two = [(0, 0, L.O_BUY, COFFEE, 0), (0, 0, L.O_BUY, SALVE, 0)]
    third = (0, 0, L.O_BUY, SCROLL, 0)  # 2 owned + 2 on the way = 4
    if wname == "fast_world":  # without latency: in one call
        ev = step_inplace(st, orders(*two, third), 1)
        assert [e[0] for e in order_events(ev)] == ["order_accepted"] * 2 + ["order_rejected"]
    else:  # with latency: the first two still wait in the order queue
        ev = step_inplace(st, orders(*two), 10)
        assert accepted(ev) == 2
        ev = step_inplace(st, orders(third), 1)
    assert reasons(ev) == [L.R_INVENTORY_FULL]


# ---------------------------------------------------------------------------- teleport
def test_teleport_channels_moves_and_starts_its_cooldown(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 40, 40)
    ev = step_inplace(st, orders((0, 0, L.O_TELEPORT, 4, 0)), TP_CHAN)  # to the blue outer tower of lane 0
    assert accepted(ev) == 1 and events(ev, "teleport") == []
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (40, 40)
    assert leader(st, 0)["mode"] == L.M_CHANNEL
    ev = step_inplace(st, None, 1)
    assert [(e["tick"], e["a"], e["b"]) for e in events(ev, "teleport")] == [(TP_CHAN, 0, 4)]
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (8, 29)
    assert leader(st, 0)["mode"] == L.M_NORMAL
    assert leader(st, 0)["teleport_ready_at"] == TP_CHAN + TP_CD
    # on cooldown until then
    tp = orders((0, 0, L.O_TELEPORT, 0, 0))
    assert reasons(step_inplace(st, tp, 1)) == [L.R_COOLDOWN]
    step_to(st, TP_CHAN + TP_CD - 1)
    assert reasons(step_inplace(st, tp, 1)) == [L.R_COOLDOWN]
    ev = step_inplace(st, tp, TP_CHAN + 1)
    assert accepted(ev) == 1
    assert [(e["tick"], e["b"]) for e in events(ev, "teleport")] == [(2 * TP_CHAN + TP_CD, 0)]
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (40, 48)


def test_teleport_with_latency_takes_latency_plus_channel(world):
    st = scenario_state(world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 40, 40)
    ev = step_inplace(st, orders((0, 0, L.O_TELEPORT, 7, 0)), LATENCY + TP_CHAN)  # blue outer tower of lane 1
    assert order_events(ev) == [("order_accepted", 0, 0, L.O_TELEPORT, LATENCY)]
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (40, 40)
    ev = step_inplace(st, None, 1)
    assert [(e["tick"], e["b"]) for e in events(ev, "teleport")] == [(LATENCY + TP_CHAN, 7)]
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (40, 29)
    ready = LATENCY + TP_CHAN + TP_CD
    # the cooldown check looks at when the order will take effect
    step_to(st, ready - LATENCY - 1)
    assert reasons(step_inplace(st, orders((0, 0, L.O_TELEPORT, 0, 0)), 1)) == [L.R_COOLDOWN]
    assert accepted(step_inplace(st, orders((0, 0, L.O_TELEPORT, 0, 0)), 1)) == 1


def test_teleport_scroll_ignores_cooldown_and_is_consumed(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 40, 40)
    leader(st, 0)["teleport_ready_at"] = NEVER
    st.arrays.games["inv"][0, 0] = [IRON_SWORD, SCROLL, -1, -1]
    ev = step_inplace(st, orders((0, 0, L.O_TELEPORT, 10, 0)), TP_CHAN + 1)  # sub 10: blue outer tower of lane 2
    assert accepted(ev) == 1
    assert st.arrays.games["inv"][0, 0].tolist() == [IRON_SWORD, -1, -1, -1]
    assert [(e["tick"], e["b"]) for e in events(ev, "teleport")] == [(TP_CHAN, 10)]
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (72, 29)
    # no second scroll
    assert reasons(step_inplace(st, orders((0, 0, L.O_TELEPORT, 0, 0)), 1)) == [L.R_COOLDOWN]


def test_stun_interrupts_teleport_channel(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    hold(st, b)
    place(st, b, 40, 40)
    ev = step_inplace(st, orders((0, 0, L.O_TELEPORT, 4, 0)), TP_CHAN // 2)  # half-way through the channel
    assert accepted(ev) == 1 and leader(st, 0)["mode"] == L.M_CHANNEL  # it was channelling (else nothing to stop)
    set_field(st, b, stun_until=TP_CHAN // 2 + 10)
    ev = step_inplace(st, None, 2 * TP_CHAN)
    assert events(ev, "teleport") == []
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (40, 40)
    assert leader(st, 0)["mode"] == L.M_NORMAL and leader(st, 0)["teleport_ready_at"] == 0  # no cooldown spent


def test_red_teleport_to_own_building_slot(fast_world):
    st = scenario_state(fast_world, DRAFT)
    r = leader_slot(5)
    keep_only(st, [r])
    hold(st, r)
    place(st, r, 40, 9)
    ev = step_inplace(st, orders((1, 0, L.O_TELEPORT, L.N_BLD + 4, 0)), TP_CHAN + 1)  # red's outer tower of lane 0
    assert order_events(ev) == [("order_accepted", 1, 0, L.O_TELEPORT, 0)]
    assert [(e["tick"], e["a"], e["b"]) for e in events(ev, "teleport")] == [(TP_CHAN, 5, 4)]  # b: the sub index
    assert (int(unit(st, r)["x"]), int(unit(st, r)["y"])) == (8, 20)  # the mirror image of blue's (8, 29)
    assert leader(st, 5)["teleport_ready_at"] == TP_CHAN + TP_CD


# ---------------------------------------------------------------------------- retreat
def test_retreat_goes_home_heals_and_returns_to_previous_order(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    leader(st, 0)["build_next"] = 4
    step_inplace(st, orders((0, 0, L.O_PUSH, 2, 0)), 1)
    place(st, b, 72, 40)
    m = float(unit(st, b)["max_hp"])
    prof = fast_world.rec["prof"][leader(st, 0)["profile"]]
    resume, low = float(prof[L.PF_RESUME]), float(prof[L.PF_RETREAT])
    start = (low + resume) / 2  # above the auto-retreat health, below the resume health
    assert low < start < resume
    set_field(st, b, hp=start * m)
    step_inplace(st, None, 8)
    assert (leader(st, 0)["order"], leader(st, 0)["order_a"], leader(st, 0)["mode"]) == (L.O_PUSH, 2, L.M_NORMAL)
    ev = step_inplace(st, orders((0, 0, L.O_RETREAT, 0, 0)), 1)
    assert accepted(ev) == 1
    ld = leader(st, 0)
    assert (ld["order"], ld["mode"], ld["prev_order"], ld["prev_a"]) == (L.O_RETREAT, L.M_RETREAT, L.O_PUSH, 2)
    home = None
    heal = float(fast_world.rec["heal_per_tick"])  # share of the maximum per tick at the fountain
    fountain_r2 = float(fast_world.rec["fountain_r"]) ** 2
    for _ in range(300 + round((resume - start) / heal)):
        step_inplace(st, None, 1)
        u = unit(st, b)
        if leader(st, 0)["mode"] == L.M_RETREAT:
            assert (int(u["goal_x"]), int(u["goal_y"])) == (40, 48) and u["target"] == -1
            if home is None and (int(u["x"]) - 40) ** 2 + (int(u["y"]) - 48) ** 2 <= fountain_r2:
                home = tick(st)
        else:
            break
    assert home is not None, "never reached the core"
    # back to the push once healed to the profile's resume health at the fountain's rate
    ld = leader(st, 0)
    assert (ld["order"], ld["order_a"], ld["mode"]) == (L.O_PUSH, 2, L.M_NORMAL)
    assert unit(st, b)["hp"] >= resume * m - 1e-3
    assert tick(st) - home >= (resume - start) / heal - 1
    step_inplace(st, None, 80)
    assert int(unit(st, b)["x"]) > 50  # on its way back east to lane 2


def test_retreat_heals_to_full_before_resuming(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b = leader_slot(0)
    keep_only(st, [b])
    leader(st, 0)["build_next"] = 4
    place(st, b, 40, 46)
    set_field(st, b, hp=0.5 * float(unit(st, b)["max_hp"]))
    step_inplace(st, orders((0, 0, L.O_RETREAT, 0, 0)), 1)
    for _ in range(600):
        step_inplace(st, None, 1)
        if leader(st, 0)["mode"] != L.M_RETREAT:
            break
    assert leader(st, 0)["order"] == L.O_LANE
    assert unit(st, b)["hp"] == unit(st, b)["max_hp"]


def test_retreat_while_ganking_returns_to_the_order_before_the_gank(fast_world):
    st = scenario_state(fast_world, DRAFT)
    r = leader_slot(5)
    keep_only(st, [r, leader_slot(0)])
    place(st, r, 24, 24)
    place(st, leader_slot(0), 27, 24)
    hold(st, leader_slot(0))
    step_inplace(st, orders((1, 0, L.O_DEFEND, 1, 0)), 10)
    ev = step_inplace(st, orders((1, 0, L.O_GANK, 0, 0)), 1)  # blue leader 0, in sight
    assert accepted(ev) == 1 and leader(st, 5)["order"] == L.O_GANK
    step_inplace(st, orders((1, 0, L.O_RETREAT, 0, 0)), 1)
    ld = leader(st, 5)
    assert (ld["order"], ld["prev_order"], ld["prev_a"]) == (L.O_RETREAT, L.O_DEFEND, 1)


# ---------------------------------------------------------------------------- gank
def test_gank_hunts_a_visible_enemy_leader(fast_world):
    st = scenario_state(fast_world, DRAFT)
    r, b = leader_slot(5), leader_slot(0)
    keep_only(st, [r, b])
    place(st, r, 24, 24)
    place(st, b, 30, 24)
    hold(st, b)
    step_inplace(st, None, 10)  # vision update
    assert st.arrays.games["vis"][0, 1, b] == 1
    x0 = int(unit(st, r)["x"])
    ev = step_inplace(st, orders((1, 0, L.O_GANK, 0, 0)), 8)
    assert accepted(ev) == 1
    assert (leader(st, 5)["order"], leader(st, 5)["order_a"]) == (L.O_GANK, 0)
    assert unit(st, r)["target"] == b
    assert int(unit(st, r)["x"]) > x0  # closing in


def test_blue_gank_uses_global_enemy_index(fast_world):
    st = scenario_state(fast_world, DRAFT)
    r, b = leader_slot(5), leader_slot(0)
    keep_only(st, [r, b])
    place(st, b, 24, 24)
    place(st, r, 30, 24)
    hold(st, r)
    step_inplace(st, None, 10)
    x0 = int(unit(st, b)["x"])
    ev = step_inplace(st, orders((0, 0, L.O_GANK, 5, 0)), 8)  # red leader 0 = global 5, in sight
    assert order_events(ev) == [("order_accepted", 0, 0, L.O_GANK, 10)]
    assert (leader(st, 0)["order"], leader(st, 0)["order_a"]) == (L.O_GANK, 5)
    assert unit(st, b)["target"] == r
    assert int(unit(st, b)["x"]) > x0


def test_gank_ends_3s_after_losing_sight(fast_world):
    st = scenario_state(fast_world, DRAFT)
    r, b = leader_slot(5), leader_slot(0)
    keep_only(st, [r, b])
    disarm(st, r)
    place(st, r, 24, 24)
    place(st, b, 30, 24)
    hold(st, b)
    step_inplace(st, orders((1, 0, L.O_DEFEND, 1, 0)), 10)
    step_inplace(st, orders((1, 0, L.O_GANK, 0, 0)), 1)
    assert leader(st, 5)["order"] == L.O_GANK
    place(st, b, 40, 48)  # blue leader 0 vanishes into its base, out of red's sight
    step_inplace(st, None, 10)
    assert st.arrays.games["vis"][0, 1, b] == 0
    seen = int(leader(st, 5)["gank_seen"])
    while leader(st, 5)["order"] == L.O_GANK and tick(st) < seen + 200:
        step_inplace(st, None, 1)
    assert (leader(st, 5)["order"], leader(st, 5)["order_a"]) == (L.O_DEFEND, 1)  # back to the previous order
    assert seen + 3 * 20 < tick(st) <= seen + 3 * 20 + 1 + int(fast_world.rec["ai_every"])


# ---------------------------------------------------------------------------- micro orders
def test_micro_move_and_stop(fast_world):
    st = scenario_state(fast_world, DRAFT)
    b = leader_slot(0)
    keep_only(st, [b])
    place(st, b, 20, 24)
    set_field(st, b, move_points=0.0)
    per = -(-float(fast_world.rec["cost_o"]) // float(fast_world.rec["hero_stats"][0, L.S_REFILL]))  # ticks a tile
    step_inplace(st, orders((0, 0, L.O_MOVE, 30, 24)), int(10 * per) + 4)
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (30, 24)
    step_inplace(st, None, 20)
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (30, 24)  # stays there
    step_inplace(st, orders((0, 0, L.O_STOP, 0, 0)), 40)
    assert leader(st, 0)["micro"] == 0
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) != (30, 24)  # back to its lane


def test_hold_attacks_an_enemy_in_range(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)
    keep_only(st, [b, r])
    place(st, b, 24, 24)
    place(st, r, 25, 24)
    hold(st, r)  # the enemy leader stands still, never hits back and casts nothing
    st.arrays.leaders[0, 5]["skills"][0] = -1
    st.arrays.leaders[0, 5]["skills"][1] = -1
    set_field(st, r, aspd=0.0, base_as=0.0, root_until=NEVER)
    c = spawn_unit(st, L.K_CREEP, 1, 27, 24)  # a nearly dead creep 3 tiles away: the juicier target
    set_field(st, c, hp=60.0, aspd=0.0, base_as=0.0, root_until=NEVER)
    step_inplace(st, orders((0, 0, L.O_HOLD, 0, 0)), 40)
    assert (int(unit(st, b)["x"]), int(unit(st, b)["y"])) == (24, 24)
    assert unit(st, r)["hp"] < unit(st, r)["max_hp"]  # the enemy leader next to it was attacked


def test_hold_never_walks(fast_world):
    st = scenario_state(fast_world, DRAFT_Q)
    b, r = leader_slot(0), leader_slot(5)
    keep_only(st, [b, r])
    st.arrays.leaders[0, 5]["skills"][0] = -1
    st.arrays.leaders[0, 5]["skills"][1] = -1
    set_field(st, r, aspd=0.0, base_as=0.0, move_points=50.0)  # steps away on tick 1, between two AI decisions
    place(st, b, 24, 24)
    place(st, r, 25, 24)
    st.arrays.leaders[0, 5]["micro"] = L.O_MOVE  # the enemy walks away east
    st.arrays.leaders[0, 5]["micro_a"] = 36
    st.arrays.leaders[0, 5]["micro_b"] = 24
    set_field(st, b, move_points=100.0)
    step_inplace(st, orders((0, 0, L.O_HOLD, 0, 0)), 1)
    assert unit(st, b)["target"] == r
    xs = []
    for _ in range(40):
        step_inplace(st, None, 1)
        xs.append(int(unit(st, b)["x"]))
    assert set(xs) == {24}


def _duel(world, team: int):
    """Leader 0 of ``team`` at (24, 24 mirrored) ordered to attack the enemy leader 0 four tiles east, which
    stands still and never hits back, with a nearly dead enemy creep right beside the attacker (what its
    AI would hit). Returns (state, attacker slot, target slot, creep slot)."""
    st = scenario_state(world, DRAFT_Q)
    me, foe = leader_slot(5 * team), leader_slot(5 * (1 - team))
    keep_only(st, [me, foe])
    y = 24 if team == 0 else 49 - 24
    place(st, me, 24, y)
    place(st, foe, 28, y)
    hold(st, foe)
    st.arrays.leaders[0, 5 * (1 - team)]["skills"][:2] = -1
    set_field(st, foe, aspd=0.0, base_as=0.0, root_until=NEVER)
    st.arrays.leaders[0, 5 * team]["skills"][:2] = -1
    c = spawn_unit(st, L.K_CREEP, 1 - team, 25, y)
    set_field(st, c, hp=60.0, aspd=0.0, base_as=0.0, root_until=NEVER)
    st.arrays.games["vis"][0, team, foe] = 1  # the team sees it now (vision updates every few ticks)
    return st, me, foe, c


@pytest.mark.parametrize("team", [0, 1])
def test_attack_chases_its_target_and_ends_when_it_dies(fast_world, team):
    st, me, foe, c = _duel(fast_world, team)
    ev = step_inplace(st, orders((team, 0, L.O_ATTACK, foe, 0)), 1)
    assert [e[0] for e in order_events(ev)] == ["order_accepted"]
    assert leader(st, 5 * team)["micro"] == L.O_ATTACK and unit(st, me)["target"] == foe
    step_inplace(st, None, 60)
    assert unit(st, me)["x"] > 24  # it walked after the target
    assert unit(st, foe)["hp"] < unit(st, foe)["max_hp"]  # and hit it
    assert unit(st, c)["hp"] == 60.0  # not the juicier creep its AI would have picked
    assert leader(st, 5 * team)["micro"] == L.O_ATTACK
    set_field(st, foe, hp=1.0, dfn=0.0, base_def=0.0)
    step_inplace(st, None, 40)
    assert unit(st, foe)["alive"] == 0
    assert leader(st, 5 * team)["micro"] == 0  # the order ended with its target: the coach's order resumes
    step_inplace(st, None, 40)
    assert unit(st, c)["alive"] == 0  # ... and the leader AI picks its own targets again


@pytest.mark.parametrize("team", [0, 1])
def test_attack_ends_when_the_team_loses_sight_of_its_target(fast_world, team):
    st, me, foe, c = _duel(fast_world, team)
    step_inplace(st, orders((team, 0, L.O_ATTACK, foe, 0)), 1)
    assert leader(st, 5 * team)["micro"] == L.O_ATTACK
    place(st, foe, 60, 24 if team == 0 else 49 - 24)  # far out of sight
    every = int(fast_world.rec["vis_every"])
    step_inplace(st, None, every + 1)
    assert st.arrays.games["vis"][0, team, foe] == 0
    assert leader(st, 5 * team)["micro"] == 0 and unit(st, me)["target"] != foe


@pytest.mark.parametrize("slots", [2, 6])
def test_the_inventory_size_is_the_contents(tmp_path, slots):
    """Inventory slots are a content rule (rules.toml economy.inventory_slots): the state's tables and
    every check follow it (it used to be a literal 4 in four places)."""
    import shutil

    from shotcaller.content import load_content
    from shotcaller.content.loader import CONTENT_DIR

    d = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    rules = (d / "rules.toml").read_text()
    assert "inventory_slots = 4" in rules
    (d / "rules.toml").write_text(rules.replace("inventory_slots = 4", f"inventory_slots = {slots}"))
    w = build_world(load_content(d), SimConfig(), Params(latency_s=0, apm=0, micro=True))
    st = scenario_state(w, DRAFT)
    assert st.arrays.games["inv"].shape[-1] == slots
    leader(st, 0)["gold"] = 50_000.0
    leader(st, 0)["build_next"] = 4
    st.arrays.games["inv"][0, 0] = [BOOTS] * (slots - 1) + [-1]
    ev = step_inplace(st, orders((0, 0, L.O_BUY, COFFEE, 0)), 1)
    assert [e[0] for e in order_events(ev)] == ["order_accepted"]  # one slot free
    st.arrays.games["inv"][0, 0] = [BOOTS] * slots
    st.arrays.games["buyq"][0, 0] = -1
    ev = step_inplace(st, orders((0, 0, L.O_BUY, COFFEE, 0)), 1)
    assert order_events(ev) == [("order_rejected", 0, 0, L.O_BUY, L.R_INVENTORY_FULL)]
