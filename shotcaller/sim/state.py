"""The batched match state: a struct of arrays with a leading game axis B."""

from __future__ import annotations

import hashlib
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim.world import World

Arrays = namedtuple("Arrays", [
    "units",  # (B, U) UNIT_DTYPE
    "leaders",  # (B, 10) LEADER_DTYPE
    "effects",  # (B, U, E) EFFECT_DTYPE
    "proj",  # (B, PR) PROJ_DTYPE
    "teams",  # (B, 2) TEAM_DTYPE
    "games",  # (B,) GAME_DTYPE
    "pending",  # (B, 2, Q) PENDING_DTYPE
    "inv",  # (B, 10, 4) int8 item ids, -1 empty
    "buyq",  # (B, 10, 4) int8 queued purchases, -1 empty
    "apm",  # (B, 2, A) int32 ticks of the last accepted orders (ring)
    "vis",  # (B, 2, U) int8 team t currently sees unit u
    "seen_hp",  # (B, 2, 26) float32 last seen health of every building (0 = seen destroyed)
    "draft",  # (B, 10) int8 hero ids: blue 0..4, red 0..4
    "front",  # (B, 2, 3) int32 furthest lane-path index of each team's creeps per lane (-1 none)
    # scratch and outputs, not part of the checksum
    "events",  # (B, EV, 6) int32
    "react",  # (B, RQ) REACT_DTYPE
    "grid_head",  # (B, 2, NC) int16
    "grid_next",  # (B, U) int16
    "buf",  # (B, 2, U) int16 query results
])
CHECKSUM_FIELDS = ("units", "leaders", "effects", "proj", "teams", "games", "pending", "inv", "buyq",
                   "apm", "vis", "seen_hp", "draft", "front")


@dataclass
class State:
    """B matches at once, as arrays. Use :func:`shotcaller.sim.new_state` to build one.

    The state is plain data: ``copy()`` is a handful of ``ndarray.copy`` calls (cheap enough for
    search bots that clone thousands of times), and ``checksum(b)`` hashes game ``b``'s arrays.
    """

    arrays: Arrays
    world: World

    @property
    def batch(self) -> int:
        return int(self.arrays.games.shape[0])

    @property
    def tick(self) -> np.ndarray:
        """(B,) current tick of every game."""
        return self.arrays.games["tick"].copy()

    @property
    def done(self) -> np.ndarray:
        """(B,) whether each game has ended."""
        return self.arrays.games["done"].astype(bool)

    @property
    def winner(self) -> np.ndarray:
        """(B,) -1 running, 0 blue, 1 red, 2 draw."""
        return self.arrays.games["winner"].copy()

    def copy(self) -> State:
        """A deep copy of the arrays (the world is shared: it never changes)."""
        return State(Arrays(*(a.copy() for a in self.arrays)), self.world)

    def game(self, b: int) -> State:
        """A copy of game ``b`` alone as a B=1 state."""
        return State(Arrays(*(a[b:b + 1].copy() for a in self.arrays)), self.world)

    def checksum(self, b: int = 0) -> str:
        """A 16-hex-digit digest of game ``b``'s full state (scratch and event buffers excluded)."""
        h = hashlib.blake2b(digest_size=8)
        for name in CHECKSUM_FIELDS:
            h.update(np.ascontiguousarray(getattr(self.arrays, name)[b]).tobytes())
        return h.hexdigest()

    def checksums(self) -> list[str]:
        """:meth:`checksum` of every game."""
        return [self.checksum(b) for b in range(self.batch)]


def alloc_arrays(world: World, batch: int) -> Arrays:
    """Zeroed arrays for ``batch`` games (the reset kernel fills them)."""
    cfgs = world.config
    U = L.n_units(cfgs.max_creeps)
    H, W = world.tables.floor.shape
    nc = ((W + L.GRID_CELL - 1) // L.GRID_CELL) * ((H + L.GRID_CELL - 1) // L.GRID_CELL)
    apm = max(1, int(world.cfg[0]["apm"]))
    return Arrays(
        units=np.zeros((batch, U), L.UNIT_DTYPE),
        leaders=np.zeros((batch, 10), L.LEADER_DTYPE),
        effects=np.zeros((batch, U, cfgs.max_effects), L.EFFECT_DTYPE),
        proj=np.zeros((batch, cfgs.max_projectiles), L.PROJ_DTYPE),
        teams=np.zeros((batch, 2), L.TEAM_DTYPE),
        games=np.zeros(batch, L.GAME_DTYPE),
        pending=np.zeros((batch, 2, cfgs.order_queue), L.PENDING_DTYPE),
        inv=np.full((batch, 10, 4), -1, np.int8),
        buyq=np.full((batch, 10, 4), -1, np.int8),
        apm=np.full((batch, 2, apm), -(10**9), np.int32),
        vis=np.zeros((batch, 2, U), np.int8),
        seen_hp=np.zeros((batch, 2, 2 * L.N_BLD), np.float32),
        draft=np.full((batch, 10), -1, np.int8),
        front=np.full((batch, 2, 3), -1, np.int32),
        events=np.zeros((batch, cfgs.event_capacity, 6), np.int32),
        react=np.zeros((batch, cfgs.react_capacity), L.REACT_DTYPE),
        grid_head=np.full((batch, 2, nc), -1, np.int16),
        grid_next=np.full((batch, U), -1, np.int16),
        buf=np.zeros((batch, 2, U), np.int16),
    )
