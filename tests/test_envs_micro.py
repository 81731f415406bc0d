"""Micro mode (every leader an agent, every tick): API checkers, masks against the engine, the vector env
against single games, autoreset and real episode ends."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

from shotcaller.envs import parallel_env, vector_env
from shotcaller.envs.game import RewardWeights
from shotcaller.envs.micro import AGENTS, MicroBatch
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import encode_micro as M
from shotcaller.sim import layout as L


def micro_params(seconds: float) -> Params:
    return Params(micro=True, latency_s=0, apm=0, time_limit_s=seconds)


@pytest.fixture(scope="module")
def tiny_world(content):
    """3-second matches (60 ticks): the time limit truncates them."""
    return build_world(content, SimConfig(), micro_params(3))


def masked_sample(masks: np.ndarray, rng: np.random.Generator, plan: float = 0.0) -> np.ndarray:
    """One allowed action per row of ``masks`` (n, N_ACTIONS); action 0 with probability ``plan``."""
    keys = rng.random(masks.shape) * (masks > 0)
    out = keys.argmax(axis=1)
    out[rng.random(len(out)) < plan] = 0
    return out


def test_pettingzoo_api_and_seed_tests_pass(tiny_world):
    parallel_api_test(parallel_env("micro", world=tiny_world), num_cycles=80)
    parallel_seed_test(lambda: parallel_env("micro", world=tiny_world), num_cycles=30)


def _verdict(st, row) -> int | None:
    """The engine's answer to this one order row given alone now (on a copy): R_OK, a reason, or None when
    the row is no order at all."""
    if row[2] == L.O_NONE:
        return None
    cp = st.copy()
    ev = step_inplace(cp, np.array([[row]], np.int32), 1)
    found = [(int(e[1]), int(e[5])) for e in ev.of(0) if int(e[1]) in (L.E_ORDER_OK, L.E_ORDER_REJECTED)]
    assert len(found) == 1, found
    return L.R_OK if found[0][0] == L.E_ORDER_OK else found[0][1]


def test_masks_are_the_engines_validation_in_both_directions(content):
    """Property test over a real match with random masked play: every allowed action is accepted by the
    engine, every masked one refused; sampled allowed actions are never refused while playing."""
    world = build_world(content, SimConfig(), micro_params(75))
    bt = MicroBatch(world, 1, RewardWeights())
    bt.reset([4])
    rng = np.random.default_rng(4)
    seen = {"allowed": 0, "masked": 0, "target_allowed": 0, "dead": 0, "stop": 0}
    reasons: set[int] = set()
    tick = 0
    while bt.ends[0] == M.END_RUNNING:
        if tick == 700:  # a leader dies: its only allowed action is 0
            bt.live.arrays.units[0, L.SLOT_LEADER0 + 3]["hp"] = 0.0
        if tick % 50 == 0 or tick == 701:
            A = bt.live.arrays
            for a in range(M.N_ACTIONS):
                rows = np.zeros((1, 10, 5), np.int32)
                M.micro_orders(A, world.rec, np.full((1, 10), a, np.int64), bt.targets, rows)
                for k in range(10):
                    allowed = bool(bt.masks[0, k, a])
                    verdict = _verdict(bt.live, rows[0, k].tolist())
                    if a == 0:
                        assert allowed and verdict in (None, L.R_OK), (k, verdict)
                        seen["stop"] += verdict == L.R_OK
                        continue
                    assert (verdict == L.R_OK) == allowed, (tick, k, M.ACTION_NAMES[a], verdict)
                    seen["allowed" if allowed else "masked"] += 1
                    seen["target_allowed"] += allowed and a >= M.A_TARGET0
                    reasons.add(verdict)
            seen["dead"] += int((A.units[0]["alive"][L.SLOT_LEADER0 : L.SLOT_LEADER0 + 10] == 0).sum())
        bt.step(masked_sample(bt.masks[0], rng, plan=0.3).reshape(1, 10))
        assert (bt.rejected == 0).all(), bt.rejected  # allowed actions are never refused
        tick += 1
    assert seen["allowed"] > 500 and seen["masked"] > 100 and seen["target_allowed"] > 0, seen
    assert seen["dead"] > 0 and seen["stop"] > 0, seen
    assert {L.R_DEAD_LEADER, L.R_BAD_TARGET, L.R_BAD_COORDS} <= reasons, reasons


def test_the_vector_env_equals_single_games_and_autoresets_next_step(tiny_world):
    """Game by game, B games of the vector env give what single PettingZoo games give (same seeds and
    actions): observations, masks, rewards and ends; the step after an end starts the next match."""
    B = 3
    venv = vector_env(B, mode="micro", world=tiny_world)
    singles = [parallel_env("micro", world=tiny_world) for _ in range(B)]
    obs, info = venv.reset(seed=20)
    assert venv.observation_space.contains(obs) and obs.shape == (10 * B, M.OBS_SIZE)
    for b, env in enumerate(singles):
        o, _ = env.reset(seed=20 + b)
        for k, a in enumerate(AGENTS):
            assert np.array_equal(obs[10 * b + k], o[a]["observation"])
            assert np.array_equal(info["action_mask"][10 * b + k], o[a]["action_mask"])
    rng = np.random.default_rng(0)
    ended_at = None
    for step in range(70):
        acts = masked_sample(info["action_mask"], rng, plan=0.2)
        obs, rew, term, trunc, info = venv.step(acts)
        assert venv.observation_space.contains(obs)
        if ended_at is None:
            for b, env in enumerate(singles):
                o, r, t, tr, _ = env.step({a: int(acts[10 * b + k]) for k, a in enumerate(AGENTS)})
                for k, a in enumerate(AGENTS):
                    i = 10 * b + k
                    assert np.array_equal(obs[i], o[a]["observation"]), (step, b, a)
                    assert np.array_equal(info["action_mask"][i], o[a]["action_mask"])
                    assert rew[i] == r[a] and term[i] == t[a] and trunc[i] == tr[a]
            if trunc.any():
                assert trunc.all() and not term.any()  # the same time limit ends every game at the same tick
                assert info["_winner"].all() and (info["winner"] >= 0).all()
                assert all(not env.agents for env in singles)
                ended_at = step
        elif step == ended_at + 1:  # NEXT_STEP: the reset step
            assert (info["tick"] == 0).all() and (rew == 0).all() and not (term | trunc).any()
            assert (M.split_observation(obs)["team"][:, 0] == 0).all()
        elif step == ended_at + 2:
            assert (info["tick"] == 1).all()
    assert ended_at == 59  # 3 s at 20 ticks a second
    venv.close()


def test_a_fallen_core_terminates_the_episode_with_a_winner(tiny_world):
    shaping_off = {"gold": 0.0, "kills": 0.0, "buildings": 0.0, "last_hits": 0.0}
    env = parallel_env("micro", world=tiny_world, reward_weights=shaping_off)
    env.reset(seed=1)
    env.step({a: 0 for a in AGENTS})
    env.batch.live.arrays.units[0, L.N_BLD]["hp"] = 0.0  # red's core falls this tick
    _, rewards, terms, truncs, infos = env.step({a: 0 for a in AGENTS})
    assert all(terms.values()) and not any(truncs.values())
    assert {infos[a]["winner"] for a in AGENTS} == {L.BLUE}
    assert [rewards[a] for a in AGENTS] == [1.0] * 5 + [-1.0] * 5
    assert infos["blue_0"]["reward_terms"]["win"] == 1.0
    assert env.agents == []
    with pytest.raises(RuntimeError, match="reset"):
        env.step({a: 0 for a in AGENTS})


def test_an_attack_action_hits_the_listed_target(content):
    """Attack slot 0 is the nearest listed enemy: ordered every tick, the leader hits that unit."""
    world = build_world(content, SimConfig(), micro_params(120))
    bt = MicroBatch(world, 1, RewardWeights())
    bt.reset([2])
    acts = np.zeros((1, 10), np.int64)
    hits = 0
    for _ in range(2400):
        if bt.ends[0] != M.END_RUNNING:
            break
        acts[0, 0] = M.A_TARGET0 if bt.masks[0, 0, M.A_TARGET0] else 0
        target = int(bt.targets[0, 0, 0])
        before = float(bt.live.arrays.units[0, target]["hp"]) if acts[0, 0] else 0.0
        bt.step(acts)
        if acts[0, 0]:
            assert bt.live.arrays.leaders[0, 0]["micro"] in (L.O_ATTACK, 0)
            assert bt.live.arrays.units[0, L.SLOT_LEADER0]["target"] in (target, L.NONE)
            hits += bt.live.arrays.units[0, target]["hp"] < before
    assert hits > 3, hits


def test_bad_arguments_are_named(tiny_world, content):
    with pytest.raises(ValueError, match="micro=True"):
        parallel_env("micro", params=Params())
    with pytest.raises(ValueError, match="latency"):
        vector_env(2, mode="micro", params=Params(micro=True))
    with pytest.raises(ValueError, match="num_envs"):
        vector_env(0, mode="micro", world=tiny_world)
    with pytest.raises(ValueError, match="'coach' or 'micro'"):
        parallel_env("macro")
    venv = vector_env(2, mode="micro", world=tiny_world)
    venv.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        venv.step(np.zeros(10, np.int64))
    with pytest.raises(ValueError, match=f"0..{M.N_ACTIONS - 1}"):
        venv.step(np.full(20, M.N_ACTIONS, np.int64))
    env = parallel_env("micro", world=tiny_world)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="unknown agent"):
        env.step({"green_0": 1})


def test_copy_true_returns_arrays_no_later_step_overwrites(tiny_world):
    """``copy=True`` (default): observations and masks returned are never written again (each step writes
    new arrays); ``copy=False``: the same buffers every step, overwritten. Both give the same values."""
    envs = {c: vector_env(2, mode="micro", world=tiny_world, copy=c) for c in (True, False)}
    got = {c: [env.reset(seed=5)] for c, env in envs.items()}
    rng = np.random.default_rng(5)
    for _ in range(65):  # past the time limit: an autoreset too
        acts = masked_sample(got[True][-1][1]["action_mask"], rng, plan=0.2)
        for c, env in envs.items():
            obs, _, _, _, info = env.step(acts)
            got[c].append((obs, info))
    kept = got[True]
    for (o1, i1), (o2, i2) in zip(kept, kept[1:], strict=False):
        assert not np.shares_memory(o1, o2) and not np.shares_memory(i1["action_mask"], i2["action_mask"])
    assert all(np.shares_memory(o, got[False][0][0]) for o, _ in got[False])
    envs[True].step(np.zeros(20, np.int64))
    replay = vector_env(2, mode="micro", world=tiny_world, copy=False)
    obs, info = replay.reset(seed=5)
    assert np.array_equal(kept[0][0], obs) and np.array_equal(kept[0][1]["action_mask"], info["action_mask"])
    rng = np.random.default_rng(5)
    for obs_kept, info_kept in kept[1:]:  # the arrays kept are still what their steps returned
        obs, _, _, _, info = replay.step(masked_sample(info["action_mask"], rng, plan=0.2))
        assert np.array_equal(obs_kept, obs) and np.array_equal(info_kept["action_mask"], info["action_mask"])
