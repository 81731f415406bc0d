"""Property tests: arbitrary order streams (garbage included) never crash the game or break its invariants.

Starting from a few reference points of real matches (kick-off, mid-game fights, the last seconds
before a core falls), hypothesis feeds random ``(team, leader, kind, a, b)`` rows over a few hundred
ticks and after every tick checks that

* living units have 0 <= hp <= max_hp and stand on a floor tile; gold is never negative;
* dead units are inert (a unit dead before and after a tick neither moves nor changes hp) and dead
  leaders have no target;
* a destroyed building never comes back (alive building count is monotone);
* the tick advances by one while the game runs; a finished game stays finished and untouched
  (orders sent to it are rejected with "the match is over");
* every non-padding order is answered by exactly one accepted/rejected event, with a known reason.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim import layout as L

N_TICKS = 300
INT32 = st.integers(-(2**31), 2**31 - 1)


def _run_to_end(world, seed: int) -> int:
    s = new_state(world, seed)
    while not s.done[0]:
        step_inplace(s, None, 500)
    return int(s.arrays.games["end_tick"][0])


def _at(world, seed: int, tick: int):
    s = new_state(world, seed)
    step_inplace(s, None, tick)
    return s


class Starts(dict):
    """The reference states, with a short repr for hypothesis' reports."""

    def __repr__(self) -> str:
        return f"<{len(self)} reference states>"


@pytest.fixture(scope="module")
def starts(content, world, fast_world):
    """Reference states (B=1) the random order streams start from."""
    short = build_world(content, SimConfig(), Params(latency_s=0, apm=0, time_limit_s=20))
    out = {
        "kickoff/default": _at(world, 1, 0),
        "kickoff/fast+micro": _at(fast_world, 2, 0),
        "midgame/default": _at(world, 3, 5000),
        "midgame/fast+micro": _at(fast_world, 4, 7000),
        "late/fast+micro": _at(fast_world, 5, 11000),
        "timeout/short": _at(short, 6, 250),
    }
    end = _run_to_end(fast_world, 7)
    out["core-falls/fast+micro"] = _at(fast_world, 7, max(0, end - 120))
    return Starts(out)


START_NAMES = [
    "kickoff/default",
    "kickoff/fast+micro",
    "midgame/default",
    "midgame/fast+micro",
    "late/fast+micro",
    "timeout/short",
    "core-falls/fast+micro",
]

# Mostly plausible values with a good share of garbage: out-of-range, negative, int32 extremes.
TEAM = st.one_of(st.integers(-1, 2), INT32)
LEADER = st.one_of(st.integers(-2, 5), INT32)
KIND = st.one_of(st.integers(-1, L.N_ORDER_KINDS), INT32)
ARG = st.one_of(st.integers(-2, 70), INT32)
ORDER = st.tuples(st.integers(0, N_TICKS - 1), TEAM, LEADER, KIND, ARG, ARG)


def _check_tick(world, prev_units, prev_games, state, n_orders: int, answered: int, reasons) -> None:
    A = state.arrays
    un = A.units[0]
    g = A.games[0]
    floor = world.rec["floor"]
    H, W = floor.shape
    alive = un["alive"] != 0
    was_alive = prev_units["alive"] != 0

    # health, gold
    hp, max_hp = un["hp"][alive], un["max_hp"][alive]
    assert np.isfinite(hp).all() and np.isfinite(max_hp).all()
    bad = np.nonzero((hp < 0) | (hp > max_hp))[0]
    assert bad.size == 0, f"hp out of [0, max_hp] for slots {np.nonzero(alive)[0][bad].tolist()}"
    gold = A.leaders[0]["gold"]
    assert np.isfinite(gold).all() and (gold >= 0).all(), f"negative gold {gold.tolist()}"

    # positions
    xs, ys = un["x"][alive].astype(np.int64), un["y"][alive].astype(np.int64)
    assert ((xs >= 0) & (xs < W) & (ys >= 0) & (ys < H)).all(), "a living unit is off the map"
    off = np.nonzero(floor[ys, xs] == 0)[0]
    assert off.size == 0, f"living units off the floor: slots {np.nonzero(alive)[0][off].tolist()}"

    # dead units are inert
    dead = ~alive & ~was_alive
    for f in ("x", "y", "hp"):
        moved = np.nonzero(dead & (un[f] != prev_units[f]))[0]
        assert moved.size == 0, f"dead units changed {f}: slots {moved.tolist()}"
    ls = slice(L.SLOT_LEADER0, L.SLOT_LEADER0 + 10)
    dead_leader = un["alive"][ls] == 0
    assert (un["target"][ls][dead_leader] == -1).all(), "a dead leader has a target"

    # buildings never come back
    bld_now = alive[: 2 * L.N_BLD]
    bld_before = was_alive[: 2 * L.N_BLD]
    assert not (bld_now & ~bld_before).any(), "a destroyed building came back"
    lost = A.teams[0]["buildings_lost"]
    assert int(lost.sum()) == int((~bld_now).sum())

    # time
    if prev_games["done"]:
        assert g["done"] and g["tick"] == prev_games["tick"]
    else:
        assert g["tick"] == prev_games["tick"] + 1
    assert g["winner"] in ((-1,) if not g["done"] else (0, 1, 2))

    # orders: each one accepted or rejected, visibly; a finished match rejects them all
    assert answered == n_orders, f"{n_orders} orders given, {answered} accepted/rejected events"
    assert all(0 < r < len(L.REJECT_REASONS) for r in reasons), f"unknown reject reasons {reasons}"
    if prev_games["done"]:
        assert reasons == [L.R_GAME_OVER] * n_orders


def _frozen(A) -> list[bytes]:
    """What must not change in a finished game (only the rejected-order counter and events may)."""
    teams = A.teams.copy()
    teams["orders_rejected"] = 0
    return [a.tobytes() for a in (A.units, A.leaders, teams, A.pending, A.proj, A.effects)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(start=st.sampled_from(START_NAMES), orders=st.lists(ORDER, max_size=40))
def test_random_order_streams_keep_invariants(starts, start, orders):
    state = starts[start].copy()
    world = state.world
    by_tick: dict[int, list[list[int]]] = {}
    for t, *row in orders:
        by_tick.setdefault(t, []).append(row)
    A = state.arrays
    for k in range(N_TICKS):
        prev_units = A.units[0].copy()
        prev_games = A.games[0].copy()
        prev_fields = None
        if prev_games["done"]:
            prev_fields = _frozen(A)
        rows = by_tick.get(k)
        arr = np.array([rows], np.int32) if rows else None
        ev = step_inplace(state, arr, 1)
        e = ev.of(0)
        assert int(ev.dropped[0]) == 0, "events were dropped in a single tick"
        answered = int(np.isin(e[:, 1], (L.E_ORDER_OK, L.E_ORDER_REJECTED)).sum())
        reasons = e[e[:, 1] == L.E_ORDER_REJECTED, 5].tolist()
        n_orders = sum(1 for r in rows or () if r[2] != L.O_NONE)
        _check_tick(world, prev_units, prev_games, state, n_orders, answered, reasons)
        if prev_fields is not None:
            assert _frozen(A) == prev_fields, "a finished game changed"
