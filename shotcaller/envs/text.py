"""The coach's observation as JSON text, for language-model coaches (``CoachEnv(render_mode="ansi")``).

The same team view as the arrays (fog of war respected): built on the view JSON-lines bots receive
(:func:`shotcaller.sim.observe.team_view`, ``docs/bot_protocol.md``), with names where the bots'
view has numbers, the last rejected order of each leader with its reason, and the choices allowed now by
name (the action mask read through ``choice_names``).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from shotcaller.sim import State
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L
from shotcaller.sim.layout import building_name
from shotcaller.sim.observe import team_view


def _seconds(ticks: int, tps: float) -> float:
    return round(ticks / tps, 1)


def coach_text_obs(
    state: State,
    team: int,
    choice_names: list[str],
    mask: np.ndarray,
    rejected: list[dict[str, Any]],
    scalars: np.ndarray,
    indent: int | None = None,
) -> str:
    """Team ``team``'s view of game 0 of ``state`` as JSON text.

    Args:
        state: the match.
        team: 0 blue, 1 red.
        choice_names: the choice table's row names (``env.choice_names``).
        mask: the flattened action mask now (6 * N + 2,), as ``env.action_masks()``.
        rejected: the team's orders the engine rejected since the last decision (``info["rejected"]``).
        scalars: the team's ``scalars`` observation now (its ``apm_left`` column).
        indent: JSON indentation (None: one line).

    Returns:
        A JSON object: ``tick``, ``time`` (m:ss), ``time_limit``, ``team``, ``apm_left`` (orders the team
        may still give this minute; null when unlimited), ``fortify`` (seconds until ready, seconds
        active, whether the enemy's buildings are fortified), ``leaders`` (own five by id and leader
        name: alive, position, hp, gold, items, queued purchases, current order and its arguments,
        stance, mode, respawn and teleport cooldowns in seconds, kills, deaths, last hits, and
        ``last_rejected``: the order and reason, or null), ``enemy_leaders`` (visible ones only),
        ``units`` (own and visible enemy creeps and summons by kind), ``buildings`` (all 26 by team and
        name, the enemy's as last seen), ``lane_front`` and ``allowed`` (per leader id the allowed
        choice names, whether fortify is allowed, and ``team``: the whole-team order's allowed choices).
    """
    world = state.world
    rec = world.rec
    tps = float(world.content.rules["time.ticks_per_second"])
    view = team_view(state, team).to_dict()
    n = len(choice_names)
    last: dict[int, dict[str, str]] = {}
    for ev in rejected:
        last[ev["leader"] if 0 <= ev["leader"] < 5 else 5] = {"order": ev["order"], "reason": ev.get("reason", "")}
    leaders = []
    for i, ld in enumerate(view["leaders"]):
        leaders.append(
            {
                "id": ld["id"],
                "leader": ld["leader"],
                "alive": ld["alive"],
                "x": ld["x"],
                "y": ld["y"],
                "hp": ld["hp"],
                "max_hp": ld["max_hp"],
                "gold": ld["gold"],
                "items": ld["items"],
                "queued": ld["queued"],
                "order": ld["order"],
                "order_args": ld["order_args"],
                "stance": ld["stance"],
                "mode": ld["mode"],
                "respawn_in_s": _seconds(ld["respawn_in"], tps),
                "teleport_ready_in_s": _seconds(ld["teleport_ready_in"], tps),
                "kills": ld["kills"],
                "deaths": ld["deaths"],
                "last_hits": ld["last_hits"],
                "last_rejected": last.get(i),
            }
        )
    enemies = [{k: e[k] for k in ("id", "leader", "x", "y", "hp", "max_hp")} for e in view["enemy_leaders"]]
    units = [
        {"kind": L.KIND_NAMES[k], "team": L.TEAM_NAMES[t], "x": x, "y": y, "hp": hp, "max_hp": mhp}
        for _slot, k, t, x, y, hp, mhp in view["units"]
    ]
    buildings = [
        {
            "team": b["team"],
            "name": building_name(b["slot"]),
            "sub": b["slot"] % L.N_BLD,
            "alive": b["alive"],
            "hp": b["hp"],
            "visible": b["visible"],
            "x": b["x"],
            "y": b["y"],
        }
        for b in view["buildings"]
    ]
    fort = view["fortify"]
    apm = int(rec["apm"])
    allowed: dict[str, Any] = {
        ld["id"]: [choice_names[c] for c in np.flatnonzero(mask[i * n : (i + 1) * n])]
        for i, ld in enumerate(view["leaders"])
    }
    allowed["fortify"] = bool(mask[5 * n + 1])
    allowed["team"] = [choice_names[c] for c in np.flatnonzero(mask[5 * n + 2 : 6 * n + 2])]  # the whole-team order
    doc = {
        "tick": view["tick"],
        "time": f"{int(view['tick'] / tps) // 60}:{int(view['tick'] / tps) % 60:02d}",
        "time_limit_s": _seconds(int(rec["time_limit"]), tps),
        "team": view["team"],
        "apm_left": round(float(scalars[E.S_APM]) * apm) if apm > 0 else None,
        "fortify": {
            "ready_in_s": _seconds(fort["ready_in"], tps),
            "active_for_s": _seconds(fort["active_for"], tps),
            "enemy_fortified": fort["enemy_fortified"],
            "last_rejected": last.get(5),
        },
        "leaders": leaders,
        "enemy_leaders": enemies,
        "units": units,
        "buildings": buildings,
        "lane_front": view["lane_front"],
        "allowed": allowed,
    }
    return json.dumps(doc, indent=indent)
