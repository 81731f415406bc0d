"""Learning from a teacher: a scripted coach plays the agent's seat of the vector env and its orders are
recorded as coach env actions, for behaviour cloning before PPO (``shotcaller train --teacher``).

The teacher sees exactly what a coach sees in a match (its team view, at the agent's cadence) and its
orders are translated into the env's action space: each order becomes the matching row of the choice
table for its leader (a whole-team order for each of the five), ``fortify`` the fortify choice. An
order with no row (``group`` at an arbitrary point, micro orders) is counted and left out; a row the
mask forbids now (a dead leader) is "no new order", as the engine would have rejected it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from shotcaller.bots.base import MatchInfo
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L
from shotcaller.sim.observe import team_view


def row_index(table: np.ndarray, team: int) -> dict[tuple[int, int], int]:
    """Map ``(order kind, a)`` of ``team``'s engine orders to their choice row (rows whose argument
    does not depend on the state: all but ``group``)."""
    out: dict[tuple[int, int], int] = {}
    for c in range(1, table.shape[0]):
        kind, ak, arg = (int(v) for v in table[c])
        if ak == E.AK_RALLY:
            continue
        a = (1 - team) * 5 + arg if ak == E.AK_ENEMY else team * L.N_BLD + arg if ak == E.AK_OWN_BUILDING else arg
        out[(kind, a if ak != E.AK_NONE else 0)] = c
    return out


def action_of_orders(
    orders: list[Any], index: dict[tuple[int, int], int], mask: np.ndarray, n: int, unmapped: Counter[str]
) -> np.ndarray:
    """The env action (5 rows then fortify) for a coach's ``orders`` ``(leader, kind, a, b)``; the last
    order of a leader wins; orders without a row are counted in ``unmapped`` by kind name."""
    act = np.zeros(6, np.int64)
    for o in orders:
        leader, kind, a = int(o[0]), int(o[1]), int(o[2])
        if kind == L.O_FORTIFY:
            act[5] = 1 if mask[5 * n + 1] else 0
            continue
        c = index.get((kind, 0 if kind == L.O_RETREAT else a))
        if c is None:
            unmapped[L.ORDER_NAMES[kind] if 0 <= kind < len(L.ORDER_NAMES) else str(kind)] += 1
            continue
        for i in range(5) if leader < 0 else [leader]:
            if 0 <= i < 5 and mask[i * n + c]:
                act[i] = c
    return act


class Teacher:
    """One scripted coach per game of a :class:`~shotcaller.envs.vector.CoachVectorEnv`, playing blue."""

    def __init__(self, env: Any, spec: str) -> None:
        from shotcaller.bots import make_coach

        self.env = env
        self.coaches = [make_coach(spec) for _ in range(env.num_envs)]
        self.index = row_index(env.table, 0)
        self.unmapped: Counter[str] = Counter()
        self.infos: list[MatchInfo | None] = [None] * env.num_envs

    def start(self, b: int) -> None:
        """Reset game b's teacher for the match now in slot b."""
        env = self.env
        A = env.state.arrays
        seed = int(env.infos[b].seed) if env.infos[b] is not None else b
        draft = [int(h) for h in A.games["draft"][b]]
        info = self.infos[b] = MatchInfo(seed, 0, draft, env.world.content.version, env.world)
        self.coaches[b].reset(info)

    def actions(self, masks: np.ndarray) -> np.ndarray:
        """(B, 6): each game's teacher decision now, as env actions."""
        env = self.env
        n = env.n_choices
        out = np.zeros((env.num_envs, 6), np.int64)
        for b, coach in enumerate(self.coaches):
            if env.state.arrays.games["done"][b]:
                continue
            info = self.infos[b]
            if info is None:
                continue
            view = team_view(env.state, 0, b=b)
            view["events"] = []
            orders = coach.act(view, info) or []
            view.expire()
            out[b] = action_of_orders(list(orders), self.index, masks[b], n, self.unmapped)
        return out
