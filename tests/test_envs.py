"""The Gymnasium and PettingZoo adapters: API checkers, masks against the engine, rewards, episode ends."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import parallel_api_test, parallel_seed_test

import shotcaller.envs  # noqa: F401  (registers Shotcaller-v1)
from shotcaller.envs import ENV_ID, CoachEnv, RewardWeights, parallel_env
from shotcaller.envs.game import CoachGame
from shotcaller.sim import Params, SimConfig, build_world, step_inplace
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L

SHORT = Params(time_limit_s=90)  # short matches: the game's time limit ends them (a tie-break decides)


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), SHORT)


def test_gymnasium_check_env_passes(short_world):
    env = gym.make(ENV_ID, opponent="pusher", world=short_world)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker's warnings are failures too
        check_env(env.unwrapped, skip_render_check=True)
    env.close()


def test_pettingzoo_api_and_seed_tests_pass(short_world):
    parallel_api_test(parallel_env("coach", world=short_world), num_cycles=60)
    parallel_seed_test(lambda: parallel_env("coach", world=short_world), num_cycles=20)


def _accepted_alone(game: CoachGame, team: int, part: int, choice: int) -> bool:
    """Whether the engine accepts this one choice given alone now (on a copy of the match): ``part`` is a
    leader 0..4, fortify (5, choice 1) or the whole-team order (6)."""
    act = np.zeros(E.N_ACTION, np.int64)
    act[part] = choice
    rows = game.order_rows(team, act)
    assert len(rows) == 1
    st = game.live.copy()
    ev = step_inplace(st, np.array([rows], np.int32), 1)
    kinds = [int(r[1]) for r in ev.of(0) if int(r[2]) == team and int(r[1]) in (L.E_ORDER_OK, L.E_ORDER_REJECTED)]
    assert len(kinds) == 1
    return kinds[0] == L.E_ORDER_OK


@pytest.mark.parametrize("seed", [1, 2])
def test_every_masked_choice_is_rejected_by_the_engine_and_every_allowed_one_accepted(content, seed):
    """Property test over the states of real matches (random masked play, default APM and latency, so
    dead leaders, poor leaders, cooldowns, unseen enemies and an exhausted APM budget all occur): the mask
    and the engine's validation agree on every choice of every leader, of the whole-team order and on
    fortify."""
    world = build_world(content, SimConfig(), Params(time_limit_s=600))
    game = CoachGame(world, (0, 1), 40, RewardWeights())
    game.reset(seed, None, {}, None)
    rng = np.random.default_rng(seed)
    n = game.n_choices
    seen = {"masked": 0, "allowed": 0, "apm_out": 0, "dead": 0, "whole_masked": 0, "whole_allowed": 0}
    offsets = [lo for lo, _hi in E.mask_offsets(n)]
    decisions = 0
    while not game.done:
        decisions += 1
        if decisions % 9 == 0:  # check every choice now, for both teams
            for team in (0, 1):
                mask = game.action_mask(team)
                if mask[1:n].sum() == 0 and mask[n + 1 : 2 * n].sum() == 0:
                    seen["apm_out"] += 1
                alive = game.live.arrays.units[0]["alive"][L.SLOT_LEADER0 + team * 5 : L.SLOT_LEADER0 + team * 5 + 5]
                seen["dead"] += int((alive == 0).sum())
                for i in (0, 1, 2, 3, 4, E.ACT_WHOLE):
                    for c in range(1, n):
                        allowed = bool(mask[offsets[i] + c])
                        assert _accepted_alone(game, team, i, c) == allowed, (team, i, game.choice_names[c], allowed)
                        seen[("whole_" if i == E.ACT_WHOLE else "") + ("allowed" if allowed else "masked")] += 1
                assert _accepted_alone(game, team, E.ACT_FORTIFY, 1) == bool(mask[5 * n + 1])
        acts = {}
        for team in (0, 1):
            mask = game.mask_tuple(team)
            act = [int(rng.choice(np.flatnonzero(m))) if rng.random() < 0.5 else 0 for m in mask[:5]]
            whole = int(rng.choice(np.flatnonzero(mask[6]))) if rng.random() < 0.1 else 0
            acts[team] = np.array(act + [int(rng.choice(np.flatnonzero(mask[5]))), whole])
        game.decide(acts)
    assert seen["masked"] > 1000 and seen["allowed"] > 1000 and seen["apm_out"] > 0 and seen["dead"] > 0, seen
    assert seen["whole_masked"] > 100 and seen["whole_allowed"] > 100, seen


def test_sampled_valid_actions_are_only_ever_refused_for_the_shared_apm_budget(short_world):
    env = CoachEnv("strategist", world=short_world)
    obs, info = env.reset(seed=5)
    env.action_space.seed(5)
    reasons: set[str] = set()
    done = False
    while not done:
        obs, reward, done, truncated, info = env.step(env.action_space.sample(mask=info["action_mask"]))
        reasons |= {r["reason"] for r in info["rejected"]}
        assert not truncated
    assert reasons <= {L.REJECT_REASONS[L.R_APM]}, reasons
    assert L.REJECT_REASONS[L.R_APM] in reasons  # random play does exhaust it: the test saw the budget shared
    env.close()


def test_a_whole_team_order_costs_one_order_and_a_leaders_own_choice_overrides_it(short_world):
    """The action's whole-team row is the rules' order to all five (one order of the APM budget, where
    five leaders' choices cost five); it is given first, so a leader's own choice of the same action
    wins for that leader."""
    env = CoachEnv("idle", world=short_world)
    obs, info = env.reset(seed=3)
    names = env.choice_names
    apm = int(env.world.rec["apm"])

    def apm_left(o: dict) -> int:
        return round(float(o["scalars"][E.S_APM]) * apm)

    act = np.zeros(E.N_ACTION, np.int64)
    act[E.ACT_WHOLE] = names.index("push mid")
    act[2] = names.index("lane left")
    obs, _, _, _, info = env.step(act)
    assert info["rejected"] == [] and apm_left(obs) == apm - 2  # one whole-team order, one leader's
    obs, _, _, _, _ = env.step(np.zeros(E.N_ACTION, np.int64))  # past the latency
    leaders = env.game.live.arrays.leaders[0]
    kinds = [(int(ld["order"]), int(ld["order_a"])) for ld in leaders[:5]]
    assert kinds == [(L.O_PUSH, 1)] * 2 + [(L.O_LANE, 0)] + [(L.O_PUSH, 1)] * 2
    act = np.zeros(E.N_ACTION, np.int64)
    act[:5] = names.index("defend right")  # the same plan as five leaders' choices: five orders
    obs, _, _, _, _ = env.step(act)
    assert apm_left(obs) == apm - 7
    env.close()


def test_rewards_are_the_sum_of_their_named_terms_and_the_match_ends_terminated(short_world):
    weights = {"win": 2.0, "gold": 0.5, "kills": 0.1, "buildings": 0.3, "last_hits": 0.2}
    env = CoachEnv("pusher", world=short_world, reward_weights=weights)
    env.reset(seed=11)
    total, terms_seen, steps = 0.0, set(), 0
    while True:
        obs, reward, terminated, truncated, info = env.step(np.zeros(E.N_ACTION, np.int64))
        steps += 1
        assert reward == pytest.approx(sum(info["reward_terms"].values()))
        terms_seen |= {k for k, v in info["reward_terms"].items() if v != 0}
        total += reward
        if terminated:
            break
        assert info["reward_terms"]["win"] == 0.0
    assert "result" in info
    assert info["reward_terms"]["win"] == {0: 2.0, 1: -2.0, 2: 0.0}[env.game.winner]
    assert {"gold", "last_hits"} <= terms_seen
    assert steps == pytest.approx(90 / 2, abs=1)  # a 90 s match in 2 s decisions
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(E.N_ACTION, np.int64))
    env.close()


def test_the_observation_is_the_teams_view_only(short_world):
    """An enemy leader the team does not see has nothing but its hero in the observation."""
    env = CoachEnv("idle", world=short_world)
    obs, _ = env.reset(seed=3)
    A = env.game.live.arrays
    vis = A.games["vis"][0, 0]
    for k in range(5, 10):
        slot = L.SLOT_LEADER0 + 5 + (k - 5)
        row = obs["leaders"][k]
        if vis[slot] == 0:
            hero = row[E.L_HERO : E.L_HERO + 10]  # the hero one-hot is public
            assert row.sum() == pytest.approx(hero.sum()) and hero.sum() == 1.0
    assert obs["planes"][5].sum() == pytest.approx(
        sum(
            A.units[0]["hp"][s] / A.units[0]["max_hp"][s]
            for s in range(L.SLOT_LEADER0 + 5, L.SLOT_LEADER0 + 10)
            if vis[s] and A.units[0]["alive"][s]
        ),
        abs=1e-4,
    )
    env.close()


def test_bad_arguments_are_named(short_world):
    with pytest.raises(ValueError, match="no-such-bot"):
        CoachEnv("no-such-bot", world=short_world)
    with pytest.raises(ValueError, match="speed"):
        CoachEnv("idle", world=short_world, reward_weights={"speed": 1.0})
    with pytest.raises(ValueError, match="decide_every_s"):
        CoachEnv("idle", world=short_world, decide_every_s=0)
    env = CoachEnv("idle", world=short_world)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(E.N_ACTION, np.int64))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="outside"):
        env.step(np.array([0, 0, 0, 0, 99, 0, 0]))
    with pytest.raises(ValueError, match="outside"):
        env.step(np.array([0, 0, 0, 0, 0, 0, 99]))  # the whole-team row
    with pytest.raises(ValueError, match="7 integers"):
        env.step(np.zeros(6, np.int64))  # a v0 action
    with pytest.raises(ValueError, match="mode"):
        parallel_env("micro-typo")


class _Broken:
    def reset(self, info):
        pass

    def act(self, view, info):
        raise ZeroDivisionError("the bot's own bug")


def test_an_opponent_that_raises_is_a_recorded_fault_not_a_crash(short_world):
    env = CoachEnv(_Broken(), world=short_world)
    env.reset(seed=1)
    done = False
    while not done:
        _, _, done, _, info = env.step(np.zeros(E.N_ACTION, np.int64))
    assert any("ZeroDivisionError" in f["reason"] for f in info["faults"])
    env.close()


def test_maskable_ppo_runs_on_the_coach_env_unmodified(short_world):
    from sb3_contrib import MaskablePPO

    env = gym.make(ENV_ID, opponent="idle", world=short_world)
    model = MaskablePPO("MultiInputPolicy", env, n_steps=500, batch_size=100, n_epochs=1, seed=0)
    model.learn(2_000)
    assert model.num_timesteps >= 2_000
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(obs, action_masks=env.unwrapped.action_masks())
    assert env.action_space.contains(action)
    masks = np.split(env.unwrapped.action_masks(), np.cumsum(env.action_space.nvec)[:-1])
    assert all(m[a] for m, a in zip(masks, action, strict=True))  # the policy chose allowed choices
    env.close()


def test_the_vector_env_equals_single_envs_and_autoresets_next_step(short_world):
    """B games in the compiled core give, game by game, the single env's observations, rewards and ends
    (same seeds and choices, opponent ``idle``); the step after a game's end starts its next match."""
    from shotcaller.envs import vector_env

    B = 3
    venv = vector_env(B, world=short_world)
    singles = [CoachEnv("idle", world=short_world) for _ in range(B)]
    obs, info = venv.reset(seed=20)
    assert venv.observation_space.contains(obs)
    for b, env in enumerate(singles):
        o, i = env.reset(seed=20 + b)
        assert all(np.array_equal(obs[k][b], o[k]) for k in o)
        assert np.array_equal(info["action_mask"][b], np.concatenate(i["action_mask"]))
    rng = np.random.default_rng(0)
    ended_at = None
    for step in range(60):
        acts = np.zeros((B, E.N_ACTION), np.int64)
        for b in range(B):
            for k, m in enumerate(np.split(info["action_mask"][b], np.cumsum(venv.single_action_space.nvec)[:-1])):
                acts[b, k] = rng.choice(np.flatnonzero(m)) if rng.random() < 0.3 else 0
        obs, rew, term, trunc, info = venv.step(acts)
        assert not trunc.any()
        if ended_at is None:
            for b, env in enumerate(singles):
                o, r, t, _, i = env.step(acts[b])
                assert all(np.array_equal(obs[k][b], o[k]) for k in o), (step, b)
                assert rew[b] == pytest.approx(r) and term[b] == t
            if term.any():
                assert term.all()  # the same time limit ends every game at the same decision
                assert (info["winner"] >= 0).all() and info["_winner"].all()
                for b, env in enumerate(singles):  # the ended matches' lineups, for a learned drafter
                    assert info["draft"][b].tolist() == list(env.game.state.arrays.games["draft"][0])
                ended_at = step
        elif step == ended_at + 1:  # NEXT_STEP: the reset step
            assert (info["tick"] == 0).all() and (rew == 0).all() and not term.any()
            assert info["draft"].tolist() == venv.state.arrays.games["draft"].tolist()  # the new matches'
            assert sorted(info["draft"][0].tolist()) == list(range(10))
            assert obs["scalars"][:, E.S_TIME].max() == 0.0
        elif step == ended_at + 2:
            assert (info["tick"] == venv.decide_every).all()
    assert ended_at is not None
    venv.close()
