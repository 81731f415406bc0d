"""Gymnasium and PettingZoo environments: thin adapters over the compiled game.

* ``gymnasium.make("Shotcaller-v1", opponent="strategist")`` (after ``import shotcaller.envs``): the blue
  coach against any bot (:class:`~shotcaller.envs.coach.CoachEnv`).
* :func:`parallel_env`: PettingZoo ``ParallelEnv``, ``mode="coach"`` (agents ``blue`` and ``red``) or
  ``mode="micro"`` (agents ``blue_0 .. red_4``, each leader steered every tick).
* :func:`vector_env`: a native ``gymnasium.vector.VectorEnv`` of B games in the compiled core (either mode;
  coach mode with ``backend="ray"``: sharded over Ray actors).

This package is the only place gymnasium and pettingzoo are imported; ``shotcaller.sim`` never imports it.
"""

from __future__ import annotations

from typing import Any

from gymnasium.envs.registration import register, registry

from shotcaller.envs.coach import CoachEnv
from shotcaller.envs.game import REWARD_TERMS, RewardWeights

ENV_ID = "Shotcaller-v1"

if ENV_ID not in registry:
    register(id=ENV_ID, entry_point="shotcaller.envs.coach:CoachEnv", disable_env_checker=False)


def vector_env(num_envs: int, mode: str = "coach", backend: str = "local", **kwargs: Any) -> Any:
    """A native ``gymnasium.vector.VectorEnv`` of ``num_envs`` games stepped together in the compiled core.

    ``mode="coach"``: ``num_envs`` blue coaches against ``opponent``
    (:class:`~shotcaller.envs.vector.CoachVectorEnv`); ``backend="ray"`` shards the games over ``workers``
    Ray actors (``ray_address``: the cluster), the same env to the caller
    (:class:`~shotcaller.envs.ray_vector.RayVectorEnv`). ``mode="micro"``: ``num_envs`` games of ten
    leader agents each, flattened to ``10 * num_envs`` sub-environments, one tick a step
    (:class:`~shotcaller.envs.micro.MicroVectorEnv`). See those classes for the other arguments.
    """
    if backend not in ("local", "ray"):
        raise ValueError(f"backend must be 'local' or 'ray', got {backend!r}")
    if backend == "local" and ({"workers", "ray_address"} & set(kwargs)):
        raise ValueError("workers and ray_address are for backend='ray'")
    if backend == "ray" and mode != "coach":
        raise ValueError("backend='ray' runs coach mode only")
    if mode == "coach":
        if backend == "ray":
            from shotcaller.envs.ray_vector import RayVectorEnv

            return RayVectorEnv(num_envs, **kwargs)
        from shotcaller.envs.vector import CoachVectorEnv

        return CoachVectorEnv(num_envs, **kwargs)
    if mode == "micro":
        from shotcaller.envs.micro import MicroVectorEnv

        return MicroVectorEnv(num_envs, **kwargs)
    raise ValueError(f"mode must be 'coach' or 'micro', got {mode!r}")


def parallel_env(mode: str = "coach", **kwargs: Any) -> Any:
    """A PettingZoo ``ParallelEnv``.

    ``mode="coach"``: agents ``blue`` and ``red``, each a coach (self-play,
    :class:`~shotcaller.envs.parallel.CoachParallelEnv`). ``mode="micro"``: agents ``blue_0 .. red_4``, each
    steering its leader every tick (:class:`~shotcaller.envs.micro.MicroParallelEnv`).
    """
    if mode == "coach":
        from shotcaller.envs.parallel import CoachParallelEnv

        return CoachParallelEnv(**kwargs)
    if mode == "micro":
        from shotcaller.envs.micro import MicroParallelEnv

        return MicroParallelEnv(**kwargs)
    raise ValueError(f"mode must be 'coach' or 'micro', got {mode!r}")


__all__ = ["ENV_ID", "REWARD_TERMS", "CoachEnv", "RewardWeights", "parallel_env", "vector_env"]
