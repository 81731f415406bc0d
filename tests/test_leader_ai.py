"""Leader AI scenarios: tower aggro keeps laners from hitting leaders under enemy towers; a won fight
becomes a push (docs/rules.md, "Leader AI"). Each scenario runs for both teams."""

from __future__ import annotations

import numpy as np
import pytest

from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.scenario import hold, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT


def unit(st, slot: int):
    return st.arrays.units[0, slot]


@pytest.fixture(scope="module")
def w(content):
    return build_world(content, SimConfig(), Params(latency_s=0, apm=0, micro=True))


def disarm(st) -> None:
    """Buildings and leaders never attack and leaders cast nothing: only the choice of target is seen."""
    for s in range(L.SLOT_CREEP0):
        set_field(st, s, aspd=0.0, base_as=0.0)
    for li in range(10):
        st.arrays.leaders[0, li]["skills"][0] = -1
        st.arrays.leaders[0, li]["skills"][1] = -1


def under_tower(w, a: int, victim_hits: float | None):
    """Team a's mid laner stands 5 tiles from an enemy leader that stands 2 tiles in front of its middle
    outer tower; one of team a's creeps is in the tower's range (the tower has something else to shoot).
    ``victim_hits``: the victim's health in hits of the hunter (None: 60% of its maximum, a target the
    hunter would pick over the tower anywhere else).
    Returns (state, hunter slot, victim slot) after the hunter's first decisions."""
    e = 1 - a
    st = scenario_state(w, draft=DRAFT)
    disarm(st)
    hunter, victim = leader_slot(a * 5 + 2), leader_slot(e * 5 + 2)
    for li in range(10):  # the others wait at home, alive: no counter-push (push_when_dead) here
        s = leader_slot(li)
        if s not in (hunter, victim):
            place(st, s, 36 + li % 5, 2 if li >= 5 else 47)
            hold(st, s)
    tw = e * L.N_BLD + 4 + 3 * 1 + 0  # the enemy's middle outer tower
    x, y = int(unit(st, tw)["x"]), int(unit(st, tw)["y"])
    d = 1 if a == 0 else -1  # blue comes from below (larger y), red from above
    place(st, victim, x, y + 2 * d)
    place(st, hunter, x, y + 7 * d)
    creep = spawn_unit(st, L.K_CREEP, a, x + 1, y + 3 * d)
    set_field(st, creep, aspd=0.0, base_as=0.0)  # it stands there and hits nothing
    if victim_hits is not None:  # the victim's health, in hits of the hunter
        set_field(st, victim, hp=victim_hits * float(unit(st, hunter)["atk"]))
    else:
        set_field(st, victim, hp=0.6 * float(unit(st, victim)["max_hp"]))
    for li in (a * 5 + 2, e * 5 + 2):
        st.arrays.leaders[0, li]["order"] = L.O_LANE
        st.arrays.leaders[0, li]["order_a"] = 1
    step_inplace(st, None, 8)
    assert int(unit(st, tw)["cover"]) >= 1  # the creep stands in range: the tower is "covered"
    return st, hunter, victim


@pytest.mark.parametrize("a", [0, 1], ids=["blue_hunts", "red_hunts"])
def test_a_laner_leaves_a_hurt_leader_under_its_tower_even_with_creep_cover(w, a):
    st, hunter, victim = under_tower(w, a, None)
    assert int(unit(st, hunter)["target"]) != victim


@pytest.mark.parametrize("a", [0, 1], ids=["blue_hunts", "red_hunts"])
def test_a_laner_finishes_a_nearly_dead_leader_under_its_tower(w, a):
    st, hunter, victim = under_tower(w, a, 1.5)  # one or two hits finish it
    assert int(unit(st, victim)["alive"]) == 1
    assert int(unit(st, hunter)["target"]) == victim


def laner_goal_after_deaths(w, a: int, dead: int) -> int:
    """Tick 40 s of a match with waves; then ``dead`` enemy leaders die and team a's mid laner is healed.
    Its goal row three decisions later, as a distance walked up its lane (larger: nearer the enemy)."""
    st = scenario_state(w, draft=DRAFT, waves=True)
    step_inplace(st, None, 20 * 40)
    e = 1 - a
    for i in range(dead):
        unit(st, leader_slot(e * 5 + i))["alive"] = 0
        st.arrays.leaders[0, e * 5 + i]["respawn_at"] = L.NONE
    laner = unit(st, leader_slot(a * 5 + 2))
    laner["hp"] = laner["max_hp"]  # whatever the first 40 s did to it, it is fit to push
    st.arrays.leaders[0, a * 5 + 2]["mode"] = L.M_NORMAL
    step_inplace(st, None, 3 * int(w.rec["ai_every"]))  # three of its decisions
    gy = int(unit(st, leader_slot(a * 5 + 2))["goal_y"])
    return -gy if a == 0 else gy  # blue's base is at the bottom


@pytest.mark.parametrize("a", [0, 1], ids=["blue", "red"])
def test_laners_push_while_three_enemy_leaders_are_dead(w, a):
    """The standard profile's ``push_when_dead`` is 3: with three enemy leaders dead the mid laner moves
    up to its creep front (the ``push`` order's goal); with two it stays behind its creeps."""
    std = w.content.profile_params[w.content.profile_id("standard")]
    assert std[L.PF_PUSH_WHEN_DEAD] == 3
    two = laner_goal_after_deaths(w, a, 2)
    three = laner_goal_after_deaths(w, a, 3)
    assert three > two
    assert np.isfinite(three)
