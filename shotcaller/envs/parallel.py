"""PettingZoo ``ParallelEnv`` adapters: the two coaches of a match as agents (self-play)."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from shotcaller.bots.seat import ticks
from shotcaller.content import Content
from shotcaller.envs.coach import (
    DEFAULT_DECIDE_EVERY_S,
    action_space,
    check_action,
    check_arguments,
    make_world,
    observation_space,
)
from shotcaller.envs.game import CoachGame, RewardWeights
from shotcaller.sim import Params, SimConfig, World
from shotcaller.sim import encode as E

AGENTS = ("blue", "red")


class CoachParallelEnv(ParallelEnv[str, dict[str, Any], np.ndarray]):
    """Both coaches of a match as PettingZoo agents ``blue`` and ``red``.

    ## Description
    Self-play of the coach game: each agent is a team's coach and decides every ``decide_every_s``
    game seconds, both at the same ticks; neither acts first (the engine applies both teams' orders
    of a tick together). Observations, actions, masks and rewards are those of ``Shotcaller-v1``
    (:class:`~shotcaller.envs.coach.CoachEnv`), each from its own team's side: ``red`` sees only what
    red sees, and its choices name its own lanes, buildings and the enemy (blue) leaders.

    ## Observation / Action
    Per agent, as ``Shotcaller-v1``: a dict with ``planes``, ``leaders``, ``buildings``, ``scalars``, plus
    ``action_mask`` (PettingZoo's convention: a tuple of five (N,) int8 masks, fortify's (2,) and the
    whole team's (N,), so ``action_space(agent).sample(mask=obs[agent]["action_mask"])`` draws a valid
    action);
    ``MultiDiscrete([N] * 5 + [2, N])``. ``scalars`` carries the side (0 blue, 1 red).

    ## Rewards
    Per agent, as ``Shotcaller-v1`` (zero-sum: each term is own minus enemy); ``infos[agent]["reward_terms"]``.

    ## Episode end
    Both agents are ``terminated`` together when the match ends (a core falls or the game's time limit);
    ``truncated`` is never set by the env. ``agents`` is empty afterwards.

    ## Arguments
    ``decide_every_s``, ``reward_weights``, ``params``, ``config``, ``content``, ``world``, ``draft`` as
    ``Shotcaller-v1``.

    ## Version history
    * v0: first version.
    """

    metadata: dict[str, Any] = {"name": "shotcaller_coach_v0", "render_modes": [], "is_parallelizable": True}

    def __init__(
        self,
        *,
        decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
        reward_weights: RewardWeights | dict[str, float] | None = None,
        params: Params | None = None,
        config: SimConfig | None = None,
        content: Content | None = None,
        world: World | None = None,
        draft: list[int] | None = None,
        render_mode: str | None = None,
    ) -> None:
        check_arguments(decide_every_s, render_mode)
        self.world = make_world(world, content, params, config)
        self.game = CoachGame(self.world, (0, 1), ticks(decide_every_s, self.world), RewardWeights.of(reward_weights))
        self.draft = None if draft is None else [int(h) for h in draft]
        self.possible_agents = list(AGENTS)
        self.agents: list[str] = []
        self.render_mode = render_mode
        self.choice_names = self.game.choice_names
        self._obs_space = observation_space(self.world, self.game.n_choices, with_mask=True)
        self._act_space = action_space(self.game.n_choices)
        self._rng = np.random.default_rng()

    def observation_space(self, agent: str) -> spaces.Space:
        """The same space object for both agents (PettingZoo's tests require the very same object)."""
        return self._obs_space

    def action_space(self, agent: str) -> spaces.Space:
        return self._act_space

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        match_seed = int(seed) if seed is not None else int(self._rng.integers(0, 2**31 - 1))
        self.game.reset(match_seed, (options or {}).get("draft", self.draft), {}, None)
        self.agents = list(AGENTS)
        obs = {a: self.game.observe(t, with_mask=True) for t, a in enumerate(AGENTS)}
        return obs, {a: {"seed": match_seed, "tick": 0} for a in AGENTS}

    def step(
        self, actions: dict[str, np.ndarray]
    ) -> tuple[
        dict[str, dict[str, np.ndarray]],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        g = self.game
        if not self.agents:
            raise RuntimeError("no agents: call reset() to start a match")
        choices = {}
        for t, a in enumerate(AGENTS):
            choices[t] = check_action(
                actions.get(a, np.zeros(E.N_ACTION, np.int64)), g.n_choices, self._act_space, f"{a}: "
            )
        before = g.snapshot_score()
        g.decide(choices)
        obs, rewards, terms, truncs, infos = {}, {}, {}, {}, {}
        done = g.done
        result = g.result() if done else None
        for t, a in enumerate(AGENTS):
            obs[a] = g.observe(t, with_mask=True)
            rewards[a], parts = g.reward(t, before)
            terms[a] = done
            truncs[a] = False
            infos[a] = {"tick": g.tick, "reward_terms": parts, "rejected": list(g.last_rejected[t])}
            if result is not None:
                infos[a]["result"] = result
        if done:
            self.agents = []
        return obs, rewards, terms, truncs, infos

    def close(self) -> None:
        self.game.close_opponents()
