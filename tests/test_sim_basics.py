"""Time, movement economy, attacks: the first scenario tests."""

from __future__ import annotations

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim import step, step_inplace
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT


def test_step_is_pure_and_advances_ticks(fast_world):
    st = scenario_state(fast_world, DRAFT, waves=True)
    before = st.checksum()
    st2, ev = step(st, None, n_ticks=37)
    assert st.checksum() == before
    assert int(st2.arrays.games["tick"][0]) == 37
    assert st2.checksum() != before


def _walker(world, start, goal):
    """Blue leader 0 alone at ``start`` with an empty tank, ordered (micro move) to ``goal``."""
    st = scenario_state(world, DRAFT)
    s = leader_slot(0)
    keep_only(st, [s])
    place(st, s, *start)
    st.arrays.leaders[0, 0]["micro"] = L.O_MOVE
    st.arrays.leaders[0, 0]["micro_a"] = goal[0]
    st.arrays.leaders[0, 0]["micro_b"] = goal[1]
    set_field(st, s, move_points=0)
    return st, s


def test_leader_moves_one_tile_per_four_ticks(fast_world):
    st, s = _walker(fast_world, (20, 24), (30, 24))
    xs = []
    for _ in range(12):
        step_inplace(st, None, 1)
        xs.append(int(st.arrays.units[0, s]["x"]))
    # refill 25 per tick, an orthogonal step costs 100
    assert xs == [20, 20, 20, 21, 21, 21, 21, 22, 22, 22, 22, 23]


def test_diagonal_step_costs_141(fast_world):
    st, s = _walker(fast_world, (20, 23), (23, 26))
    moves = [(0, (20, 23))]
    for t in range(1, 16):
        step_inplace(st, None, 1)
        xy = (int(st.arrays.units[0, s]["x"]), int(st.arrays.units[0, s]["y"]))
        if xy != moves[-1][1]:
            moves.append((t, xy))
    # a full tank (100) pays a diagonal step and goes 41 into debt: 4 ticks, then 141 / 25 -> 6 ticks
    assert moves[1:3] == [(4, (21, 24)), (10, (22, 25))]


def test_root_and_stun_stop_movement(fast_world):
    st, s = _walker(fast_world, (20, 24), (30, 24))
    set_field(st, s, root_until=40)
    step_inplace(st, None, 40)
    assert int(st.arrays.units[0, s]["x"]) == 20
    assert float(st.arrays.units[0, s]["move_points"]) == 0.0
    step_inplace(st, None, 8)
    assert int(st.arrays.units[0, s]["x"]) > 20


def test_attack_damage_and_interval(fast_world):
    st = scenario_state(fast_world, DRAFT)
    s = leader_slot(5)  # Chiron: no attack-modifying skill
    keep_only(st, [s])
    place(st, s, 24, 24)
    hold(st, s)
    c = spawn_unit(st, L.K_CREEP, 0, 25, 24)
    set_field(st, c, root_until=NEVER, aspd=0.0, base_as=0.0)  # the creep does not hit back
    hp0 = float(st.arrays.units[0, c]["hp"])
    hps = [hp0]
    for _ in range(60):
        step_inplace(st, None, 1)
        hps.append(float(st.arrays.units[0, c]["hp"]))
    drops = [i for i in range(1, 61) if hps[i] < hps[i - 1]]
    assert np.diff(drops).tolist() == [20, 20]  # attack speed 10 -> one attack per second
    assert hp0 - hps[-1] == 3 * (50 - 2)  # damage = attack - defense
