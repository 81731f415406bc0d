"""The strategy sweep: every fixed plan of ``shotcaller.bots.plans.PLANS`` against ``idle``, ``strategist`` and
each other, written to ``docs/balance.md`` with the targets of issue 9.

    python benchmarks/strategy_sweep.py [--games 20] [--rr-games 8] [--baseline-games 20] [--workers 1]
                                        [--db docs/balance/sweep-GAME.db] [--out docs/balance.md] [--plans A,B,...]

Each plan plays ``idle`` and ``strategist`` on ``--games`` seeds, each seed once on each side (mirrored
seeds); the plans' round robin plays ``--rr-games`` seeds per pair, also on both sides; ``idle`` and
``strategist`` each play themselves on ``--baseline-games`` seeds (match length and share decided). Every
game is stored in the tournament SQLite store under its bot version (``name@digest``): stop the sweep at
any moment and run the same command again to play only the missing games.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

from shotcaller.arena.tournament import run_tournament, wilson
from shotcaller.bots.identity import identify
from shotcaller.bots.plans import PLANS, Plan

ROOT = Path(__file__).resolve().parents[1]
OPPONENTS = ("idle", "strategist")
TARGETS = {"idle": 0.80, "strategist": 0.70, "round robin": 0.75}  # the highest win rate any plan may reach
LENGTH_MIN = (12.0, 30.0)  # median minutes of idle-idle and strategist-strategist games
DECIDED_MIN = 0.90  # share of those decided before the time limit

Row = tuple[str, str, int, str, float, bool]  # blue name, red name, seed, winner, minutes, decided before the limit


def load_rows(db: Path, keys: set[str]) -> list[Row]:
    """Played games between the current versions ``keys``, sides by display name."""
    con = sqlite3.connect(str(db))
    query = (
        "SELECT b.name, r.name, g.seed, g.winner, g.result, g.blue, g.red FROM games g"
        " JOIN bots b ON b.key = g.blue JOIN bots r ON r.key = g.red WHERE g.status = 'played'"
    )
    rows = []
    for blue, red, seed, winner, result, kb, kr in con.execute(query):
        if kb in keys and kr in keys:
            res = json.loads(result)
            rows.append((blue, red, int(seed), winner, float(res["minutes"]), res["end_reason"] != "time limit"))
    con.close()
    return rows


def score(rows: list[Row], me: str, vs: set[str]) -> tuple[float, int]:
    """(points of ``me`` against any of ``vs``, games); a win is 1, a draw 0.5."""
    pts, n = 0.0, 0
    for blue, red, _s, winner, _t, _d in rows:
        if blue == me and red in vs:
            pts, n = pts + {"blue": 1.0, "draw": 0.5}.get(winner, 0.0), n + 1
        elif red == me and blue in vs:
            pts, n = pts + {"red": 1.0, "draw": 0.5}.get(winner, 0.0), n + 1
    return pts, n


def rate(pts: float, n: int) -> str:
    if n == 0:
        return "–"
    lo, hi = wilson(pts, n)
    return f"{pts / n:.0%} ({lo:.0%}–{hi:.0%})"


def lengths(rows: list[Row], keep: Callable[[Row], bool]) -> tuple[float, float, int]:
    """(median minutes, share decided before the limit, games) of the rows ``keep`` keeps."""
    kept = [r for r in rows if keep(r)]
    if not kept:
        return float("nan"), float("nan"), 0
    return statistics.median(r[4] for r in kept), sum(r[5] for r in kept) / len(kept), len(kept)


def self_play(bot: str) -> Callable[[Row], bool]:
    """Keeps the games of ``bot`` against its twin ``<bot>2``."""
    return lambda r: {r[0], r[1]} == {bot, f"{bot}2"}


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


@dataclass
class PlanRow:
    """One plan's figures: (points, games) against each opponent, its round-robin mean win rate with its
    (points, games) over all its round-robin games, and the median length and share decided of all its
    games."""

    name: str
    vs: dict[str, tuple[float, int]]
    rr: float
    median_min: float
    decided: float
    rr_games: tuple[float, int] = (0.0, 0)

    def rr_text(self) -> str:
        """The round-robin mean with the Wilson 95% CI of all its round-robin games (every pair plays the
        same number of games, so their pooled rate is the mean)."""
        pts, n = self.rr_games
        if n == 0:
            return "–"
        lo, hi = wilson(pts, n)
        return f"{self.rr:.0%} ({lo:.0%}–{hi:.0%})"

    def rate(self, opp: str) -> float:
        """Win rate against ``opp`` (``"round robin"``: the round-robin mean)."""
        if opp == "round robin":
            return self.rr
        pts, n = self.vs[opp]
        return pts / n if n else float("nan")


def plan_row(rows: list[Row], name: str, names: list[str]) -> PlanRow:
    pairs = [score(rows, name, {other}) for other in names if other != name]
    rr = [pts / n for pts, n in pairs if n]
    med, dec, _ = lengths(rows, lambda r: name in (r[0], r[1]))
    vs = {opp: score(rows, name, {opp}) for opp in OPPONENTS}
    pooled = (sum(p for p, _ in pairs), sum(n for _, n in pairs))
    return PlanRow(name, vs, statistics.mean(rr) if rr else float("nan"), med, dec, pooled)


def report(rows: list[Row], plans: list[str], args: argparse.Namespace, note: str) -> str:
    names = [f"plan:{p}" for p in plans]
    table = [plan_row(rows, name, names) for name in names]

    def best(opp: str) -> PlanRow:  # ties: the better round-robin mean, then the earlier plan
        return max(table, key=lambda t: (t.rate(opp), t.rr))

    cmd = (
        f"python benchmarks/strategy_sweep.py --games {args.games} --rr-games {args.rr_games} "
        f"--baseline-games {args.baseline_games}" + (f" --plans {','.join(plans)}" if set(plans) != set(PLANS) else "")
    )
    n_games = len(rows)
    g2, rr2, b2 = 2 * args.games, 2 * args.rr_games, 2 * args.baseline_games
    lines = [
        "# Balance: the strategy sweep",
        "",
        f"Generated by `{cmd}` (do not edit by hand; `--workers K` plays faster, same games). "
        f"{len(plans)} fixed coach plans (`shotcaller/bots/plans.py`, each the bot `plan:NAME`) against `idle` "
        f"(no orders: the leaders' default plan), `strategist` and each other. {n_games} played games. {note}",
        "",
        f"How many games back each figure: each plan's rate against `idle` and against `strategist` rests on "
        f"{g2} games ({args.games} seeds, each on both sides); its round-robin figure is the mean of its "
        f"win rates against the {len(plans) - 1} other plans, {rr2} games each "
        f"({(len(plans) - 1) * rr2} games); the self-play lengths rest on {b2} games each. "
        "Rates count a draw as half a win; intervals are Wilson 95% CIs (a round-robin mean's over all its "
        "round-robin games, pooled; a verdict judges the point estimate). With few games per cell the "
        "intervals are wide: a rerun with larger `--games` and `--rr-games` narrows them.",
        "",
        "These figures measure the game as it is at the commit that generated them; after a change to the "
        "rules, the content or the leader AI, the same command measures it again (the games are stored per "
        "game version, and new bot versions of the plans are played anew when their code changes).",
        "",
        "## Targets (issue 9)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    for opp in (*OPPONENTS, "round robin"):
        top = best(opp)
        what = f"beats `{opp}` in more than {TARGETS[opp]:.0%} of games"
        if opp not in OPPONENTS:
            what = f"has a mean round-robin win rate above {TARGETS[opp]:.0%}"
        shown = top.rr_text() if opp not in OPPONENTS else rate(*top.vs[opp])
        lines.append(f"| no plan {what} | best: `{top.name}` {shown} | {verdict(top.rate(opp) <= TARGETS[opp])} |")
    for bot in OPPONENTS:
        med, dec, n = lengths(rows, self_play(bot))
        ok_len = LENGTH_MIN[0] <= med <= LENGTH_MIN[1]
        lines.append(
            f"| median `{bot}` vs `{bot}` match {LENGTH_MIN[0]:.0f}–{LENGTH_MIN[1]:.0f} min | {med:.1f} min "
            f"({n} games) | {verdict(ok_len)} |"
        )
        lines.append(
            f"| at least {DECIDED_MIN:.0%} of `{bot}` vs `{bot}` decided before the time limit | {dec:.0%} "
            f"| {verdict(dec >= DECIDED_MIN)} |"
        )
    lines += [
        "",
        "## Best plan against each opponent",
        "",
        "| opponent | best plan | its win rate (95% CI) |",
        "|---|---|---:|",
    ]
    for opp in OPPONENTS:
        top = best(opp)
        lines.append(f"| `{opp}` | `{top.name}` | {rate(*top.vs[opp])} |")
    top = best("round robin")
    lines.append(f"| the other plans (round-robin mean) | `{top.name}` | {top.rr_text()} |")
    lines += [
        "",
        "## Every plan",
        "",
        "Sorted by round-robin mean. Median length and share decided (before the time limit) are over all "
        "of the plan's games.",
        "",
        "| plan | vs `idle` (95% CI) | vs `strategist` (95% CI) | round-robin mean (95% CI) | median length "
        "| decided |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in sorted(table, key=lambda t: -t.rr):
        lines.append(
            f"| `{t.name}` | {rate(*t.vs['idle'])} | {rate(*t.vs['strategist'])} | {t.rr_text()} "
            f"| {t.median_min:.1f} min | {t.decided:.0%} |"
        )
    lines += ["", "## The plans", "", "| plan | parameters |", "|---|---|"]
    default = Plan()
    for p in plans:
        changed = [
            f"{f.name}={getattr(PLANS[p], f.name)!r}"
            for f in fields(Plan)
            if getattr(PLANS[p], f.name) != getattr(default, f.name)
        ]
        lines.append(
            f"| `plan:{p}` | {', '.join(f'`{c}`' for c in changed) or 'the defaults (2-1-2 lanes, nothing else)'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--games", type=int, default=20, help="seeds per plan against idle and against strategist")
    ap.add_argument("--rr-games", type=int, default=8, help="seeds per pair of plans in the round robin")
    ap.add_argument("--baseline-games", type=int, default=20, help="seeds of idle-idle and strategist-strategist")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--db",
        type=Path,
        default=None,
        help="the game store (default: docs/balance/sweep-GAME.db, GAME the content version and simulation stamp:"
        " games played under other rules are never reused)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "balance.md")
    ap.add_argument("--plans", default="", help="comma-separated plan names (default: all)")
    args = ap.parse_args()
    for flag in ("games", "rr_games", "baseline_games", "workers"):
        if getattr(args, flag) < 1:
            ap.error(f"--{flag.replace('_', '-')} must be at least 1")
    plans = [p for p in args.plans.split(",") if p] or list(PLANS)
    unknown = [p for p in plans if p not in PLANS]
    if unknown:
        ap.error(f"unknown plan(s) {', '.join(unknown)} (known: {', '.join(PLANS)})")
    if len(set(plans)) != len(plans) or len(plans) < 2:
        ap.error("--plans needs at least two different plans")
    if args.db is None:
        from shotcaller.content import load_content
        from shotcaller.sim.backend import game_version

        args.db = ROOT / "docs" / "balance" / f"sweep-{game_version(load_content().version)}.db"
    args.db.parent.mkdir(parents=True, exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    specs = [f"plan:{p}" for p in plans]
    t0 = time.time()
    played = 0

    def run(entries: list[str], games: int, kind: str, what: str) -> None:
        nonlocal played

        def progress(done: int, total: int) -> None:
            print(f"\r{what}: {done}/{total} games", end="", file=sys.stderr, flush=True)

        played += run_tournament(
            entries, games, args.db, workers=args.workers, progress=progress, schedule_kind=kind, on_warning=print
        )
        print(file=sys.stderr)

    for bot in OPPONENTS:
        run([bot, f"{bot}2={bot}"], args.baseline_games, "round-robin", f"{bot} vs {bot}")
    for spec in specs:  # the ladder idle - plan - strategist: the plan against both, nothing else
        run(["idle", spec, "strategist"], args.games, "ladder", f"{spec} vs idle, strategist")
    run(specs, args.rr_games, "round-robin", "round robin of the plans")
    wall = time.time() - t0
    keys = {identify(e).key for e in [*OPPONENTS, "idle2=idle", "strategist2=strategist", *specs]}
    note = (
        f"This run played {played} games in {wall / 60:.1f} min with {args.workers} worker(s)."
        if played
        else "(Report regenerated from the stored games.)"
    )
    args.out.write_text(report(load_rows(args.db, keys), plans, args, note))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
