"""Ratings and the tournament report: OpenSkill over the counted games, head-to-head win rates with
Wilson intervals, plots, and the report as tables (:func:`report_tables`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shotcaller.arena.results import Results, load_results

Games = Iterable[tuple[str, str, int, str]]  # (blue, red, seed, winner)
MAX_VOID_LISTED = 20  # void games listed one by one in the report; the rest are counted


def load_games(db: str | Path, all_versions: bool = False) -> list[tuple[str, str, int, str]]:
    """(blue, red, seed, winner) of every counted game (played or forfeit; void games are left out),
    in the order they finished, sides named by bot (see :func:`shotcaller.arena.results.load_results`)."""
    return load_results(db, all_versions).games


def _replay_ratings(games: Games) -> tuple[dict[str, Any], dict[str, list]]:
    """OpenSkill (Plackett-Luce) over the games in order (draws are ties): final ratings and each
    bot's ordinal after every game it played."""
    from openskill.models import PlackettLuce

    model = PlackettLuce()
    table: dict[str, Any] = {}
    hist: dict[str, list[tuple[int, float]]] = {}
    for k, (blue, red, _seed, winner) in enumerate(games, start=1):
        a = table.setdefault(blue, model.rating(name=blue))
        b = table.setdefault(red, model.rating(name=red))
        ranks = {"blue": [0.0, 1.0], "red": [1.0, 0.0], "draw": [0.0, 0.0]}[winner]
        [[a2], [b2]] = model.rate([[a], [b]], ranks=ranks)
        table[blue], table[red] = a2, b2
        hist.setdefault(blue, []).append((k, a2.ordinal()))
        hist.setdefault(red, []).append((k, b2.ordinal()))
    return table, hist


def ratings(games: Games) -> dict[str, Any]:
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


def head_to_head(games: Games) -> dict[tuple[str, str], tuple[float, int]]:
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


def report_tables(res: Results) -> list[Any]:
    """The report as rich renderables (printable to a terminal or a pipe): a summary line, the
    leaderboard (with flags for broken and faulty bots), the head-to-head matrix with column
    headers, then the broken and faulty bots with their logs and the void games."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = ratings(res.games)
    order = sorted(table, key=lambda n: -table[n].ordinal())
    by_label = {b.label: b for b in res.bots}
    out: list[Any] = []
    summary = f"{len(res.games)} games"
    if res.forfeits:
        summary += f" ({res.forfeits} forfeits of broken bots)"
    if res.void:
        summary += f", {len(res.void)} void (excluded)"
    out.append(Text(summary))

    board = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name, justify in (("#", "right"), ("bot", "left"), ("version", "left"), ("ordinal", "right")):
        board.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for name in ("mu", "sigma", "games", "flags"):
        board.add_column(name, justify="left" if name == "flags" else "right")
    games_of: dict[str, int] = {}
    for blue, red, _s, _w in res.games:
        games_of[blue] = games_of.get(blue, 0) + 1
        games_of[red] = games_of.get(red, 0) + 1
    for rank, name in enumerate(order, start=1):
        r, bot = table[name], by_label.get(name)
        flags = []
        if bot is not None and bot.broken:
            flags.append("BROKEN")
        if bot is not None and bot.faults:
            flags.append(f"faults in {bot.faulty_games} games")
        version = (bot.digest or "(before versions)") if bot is not None else ""
        board.add_row(
            str(rank), name, version, f"{r.ordinal():.2f}", f"{r.mu:.2f}", f"{r.sigma:.2f}", str(games_of[name]),
            ", ".join(flags),
        )  # fmt: skip
    out.append(board)

    h2h = head_to_head(res.games)
    out.append(Text("\nwin rate of row against column [95% CI]"))
    matrix = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    matrix.add_column("row \\ column", overflow="fold")
    for name in order:
        matrix.add_column(name, justify="right", overflow="fold")
    for a in order:
        cells = []
        for b in order:
            if a == b or (a, b) not in h2h:
                cells.append("-")
                continue
            pts, n = h2h[(a, b)]
            lo, hi = wilson(pts, n)
            cells.append(f"{pts / n:.0%} [{lo:.0%}-{hi:.0%}]")
        matrix.add_row(a, *cells)
    out.append(matrix)

    broken = [bot for bot in res.bots if bot.broken]
    if broken:
        out.append(Text("\nbroken bots (could not load or start; their games are forfeits):"))
        for bot in broken:
            log = f" (log: {bot.log_path})" if bot.log_path else ""
            out.append(Text(f"  {bot.label}: {bot.broken}{log}"))
    faulty = sorted((bot for bot in res.bots if bot.faults), key=lambda bot: -bot.faults)
    if faulty:
        out.append(Text("\nbot faults:"))
        for bot in faulty:
            log = f" (last log: {bot.last_log})" if bot.last_log else ""
            out.append(Text(f"  {bot.label}: {bot.faults} faults in {bot.faulty_games} games{log}"))
    if res.void:
        out.append(Text("\nvoid games (excluded from ratings and head-to-head):"))
        for blue, red, seed, why in res.void[:MAX_VOID_LISTED]:
            out.append(Text(f"  {blue} vs {red} seed {seed}: {why}"))
        if len(res.void) > MAX_VOID_LISTED:
            out.append(Text(f"  ... and {len(res.void) - MAX_VOID_LISTED} more"))
    return out


def write_plots(db: str | Path, out_dir: str | Path, all_versions: bool = False) -> list[Path]:
    """Write ``ratings.png`` (ordinal over games) and ``winrates.png`` (head-to-head heatmap)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    games = load_games(db, all_versions)
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
