"""The native coach vector env sharded over Ray actors: ``vector_env(B, backend="ray", workers=W)``.

Ray is imported only when this env is made (``pip install "shotcaller[ray]"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from shotcaller.envs.vector import TRAIN_SEEDS, CoachVectorEnv, check_actions, match_seeds


class ShardEnv(CoachVectorEnv):
    """One actor's share of the games: a :class:`CoachVectorEnv` whose autoresets take the seeds the
    driver draws (so B games over W actors start the same matches as one env of B games)."""

    def __init__(self, num_envs: int, **kwargs: Any) -> None:
        super().__init__(num_envs, **kwargs)
        self.next_seeds: list[int] = []

    def _autoreset_seed(self) -> int:
        return self.next_seeds.pop(0)


class Shard:
    """The Ray actor: a :class:`ShardEnv`, or the error its arguments raised (re-raised by
    :meth:`describe`, so the driver raises the env's own error rather than Ray's "actor died")."""

    def __init__(self, num_envs: int, kwargs: dict[str, Any]) -> None:
        self.error: Exception | None = None
        try:
            self.env: ShardEnv | None = ShardEnv(num_envs, **kwargs)
        except Exception as e:
            self.env, self.error = None, e

    def _live(self) -> ShardEnv:
        if self.env is None:
            raise RuntimeError(f"the shard's env could not be made: {self.error}")
        return self.env

    def describe(self) -> tuple[Any, Any, list[str]]:
        """(single observation space, single action space, choice names)."""
        if self.error is not None:
            raise self.error
        env = self._live()
        return env.single_observation_space, env.single_action_space, list(env.choice_names)

    def reset(self, seeds: list[int]) -> tuple[Any, ...]:
        return self._live().reset(seed=seeds)

    def step(self, actions: np.ndarray, seeds: list[int]) -> tuple[Any, ...]:
        """:meth:`CoachVectorEnv.step`, the games that reset at it starting the matches of ``seeds``."""
        env = self._live()
        env.next_seeds = list(seeds)
        return env.step(actions)

    def close(self) -> None:
        if self.env is not None:
            self.env.close()


def _concat(parts: list[Any]) -> Any:
    """Shards' arrays (or dicts of them) joined along the game axis."""
    if isinstance(parts[0], dict):
        return {k: _concat([p[k] for p in parts]) for k in parts[0]}
    return np.concatenate(parts, axis=0)


class RayVectorEnv(VectorEnv[dict[str, np.ndarray], np.ndarray, np.ndarray]):
    """``num_envs`` coach games sharded over ``workers`` Ray actors, each a :class:`CoachVectorEnv` of its
    share; the same env as ``CoachVectorEnv(num_envs)`` to the caller.

    The spaces, observation dict, ``infos`` (``action_mask``, ``reward_terms``, ``tick``, ``winner``),
    rewards, ``terminated``/``truncated``, :meth:`action_masks` and ``NEXT_STEP`` autoreset are those of
    one :class:`CoachVectorEnv` of ``num_envs`` games: actor ``w`` holds games ``[lo_w, hi_w)``, every
    step is sent to all actors at once and gathered (``ray.get`` on the list), and the driver draws the
    seeds of the matches autoresets start from one generator, so ``reset(seed=s)`` plays the same games
    (game b the seed s + b, then the same later matches) as the local env with the same seed.

    Args:
        num_envs: games in all.
        workers: Ray actors (at most ``num_envs``; each takes one CPU of the cluster).
        ray_address: the Ray cluster (``"auto"``, ``"ray://HOST:10001"``); default: a Ray already
            initialised in this process, else a local instance started here (and shut down by
            :meth:`close`).
        **kwargs: the :class:`CoachVectorEnv` arguments (``opponent``, ``decide_every_s``,
            ``reward_weights``, ``params``, ``config``, ``content``, ``world``, ``threads``, ...).

    Raises:
        ValueError: a bad argument (the env's own check, raised in an actor, is re-raised here).
        shotcaller.raycluster.BackendUnavailable: Ray is not installed or the cluster cannot be reached.
    """

    metadata: dict[str, Any] = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(self, num_envs: int, *, workers: int = 2, ray_address: str | None = None, **kwargs: Any) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
        if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= num_envs:
            raise ValueError(f"workers must be an integer from 1 to num_envs ({num_envs}), got {workers!r}")
        from shotcaller.raycluster import connect

        self._ray, self._started = connect(ray_address)
        ray = self._ray
        self.actors: list[Any] = []
        try:
            cpus = int(ray.cluster_resources().get("CPU", 0))
            if workers > cpus:
                raise ValueError(f"workers={workers} actors need {workers} CPUs; the Ray cluster has {cpus}")
            self.num_envs = B = num_envs
            self.bounds = [(w * B // workers, (w + 1) * B // workers) for w in range(workers)]
            opp = kwargs.get("opponent", "idle")
            specs = [opp] if isinstance(opp, str) else list(opp)
            self.opponents = [specs[b % len(specs)] if specs else opp for b in range(B)]  # game b's, as locally
            actor = ray.remote(num_cpus=1)(Shard)
            self.actors = [
                actor.remote(hi - lo, {**kwargs, "opponent": self.opponents[lo:hi]} if specs else kwargs)
                for lo, hi in self.bounds
            ]
            described, error = [], None
            for ref in [a.describe.remote() for a in self.actors]:  # each one read: no unread Ray error
                try:
                    described.append(ray.get(ref))
                except ray.exceptions.RayTaskError as e:  # the env's own argument check, raised in the actor
                    error = error or e.cause
            if error is not None:
                raise error
            obs_space, act_space, names = described[0]
        except BaseException:
            self.close_extras()
            raise
        self.choice_names: list[str] = names
        self.n_choices = len(names)
        self.single_observation_space = obs_space
        self.single_action_space = act_space
        self.observation_space = batch_space(obs_space, B)
        self.action_space = batch_space(act_space, B)
        self._rng = np.random.default_rng()
        self._ended = np.zeros(B, bool)
        self._masks: np.ndarray | None = None

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start B matches: seeds ``seed`` .. ``seed + B - 1`` (or the B seeds of a list, or seeds from the
        env's generator); ``seed`` also seeds the generator of the later autoresets."""
        seeds, self._rng = match_seeds(seed, self.num_envs, self._rng)
        parts = self._ray.get(
            [a.reset.remote(seeds[lo:hi]) for a, (lo, hi) in zip(self.actors, self.bounds, strict=True)]
        )
        self._ended[:] = False
        obs = _concat([p[0] for p in parts])
        info = _concat([p[1] for p in parts])
        self._masks = info["action_mask"]
        return obs, info

    def step(
        self, actions: np.ndarray
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        if self._masks is None:
            raise RuntimeError("call reset() before step()")
        act = check_actions(actions, self.num_envs, self.n_choices, self.action_space)
        seeds = [int(self._rng.integers(0, TRAIN_SEEDS)) if e else -1 for e in self._ended]  # as the local env draws
        refs = [
            a.step.remote(act[lo:hi], [s for s in seeds[lo:hi] if s >= 0])
            for a, (lo, hi) in zip(self.actors, self.bounds, strict=True)
        ]
        parts = self._ray.get(refs)
        obs, reward, terminated, truncated, infos = (_concat([p[k] for p in parts]) for k in range(5))
        self._ended = terminated.copy()
        self._masks = infos["action_mask"]
        return obs, reward, terminated, truncated, infos

    def action_masks(self) -> np.ndarray:
        """(B, 6 * N + 2) int8: each game's allowed choices now (as :meth:`CoachVectorEnv.action_masks`)."""
        if self._masks is None:
            raise RuntimeError("call reset() before action_masks()")
        return self._masks.copy()

    def close_extras(self, **kwargs: Any) -> None:
        """Close every actor's env and end the actors (and the local Ray instance this env started)."""
        ray = self._ray
        if self.actors:
            try:
                ray.get([a.close.remote() for a in self.actors])
            except Exception:  # an actor that died has nothing left to close
                pass
            for a in self.actors:
                ray.kill(a)
            self.actors = []
        if self._started and ray.is_initialized():
            ray.shutdown()
            self._started = False
