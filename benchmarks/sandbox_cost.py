"""What ``sandbox:`` costs: per decision and per match, against the same coach in-process.

    python benchmarks/sandbox_cost.py [SPEC] [DECISIONS] [MATCH_SECONDS]

SPEC is an in-process spec (default ``shotcaller.bots.builtin:StrategistCoach``, which reads
``view.arrays``); the script plays it in-process and as ``sandbox:SPEC`` and prints, for each:
start-up (load + reset, i.e. process start and the coach's import), one decision on a real
mid-game view (median and mean of DECISIONS calls, the view built fresh each time as the match
does), close(), and a whole match (at most MATCH_SECONDS game seconds) against ``laner``.
"""

from __future__ import annotations

import statistics
import sys
import time

from shotcaller.arena.match import play_match
from shotcaller.bots import load_bot
from shotcaller.bots.base import MatchInfo
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim.observe import team_view


def measure(spec: str, world, state, info, decisions: int) -> dict[str, float]:
    t0 = time.perf_counter()
    coach = load_bot(spec)
    coach.reset(info)
    start = time.perf_counter() - t0
    times = []
    for _ in range(decisions):
        t = time.perf_counter()
        view = team_view(state, 0)
        view["events"] = []
        coach.act(view, info)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    close = getattr(coach, "close", None)
    if close:
        close()
    return {
        "start_ms": start * 1e3,
        "decision_median_ms": statistics.median(times) * 1e3,
        "decision_mean_ms": statistics.fmean(times) * 1e3,
        "close_ms": (time.perf_counter() - t) * 1e3,
    }


def main() -> None:
    spec = sys.argv[1] if len(sys.argv) > 1 else "shotcaller.bots.builtin:StrategistCoach"
    decisions = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 1800
    world = build_world(load_content(), SimConfig(), Params(time_limit_s=seconds))
    state = new_state(world, 1)
    step_inplace(state, None, 20 * 120)  # two game minutes in: creeps and leaders on the map
    info = MatchInfo(1, 0, [int(h) for h in state.arrays.games["draft"][0]], world.content.version, world)
    play_match(load_bot("idle"), load_bot("idle"), seed=0, world=world)  # warm the kernels
    rows = {}
    for label, s in (("in-process", spec), ("sandbox:", "sandbox:" + spec)):
        row = measure(s, world, state, info, decisions)
        t = time.perf_counter()
        res = play_match(load_bot(s), load_bot("laner"), seed=5, world=world).result
        row["match_s"] = time.perf_counter() - t
        row["ticks"] = res["ticks"]
        row["faults"] = len(res["faults"])
        rows[label] = row
    cols = ["start_ms", "decision_median_ms", "decision_mean_ms", "close_ms", "match_s", "ticks", "faults"]
    print(f"{spec}: {decisions} decisions on a 2-minute view; a match of at most {seconds} s against laner")
    print(f"{'':12}" + "".join(f"{c:>19}" for c in cols))
    for label, row in rows.items():
        print(f"{label:12}" + "".join(f"{row[c]:>19.2f}" for c in cols))


if __name__ == "__main__":
    main()
