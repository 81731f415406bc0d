"""Observation builders: pure functions of a state.

* :func:`team_view` is what a coach sees: its own units, the enemy units its team currently sees,
  and every building (enemy ones as last seen). Fog-of-war is exact: nothing else leaks.
* :func:`full_view` is the whole state (for viewers, replays and privileged bots).

Both return plain JSON-ready dicts, the format shared by bots, the terminal and the web frontends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shotcaller.sim.layout import (
    KIND_NAMES,
    M_CHANNEL,
    M_RETREAT,
    N_BLD,
    ORDER_NAMES,
    SLOT_LEADER0,
    STANCE_NAMES,
    TEAM_NAMES,
)
from shotcaller.sim.state import State


def _leader(state: State, b: int, li: int, full: bool) -> dict[str, Any]:
    A = state.arrays
    c = state.world.content
    ld = A.leaders[b, li]
    un = A.units[b, SLOT_LEADER0 + li]
    t = int(A.games[b]["tick"])
    d: dict[str, Any] = {
        "id": f"{TEAM_NAMES[li // 5]}_{li % 5}",
        "index": li,
        "slot": SLOT_LEADER0 + li,
        "leader": c.leader_names[int(ld["hero"])],
        "alive": bool(un["alive"]),
        "x": int(un["x"]),
        "y": int(un["y"]),
        "hp": round(float(un["hp"]), 1),
        "max_hp": round(float(un["max_hp"]), 1),
    }
    if full:
        d.update(
            {
                "gold": round(float(ld["gold"]), 1),
                "items": [c.item_names[int(i)] for i in A.games["inv"][b, li] if i >= 0],
                "queued": [c.item_names[int(i)] for i in A.games["buyq"][b, li] if i >= 0],
                "order": ORDER_NAMES[int(ld["order"])],
                "order_args": [int(ld["oa"]), int(ld["ob"])],
                "micro": ORDER_NAMES[int(ld["micro"])],
                "stance": STANCE_NAMES[int(ld["stance"])],
                "mode": "retreat" if ld["mode"] == M_RETREAT else ("channel" if ld["mode"] == M_CHANNEL else "normal"),
                "respawn_in": max(0, int(ld["respawn_at"]) - t) if not un["alive"] else 0,
                "teleport_ready_in": max(0, int(ld["tp_ready"]) - t),
                "kills": int(ld["kills"]),
                "deaths": int(ld["deaths"]),
                "last_hits": int(ld["last_hits"]),
                "attack": round(float(un["atk"]), 1),
                "defense": round(float(un["dfn"]), 1),
                "target": int(un["target"]),
            }
        )
    return d


def _building(un: np.ndarray, s: int, hp: float, alive: bool) -> dict[str, Any]:
    return {
        "slot": s,
        "team": TEAM_NAMES[int(un["team"][s])],
        "kind": KIND_NAMES[int(un["kind"][s])],
        "lane": int(un["lane"][s]),
        "x": int(un["x"][s]),
        "y": int(un["y"][s]),
        "hp": round(hp, 1),
        "alive": alive,
        "invulnerable": bool(un["invuln"][s]),
    }


def _units(state: State, b: int, mask: np.ndarray) -> list[list[int]]:
    un = state.arrays.units[b]
    idx = np.nonzero(mask)[0]
    return [
        [
            int(u),
            int(un["kind"][u]),
            int(un["team"][u]),
            int(un["x"][u]),
            int(un["y"][u]),
            int(round(float(un["hp"][u]))),
            int(round(float(un["max_hp"][u]))),
        ]
        for u in idx
    ]


def team_view(state: State, team: int, b: int = 0) -> dict[str, Any]:
    """What team ``team`` sees of game ``b`` (the coach's observation).

    Keys: ``tick``, ``team``, ``leaders`` (own, full detail), ``enemy_leaders`` (visible ones, position
    and health), ``units`` (rows ``[slot, kind, team, x, y, hp, max_hp]`` of own and visible enemy
    mobile units), ``buildings`` (all 26, enemy ones as last seen), ``lane_front`` (own creep front
    per lane as a lane-path index, -1 when the lane has no creeps).
    """
    A = state.arrays
    un = A.units[b]
    vis = A.games["vis"][b, team].astype(bool)
    alive = un["alive"].astype(bool)
    mobile = np.arange(un.shape[0]) >= 2 * N_BLD
    leader_slots = (np.arange(un.shape[0]) >= SLOT_LEADER0) & (np.arange(un.shape[0]) < SLOT_LEADER0 + 10)
    units_mask = alive & mobile & ~leader_slots & ((un["team"] == team) | vis)
    enemy = 1 - team
    enemy_leaders = []
    for li in range(enemy * 5, enemy * 5 + 5):
        s = SLOT_LEADER0 + li
        if alive[s] and vis[s]:
            enemy_leaders.append(_leader(state, b, li, full=False))
    buildings = []
    for s in range(2 * N_BLD):
        seen = bool(un["team"][s] == team or vis[s])
        hp = float(un["hp"][s]) if seen else float(A.games["seen_hp"][b, team, s])
        d = _building(un, s, hp, bool(alive[s]) if seen else hp > 0)
        d["visible"] = seen
        buildings.append(d)
    return {
        "tick": int(A.games[b]["tick"]),
        "team": TEAM_NAMES[team],
        "leaders": [_leader(state, b, li, full=True) for li in range(team * 5, team * 5 + 5)],
        "enemy_leaders": enemy_leaders,
        "units": _units(state, b, units_mask),
        "buildings": buildings,
        "lane_front": [int(v) for v in A.games["front"][b, team]],
        "privileged": False,
    }


def full_view(state: State, b: int = 0) -> dict[str, Any]:
    """The whole of game ``b`` (viewers, replays, privileged bots). Labelled ``privileged``."""
    A = state.arrays
    un = A.units[b]
    alive = un["alive"].astype(bool)
    mobile = np.arange(un.shape[0]) >= SLOT_LEADER0 + 10
    g = A.games[b]
    return {
        "tick": int(g["tick"]),
        "done": bool(g["done"]),
        "winner": int(g["winner"]),
        "leaders": [_leader(state, b, li, full=True) for li in range(10)],
        "units": _units(state, b, alive & mobile),
        "buildings": [_building(un, s, float(un["hp"][s]), bool(alive[s])) for s in range(2 * N_BLD)],
        "visible": {TEAM_NAMES[t]: np.nonzero(A.games["vis"][b, t])[0].tolist() for t in (0, 1)},
        "privileged": True,
    }
