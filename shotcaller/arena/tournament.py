"""Tournaments: entries, schedules, broken bots, budgets, verified games and the backends that play them.

An entry is ``SPEC`` or ``NAME=SPEC``; it is stored as a bot version ``name@digest``
(:mod:`shotcaller.bots.identity`), so the same file typed two ways is one entry and an edited file
is a new version. Schedules: a round robin (every pair of bots) or a ladder (adjacent bots in the
order given); each pair plays ``games`` seeds twice, sides swapped (mirrored seeds).

Before anything is played, every bot is loaded and started once in a child process
(:func:`check_bot`): a bot that cannot load or start is **broken**, and its games are stored as
forfeits (the other side wins) without being played. Games run in this process, in a local process
pool, or as Ray tasks (``backend="ray"``), a few games per task. The driver writes every finished
game to SQLite (:mod:`shotcaller.arena.results`) in its own transaction, keyed by (blue, red, seed):
killing the tournament at any moment and running the same command again plays exactly the games that
are missing. A game whose play raised is not stored (so the next run retries it); it is reported
instead. With ``verify``, every game is re-simulated from its order log and a game that does not
reproduce is stored as void.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shotcaller.arena.backends import (
    BACKENDS,
    MAX_CHUNK,
    RAY_INSTALL_HINT,
    BackendUnavailable,
    chunk_size,
    run_pool,
    run_ray,
    run_serial,
)
from shotcaller.arena.ratings import head_to_head, load_games, rating_history, ratings, wilson, write_plots
from shotcaller.arena.results import ResultsStoreError, done_keys, drop_forfeits, open_db, register_bot, store_game
from shotcaller.arena.workers import Game, Job, check_bot
from shotcaller.bots.identity import BotIdentity, BotSpecError, resolve_entries, sandboxed

SCHEDULES = ("round-robin", "ladder")

__all__ = [
    "BACKENDS",
    "MAX_CHUNK",
    "RAY_INSTALL_HINT",
    "BackendUnavailable",
    "BotSpecError",
    "Game",
    "ResultsStoreError",
    "TournamentIncomplete",
    "chunk_size",
    "head_to_head",
    "load_games",
    "rating_history",
    "ratings",
    "run_tournament",
    "schedule",
    "wilson",
    "write_plots",
]


class TournamentIncomplete(RuntimeError):
    """Some games failed (raised while being played); the others are stored. Raised at the end of
    :func:`run_tournament` when no ``on_error`` callback was given."""

    def __init__(self, played: int, failures: list[tuple[Game, str]]):
        self.played = played
        self.failures = failures
        first = failures[0]
        super().__init__(
            f"{len(failures)} games failed ({played} played); first: {first[0].blue} vs {first[0].red} "
            f"seed {first[0].seed}: {first[1]}"
        )


class TournamentWarning(UserWarning):
    """A broken bot, a void game or an unsandboxed bot (warned when no ``on_warning`` callback is given)."""


def pairs(bots: list[str], kind: str = "round-robin") -> list[tuple[str, str]]:
    """The pairs that meet: every pair (``round-robin``) or adjacent bots in the order given (``ladder``)."""
    if kind == "round-robin":
        return [(a, b) for i, a in enumerate(bots) for b in bots[i + 1 :]]
    if kind == "ladder":
        return list(zip(bots, bots[1:], strict=False))
    raise ValueError(f"unknown schedule {kind!r} (expected one of {', '.join(SCHEDULES)})")


def schedule(bots: list[str], games: int, first_seed: int = 0, kind: str = "round-robin") -> list[Game]:
    """Each pair (see :func:`pairs`) plays seeds first_seed.. first_seed+games-1, each seed on both sides."""
    out = []
    for a, b in pairs(bots, kind):
        for s in range(first_seed, first_seed + games):
            out.append(Game(a, b, s))
            out.append(Game(b, a, s))
    return out


def portable_spec(spec: str) -> str:
    """``spec`` with a relative bot file made absolute, so a worker finds it whatever its working
    directory; every other form is returned unchanged."""
    if spec.startswith("exec:") or ":" not in spec:
        return spec
    where, _, attr = spec.rpartition(":")
    if (where.endswith(".py") or "/" in where or "\\" in where) and Path(where).is_file():
        return f"{Path(where).resolve()}:{attr}"
    return spec


def default_log_dir(db: str | Path) -> Path:
    """Bot logs of a tournament by default: ``<db stem>-logs/`` next to the database."""
    p = Path(db).resolve()
    return p.with_name(f"{p.stem}-logs")


def sandbox_entries(
    entries: list[BotIdentity], sandbox: bool, allow_unsandboxed: bool, warn: Callable[[str], None]
) -> list[BotIdentity]:
    """With ``sandbox``, every in-process Python bot as ``sandbox:``; refuses sandboxed bots when no
    sandbox works here, unless ``allow_unsandboxed`` (then warns once, naming the risk)."""
    if sandbox:
        entries = [sandboxed(e) for e in entries]
    if not any(e.spec.startswith("sandbox:") for e in entries):
        return entries
    from shotcaller.bots.sandbox import sandbox_available

    ok, why = sandbox_available()
    if not ok:
        if not allow_unsandboxed:
            raise BotSpecError(
                f"no sandbox available here ({why}); --allow-unsandboxed runs the sandbox: bots without one, "
                f"with every right of this user on this machine"
            )
        warn(f"no sandbox available ({why}): sandbox: bots run UNSANDBOXED, with every right of this user")
    return entries


def run_tournament(
    bots: list[str],
    games: int,
    db: str | Path,
    workers: int | None = None,
    replay_dir: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    backend: str = "local",
    ray_address: str | None = None,
    schedule_kind: str = "round-robin",
    chunk: int | None = None,
    on_error: Callable[[Game, str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    params: Any = None,
    verify: bool = False,
    sandbox: bool = False,
    allow_unsandboxed: bool = False,
    budget_ms: float | None = None,
    bank_ms: float | None = None,
    equal_budgets: bool = True,
    bot_logs: str | Path | None = None,
) -> int:
    """Play every missing game of the schedule; returns how many were played (and stored) now.

    Args:
        bots: entries, ``SPEC`` or ``NAME=SPEC`` (:mod:`shotcaller.bots.identity`).
        workers: local backend: worker processes (None or 1: play in this process); ray backend:
            tasks in flight (None: two per CPU of the cluster).
        progress: called with (games stored, games scheduled) once the bots are checked and after
            every stored game.
        backend: ``local`` or ``ray``; ray_address: passed to ``ray.init(address=...)`` (None: a local instance).
        schedule_kind: ``round-robin`` or ``ladder`` (see :func:`pairs`).
        chunk: games per task (None: automatic, at most MAX_CHUNK).
        on_error: called with (game, message) for every game whose play raised. Such games are not
            stored (the next run retries them); without a callback, :class:`TournamentIncomplete` is
            raised once every other game is played.
        on_warning: called with one line for every broken bot, void game and loading warning
            (default: ``warnings.warn`` with :class:`TournamentWarning`).
        params: the match Params (None: the content defaults).
        verify: re-simulate every game from its order log; a game that does not reproduce is stored
            as void (excluded from ratings and head-to-head).
        sandbox: run every in-process Python bot (``FILE.py:Class``, ``module:Class``, entry points)
            as ``sandbox:``; allow_unsandboxed: run ``sandbox:`` bots even when no sandbox works here.
        budget_ms, bank_ms: every bot's per-decision budget and bank (None: what the bot declares,
            else ``TimeBudget()``'s); equal_budgets: both sides of a pairing get the larger of the two.
        bot_logs: where JSON-lines bots write their logs (default: ``<db stem>-logs/`` next to ``db``).

    Raises:
        BotSpecError: an entry names no bot, two entries share a display name, or sandboxed bots
            cannot be sandboxed (nothing was played or stored).
        ResultsStoreError: the database cannot be used (nothing was written).
        BackendUnavailable: the backend cannot run (nothing was played).
    """
    from shotcaller.bots.base import TimeBudget

    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (expected one of {', '.join(BACKENDS)})")
    if schedule_kind not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule_kind!r} (expected one of {', '.join(SCHEDULES)})")

    def warn(msg: str) -> None:
        if on_warning is not None:
            on_warning(msg)
        else:
            warnings.warn(msg, TournamentWarning, stacklevel=3)

    entries = sandbox_entries(resolve_entries(bots), sandbox, allow_unsandboxed, warn)
    overrides: dict[str, Any] = {k: v for k, v in (("budget_ms", budget_ms), ("bank_ms", bank_ms)) if v is not None}
    TimeBudget(**overrides)  # a bad value is a ValueError before anything is stored
    con = open_db(db)
    log_dir = str(Path(bot_logs).resolve() if bot_logs else default_log_dir(db))
    played = 0
    failures: list[tuple[Game, str]] = []
    try:
        checks = {e.key: check_bot(e.spec, allow_unsandboxed, log_dir) for e in entries}
        now = time.time()
        for e in entries:
            c = checks[e.key]
            for w in c.warnings:
                warn(f"{e.name}: {w}")
            if register_bot(con, e.key, e.name, e.digest, e.spec, e.source, c.broken, c.log_path, now) and not c.broken:
                drop_forfeits(con, e.key)  # it starts now: its forfeits are played this time
        keys = [e.key for e in entries]
        full = schedule(keys, games, kind=schedule_kind)
        have = done_keys(con)
        todo = [g for g in full if (g.blue, g.red, g.seed) not in have]
        broken = {k: checks[k].broken for k in keys if checks[k].broken}
        for e in entries:
            if e.key in broken:
                n = sum(e.key in (g.blue, g.red) for g in todo)
                log = f" (log: {checks[e.key].log_path})" if checks[e.key].log_path else ""
                warn(f"bot {e.name} is broken, its games are forfeits ({n} new): {broken[e.key]}{log}")
        total = len(full)
        done = total - len(todo)
        for g in [g for g in todo if g.blue in broken or g.red in broken]:
            if g.blue in broken and g.red in broken:
                res = {"winner": "draw", "ticks": 0, "faults": []}
                store_game(con, g.blue, g.red, g.seed, res, status="void", reason="both bots are broken")
            else:
                loser, winner = (g.blue, "red") if g.blue in broken else (g.red, "blue")
                res = {"winner": winner, "ticks": 0, "faults": [], "forfeit": broken[loser]}
                store_game(con, g.blue, g.red, g.seed, res, status="forfeit", reason=f"{loser}: {broken[loser]}")
            done += 1
        todo = [g for g in todo if g.blue not in broken and g.red not in broken]
        if progress:
            progress(done, total)
        job = Job(
            specs={e.key: e.spec for e in entries},
            budgets={k: {**(checks[k].budget or TimeBudget().to_dict()), **overrides} for k in keys},
            equal_budgets=equal_budgets,
            params=params,
            verify=verify,
            replay_dir=str(Path(replay_dir).resolve()) if replay_dir else None,
            log_dir=log_dir,
            allow_unsandboxed=allow_unsandboxed,
        )

        def handle(out: dict[str, Any]) -> None:
            nonlocal done, played
            g: Game = out["game"]
            if "error" in out:
                failures.append((g, out["error"]))
                if on_error:
                    on_error(g, out["error"])
                return
            void = out.get("void")
            status = "void" if void else "played"
            store_game(con, g.blue, g.red, g.seed, out["result"], status=status, reason=void, replay_path=out["replay"])
            if void:
                warn(f"game {g.blue} vs {g.red} seed {g.seed} is void: {void}")
            done += 1
            played += 1
            if progress:
                progress(done, total)

        if not todo:
            pass
        elif backend == "ray":
            run_ray(todo, workers, chunk, job, handle, ray_address)
        elif (workers or 1) <= 1:
            run_serial(todo, job, handle)
        else:
            run_pool(todo, workers or 1, chunk, job, handle)
    finally:
        con.close()
    if failures and on_error is None:
        raise TournamentIncomplete(played, failures)
    return played
