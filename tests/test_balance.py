"""Balance smoke: default plan against default plan over 100 seeds with random drafts."""

from __future__ import annotations

import numpy as np

from shotcaller.sim import new_state, step_inplace


def test_default_matches_end_in_time_and_are_even(world):
    n = 100
    state = new_state(world, np.arange(n))
    while not state.done.all():
        step_inplace(state, None, 2400)
    g = state.arrays.games
    minutes = g["end_tick"] / world.rec["tps"] / 60
    core = (g["end_reason"] == 0).mean()
    blue = (g["winner"] == 0).mean()
    red = (g["winner"] == 1).mean()
    assert core >= 0.90, f"only {core:.0%} of matches ended with a core destroyed"
    assert 8 <= np.median(minutes) <= 25, f"median length {np.median(minutes):.1f} min"
    assert 0.40 <= blue <= 0.60 and 0.40 <= red <= 0.60, f"blue {blue:.0%} red {red:.0%}"
