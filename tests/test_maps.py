"""Map variants (held-out evaluation): names, determinism, fairness, the perturbed layouts' validation,
and full matches on every variant."""

from __future__ import annotations

import pytest

from shotcaller.arena.match import play_match
from shotcaller.arena.replay import resimulate
from shotcaller.bots import NoneCoach
from shotcaller.content import MapError, load_content, parse_map
from shotcaller.content import maps as M
from shotcaller.content.loader import CONTENT_DIR
from shotcaller.sim import Params, SimConfig, build_world
from tests.helpers import DRAFT

ORIGINAL = (CONTENT_DIR / "map.txt").read_text()


def _rows(text: str) -> list[str]:
    return [r for r in text.split("\n") if r]


def _edit(text: str, cells: list[tuple[int, int, str]]) -> str:
    """``text`` with each (x, y) set to its character, and its mirror image (teams swapped) too."""
    rows = [list(r) for r in _rows(text)]
    h = len(rows)
    for x, y, ch in cells:
        rows[y][x] = ch
        rows[h - 1 - y][x] = ch.swapcase()
    return "\n".join("".join(r) for r in rows) + "\n"


@pytest.mark.parametrize("name", M.ALL)
def test_every_variant_passes_the_layout_checks(name):
    assert M.check_layout(M.variant_map(name)) == []


def test_all_holds_the_required_variants():
    assert {"original", "mirrored", "2x", "4x"} <= set(M.ALL)
    assert any(n.startswith("perturbed-") for n in M.ALL)
    assert M.resolve_maps(["all"]) == list(M.ALL)
    assert M.resolve_maps(["2x", "original", "2x"]) == ["2x", "original"]


def test_unknown_map_names_are_refused_with_the_known_names():
    for bad in ("nowhere", "perturbed-", "perturbed-x", "perturbed--1", "perturbed-01", "map.txt"):
        with pytest.raises(MapError, match=rf"unknown map '{bad}' \(maps: original, mirrored, 2x, 4x, perturbed-N"):
            M.resolve_maps([bad])


def test_the_original_is_its_own_left_right_mirror_so_mirrored_turns_it_upside_down():
    rows = _rows(ORIGINAL)
    assert [r[::-1] for r in rows] == rows  # a left-right mirror image would change nothing
    mirrored = M.variant_map("mirrored")
    assert M.variant_text("mirrored") != ORIGINAL
    assert list(mirrored.rows) == rows[::-1]
    cores = {b.team: b.y for b in mirrored.buildings if b.kind == "core"}
    assert cores[0] < cores[1]  # blue starts at the top
    assert mirrored.floor.sum() == load_content().map.floor.sum()


def test_perturbed_layouts_are_deterministic_distinct_and_keep_the_map_size():
    M.variant_text.cache_clear()
    first = M.variant_text("perturbed-1")
    assert M.perturbed_text(1) == first  # the same name, the same text (no cache involved)
    assert first != ORIGINAL and first != M.variant_text("perturbed-2")
    rows = _rows(first)
    assert [r[::-1] for r in rows] != rows  # the lanes bend differently: no longer symmetric left-right
    gm = M.variant_map("perturbed-1")
    orig = load_content().map
    assert (gm.width, gm.height, int(gm.floor.sum())) == (orig.width, orig.height, int(orig.floor.sum()))
    towers = {(b.x, b.y) for b in gm.buildings if b.kind == "tower"}
    assert towers != {(b.x, b.y) for b in orig.buildings if b.kind == "tower"}


def test_many_seeds_give_valid_layouts():
    for seed in range(3, 23):
        assert M.check_layout(parse_map(M.perturbed_text(seed), f"perturbed-{seed}")) == []


def test_a_lane_cut_by_forest_is_named():
    cut = _edit(ORIGINAL, [(x, 10, "#") for x in (7, 8, 9)])
    problems = M.check_layout(parse_map(cut, "cut"))
    assert (
        "the left lane is cut: no way inside its columns 1-25 from blue barracks at line 47, column 9 to red "
        "barracks at line 4, column 9"
    ) in problems, problems
    with pytest.raises(MapError, match="cut: the left lane is cut"):
        M.validate_layout(parse_map(cut, "cut"))


def test_an_unfair_layout_is_named():
    rows = _rows(ORIGINAL)
    rows[48] = rows[48].replace("C", "0")
    rows[49] = rows[49][:40] + "C" + rows[49][41:]  # the original map's blue core, one row off its mirror image
    problems = M.check_layout(parse_map("\n".join(rows), "unfair"))
    assert problems[0] == (
        "not fair: line 1, column 41 ('0') is not the mirror image of line 50, column 41 ('C') with the teams swapped"
    ), problems


def test_a_walled_in_building_and_a_tower_off_its_lane_are_named():
    walled = _edit(ORIGINAL, [(7, 13, "#")])  # beside the red left tower at line 14, column 9
    assert "red tower at line 14, column 9 is walled in: 1 of its 8 neighbours are forest or off the map" in (
        M.check_layout(parse_map(walled, "walled"))
    )
    # a pocket beside the left lane with the tower moved into it: reachable, but off the lane's route
    pocket = _edit(ORIGINAL, [(x, y, "0") for x in (10, 11, 12, 13) for y in (12, 13, 14)])
    pocket = _edit(pocket, [(8, 13, "0"), (12, 13, "t")])
    problems = M.check_layout(parse_map(pocket, "pocket"))
    assert "red tower at line 14, column 13 stands off its lane's route (a detour of 5.6 tiles)" in problems, problems


def test_a_tower_near_another_lanes_columns_is_named():
    moved = _edit(ORIGINAL, [(x, y, "0") for x in range(10, 23) for y in (12, 13, 14)])
    moved = _edit(moved, [(8, 13, "0"), (20, 13, "t")])
    problems = M.check_layout(parse_map(moved, "moved"))
    assert any(p.startswith("red tower at line 14, column 21 is within 6 columns of another lane") for p in problems)


def test_a_seed_whose_layouts_all_fail_is_refused(monkeypatch):
    monkeypatch.setattr(M, "check_layout", lambda gm: ["the left lane is cut: (a stand-in problem)"])
    with pytest.raises(MapError, match=r"perturbed-5: none of 20 generated layouts is valid; the last one: the left"):
        M.perturbed_text(5)


def test_load_content_takes_variant_names():
    c = load_content(map_name="perturbed-1")
    assert c.map.name == "perturbed-1" and list(c.map.rows) == _rows(M.variant_text("perturbed-1"))
    assert load_content(map_name="original").version == load_content().version
    assert load_content(map_name="perturbed-1").version != load_content().version


# 2x and 4x compile the kernels for their own table layouts (about a minute each); the others share
# the original's layout (same size, floor count and lane path lengths) and its compiled kernels
@pytest.mark.parametrize("name", M.ALL)
def test_a_full_match_runs_on_every_variant_and_its_replay_verifies(name, tmp_path):
    world = build_world(load_content(map_name=name), SimConfig(map_name=name), Params(time_limit_s=30))
    rec = world.rec
    for team in (0, 1):  # every lane path the simulation traced reaches the enemy core
        for lane in range(3):
            end = rec["lane_path"][team, lane, rec["lane_len"][team, lane] - 1]
            assert tuple(end) == tuple(rec["bld_xy"][1 - team, 0]), (team, lane)
    out = play_match(NoneCoach(), NoneCoach(), seed=3, world=world, draft=DRAFT, replay_path=tmp_path / "r.json")
    assert out.result["ticks"] == 600 and out.replay.map == name
    _, check = resimulate(out.replay)  # rebuilds the world from the map name the replay records
    assert check.ok and check.checked > 0
