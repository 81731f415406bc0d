"""``shotcaller train`` and the policies it writes: a short real run whose checkpoint plays as a bot, the
numpy player equal to the torch network, the teacher's orders mapped to the env's actions, bad files."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from shotcaller.bots import make_coach
from shotcaller.bots.identity import identify
from shotcaller.bots.learned import Policy, PolicyLoadError
from shotcaller.cli import main
from shotcaller.content import load_content
from shotcaller.envs.game import CoachGame, RewardWeights
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim.observe import team_view

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A real training run of a few seconds: teacher cloning, then two PPO updates."""
    out = tmp_path_factory.mktemp("run") / "coach"
    argv = ["train", "--out", str(out), "--vs", "idle", "pusher", "--envs", "4", "--steps", "8"]
    argv += ["--max-decisions", "64", "--minutes", "10", "--teacher", "strategist", "--teacher-decisions", "120"]
    argv += ["--bc-epochs", "2", "--hidden", "32", "--no-progress"]
    assert main(argv) == 0
    return out


def test_train_writes_log_curve_and_checkpoints(run):
    rows = list(csv.DictReader((run / "progress.csv").open()))
    assert len(rows) >= 2 and int(rows[-1]["decisions"]) >= 64
    assert {"win_rate_vs_idle", "win_rate_vs_pusher", "entropy", "approx_kl"} <= set(rows[0])
    assert (run / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    assert (run / "teacher.npz").is_file() and (run / "ckpt.pt").is_file()
    pol = Policy.load(run / "policy.npz")
    assert pol.meta["trained"]["behaviour_cloning"]["samples"] > 0
    assert pol.meta["config"]["draft"] == "learn" and "draft" in pol.meta  # too few games for one here
    assert pol.meta["config"]["opponents"] == ["idle", "pusher"]


def test_checkpoint_plays_as_a_bot_in_a_match(run, capsys):
    spec = f"ckpt:{run}/policy.npz"
    assert main(["match", "--blue", spec, "--red", "pusher", "--seed", "3", "--time-limit", "120", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["winner"] in ("blue", "red", "draw") and not result.get("faults")
    # the torch checkpoint and the sampling mode load too, and tournaments can name the policy
    make_coach(f"ckpt:{run}/ckpt.pt").close()
    make_coach(f"{spec}?sample").close()
    ident = identify(spec)
    assert ident.name == "ckpt:coach/policy.npz" and len(ident.digest) == 8


def test_numpy_policy_equals_the_torch_actor(run):
    from shotcaller.train.ppo import Agent

    ck = torch.load(run / "ckpt.pt", weights_only=True)
    pol = Policy.load(run / "policy.npz")
    n_in = pol.layers[0][0].shape[0]
    agent = Agent(n_in, pol.n_choices, [32], 7.0)
    agent.load_state_dict(ck["agent"])
    x = np.random.default_rng(0).random((3, n_in), dtype=np.float32)
    mask = torch.ones((3, 6 * pol.n_choices + 2), dtype=torch.bool)
    rows, fort = agent.logits(torch.from_numpy(x), mask)  # (3, 6, N): the leaders', then the whole team's
    want = torch.cat([rows[:, :5].reshape(3, -1), fort, rows[:, 5]], 1).detach().numpy()  # the mask's layout
    from shotcaller.bots.learned import INPUTS

    sizes = [10 * 40, 26 * 13]
    parts = np.split(x, np.cumsum(sizes), axis=1)
    got = np.stack([pol.logits({k: p[i] for k, p in zip(INPUTS, parts, strict=True)}) for i in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_view_encoding_equals_the_env_observation():
    """What a ``ckpt:`` bot reads in a match is what the env trained it on, for either side."""
    world = build_world(load_content(), SimConfig(), Params())
    game = CoachGame(world, (0, 1), 40, RewardWeights())
    game.reset(11, None, {}, None)
    rng = np.random.default_rng(1)
    for _ in range(12):
        acts = {}
        for t in (0, 1):
            m = game.mask_tuple(t)
            acts[t] = np.array([rng.choice(np.flatnonzero(p)) if rng.random() < 0.2 else 0 for p in m])
        game.decide(acts)
    for t in (0, 1):
        env_obs = game.observe(t)
        view = team_view(game.live, t)
        got = view.encoded(game.rejected[t][0])
        for k in env_obs:
            np.testing.assert_array_equal(got[k], env_obs[k], err_msg=k)
        np.testing.assert_array_equal(got["action_mask"], game.action_mask(t))
        act = np.array([5, 0, 0, 1, 0, 0, 2])
        assert [tuple(r[1:]) for r in game.order_rows(t, act)] == view.choice_orders(act)
        assert view.choice_orders(act)[0][0] == -1  # the whole-team order first


def test_teacher_orders_become_the_rows_that_give_them():
    from collections import Counter

    from shotcaller.bots import orders as O
    from shotcaller.envs import vector_env
    from shotcaller.envs.dataset import resolved_all
    from shotcaller.sim import layout as L
    from shotcaller.train.imitate import action_of_orders

    env = vector_env(2)
    env.reset(seed=4)
    mask = env.action_masks()
    res = resolved_all(env.state, 0, env.table)
    unmapped: Counter[str] = Counter()
    names = env.choice_names
    orders = [O.push(1), O.teleport(3, leader=2), O.fortify(), (0, L.O_MOVE, 3, 3)]
    act = action_of_orders(orders, env.state, res[1], env.table, mask[1], unmapped)
    assert [names[c] for c in act[:5]] == ["none", "none", "teleport building 3", "none", "none"]
    assert names[act[6]] == "push mid"  # the whole-team order, given first: leader 2's own order stays
    assert act[5] == 1 and unmapped == Counter({"move": 1})
    env.close()


@pytest.mark.parametrize(
    "content, why",
    [
        (b"not a zip", "not a readable .npz"),
        (None, "no such file"),
    ],
)
def test_bad_policy_files_are_named(tmp_path, content, why):
    p = tmp_path / "p.npz"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(PolicyLoadError, match=why):
        Policy.load(p)
    with pytest.raises(ValueError, match="ckpt:"):
        make_coach(f"ckpt:{p}")


def test_policy_with_wrong_shapes_or_format_is_refused(run, tmp_path):
    with np.load(run / "policy.npz") as z:
        arrays = {k: z[k] for k in z.files}
    bad = dict(arrays, head_b=arrays["head_b"][:-1])
    np.savez(tmp_path / "a.npz", **bad)
    with pytest.raises(PolicyLoadError, match="inconsistent layer shapes"):
        Policy.load(tmp_path / "a.npz")
    meta = json.loads(str(arrays["meta"]))
    np.savez(tmp_path / "b.npz", **dict(arrays, meta=np.array(json.dumps({**meta, "format": "other"}))))
    with pytest.raises(PolicyLoadError, match="format 'other'"):
        Policy.load(tmp_path / "b.npz")


def _lineups(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(10) for _ in range(n)])


def test_the_drafter_is_fitted_on_the_runs_games_and_finds_the_leader_that_wins():
    """Games where the team with leader 7 wins most: the fitted drafter picks leader 7 first, on either
    side; too few games, or lineups that say nothing of the result, give no drafter (random picks)."""
    from shotcaller.bots.learned import _draft_table
    from shotcaller.train.ppo import MIN_DRAFT_GAMES, fit_drafter

    drafts = _lineups(3000)
    rng = np.random.default_rng(1)
    p_blue = np.where((drafts[:, :5] == 7).any(1), 0.85, 0.35)
    winners = np.where(rng.random(len(drafts)) < p_blue, 0, 1)
    rec = fit_drafter(drafts, winners)
    assert rec is not None and rec["games"] == 3000 and rec["cv"]["coin"] > min(rec["cv"].values())
    table = _draft_table(rec, "test")
    assert table is not None and int(np.argmax(table["strength"])) == 7
    assert table["content_version"] == load_content().version
    from shotcaller.bots.drafters import greedy_pick

    names = load_content().leader_names
    pool = [{"leader": n} for n in names]
    for you, picks in (("blue", []), ("red", [{"team": "blue", "leader": names[0]}])):
        view = {"pool": pool, "picks": picks, "you": you, "content_version": load_content().version}
        view["available"] = [a for a in pool if a["leader"] not in {p["leader"] for p in picks}]
        assert greedy_pick(view, None, table) == names[7]
    assert fit_drafter(drafts[: MIN_DRAFT_GAMES - 1], winners[: MIN_DRAFT_GAMES - 1]) is None
    coin = np.where(np.random.default_rng(2).random(len(drafts)) < 0.5, 0, 1)
    assert fit_drafter(drafts, coin) is None


def test_a_policy_with_a_drafter_drafts_with_it_and_a_broken_one_is_refused(run, tmp_path, capsys):
    from shotcaller.train.ppo import fit_drafter

    with np.load(run / "policy.npz") as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    drafts = _lineups(1000)
    winners = np.where((drafts[:, :5] == 3).any(1), 0, 1)  # leader 3's team always wins
    meta["draft"] = fit_drafter(drafts, winners)
    np.savez(tmp_path / "d.npz", **dict(arrays, meta=np.array(json.dumps(meta))))
    spec = f"ckpt:{tmp_path}/d.npz"
    for side in ("--blue", "--red"):
        other = "--red" if side == "--blue" else "--blue"
        argv = ["match", side, spec, other, "pusher", "--seed", "5", "--time-limit", "60", "--json"]
        assert main(argv) == 0
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        team = side[2:]
        assert load_content().leader_names[3] in result["draft"][team] and not result.get("faults")
    # no drafter in the file: random picks (the coach does not ask to draft)
    assert not make_coach(f"ckpt:{run}/policy.npz").wants_draft(None)
    meta["draft"]["table"]["strength"] = [1.0] * 3
    np.savez(tmp_path / "e.npz", **dict(arrays, meta=np.array(json.dumps(meta))))
    with pytest.raises(PolicyLoadError, match="broken draft model.*strength"):
        Policy.load(tmp_path / "e.npz")
    for bad in (5, "x", {"table": [1, 2]}):
        np.savez(tmp_path / "f.npz", **dict(arrays, meta=np.array(json.dumps({**meta, "draft": bad}))))
        with pytest.raises(PolicyLoadError, match="expected an object with a 'table' object"):
            Policy.load(tmp_path / "f.npz")


def test_train_errors(tmp_path, capsys):
    assert main(["train", "--vs", "nobody", "--out", str(tmp_path)]) == 2
    assert "unknown bot 'nobody'" in capsys.readouterr().err
    assert main(["train", "--bc", str(tmp_path / "missing.npz"), "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--lr", "-1"])


def test_train_clones_a_dataset_exported_from_replays(run, tmp_path, capsys):
    """The issue's pipeline: replays of a stronger bot -> dataset export -> train --bc (joined here with
    an earlier run's teacher recording)."""
    rep = tmp_path / "m.json.gz"
    argv = ["match", "--blue", "strategist", "--red", "laner", "--seed", "2", "--time-limit", "90"]
    assert main([*argv, "--replay", str(rep)]) == 0
    data = tmp_path / "d.npz"
    assert main(["dataset", "export", str(rep), "--out", str(data), "--no-planes"]) == 0
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--vs", "idle", "--envs", "2", "--steps", "4", "--max-decisions", "8"]
    teacher = run / "teacher.npz"
    assert main([*argv, "--bc", str(data), str(teacher), "--bc-epochs", "1", "--hidden", "16", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    with np.load(teacher) as z:
        recorded = len(z["actions"])
    assert summary["behaviour_cloning"]["samples"] > recorded  # both files
    Policy.load(out / "policy.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"junk")
    assert main(["train", "--out", str(out), "--bc", str(data), str(bad), "--no-progress"]) == 2
    assert "bad.npz" in capsys.readouterr().err
    with np.load(teacher) as z:  # a recording of the v0 action (5 rows and fortify): named, not a crash
        old = {k: z[k] for k in z.files}
    old["actions"] = old["actions"][:, :6]
    np.savez(tmp_path / "v0.npz", **old)
    assert main(["train", "--out", str(out), "--bc", str(tmp_path / "v0.npz"), "--no-progress"]) == 2
    assert "v0.npz: actions of shape" in capsys.readouterr().err


def test_resume_from_another_network_is_a_named_error(run, tmp_path, capsys):
    argv = ["train", "--out", str(tmp_path), "--vs", "idle", "--envs", "2", "--steps", "4", "--max-decisions", "8"]
    assert main([*argv, "--resume", str(run / "ckpt.pt"), "--hidden", "16", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and "not a checkpoint of this network (--hidden 16)" in err


def test_a_policy_without_the_whole_team_head_still_plays(run):
    """A policy trained for Shotcaller-v0 (five leaders' rows and fortify, no whole-team order) loads and
    plays: it never gives a whole-team order."""
    with np.load(run / "policy.npz") as z:
        arrays = {k: z[k] for k in z.files}
    new = Policy.from_arrays(arrays)
    n = new.n_choices
    assert new.whole_team and arrays["head_w"].shape[1] == 6 * n + 2
    arrays["head_w"], arrays["head_b"] = arrays["head_w"][:, : 5 * n + 2], arrays["head_b"][: 5 * n + 2]
    old = Policy.from_arrays(arrays)
    assert not old.whole_team
    world = build_world(load_content(), SimConfig(), Params())
    game = CoachGame(world, (0,), 40, RewardWeights())
    game.reset(3, None, {}, None)
    obs, mask = game.observe(0), game.action_mask(0)
    act = old.act(obs, mask, np.random.default_rng(0))
    assert act.shape == (7,) and act[6] == 0
    np.testing.assert_array_equal(act[:6], new.act(obs, mask, np.random.default_rng(0))[:6])
    arrays["head_w"], arrays["head_b"] = arrays["head_w"][:, :-1], arrays["head_b"][:-1]
    with pytest.raises(PolicyLoadError, match="outputs, expected 6"):
        Policy.from_arrays(arrays)


def test_behaviour_cloning_learns_every_part_of_the_action_and_reports_it():
    """Cloning a teacher whose choices follow its input (a leader's row, fortify and the whole-team row)
    reaches them all, and the reported accuracy and order recall say so."""
    from shotcaller.train.ppo import Agent, TrainConfig, behaviour_cloning

    n, n_in, m = 46, 8, 4096
    rng = np.random.default_rng(0)
    x = rng.standard_normal((m, n_in)).astype(np.float32)
    actions = np.zeros((m, 7), np.int64)
    actions[:, 2] = np.where(x[:, 0] > 0, 5, 0)  # leader 2: "push mid" or nothing
    actions[:, 5] = (x[:, 1] > 0).astype(np.int64)  # fortify
    actions[:, 6] = np.where(x[:, 2] > 0, 13, 0)  # the whole team: a gank row or nothing
    data = {
        "x": x,
        "action_mask": np.ones((m, 6 * n + 2), np.int8),
        "actions": actions,
        "rewards": np.zeros(m),
        "terminated": np.zeros(m, bool),
        "episode": np.zeros(m, np.int64),
    }
    torch.manual_seed(0)
    agent = Agent(n_in, n, [64], 7.0)
    cfg = TrainConfig(bc_epochs=20, bc_learning_rate=3e-3)
    stats = behaviour_cloning(agent, torch.optim.Adam(agent.parameters()), cfg, data, lambda _m: None)
    assert stats["accuracy"] > 0.99 and stats["order_recall"] > 0.95, stats
