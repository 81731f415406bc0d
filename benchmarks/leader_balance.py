"""Leader and draft fairness: per-leader win rates over random drafts, and the first pick's edge.

    python benchmarks/leader_balance.py [--matches 2000] [--first-seed 0] [--drafter-matches 1000]
                                        [--batch 250] [--out docs/leaders.md]

1. ``--matches`` default-plan matches (no coach orders on either side) with the simulation's own random
   draft, played batched in the compiled core (``new_state`` over many seeds, ``step_inplace``). For
   each leader: the win rate of the team that has it, and of the team whose third pick (the mid in
   ``layout.DEFAULT_LANES``) it is, with Wilson 95% intervals. A draw counts half a win and is also
   reported on its own. Target (issue 9): every leader's team wins 45-55% over at least 2000 matches.
2. ``--drafter-matches`` matches between two ``drafter`` bots through ``play_match`` (the real draft
   with coaches; seeds from ``--first-seed``; the two seats alternate blue and red, which changes
   nothing as both are the same bot). Reported: the first pick's (blue's) win rate. Target: at most 57%.
   As a control, the same seeds and lineups are replayed batched with the sides swapped (the first
   pick's lineup on red), which tells the lineup's edge from the blue side's.

Writes the report (``--out``, default ``docs/leaders.md``) and prints it. The issue's targets are judged
on the point estimates; the intervals say how far each figure can be trusted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shotcaller.arena.match import play_match
from shotcaller.arena.ratings import wilson
from shotcaller.bots.loader import load_bot
from shotcaller.cli.parser import positive_int
from shotcaller.content import load_content
from shotcaller.sim import build_world, new_state, step_inplace
from shotcaller.sim.layout import DEFAULT_LANES
from shotcaller.sim.world import World

ROOT = Path(__file__).resolve().parents[1]
MID_SLOT = DEFAULT_LANES.index(1)  # the pick that plays the middle lane in the default plan
TEAM_LO, TEAM_HI = 0.45, 0.55  # issue 9: every leader's team wins 45-55% of random drafts
TEAM_MIN_MATCHES = 2000  # ... over at least 2000 matches
FIRST_PICK_MAX = 0.57  # issue 9: the first pick wins at most 57% between two drafters


@dataclass
class Matches:
    """Finished matches: drafts (M, 10) hero ids (blue 0..4, red 0..4), winner (M,) 0/1/2 (2 draw),
    end_tick (M,), end_reason (M,) 0 a core fell, 1 time limit."""

    drafts: np.ndarray
    winner: np.ndarray
    end_tick: np.ndarray
    end_reason: np.ndarray


def play_batched(world: World, seeds: np.ndarray, batch: int = 250, drafts: np.ndarray | None = None) -> Matches:
    """Default plan on both sides, ``batch`` games at a time in the compiled core; ``drafts`` (M, 10)
    fixes the lineups, None keeps the simulation's random draft."""
    limit = int(world.rec["time_limit"])
    parts = []
    what = "random drafts" if drafts is None else "fixed drafts"
    for k in range(0, len(seeds), batch):
        state = new_state(world, seeds[k : k + batch], None if drafts is None else drafts[k : k + batch])
        while not state.done.all() and state.tick.max() <= limit:
            step_inplace(state, None, 1200)
        g = state.arrays.games
        parts.append((g["draft"].copy(), g["winner"].copy(), g["end_tick"].copy(), g["end_reason"].copy()))
        print(f"  {what}: {min(k + batch, len(seeds))}/{len(seeds)} played", file=sys.stderr)
    return Matches(*(np.concatenate(p) for p in zip(*parts, strict=True)))


def play_drafters(world: World, seeds: np.ndarray) -> Matches:
    """``drafter`` against ``drafter`` through ``play_match`` (coaches draft and play), one match per seed."""
    drafts, winner, end_tick, end_reason = [], [], [], []
    ids = {n: h for h, n in enumerate(world.content.leader_names)}
    codes = {"blue": 0, "red": 1, "draw": 2}
    for k, seed in enumerate(seeds):
        res = play_match(load_bot("drafter"), load_bot("drafter"), seed=int(seed), world=world, checksums=False).result
        drafts.append([ids[n] for t in ("blue", "red") for n in res["draft"][t]])
        winner.append(codes[res["winner"]])
        end_tick.append(int(res["ticks"]))
        end_reason.append(0 if res["end_reason"] == "core destroyed" else 1)
        if (k + 1) % 100 == 0 or k + 1 == len(seeds):
            print(f"  drafter vs drafter: {k + 1}/{len(seeds)} played", file=sys.stderr)
    return Matches(np.array(drafts, np.int8), np.array(winner), np.array(end_tick), np.array(end_reason))


def team_points(m: Matches, hero: int, slots: range | list[int]) -> tuple[float, int, int]:
    """(points, games, draws) of the team that holds ``hero`` in one of ``slots`` (0..4): a win is 1,
    a draw 0.5; games where neither team holds it there are left out."""
    blue = np.isin(m.drafts[:, list(slots)], hero).any(axis=1)
    red = np.isin(m.drafts[:, [5 + s for s in slots]], hero).any(axis=1)
    wins = ((blue & (m.winner == 0)) | (red & (m.winner == 1))).sum()
    draws = ((blue | red) & (m.winner == 2)).sum()
    return float(wins + 0.5 * draws), int((blue | red).sum()), int(draws)


def pct(x: float) -> str:
    return f"{x:.1%}"


def ci(points: float, n: int) -> str:
    lo, hi = wilson(points, n)
    return f"{lo:.1%} – {hi:.1%}"


def minutes(m: Matches, world: World) -> float:
    return statistics.median((m.end_tick / float(world.rec["tps"]) / 60).tolist())


def report(
    world: World,
    rand: Matches,
    drafted: Matches | None,
    swapped: Matches | None,
    cmd: str,
    wall: dict[str, float],
    first_seed: int,
) -> str:
    """The markdown page."""
    names = world.content.leader_names
    n = len(rand.winner)
    rows = []
    for h, name in enumerate(names):
        pts, games, draws = team_points(rand, h, range(5))
        mpts, mgames, _ = team_points(rand, h, [MID_SLOT])
        rows.append((name, pts, games, draws, mpts, mgames))
    rows.sort(key=lambda r: -r[1] / max(1, r[2]))
    inside = [TEAM_LO <= r[1] / r[2] <= TEAM_HI for r in rows]
    enough = n >= TEAM_MIN_MATCHES
    verdict = "PASS" if all(inside) and enough else "FAIL"
    if all(inside) and not enough:
        verdict = f"not judged (fewer than {TEAM_MIN_MATCHES} matches)"
    blue_pts = float((rand.winner == 0).sum() + 0.5 * (rand.winner == 2).sum())
    lines = [
        "# Leader and draft fairness",
        "",
        f"Generated by `{cmd}` (do not edit by hand; {wall['random']:.0f} s for the random drafts,"
        f" {wall['drafter']:.0f} s for the drafter matches, {wall.get('swapped', 0):.0f} s for them with sides swapped;"
        " one process). Win rates count a draw as half a win;"
        " draws are also counted on their own. Intervals are Wilson 95% score intervals.",
        "",
        "## Targets (issue 9)",
        "",
        "| target | measured | result |",
        "|---|---|---|",
        f"| every leader's team wins 45–55% of ≥ {TEAM_MIN_MATCHES} random-draft default matches"
        f" | {n} matches; lowest {pct(rows[-1][1] / rows[-1][2])} ({rows[-1][0]}),"
        f" highest {pct(rows[0][1] / rows[0][2])} ({rows[0][0]}); {sum(inside)} of {len(rows)} inside | {verdict} |",
    ]
    if drafted is not None:
        m = len(drafted.winner)
        fp = float((drafted.winner == 0).sum() + 0.5 * (drafted.winner == 2).sum())
        ok = "PASS" if fp / m <= FIRST_PICK_MAX else "FAIL"
        lines.append(
            f"| the first pick wins ≤ 57% between two `drafter` bots"
            f" | {pct(fp / m)} ({ci(fp, m)}), {m} matches | {ok} |"
        )
    lines += [
        "",
        f"## Random drafts, default plan on both sides ({n} matches, seeds {first_seed}..{first_seed + n - 1})",
        "",
        f"Blue wins {pct(blue_pts / n)} ({ci(blue_pts, n)}); {int((rand.winner == 2).sum())} draws."
        f" Median match {minutes(rand, world):.1f} min; {pct(float((rand.end_reason == 0).mean()))} decided"
        " before the time limit (a core fell).",
        "",
        "Every match has all ten leaders, five a side, so each leader plays every match; *team* is the win rate"
        " of the side that has the leader, *as mid* the win rate of the side whose third pick (the solo middle"
        " lane of the default plan) it is.",
        "",
        "| leader | team wins | 95% CI | games | draws | in 45–55% | as mid | 95% CI | games as mid |",
        "|---|---:|---|---:|---:|:---:|---:|---|---:|",
    ]
    for (name, pts, games, draws, mpts, mgames), held in zip(rows, inside, strict=True):
        mid = f"{pct(mpts / mgames)} | {ci(mpts, mgames)} | {mgames}" if mgames else "– | – | 0"
        yes = "yes" if held else "**no**"
        lines.append(f"| {name} | {pct(pts / games)} | {ci(pts, games)} | {games} | {draws} | {yes} | {mid} |")
    if drafted is not None:
        m = len(drafted.winner)
        fp = float((drafted.winner == 0).sum() + 0.5 * (drafted.winner == 2).sum())
        lineups = {tuple(int(h) for h in d) for d in drafted.drafts}
        lines += [
            "",
            f"## First pick between two `drafter` bots ({m} matches)",
            "",
            "`play_match(drafter, drafter, seed)`: both coaches draft greedily (A-B-B-A-A-B-B-A-A-B, blue first)"
            " with the measured pick table, then give no orders (the default plan). Both seats are the same bot,"
            " so swapping sides changes nothing: the figure is the first pick's (blue's) edge.",
            "",
            f"Blue (first pick) wins {pct(fp / m)} ({ci(fp, m)}); {int((drafted.winner == 2).sum())} draws;"
            f" median match {minutes(drafted, world):.1f} min;"
            f" {pct(float((drafted.end_reason == 0).mean()))} decided before the time limit; seeds"
            f" {first_seed}..{first_seed + m - 1}.",
            "",
            f"Distinct lineups drafted: {len(lineups)}.",
        ]
        for d in sorted(lineups)[:3]:
            blue = ", ".join(names[h] for h in d[:5])
            red = ", ".join(names[h] for h in d[5:])
            lines.append(f"- blue: {blue}; red: {red} (pick order; the third is the mid)")
        if swapped is not None:
            sp = float((swapped.winner == 1).sum() + 0.5 * (swapped.winner == 2).sum())
            both, bn = fp + sp, 2 * m
            lines += [
                "",
                "Sides swapped: the same seeds and lineups with the first pick's lineup on red (batched, default"
                f" plan): it wins {pct(sp / m)} ({ci(sp, m)}); over both sides {pct(both / bn)} ({ci(both, bn)})"
                f" of {bn} matches. The blue side with these two lineups, over both orientations, wins"
                f" {pct((fp + m - sp) / bn)} ({ci(fp + m - sp, bn)}); over the random drafts above,"
                f" {pct(blue_pts / n)}.",
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matches", type=positive_int, default=2000, help="random-draft default matches (batched)")
    ap.add_argument("--first-seed", type=int, default=0, help="seed of the first match; the others follow")
    ap.add_argument("--drafter-matches", type=int, default=1000, help="drafter vs drafter matches (0: skip)")
    ap.add_argument("--batch", type=positive_int, default=250, help="games per batch in the compiled core")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "leaders.md", help="where to write the page")
    args = ap.parse_args(argv)
    if args.drafter_matches < 0:
        ap.error(f"--drafter-matches must be 0 or more, got {args.drafter_matches}")
    cmd = "python benchmarks/leader_balance.py" + "".join(
        f" {flag} {v}"
        for flag, v, d in (
            ("--matches", args.matches, 2000),
            ("--first-seed", args.first_seed, 0),
            ("--drafter-matches", args.drafter_matches, 1000),
        )
        if v != d
    )
    world = build_world(load_content())
    seeds = np.arange(args.first_seed, args.first_seed + args.matches)
    t = time.time()
    rand = play_batched(world, seeds, args.batch)
    wall = {"random": time.time() - t, "drafter": 0.0}
    drafted = swapped = None
    if args.drafter_matches:
        t = time.time()
        drafter_seeds = np.arange(args.first_seed, args.first_seed + args.drafter_matches)
        drafted = play_drafters(world, drafter_seeds)
        wall["drafter"] = time.time() - t
        t = time.time()
        swapped = play_batched(world, drafter_seeds, args.batch, np.roll(drafted.drafts, 5, axis=1))
        wall["swapped"] = time.time() - t
    page = report(world, rand, drafted, swapped, cmd, wall, args.first_seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(page)
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
