"""Held-out evaluation: one bot against opponents on named maps and seeds, win rates with 95% intervals.

``run_evaluation("strategist", ["laner"], seeds="heldout", maps=["original", "perturbed-1"], games=20)``
plays, for every opponent and map, ``games`` games on the seed set's first ``ceil(games / 2)`` seeds,
each seed on both sides (the bot blue, then red; an odd ``games`` plays the last seed with the bot blue
only). It is a tournament's machinery with another schedule: every bot is loaded and started once in a
child process first (:func:`~shotcaller.arena.workers.check_bot`), the games run in this process or a
local process pool (:func:`~shotcaller.arena.backends.run_pool`) with the same time budgets, sandboxes
and bot logs, and nothing is stored. A draw counts half a win in ``win_rate`` and its interval, and is
reported on its own (``draws``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shotcaller.arena.backends import run_pool, run_serial
from shotcaller.arena.ratings import wilson
from shotcaller.arena.seeds import seed_set
from shotcaller.arena.tournament import sandbox_entries
from shotcaller.arena.workers import Game, Job, check_bot
from shotcaller.bots.identity import BotIdentity, BotSpecError, identify, resolve_entries
from shotcaller.content.maps import resolve_maps


class EvaluationError(ValueError):
    """The evaluation cannot start (a bot that cannot be played, an unknown map or seed set, no games);
    nothing was played. The message names what is wrong."""


@dataclass
class Cell:
    """The bot's record against one opponent on one map."""

    bot: str  # display names and versions (name@digest)
    bot_version: str
    opponent: str
    opponent_version: str
    map: str
    seeds: str  # the seed set's name
    first_seed: int
    wins: int = 0
    draws: int = 0
    losses: int = 0
    failed: int = 0  # games whose play raised (not counted)

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses

    @property
    def win_rate(self) -> float:
        """Wins plus half the draws, over the games played (0 when none were)."""
        return (self.wins + 0.5 * self.draws) / self.games if self.games else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        """95% Wilson interval of :attr:`win_rate`."""
        return wilson(self.wins + 0.5 * self.draws, self.games)

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.ci95
        return {
            "bot": self.bot,
            "bot_version": self.bot_version,
            "opponent": self.opponent,
            "opponent_version": self.opponent_version,
            "map": self.map,
            "seeds": self.seeds,
            "first_seed": self.first_seed,
            "games": self.games,
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "win_rate": round(self.win_rate, 4),
            "ci95": [round(lo, 4), round(hi, 4)],
            "failed": self.failed,
        }


def evaluation_schedule(bot: str, opponents: list[str], maps: list[str], seeds: list[int], games: int) -> list[Game]:
    """For each opponent and map, ``games`` games: seed ``seeds[i // 2]``, the bot blue when i is even."""
    out = []
    for opp in opponents:
        for m in maps:
            for i in range(games):
                s = seeds[i // 2]
                out.append(Game(bot, opp, s, m) if i % 2 == 0 else Game(opp, bot, s, m))
    return out


def run_evaluation(
    bot: str,
    opponents: list[str],
    *,
    seeds: str = "heldout",
    maps: list[str] | None = None,
    games: int = 20,
    workers: int | None = None,
    params: Any = None,
    allow_unsandboxed: bool = False,
    budget_ms: float | None = None,
    bank_ms: float | None = None,
    bot_logs: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_error: Callable[[Game, str], None] | None = None,
) -> list[Cell]:
    """Play the evaluation; one :class:`Cell` per (opponent, map), in the order given.

    Args:
        bot, opponents: bot entries as ``shotcaller match`` and ``tournament`` take them (``SPEC`` or
            ``NAME=SPEC``); the bot may meet itself.
        seeds: a seed set's name (:mod:`shotcaller.arena.seeds`).
        maps: map variant names or ``all`` (:mod:`shotcaller.content.maps`; default ``original``).
        games: games per opponent and map (at least 1).
        workers: local worker processes (None or 1: play in this process).
        params: the match Params (None: the content defaults).
        budget_ms, bank_ms: every bot's budget (None: what it declares); both sides of a game get the
            larger of the two bots' budgets, as in tournaments.
        bot_logs: where JSON-lines bots write their logs (None: the per-user state directory's).
        progress: called with (games done, games scheduled) at the start and after every game.
        on_warning: called with each loading warning (an unsandboxed bot, ...).
        on_error: called with (game, message) for a game whose play raised (it is counted in ``failed``).

    Raises:
        EvaluationError: naming an unknown bot, map or seed set, a bot that cannot load or start, or
            ``games`` below 1 (nothing was played).
    """
    from shotcaller.bots.base import TimeBudget
    from shotcaller.content import ContentError, MapError, load_content

    if games < 1:
        raise EvaluationError(f"games must be at least 1, got {games}")
    if not opponents:
        raise EvaluationError("name at least one opponent")
    try:
        seed_list = seed_set(seeds).seeds((games + 1) // 2)
    except ValueError as e:
        raise EvaluationError(str(e)) from None
    try:
        map_names = resolve_maps(list(maps or ["original"]))
        for m in map_names:  # a map that cannot be built fails here, before any bot is started
            load_content(map_name=m)
    except (ContentError, MapError) as e:
        raise EvaluationError(str(e)) from None

    def warn(msg: str) -> None:
        if on_warning is not None:
            on_warning(msg)

    overrides: dict[str, Any] = {k: v for k, v in (("budget_ms", budget_ms), ("bank_ms", bank_ms)) if v is not None}
    try:
        TimeBudget(**overrides)  # a bad value is refused before any bot is started
        resolve_entries([bot, *opponents])  # two different bots under one name are refused here
        idents: list[BotIdentity] = sandbox_entries(
            [identify(e) for e in [bot, *opponents]], False, allow_unsandboxed, warn
        )
    except (BotSpecError, ValueError) as e:
        raise EvaluationError(str(e)) from None
    me, others = idents[0], list({i.key: i for i in idents[1:]}.values())
    checks = {}
    for ident in [me, *others]:
        if ident.key in checks:
            continue
        c = checks[ident.key] = check_bot(ident.spec, allow_unsandboxed, bot_logs)
        for w in c.warnings:
            warn(f"{ident.name}: {w}")
        if c.broken:
            log = f" (log: {c.log_path})" if c.log_path else ""
            raise EvaluationError(f"bot {ident.name} cannot be played: {c.broken}{log}")
    job = Job(
        specs={i.key: i.spec for i in [me, *others]},
        budgets={k: {**(c.budget or TimeBudget().to_dict()), **overrides} for k, c in checks.items()},
        equal_budgets=True,
        params=params,
        log_dir=bot_logs,
        allow_unsandboxed=allow_unsandboxed,
    )
    cells = {
        (o.key, m): Cell(me.name, me.key, o.name, o.key, m, seeds, seed_list[0]) for o in others for m in map_names
    }
    todo = evaluation_schedule(me.key, [o.key for o in others], map_names, seed_list, games)
    done = 0
    if progress:
        progress(done, len(todo))

    def handle(out: dict[str, Any]) -> None:
        nonlocal done
        g: Game = out["game"]
        bot_blue = g.blue == me.key  # against itself, the bot is the blue side of every game
        cell = cells[(g.red if bot_blue else g.blue), g.map_name]
        if "error" in out:
            cell.failed += 1
            if on_error:
                on_error(g, out["error"])
        else:
            winner = out["result"]["winner"]
            if winner == "draw":
                cell.draws += 1
            elif (winner == "blue") == bot_blue:
                cell.wins += 1
            else:
                cell.losses += 1
        done += 1
        if progress:
            progress(done, len(todo))

    if (workers or 1) <= 1:
        run_serial(todo, job, handle)
    else:
        run_pool(todo, workers or 1, None, job, handle)
    return list(cells.values())
