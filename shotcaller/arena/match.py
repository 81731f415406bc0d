"""Play one match headless between two coaches, recording a replay."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.arena.draft import run_draft
from shotcaller.arena.replay import Replay, params_to_dict
from shotcaller.bots.base import Coach, MatchInfo, fault
from shotcaller.content import Content, load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim import layout as L
from shotcaller.sim.observe import team_view
from shotcaller.sim.result import match_result
from shotcaller.sim.world import World

CHECKSUM_EVERY = 200  # ticks (10 game seconds)
INT32 = 2**31


def _order_event(row: np.ndarray) -> dict[str, Any]:
    t, kind, team, leader, okind, d = (int(v) for v in row)
    ev: dict[str, Any] = {
        "tick": t,
        "kind": L.EVENT_NAMES[kind],
        "leader": leader,
        "order": L.ORDER_NAMES[okind] if 0 <= okind < len(L.ORDER_NAMES) else str(okind),
    }
    if kind == L.E_ORDER_REJECTED:
        ev["reason"] = L.REJECT_REASONS[d] if 0 <= d < len(L.REJECT_REASONS) else str(d)
    return ev


def _ask(
    coach: Any, view: dict[str, Any], info: MatchInfo, team: int, tick: int, faults: list[dict[str, Any]]
) -> list[list[int]]:
    """The coach's orders as rows (team, leader, kind, a, b). A coach that raises or returns garbage
    loses those orders; the fault is recorded and the match goes on."""
    try:
        out = coach.act(view, info)
    except Exception as e:  # a bot's bug must never stop the match
        faults.append(fault(tick, team, f"act raised {type(e).__name__}: {e}"))
        return []
    finally:
        take = getattr(coach, "take_faults", None)  # faults a coach contained itself (e.g. a leader hook's)
        if callable(take):
            try:
                faults += [fault(tick, team, str(r)) for r in take() or []]
            except Exception as e:
                faults.append(fault(tick, team, f"take_faults raised {e!r}"))
    if out is None:
        return []
    try:
        orders = list(out)
    except TypeError:
        faults.append(fault(tick, team, f"act returned {type(out).__name__}, not a list"))
        return []
    rows = []
    for o in orders:
        try:
            vals = list(o)
        except TypeError:
            vals = None
        ok = (
            vals is not None
            and len(vals) == 4
            and all(
                isinstance(v, int | np.integer) and not isinstance(v, bool) and -INT32 <= int(v) < INT32 for v in vals
            )
        )
        if not ok:
            faults.append(fault(tick, team, f"malformed order {o!r}: expected (leader, kind, a, b) integers"))
            continue
        rows.append([team, *(int(v) for v in vals)])
    return rows


MAX_DECIDE_EVERY = 20 * 60  # a coach is asked at least once a game minute


def _cadence(coach: Any, default: int, team: int, faults: list[dict[str, Any]]) -> int:
    """How often (ticks) the coach is asked: its ``decide_every`` attribute, else the match default."""
    val = getattr(coach, "decide_every", None)
    if val is None:
        return default
    if isinstance(val, int | np.integer) and not isinstance(val, bool) and 1 <= int(val) <= MAX_DECIDE_EVERY:
        return int(val)
    why = f"decide_every={val!r} is not a whole number of ticks in 1..{MAX_DECIDE_EVERY}; using {default}"
    faults.append(fault(0, team, why))
    return default


@dataclass
class MatchOutcome:
    """A finished match: its result record and its replay."""

    result: dict[str, Any]
    replay: Replay


def play_match(
    blue: Coach,
    red: Coach,
    seed: int = 0,
    world: World | None = None,
    content: Content | None = None,
    params: Params | None = None,
    draft: list[int] | None = None,
    decide_every: int = 20,
    replay_path: str | Path | None = None,
    checksums: bool = True,
) -> MatchOutcome:
    """Run a full match: each coach sees its team's view every ``decide_every`` ticks and returns orders.

    A coach may set its own cadence with a ``decide_every`` attribute (ticks, 1..1200), and may declare
    ``privileged = True`` to read the full state through ``view.state``; the result lists privileged
    sides under ``"privileged"``.

    Args:
        blue, red: coaches (anything with ``act(view, info) -> list of order rows``).
        seed: the match seed (drives the draft when none is given, and every random rule).
        draft: 10 hero ids (blue 0..4, red 0..4), or None to draft: coaches with a ``draft`` method
            pick in the A-B-B-A-A-B-B-A-A-B order (:func:`shotcaller.arena.draft.run_draft`), the
            others at random; when neither drafts, the simulation's seeded random draft.
        replay_path: also write the replay there.
        checksums: record state checksums every 200 ticks in the replay (False skips them when the
            replay is not kept, as tournaments without a replay directory do; the final one stays).
    """
    if world is None:
        content = content or load_content()
        world = build_world(content, SimConfig(), params or Params())
    faults: list[dict[str, Any]] = []
    if draft is None:  # an explicit draft (a replay's, a fixed one) is never re-drafted
        draft = run_draft(blue, red, seed, world.content, faults)  # None when neither coach drafts
    drafts = np.array([draft if draft is not None else [-1] * 10], np.int8)
    state = new_state(world, seed, drafts)
    A = state.arrays
    rep = Replay(
        content_version=world.content.version,
        map=world.config.map_name,
        seed=int(seed),
        draft=[int(h) for h in A.games["draft"][0]],
        params=params_to_dict(world.params),
        config=dict(world.config.__dict__),
        checksum_every=CHECKSUM_EVERY,
    )
    coaches = (blue, red)
    infos = [
        MatchInfo(seed=int(seed), team=t, draft=rep.draft, content_version=rep.content_version, world=world)
        for t in (0, 1)
    ]
    for t in (0, 1):
        try:
            coaches[t].reset(infos[t])
        except Exception as e:  # a bot's bug must never stop the match
            faults.append(fault(0, t, f"reset raised {type(e).__name__}: {e}"))
    every = [_cadence(coaches[t], decide_every, t, faults) for t in (0, 1)]
    privileged = [getattr(coaches[t], "privileged", False) is True for t in (0, 1)]
    pending_events: list[list[dict[str, Any]]] = [[], []]
    while not A.games["done"][0]:
        now = int(A.games["tick"][0])
        rows: list[list[int]] = []
        for t in (0, 1):
            if now % every[t] == 0:
                view = team_view(state, t, privileged=privileged[t])
                view["events"] = pending_events[t]
                pending_events[t] = []
                held = sys.getrefcount(view)
                rows += _ask(coaches[t], view, infos[t], t, now, faults)
                if sys.getrefcount(view) > held:  # the coach kept the view: make it a snapshot
                    view.detach()
                del view
        nxt = min(
            ((now // every[0]) + 1) * every[0],
            ((now // every[1]) + 1) * every[1],
            ((now // CHECKSUM_EVERY) + 1) * CHECKSUM_EVERY if checksums else INT32,
        )
        orders = np.array([rows], np.int32) if rows else None
        for r in rows:
            rep.orders.append([now, *r])
        ev = step_inplace(state, orders, nxt - now)
        for row in ev.of(0):
            kind = int(row[1])
            if kind in (L.E_ORDER_OK, L.E_ORDER_REJECTED, L.E_ORDER_APPLIED):
                team = int(row[2])
                if team in (0, 1):
                    pending_events[team].append(_order_event(row))
        t2 = int(A.games["tick"][0])
        if checksums and t2 % CHECKSUM_EVERY == 0 and not A.games["done"][0]:
            rep.checksums.append([t2, state.checksum(0)])
    for t, c in enumerate(coaches):
        close = getattr(c, "close", None)
        if callable(close):
            try:
                close()
            except Exception as e:  # never lose the result to a bot's clean-up
                faults.append(fault(int(A.games["tick"][0]), t, f"close raised {e!r}"))
    end = int(A.games["tick"][0])
    rep.checksums.append([end, state.checksum(0)])
    rep.result = match_result(state)
    rep.result["faults"] = faults
    rep.result["privileged"] = [L.TEAM_NAMES[t] for t in (0, 1) if privileged[t]]
    if replay_path is not None:
        rep.save(replay_path)
    return MatchOutcome(rep.result, rep)
