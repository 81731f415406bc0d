"""Statistical smoke tests of the game's balance (issue 9): small, seeded, well under a minute.

Both tests judge a Wilson 95% score interval, never a point estimate: a test fails only when the
interval lies wholly on the wrong side of its bound, so a game that meets the target fails by bad luck
in at most a few percent of seed sets, and, the seeds being fixed, a given build always gives the same
answer. The figures they stand for are measured at full size by ``benchmarks/leader_balance.py``
(``docs/leaders.md``) and ``benchmarks/ladder.py`` (``docs/ladder.md``).
"""

from __future__ import annotations

import numpy as np
import pytest

from shotcaller.arena.match import play_match
from shotcaller.arena.ratings import wilson
from shotcaller.bots.loader import load_bot
from shotcaller.sim import new_state, step_inplace

RUSH_SEEDS = range(20)  # x 2 sides = 40 games of ~14 game minutes (~0.15 s each)
DRAFT_MATCHES = 128  # random-draft default matches, batched: ~15 s on one free core, < 30 s on a shared one


def _default_plan_points(world, rival: str, defender: str = "idle") -> tuple[float, int]:
    """``defender``'s points (a draw is half a win; default: the default plan) against ``rival`` over
    RUSH_SEEDS, both sides."""
    points, n = 0.0, 0
    for seed in RUSH_SEEDS:
        for idle_side in ("blue", "red"):
            other = "red" if idle_side == "blue" else "blue"
            sides = {idle_side: load_bot(defender), other: load_bot(rival)}
            res = play_match(sides["blue"], sides["red"], seed=seed, world=world, checksums=False).result
            if res["faults"]:  # a bot that broke did not play: a real failure, never the expected one
                pytest.fail(f"bot faults in seed {seed}: {res['faults']}")
            points += 1.0 if res["winner"] == idle_side else 0.5 if res["winner"] == "draw" else 0.0
            n += 1
    return points, n


def test_default_plan_does_not_lose_most_games_to_the_mid_rush(world):
    """``idle`` (the default plan) against ``plan:rush-mid-0`` (all five push mid from the first second).

    40 games, seeds 0..19 on each side. Fails when the default plan's win rate (a draw is half a win)
    has a 95% interval wholly below 50%: it then loses most games to the rush, for certain. It passes
    from 14 wins in 40 (35%) up; a game where the default plan truly wins half of these games fails it
    with probability ~2% (13 or fewer wins of 40), so the test is not flaky once the game is fixed.

    History: before issue 9's structure rules and defending leader AI the rush won ~99-100% of these
    games. With them the default plan won about half; the first leader retune for fair teams dropped it
    to 12 of 40, and the leader AI's tower-aggro rule and counter-push (``push_when_dead``) brought it
    back to 18 of 40 (docs/balance.md). With the defence switched off (``defend_threat = 0`` in
    profiles.toml) the default plan wins none of them (0 of 40) and this test fails.
    """
    points, n = _default_plan_points(world, "plan:rush-mid-0")
    lo, hi = wilson(points, n)
    assert hi >= 0.5, f"the default plan won {points:g} of {n} games against the mid rush (95% CI {lo:.0%}-{hi:.0%})"


def test_the_defend_order_does_not_lose_most_games_to_the_mid_rush(world):
    """``plan:tpdef-212-all`` (the default lanes; all five told to ``defend`` a lane where three enemy
    leaders are seen, the far ones teleported in) against ``plan:rush-mid-0``, judged as above.

    History: while the ``defend`` order stood two tiles in front of the lane's tower and fought anything
    within ten tiles of it, this plan won none of these 40 games, where the leader AI's own defence won
    18: the defenders followed the rushers under their tower. Since the order is played like the leader
    AI's defence it wins 20 of 40.
    """
    points, n = _default_plan_points(world, "plan:rush-mid-0", defender="plan:tpdef-212-all")
    lo, hi = wilson(points, n)
    assert hi >= 0.5, f"plan:tpdef-212-all won {points:g} of {n} games against the mid rush (95% CI {lo:.0%}-{hi:.0%})"


def test_default_plan_does_not_lose_most_games_to_pusher(world):
    """``idle`` against the built-in ``pusher``, judged as the mid-rush test above.

    History: the adaptive ``pusher`` (all five push the weakest lane, back to the lanes when behind) beat
    the default plan ~80% of the time after issue 9's first rules; since the tower-aggro rule and the
    counter-push the default plan wins 15 of these 40 games (62.5% for pusher), just inside the bound.
    """
    points, n = _default_plan_points(world, "pusher")
    lo, hi = wilson(points, n)
    assert hi >= 0.5, f"the default plan won {points:g} of {n} games against pusher (95% CI {lo:.0%}-{hi:.0%})"


def test_no_leader_team_wins_below_35_or_above_65_percent(world):
    """Random drafts, default plan on both sides: per leader, the win rate of the team that has it.

    128 matches (seeds 0..127), batched in the compiled core. Every leader plays every match (ten
    leaders, five a side), so each rate is over 128 games: a 95% interval of about ±8.5 points. Fails
    when a leader's interval lies wholly outside 35-65%: a point estimate above ~74% or below ~26%.
    A leader truly at 62% (the strongest in 2026-11, issue 9) fails it with probability 0.4%, one at
    65% 2.6%; one at 75% (or 25%) 70% of the time, at 80% (20%) 97%. The issue's 35-65% is a guard rail;
    the full 2000-match measurement in ``docs/leaders.md`` judges the 45-55% target.
    """
    state = new_state(world, np.arange(DRAFT_MATCHES))
    limit = int(world.rec["time_limit"])
    while not state.done.all() and state.tick.max() <= limit:
        step_inplace(state, None, 2400)
    g = state.arrays.games
    assert state.done.all(), "a match did not end by the time limit"
    drafts, winner = g["draft"], g["winner"]
    outside = []
    for h, name in enumerate(world.content.leader_names):
        blue = (drafts[:, :5] == h).any(axis=1)
        red = (drafts[:, 5:] == h).any(axis=1)
        assert (blue ^ red).all(), f"{name} is not on exactly one team in every match"
        points = float(((blue & (winner == 0)) | (red & (winner == 1))).sum() + 0.5 * (winner == 2).sum())
        lo, hi = wilson(points, DRAFT_MATCHES)
        if hi < 0.35 or lo > 0.65:
            outside.append(f"{name} {points / DRAFT_MATCHES:.0%} (95% CI {lo:.0%}-{hi:.0%})")
    assert not outside, f"leaders' teams outside 35-65% over {DRAFT_MATCHES} random drafts: {', '.join(outside)}"
