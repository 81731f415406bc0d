"""The board renderer (shotcaller.render.board) on real mid-match states: shapes, leaders, fog of war that
never leaks, rubble and last-seen buildings, the minimap, and the sight rule against a plain reference."""

from __future__ import annotations

import numpy as np
import pytest

from shotcaller.render import GLYPHS, STYLES, BoardFrame, board_frame, minimap
from shotcaller.sim import State, new_state, step_inplace
from shotcaller.sim import layout as L
from tests.helpers import DRAFT

MOBILE_STYLES = {
    t: {STYLES.index(f"{t}_{k}") for k in ("leader", "leader_low", "creep", "summon")} for t in ("blue", "red")
}


@pytest.fixture(scope="module")
def mid_game(world) -> State:
    """A match a few minutes in, after at least one building has fallen (units spread over the map)."""
    st = new_state(world, 3, np.full((1, 10), -1, np.int8))  # the seeded random draft
    step_inplace(st, None, 3000)
    for _ in range(20):
        if not st.arrays.units[0, : 2 * L.N_BLD]["alive"].all():
            break
        step_inplace(st, None, 500)
    assert not st.done[0], "the match ended before the board could be tested"
    assert not st.arrays.units[0, : 2 * L.N_BLD]["alive"].all(), "no building fell: pick another seed"
    return st


@pytest.fixture(scope="module")
def vision_tick_game(world) -> State:
    """A match stepped to just after a vision update, so ``games.vis`` matches the current positions."""
    st = new_state(world, 5, np.array([DRAFT], np.int8))
    every = int(world.rec["vis_every"])
    step_inplace(st, None, 4000 // every * every + 1)  # the vision phase ran in the tick just simulated
    return st


def _los(floor: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> bool:
    """Plain copy of sim.nav.line_of_sight: no forest strictly between the two tiles (Bresenham)."""
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err, x, y = dx + dy, x0, y0
    while (x, y) != (x1, y1):
        if (x, y) != (x0, y0) and not floor[y, x]:
            return False
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x += sx
        if e2 <= dx:
            err += dx
            y += sy
    return True


def _sees(state: State, team: int, x: int, y: int) -> bool:
    """The sight rule of sim.core.seen_by written out: a living own unit within its kind's radius, in sight."""
    T = state.world.rec
    floor = T["floor"].astype(bool)
    radius = {
        L.K_LEADER: T["vis_leader"],
        L.K_CREEP: T["vis_creep"],
        L.K_TOWER: T["vis_tower"],
        L.K_BARRACKS: T["vis_barracks"],
        L.K_CORE: T["vis_core"],
    }
    for u in state.arrays.units[0]:
        if u["alive"] and u["team"] == team:
            r = float(radius.get(int(u["kind"]), T["vis_summon"]))
            ux, uy = int(u["x"]), int(u["y"])
            if (ux - x) ** 2 + (uy - y) ** 2 <= r * r and _los(floor, ux, uy, x, y):
                return True
    return False


def _hidden_mobile(state: State, viewer: int) -> np.ndarray:
    """Slots of the living enemy mobile units the viewer's team does not see."""
    un = state.arrays.units[0]
    vis = state.arrays.games["vis"][0, viewer].astype(bool)
    slot = np.arange(un.shape[0])
    return np.flatnonzero((slot >= 2 * L.N_BLD) & (un["alive"] != 0) & (un["team"] != viewer) & ~vis)


def test_frame_has_the_map_shape(mid_game):
    H, W = mid_game.world.rec["floor"].shape
    assert (H, W) == (50, 81)  # the default map
    for viewer in (None, 0, 1):
        f = board_frame(mid_game, viewer)
        assert isinstance(f, BoardFrame)
        assert f.tick == int(mid_game.arrays.games["tick"][0]) and f.viewer == viewer
        assert f.glyph.shape == f.style.shape == f.seen.shape == (H, W)
        assert f.glyph.dtype == np.dtype("<U1") and f.style.dtype == np.uint8 and f.seen.dtype == bool
        assert int(f.style.max()) < len(STYLES)


def test_terrain_without_units_is_forest_or_floor(mid_game):
    f = board_frame(mid_game, None)
    floor = mid_game.world.rec["floor"].astype(bool)
    occupied = np.zeros(floor.shape, bool)
    for u in f.units:
        occupied[u["y"], u["x"]] = True
    assert (f.glyph[~floor & ~occupied] == GLYPHS["wall"]).all()
    assert (f.glyph[floor & ~occupied] == GLYPHS["floor"]).all()
    assert (f.style[~floor & ~occupied] == STYLES.index("wall")).all()
    fog = board_frame(mid_game, 0)
    assert (fog.style[~floor & ~occupied & ~fog.seen] == STYLES.index("fog_wall")).all()
    assert (fog.style[floor & ~occupied & ~fog.seen] == STYLES.index("fog_floor")).all()


@pytest.mark.parametrize("viewer", [0, 1, None])
def test_own_leaders_are_drawn_with_their_digit(mid_game, viewer):
    f = board_frame(mid_game, viewer)
    un = mid_game.arrays.units[0]
    teams = (0, 1) if viewer is None else (viewer,)
    drawn = {u["slot"]: u for u in f.units}
    n = 0
    for team in teams:
        for i in range(5):
            slot = L.SLOT_LEADER0 + 5 * team + i
            if not un[slot]["alive"]:
                assert slot not in drawn
                continue
            n += 1
            x, y = int(un[slot]["x"]), int(un[slot]["y"])
            assert drawn[slot]["glyph"] == str(i + 1) and (drawn[slot]["x"], drawn[slot]["y"]) == (x, y)
            assert (
                drawn[slot]["label"]
                == mid_game.world.content.leader_names[mid_game.arrays.games["draft"][0, 5 * team + i]]
            )
            # the tile shows the lowest-slot leader standing on it (leaders draw over everything else)
            on_tile = [
                s
                for s in range(L.SLOT_LEADER0, L.SLOT_LEADER0 + 10)
                if s in drawn and (drawn[s]["x"], drawn[s]["y"]) == (x, y)
            ]
            assert f.glyph[y, x] == drawn[on_tile[0]]["glyph"]
            assert STYLES[f.style[y, x]].startswith(f"{L.TEAM_NAMES[(on_tile[0] - L.SLOT_LEADER0) // 5]}_leader")
    assert n > 0


def test_fog_never_shows_an_unseen_enemy_and_full_vision_does(mid_game):
    un = mid_game.arrays.units[0]
    for viewer in (0, 1):
        enemy = L.TEAM_NAMES[1 - viewer]
        hidden = _hidden_mobile(mid_game, viewer)
        assert hidden.size > 0, "every enemy is in sight: the test would prove nothing"
        f = board_frame(mid_game, viewer)
        drawn = {u["slot"] for u in f.units}
        assert not drawn & set(hidden.tolist())
        vis = mid_game.arrays.games["vis"][0, viewer].astype(bool)
        seen_enemy = {u["slot"] for u in f.units if u["team"] == enemy and u["slot"] >= 2 * L.N_BLD}
        expected = np.flatnonzero(
            (np.arange(un.shape[0]) >= 2 * L.N_BLD) & (un["alive"] != 0) & (un["team"] != viewer) & vis
        )
        assert seen_enemy == set(expected.tolist())
        # a tile in an enemy unit's colour holds an enemy unit the team sees
        for y, x in zip(*np.nonzero(np.isin(f.style, list(MOBILE_STYLES[enemy]))), strict=True):
            here = (un["x"] == x) & (un["y"] == y) & (un["alive"] != 0) & (un["team"] != viewer) & vis
            assert here[2 * L.N_BLD :].any(), (x, y)
        full = board_frame(mid_game, None)
        full_slots = {u["slot"] for u in full.units}
        assert set(hidden.tolist()) <= full_slots
        top = [s for s in hidden if un[s]["kind"] == L.K_LEADER] or list(hidden)
        s = int(top[0])
        assert STYLES[full.style[un[s]["y"], un[s]["x"]]].startswith(enemy)


def test_moving_unseen_enemies_changes_nothing_in_the_frame(mid_game):
    """The strongest no-leak check: scramble everything the viewer cannot see; its frame stays identical."""
    rng = np.random.default_rng(0)
    floor = np.argwhere(mid_game.world.rec["floor"].astype(bool))
    for viewer in (0, 1):
        before = board_frame(mid_game, viewer)
        other = mid_game.copy()
        un = other.arrays.units[0]
        hidden = _hidden_mobile(other, viewer)
        pick = floor[rng.integers(0, len(floor), hidden.size)]
        un["y"][hidden], un["x"][hidden] = pick[:, 0], pick[:, 1]
        un["hp"][hidden] = 1.0
        vis = other.arrays.games["vis"][0, viewer].astype(bool)
        unseen_bld = np.flatnonzero((un["team"][: 2 * L.N_BLD] != viewer) & ~vis[: 2 * L.N_BLD])
        un["hp"][unseen_bld] = 1.0
        after = board_frame(other, viewer)
        assert (after.glyph == before.glyph).all() and (after.style == before.style).all()
        assert (after.seen == before.seen).all() and after.units == before.units
        assert board_frame(other, None).units != board_frame(mid_game, None).units  # the scramble was real


def test_destroyed_building_is_rubble(mid_game):
    un = mid_game.arrays.units[0]
    dead = np.flatnonzero(un["alive"][: 2 * L.N_BLD] == 0)
    assert dead.size > 0
    for viewer in (None, 0, 1):
        f = board_frame(mid_game, viewer)
        drawn = {u["slot"]: u for u in f.units}
        for s in dead.tolist():
            x, y = int(un[s]["x"]), int(un[s]["y"])
            assert drawn[s]["alive"] is False and drawn[s]["glyph"] == GLYPHS["rubble"]
            assert drawn[s]["style"] == "rubble"
            occupied = [u for u in f.units if (u["x"], u["y"]) == (x, y) and u["slot"] != s]
            if not occupied:
                assert f.glyph[y, x] == GLYPHS["rubble"] and STYLES[f.style[y, x]] == "rubble"


def test_unseen_enemy_buildings_are_drawn_as_last_seen(mid_game):
    g = mid_game.arrays.games[0]
    un = mid_game.arrays.units[0]
    n = 0
    for viewer in (0, 1):
        f = board_frame(mid_game, viewer)
        drawn = {u["slot"]: u for u in f.units}
        assert set(range(2 * L.N_BLD)) <= set(drawn)  # every building is known
        for s in range(2 * L.N_BLD):
            d = drawn[s]
            if un[s]["team"] == viewer or g["vis"][viewer, s]:
                assert d["stale"] is False and d["hp"] == pytest.approx(float(un[s]["hp"]), abs=0.05)
                continue
            n += 1
            assert d["stale"] is True
            assert d["hp"] == pytest.approx(float(g["seen_hp"][viewer, s]), abs=0.05)
            if d["alive"]:
                assert d["style"] == "stale"
                kind = L.KIND_NAMES[un[s]["kind"]]
                assert d["glyph"] == GLYPHS[f"{L.TEAM_NAMES[1 - viewer]}_{kind}"]
    assert n > 0


def test_building_labels(mid_game):
    labels = {u["slot"]: u["label"] for u in board_frame(mid_game, None).units}
    assert labels[0] == labels[L.N_BLD] == "core"
    assert labels[2] == "mid barracks"
    assert labels[4 + 3 * 1 + 0] == "mid outer tower"
    assert labels[L.N_BLD + 4 + 3 * 2 + 2] == "right base tower"
    # the same names the bots' reasons and the timelines use
    from shotcaller.bots.builtin import building_name

    assert all(labels[s] == building_name(s) for s in range(2 * L.N_BLD))


@pytest.mark.parametrize("size", [(27, 17), (40, 25), (81, 50), (100, 60), (1, 1)])
def test_minimap_shape_and_leaders(mid_game, size):
    width, height = size
    f = board_frame(mid_game, 0)
    H, W = f.glyph.shape
    glyph, style = minimap(f, width, height)
    assert glyph.shape == style.shape == (height, width)
    assert glyph.dtype == np.dtype("<U1") and style.dtype == np.uint8

    def cell(v: int, n: int, cells: int) -> int:  # the block holding tile v: rows/cols i * n // cells onward
        return max(i for i in range(cells) if i * n // cells <= v)

    shown = 0
    for u in f.units:
        if u["kind"] == "leader":
            cy, cx = cell(u["y"], H, height), cell(u["x"], W, width)
            assert glyph[cy, cx] in "12345" and "leader" in STYLES[style[cy, cx]], (u, cx, cy)
            shown += 1
    assert shown > 0
    if (width, height) == (W, H):
        assert (glyph == f.glyph).all() and (style == f.style).all()


def test_minimap_keeps_the_fog(mid_game):
    f = board_frame(mid_game, 0)
    glyph, style = minimap(f, 27, 17)
    fog = {STYLES.index("fog_wall"), STYLES.index("fog_floor")}
    assert np.isin(style, list(fog)).any()  # most of the map is out of sight
    # a cell in sight-less style covers only tiles out of sight or forest
    H, W = f.glyph.shape
    for i in range(17):
        for j in range(27):
            if style[i, j] == STYLES.index("fog_floor"):
                block = f.seen[i * H // 17 : (i + 1) * H // 17, j * W // 27 : (j + 1) * W // 27]
                floor = mid_game.world.rec["floor"][i * H // 17 : (i + 1) * H // 17, j * W // 27 : (j + 1) * W // 27]
                assert not (block & (floor != 0)).any()


def test_fog_follows_the_sight_rule(vision_tick_game):
    st = vision_tick_game
    rng = np.random.default_rng(1)
    H, W = st.world.rec["floor"].shape
    un = st.arrays.units[0]
    for viewer in (0, 1):
        f = board_frame(st, viewer)
        assert 0.02 < f.seen.mean() < 0.9
        # random tiles, plus the rim of the sight (tiles next to a change of seen / unseen)
        pts = [(int(x), int(y)) for x, y in zip(rng.integers(0, W, 150), rng.integers(0, H, 150), strict=True)]
        edge = np.argwhere(f.seen[:, 1:] != f.seen[:, :-1])
        pts += [(int(x), int(y)) for y, x in edge[rng.permutation(len(edge))[:80]]]
        for x, y in pts:
            assert bool(f.seen[y, x]) == _sees(st, viewer, x, y), (viewer, x, y)
            fogged = STYLES[f.style[y, x]].startswith("fog_")
            if not any((u["x"], u["y"]) == (x, y) for u in f.units):
                assert fogged == (not f.seen[y, x])
        # right after the vision phase the simulation's own answer agrees for every enemy unit
        vis = st.arrays.games["vis"][0, viewer]
        for s in np.flatnonzero((un["alive"] != 0) & (un["team"] != viewer)):
            assert bool(vis[s]) == bool(f.seen[un[s]["y"], un[s]["x"]]), s
    assert board_frame(st, None).seen.all()


def test_bad_viewer_is_refused(mid_game):
    with pytest.raises(ValueError):
        board_frame(mid_game, 2)
    with pytest.raises(ValueError):
        minimap(board_frame(mid_game, None), 0, 10)
