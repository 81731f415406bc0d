"""The result record of a match (docs/design.md section 9), read from a state."""

from __future__ import annotations

from typing import Any

from shotcaller.sim.layout import N_BLD, TEAM_NAMES
from shotcaller.sim.state import State

WINNER_NAMES = {-1: "running", 0: "blue", 1: "red", 2: "draw"}


def match_result(state: State, b: int = 0) -> dict[str, Any]:
    """Winner, duration, per-leader kills/deaths/gold/damage, buildings lost, orders given/rejected."""
    A = state.arrays
    c = state.world.content
    g = A.games[b]
    tps = c.rules["time.ticks_per_second"]
    ticks = int(g["end_tick"]) if g["done"] else int(g["tick"])
    leaders = []
    for li in range(10):
        ld = A.leaders[b, li]
        team = li // 5
        leaders.append(
            {
                "id": f"{TEAM_NAMES[team]}_{li % 5}",
                "team": TEAM_NAMES[team],
                "leader": c.leader_names[int(ld["hero"])],
                "kills": int(ld["kills"]),
                "deaths": int(ld["deaths"]),
                "last_hits": int(ld["last_hits"]),
                "gold": round(float(ld["gold_total"]), 1),
                "damage": round(float(ld["damage"]), 1),
                "items": [c.item_names[int(i)] for i in A.games["inv"][b, li] if i >= 0],
            }
        )
    teams = {}
    for t in (0, 1):
        tm = A.teams[b, t]
        teams[TEAM_NAMES[t]] = {
            "buildings_lost": int(tm["buildings_lost"]),
            "kills": int(tm["kills"]),
            "orders_given": int(tm["orders_given"]),
            "orders_rejected": int(tm["orders_rejected"]),
            "core_hp": round(float(A.units[b, t * N_BLD]["hp"]), 1),
        }
    return {
        "winner": WINNER_NAMES[int(g["winner"])],
        "end_reason": {0: "core destroyed", 1: "time limit"}.get(int(g["end_reason"]), "running"),
        "ticks": ticks,
        "minutes": round(ticks / tps / 60, 2),
        "seed": int(g["seed"]),
        "content_version": c.version,
        "draft": {
            TEAM_NAMES[t]: [c.leader_names[int(h)] for h in A.games["draft"][b, t * 5 : (t + 1) * 5]] for t in (0, 1)
        },
        "buildings_lost": {TEAM_NAMES[t]: teams[TEAM_NAMES[t]]["buildings_lost"] for t in (0, 1)},
        "teams": teams,
        "leaders": leaders,
    }
