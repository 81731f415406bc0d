"""Tournaments with a resumable SQLite results store and OpenSkill ratings.

Schedules: a round robin (every pair of bots) or a ladder (adjacent bots in the order given); each
pair plays ``games`` seeds twice, sides swapped (mirrored seeds). Games run in this process, in a
local process pool, or as Ray tasks (``backend="ray"``), a few games per task. The driver writes
every finished game to SQLite in its own transaction, keyed by (blue, red, seed): killing the
tournament at any moment and running the same command again plays exactly the games that are
missing. A game whose play raised is not stored (so the next run retries it); it is reported instead.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY,
    blue TEXT NOT NULL,
    red TEXT NOT NULL,
    seed INTEGER NOT NULL,
    winner TEXT NOT NULL,
    ticks INTEGER NOT NULL,
    result TEXT NOT NULL,
    faults TEXT NOT NULL,
    replay_path TEXT,
    finished_at REAL NOT NULL,
    UNIQUE (blue, red, seed)
);
"""

SCHEDULES = ("round-robin", "ladder")
BACKENDS = ("local", "ray")
MAX_CHUNK = 8  # games per task: cheap games (0.15-0.5 s) would otherwise pay the per-task overhead each
RAY_INSTALL_HINT = 'pip install "shotcaller[ray]"'
LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"  # "0": Ray uses 127.0.0.1 as the node address


@dataclass(frozen=True)
class Game:
    """One scheduled game."""

    blue: str
    red: str
    seed: int


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here (Ray not installed, cluster unreachable); nothing was played."""


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


def open_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating on first use) the results database."""
    con = sqlite3.connect(str(path), timeout=60)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(SCHEMA)
    return con


def done_keys(con: sqlite3.Connection) -> set[tuple[str, str, int]]:
    """(blue, red, seed) of every game already stored."""
    return {(b, r, s) for b, r, s in con.execute("SELECT blue, red, seed FROM games")}


# ---------------------------------------------------------------------------- worker side
_WORLD: Any = None  # this process's default world (content, config, params), built on first use


def default_world() -> Any:
    """The world of the default content, config and params, built once per process (a worker plays
    many games: building it costs about as much as playing a short game)."""
    global _WORLD
    if _WORLD is None:
        from shotcaller.content import load_content
        from shotcaller.sim import Params, SimConfig, build_world

        _WORLD = build_world(load_content(), SimConfig(), Params())
    return _WORLD


def play_one(game: Game, replay_dir: str | None, specs: dict[str, str] | None = None) -> dict[str, Any]:
    """Play one game in this process. ``specs`` maps a bot's name in the schedule to the spec to load
    (e.g. a file path made absolute for workers whose working directory differs)."""
    from shotcaller.arena.match import play_match
    from shotcaller.bots import load_bot

    specs = specs or {}
    replay = None
    if replay_dir:
        Path(replay_dir).mkdir(parents=True, exist_ok=True)
        safe = lambda s: "".join(c if c.isalnum() or c in "-_" else "_" for c in s)  # noqa: E731
        replay = str(Path(replay_dir) / f"{safe(game.blue)}__{safe(game.red)}__{game.seed}.json.gz")
    blue = load_bot(specs.get(game.blue, game.blue))
    red = load_bot(specs.get(game.red, game.red))
    # checksums only matter in a replay that is kept
    out = play_match(blue, red, seed=game.seed, world=default_world(), replay_path=replay, checksums=replay is not None)
    res = out.result
    return {"game": game, "result": res, "replay": replay}


def describe_error(e: BaseException) -> str:
    """One line: the exception and where it was raised."""
    msg = f"{type(e).__name__}: {e}"
    tb = traceback.extract_tb(e.__traceback__)
    if tb:
        msg += f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})"
    return msg


def play_chunk(games: list[Game], replay_dir: str | None, specs: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Play a few games (the task of every parallel backend). Each entry is a finished game
    (``game``, ``result``, ``replay``) or ``{"game", "error"}`` when its play raised: one bad game
    never loses the others."""
    out = []
    for g in games:
        try:
            out.append(play_one(g, replay_dir, specs))
        except (Exception, SystemExit) as e:  # a bot's bug (even sys.exit) must not take the worker down
            out.append({"game": g, "error": describe_error(e)})
    return out


# ---------------------------------------------------------------------------- driver side
def store(con: sqlite3.Connection, out: dict[str, Any]) -> None:
    """Write one finished game (its own transaction; a duplicate is ignored)."""
    g: Game = out["game"]
    res = out["result"]
    with con:
        con.execute(
            "INSERT OR IGNORE INTO games (blue, red, seed, winner, ticks, result, faults, replay_path, finished_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                g.blue,
                g.red,
                g.seed,
                res["winner"],
                res["ticks"],
                json.dumps(res),
                json.dumps(res.get("faults", [])),
                out["replay"],
                time.time(),
            ),
        )


def portable_spec(spec: str) -> str:
    """``spec`` with a relative bot file made absolute, so a worker finds it whatever its working
    directory; every other form is returned unchanged."""
    if spec.startswith("exec:") or ":" not in spec:
        return spec
    where, _, attr = spec.rpartition(":")
    if (where.endswith(".py") or "/" in where or "\\" in where) and Path(where).is_file():
        return f"{Path(where).resolve()}:{attr}"
    return spec


def chunk_size(n_games: int, slots: int) -> int:
    """Games per task: up to MAX_CHUNK, but small enough that every slot gets about four tasks."""
    return max(1, min(MAX_CHUNK, n_games // (4 * max(1, slots))))


def _chunks(games: list[Game], size: int) -> Iterator[list[Game]]:
    for i in range(0, len(games), size):
        yield games[i : i + size]


def _failed(chunk: list[Game], why: str) -> list[dict[str, Any]]:
    return [{"game": g, "error": why} for g in chunk]


def _run_serial(todo: list[Game], replay_dir: str | None, specs: dict[str, str], handle: Callable) -> None:
    for g in todo:
        for out in play_chunk([g], replay_dir, specs):
            handle(out)


def _run_pool(
    todo: list[Game], workers: int, size: int | None, replay_dir: str | None, specs: dict[str, str], handle: Callable
) -> None:
    """A local process pool; at most 2 tasks per worker in flight. A worker that dies (the pool
    breaks) fails the games in flight, and a new pool goes on with the rest."""
    chunks = _chunks(todo, size or chunk_size(len(todo), workers))
    pool = ProcessPoolExecutor(max_workers=workers)
    pending: dict[Any, list[Game]] = {}
    try:
        while True:
            while len(pending) < 2 * workers and (chunk := next(chunks, None)) is not None:
                pending[pool.submit(play_chunk, chunk, replay_dir, specs)] = chunk
            if not pending:
                return
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for f in ready:
                chunk = pending.pop(f)
                try:
                    outs = f.result()
                except BrokenProcessPool as e:
                    broken = True
                    outs = _failed(chunk, f"worker process died: {e}")
                except Exception as e:
                    outs = _failed(chunk, f"task failed: {describe_error(e)}")
                for out in outs:
                    handle(out)
            if broken:  # the old pool fails its other tasks by itself (they come back as broken above)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_ray(
    todo: list[Game],
    workers: int | None,
    size: int | None,
    replay_dir: str | None,
    specs: dict[str, str],
    handle: Callable,
    address: str | None,
) -> None:
    """Ray tasks on the cluster at ``address`` (or a local instance ray.init starts); at most
    ``workers`` (default: 2 per cluster CPU) tasks in flight, results stored as each task returns."""
    import os
    import sys

    # A local instance of our own stays on loopback (Ray would otherwise announce the machine's
    # network address): the switch is read when Ray is imported and by the processes ray.init starts.
    private = address is None and "ray" not in sys.modules and LOOPBACK_ENV not in os.environ
    if private:
        os.environ[LOOPBACK_ENV] = "0"
    try:
        try:
            import ray
        except ImportError as e:
            raise BackendUnavailable(f"the ray backend needs Ray ({e}); install it with: {RAY_INSTALL_HINT}") from e
        started = False
        if not ray.is_initialized():
            import logging

            local = {} if address else {"include_dashboard": False}
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING, **local)
            except Exception as e:
                where = f"the Ray cluster at {address!r}" if address else "a local Ray instance"
                raise BackendUnavailable(f"cannot start or reach {where}: {type(e).__name__}: {e}") from e
            started = True
    finally:
        if private:
            del os.environ[LOOPBACK_ENV]
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        inflight = workers or 2 * cpus
        chunks = _chunks(todo, size or chunk_size(len(todo), min(inflight, cpus)))
        task = ray.remote(num_cpus=1)(play_chunk)
        pending: dict[Any, list[Game]] = {}
        while True:
            while len(pending) < inflight and (chunk := next(chunks, None)) is not None:
                pending[task.remote(chunk, replay_dir, specs)] = chunk
            if not pending:
                return
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                chunk = pending.pop(ref)
                try:
                    outs = ray.get(ref)
                except Exception as e:  # the task itself failed (worker died, module missing on the node, ...)
                    last = (str(e).strip().splitlines() or [""])[-1]
                    outs = _failed(chunk, f"Ray task failed: {type(e).__name__}: {last}")
                for out in outs:
                    handle(out)
    finally:
        if started:
            ray.shutdown()


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
) -> int:
    """Play every missing game of the schedule; returns how many were played (and stored) now.

    Args:
        workers: local backend: worker processes (None or 1: play in this process); ray backend:
            tasks in flight (None: two per CPU of the cluster).
        progress: called with (games stored, games scheduled) at the start and after every stored game.
        backend: ``local`` or ``ray``; ray_address: passed to ``ray.init(address=...)`` (None: a local instance).
        schedule_kind: ``round-robin`` or ``ladder`` (see :func:`pairs`).
        chunk: games per task (None: automatic, at most MAX_CHUNK).
        on_error: called with (game, message) for every game whose play raised. Such games are not
            stored (the next run retries them); without a callback, :class:`TournamentIncomplete` is
            raised once every other game is played.

    Raises:
        BackendUnavailable: the backend cannot run (nothing was played).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (expected one of {', '.join(BACKENDS)})")
    full = schedule(bots, games, kind=schedule_kind)
    specs = {b: portable_spec(b) for b in bots}
    if replay_dir:
        replay_dir = str(Path(replay_dir).resolve())
    con = open_db(db)
    played = 0
    failures: list[tuple[Game, str]] = []
    try:
        have = done_keys(con)
        todo = [g for g in full if (g.blue, g.red, g.seed) not in have]
        total = len(full)
        done = total - len(todo)
        if progress:
            progress(done, total)

        def handle(out: dict[str, Any]) -> None:
            nonlocal done, played
            if "error" in out:
                failures.append((out["game"], out["error"]))
                if on_error:
                    on_error(out["game"], out["error"])
                return
            store(con, out)
            done += 1
            played += 1
            if progress:
                progress(done, total)

        if not todo:
            pass
        elif backend == "ray":
            _run_ray(todo, workers, chunk, replay_dir, specs, handle, ray_address)
        elif (workers or 1) <= 1:
            _run_serial(todo, replay_dir, specs, handle)
        else:
            _run_pool(todo, workers or 1, chunk, replay_dir, specs, handle)
    finally:
        con.close()
    if failures and on_error is None:
        raise TournamentIncomplete(played, failures)
    return played


# ---------------------------------------------------------------------------- ratings and report
def load_games(db: str | Path) -> list[tuple[str, str, int, str]]:
    """(blue, red, seed, winner) of every stored game, in the order they finished."""
    con = open_db(db)
    rows = list(con.execute("SELECT blue, red, seed, winner FROM games ORDER BY finished_at, id"))
    con.close()
    return rows


def _replay_ratings(games: Iterable[tuple[str, str, int, str]]) -> tuple[dict[str, Any], dict[str, list]]:
    """OpenSkill (Plackett-Luce) over the games in order (draws are ties): final ratings and each
    bot's ordinal after every game it played."""
    from openskill.models import PlackettLuce

    model = PlackettLuce()
    table: dict[str, Any] = {}
    hist: dict[str, list[tuple[int, float]]] = {}
    for k, (blue, red, _seed, winner) in enumerate(games, start=1):
        a = table.setdefault(blue, model.rating(name=blue))
        b = table.setdefault(red, model.rating(name=red))
        ranks = {"blue": [0, 1], "red": [1, 0], "draw": [0, 0]}[winner]
        [[a2], [b2]] = model.rate([[a], [b]], ranks=ranks)
        table[blue], table[red] = a2, b2
        hist.setdefault(blue, []).append((k, a2.ordinal()))
        hist.setdefault(red, []).append((k, b2.ordinal()))
    return table, hist


def ratings(games: Iterable[tuple[str, str, int, str]]) -> dict[str, Any]:
    """OpenSkill (Plackett-Luce) ratings over the games in order; draws are ties."""
    return _replay_ratings(games)[0]


def wilson(wins: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a win rate (draws count half)."""
    if n == 0:
        return (0.0, 1.0)
    p = wins / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def head_to_head(games: Iterable[tuple[str, str, int, str]]) -> dict[tuple[str, str], tuple[float, int]]:
    """(row, column) -> (points of row against column, games); a win is 1, a draw 0.5."""
    out: dict[tuple[str, str], list[float]] = {}
    for blue, red, _seed, winner in games:
        pb = {"blue": 1.0, "red": 0.0, "draw": 0.5}[winner]
        for me, other, pts in ((blue, red, pb), (red, blue, 1 - pb)):
            cell = out.setdefault((me, other), [0.0, 0])
            cell[0] += pts
            cell[1] += 1
    return {k: (v[0], int(v[1])) for k, v in out.items()}


def rating_history(games: list[tuple[str, str, int, str]]) -> dict[str, list[tuple[int, float]]]:
    """Each bot's OpenSkill ordinal after every game it played: {bot: [(game number, ordinal), ...]}."""
    return _replay_ratings(games)[1]


def write_plots(db: str | Path, out_dir: str | Path) -> list[Path]:
    """Write ``ratings.png`` (ordinal over games) and ``winrates.png`` (head-to-head heatmap)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    games = load_games(db)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table, hist = _replay_ratings(games)
    order = sorted(table, key=lambda n: -table[n].ordinal())
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name in order:
        xs, ys = zip(*hist[name], strict=True)
        ax.plot(xs, ys, label=name)
    ax.set_xlabel("games played in the tournament")
    ax.set_ylabel("OpenSkill ordinal (mu - 3 sigma)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    p1 = out / "ratings.png"
    fig.savefig(p1, dpi=110)
    plt.close(fig)
    h2h = head_to_head(games)
    n = len(order)
    grid = [[float("nan")] * n for _ in range(n)]
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if (a, b) in h2h:
                pts, k = h2h[(a, b)]
                grid[i][j] = pts / k
    fig, ax = plt.subplots(figsize=(1.2 * n + 2.5, 1.0 * n + 1.5))
    im = ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1)
    ax.set_xticks(range(n), order, rotation=30, ha="right")
    ax.set_yticks(range(n), order)
    for i in range(n):
        for j in range(n):
            if grid[i][j] == grid[i][j]:
                pts, k = h2h[(order[i], order[j])]
                lo, hi = wilson(pts, k)
                ax.text(j, i, f"{grid[i][j]:.0%}\n[{lo:.0%}-{hi:.0%}]", ha="center", va="center", fontsize=8)
    ax.set_title("win rate of row against column (95% CI)")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    p2 = out / "winrates.png"
    fig.savefig(p2, dpi=110)
    plt.close(fig)
    return [p1, p2]
