"""Behaviour-cloning datasets from replays (``shotcaller dataset export``): the coach env's observations,
masks, actions and rewards at every decision of a stronger bot, in one compressed ``.npz``.

:func:`export_dataset` re-simulates replays through :func:`shotcaller.envs.dataset.record_decisions`
(which documents how recorded orders become the env's actions); :func:`save_dataset` and
:func:`load_dataset` write and read the file (``docs/envs.md``, "Behaviour cloning from replays").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.arena.replay import ReplayError, load_replay, world_for_replay
from shotcaller.bots.seat import ticks
from shotcaller.envs.coach import DEFAULT_DECIDE_EVERY_S
from shotcaller.envs.dataset import FATES, Diverged, record_decisions
from shotcaller.envs.game import REWARD_TERMS, SCALE, RewardWeights
from shotcaller.sim import World
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L

FORMAT = "shotcaller-dataset"
FORMAT_VERSION = 2  # 2: Shotcaller-v1 actions (n, 7), with the whole-team choice
ENV_ID = "Shotcaller-v1"  # the env whose observations and actions the dataset holds (its version: v1)
TEAMS = {"blue": (0,), "red": (1,), "both": (0, 1)}
ARRAYS: tuple[str, ...] = ("leaders", "buildings", "scalars", "action_mask", "actions", "rewards", "terminated")
ARRAYS += ("exact", "episode", "replay", "tick", "team", *(f"reward_{t}" for t in REWARD_TERMS))


class DatasetError(ValueError):
    """No dataset could be made (every replay failed, bad arguments) or a dataset file cannot be read."""


def export_dataset(
    replay_paths: Iterable[str | Path],
    team: str = "both",
    decide_every_s: float = DEFAULT_DECIDE_EVERY_S,
    planes: bool = True,
    reward_weights: RewardWeights | dict[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Re-simulate replays into a behaviour-cloning dataset of the coach env (``Shotcaller-v1``).

    Args:
        replay_paths: replay files (``shotcaller match --replay``, ``shotcaller tournament --replays``).
        team: ``"blue"``, ``"red"`` or ``"both"``: whose decisions are recorded (each team of each replay
            is one episode).
        decide_every_s: game seconds between decisions (the env's ``decide_every_s``, default 2.0 = 40 ticks).
        planes: also store the ``planes`` observation (the largest part: ``9 * H * W`` float16 a decision).
        reward_weights: the env's reward weights (default :class:`~shotcaller.envs.game.RewardWeights`).
        progress: called with (replays done, replays) after each replay.

    Returns:
        A dict of arrays, one row per decision: ``planes`` (n, 9, H, W) float16 (absent without
        ``planes``; the env's float32 values to within 0.0005), ``leaders`` (n, 10, 40), ``buildings``
        (n, 26, 13), ``scalars`` (n, 18) float32, ``action_mask`` (n, 6 N + 2) int8, ``actions`` (n, 7)
        int64 (``MultiDiscrete([N] * 5 + [2, N])``), ``rewards`` and ``reward_<term>`` (n,) float64,
        ``terminated`` (n,) bool, ``exact`` (n,) bool (every order of the decision was issued at its tick
        and mapped exactly), ``episode`` (n,) int32, ``replay`` (n,) int32 (index into
        ``meta["replays"]``), ``tick`` (n,) int32, ``team`` (n,) int8 (0 blue, 1 red); and ``meta``, a
        dict: versions, choice names, column names, replays, the orders' fates by kind
        (``meta["mapping"]``) and the replays that failed (``meta["errors"]``, each ``{"path", "error"}``).

    Raises:
        DatasetError: a bad argument, or no replay could be exported (the message lists why for each).
    """
    if team not in TEAMS:
        raise DatasetError(f"team must be one of {', '.join(TEAMS)}, got {team!r}")
    if isinstance(decide_every_s, bool) or not isinstance(decide_every_s, int | float) or not decide_every_s > 0:
        raise DatasetError(f"decide_every_s must be a positive number of game seconds, got {decide_every_s!r}")
    weights = RewardWeights.of(reward_weights)
    paths = [str(p) for p in replay_paths]
    if not paths:
        raise DatasetError("no replay files given")
    parts: list[dict[str, list[Any]]] = []  # one per episode
    episodes: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    counts: dict[str, dict[str, int]] = {}
    used: list[str] = []
    first: World | None = None
    for k, path in enumerate(paths):
        try:
            rep = load_replay(path)
            try:
                world = world_for_replay(rep)
            except ReplayError as e:
                raise ReplayError(f"{path}: {e}") from None
            if first is not None and (world.height, world.width) != (first.height, first.width):
                raise ReplayError(
                    f"{path}: map {rep.map} is {world.width}x{world.height}, the dataset's first replay's "
                    f"is {first.width}x{first.height}; export replays of one map size together"
                )
            every = ticks(decide_every_s, world)
            try:
                out, c = record_decisions(
                    world, rep.seed, rep.draft, rep.orders, rep.checksums, TEAMS[team], every, weights, planes
                )
            except Diverged as e:
                raise ReplayError(f"{path}: {e} (`shotcaller replay verify` says the same)") from None
        except ReplayError as e:
            errors.append({"path": path, "error": str(e)})
        else:
            if first is None:
                first = world
            for fate, by_kind in c.items():
                for name, v in by_kind.items():
                    counts.setdefault(fate, {})[name] = counts.get(fate, {}).get(name, 0) + v
            for t, cols in out.items():
                n = len(cols["tick"])
                cols["episode"] = [len(episodes)] * n
                cols["replay"] = [len(used)] * n
                cols["team"] = [t] * n
                episodes.append({"replay": len(used), "team": L.TEAM_NAMES[t], "decisions": n, "seed": rep.seed})
                parts.append(cols)
            used.append(path)
        if progress is not None:
            progress(k + 1, len(paths))
    if first is None:
        raise DatasetError("no replay could be exported:\n" + "\n".join(e["error"] for e in errors))
    return _assemble(parts, first, ticks(decide_every_s, first), planes, weights, used, episodes, counts, errors)


DTYPES = {"planes": np.float16, "action_mask": np.int8, "actions": np.int64, "terminated": bool, "exact": bool}
DTYPES.update(episode=np.int32, replay=np.int32, tick=np.int32, team=np.int8)


def _assemble(
    parts: list[dict[str, list[Any]]],
    world: World,
    every: int,
    planes: bool,
    weights: RewardWeights,
    used: list[str],
    episodes: list[dict[str, Any]],
    counts: dict[str, dict[str, int]],
    errors: list[dict[str, str]],
) -> dict[str, Any]:
    keys = (("planes",) if planes else ()) + ARRAYS
    data: dict[str, Any] = {}
    for key in keys:
        rows = [v for p in parts for v in p[key]]
        dtype = DTYPES.get(key, np.float64 if key.startswith("reward") else np.float32)
        data[key] = np.asarray(rows, dtype) if rows else np.zeros(0, dtype)
    _table, names = E.coach_choices(world.content.item_names)
    try:
        game_version = metadata.version("shotcaller")
    except metadata.PackageNotFoundError:
        game_version = "unknown"
    data["meta"] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "env": ENV_ID,
        "game_version": game_version,
        "content_version": world.content.version,
        "map": world.config.map_name,
        "decide_every_ticks": every,
        "decide_every_s": every / float(world.content.rules["time.ticks_per_second"]),
        "choice_names": names,
        "columns": {
            "planes": list(E.PLANES),
            "leaders": [n for n, _ in E.LEADER_COLUMNS],
            "buildings": [n for n, _ in E.BUILDING_COLUMNS],
            "scalars": [n for n, _ in E.SCALAR_COLUMNS],
        },
        "reward_weights": {k: getattr(weights, k) for k in REWARD_TERMS},
        "reward_scale": dict(zip(REWARD_TERMS[1:], SCALE.tolist(), strict=True)),
        "replays": used,
        "episodes": episodes,
        "mapping": {f: dict(sorted(counts.get(f, {}).items())) for f in FATES},
        "errors": errors,
    }
    return data


def save_dataset(data: dict[str, Any], path: str | Path) -> None:
    """Write a dataset (as :func:`export_dataset` returns it) to one compressed ``.npz``; ``meta`` is
    stored as JSON text in its ``meta`` entry (read back by :func:`load_dataset`, no pickle)."""
    arrays = {k: v for k, v in data.items() if k != "meta"}
    with open(path, "wb") as f:  # a file object: numpy would append .npz to a name without it
        np.savez_compressed(f, meta=np.array(json.dumps(data["meta"])), **arrays)


def load_dataset(path: str | Path) -> dict[str, Any]:
    """Read a dataset file written by :func:`save_dataset` (``shotcaller dataset export``): the arrays and
    ``meta`` (a dict). Raises DatasetError naming the file when it is not one."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as z:
            data: dict[str, Any] = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError) as e:
        raise DatasetError(f"{p}: not a readable dataset (.npz) file: {e}") from None
    try:
        meta = json.loads(str(data.pop("meta")))
    except (KeyError, json.JSONDecodeError):
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DatasetError(f"{p}: not a Shotcaller dataset (no {FORMAT} metadata)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise DatasetError(
            f"{p}: dataset format version {meta.get('format_version')!r}, this Shotcaller reads {FORMAT_VERSION}"
        )
    data["meta"] = meta
    return data
