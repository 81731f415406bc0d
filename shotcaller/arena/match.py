"""Play one match headless between two coaches, recording a replay."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.arena.replay import Replay, params_to_dict
from shotcaller.bots.base import Coach, MatchInfo
from shotcaller.content import Content, load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim.observe import team_view
from shotcaller.sim.result import match_result
from shotcaller.sim.world import World

CHECKSUM_EVERY = 200  # ticks (10 game seconds)


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
) -> MatchOutcome:
    """Run a full match: each coach sees its team's view every ``decide_every`` ticks and returns orders.

    Args:
        blue, red: coaches (anything with ``act(view, info) -> list of order rows``).
        seed: the match seed (drives the draft when none is given, and every random rule).
        draft: 10 hero ids (blue 0..4, red 0..4) or None for a random draft.
        replay_path: also write the replay there.
    """
    if world is None:
        content = content or load_content()
        world = build_world(content, SimConfig(), params or Params())
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
        coaches[t].reset(infos[t])
    while not A.games["done"][0]:
        now = int(A.games["tick"][0])
        rows: list[list[int]] = []
        if now % decide_every == 0:
            for t in (0, 1):
                for o in coaches[t].act(team_view(state, t), infos[t]) or []:
                    row = [t, *[int(v) for v in o]]
                    if len(row) != 5:
                        continue
                    row[0] = t  # a coach always speaks for its own team
                    rows.append(row)
        nxt = min(((now // decide_every) + 1) * decide_every, ((now // CHECKSUM_EVERY) + 1) * CHECKSUM_EVERY)
        orders = np.array([rows], np.int32) if rows else None
        for r in rows:
            rep.orders.append([now, *r])
        step_inplace(state, orders, nxt - now)
        t2 = int(A.games["tick"][0])
        if t2 % CHECKSUM_EVERY == 0 and not A.games["done"][0]:
            rep.checksums.append([t2, state.checksum(0)])
    end = int(A.games["tick"][0])
    rep.checksums.append([end, state.checksum(0)])
    rep.result = match_result(state)
    if replay_path is not None:
        rep.save(replay_path)
    return MatchOutcome(rep.result, rep)
