"""Hand-made scenarios on a real state (a B=1 game with chosen leaders, places and fields): for rule tests,
bot authors and tutorials. (Not the bot sandbox: that is :mod:`shotcaller.bots.sandbox`.)

Example:
    >>> st = scenario_state(world, draft=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> keep_only(st, [26, 31])        # blue_0 and red_0 (slots) stay, other leaders leave
    >>> place(st, 26, 24, 24); place(st, 31, 25, 24)
    >>> hold(st, 26); hold(st, 31)     # stand still, fight what is in range
    >>> step_inplace(st, None, 40)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim.spawn import init_unit
from shotcaller.sim.state import State
from shotcaller.sim.step import new_state
from shotcaller.sim.world import World

NEVER = L.NEVER  # a tick that never comes


def scenario_state(world: World, draft: Iterable[int] | None = None, seed: int = 0, waves: bool = False) -> State:
    """A B=1 state at tick 0 with the given draft; creep waves are switched off unless ``waves``."""
    d = np.array([list(draft) if draft is not None else [L.NONE] * 10], np.int8)
    st = new_state(world, seed, d)
    if not waves:
        st.arrays.games["next_wave"][0] = NEVER
    return st


def leader_slot(li: int) -> int:
    """Unit slot of global leader li (blue 0..4, red 5..9)."""
    return L.SLOT_LEADER0 + li


def keep_only(state: State, slots: Iterable[int]) -> None:
    """Remove every leader whose slot is not listed (they do not respawn)."""
    keep = set(slots)
    for li in range(10):
        s = leader_slot(li)
        if s not in keep:
            state.arrays.units[0, s]["alive"] = 0
            state.arrays.leaders[0, li]["respawn_at"] = L.NONE


def place(state: State, slot: int, x: int, y: int) -> None:
    """Move unit ``slot`` to tile (x, y) (must be floor) and make it its goal."""
    if not state.world.rec["floor"][y, x]:
        raise ValueError(f"({x}, {y}) is forest")
    u = state.arrays.units[0, slot]
    u["x"] = x
    u["y"] = y
    u["goal_x"] = x
    u["goal_y"] = y
    state.arrays.units[0, slot] = u


def hold(state: State, slot: int) -> None:
    """Leader at ``slot`` holds its ground (micro ``hold``): no walking, attacks what is in range."""
    li = slot - L.SLOT_LEADER0
    state.arrays.leaders[0, li]["micro"] = L.O_HOLD


def set_field(state: State, slot: int, **fields: float) -> None:
    """Set unit record fields, e.g. ``set_field(st, 26, hp=100)``."""
    for k, v in fields.items():
        state.arrays.units[0, slot][k] = v


def spawn_unit(state: State, kind: int, team: int, x: int, y: int, slot: int | None = None) -> int:
    """Spawn a creep (or treant/elephant) of ``team`` at (x, y) in a free creep slot; returns the slot."""
    A = state.arrays
    U = A.units.shape[1]
    per_team = (U - L.SLOT_CREEP0) // 2
    if slot is None:
        base = L.SLOT_CREEP0 + team * per_team
        free = [s for s in range(base, base + per_team) if not A.units[0, s]["alive"]]
        if not free:
            raise RuntimeError("no free creep slot")
        slot = free[0]
    row = {L.K_CREEP: L.UK_CREEP, L.K_TREANT: L.UK_TREANT, L.K_ELEPHANT: L.UK_ELEPHANT}[kind]
    T = state.world.rec
    init_unit(A, T, 0, slot, kind, team, x, y, T["unit_stats"][row].copy(), 1.0, L.NONE)
    A.units[0, slot]["lane"] = int(T["lane_of_x"][x])
    # park it: the nearest lane-path index so it does not walk back to its barracks
    lane = int(A.units[0, slot]["lane"])
    path = T["lane_path"][team, lane, : T["lane_len"][team, lane]]
    A.units[0, slot]["path_index"] = int(np.argmin((path[:, 0] - x) ** 2 + (path[:, 1] - y) ** 2))
    return slot
