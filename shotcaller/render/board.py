"""The board: one game of a state as a grid of characters and style codes, with fog of war.

:func:`board_frame` turns game ``b`` of a :class:`~shotcaller.sim.State` into a :class:`BoardFrame`:
one glyph and one style code per map tile, which tiles the viewer sees now, and the list of the units
drawn. Terminal and web frontends share it: the terminal prints ``glyph`` coloured by ``style``, the
web canvas paints ``style`` and writes ``glyph``. :func:`minimap` shrinks a frame to a small grid.

Fog of war follows the observations (:mod:`shotcaller.sim.observe`) exactly: a viewer team sees its
own units, the enemy mobile units its team sees (``games.vis``) and every building, enemy ones as last
seen (``games.seen_hp``). Nothing else of the enemy reaches the frame.

Glyphs: ``#`` forest, ``·`` floor, ``1``..``5`` leaders (index within the team + 1), ``•`` creep,
``%`` treant, ``&`` elephant, ``T``/``t`` tower, ``B``/``b`` barracks, ``C``/``c`` core (upper case
blue, lower case red, as in the map files), ``x`` rubble (a destroyed building).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shotcaller.sim import layout as L
from shotcaller.sim.observe import _known_buildings
from shotcaller.sim.state import State
from shotcaller.sim.world import World

__all__ = ["GLYPHS", "LANE_NAMES", "STYLES", "BoardFrame", "board_frame", "minimap", "sight_mask"]

STYLES: tuple[str, ...] = (
    "wall",  # forest tile in sight
    "floor",  # floor tile in sight
    "fog_wall",  # forest tile out of sight
    "fog_floor",  # floor tile out of sight
    "blue_leader",
    "red_leader",
    "blue_leader_low",  # health under a third
    "red_leader_low",
    "blue_creep",
    "red_creep",
    "blue_summon",
    "red_summon",
    "blue_building",
    "red_building",
    "blue_building_low",  # health under a third
    "red_building_low",
    "rubble",  # a destroyed building (either team)
    "stale",  # an enemy building out of sight, drawn as last seen
)
_S = {name: code for code, name in enumerate(STYLES)}

# The character of every thing the board draws (leaders are drawn as their digit "1".."5").
GLYPHS: dict[str, str] = {
    "wall": "#",
    "floor": "·",
    "creep": "•",
    "treant": "%",
    "elephant": "&",
    "blue_tower": "T",
    "red_tower": "t",
    "blue_barracks": "B",
    "red_barracks": "b",
    "blue_core": "C",
    "red_core": "c",
    "rubble": "x",
}
LANE_NAMES = L.LANE_NAMES
LOW_HEALTH = 1.0 / 3.0  # leaders and buildings under this fraction of their health get the _low style

# Drawing priority on a shared tile: leader > building > summon > creep > rubble.
_P_RUBBLE, _P_CREEP, _P_SUMMON, _P_BUILDING, _P_LEADER = range(1, 6)
_PRIORITY = np.array([0, _P_LEADER, _P_CREEP, _P_SUMMON, _P_SUMMON, _P_BUILDING, _P_BUILDING, _P_BUILDING], np.int64)
# Minimap importance of each style code: leader > building > summon > creep > rubble > terrain
# (floor over forest, in sight over fogged, so lanes and the lit area survive the shrinking).
_RANK = np.zeros(len(STYLES), np.int64)
for _names, _rank in (
    (("fog_wall",), 1),
    (("wall",), 2),
    (("fog_floor",), 3),
    (("floor",), 4),
    (("rubble",), 5),
    (("blue_creep", "red_creep"), 6),
    (("blue_summon", "red_summon"), 7),
    (("blue_building", "red_building", "blue_building_low", "red_building_low", "stale"), 8),
    (("blue_leader", "red_leader", "blue_leader_low", "red_leader_low"), 9),
):
    for _n in _names:
        _RANK[_S[_n]] = _rank

# Per (team, kind): glyph and style code of a living unit (leaders get their digit instead).
_UNIT_GLYPH = np.array(
    [
        [" ", "?", GLYPHS["creep"], GLYPHS["treant"], GLYPHS["elephant"], "T", "B", "C"],
        [" ", "?", GLYPHS["creep"], GLYPHS["treant"], GLYPHS["elephant"], "t", "b", "c"],
    ],
    "<U1",
)
_UNIT_STYLE = np.array(
    [
        [_S["floor"]] + [_S[f"{t}_{k}"] for k in ("leader", "creep", "summon", "summon", *("building",) * 3)]
        for t in L.TEAM_NAMES
    ],
    np.uint8,
)


@dataclass
class BoardFrame:
    """One game drawn for one viewer: what a frontend paints (every array is (H, W), the map's shape).

    Attributes:
        tick: the game tick drawn.
        viewer: 0 blue, 1 red (fog of war for that team), or None for full vision.
        glyph: (H, W) ``<U1``: one character per map tile (terrain, or the most important unit on it).
        style: (H, W) uint8: a code per tile, ``STYLES[code]`` its name.
        seen: (H, W) bool: the tile is in the viewer's sight now (all True when ``viewer`` is None).
        units: every unit drawn, in slot order, as dicts with ``slot``, ``kind`` (a ``KIND_NAMES``
            name), ``team`` ("blue"/"red"), ``x``, ``y`` (tiles), ``hp``, ``max_hp``, ``alive``,
            ``glyph``, ``style`` (a ``STYLES`` name), ``label`` (leader name, "mid outer tower", ...) and
            ``stale`` (an enemy building drawn as last seen). Units sharing a tile are all listed;
            the glyph grid shows the most important one.
    """

    tick: int
    viewer: int | None
    glyph: np.ndarray
    style: np.ndarray
    seen: np.ndarray
    units: list[dict[str, Any]]


@dataclass(frozen=True)
class _Static:
    """What a world's boards share: terrain layers and the sight tables (built once per world)."""

    world: World
    glyph: np.ndarray  # (H, W) <U1 terrain glyphs
    style: np.ndarray  # (H, W) uint8 terrain style in sight
    fog_style: np.ndarray  # (H, W) uint8 terrain style out of sight
    pad: int  # border added around the map for the sight tables
    floor_flat: np.ndarray  # (Hp * Wp,) bool floor of the padded map, flattened
    radius: np.ndarray  # (8,) float64 sight radius by unit kind
    off: np.ndarray  # (N,) int64 flat offsets of the tiles within the largest radius, nearest first
    off_d2: np.ndarray  # (N,) int64 their squared distances
    mid: np.ndarray  # (N, M) int64 flat offsets of the tiles strictly between (line of sight)
    mid_ok: np.ndarray  # (N, M) bool which entries of ``mid`` are real (the rest is padding)
    labels: tuple[str, ...]  # (26,) building labels by slot


_CACHE: dict[int, _Static] = {}


def _bresenham_between(dx: int, dy: int) -> list[tuple[int, int]]:
    """The tiles strictly between (0, 0) and (dx, dy) on the line ``sim.nav.line_of_sight`` walks."""
    ax, ay = abs(dx), -abs(dy)
    sx = 1 if 0 < dx else -1
    sy = 1 if 0 < dy else -1
    err = ax + ay
    x = y = 0
    out: list[tuple[int, int]] = []
    while (x, y) != (dx, dy):
        if (x, y) != (0, 0):
            out.append((x, y))
        e2 = 2 * err
        if e2 >= ay:
            err += ay
            x += sx
        if e2 <= ax:
            err += ax
            y += sy
    return out


def _static(world: World) -> _Static:
    """The per-world tables, cached by world identity."""
    hit = _CACHE.get(id(world))
    if hit is not None and hit.world is world:
        return hit
    T = world.rec
    floor = np.asarray(T["floor"]).astype(bool)  # (H, W)
    H, W = floor.shape
    glyph = np.where(floor, GLYPHS["floor"], GLYPHS["wall"]).astype("<U1")
    style = np.where(floor, _S["floor"], _S["wall"]).astype(np.uint8)
    fog_style = np.where(floor, _S["fog_floor"], _S["fog_wall"]).astype(np.uint8)
    # sight radius by kind, as sim.core.sight_radius reads it (summons and anything else: vis_summon)
    radius = np.full(8, float(T["vis_summon"]))
    for k, f in (
        (L.K_LEADER, "vis_leader"),
        (L.K_CREEP, "vis_creep"),
        (L.K_TOWER, "vis_tower"),
        (L.K_BARRACKS, "vis_barracks"),
        (L.K_CORE, "vis_core"),
    ):
        radius[k] = float(T[f])
    rmax = float(radius.max())
    pad = int(np.ceil(rmax)) + 1
    Wp = W + 2 * pad
    floor_pad = np.zeros((H + 2 * pad, Wp), bool)
    floor_pad[pad : pad + H, pad : pad + W] = floor
    reach = int(np.floor(rmax))
    oy, ox = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    d2 = (ox * ox + oy * oy).ravel()
    keep = d2 <= rmax * rmax
    ox, oy, d2 = ox.ravel()[keep], oy.ravel()[keep], d2[keep]
    order = np.argsort(d2, kind="stable")
    ox, oy, d2 = ox[order], oy[order], d2[order]
    lines = [_bresenham_between(int(dx), int(dy)) for dx, dy in zip(ox, oy, strict=True)]
    m = max(1, max(len(p) for p in lines))
    mid = np.zeros((len(lines), m), np.int64)
    mid_ok = np.zeros((len(lines), m), bool)
    for i, p in enumerate(lines):
        for j, (px, py) in enumerate(p):
            mid[i, j] = py * Wp + px
            mid_ok[i, j] = True
    n = L.N_BLD
    labels = tuple(L.building_name(s) for s in range(2 * n))
    st = _Static(
        world=world,
        glyph=glyph,
        style=style,
        fog_style=fog_style,
        pad=pad,
        floor_flat=floor_pad.ravel(),
        radius=radius,
        off=(oy * Wp + ox).astype(np.int64),
        off_d2=d2.astype(np.int64),
        mid=mid,
        mid_ok=mid_ok,
        labels=labels,
    )
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(world)] = st
    return st


def sight_mask(state: State, team: int, b: int = 0) -> np.ndarray:
    """(H, W) bool: the tiles ``team``'s living units see now in game ``b``.

    The rule of :func:`shotcaller.sim.core.seen_by`: a tile is seen when a living unit of the team is
    within its kind's sight radius (the world's ``vis_*`` rules; squared tile distance <= radius
    squared) and no forest tile lies strictly between them (the Bresenham line of
    ``sim.nav.line_of_sight``). Computed from the units' current positions, so it may run a few ticks
    ahead of ``games.vis``, which the simulation refreshes every ``vis_every`` ticks.
    """
    st = _static(state.world)
    un = state.arrays.units[b]
    H, W = st.glyph.shape
    Wp = W + 2 * st.pad
    own = np.flatnonzero((un["alive"] != 0) & (un["team"] == team))
    pos = (un["y"][own].astype(np.int64) + st.pad) * Wp + un["x"][own].astype(np.int64) + st.pad
    rad = st.radius[un["kind"][own].astype(np.int64)]
    seen = np.zeros(st.floor_flat.shape[0], bool)
    for r in np.unique(rad):
        n = int(np.searchsorted(st.off_d2, r * r, side="right"))  # the offsets within radius r
        p = np.unique(pos[rad == r])  # units sharing a tile see the same
        off, mid, ok = st.off[:n], st.mid[:n], st.mid_ok[:n]
        for lo in range(0, p.shape[0], 64):  # chunks keep the (units, offsets, line) gather small
            pc = p[lo : lo + 64, None]
            blocked = (~st.floor_flat[pc[:, :, None] + mid[None]] & ok[None]).any(axis=2)  # (n_units, n)
            seen[(pc + off[None])[~blocked]] = True
    pad = st.pad
    return seen.reshape(H + 2 * pad, Wp)[pad : pad + H, pad : pad + W].copy()


def board_frame(state: State, viewer: int | None, b: int = 0) -> BoardFrame:
    """Draw game ``b`` of ``state`` as ``viewer`` sees it.

    Args:
        state: the batched state (read only).
        viewer: 0 blue or 1 red for that team's fog of war, None for full vision (spectators, replays).
        b: the game of the batch.

    Returns:
        The :class:`BoardFrame`: terrain with the units drawn over it, the most important unit of a tile
        on top (leader > building > summon > creep > rubble). Fogged tiles get the ``fog_`` styles;
        enemy mobile units appear only while the viewer's team sees them (``games.vis``); enemy
        buildings always appear, as last seen (style ``stale`` while out of sight, ``x`` once known
        destroyed).

    Example:
        >>> frame = board_frame(state, viewer=0)
        >>> print("\\n".join("".join(row) for row in frame.glyph))
    """
    if viewer not in (None, 0, 1):
        raise ValueError(f"viewer must be 0 (blue), 1 (red) or None (full vision), got {viewer!r}")
    st = _static(state.world)
    A = state.arrays
    un = A.units[b]
    H, W = st.glyph.shape
    U = un.shape[0]
    nb = 2 * L.N_BLD
    alive = un["alive"] != 0
    team = un["team"].astype(np.int64)
    kind = un["kind"].astype(np.int64)
    hp = un["hp"].astype(np.float64)
    max_hp = un["max_hp"].astype(np.float64)
    stale = np.zeros(U, bool)
    if viewer is None:
        seen = np.ones((H, W), bool)
        style = st.style.copy()
        drawn = alive.copy()
    else:
        seen = sight_mask(state, viewer, b)
        style = np.where(seen, st.style, st.fog_style).astype(np.uint8)
        vis = A.games["vis"][b, viewer].astype(bool)
        drawn = alive & ((team == viewer) | vis)
        bseen, bhp, balive = _known_buildings(state, b, viewer)
        hp[:nb] = bhp
        alive[:nb] = balive
        stale[:nb] = ~bseen
    drawn[:nb] = True  # every building is known: standing, as last seen, or rubble
    glyph = st.glyph.copy()

    idx = np.flatnonzero(drawn)
    k, t, a = kind[idx], team[idx], alive[idx]
    ux, uy = un["x"][idx].astype(np.int64), un["y"][idx].astype(np.int64)
    ch = _UNIT_GLYPH[t, k]
    sty = _UNIT_STYLE[t, k].copy()
    pri = _PRIORITY[k].copy()
    low = hp[idx] < LOW_HEALTH * max_hp[idx]
    is_leader = k == L.K_LEADER
    ch[is_leader] = np.char.mod("%d", (idx[is_leader] - L.SLOT_LEADER0) % 5 + 1)
    is_bld = idx < nb
    sty[is_leader & low] += _S["blue_leader_low"] - _S["blue_leader"]
    sty[is_bld & low] += _S["blue_building_low"] - _S["blue_building"]
    sty[is_bld & stale[idx]] = _S["stale"]
    rubble = is_bld & ~a
    ch[rubble] = GLYPHS["rubble"]
    sty[rubble] = _S["rubble"]
    pri[rubble] = _P_RUBBLE
    # the most important unit of each tile on top (ties: the lower slot)
    flat = uy * W + ux
    key = pri * (U + 1) + (U - idx)
    order = np.lexsort((key, flat))
    f = flat[order]
    top = order[np.r_[f[1:] != f[:-1], True]]
    glyph.ravel()[flat[top]] = ch[top]
    style.ravel()[flat[top]] = sty[top]

    units = _unit_records(state, b, idx, ch, sty, hp, max_hp, alive, stale, st.labels)
    return BoardFrame(tick=int(A.games["tick"][b]), viewer=viewer, glyph=glyph, style=style, seen=seen, units=units)


def _unit_records(
    state: State,
    b: int,
    idx: np.ndarray,
    ch: np.ndarray,
    sty: np.ndarray,
    hp: np.ndarray,
    max_hp: np.ndarray,
    alive: np.ndarray,
    stale: np.ndarray,
    building_labels: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The ``units`` list of a frame: one dict per drawn slot ``idx`` (glyphs ``ch``, style codes ``sty``)."""
    un = state.arrays.units[b]
    names = state.world.content.leader_names
    hero = state.arrays.leaders[b]["hero"].tolist()
    cols = zip(
        idx.tolist(),
        un["kind"][idx].tolist(),
        un["team"][idx].tolist(),
        un["x"][idx].tolist(),
        un["y"][idx].tolist(),
        np.round(hp[idx], 1).tolist(),
        np.round(max_hp[idx], 1).tolist(),
        alive[idx].tolist(),
        ch.tolist(),
        sty.tolist(),
        stale[idx].tolist(),
        un["lane"][idx].tolist(),
        un["owner"][idx].tolist(),
        strict=True,
    )
    out = []
    for slot, k, t, x, y, h, mh, a, g, s, sl, lane, owner in cols:
        if slot < 2 * L.N_BLD:
            label = building_labels[slot]
        elif k == L.K_LEADER:
            label = names[hero[slot - L.SLOT_LEADER0]]
        elif k == L.K_CREEP:
            label = f"{LANE_NAMES[lane]} creep" if 0 <= lane < 3 else "creep"
        elif 0 <= owner < 10:
            label = f"{names[hero[owner]]}'s {L.KIND_NAMES[k]}"
        else:
            label = L.KIND_NAMES[k]
        out.append(
            {
                "slot": slot,
                "kind": L.KIND_NAMES[k],
                "team": L.TEAM_NAMES[t],
                "x": x,
                "y": y,
                "hp": h,
                "max_hp": mh,
                "alive": a,
                "glyph": g,
                "style": STYLES[s],
                "label": label,
                "stale": sl,
            }
        )
    return out


def _block_starts(n: int, cells: int) -> np.ndarray:
    """First tile of each of ``cells`` blocks over ``n`` tiles (blocks of a cell may repeat when upscaling)."""
    return (np.arange(cells, dtype=np.int64) * n) // cells


def minimap(frame: BoardFrame, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Shrink a frame to ``height`` x ``width`` cells, each showing the most important tile of its block.

    Cell (i, j) covers rows ``i * H // height`` up to ``(i + 1) * H // height`` and the columns likewise
    (a single tile when the minimap is larger than the map). Importance: leader > building > summon >
    creep > rubble > floor > forest, tiles in sight over fogged ones of the same terrain; ties go to the
    first tile in row order. The fog is kept: a cell shows its chosen tile's glyph and style as they are.

    Returns:
        ``(glyph, style)``: (height, width) arrays of ``<U1`` and uint8 (``STYLES`` codes).
    """
    if width < 1 or height < 1:
        raise ValueError(f"minimap size must be at least 1 x 1, got {width} x {height}")
    H, W = frame.glyph.shape
    n = H * W
    # one key per tile: importance first, then the earlier tile (so max() picks the first of equals)
    key = _RANK[frame.style].astype(np.int64) * n + (n - 1 - np.arange(n, dtype=np.int64).reshape(H, W))
    key = np.maximum.reduceat(key, _block_starts(H, height), axis=0)
    key = np.maximum.reduceat(key, _block_starts(W, width), axis=1)
    tile = n - 1 - key % n
    return frame.glyph.ravel()[tile], frame.style.ravel()[tile]
