"""The worker side of tournaments: what plays one game (:func:`play_chunk`, run by every backend) and
what checks that a bot loads and starts before its games are scheduled (:func:`check_bot`)."""

from __future__ import annotations

import multiprocessing
import os
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHECK_TIMEOUT_S = 60.0  # a bot that takes longer to load and start is broken


@dataclass(frozen=True)
class Game:
    """One scheduled game (``blue`` and ``red`` are bot versions, ``name@digest``) on ``map_name``
    (a map file or variant, as ``SimConfig.map_name`` takes it; tournaments play the default map)."""

    blue: str
    red: str
    seed: int
    map_name: str = "map.txt"


@dataclass(frozen=True)
class Job:
    """How every game of a tournament is played: what the workers receive with each chunk.

    Attributes:
        specs: bot version -> the spec to load.
        budgets: bot version -> its time budget (``TimeBudget.to_dict()``).
        equal_budgets: both sides of a pairing get the larger of the two budgets (field by field).
        params: the match Params (None: the content defaults).
        verify: re-simulate every game from its order log; a game that does not reproduce is void.
        replay_dir: also write every game's replay there.
        log_dir: where JSON-lines bots write their stderr logs.
        allow_unsandboxed: passed to ``load_bot``.
    """

    specs: dict[str, str]
    budgets: dict[str, dict[str, Any]] = field(default_factory=dict)
    equal_budgets: bool = True
    params: Any = None
    verify: bool = False
    replay_dir: str | None = None
    log_dir: str | None = None
    allow_unsandboxed: bool = False


def pairing_budgets(blue: dict[str, Any], red: dict[str, Any], equal: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The budgets of a pairing: each its own, or (``equal``) the larger of the two, field by field, for both."""
    if not equal:
        return blue, red
    both = {k: max(blue[k], red[k]) for k in blue}
    return both, dict(both)


# ---------------------------------------------------------------------------- worker side
_WORLDS: dict[Any, Any] = {}  # this process's worlds (default content and config) by (Params, map), built on first use


def default_world(params: Any = None, map_name: str = "map.txt") -> Any:
    """The world of the default content and config on ``map_name`` with ``params`` (None: the
    defaults), built once per process (a worker plays many games: building it costs about as much as
    playing a short game)."""
    key = (params, map_name)
    if key not in _WORLDS:
        from shotcaller.content import load_content
        from shotcaller.sim import Params, SimConfig, build_world

        _WORLDS[key] = build_world(load_content(map_name=map_name), SimConfig(map_name=map_name), params or Params())
    return _WORLDS[key]


def _load(spec: str, allow_unsandboxed: bool) -> Any:
    from shotcaller.bots import load_bot

    return load_bot(spec, allow_unsandboxed=allow_unsandboxed)


def verify_game(replay: Any, world: Any) -> str | None:
    """Re-simulate a game from its order log: None when it reproduces every checksum and the result,
    else why not (one line)."""
    from shotcaller.arena.replay import resimulate
    from shotcaller.sim.result import match_result

    state, check = resimulate(replay, world)
    if not check.ok:
        return (
            f"re-simulation from the order log diverged at tick {check.first_bad_tick} "
            f"(checksum {check.got}, played {check.expected})"
        )
    again = match_result(state)
    for k in ("winner", "ticks"):
        if again.get(k) != replay.result.get(k):
            return f"re-simulation from the order log gives {k} {again.get(k)!r}, played {replay.result.get(k)!r}"
    return None


def play_one(game: Game, job: Job) -> dict[str, Any]:
    """Play one game in this process: ``{"game", "result", "replay"}`` and ``"void"`` (why) when
    ``job.verify`` finds that it does not re-simulate."""
    from shotcaller.arena.match import play_match
    from shotcaller.bots.base import TimeBudget

    replay = None
    if job.replay_dir:
        Path(job.replay_dir).mkdir(parents=True, exist_ok=True)
        safe = lambda s: "".join(c if c.isalnum() or c in "-_" else "_" for c in s)  # noqa: E731
        where = "" if game.map_name == "map.txt" else f"__{safe(game.map_name)}"
        replay = str(Path(job.replay_dir) / f"{safe(game.blue)}__{safe(game.red)}__{game.seed}{where}.json.gz")
    with warnings.catch_warnings():  # the driver's check reported each bot's warnings once
        warnings.simplefilter("ignore")
        blue = _load(job.specs.get(game.blue, game.blue), job.allow_unsandboxed)
        red = _load(job.specs.get(game.red, game.red), job.allow_unsandboxed)
    budgets = None
    if game.blue in job.budgets and game.red in job.budgets:
        b, r = pairing_budgets(job.budgets[game.blue], job.budgets[game.red], job.equal_budgets)
        budgets = (TimeBudget(**b), TimeBudget(**r))
    world = default_world(job.params, game.map_name)
    out = play_match(
        blue,
        red,
        seed=game.seed,
        world=world,
        replay_path=replay,
        checksums=replay is not None or job.verify,  # checksums only matter in a replay kept or verified
        budgets=budgets,
        log_dir=job.log_dir,
    )
    entry = {"game": game, "result": out.result, "replay": replay}
    if job.verify:
        why = verify_game(out.replay, world)
        if why:
            entry["void"] = why
    return entry


def describe_error(e: BaseException) -> str:
    """One line: the exception and where it was raised."""
    msg = f"{type(e).__name__}: {e}"
    tb = traceback.extract_tb(e.__traceback__)
    if tb:
        msg += f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})"
    return msg


def play_chunk(games: list[Game], job: Job) -> list[dict[str, Any]]:
    """Play a few games (the task of every parallel backend). Each entry is a finished game
    (see :func:`play_one`) or ``{"game", "error"}`` when its play raised: one bad game never loses
    the others."""
    out = []
    for g in games:
        try:
            out.append(play_one(g, job))
        except (Exception, SystemExit) as e:  # a bot's bug (even sys.exit) must not take the worker down
            out.append({"game": g, "error": describe_error(e)})
    return out


# ---------------------------------------------------------------------------- checking bots
@dataclass
class BotCheck:
    """The outcome of loading and starting a bot once (:func:`check_bot`)."""

    broken: str | None = None  # why it cannot load or start; None: it can
    budget: dict[str, Any] | None = None  # the budget it declares (TimeBudget.to_dict()), if any
    log_path: str | None = None  # its log from the check (JSON-lines bots)
    warnings: list[str] = field(default_factory=list)  # warnings raised while loading (e.g. unsandboxed)


def _check_in_child(spec: str, allow_unsandboxed: bool, log_dir: str | None, conn: Any) -> None:
    from shotcaller.bots.base import Coach, TimeBudget, ability, as_coach, declared_budget

    check = BotCheck()
    bot: Coach | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            bot = as_coach(_load(spec, allow_unsandboxed))
            if ability(bot, "times_itself", False) is True:
                bot.configure_arena(TimeBudget(), log_dir)
            bot.preflight()  # (a sandbox: coach learns the budget its class declares here)
            budget = declared_budget(bot)
            check.budget = budget.to_dict() if budget is not None else None
        except BaseException as e:  # noqa: BLE001 - whatever a bot does while loading makes it broken
            from shotcaller.bots import BotLoadError

            check.broken = str(e) if isinstance(e, BotLoadError) else f"loading it raised {describe_error(e)}"
        finally:
            if bot is not None:
                try:
                    bot.close()
                except BaseException:  # noqa: BLE001, S110 - its clean-up cannot change the verdict
                    pass
                check.log_path = ability(bot, "log_path", None)
    check.warnings = list(dict.fromkeys(str(w.message) for w in caught))
    try:
        conn.send(check)
    finally:
        os._exit(0)  # a forked child: no clean-up of the parent's objects (database, pools)


def check_bot(spec: str, allow_unsandboxed: bool = False, log_dir: str | None = None) -> BotCheck:
    """Load ``spec`` and start it (``preflight`` for JSON-lines bots) in a forked child process, so a
    bot that crashes, exits or hangs while loading cannot take the tournament with it."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_check_in_child, args=(spec, allow_unsandboxed, log_dir, send), daemon=True)
    proc.start()
    send.close()
    try:
        if recv.poll(CHECK_TIMEOUT_S):
            try:
                return recv.recv()
            except (EOFError, OSError):
                pass
            proc.join(5)
            return BotCheck(broken=f"its process died while loading (exit code {proc.exitcode})")
        return BotCheck(broken=f"it did not load and start within {CHECK_TIMEOUT_S:.0f} s")
    finally:
        recv.close()
        proc.join(1)
        if proc.is_alive():
            proc.kill()
            proc.join()
