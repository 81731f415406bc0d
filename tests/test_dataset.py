"""Behaviour-cloning datasets from replays: the inverse of the choice table, the exporter, the file, the CLI."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shotcaller.arena.dataset import DatasetError, export_dataset, load_dataset, save_dataset
from shotcaller.arena.match import play_match
from shotcaller.arena.replay import load_replay
from shotcaller.bots import make_coach
from shotcaller.envs import CoachEnv
from shotcaller.envs.dataset import FATES, OrderWindow, invert_choice, resolved_choices
from shotcaller.envs.game import CoachGame, RewardWeights
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L

ROOT = Path(__file__).resolve().parents[1]
SHORT = Params(time_limit_s=90)  # 1800-tick matches, 45 decisions a team


@pytest.fixture(scope="module")
def replays(tmp_path_factory) -> dict[str, Path]:
    """``laner`` (per-leader orders every 2 s) against ``random``, and ``strategist`` (whole-team orders)
    against ``pusher``: short real matches."""
    folder = tmp_path_factory.mktemp("replays")
    out = {}
    for blue, red, seed in (("laner", "random", 3), ("strategist", "pusher", 4)):
        path = folder / f"{blue}-{red}.json.gz"
        play_match(make_coach(blue), make_coach(red), seed=seed, params=SHORT, replay_path=path)
        out[blue] = path
    return out


def _team_orders(path: Path, team: int) -> list[list[int]]:
    return [row for row in load_replay(path).orders if row[1] == team]


def test_invert_choice_gives_back_every_valid_choice_in_real_states(content):
    """For random valid choices in the states of a real match, the env's own resolution (the order rows
    ``CoachGame`` gives the engine) inverted by ``invert_choice`` gives the choice back (or, when two rows
    resolve to the same order, the lower one, which resolves to that same order)."""
    world = build_world(content, SimConfig(), SHORT)
    game = CoachGame(world, (0, 1), 40, RewardWeights())
    game.reset(5, None, {}, None)
    rng = np.random.default_rng(0)
    n, checked, rows_seen = game.n_choices, 0, set()
    while not game.done:
        for team in (0, 1):
            mask = game.action_mask(team)
            resolved = resolved_choices(game.live, team, game.table)
            for i in range(5):
                allowed = np.flatnonzero(mask[i * n : (i + 1) * n])
                for c in rng.choice(allowed, size=min(4, allowed.size), replace=False):
                    if c == 0:
                        continue
                    act = np.zeros(E.N_ACTION, np.int64)
                    act[i] = c
                    ((_team, leader, kind, a, b),) = game.order_rows(team, act)
                    assert leader == i
                    got, how = invert_choice(game.live, team, game.table, kind, a, b, resolved=resolved)
                    assert how == "exact"
                    assert tuple(resolved[got]) == (kind, a, b)
                    same = np.flatnonzero((resolved == resolved[c]).all(axis=1))
                    assert got == (c if same.size == 1 else same[0])
                    checked += 1
                    rows_seen.add(int(c))
        game.decide({0: np.zeros(E.N_ACTION, np.int64), 1: np.zeros(E.N_ACTION, np.int64)})
    assert checked > 500 and len(rows_seen) > 25  # most rows of the table were inverted


def test_group_at_any_point_maps_to_the_nearest_lane_and_micro_orders_are_unmapped(content):
    world = build_world(content, SimConfig(), SHORT)
    game = CoachGame(world, (0,), 40, RewardWeights())
    game.reset(1, None, {}, None)
    st, table = game.live, game.table
    path = world.rec["lane_path"]
    for team in (0, 1):
        for lane in range(3):
            x, y = (int(v) for v in path[team, lane, int(world.rec["lane_len"][team, lane]) // 2])
            row, how = invert_choice(st, team, table, L.O_GROUP, x, y)
            assert how in ("exact", "nearest")
            assert game.choice_names[row] == f"group {('left', 'mid', 'right')[lane]}"
        assert invert_choice(st, team, table, L.O_MOVE, 10, 10) == (-1, "unmapped")
        assert invert_choice(st, team, table, L.O_GANK, team * 5, 0) == (-1, "unmapped")  # an own leader
        assert invert_choice(st, team, table, L.O_GROUP, 10, 10, nearest=False) == (-1, "unmapped")


def test_export_gives_consistent_arrays_allowed_actions_and_counts_every_order(replays):
    paths = [replays["laner"], replays["strategist"]]
    data = export_dataset(paths, team="both")
    meta = data["meta"]
    n = data["tick"].shape[0]
    N = len(meta["choice_names"])
    assert n == sum(e["decisions"] for e in meta["episodes"]) and len(meta["episodes"]) == 4
    assert data["planes"].shape[:2] == (n, E.N_PLANES) and data["planes"].dtype == np.float16
    assert data["leaders"].shape == (n, 10, E.LF) and data["buildings"].shape == (n, 2 * L.N_BLD, E.BF)
    assert data["scalars"].shape == (n, E.SF) and data["action_mask"].shape == (n, 6 * N + 2)
    assert data["actions"].shape == (n, E.N_ACTION)
    for key in ("rewards", "terminated", "exact", "episode", "replay", "tick", "team", "reward_win"):
        assert data[key].shape == (n,), key
    terms = sum(data[f"reward_{t}"] for t in ("win", "gold", "kills", "buildings", "last_hits"))
    np.testing.assert_allclose(terms, data["rewards"])
    for ep in range(4):  # each episode: decisions every 40 ticks from 0, terminated once, at its end
        rows = np.flatnonzero(data["episode"] == ep)
        assert (data["tick"][rows] == 40 * np.arange(rows.size)).all()
        assert data["terminated"][rows].tolist() == [False] * (rows.size - 1) + [True]
    # every recorded action is allowed by its recorded mask
    idx = np.arange(n)
    for i, (lo, _hi) in enumerate(E.mask_offsets(N)):
        assert (data["action_mask"][idx, lo + data["actions"][:, i]] == 1).all()
    assert (data["actions"] != 0).any()
    assert (data["actions"][data["team"] == 0, E.ACT_WHOLE] != 0).any()  # strategist's whole-team orders
    # every order of both teams has exactly one fate
    counted = sum(v for fate in FATES for v in meta["mapping"][fate].values())
    assert counted == sum(len(load_replay(p).orders) for p in paths)
    assert meta["content_version"] and meta["game_version"] and meta["env"] == "Shotcaller-v1"
    assert meta["replays"] == [str(p) for p in paths] and meta["errors"] == []


@pytest.mark.parametrize("blue", ["laner", "strategist"])
def test_exported_actions_replayed_through_the_coach_env_reproduce_the_match(replays, blue):
    """Every order of ``laner`` (per-leader orders) and of ``strategist`` (whole-team orders, each the
    action's whole-team choice) maps exactly, at the decision ticks, so its actions, stepped through
    ``Shotcaller-v1`` against the same opponent, replay the match bit for bit: the same observations,
    masks, rewards and final state (APM budget included: one whole-team order is one order)."""
    path = replays[blue]
    rep = load_replay(path)
    data = export_dataset([path], team="blue")
    assert data["exact"].all() and len(_team_orders(path, 0)) > {"laner": 5, "strategist": 2}[blue]
    env = CoachEnv({"laner": "random", "strategist": "pusher"}[blue], params=SHORT, draft=rep.draft)
    obs, info = env.reset(seed=rep.seed)
    for k in range(data["tick"].shape[0]):
        for key in ("leaders", "buildings", "scalars"):
            np.testing.assert_array_equal(obs[key], data[key][k], err_msg=f"{key} at decision {k}")
        np.testing.assert_array_equal(obs["planes"].astype(np.float16), data["planes"][k])
        np.testing.assert_array_equal(env.action_masks().astype(np.int8), data["action_mask"][k])
        obs, reward, terminated, _, info = env.step(data["actions"][k])
        assert reward == data["rewards"][k] and terminated == data["terminated"][k]
    assert terminated
    assert env.game.live.checksum(0) == rep.checksums[-1][1]
    env.close()


def test_whole_team_orders_are_the_whole_team_choice_and_later_ones_supersede_leaders_own(replays, content):
    data = export_dataset([replays["strategist"]], team="blue", planes=False)
    assert "planes" not in data
    whole = [r for r in _team_orders(replays["strategist"], 0) if r[2] == -1]
    assert whole and (data["actions"][:, E.ACT_WHOLE] != 0).sum() == len({r[0] for r in whole})
    # a window's orders in issue order: a leader's own order, then a whole-team order (which replaces it
    # in the engine too), then another leader's own order (given after the whole-team one: it stays)
    world = build_world(content, SimConfig(), SHORT)
    game = CoachGame(world, (0,), 40, RewardWeights())
    game.reset(2, None, {}, None)
    names = game.choice_names
    window = OrderWindow(0, resolved_choices(game.live, 0, game.table), game.action_mask(0), game.n_choices)
    for leader, kind, a in ((1, L.O_LANE, 0), (-1, L.O_PUSH, 1), (3, L.O_DEFEND, 2)):
        window.add(game.live, 0, game.table, [0, 0, leader, kind, a, 0])
    counts: dict[str, dict[str, int]] = {}
    act, exact = window.action(counts)
    assert [names[c] for c in act[:5]] == ["none"] * 3 + ["defend right", "none"]
    assert names[act[E.ACT_WHOLE]] == "push mid" and act[E.ACT_FORTIFY] == 0
    assert counts == {"superseded": {"lane": 1}, "exact": {"push": 1, "defend": 1}} and exact is False


def test_bad_replays_are_reported_by_name_and_the_others_exported(replays, tmp_path):
    good = replays["laner"]
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    foreign = tmp_path / "foreign.json"
    doc = json.loads(gzip.decompress(good.read_bytes()))
    doc["content_version"] = "0123456789abcdef"
    foreign.write_text(json.dumps(doc))
    tampered = tmp_path / "tampered.json"
    doc = json.loads(gzip.decompress(good.read_bytes()))
    doc["orders"] = doc["orders"][1:]
    doc.pop("reasons", None)
    tampered.write_text(json.dumps(doc))
    missing = tmp_path / "missing.json"
    data = export_dataset([corrupt, good, foreign, tampered, missing], team="red", planes=False)
    errors = {Path(e["path"]).name: e["error"] for e in data["meta"]["errors"]}
    assert sorted(errors) == ["corrupt.json", "foreign.json", "missing.json", "tampered.json"]
    assert "damaged replay file" in errors["corrupt.json"] and str(corrupt) in errors["corrupt.json"]
    assert "content version 0123456789abcdef" in errors["foreign.json"]
    assert "diverged at tick" in errors["tampered.json"]
    assert "No such file" in errors["missing.json"]
    assert data["meta"]["replays"] == [str(good)] and (data["replay"] == 0).all()
    with pytest.raises(DatasetError, match="no replay could be exported"):
        export_dataset([corrupt])
    with pytest.raises(DatasetError, match="team must be"):
        export_dataset([good], team="green")


def test_dataset_file_round_trip_and_bad_files(replays, tmp_path):
    data = export_dataset([replays["laner"]], team="blue")
    path = tmp_path / "ds.npz"
    save_dataset(data, path)
    back = load_dataset(path)
    assert back["meta"] == json.loads(json.dumps(data["meta"]))
    for k, v in data.items():
        if k != "meta":
            np.testing.assert_array_equal(back[k], v)
            assert back[k].dtype == v.dtype
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(DatasetError, match="junk.npz"):
        load_dataset(junk)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3))
    with pytest.raises(DatasetError, match="not a Shotcaller dataset"):
        load_dataset(other)


def test_cli_exports_reports_mapping_and_names_bad_files(replays, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("garbage")
    out = tmp_path / "bc.npz"
    cmd = [sys.executable, "-m", "shotcaller", "dataset", "export", str(replays["strategist"]), str(bad)]
    proc = subprocess.run(
        [*cmd, "--out", str(out), "--team", "blue", "--no-planes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and f"skipped {bad}: damaged replay file" in proc.stderr
    assert "decisions" in proc.stdout and "orders exact:" in proc.stdout
    data = load_dataset(out)
    assert "planes" not in data and data["meta"]["replays"] == [str(replays["strategist"])]
    proc = subprocess.run(
        [*cmd[:-2], str(bad), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2 and "no replay could be exported" in proc.stderr and "Traceback" not in proc.stderr
