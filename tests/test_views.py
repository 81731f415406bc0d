"""Coach observations: the lazy team view equals its plain-dict form, its numpy columns agree with it,
it never leaks what the team cannot see, and a view kept past its decision stays a true snapshot."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shotcaller.arena.match import play_match
from shotcaller.sim import new_state, step_inplace
from shotcaller.sim.observe import TeamView, full_view, team_view


@pytest.fixture(scope="module")
def mid_game(world):
    st = new_state(world, 11)
    step_inplace(st, None, 20 * 150)
    return st


def test_sections_are_built_on_access_and_match_the_dict(mid_game):
    v = team_view(mid_game, 0)
    assert isinstance(v, TeamView)
    assert set(v) == {
        "tick",
        "team",
        "privileged",
        "leaders",
        "enemy_leaders",
        "units",
        "buildings",
        "lane_front",
        "fortify",
    }
    assert "leaders" not in v._data  # nothing built yet
    d = v.to_dict()
    assert json.loads(json.dumps(d)) == d  # JSON-ready
    assert dict(v) == d
    assert [ld["index"] for ld in d["leaders"]] == [0, 1, 2, 3, 4]
    assert len(d["buildings"]) == 26


def test_numpy_columns_agree_with_the_dicts(mid_game):
    for team in (0, 1):
        v = team_view(mid_game, team)
        a, d = v.arrays, v.to_dict()
        assert a["leaders"]["alive"].tolist() == [ld["alive"] for ld in d["leaders"]]
        assert a["leaders"]["gold"].round(1).tolist() == pytest.approx([ld["gold"] for ld in d["leaders"]], abs=0.05)
        assert a["leaders"]["n_items"].tolist() == [len(ld["items"]) for ld in d["leaders"]]
        assert a["buildings"]["alive"].tolist() == [b["alive"] for b in d["buildings"]]
        assert a["buildings"]["visible"].tolist() == [b["visible"] for b in d["buildings"]]
        assert np.round(a["buildings"]["hp"].astype(float), 1).tolist() == [b["hp"] for b in d["buildings"]]
        seen = [e["index"] - (1 - team) * 5 for e in d["enemy_leaders"]]
        assert np.flatnonzero(a["enemy_leaders"]["visible"]).tolist() == seen
        assert a["units"].tolist() == d["units"]


def test_enemy_columns_hold_nothing_where_unseen(mid_game):
    v = team_view(mid_game, 0)
    e = v.arrays["enemy_leaders"]
    hidden = ~e["visible"]
    assert (e["x"][hidden] == 0).all() and (e["hp"][hidden] == 0).all()


def test_a_view_read_after_the_game_moved_on_raises(world):
    st = new_state(world, 2)
    v = team_view(st, 1)
    step_inplace(st, None, 20)
    with pytest.raises(RuntimeError, match="moved on"):
        v["leaders"]


def test_full_state_only_for_privileged_views_and_it_is_a_copy(mid_game):
    with pytest.raises(PermissionError):
        _ = team_view(mid_game, 0).state
    v = team_view(mid_game, 0, privileged=True)
    assert v["privileged"] is True
    s = v.state
    s.arrays.units["hp"][:] = 0
    assert mid_game.arrays.units["hp"].max() > 0
    assert full_view(mid_game)["privileged"] is True


class Keeper:
    """Keeps every view and reads it after the match moved on."""

    decide_every_s = 5.0

    def reset(self, info):
        self.views = []

    def act(self, view, info):
        self.views.append((view.keep(), view.arrays["leaders"]["hp"].tolist()))
        if len(self.views) > 1:
            old, hp_then = self.views[-2]
            assert old["tick"] == view["tick"] - 100
            # sections first read now are built from the view's own tick, not from the live state
            assert [ld["hp"] for ld in old["leaders"]] == pytest.approx(hp_then, abs=0.06)
        return []


def test_a_kept_view_becomes_a_snapshot(fast_world):
    k = Keeper()
    res = play_match(k, Keeper(), seed=1, world=fast_world).result
    assert res["faults"] == []
    assert len(k.views) > 5
    ticks = [v["tick"] for v, _ in k.views]
    assert ticks == sorted(ticks) and ticks[1] - ticks[0] == 100


class Every:
    def __init__(self, seconds):
        self.decide_every_s = seconds
        self.ticks = []

    def reset(self, info):
        pass

    def act(self, view, info):
        self.ticks.append(view["tick"])
        return []


def test_each_coach_keeps_its_own_cadence(fast_world):
    a, b = Every(3.0), Every(1.25)  # seconds: 60 and 25 ticks at 20 ticks a second
    play_match(a, b, seed=0, world=fast_world)
    assert a.ticks[:3] == [0, 60, 120] and b.ticks[:3] == [0, 25, 50]


@pytest.mark.parametrize("bad", [0, -5, "20", True, 61, 10**6, float("nan"), float("inf")])
def test_a_bad_cadence_is_a_fault_and_the_default_is_used(bad, fast_world):
    a = Every(bad)
    res = play_match(a, Every(1.0), seed=0, world=fast_world).result
    assert [f["team"] for f in res["faults"] if "decide_every_s" in f["reason"]] == ["blue"]
    assert a.ticks[:2] == [0, 20]
