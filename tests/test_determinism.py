"""Determinism (docs/design.md section 1): same content + seed + order log => bit-identical matches.

* across processes with different ``PYTHONHASHSEED`` values (no hash-order dependence);
* a batch of B games equals B separate single-game runs (games never leak into each other);
* ``n`` ticks in one ``step`` call equal ``n`` calls of one tick;
* ``State.copy`` / ``State.game`` are independent clones (search bots) and ``step`` is pure.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shotcaller.sim import Params, SimConfig, build_world, new_state, step, step_inplace
from shotcaller.sim import layout as L
from tests.helpers import DRAFT

ROOT = Path(__file__).resolve().parents[1]

# A 3000-tick match of two games (one drafted at random, one with a fixed draft) under the default
# rules (2 s latency, APM cap), with a fixed order stream touching every order kind, valid or not.
SCRIPT = r"""
import numpy as np
from shotcaller.content import load_content
from shotcaller.sim import build_world, new_state, step_inplace
from shotcaller.sim import layout as L

ORDERS = {
    0: [[0, -1, L.O_PUSH, 1, 0], [1, 2, L.O_LANE, 0, 0]],
    100: [[0, 0, L.O_BUY, 0, 0], [1, -1, L.O_BUY, 3, 0], [0, 1, L.O_STANCE, 0, 0]],
    400: [[0, 3, L.O_GROUP, 40, 30], [1, 1, L.O_DEFEND, 2, 0], [1, 0, L.O_GANK, 2, 0]],
    700: [[0, -1, L.O_RETREAT, 0, 0], [1, 4, L.O_TELEPORT, 13 + 4, 0], [0, 9, 77, -5, 10**6]],
    1200: [[0, 2, L.O_TELEPORT, 5, 0], [1, -1, L.O_STANCE, 2, 0], [2, 0, L.O_LANE, 1, 0]],
    1800: [[0, -1, L.O_LANE, 2, 0], [1, 3, L.O_MOVE, 30, 30], [0, 4, L.O_BUY, 999, 0]],
    2500: [[1, -1, L.O_PUSH, 0, 0], [0, 0, L.O_GANK, 7, 0]],
}
world = build_world(load_content())
state = new_state(world, [20240601, 7], np.array([[-1] * 10, list(range(10))], np.int8))
t = 0
while t < 3000:
    rows = ORDERS.get(t)
    orders = None
    if rows:
        orders = np.array([rows, rows], np.int32)
    step_inplace(state, orders, 100)
    t += 100
    print(t, *state.checksums())
g = state.arrays.teams
print("orders", *g["orders_given"].ravel().tolist(), *g["orders_rejected"].ravel().tolist())
print("draft", *state.arrays.games["draft"].ravel().tolist())
"""


def _run_script_subprocess(hashseed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _run_script_here() -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(SCRIPT, "<determinism-script>", "exec"), {"__name__": "determinism_script"})
    return buf.getvalue()


def test_same_seed_and_orders_identical_across_processes_and_hash_seeds():
    a = _run_script_subprocess("0")
    b = _run_script_subprocess("4242")
    here = _run_script_here()
    assert a == b
    assert a == here
    lines = a.splitlines()
    ticks = [ln.split() for ln in lines if ln[0].isdigit()]
    assert [int(r[0]) for r in ticks] == list(range(100, 3001, 100))
    # the match really evolves, and the two games really differ
    assert len({r[2] for r in ticks}) == len(ticks)  # game 0 may end early (blue pushes mid with five)
    assert all(r[1] != r[2] for r in ticks)
    # the order stream was really used: both accepted and rejected orders
    counts = [int(x) for x in lines[-2].split()[1:]]
    given, rejected = counts[:4], counts[4:]
    assert all(n > 0 for n in given) and all(n > 0 for n in rejected)


# ----------------------------------------------------------------------------- batch == singles
B = 64
CHUNK = 100
N_CHUNKS = 16


def _order_plan(seed: int) -> list[np.ndarray]:
    """Per chunk, a (B, K, 5) order array: different valid-looking and garbage orders per game."""
    rng = np.random.default_rng(seed)
    plan = []
    for _ in range(N_CHUNKS):
        o = np.zeros((B, 3, 5), np.int32)
        for b in range(B):
            for k in range(rng.integers(0, 4)):
                team = int(rng.integers(0, 2))
                kind = int(rng.integers(1, 10))
                a = int(rng.integers(0, 3)) if kind != L.O_GROUP else int(rng.integers(0, 60))
                o[b, k] = (team, int(rng.integers(-1, 5)), kind, a, int(rng.integers(0, 40)))
        o[rng.integers(0, B), 0] = (5, 9, 99, -7, 1 << 20)  # garbage
        plan.append(o)
    return plan


@pytest.fixture(scope="module")
def autoreset_world(content):
    """Short matches that restart inside ``step`` (derived seeds): several episodes per game."""
    return build_world(content, SimConfig(), Params(time_limit_s=30, autoreset=True))


@pytest.mark.parametrize("which", ["world", "autoreset_world"])
def test_batch_of_64_equals_64_single_runs(which, request):
    world = request.getfixturevalue(which)
    seeds = np.arange(B, dtype=np.int64) * 7919 + 3
    drafts = np.full((B, 10), -1, np.int8)
    drafts[::3] = DRAFT  # every third game has a fixed draft, the others draw one
    plan = _order_plan(11)

    batch = new_state(world, seeds, drafts)
    batch_ev: list[list[np.ndarray]] = [[] for _ in range(B)]
    trail = []
    for o in plan:
        ev = step_inplace(batch, o, CHUNK)
        for b in range(B):
            batch_ev[b].append(ev.of(b).copy())
        trail.append(batch.checksums())
    assert int(batch.arrays.games["dropped"].sum()) == 0

    for b in range(B):
        single = new_state(world, seeds[b : b + 1], drafts[b : b + 1])
        for c, o in enumerate(plan):
            ev = step_inplace(single, o[b : b + 1], CHUNK)
            assert single.checksum(0) == trail[c][b], f"game {b} diverged from its batch run in chunk {c}"
            np.testing.assert_array_equal(ev.of(0), batch_ev[b][c])
    if which == "autoreset_world":
        assert (batch.arrays.games["episode"] > 1).all()


# ----------------------------------------------------------------------------- n ticks == n x 1 tick
ORDERS3 = np.array(
    [
        [[0, -1, L.O_PUSH, 2, 0], [1, 0, L.O_BUY, 1, 0]],
        [[1, -1, L.O_RETREAT, 0, 0], [0, 3, L.O_GROUP, 30, 25]],
        [[0, 1, L.O_STANCE, 2, 0], [3, 3, 3, 3, 3]],
    ],
    np.int32,
)


def _fresh3(world, start: int):
    st = new_state(world, [5, 6, 7], np.array([DRAFT, [-1] * 10, DRAFT], np.int8))
    step_inplace(st, None, start)
    return st


@pytest.mark.parametrize("which", ["world", "fast_world", "autoreset_world"])
@pytest.mark.parametrize("start", [0, 1500])
def test_n_ticks_in_one_call_equals_n_single_ticks(which, start, request):
    world = request.getfixturevalue(which)
    n = 700  # crosses the 2 s order latency, creep waves and (autoreset_world) a match restart
    one = _fresh3(world, start)
    ev_one = step_inplace(one, ORDERS3, n)
    assert int(ev_one.dropped.sum()) == 0
    many = _fresh3(world, start)
    parts: list[list[np.ndarray]] = [[], [], []]
    for k in range(n):
        ev = step_inplace(many, ORDERS3 if k == 0 else None, 1)
        for b in range(3):
            parts[b].append(ev.of(b).copy())
    assert many.checksums() == one.checksums()
    np.testing.assert_array_equal(many.tick, one.tick)
    for b in range(3):  # the events of one call are the events of the single ticks, in order
        np.testing.assert_array_equal(np.concatenate(parts[b]), ev_one.of(b))
    if which == "autoreset_world" and start == 1500:
        assert (one.arrays.games["episode"] > 1).all()


# ----------------------------------------------------------------------------- copies and purity
def _content(state, b: int | None = None) -> list[bytes]:
    """Every field value of every array (of game b, or all), padding bytes left out."""

    def flat(a: np.ndarray) -> bytes:
        if a.dtype.names is None:
            return np.ascontiguousarray(a).tobytes()
        return b"".join(flat(a[name]) for name in a.dtype.names)

    return [flat(a if b is None else a[b]) for a in state.arrays]


def _poison_padding(state) -> None:
    """Fill the alignment padding of every record array with 0xFF (field values unchanged)."""
    for a in state.arrays:
        if a.dtype.names is None:
            continue
        used = np.zeros(a.dtype.itemsize, bool)
        for f in a.dtype.names:
            dt, off = a.dtype.fields[f][:2]
            used[off : off + dt.itemsize] = True
        raw = a.view(np.uint8).reshape(-1, a.dtype.itemsize)
        raw[:, ~used] = 0xFF


def test_copy_is_independent_of_the_original(fast_world):
    st = new_state(fast_world, [1, 2])
    step_inplace(st, None, 400)
    before = _content(st)

    clone = st.copy()
    assert _content(clone) == before
    for a, c in zip(st.arrays, clone.arrays, strict=True):
        assert not np.shares_memory(a, c)
    # advancing / editing the clone leaves the original untouched
    step_inplace(clone, np.array([[[0, -1, L.O_RETREAT, 0, 0]]] * 2, np.int32), 250)
    clone.arrays.units["hp"][:] = 1.0
    clone.arrays.games["inv"][:] = 3
    assert _content(st) == before
    # and editing the original leaves a clone untouched
    clone2 = st.copy()
    snap2 = _content(clone2)
    st.arrays.leaders["gold"][:] = 12345.0
    st.arrays.pending["used"][:] = 1
    assert _content(clone2) == snap2


def test_clones_replay_the_same_future(fast_world):
    """What a search bot relies on: from a clone, the same orders give the same future."""
    st = new_state(fast_world, [3, 4])
    step_inplace(st, None, 600)
    orders = np.array([[[0, -1, L.O_PUSH, 1, 0]], [[1, 1, L.O_GROUP, 40, 30]]], np.int32)
    clones = [st.copy() for _ in range(3)]
    for c in clones:
        step_inplace(c, orders, 400)
    step_inplace(st, orders, 400)
    for c in clones:
        assert _content(c) == _content(st)


def test_game_extracts_one_independent_game(fast_world):
    st = new_state(fast_world, [11, 12, 13])
    step_inplace(st, None, 200)
    g = st.game(1)
    assert g.batch == 1
    assert _content(g, 0) == _content(st, 1)
    before = _content(st)
    step_inplace(g, None, 300)
    assert _content(st) == before
    step_inplace(st, None, 300)
    assert _content(g, 0) == _content(st, 1)


def test_step_is_pure(world):
    st = new_state(world, [21, 22])
    step_inplace(st, None, 100)
    before = _content(st)
    tables = world.tables.tobytes()
    orders = np.array([[[0, -1, L.O_PUSH, 0, 0]], [[1, 4, L.O_BUY, 2, 0]]], np.int32)
    s1, e1 = step(st, orders, 300)
    s2, e2 = step(st, orders, 300)
    assert _content(st) == before, "step changed its input state"
    assert world.tables.tobytes() == tables, "step changed the world tables"
    assert _content(s1) == _content(s2)
    assert _content(s1) != before
    np.testing.assert_array_equal(s1.tick, st.tick + 300)
    # step == copy + step_inplace
    s3 = new_state(world, [21, 22])
    step_inplace(s3, None, 100)
    e3 = step_inplace(s3, orders, 300)
    assert _content(s3)[:7] == _content(s1)[:7]  # state arrays (events/react are scratch)
    for b in range(2):
        np.testing.assert_array_equal(e1.of(b), e2.of(b))
        np.testing.assert_array_equal(e1.of(b), e3.of(b))
    # the returned events are the caller's: later steps do not overwrite them
    saved = e1.data.copy()
    step(s1, None, 300)
    step_inplace(s1, None, 300)
    np.testing.assert_array_equal(e1.data, saved)


# ----------------------------------------------------------------------------- checksums of copies
def test_checksum_depends_on_field_values_only(world):
    st = new_state(world, [1, 2])
    step_inplace(st, None, 200)
    other = new_state(world, [1, 2])
    step_inplace(other, None, 200)
    _poison_padding(other)
    assert _content(other) == _content(st)
    assert other.checksums() == st.checksums()


def test_checksum_of_copies_game_and_step_equals_the_original(world):
    st = new_state(world, np.arange(64) + 100)
    step_inplace(st, None, 200)
    sums = st.checksums()
    for _ in range(5):
        assert st.copy().checksums() == sums
        assert st.game(7).checksum(0) == sums[7]
    stepped, _ = step(st, None, 100)
    step_inplace(st, None, 100)
    assert stepped.checksums() == st.checksums()


def test_dropped_events_are_counted_per_step_call(content):
    world = build_world(content, SimConfig(event_capacity=16), Params(latency_s=0, apm=0))
    st = new_state(world, [1])
    ev = step_inplace(st, None, 3000)  # more events than the buffer holds
    assert int(ev.count[0]) == 16 and int(ev.dropped[0]) > 0
    ev = step_inplace(st, None, 1)  # one quiet tick
    assert int(ev.count[0]) < 16
    assert int(ev.dropped[0]) == 0
