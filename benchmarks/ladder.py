"""Win rates of each built-in bot against the one below it (sides swapped, mirrored seeds).

    python benchmarks/ladder.py [GAMES_PER_SIDE]
"""

from __future__ import annotations

import sys
import time

from shotcaller.arena.match import play_match
from shotcaller.bots import load_bot
from shotcaller.content import load_content
from shotcaller.sim import build_world

LADDER = ["idle", "random", "laner", "pusher"]


def head_to_head(upper: str, lower: str, games_per_side: int, world) -> tuple[float, int]:
    wins = draws = 0
    for seed in range(games_per_side):
        for upper_side in (0, 1):
            bots = [load_bot(upper), load_bot(lower)] if upper_side == 0 else [load_bot(lower), load_bot(upper)]
            res = play_match(bots[0], bots[1], seed=seed, world=world).result
            w = res["winner"]
            wins += w == ("blue", "red")[upper_side]
            draws += w == "draw"
    n = 2 * games_per_side
    return wins / n, draws


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    world = build_world(load_content())
    for lower, upper in zip(LADDER, LADDER[1:], strict=False):
        t = time.time()
        rate, draws = head_to_head(upper, lower, n, world)
        print(f"{upper:>8} vs {lower:<8}: {rate:6.1%} of {2 * n} games won ({draws} draws, {time.time() - t:.0f} s)")
