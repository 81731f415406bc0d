"""The coach env's JSON-text observation (``render_mode="ansi"``): parses, names the mask's choices, keeps fog."""

from __future__ import annotations

import json
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from shotcaller.envs import ENV_ID, CoachEnv
from shotcaller.sim import Params
from shotcaller.sim import layout as L

SHORT = Params(time_limit_s=180)


def _visible_enemies(env: CoachEnv) -> tuple[list[tuple[str, int, int]], int]:
    """The enemy mobile units the blue team sees now, as (kind, x, y) sorted, and its visible enemy leaders."""
    A = env.game.live.arrays
    un = A.units[0]
    slot = np.arange(un.shape[0])
    seen = un["alive"].astype(bool) & (un["team"] == 1) & A.games["vis"][0, 0].astype(bool)
    leaders = (slot >= L.SLOT_LEADER0) & (slot < L.SLOT_LEADER0 + 10)
    units = seen & (slot >= 2 * L.N_BLD) & ~leaders
    rows = sorted((L.KIND_NAMES[int(un["kind"][s])], int(un["x"][s]), int(un["y"][s])) for s in np.flatnonzero(units))
    return rows, int((seen & leaders).sum())


def test_text_observation_names_the_allowed_choices_and_shows_only_what_the_team_sees():
    env = CoachEnv("pusher", params=SHORT, render_mode="ansi")
    _, info = env.reset(seed=3)
    n = env.n_choices
    hidden_and_seen = rejected_seen = 0
    done = False
    while not done:
        doc = json.loads(env.render())
        mask = env.action_masks()
        assert doc["team"] == "blue" and doc["tick"] == env.game.tick
        for i, ld in enumerate(doc["leaders"]):
            assert ld["id"] == f"blue_{i}"
            assert doc["allowed"][ld["id"]] == [env.choice_names[c] for c in np.flatnonzero(mask[i * n : (i + 1) * n])]
        assert doc["allowed"]["fortify"] == bool(mask[5 * n + 1])
        assert doc["allowed"]["team"] == [env.choice_names[c] for c in np.flatnonzero(mask[5 * n + 2 :])]
        # fog of war: exactly the enemy units and leaders the team sees now, nothing more
        units, n_leaders = _visible_enemies(env)
        shown = sorted((u["kind"], u["x"], u["y"]) for u in doc["units"] if u["team"] == "red")
        assert shown == units
        assert len(doc["enemy_leaders"]) == n_leaders
        mobile = env.game.live.arrays.units[0][2 * L.N_BLD :]
        if 0 < len(units) + n_leaders < int((mobile["alive"].astype(bool) & (mobile["team"] == 1)).sum()):
            hidden_and_seen += 1
        assert doc["apm_left"] is not None and 0 <= doc["apm_left"] <= 30
        assert len(doc["buildings"]) == 26 and doc["buildings"][0]["name"] == "core"
        action = env.action_space.sample(mask=info["action_mask"])
        if doc["tick"] == 40:  # a purchase nobody can afford at the start: rejected, and the text says why
            action[0] = env.choice_names.index("buy Warlord Blade")
        _, _, done, _, info = env.step(action)
        if info["rejected"]:
            text = json.loads(env.render())
            reasons = [ld["last_rejected"] for ld in text["leaders"] if ld["last_rejected"]]
            reasons += [text["fortify"]["last_rejected"]] if text["fortify"]["last_rejected"] else []
            assert {r["reason"] for r in reasons} <= {ev["reason"] for ev in info["rejected"]}
            assert reasons
            rejected_seen += 1
    assert hidden_and_seen > 10  # the fog check met states with enemies both seen and hidden
    assert rejected_seen >= 1
    env.close()


def test_render_modes():
    env = gym.make(ENV_ID, opponent="pusher", params=SHORT, render_mode="ansi")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker's warnings are failures too
        check_env(env.unwrapped)  # its render check included
    env.close()
    with pytest.raises(ValueError, match="render_mode must be None or 'ansi', got 'human'"):
        CoachEnv("idle", params=SHORT, render_mode="human")
    env = CoachEnv("idle", params=SHORT)
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="without a render mode"):
        assert env.render() is None
    env.close()
