"""Round-robin tournaments with a resumable SQLite results store and OpenSkill ratings.

Every pair of bots plays ``games`` seeds twice, sides swapped (mirrored seeds). Each finished game is
written to SQLite in its own transaction, keyed by (blue, red, seed): killing the tournament at any
moment and running the same command again plays exactly the games that are missing.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
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


@dataclass(frozen=True)
class Game:
    """One scheduled game."""

    blue: str
    red: str
    seed: int


def schedule(bots: list[str], games: int, first_seed: int = 0) -> list[Game]:
    """Round robin: each pair plays seeds first_seed.. first_seed+games-1, each seed on both sides."""
    out = []
    for i, a in enumerate(bots):
        for b in bots[i + 1 :]:
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


def play_one(game: Game, replay_dir: str | None) -> dict[str, Any]:
    """Play one game in this process (the worker function of every backend)."""
    from shotcaller.arena.match import play_match
    from shotcaller.bots import load_bot

    replay = None
    if replay_dir:
        Path(replay_dir).mkdir(parents=True, exist_ok=True)
        safe = lambda s: "".join(c if c.isalnum() or c in "-_" else "_" for c in s)  # noqa: E731
        replay = str(Path(replay_dir) / f"{safe(game.blue)}__{safe(game.red)}__{game.seed}.json.gz")
    res = play_match(load_bot(game.blue), load_bot(game.red), seed=game.seed, replay_path=replay).result
    return {"game": game, "result": res, "replay": replay}


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


def run_tournament(
    bots: list[str],
    games: int,
    db: str | Path,
    workers: int = 1,
    replay_dir: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Play every missing game of the round robin; returns how many were played now."""
    con = open_db(db)
    have = done_keys(con)
    todo = [g for g in schedule(bots, games) if (g.blue, g.red, g.seed) not in have]
    total = len(schedule(bots, games))
    done = total - len(todo)
    if progress:
        progress(done, total)
    if workers <= 1:
        for g in todo:
            store(con, play_one(g, replay_dir))
            done += 1
            if progress:
                progress(done, total)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(play_one, g, replay_dir) for g in todo]
            for f in as_completed(futures):
                store(con, f.result())
                done += 1
                if progress:
                    progress(done, total)
    con.close()
    return len(todo)


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
