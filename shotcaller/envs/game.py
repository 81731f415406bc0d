"""One match driven one coach decision at a time: the engine under the Gymnasium and PettingZoo adapters.

A :class:`CoachGame` holds one match (B = 1). Each :meth:`CoachGame.decide` takes the choices of the
teams the agent(s) control, advances ``decide_every`` ticks, and asks the scripted opponents (any
coach, through the same :class:`~shotcaller.bots.seat.Seat` a match uses, so a bot that raises or
overruns loses its orders and a recorded fault, never the episode) at their own cadence on the way.
Observations, masks and score features come from the compiled encoders of :mod:`shotcaller.sim.encode`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shotcaller.bots.base import Coach, MatchInfo, TimeBudget, ability, as_coach, declared_budget, fault
from shotcaller.bots.budget import Clock
from shotcaller.bots.seat import DEFAULT_DECIDE_EVERY_S, FaultLog, Seat, cadence, order_event
from shotcaller.sim import State, World, new_state, step_inplace
from shotcaller.sim import encode as E
from shotcaller.sim import layout as L
from shotcaller.sim.observe import team_view

REWARD_TERMS = ("win", "gold", "kills", "buildings", "last_hits")


@dataclass(frozen=True)
class RewardWeights:
    """Weights of the reward terms; each term is the change since the last decision of (own - enemy).

    ``win``: +1 for a win, -1 for a loss, 0 for a draw, once at the end. ``gold``: per 1000 gold earned;
    ``kills``: per enemy leader killed; ``buildings``: per enemy building destroyed; ``last_hits``: per
    10 creeps last-hit. With every shaping weight at 0 the return is the match result alone.
    """

    win: float = 1.0
    gold: float = 0.02
    kills: float = 0.02
    buildings: float = 0.05
    last_hits: float = 0.01

    @classmethod
    def of(cls, value: RewardWeights | dict[str, float] | None) -> RewardWeights:
        """``value`` as weights: None for the defaults, a dict naming some of the terms, or weights."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise TypeError(f"reward weights must be a dict of {', '.join(REWARD_TERMS)}, got {value!r}")
        unknown = sorted(set(value) - set(REWARD_TERMS))
        if unknown:
            raise ValueError(f"unknown reward term(s) {unknown}; the terms are {', '.join(REWARD_TERMS)}")
        for k, v in value.items():
            if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v):
                raise ValueError(f"reward weight {k!r} must be a finite number, got {v!r}")
        return cls(**{k: float(v) for k, v in value.items()})


SCALE = np.array([1000.0, 1.0, 1.0, 10.0])  # units of the shaping terms gold, kills, buildings, last_hits


@dataclass
class Opponent:
    """A scripted coach playing one team of the match."""

    seat: Seat
    every: int  # ticks between its decisions
    info: MatchInfo
    privileged: bool
    shadow: State
    events: list[dict[str, Any]] = field(default_factory=list)


def make_seat(coach: Any, team: int, faults: FaultLog, budget: TimeBudget | None, log_dir: str | None) -> Seat:
    """A seat for ``coach`` on ``team`` with its time budget (``budget``, else the one it declares)."""
    coach = as_coach(coach)
    problems: list[str] = []
    chosen = budget or declared_budget(coach, problems) or TimeBudget()
    self_timed = ability(coach, "times_itself", False, problems) is True
    faults += [fault(0, team, p) for p in problems]
    seat = Seat(coach, team, Clock(chosen), self_timed)
    if self_timed:
        try:
            coach.configure_arena(chosen, log_dir)
        except Exception as e:  # a bot's bug must never stop the episode
            faults.append(fault(0, team, f"configure_arena raised {type(e).__name__}: {e}"))
    return seat


def start_opponent(coach: Any, info: MatchInfo, faults: FaultLog, log_dir: str | None) -> Seat:
    """A seat for ``coach`` on ``info.team``, its coach reset for the match ``info`` describes (a reset
    that raises is a recorded fault, never the episode's end)."""
    seat = make_seat(coach, info.team, faults, None, log_dir)
    try:
        seat.guard(lambda: seat.coach.reset(info))
    except KeyboardInterrupt:
        raise
    except (Exception, SystemExit) as e:  # a bot's bug must never stop the episode
        faults.append(fault(0, info.team, f"reset raised {type(e).__name__}: {e}"))
    return seat


def restart_game(state: State, b: int, seed: int) -> None:
    """Start a new match of ``seed`` in game slot ``b`` of ``state`` (a B=1 reset copied into the batch)."""
    one = new_state(state.world, int(seed))
    for dst, src in zip(state.arrays, one.arrays, strict=True):
        dst[b] = src[0]


def weighted_terms(weights: RewardWeights, d: np.ndarray, win: Any) -> dict[str, Any]:
    """Each reward term, weighted: ``win`` (+1 won, -1 lost, 0 otherwise; a number or an array) and the
    shaping terms from ``d`` (..., 4), the change of (own - enemy) score features."""
    terms = {"win": weights.win * win}
    for k, name in enumerate(REWARD_TERMS[1:]):
        terms[name] = getattr(weights, name) * d[..., k] / SCALE[k]
    return terms


class CoachGame:
    """One match, advanced one decision (``decide_every`` ticks) at a time.

    Args:
        world: the static tables (its ``Params`` set latency, APM, time limit).
        controlled: the teams whose choices :meth:`decide` takes (0 blue, 1 red).
        decide_every: ticks between the agents' decisions.
        weights: reward weights.
    """

    def __init__(self, world: World, controlled: tuple[int, ...], decide_every: int, weights: RewardWeights) -> None:
        self.world = world
        self.controlled = controlled
        self.decide_every = int(decide_every)
        self.weights = weights
        self.table, self.choice_names = E.coach_choices(world.content.item_names)
        self.n_choices = int(self.table.shape[0])
        H, W = world.height, world.width
        self.planes = np.zeros((1, E.N_PLANES, H, W), np.float32)
        self.leaders = np.zeros((1, 10, E.LF), np.float32)
        self.buildings = np.zeros((1, 2 * L.N_BLD, E.BF), np.float32)
        self.scalars = np.zeros((1, E.SF), np.float32)
        self.masks = np.zeros((1, 5, self.n_choices), np.int8)
        self.fortify = np.zeros((1, 2), np.int8)
        self.whole = np.zeros((1, self.n_choices), np.int8)
        self.orders = np.zeros((1, E.N_ACTION, 5), np.int32)
        self.rejected = {t: np.zeros((1, 6), np.int32) for t in (0, 1)}
        self.score = np.zeros((1, 2, len(E.SCORE_FEATURES)), np.float64)
        self.state: State | None = None
        self.opponents: dict[int, Opponent] = {}
        self.faults = FaultLog()
        self.last_rejected: dict[int, list[dict[str, Any]]] = {0: [], 1: []}

    # ------------------------------------------------------------------ episode
    def reset(self, seed: int, draft: list[int] | None, opponents: dict[int, Coach], log_dir: str | None) -> None:
        """Start a new match from ``seed``; ``opponents`` maps each team not controlled to its coach."""
        drafts = np.array([draft if draft is not None else [-1] * 10], np.int8)
        self.state = st = new_state(self.world, int(seed), drafts)
        self.faults = FaultLog()
        self.opponents = {}
        hero_draft = [int(h) for h in st.arrays.games["draft"][0]]
        for team, coach in opponents.items():
            info = MatchInfo(
                seed=int(seed),
                team=team,
                draft=hero_draft,
                content_version=self.world.content.version,
                world=self.world,
            )
            seat = start_opponent(coach, info, self.faults, log_dir)
            every = cadence(seat, DEFAULT_DECIDE_EVERY_S, self.world, self.faults)
            problems: list[str] = []
            privileged = ability(seat.coach, "privileged", False, problems) is True
            self.faults += [fault(0, team, p) for p in problems]
            self.opponents[team] = Opponent(seat, every, info, privileged, st.copy())
        for t in (0, 1):
            self.rejected[t][:] = 0
            self.last_rejected[t] = []
        E.score_features(st.arrays, self.score)

    def close_opponents(self) -> None:
        """Let the scripted coaches release their resources (processes, files)."""
        tick = self.tick
        for team, op in self.opponents.items():
            try:
                op.seat.coach.close()
            except Exception as e:  # never lose the episode to a bot's clean-up
                self.faults.append(fault(tick, team, f"close raised {e!r}"))
        self.opponents = {}

    @property
    def tick(self) -> int:
        return 0 if self.state is None else int(self.state.arrays.games["tick"][0])

    @property
    def done(self) -> bool:
        return self.state is not None and bool(self.state.arrays.games["done"][0])

    @property
    def winner(self) -> int:
        """0 blue, 1 red, 2 draw; -1 while the match runs."""
        return int(self.live.arrays.games["winner"][0]) if self.done else -1

    @property
    def live(self) -> State:
        if self.state is None:
            raise RuntimeError("the environment must be reset before it is stepped")
        return self.state

    # ------------------------------------------------------------------ one decision
    def order_rows(self, team: int, choices: np.ndarray) -> list[list[int]]:
        """The engine's order rows for ``team``'s choices (5 leader rows, fortify 0/1, the whole-team row),
        in the order they are given: the whole-team order, the leaders' own, fortify."""
        acts = np.asarray(choices, np.int64).reshape(1, E.N_ACTION)
        E.coach_orders(
            self.live.arrays, team, self.table, acts[:, :5], acts[:, E.ACT_FORTIFY], acts[:, E.ACT_WHOLE], self.orders
        )
        return [list(map(int, r)) for r in self.orders[0] if r[2] != L.O_NONE]

    def decide(self, choices: dict[int, np.ndarray]) -> None:
        """Give the controlled teams' choices now and advance ``decide_every`` ticks (less when the match
        ends); the opponents decide at their own cadence on the way."""
        st = self.live
        A = st.arrays
        first = [row for team in self.controlled for row in self.order_rows(team, choices[team])]
        for t in (0, 1):
            self.rejected[t][:] = 0
            self.last_rejected[t] = []
        end = self.tick + self.decide_every
        submitted = False
        while not A.games["done"][0] and self.tick < end:
            now = self.tick
            rows = [] if submitted else list(first)
            for team, op in self.opponents.items():
                if now % op.every == 0:
                    rows += self._ask(team, op, now)
            nxt = end
            for op in self.opponents.values():
                nxt = min(nxt, (now // op.every + 1) * op.every)
            ev = step_inplace(st, np.array([rows], np.int32) if rows else None, nxt - now)
            if not submitted:
                for t in self.controlled:
                    E.rejections(A, t, self.rejected[t])
                submitted = True
            for row in ev.of(0):
                kind = int(row[1])
                if kind in (L.E_ORDER_OK, L.E_ORDER_REJECTED, L.E_ORDER_APPLIED):
                    team = int(row[2])
                    if team in self.opponents:
                        self.opponents[team].events.append(order_event(row))
                    elif team in self.controlled and kind == L.E_ORDER_REJECTED:
                        self.last_rejected[team].append(order_event(row))

    def _ask(self, team: int, op: Opponent, now: int) -> list[list[int]]:
        st = self.live
        st.copy_into(op.shadow)  # the coach reads (and may scribble on) its own copy
        view = team_view(op.shadow, team, privileged=op.privileged)
        view["events"] = op.events
        op.events = []
        rows = [row for row, _why in op.seat.ask(view, op.info, now, self.faults)]
        view.expire()
        return rows

    # ------------------------------------------------------------------ what the agents read
    def observe(self, team: int, with_mask: bool = False) -> dict[str, Any]:
        """Team ``team``'s observation (fresh arrays); ``with_mask`` adds ``action_mask`` (:meth:`mask_tuple`)."""
        A = self.live.arrays
        E.coach_obs(
            A, self.world.rec, team, self.rejected[team], self.planes, self.leaders, self.buildings, self.scalars
        )
        obs: dict[str, Any] = {
            "planes": self.planes[0].copy(),
            "leaders": self.leaders[0].copy(),
            "buildings": self.buildings[0].copy(),
            "scalars": self.scalars[0].copy(),
        }
        if with_mask:
            obs["action_mask"] = self.mask_tuple(team)
        return obs

    def mask_tuple(self, team: int) -> tuple[np.ndarray, ...]:
        """The action mask as ``MultiDiscrete.sample(mask=)`` takes it: five (N,) int8 arrays, (2,) and (N,)."""
        flat = self.action_mask(team)
        return tuple(flat[lo:hi].copy() for lo, hi in E.mask_offsets(self.n_choices))

    def action_mask(self, team: int) -> np.ndarray:
        """(6 * N + 2,) int8: each leader's allowed choices, the fortify choice (no, yes), then the
        whole-team order's."""
        if self.done:
            return E.idle_mask(self.n_choices)  # only "no new order" once it is over
        E.coach_masks(self.live.arrays, self.world.rec, team, self.table, self.masks, self.fortify, self.whole)
        return np.concatenate([self.masks[0].reshape(-1), self.fortify[0], self.whole[0]])

    def reward(self, team: int, before: np.ndarray) -> tuple[float, dict[str, float]]:
        """The reward of ``team`` since the score features ``before`` (B, 2, F) and each weighted term."""
        after = self.score
        E.score_features(self.live.arrays, after)
        d = (after[0, team] - before[0, team]) - (after[0, 1 - team] - before[0, 1 - team])
        win = self.winner
        outcome = 0.0 if not self.done or win == 2 else 1.0 if win == team else -1.0
        terms = {k: float(v) for k, v in weighted_terms(self.weights, d, outcome).items()}
        return float(sum(terms.values())), terms

    def snapshot_score(self) -> np.ndarray:
        """A copy of the score features now (pass it to :meth:`reward` after :meth:`decide`)."""
        E.score_features(self.live.arrays, self.score)
        return self.score.copy()

    def result(self) -> dict[str, Any]:
        """The match's result record once it is over (winner, end reason, stats)."""
        from shotcaller.sim.result import match_result

        return match_result(self.live)
