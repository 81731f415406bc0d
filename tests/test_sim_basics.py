"""Time, movement economy, attacks: the first scenario tests."""

from __future__ import annotations

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim import step, step_inplace
from shotcaller.sim.scenario import NEVER, hold, keep_only, leader_slot, place, scenario_state, set_field, spawn_unit
from tests.helpers import DRAFT

ROLLO, CHIRON = 0, 5  # hero ids: blue and red leader 0 of DRAFT


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


def _economy(w, cost: float, n: int) -> list[int]:
    """Tiles walked after each of ``n`` ticks by blue leader 0 (Rollo) from an empty tank, by the rule of
    docs/rules.md: refill points each tick up to the cap; a step takes its cost, or a full tank when it
    costs more than the cap (the points then go negative)."""
    refill, cap = float(w.rec["hero_stats"][ROLLO, L.S_REFILL]), float(w.rec["max_pts"])
    pts, walked, out = 0.0, 0, []
    for _ in range(n):
        pts = min(cap, pts + refill)
        if pts >= min(cost, cap):
            pts -= cost
            walked += 1
        out.append(walked)
    return out


def test_leader_moves_one_tile_per_orthogonal_cost_over_refill(fast_world):
    st, s = _walker(fast_world, (20, 24), (30, 24))
    n = _economy(fast_world, float(fast_world.rec["cost_o"]), 1000).index(3) + 2  # three steps and a bit
    want = _economy(fast_world, float(fast_world.rec["cost_o"]), n)
    xs = []
    for _ in range(n):
        step_inplace(st, None, 1)
        xs.append(int(st.arrays.units[0, s]["x"]) - 20)
    assert xs == want and xs[-1] == 3


def test_diagonal_step_costs_the_diagonal_cost(fast_world):
    st, s = _walker(fast_world, (20, 23), (23, 26))  # rows 23..26 are open floor
    cost_d = float(fast_world.rec["cost_d"])
    n = _economy(fast_world, cost_d, 1000).index(2) + 2  # two steps and a bit
    want = _economy(fast_world, cost_d, n)
    got = []
    for _ in range(n):
        step_inplace(st, None, 1)
        x, y = int(st.arrays.units[0, s]["x"]), int(st.arrays.units[0, s]["y"])
        assert x - 20 == y - 23  # on the diagonal
        got.append(x - 20)
    assert got == want and got[-1] == 2


def test_root_and_stun_stop_movement(fast_world):
    st, s = _walker(fast_world, (20, 24), (30, 24))
    set_field(st, s, root_until=40)
    step_inplace(st, None, 40)
    assert int(st.arrays.units[0, s]["x"]) == 20
    assert float(st.arrays.units[0, s]["move_points"]) == 0.0
    first = _economy(fast_world, float(fast_world.rec["cost_o"]), 30).index(1) + 1  # ticks to the first step
    step_inplace(st, None, first)
    assert int(st.arrays.units[0, s]["x"]) == 21


def test_attack_damage_and_interval(fast_world):
    st = scenario_state(fast_world, DRAFT)
    s = leader_slot(5)  # Chiron (hero 5): no attack-modifying skill
    keep_only(st, [s])
    place(st, s, 24, 24)
    hold(st, s)
    c = spawn_unit(st, L.K_CREEP, 0, 25, 24)
    set_field(st, c, root_until=NEVER, aspd=0.0, base_as=0.0)  # the creep does not hit back
    atk, aspd = (float(fast_world.rec["hero_stats"][CHIRON, k]) for k in (L.S_ATK, L.S_AS))
    every = max(1, int(10.0 * float(fast_world.rec["tps"]) / aspd + 0.5))  # docs/rules.md: the attack interval
    dmg = max(1.0, atk - float(st.arrays.units[0, c]["dfn"]))  # docs/rules.md: max(1, Attack - Defense)
    hp0 = float(st.arrays.units[0, c]["hp"])
    assert 3 * dmg < hp0
    hps = [hp0]
    for _ in range(3 * every):
        step_inplace(st, None, 1)
        hps.append(float(st.arrays.units[0, c]["hp"]))
    drops = [i for i in range(1, len(hps)) if hps[i] < hps[i - 1]]
    assert np.diff(drops).tolist() == [every, every]
    assert hp0 - hps[-1] == 3 * dmg
