"""The batched match state: a struct of arrays with a leading game axis B."""

from __future__ import annotations

import hashlib
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim.world import World

Arrays = namedtuple(
    "Arrays",
    [
        "units",  # (B, U) UNIT_DTYPE
        "leaders",  # (B, 10) LEADER_DTYPE
        "effects",  # (B, U, E) EFFECT_DTYPE
        "proj",  # (B, PR) PROJ_DTYPE
        "teams",  # (B, 2) TEAM_DTYPE
        "games",  # (B,) game record (game_dtype): scalars plus per-game tables, see game_dtype
        "pending",  # (B, 2, Q) PENDING_DTYPE
        # outputs and scratch, not part of the checksum
        "events",  # (B, EV, 6) int32
        "react",  # (B, RQ) REACT_DTYPE
    ],
)
CHECKSUM_FIELDS = ("units", "leaders", "effects", "proj", "teams", "games", "pending")
SCRATCH_GAME_FIELDS = (
    "grid_head",
    "grid_next",
    "buf",
    "live",
    "acc",
    "n_live",
    "n_events",
    "dropped",
    "n_react",
)


def _field_bytes(arr: np.ndarray, f: str) -> bytes:
    """The bytes of field ``f`` of the records ``arr`` as the checksum reads them: record axes last."""
    col = arr[f]
    k = col.ndim - arr.ndim  # sub-array axes
    if k and arr.ndim:
        col = np.moveaxis(col, tuple(range(arr.ndim)), tuple(range(k, k + arr.ndim)))
    return np.ascontiguousarray(col).tobytes()


def game_dtype(n_units: int, n_cells: int, apm: int, inv_slots: int) -> np.dtype:
    """The per-game record: GAME_DTYPE scalars plus fixed-size per-game tables.

    inv (10, I) item ids (-1 empty); buyq (10, I) queued purchases (I: the content's inventory
    slots); apm (2, A) ticks of the last accepted orders (ring); vis (2, U) team t sees unit u;
    seen_hp (2, 26) last seen building health; draft (10,) hero ids (blue 0..4, red 0..4); front
    (2, 3) furthest creep lane-path index per team and lane (-1 none); scratch: grid_head (2, cells),
    grid_next (U,), buf (2, U) query results, live (U,) the slots alive at the start of the tick
    (n_live of them).
    """
    return np.dtype(
        [(n, L.GAME_DTYPE[n]) for n in L.GAME_DTYPE.names or ()]
        + [
            ("inv", "i1", (10, inv_slots)),
            ("buyq", "i1", (10, inv_slots)),
            ("apm", "i4", (2, apm)),
            ("vis", "i1", (2, n_units)),
            ("seen_hp", "f4", (2, 2 * L.N_BLD)),
            ("draft", "i1", (10,)),
            ("front", "i4", (2, 3)),
            ("grid_head", "i2", (2, n_cells)),
            ("grid_next", "i2", (n_units,)),
            ("buf", "i2", (2, n_units)),
            ("live", "i2", (n_units,)),
            ("acc", "f8", (3, 8)),
        ],
        align=True,
    )


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

    def copy_into(self, dst: State) -> None:
        """Overwrite ``dst`` (a :meth:`copy` of a state of the same shapes) with this state's arrays."""
        for d, a in zip(dst.arrays, self.arrays, strict=True):
            d.reshape(-1).view(np.uint8)[:] = a.reshape(-1).view(np.uint8)

    def game(self, b: int) -> State:
        """A copy of game ``b`` alone as a B=1 state."""
        return State(Arrays(*(a[b : b + 1].copy() for a in self.arrays)), self.world)

    def checksum(self, b: int = 0) -> str:
        """A 16-hex-digit digest of game ``b``'s full state (scratch and event buffers excluded).

        The rule (docs/state.md, "Checksums"): the tables of ``CHECKSUM_FIELDS`` in that order, each
        field by field in record order (the padding bytes of aligned records are not state), each
        field's values in C order with the record axes *last*. For a scalar field that is simply its
        column; a sub-array field (``leaders.skills`` (3,)) hashes element 0 of every record, then
        element 1, ..., exactly as the separate scalar fields it replaced (``sk0``, ``sk1``, ``sk2``)
        did, so renaming fields or merging numbered ones into a sub-array keeps every recorded digest.
        """
        h = hashlib.blake2b(digest_size=8)
        for name in CHECKSUM_FIELDS:
            arr = getattr(self.arrays, name)[b]
            for f in arr.dtype.names:
                if name == "games" and f in SCRATCH_GAME_FIELDS:
                    continue
                h.update(_field_bytes(arr, f))
        return h.hexdigest()

    def checksums(self) -> list[str]:
        """:meth:`checksum` of every game."""
        return [self.checksum(b) for b in range(self.batch)]


def alloc_arrays(world: World, batch: int) -> Arrays:
    """Zeroed arrays for ``batch`` games (the reset kernel fills them)."""
    cfgs = world.config
    U = L.n_units(cfgs.max_creeps)
    H, W = world.rec["floor"].shape
    nc = ((W + L.GRID_CELL - 1) // L.GRID_CELL) * ((H + L.GRID_CELL - 1) // L.GRID_CELL)
    apm = max(1, int(world.rec["apm"]))
    games = np.zeros(batch, game_dtype(U, nc, apm, int(world.rec["inv_slots"])))
    games["inv"] = -1
    games["buyq"] = -1
    games["draft"] = -1
    games["front"] = -1
    return Arrays(
        units=np.zeros((batch, U), L.UNIT_DTYPE),
        leaders=np.zeros((batch, 10), L.LEADER_DTYPE),
        effects=np.zeros((batch, U, cfgs.max_effects), L.EFFECT_DTYPE),
        proj=np.zeros((batch, cfgs.max_projectiles), L.PROJ_DTYPE),
        teams=np.zeros((batch, 2), L.TEAM_DTYPE),
        games=games,
        pending=np.zeros((batch, 2, cfgs.order_queue), L.PENDING_DTYPE),
        events=np.zeros((batch, cfgs.event_capacity, 6), np.int32),
        react=np.zeros((batch, cfgs.react_capacity), L.REACT_DTYPE),
    )
