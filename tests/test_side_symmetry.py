"""Side symmetry (issue 9): the map is a top/bottom mirror image, so the engine must favour neither side.

A match and the same match with the two lineups swapped between the sides (same seed) must be exact
mirror images of each other: every unit of one is the other team's unit of the same slot, on the tile
flipped top/bottom, with the same health and the mirrored target, tick after tick, and the result is
swapped. Anything processed in slot order where blue comes first (moves, casts, tie-breaks, decision
phases) breaks this within seconds of the first fight; ``benchmarks/side_balance.py`` measures the
effect on win rates. The only randomness in a default-plan match (SpellSteal's choice) draws from one
stream in the same order in both, so the check is exact, not statistical.
"""

from __future__ import annotations

import numpy as np

from shotcaller.sim import new_state, step_inplace
from shotcaller.sim.layout import E_ITEM_USED, N_BLD, O_BUY, SLOT_CREEP0, SLOT_LEADER0, SLOT_SUMMON0, SUMMONS_PER_LEADER

SEEDS = (0, 3, 18)  # drafts whose early fights met each cause once (phases, moves, casts, ties, projectiles)
MIRROR_TICKS = 4800  # 4 game minutes, tick by tick (~2 s)
RESULT_SEEDS = range(8)  # played to the end (~2 s)
SALVE_SEEDS = range(5)  # with coaches buying Healing Salves: a heal drunk by one side first broke 4 of 5 by tick 2700
SALVE_TICKS = 3000


def mirror_slots(n_units: int) -> np.ndarray:
    """Slot -> the other team's slot of the same role (buildings, leaders, summons, creeps)."""
    per_team = (n_units - SLOT_CREEP0) // 2
    p = np.arange(n_units)
    for s in range(n_units):
        if s < SLOT_LEADER0:
            p[s] = (1 - s // N_BLD) * N_BLD + s % N_BLD
        elif s < SLOT_SUMMON0:
            p[s] = SLOT_LEADER0 + (s - SLOT_LEADER0 + 5) % 10
        elif s < SLOT_CREEP0:
            li, k = divmod(s - SLOT_SUMMON0, SUMMONS_PER_LEADER)
            p[s] = SLOT_SUMMON0 + ((li + 5) % 10) * SUMMONS_PER_LEADER + k
        else:
            j = s - SLOT_CREEP0
            p[s] = SLOT_CREEP0 + (1 - j // per_team) * per_team + j % per_team
    return p


def pairs(world, seeds) -> tuple:
    """A batch of 2 games per seed: its random draft as drawn (even rows), then the lineups swapped (odd)."""
    seeds = np.asarray(seeds, np.int64)
    drafts = new_state(world, seeds).arrays.games["draft"].astype(np.int8)
    both = np.empty((2 * len(seeds), 10), np.int8)
    both[0::2] = drafts
    both[1::2] = np.roll(drafts, 5, axis=1)
    return new_state(world, np.repeat(seeds, 2), both), drafts


def mismatch(state, perm: np.ndarray, height: int) -> list[str]:
    """Where game 2k + 1 is not game 2k mirrored: one line per differing pair, naming the first unit."""
    un = state.arrays.units
    a = un[0::2]
    b = un[1::2][:, perm]
    tb = b["target"].astype(np.int64)
    tb = np.where(tb >= 0, perm[np.maximum(tb, 0)], tb)
    live = a["alive"] != 0
    bad = (a["alive"] != b["alive"]) | (
        live
        & (
            (a["x"] != b["x"])
            | (a["y"] != height - 1 - b["y"].astype(np.int64))
            | (a["hp"] != b["hp"])
            | (a["target"] != tb)
            | (a["kind"] != b["kind"])
        )
    )
    la = state.arrays.leaders[0::2]
    lb = np.roll(state.arrays.leaders[1::2], 5, axis=1)
    lbad = (la["gold"] != lb["gold"]) | (la["kills"] != lb["kills"]) | (la["deaths"] != lb["deaths"])
    out = []
    for k in np.nonzero(bad.any(axis=1) | lbad.any(axis=1))[0]:
        slots = np.nonzero(bad[k])[0].tolist()
        out.append(f"pair {k}: units {slots[:5]}, leaders {np.nonzero(lbad[k])[0].tolist()}")
    return out


def test_swapped_lineups_play_the_mirror_image_tick_by_tick(world):
    state, _ = pairs(world, SEEDS)
    perm = mirror_slots(state.arrays.units.shape[1])
    height = world.height
    for _ in range(MIRROR_TICKS):
        step_inplace(state, None, 1)
        bad = mismatch(state, perm, height)
        assert not bad, f"the sides stopped mirroring each other at tick {int(state.tick[0])}: {bad} (seeds {SEEDS})"


def test_mirror_holds_with_consumables(world):
    """Both coaches buy Healing Salves for the whole team every 30 s (the same orders on both sides), so
    leaders drink them in fights: a heal must count for every decision of the tick, whichever side drank."""
    state, _ = pairs(world, SALVE_SEEDS)
    perm = mirror_slots(state.arrays.units.shape[1])
    salve = world.content.item_id("Healing Salve")
    orders = np.zeros((state.batch, 2, 5), np.int32)
    orders[:, 0] = (0, -1, O_BUY, salve, 0)
    orders[:, 1] = (1, -1, O_BUY, salve, 0)
    used = 0
    for t in range(SALVE_TICKS):
        ev = step_inplace(state, orders if t % 600 == 0 else None, 1)
        used += sum(int((ev.of(b)[:, 1] == E_ITEM_USED).sum()) for b in range(state.batch))
        bad = mismatch(state, perm, world.height)
        assert not bad, f"the sides stopped mirroring each other at tick {int(state.tick[0])}: {bad}"
    assert used > 0, "no Healing Salve was drunk: the test checks nothing"


def test_swapped_lineups_swap_the_result(world):
    """Whole matches: the same lineup wins from either side, at the same tick, with the kills swapped."""
    state, _ = pairs(world, RESULT_SEEDS)
    limit = int(world.rec["time_limit"])
    while not state.done.all() and state.tick.max() <= limit:
        step_inplace(state, None, 1200)
    g = state.arrays.games
    w = g["winner"].astype(np.int64)
    assert state.done.all()
    swapped = np.where(w[0::2] == 2, 2, 1 - w[0::2])
    assert (w[1::2] == swapped).all(), f"winners as drawn {w[0::2].tolist()}, swapped {w[1::2].tolist()}"
    assert (g["end_tick"][0::2] == g["end_tick"][1::2]).all()
    kills = state.arrays.teams["kills"]
    assert (kills[0::2] == kills[1::2][:, ::-1]).all()
