"""Micro mode: every leader an agent, steered every tick (PettingZoo ``ParallelEnv`` and a native vector env).

Both adapters drive :class:`MicroBatch`, B matches whose orders, tick, observations, masks and rewards
are one compiled call (:func:`shotcaller.sim.encode_micro.micro_step`); see ``docs/envs.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space
from pettingzoo import ParallelEnv

from shotcaller.content import Content
from shotcaller.envs.coach import make_world
from shotcaller.envs.game import REWARD_TERMS, RewardWeights, restart_game
from shotcaller.sim import Params, SimConfig, State, World, new_state
from shotcaller.sim import encode_micro as M

AGENTS = tuple(f"{side}_{i}" for side in ("blue", "red") for i in range(5))
MICRO_PARAMS = Params(micro=True, latency_s=0, apm=0)  # the rules micro mode needs: every order at once


def micro_world(world: World | None, content: Content | None, params: Params | None, config: SimConfig | None) -> World:
    """The world of a micro env (``params`` default :data:`MICRO_PARAMS`); ValueError naming a rule it lacks."""
    w = make_world(world, content, params or MICRO_PARAMS, config)
    rec = w.rec
    if not int(rec["micro"]) or int(rec["latency"]) != 0 or int(rec["apm"]) != 0 or int(rec["autoreset"]):
        raise ValueError(
            "micro mode needs Params(micro=True, latency_s=0, apm=0, autoreset=False): every agent orders every tick, "
            f"got micro={bool(rec['micro'])}, latency={int(rec['latency'])} ticks, apm={int(rec['apm'])}, "
            f"autoreset={bool(rec['autoreset'])}"
        )
    return w


def observation_box() -> spaces.Box:
    """One agent's flat observation (``encode_micro.split_observation`` names its parts)."""
    low = np.zeros(M.OBS_SIZE, np.float32)
    for q in range(M.N_TARGETS):
        s = M.OBS_TARGETS + q * M.TARGET_F
        low[s + M.TC_DX] = low[s + M.TC_DY] = -1.0
    return spaces.Box(low, np.ones(M.OBS_SIZE, np.float32), dtype=np.float32)


def check_actions(actions: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Actions as an int64 array of ``shape``, each in 0..N_ACTIONS-1; ValueError otherwise."""
    act = np.asarray(actions)
    if act.shape != shape or not np.issubdtype(act.dtype, np.integer):
        raise ValueError(f"actions must be an integer array of shape {shape}, got shape {act.shape} of {act.dtype}")
    if act.size and (act.min() < 0 or act.max() >= M.N_ACTIONS):
        raise ValueError(f"actions must be in 0..{M.N_ACTIONS - 1} (encode_micro.ACTION_NAMES), got {act.tolist()}")
    return act.astype(np.int64, copy=False)  # read during the step only, never kept


class MicroBatch:
    """B matches of micro agents (10 per game) and the preallocated buffers the compiled step fills.

    After :meth:`reset` and :meth:`step`: ``obs`` (B, 10, OBS_SIZE), ``masks`` (B, 10, N_ACTIONS),
    ``rewards`` (B, 10), ``terms`` (B, 10, 5) weighted reward terms, ``ends`` (B,) END_*, ``rejected``
    (B, 10) reason of each agent's refused order (0 none), ``targets`` (B, 10, K) target slots.

    ``obs`` and ``masks`` are pure outputs (every call writes them whole, nothing reads them back), so
    ``fresh=True`` has a call write them into new arrays instead of over the last ones: whoever holds the
    last ones keeps them unchanged, without a copy (the vector env's ``copy=True``).
    """

    def __init__(self, world: World, num_games: int, weights: RewardWeights, threads: bool = False) -> None:
        self.world = world
        self.B = B = num_games
        self.weights = np.array([getattr(weights, k) for k in REWARD_TERMS], np.float64)
        self.threads = bool(threads)
        self.state: State | None = None  # (B games)
        self.obs = np.zeros((B, 10, M.OBS_SIZE), np.float32)
        self.masks = np.zeros((B, 10, M.N_ACTIONS), np.int8)
        self.rewards = np.zeros((B, 10), np.float64)
        self.terms = np.zeros((B, 10, M.N_TERMS), np.float64)
        self.ends = np.zeros(B, np.int8)
        self.rejected = np.zeros((B, 10), np.int32)
        self.targets = np.full((B, 10, M.N_TARGETS), -1, np.int32)
        self.score = np.zeros((B, 2, 4), np.float64)
        self._orders = np.zeros((B, 10, 5), np.int32)
        self._n_orders = np.zeros(B, np.int64)
        self._no_draft = np.full(10, -1, np.int8)
        self._skip = np.zeros(B, np.int8)
        self._shown: np.ndarray | None = None
        self._cand: np.ndarray | None = None

    @property
    def live(self) -> State:
        if self.state is None:
            raise RuntimeError("call reset() before step()")
        return self.state

    def _fresh_outputs(self) -> None:
        """New arrays for the observations and masks the next call writes (see the class)."""
        self.obs = np.empty_like(self.obs)
        self.masks = np.empty_like(self.masks)

    def reset(self, seeds: list[int], drafts: np.ndarray | None = None, fresh: bool = False) -> None:
        """Start B matches from ``seeds`` (and ``drafts`` (B, 10), -1 rows at random)."""
        if fresh:
            self._fresh_outputs()
        self.state = st = new_state(self.world, seeds, drafts)
        U = st.arrays.units.shape[1]
        self._shown = np.zeros((self.B, 2, U, 3), np.int64)
        self._cand = np.zeros((self.B, 2, U), np.int64)
        self.ends[:] = 0
        self.rewards[:] = 0.0
        self.terms[:] = 0.0
        self.rejected[:] = 0
        M.micro_observe(
            st.arrays, self.world.rec, self.targets, self.obs, self.masks, self.score, self._shown, self._cand
        )

    def step(self, actions: np.ndarray, restart: dict[int, int] | None = None, fresh: bool = False) -> None:
        """Every agent's action (B, 10) for one tick; games in ``restart`` (game -> seed) start a new match
        instead (their actions are ignored, their rewards 0). ``fresh``: new ``obs`` and ``masks`` arrays."""
        st = self.live
        skip = self._skip
        skip[:] = 0
        for b, seed in (restart or {}).items():
            restart_game(st, b, seed)
            skip[b] = 1
        if fresh:
            self._fresh_outputs()
        run = M.micro_step_parallel if self.threads else M.micro_step
        run(
            st.arrays,
            self.world.rec,
            actions,
            skip,
            self.targets,
            self._orders,
            self._n_orders,
            self._no_draft,
            self.weights,
            self.score,
            self.obs,
            self.masks,
            self.rewards,
            self.terms,
            self.ends,
            self.rejected,
            self._shown,
            self._cand,
        )

    def winners(self) -> np.ndarray:
        """(B,) 0 blue, 1 red, 2 draw for games over, else -1."""
        g = self.live.arrays.games
        return np.where(g["done"] != 0, g["winner"].astype(np.int64), -1)


class MicroParallelEnv(ParallelEnv[str, dict[str, np.ndarray], int]):
    """The ten leaders of a match as PettingZoo agents ``blue_0 .. red_4``, each steered every tick.

    ## Description
    Micro mode of the 5v5 MOBA (``docs/rules.md``): each agent steers its own leader every tick (1/20 s)
    with the granularity of PufferLib's moba: move a tile in 8 directions, attack-move, attack a visible
    enemy unit, hold, or leave the leader to its AI and the coach plan (the default plan: lanes 2-1-2).
    Fog of war is the team's; both teams act at the same tick and neither acts first.

    ## Observation
    A dict per agent, PettingZoo's convention for masks (as its classic environments): ``"observation"``,
    a flat float32 vector of ``encode_micro.OBS_SIZE`` (a 7x11x11 crop around the leader, its own state,
    the team's, and the K = 8 nearest visible enemies it may attack, nearest first;
    ``encode_micro.split_observation`` names the parts), and ``"action_mask"`` (N,) int8, so
    ``action_space(agent).sample(mask=obs[agent]["action_mask"])`` draws a valid action. Red's view and
    directions are mirrored vertically: for both teams north is toward the enemy base.

    ## Action
    ``Discrete(26)`` (``encode_micro.ACTION_NAMES``): 0 the coach plan (ends a micro order), 1-8 move one
    tile N, NE, E, SE, S, SW, W, NW, 9-16 attack-move up to 4 tiles that way, 17 hold, 18-25 attack target
    slot 0-7. The mask is the engine's own validation of the order each action makes now: a dead leader
    may only take 0; moves into forest, empty target slots and everything after the match's end are masked.
    A masked action is given to the engine anyway and refused (``infos[agent]["rejected"]`` has the reason).

    ## Rewards
    Per agent, its team's: ``win`` (+1 / -1 when a core falls) and the shaping terms of the coach envs
    (own minus enemy change of gold / 1000, kills, buildings destroyed, last hits / 10), weighted by
    ``reward_weights``; ``infos[agent]["reward_terms"]``. Zero-sum between the teams.

    ## Episode end
    ``terminated`` for all ten when a core falls (``infos[agent]["winner"]``); ``truncated`` for all ten
    at the game's time limit (``Params(time_limit_s=...)``, 30 game minutes by default; the tie-break's
    winner is in ``infos``, the ``win`` term is 0). ``agents`` is empty afterwards.

    ## Arguments
    ``reward_weights`` (dict of ``win``, ``gold``, ``kills``, ``buildings``, ``last_hits``), ``params``
    (must keep ``micro=True, latency_s=0, apm=0``; default those), ``config``, ``content``, ``world``,
    ``draft`` (10 hero ids). ``reset(seed=s)`` plays the match of seed ``s``.

    ## Version history
    * v0: first version.
    """

    metadata: dict[str, Any] = {"name": "shotcaller_micro_v0", "render_modes": [], "is_parallelizable": True}

    def __init__(
        self,
        *,
        reward_weights: RewardWeights | dict[str, float] | None = None,
        params: Params | None = None,
        config: SimConfig | None = None,
        content: Content | None = None,
        world: World | None = None,
        draft: list[int] | None = None,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None:
            raise ValueError(f"render_mode must be None (the env does not render), got {render_mode!r}")
        self.world = micro_world(world, content, params, config)
        self.batch = MicroBatch(self.world, 1, RewardWeights.of(reward_weights))
        self.draft = None if draft is None else [int(h) for h in draft]
        self.possible_agents = list(AGENTS)
        self.agents: list[str] = []
        self.render_mode = render_mode
        self.action_names = M.ACTION_NAMES
        self._obs_space = spaces.Dict(
            {"observation": observation_box(), "action_mask": spaces.Box(0, 1, (M.N_ACTIONS,), np.int8)}
        )
        self._act_space = spaces.Discrete(M.N_ACTIONS)
        self._rng = np.random.default_rng()

    def observation_space(self, agent: str) -> spaces.Space:
        """The same space object for every agent (PettingZoo's tests require the very same object)."""
        return self._obs_space

    def action_space(self, agent: str) -> spaces.Space:
        return self._act_space

    def _obs(self) -> dict[str, dict[str, np.ndarray]]:
        bt = self.batch
        return {
            a: {"observation": bt.obs[0, k].copy(), "action_mask": bt.masks[0, k].copy()} for k, a in enumerate(AGENTS)
        }

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        match_seed = int(seed) if seed is not None else int(self._rng.integers(0, 2**31 - 1))
        draft = (options or {}).get("draft", self.draft)
        self.batch.reset([match_seed], None if draft is None else np.array([draft], np.int8))
        self.agents = list(AGENTS)
        return self._obs(), {a: {"seed": match_seed, "tick": 0} for a in AGENTS}

    def step(
        self, actions: dict[str, int]
    ) -> tuple[
        dict[str, dict[str, np.ndarray]],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        if not self.agents:
            raise RuntimeError("no agents: call reset() to start a match")
        unknown = sorted(set(actions) - set(AGENTS))
        if unknown:
            raise ValueError(f"unknown agent(s) {unknown}; the agents are {', '.join(AGENTS)}")
        acts = check_actions([int(np.asarray(actions.get(a, 0))) for a in AGENTS], (10,))
        bt = self.batch
        bt.step(acts.reshape(1, 10))
        end = int(bt.ends[0])
        tick = int(bt.live.arrays.games["tick"][0])
        winner = int(bt.winners()[0])
        obs = self._obs()
        rewards, terms, truncs, infos = {}, {}, {}, {}
        for k, a in enumerate(AGENTS):
            rewards[a] = float(bt.rewards[0, k])
            terms[a] = end == M.END_TERMINATED
            truncs[a] = end == M.END_TRUNCATED
            info: dict[str, Any] = {
                "tick": tick,
                "reward_terms": {t: float(bt.terms[0, k, i]) for i, t in enumerate(REWARD_TERMS)},
                "rejected": int(bt.rejected[0, k]),
            }
            if end != M.END_RUNNING:
                info["winner"] = winner
            infos[a] = info
        if end != M.END_RUNNING:
            self.agents = []
        return obs, rewards, terms, truncs, infos


class MicroVectorEnv(VectorEnv[np.ndarray, np.ndarray, np.ndarray]):
    """B micro-mode matches as ``10 * B`` sub-environments (one per leader), stepped together in one call.

    The same agents, observations, actions, masks and rewards as :class:`MicroParallelEnv`, flattened
    PufferLib-style: sub-environment ``10 * b + k`` is agent ``k`` (``blue_0 .. red_4``) of game ``b``.
    Each ``step`` advances every game by one tick; orders, the tick, observations, masks and rewards are
    one compiled call writing preallocated buffers (``threads=True`` spreads the games over Numba's threads).

    * ``single_observation_space``: ``Box(OBS_SIZE,)`` float32; ``observation_space`` (10 B, OBS_SIZE).
    * ``single_action_space``: ``Discrete(26)``; ``action_space`` ``MultiDiscrete`` (10 B,).
    * Masks: ``infos["action_mask"]`` (10 B, 26) int8 and :meth:`action_masks`.
    * Autoreset: ``NEXT_STEP`` (``metadata["autoreset_mode"]``): the step after a game's end (its ten agents
      ``terminated`` or ``truncated``) starts its next match: actions ignored, reward 0, the new match's
      first observation. ``reset(seed=s)`` plays seeds s .. s + B - 1; later matches take seeds from the
      env's generator, seeded by ``reset``.
    * ``infos``: ``action_mask``, ``reward_terms`` (dict of (10 B,) arrays), ``rejected`` (10 B,) reason of
      each refused order, ``tick`` (10 B,), and ``winner`` (0 blue, 1 red, 2 draw; -1 elsewhere) with
      ``_winner`` set for the agents of games that ended this step.
    * ``copy``: the observations and masks returned are the caller's (default): each step writes them into
      new arrays, never over ones returned before (no copy made); ``False`` returns the same buffers every
      step, overwritten by the next step (PufferLib's way, a little faster: no new pages to touch).
    """

    metadata: dict[str, Any] = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        num_envs: int,
        *,
        reward_weights: RewardWeights | dict[str, float] | None = None,
        params: Params | None = None,
        config: SimConfig | None = None,
        content: Content | None = None,
        world: World | None = None,
        threads: bool = False,
        copy: bool = True,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs (games) must be a positive integer, got {num_envs!r}")
        self.world = micro_world(world, content, params, config)
        self.num_games = B = num_envs
        self.num_envs = 10 * B
        self.batch = MicroBatch(self.world, B, RewardWeights.of(reward_weights), threads)
        self.copy = bool(copy)
        self.action_names = M.ACTION_NAMES
        self.single_observation_space = observation_box()
        self.single_action_space = spaces.Discrete(M.N_ACTIONS)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._ended = np.zeros(B, bool)
        self._rng = np.random.default_rng()

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start B matches: seeds ``seed`` .. ``seed + B - 1`` (or a list of B seeds, or the generator's)."""
        B = self.num_games
        if isinstance(seed, list | tuple | np.ndarray):
            if len(seed) != B:
                raise ValueError(f"reset needs {B} seeds (one per game), got {len(seed)}")
            seeds = [int(s) for s in seed]
            self._rng = np.random.default_rng(seeds)
        elif seed is not None:
            seeds = [int(seed) + i for i in range(B)]
            self._rng = np.random.default_rng(int(seed))
        else:
            seeds = [int(s) for s in self._rng.integers(0, 2**31 - 1, B)]
        self.batch.reset(seeds, fresh=self.copy)
        self._ended[:] = False
        info = {"seed": np.repeat(seeds, 10), "tick": np.zeros(self.num_envs, np.int64), "action_mask": self._masks()}
        return self._flat(self.batch.obs), info

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        bt = self.batch
        act = check_actions(actions, (self.num_envs,)).reshape(self.num_games, 10)
        restart = {int(b): int(self._rng.integers(0, 2**31 - 1)) for b in np.flatnonzero(self._ended)}
        bt.step(act, restart, fresh=self.copy)
        ends = bt.ends
        self._ended = ends != M.END_RUNNING
        over = np.repeat(self._ended, 10)
        terms = bt.terms.reshape(self.num_envs, M.N_TERMS)
        infos: dict[str, Any] = {
            "action_mask": self._masks(),
            "reward_terms": {t: terms[:, i].copy() for i, t in enumerate(REWARD_TERMS)},
            "rejected": bt.rejected.reshape(-1).copy(),
            "tick": np.repeat(bt.live.arrays.games["tick"].astype(np.int64), 10),
            "winner": np.where(over, np.repeat(bt.winners(), 10), -1),
            "_winner": over,
        }
        return (
            self._flat(bt.obs),
            bt.rewards.reshape(-1).copy(),
            np.repeat(ends == M.END_TERMINATED, 10),
            np.repeat(ends == M.END_TRUNCATED, 10),
            infos,
        )

    def _flat(self, buf: np.ndarray) -> np.ndarray:
        """(10 B, ...) view of a batch output: with ``copy`` the batch wrote it into new arrays this step
        (``MicroBatch(fresh=True)``), so the caller owns it as it would a copy."""
        return buf.reshape(self.num_envs, -1)

    def _masks(self) -> np.ndarray:
        return self._flat(self.batch.masks)

    def action_masks(self) -> np.ndarray:
        """(10 B, 26) bool: each agent's allowed actions now."""
        return self.batch.masks.reshape(self.num_envs, -1).astype(bool)
