"""``search``: the strategist's plan against the alternatives, each simulated ahead.

Every 10 s, and whenever the strategist's own proposal changes, the coach clones the state once per
candidate plan (the strategist's proposal, push each lane, defend each lane) into one batch and plays
60 s ahead in a single kernel call per 2 s, with the enemy modelled as a strategist reacting on its
own team view at its own cadence. It takes the candidate whose end state scores best when it clearly
beats the proposal, and once off the proposal it keeps its plan unless another clearly beats that one (without
this hysteresis it thrashed between lanes and won only about 60% against the strategist). The
score is material from its side: building health weighted by importance (core 8, barracks 2,
towers 1), leaders alive and their health, gold, and the game's end.

The coach is **privileged**: it reads the full state (``view.state``), including the enemy's hidden
units and the random stream, so its results are labelled as such.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shotcaller.bots.base import MatchInfo, Order, TimeBudget
from shotcaller.bots.builtin import Plan, StrategistCoach, plan_orders, plan_words
from shotcaller.sim import layout as L
from shotcaller.sim import step_inplace
from shotcaller.sim.observe import team_view
from shotcaller.sim.state import Arrays, State

BUILDING_WEIGHT = np.ones(L.N_BLD)
BUILDING_WEIGHT[0] = 8.0  # core
BUILDING_WEIGHT[1:4] = 2.0  # barracks


def evaluate(state: State, team: int) -> np.ndarray:
    """Material score of every game of ``state`` from ``team``'s side, shape (B,)."""
    A = state.arrays
    un = A.units
    nb = L.N_BLD
    bhp = np.where(un["alive"][:, : 2 * nb] != 0, un["hp"][:, : 2 * nb] / np.maximum(un["max_hp"][:, : 2 * nb], 1), 0)
    own = (bhp[:, team * nb : (team + 1) * nb] * BUILDING_WEIGHT).sum(1)
    opp = (bhp[:, (1 - team) * nb : (2 - team) * nb] * BUILDING_WEIGHT).sum(1)
    lu = un[:, L.SLOT_LEADER0 : L.SLOT_LEADER0 + 10]
    up = lu["alive"] != 0
    lhp = np.where(up, lu["hp"] / np.maximum(lu["max_hp"], 1), 0.0)
    me, en = slice(team * 5, team * 5 + 5), slice((1 - team) * 5, (1 - team) * 5 + 5)
    leaders = 0.6 * (up[:, me].sum(1) - up[:, en].sum(1)) + 0.3 * (lhp[:, me].sum(1) - lhp[:, en].sum(1))
    gold = (A.leaders["gold"][:, me].sum(1) - A.leaders["gold"][:, en].sum(1)) / 1000.0
    done = A.games["done"] != 0
    won, lost = done & (A.games["winner"] == team), done & (A.games["winner"] == 1 - team)
    end = np.where(won, 100.0, np.where(lost, -100.0, 0.0))
    return own - opp + leaders + gold + end


class SearchCoach(StrategistCoach):
    """The strategist, with each decision checked by simulating the candidates ahead (privileged)."""

    name = "search"
    privileged = True
    # a search decision simulates 7 plans 60 s ahead (50-300 ms on this 2-core machine): more time than
    # the default 100 ms budget, declared so every match gives it the same
    budget = TimeBudget(budget_ms=1000.0, bank_ms=10_000.0)
    every_s = 10.0  # game seconds between searches (the proposal is searched at once when it changes)
    horizon_s = 60.0  # game seconds simulated ahead
    # the modelled enemy decides inside a rollout at the strategist's own cadence: at 4 s (half as often)
    # the rollouts drifted from what the enemy then did, and search beat the strategist 68% of 200 games
    # rather than the ~85% of 80 games it wins with the cadence matched (issue 9, docs/ladder.md)
    model_every_s = StrategistCoach.decide_every_s
    margin = 0.3  # another plan must beat the strategist's proposal by this much
    stick = 1.0  # ... and a plan chosen by search must be beaten by this much to change it

    def reset(self, info: MatchInfo) -> None:
        super().reset(info)
        self.every, self.horizon = info.ticks(self.every_s), info.ticks(self.horizon_s)
        self.model_every = max(1, info.ticks(self.model_every_s))
        self.last: Plan | None = None
        self.enemy_info = MatchInfo(
            seed=info.seed,
            team=1 - info.team,
            draft=info.draft,
            content_version=info.content_version,
            world=info.world,
        )

    def candidates(self, proposed: Plan) -> list[Plan]:
        """The plans to compare: the proposal first, then every push and every defence."""
        return list(dict.fromkeys([proposed, *(("push", k) for k in range(3)), *(("defend", k) for k in range(3))]))

    def rollout(self, state: State, cands: list[Plan]) -> np.ndarray:
        """Play each candidate ``horizon`` ticks ahead on its own clone; their scores."""
        K = len(cands)
        big = State(Arrays(*(np.repeat(a, K, axis=0) for a in state.arrays)), state.world)
        en = 1 - self.team
        enemies = []
        for _ in range(K):
            model = StrategistCoach()
            model.reset(self.enemy_info)
            enemies.append(model)
        rows: list[list[tuple[int, ...]]] = [[(self.team, *o) for o in plan_orders(p)] for p in cands]
        for _ in range(0, self.horizon, self.model_every):
            done = big.arrays.games["done"]
            for k in range(K):
                if not done[k]:
                    rows[k] += [(en, *o) for o in enemies[k].act(team_view(big, en, b=k), self.enemy_info)]
            width = max(1, max(len(r) for r in rows))
            arr = np.zeros((K, width, 5), np.int32)
            for k, r in enumerate(rows):
                if r:
                    arr[k, : len(r)] = r
            step_inplace(big, arr, self.model_every)
            rows = [[] for _ in range(K)]
        return evaluate(big, self.team)

    def act(self, view: Any, info: MatchInfo) -> list[Order]:
        proposed, extra = self.propose(view)
        if view["tick"] % self.every != 0 and proposed == self.last:
            return extra
        self.last = proposed
        cands = self.candidates(proposed)
        if self.plan is not None and self.plan not in cands:
            cands.append(self.plan)
        score = self.rollout(view.state, cands)
        best = int(np.argmax(score))
        if self.plan is not None and self.plan != proposed:
            # already off the strategist's plan: change course only for a clear gain (no thrashing
            # between lanes every search)
            keep = score[cands.index(self.plan)]
            choice = cands[best] if score[best] > keep + self.stick else self.plan
        else:
            choice = cands[best] if score[best] > score[0] + self.margin else proposed
        if choice != self.plan:
            self.plan = choice
            return plan_orders(choice, self.why_search(choice, proposed, cands, score, view)) + extra
        return extra

    def why_search(self, choice: Plan, proposed: Plan, cands: list[Plan], score: np.ndarray, view: Any) -> str:
        """Why the search chose ``choice``: the strategist's reason when it agrees, else the scores."""
        ahead = f"{self.horizon / self.tps:.0f} s ahead"
        got = float(score[cands.index(choice)])
        if choice == proposed:
            best = int(np.argmax(score))
            if cands[best] == choice:
                return f"{self.explain(choice, view)} (search: best of {len(cands)} plans {ahead})"
            return (
                f"{self.explain(choice, view)} (search: {plan_words(cands[best])} {float(score[best]):+.1f} "
                f"is not clearly better than {got:+.1f} {ahead})"
            )
        return (
            f"search: {plan_words(choice)} scores {got:+.1f} {ahead}, "
            f"the strategist's {plan_words(proposed)} {float(score[0]):+.1f}"
        )
