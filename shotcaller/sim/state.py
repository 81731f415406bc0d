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
    """The per-game record: the GAME_DTYPE scalars, then fixed-size per-game tables.

    Shapes: U unit slots, I the content's inventory slots, A the APM budget (orders per minute),
    cells the spatial grid's cells. Fields marked scratch are rebuilt every tick and not checksummed
    (``SCRATCH_GAME_FIELDS``). docs/state.md describes every field.
    """
    return np.dtype(
        [(n, L.GAME_DTYPE[n]) for n in L.GAME_DTYPE.names or ()]
        + [
            ("inv", "i1", (10, inv_slots)),  # item ids each leader holds, NONE for an empty slot
            ("buyq", "i1", (10, inv_slots)),  # purchases queued by the coach (FIFO), NONE padded
            ("apm", "i4", (2, apm)),  # ring of the ticks of each team's last accepted orders
            ("vis", "i1", (2, n_units)),  # 1: team t sees unit u (updated every vision update)
            ("seen_hp", "f4", (2, 2 * L.N_BLD)),  # building health as each team last saw it
            ("draft", "i1", (10,)),  # content leader ids drafted: blue 0..4, red 0..4
            ("front", "i4", (2, 3)),  # furthest creep lane-path index per team and lane, NONE if none
            ("grid_head", "i2", (2, n_cells)),  # scratch: first unit of each team's units in each cell
            ("grid_next", "i2", (n_units,)),  # scratch: next unit in the same cell list, NONE at the end
            ("buf", "i2", (2, n_units)),  # scratch: query results (0: neighbourhoods, 1: the rest), move steps (1)
            ("live", "i2", (n_units,)),  # scratch: the slots alive at the start of the tick (n_live)
            ("acc", "f8", (3, 8)),  # scratch: refresh_stats sums, products, sums of add-multipliers
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
    games["inv"] = L.NONE
    games["buyq"] = L.NONE
    games["draft"] = L.NONE
    games["front"] = L.NONE
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
