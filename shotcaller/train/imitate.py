"""Learning from a teacher: a scripted coach plays the agent's seat of the vector env and its orders are
recorded as coach env actions, for behaviour cloning before PPO (``shotcaller train --teacher``).

The teacher sees exactly what a coach sees in a match (its team view, at the agent's cadence) and its
orders are translated into the env's action space as ``shotcaller dataset export`` translates recorded
ones (:func:`~shotcaller.envs.dataset.invert_choice`): each order becomes the row of the choice table
that gives it, for its leader (a whole-team order as the whole-team choice), ``group`` at another point the
group row of the nearest lane, ``fortify`` the fortify choice. An order with no row (micro orders,
``profile``) is counted and left out; a row the mask forbids now (a dead leader) is "no new order", as
the engine would have rejected it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from shotcaller.bots.base import MatchInfo
from shotcaller.envs.dataset import OrderWindow, resolved_all
from shotcaller.sim import encode as E
from shotcaller.sim.observe import team_view


def action_of_orders(
    orders: list[Any], state: Any, resolved: np.ndarray, table: np.ndarray, mask: np.ndarray, unmapped: Counter[str]
) -> np.ndarray:
    """The env action (5 rows, fortify, the whole-team row) of blue's ``orders`` ``(leader, kind, a, b)``
    in ``state`` (``resolved``: :func:`~shotcaller.envs.dataset.resolved_all` of the game), mapped as
    ``shotcaller dataset export`` maps a decision's orders (:class:`~shotcaller.envs.dataset.OrderWindow`):
    the last order of each leader wins, a whole-team order is the whole-team choice, a row the mask
    forbids is "no new order"; orders with no row are counted in ``unmapped`` by kind name."""
    window = OrderWindow(0, resolved, mask, int(table.shape[0]))
    for o in orders:
        leader, kind, a, b = (int(v) for v in tuple(o)[:4])
        window.add(state, 0, table, [0, 0, leader, kind, a, b])
    counts: dict[str, dict[str, int]] = {}
    act, _exact = window.action(counts)
    unmapped.update(counts.get("unmapped", {}))
    return act


class Teacher:
    """One scripted coach per game of a :class:`~shotcaller.envs.vector.CoachVectorEnv`, playing blue."""

    def __init__(self, env: Any, spec: str) -> None:
        from shotcaller.bots import make_coach

        self.env = env
        self.coaches = [make_coach(spec) for _ in range(env.num_envs)]
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
        """(B, 7): each game's teacher decision now, as env actions."""
        env = self.env
        out = np.zeros((env.num_envs, E.N_ACTION), np.int64)
        resolved = resolved_all(env.state, 0, env.table)
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
            out[b] = action_of_orders(list(orders), env.state, resolved[b], env.table, masks[b], self.unmapped)
        return out
