"""A native Gymnasium ``VectorEnv``: B coach games stepped together in the compiled core."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from shotcaller.bots.base import fault
from shotcaller.bots.builtin import BUILTIN
from shotcaller.bots.seat import FaultLog, Seat, ticks
from shotcaller.content import Content
from shotcaller.envs.coach import DEFAULT_DECIDE_EVERY_S, action_space, check_arguments, make_world, observation_space
from shotcaller.envs.game import RewardWeights, restart_game, start_opponent, weighted_terms
from shotcaller.sim import Params, SimConfig, State, World, new_state, step_inplace
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L
from shotcaller.sim.observe import team_view

TRAIN_SEEDS = 10**9  # new matches draw seeds 0..TRAIN_SEEDS - 1, the ``train`` seed set (arena/seeds.py)
SILENT = ("idle", "none")  # opponents that never give orders: nothing runs in Python for them


def match_seeds(
    seed: int | list[int] | tuple[int, ...] | np.ndarray | None, num_envs: int, rng: np.random.Generator
) -> tuple[list[int], np.random.Generator]:
    """The seeds of a vector reset's ``num_envs`` matches and the generator of the later autoresets:
    ``seed`` .. ``seed + B - 1`` (generator seeded by ``seed``), the B seeds of a list (generator seeded
    by the list), or B seeds drawn from ``rng`` (kept)."""
    if isinstance(seed, list | tuple | np.ndarray):
        if len(seed) != num_envs:
            raise ValueError(f"reset needs {num_envs} seeds (one per game), got {len(seed)}")
        seeds = [int(s) for s in seed]
        return seeds, np.random.default_rng(seeds)
    if seed is not None:
        return [int(seed) + i for i in range(num_envs)], np.random.default_rng(int(seed))
    return [int(s) for s in rng.integers(0, TRAIN_SEEDS, num_envs)], rng


def check_actions(actions: Any, num_envs: int, n_choices: int, space: Any) -> np.ndarray:
    """A vector step's actions as a (B, 7) int64 array; ValueError naming what is wrong otherwise."""
    act = np.asarray(actions)
    k = E.N_ACTION
    if act.shape != (num_envs, k) or not np.issubdtype(act.dtype, np.integer):
        raise ValueError(f"actions must be a ({num_envs}, {k}) integer array, got shape {act.shape} of {act.dtype}")
    if (act < 0).any() or (act >= np.asarray(E.action_sizes(n_choices))).any():
        raise ValueError(f"actions outside {space}")
    return act.astype(np.int64)


class CoachVectorEnv(VectorEnv[dict[str, np.ndarray], np.ndarray, np.ndarray]):
    """``num_envs`` blue coaches against an opponent, stepped together in the compiled core.

    The same game, observation, action and rewards as ``Shotcaller-v1``
    (:class:`~shotcaller.envs.coach.CoachEnv`), batched: observations, masks and score features are
    written by the compiled encoders into preallocated (B, ...) buffers and all B games advance in one
    call of the compiled step (``threads=True`` spreads them over Numba's threads).

    * ``observation_space``: the batched dict (``single_observation_space`` is one game's).
    * ``action_space``: ``MultiDiscrete`` (B, 7); masks in ``infos["action_mask"]`` as a (B, 6 * N + 2)
      int8 array (flattened as ``sb3_contrib`` reads them) and from :meth:`action_masks`.
    * Autoreset: ``NEXT_STEP`` (``metadata["autoreset_mode"]``, Gymnasium 1.x's default): the step after a
      game's ``terminated`` resets it (its action is ignored; reward 0, not terminated) and returns the
      new match's first observation (tick 0). New matches take seeds from the env's generator (seeded by
      ``reset(seed=...)``), drawn from the ``train`` seed set (0 to 999,999,999) so that training never
      meets a ``heldout`` seed; ``reset(seed=s)`` plays seeds s, s + 1, ... s + B - 1.
    * Opponent: any bot spec, or a list of specs given to the games in turn (game b plays
      ``opponent[b % len(opponent)]``, e.g. ``["pusher", "strategist"]`` for a mixed curriculum); each
      game has its own coach, asked at the agent's decisions (every ``decide_every_s``; its own cadence
      is not used here). ``"idle"`` (the default) gives no orders and costs nothing in Python.
    * ``infos``: ``reward_terms`` (dict of (B,) arrays), ``tick`` (B,), ``action_mask``, and for games
      that ended this step ``winner`` (0 blue, 1 red, 2 draw; -1 elsewhere) with ``_winner`` as mask;
      ``draft`` (B, 10): each game's hero ids, blue's five then red's (at the step a game ends: the
      ended match's lineups, which a learned drafter is fitted on).
    """

    metadata: dict[str, Any] = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        num_envs: int,
        *,
        opponent: str | Sequence[str] = "idle",
        decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
        reward_weights: RewardWeights | dict[str, float] | None = None,
        params: Params | None = None,
        config: SimConfig | None = None,
        content: Content | None = None,
        world: World | None = None,
        threads: bool = False,
        allow_unsandboxed: bool = False,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
        check_arguments(decide_every_s, None)
        self.world = make_world(world, content, params, config)
        if int(self.world.rec["autoreset"]):
            raise ValueError("Params.autoreset must be False: the vector env resets finished games itself")
        self.decide_every = ticks(decide_every_s, self.world)
        self.num_envs = B = num_envs
        self.threads = bool(threads)
        self.weights = RewardWeights.of(reward_weights)
        self.table, self.choice_names = E.coach_choices(self.world.content.item_names)
        n = self.n_choices = int(self.table.shape[0])
        self.single_observation_space = observation_space(self.world, n)
        self.single_action_space = action_space(n)
        self.observation_space = batch_space(self.single_observation_space, B)
        self.action_space = batch_space(self.single_action_space, B)
        specs = [opponent] if isinstance(opponent, str) else list(opponent)
        if not specs or not all(isinstance(o, str) for o in specs):
            raise ValueError(f"opponent must be a bot spec or a non-empty list of them, got {opponent!r}")
        self.opponents = [specs[b % len(specs)] for b in range(B)]  # game b's opponent
        self.allow_unsandboxed = allow_unsandboxed
        self._trusted = all(o in BUILTIN for o in specs)
        for spec in dict.fromkeys(specs):
            if spec not in SILENT:
                from shotcaller.bots import make_coach

                make_coach(spec, allow_unsandboxed=allow_unsandboxed).close()  # a bad spec fails now, by name
        H, W = self.world.height, self.world.width
        self._planes = np.zeros((B, E.N_PLANES, H, W), np.float32)
        self._leaders = np.zeros((B, 10, E.LF), np.float32)
        self._buildings = np.zeros((B, 2 * L.N_BLD, E.BF), np.float32)
        self._scalars = np.zeros((B, E.SF), np.float32)
        self._masks = np.zeros((B, 5, n), np.int8)
        self._fortify = np.zeros((B, 2), np.int8)
        self._whole = np.zeros((B, n), np.int8)
        self._rejected = np.zeros((B, 6), np.int32)
        self._orders = np.zeros((B, E.N_ACTION, 5), np.int32)
        self._score = np.zeros((B, 2, len(E.SCORE_FEATURES)), np.float64)
        self._ended = np.zeros(B, bool)  # terminated at the last step: reset at this one
        self.state: State | None = None
        self.seats: list[Seat | None] = [None] * B
        self.infos: list[Any] = [None] * B  # each opponent's MatchInfo
        self.faults = FaultLog()
        self._rng = np.random.default_rng()

    # ------------------------------------------------------------------ resets
    def _opponent_for(self, b: int, seed: int) -> None:
        if self.opponents[b] in SILENT:
            return
        from shotcaller.bots import make_coach
        from shotcaller.bots.base import MatchInfo

        old = self.seats[b]
        if old is not None:
            try:
                old.coach.close()
            except Exception as e:  # never lose the batch to a bot's clean-up
                self.faults.append(fault(0, 1, f"close raised {e!r}"))
        coach = make_coach(self.opponents[b], allow_unsandboxed=self.allow_unsandboxed)
        draft = [int(h) for h in self._live.arrays.games["draft"][b]]
        info = self.infos[b] = MatchInfo(seed, 1, draft, self.world.content.version, self.world)
        self.seats[b] = start_opponent(coach, info, self.faults, None)

    def _reset_game(self, b: int, seed: int) -> None:
        """Start a new match in slot b (a B=1 reset copied into the batch)."""
        restart_game(self._live, b, seed)
        self._opponent_for(b, int(seed))

    def _autoreset_seed(self) -> int:
        """The seed of the next match an autoreset starts (games in increasing order within a step)."""
        return int(self._rng.integers(0, TRAIN_SEEDS))

    @property
    def _live(self) -> State:
        if self.state is None:
            raise RuntimeError("call reset() before step()")
        return self.state

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start B matches: seeds ``seed`` .. ``seed + B - 1`` (or the B seeds of a list, or seeds from the
        env's generator); ``seed`` also seeds the generator of the later autoresets."""
        B = self.num_envs
        seeds, self._rng = match_seeds(seed, B, self._rng)
        self.state = new_state(self.world, seeds)
        self.faults = FaultLog()
        for b in range(B):
            self._opponent_for(b, seeds[b])
        self._ended[:] = False
        self._rejected[:] = 0
        E.score_features(self.state.arrays, self._score)
        obs = self._observe()
        return obs, {"seed": np.array(seeds), "tick": np.zeros(B, np.int64), "action_mask": self.action_masks()}

    # ------------------------------------------------------------------ a step
    def step(
        self, actions: np.ndarray
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        st = self._live
        A = st.arrays
        B, n = self.num_envs, self.n_choices
        act = check_actions(actions, B, n, self.action_space)
        restart = np.flatnonzero(self._ended)
        act[restart] = 0  # NEXT_STEP autoreset: the action of a reset step is ignored
        E.coach_orders(A, 0, self.table, act[:, :5], act[:, E.ACT_FORTIFY], act[:, E.ACT_WHOLE], self._orders)
        rows = self._orders
        if any(o not in SILENT for o in self.opponents):
            rows = self._with_opponents(rows)
        before = self._score.copy()
        step_inplace(st, rows, self.decide_every, parallel=self.threads)  # finished games stay put
        for b in restart:  # ... and start their next match now: its first observation is returned
            self._reset_game(int(b), self._autoreset_seed())
        E.rejections(A, 0, self._rejected)
        after = self._score
        E.score_features(A, after)
        d = (after[:, 0] - before[:, 0]) - (after[:, 1] - before[:, 1])  # (B, F) own minus enemy
        done = A.games["done"].astype(bool)
        terminated = done.copy()
        terminated[restart] = False  # a game reset at this step has not played yet
        winner = A.games["winner"].astype(np.int64)
        win = np.where(terminated, np.where(winner == 2, 0.0, np.where(winner == 0, 1.0, -1.0)), 0.0)
        d[restart] = 0.0  # a game reset at this step scores nothing in it
        terms = weighted_terms(self.weights, d, win)
        reward = sum(terms.values())
        self._ended = terminated
        obs = self._observe()
        infos: dict[str, Any] = {
            "reward_terms": terms,
            "tick": A.games["tick"].astype(np.int64),
            "action_mask": self.action_masks(),
            "winner": np.where(terminated, winner, -1),
            "_winner": terminated.copy(),
            "draft": A.games["draft"].astype(np.int64),  # at a game's end: the ended match's lineups
        }
        return obs, np.asarray(reward, np.float64), terminated, np.zeros(B, bool), infos

    def _with_opponents(self, rows: np.ndarray) -> np.ndarray:
        st = self._live
        A = st.arrays
        # what the coaches read: a copy they may scribble on, unless every one is a built-in (ours never do)
        shadow = st if self._trusted else st.copy()
        extra: list[list[list[int]]] = []
        for b, seat in enumerate(self.seats):
            out: list[list[int]] = []
            if seat is not None and not A.games["done"][b]:
                now = int(A.games["tick"][b])
                view = team_view(shadow, 1, b=b)
                view["events"] = []
                out = [row for row, _ in seat.ask(view, self.infos[b], now, self.faults)]
                view.expire()
            extra.append(out)
        k = max((len(e) for e in extra), default=0)
        if k == 0:
            return rows
        full = np.zeros((self.num_envs, rows.shape[1] + k, 5), np.int32)
        full[:, : rows.shape[1]] = rows
        for b, e in enumerate(extra):
            if e:
                full[b, rows.shape[1] : rows.shape[1] + len(e)] = np.array(e, np.int32)
        return full

    # ------------------------------------------------------------------ what the agents read
    def _observe(self) -> dict[str, np.ndarray]:
        A = self._live.arrays
        rec = self.world.rec
        E.coach_obs(A, rec, 0, self._rejected, self._planes, self._leaders, self._buildings, self._scalars)
        return {
            "planes": self._planes.copy(),
            "leaders": self._leaders.copy(),
            "buildings": self._buildings.copy(),
            "scalars": self._scalars.copy(),
        }

    def action_masks(self) -> np.ndarray:
        """(B, 6 * N + 2) int8: each game's allowed choices (a game that ended allows "no new order" only)."""
        A = self._live.arrays
        E.coach_masks(A, self.world.rec, 0, self.table, self._masks, self._fortify, self._whole)
        out = np.concatenate([self._masks.reshape(self.num_envs, -1), self._fortify, self._whole], axis=1)
        ended = A.games["done"].astype(bool)
        if ended.any():
            out[ended] = E.idle_mask(self.n_choices)  # "no new order" everywhere, and "no fortify"
        return out

    def close_extras(self, **kwargs: Any) -> None:
        for seat in self.seats:
            if seat is not None:
                try:
                    seat.coach.close()
                except Exception:
                    pass
        self.seats = [None] * self.num_envs
