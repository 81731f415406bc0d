"""Draft bots: pick leaders with a model of what wins, measured on thousands of matches.

The model (:class:`DraftModel`) gives the log-odds that blue wins from the two lineups::

    logit P(blue wins) = bias + sum(strength[h] for h in blue) - sum(strength[h] for h in red)
                       + mid[blue mid] - mid[red mid] + mid_vs[blue mid, red mid]

A team's *mid* is its third pick: the default plan lanes the leaders 2-1-2 in pick order (``idle``
and ``laner`` keep it), so the third pick plays the solo middle lane, where a strong leader matters
more and the two mids face each other (``mid_vs`` is antisymmetric: the counters). For coaches that
move their leaders elsewhere the mid terms mean less; the strengths carry most of the model anyway.

:data:`PICK_TABLE` holds the model fitted on 6000 default-plan matches with random drafts (a ridge
logistic regression, :func:`fit_table`). Cross-validated log loss: 0.569, against 0.571 without the
mid matchups, 0.580 with strengths alone and 0.693 for a coin; strengths span 0.9 log-odds, so under
the default plan the draft decides a good part of the match. Teammate pairs, side-lane matchups and
the number of ranged leaders added little or nothing on top of these terms, so the model leaves them
out. ``python -m shotcaller.bots.drafters [N]`` measures the table afresh (after a content change).

Checked in play (default plan on both sides, 400 new seeds per line): a greedy-drafting blue beats a
random-drafting red in 85% of matches, a greedy red beats a random blue in 80%. Drafting by strength
alone does as well against random picks (86%, 80%): the mid terms are real in the data but small.
Two greedy drafters always draft the same lineups; blue, with the first pick, wins 69% of those.

With other leaders than the table's (changed content), the model falls back to a stat prior: strength
from damage per second and hits to die, and a preference for 1 to 3 ranged leaders per team.

Drafters (each returns the leader name; use them in a coach as
``def draft(self, view, info): return greedy_pick(view, info)``):

* :func:`greedy_pick`: the best leader for the slot this pick fills (its strength, plus the mid terms
  for the third pick, countering the enemy's mid when it is already known: red's mid, at step 5,
  always sees blue's, picked at step 4);
* :class:`DraftMixin`: ``class MyCoach(DraftMixin, LanerCoach)`` adds ``draft`` (greedy by default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from shotcaller.bots.base import Coach, MatchInfo, Order
from shotcaller.sim.layout import DEFAULT_LANES
from shotcaller.sim.observe import TeamView

MID_SLOT = DEFAULT_LANES.index(1)  # the pick that plays the middle lane in the default plan (the third)

#: Fitted by ``fit_table(*measure())``: 6000 matches (seeds 100000..105999), the default plan on both
#: sides, random drafts. Log-odds; lists in ``leaders`` order; ``mid_vs[a][b]``: mid ``a`` against mid ``b``.
#: Fitted on content 7e5c33cd3b1f3c5e; the fortify rules added since (issue 9) change the version but not
#: a default-plan match (no coach, no fortify: the same states, tests/test_state.py), so the fit stands.
PICK_TABLE: dict[str, Any] = {
    "leaders": ["Rollo", "Vesna", "Sylvan", "Raja", "Brakka", "Chiron", "Celsus", "Erno", "SoulsCollector", "Bristle"],
    "content_version": "79e883ed3e3b5604",
    "matches": 6000,
    "bias": -0.0116,
    "strength": [0.1591, 0.389, 0.4182, 0.33, -0.0174, -0.3095, -0.4712, -0.213, -0.4294, 0.1442],
    "mid": [-0.0259, -0.0623, 0.4126, 0.1639, -0.1685, -0.1146, -0.3561, -0.1679, 0.2715, 0.0472],
    "mid_vs": [
        [0.0, 0.0582, 0.0151, -0.1706, -0.1574, -0.1808, 0.3789, -0.2169, 0.1379, 0.1096],  # Rollo
        [-0.0582, 0.0, -0.0324, 0.0031, 0.1889, 0.0248, 0.122, -0.2934, -0.194, 0.177],  # Vesna
        [-0.0151, 0.0324, 0.0, 0.0156, 0.1395, 0.173, 0.0566, -0.0807, 0.2017, -0.1104],  # Sylvan
        [0.1706, -0.0031, -0.0156, 0.0, -0.3351, -0.3477, 0.2138, -0.1892, 0.5135, 0.1567],  # Raja
        [0.1574, -0.1889, -0.1395, 0.3351, 0.0, 0.0954, -0.1206, 0.1021, -0.2951, -0.1143],  # Brakka
        [0.1808, -0.0248, -0.173, 0.3477, -0.0954, 0.0, -0.3457, 0.383, -0.1778, -0.2095],  # Chiron
        [-0.3789, -0.122, -0.0566, -0.2138, 0.1206, 0.3457, 0.0, 0.1993, -0.0959, -0.1545],  # Celsus
        [0.2169, 0.2934, 0.0807, 0.1892, -0.1021, -0.383, -0.1993, 0.0, -0.2719, 0.0082],  # Erno
        [-0.1379, 0.194, -0.2017, -0.5135, 0.2951, 0.1778, 0.0959, 0.2719, 0.0, 0.0899],  # SoulsCollector
        [-0.1096, -0.177, 0.1104, -0.1567, 0.1143, 0.2095, 0.1545, -0.0082, -0.0899, 0.0],  # Bristle
    ],
}


@dataclass(frozen=True, eq=False)
class DraftModel:
    """Log-odds terms per leader (hero id order); see the module docstring."""

    names: tuple[str, ...]
    strength: np.ndarray  # (10,)
    mid: np.ndarray  # (10,) extra strength in the middle lane
    mid_vs: np.ndarray  # (10, 10) antisymmetric: mid_vs[a, b] = how much mid a beats mid b
    bias: float = 0.0
    ranged: np.ndarray | None = None  # (10,) bool; only the stat prior uses it
    measured: bool = True

    def logit(self, blue: list[int], red: list[int]) -> float:
        """Log-odds that blue wins with these lineups (hero ids in pick order)."""
        v = self.bias + float(self.strength[blue].sum() - self.strength[red].sum())
        if len(blue) > MID_SLOT:
            v += float(self.mid[blue[MID_SLOT]])
        if len(red) > MID_SLOT:
            v -= float(self.mid[red[MID_SLOT]])
        if len(blue) > MID_SLOT and len(red) > MID_SLOT:
            v += float(self.mid_vs[blue[MID_SLOT], red[MID_SLOT]])
        return v

    def win_probability(self, blue: list[int], red: list[int]) -> float:
        """P(blue wins) under the model."""
        return 1.0 / (1.0 + math.exp(-self.logit(blue, red)))

    def gain(self, h: int, slot: int, enemy_mid: int = -1) -> float:
        """What picking ``h`` into ``slot`` (0..4) adds to its team's log-odds."""
        v = float(self.strength[h])
        if slot == MID_SLOT:
            v += float(self.mid[h])
            if enemy_mid >= 0:
                v += float(self.mid_vs[h, enemy_mid])
        return v

    @classmethod
    def from_table(cls, table: dict[str, Any], names: tuple[str, ...]) -> DraftModel:
        """The model of a measured table, in the order of ``names`` (which must be the table's leaders)."""
        idx = [table["leaders"].index(n) for n in names]
        return cls(
            names=names,
            strength=np.array([table["strength"][i] for i in idx], float),
            mid=np.array([table["mid"][i] for i in idx], float),
            mid_vs=np.array([[table["mid_vs"][i][j] for j in idx] for i in idx], float),
            bias=float(table["bias"]),
        )

    @classmethod
    def from_stats(cls, pool: list[dict[str, Any]]) -> DraftModel:
        """The stat prior for leaders no table knows: log(damage per second x hits to die), centred,
        times 0.5 (about the spread of the measured strengths)."""
        power = []
        for p in pool:
            s = p["stats"]
            dps = max(1.0, s["attack"] - 3.0) * s["attack_speed"] / 10.0  # against a leader's defense
            hits = s["health"] / max(1.0, 50.0 - s["defense"])  # hits of a leader's attack to die
            power.append(math.log(dps * hits) + (0.1 if p["range"] == "ranged" else 0.0))
        pw = np.array(power)
        n = len(pool)
        return cls(
            names=tuple(p["leader"] for p in pool),
            strength=0.5 * (pw - pw.mean()) / (pw.std() or 1.0),
            mid=np.zeros(n),
            mid_vs=np.zeros((n, n)),
            ranged=np.array([p["range"] == "ranged" for p in pool]),
            measured=False,
        )


_MODELS: dict[tuple[int, tuple[str, ...]], tuple[dict[str, Any], DraftModel]] = {}


def model_for(view: dict[str, Any], table: dict[str, Any] | None = None) -> DraftModel:
    """The model for this draft's leaders: ``table`` (default :data:`PICK_TABLE`) when it knows them
    all, the stat prior otherwise."""
    table = PICK_TABLE if table is None else table
    names = tuple(p["leader"] for p in view["pool"])
    if not (table and sorted(names) == sorted(table.get("leaders", ()))):
        return DraftModel.from_stats(view["pool"])
    key = (id(table), names)
    if key not in _MODELS or _MODELS[key][0] is not table:  # the cache keeps its table alive: ids stay unique
        if len(_MODELS) > 32:
            _MODELS.clear()
        _MODELS[key] = (table, DraftModel.from_table(table, names))
    return _MODELS[key][1]


def _state(view: dict[str, Any], names: tuple[str, ...]) -> tuple[list[int], list[int], int]:
    """(blue picks, red picks, my team) as hero ids in pick order."""
    ids = {n: i for i, n in enumerate(names)}
    blue = [ids[p["leader"]] for p in view["picks"] if p["team"] == "blue"]
    red = [ids[p["leader"]] for p in view["picks"] if p["team"] == "red"]
    return blue, red, 0 if view["you"] == "blue" else 1


def _balance(model: DraftModel, mine: list[int], h: int) -> float:
    """Stat prior only: a small push towards 1..3 ranged leaders per team."""
    if model.measured or model.ranged is None:
        return 0.0
    ranged = sum(bool(model.ranged[x]) for x in mine) + bool(model.ranged[h])
    melee = len(mine) + 1 - ranged
    return -0.3 * (max(0, ranged - 3) + max(0, melee - 4))


def greedy_pick(view: dict[str, Any], info: Any = None, table: dict[str, Any] | None = None) -> str:
    """The available leader that adds the most to the team's log-odds for the slot it fills."""
    model = model_for(view, table)
    blue, red, me = _state(view, model.names)
    mine, theirs = (blue, red) if me == 0 else (red, blue)
    enemy_mid = theirs[MID_SLOT] if len(theirs) > MID_SLOT else -1
    free = [model.names.index(a["leader"]) for a in view["available"]]
    best = max(free, key=lambda h: (model.gain(h, len(mine), enemy_mid) + _balance(model, mine, h), -h))
    return model.names[best]


class DraftMixin:
    """Adds drafting to a coach: ``class MyCoach(DraftMixin, LanerCoach): ...`` (greedy; set
    ``draft_policy`` to another ``(view, info) -> pick`` function to change it)."""

    draft_policy = staticmethod(greedy_pick)

    def draft(self, view: dict[str, Any], info: Any) -> str:
        return self.draft_policy(view, info)


class GreedyDrafter(DraftMixin, Coach):
    """A coach that drafts greedily and gives no orders (the leaders play the default plan)."""

    name = "greedy-draft"

    def act(self, view: TeamView, info: MatchInfo) -> list[Order]:
        return []


# ---------------------------------------------------------------------------------------- measuring
def _pairs(n: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(n) for b in range(a + 1, n)]


def fit_table(drafts: np.ndarray, winners: np.ndarray, names: tuple[str, ...], ridge: float = 10.0) -> dict[str, Any]:
    """Fit the model to finished matches: ``drafts`` (M, 10) hero ids, ``winners`` (M,) 0 blue, 1 red,
    2 draw (counts half). A ridge logistic regression solved by Newton's method."""
    D = np.asarray(drafts, int)
    m, n = len(D), len(names)
    y = np.where(winners == 0, 1.0, np.where(winners == 1, 0.0, 0.5))
    rows = np.arange(m)
    hero = np.zeros((m, n))
    for k in range(5):
        hero[rows, D[:, k]] += 1
        hero[rows, D[:, 5 + k]] -= 1
    mid = np.zeros((m, n))
    mid[rows, D[:, MID_SLOT]] += 1
    mid[rows, D[:, 5 + MID_SLOT]] -= 1
    pairs = _pairs(n)
    bm, rm = D[:, MID_SLOT], D[:, 5 + MID_SLOT]
    vs = np.stack([((bm == a) & (rm == b)).astype(float) - ((bm == b) & (rm == a)) for a, b in pairs], 1)
    X = np.hstack([np.ones((m, 1)), hero, mid, vs])
    lam = np.full(X.shape[1], ridge)
    lam[0] = 0.0
    w = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        grad = X.T @ (p - y) + lam * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(lam) + 1e-9 * np.eye(len(w))
        delta = np.linalg.solve(hess, grad)
        w -= delta
        if np.abs(delta).max() < 1e-10:
            break
    mv = np.zeros((n, n))
    for k, (a, b) in enumerate(pairs):
        mv[a, b], mv[b, a] = w[1 + 2 * n + k], -w[1 + 2 * n + k]
    r = lambda v: round(float(v), 4)  # noqa: E731
    return {
        "leaders": list(names),
        "matches": m,
        "bias": r(w[0]),
        "strength": [r(v) for v in w[1 : 1 + n]],
        "mid": [r(v) for v in w[1 + n : 1 + 2 * n]],
        "mid_vs": [[r(v) for v in row] for row in mv],
    }


def measure(seeds: Any = None, batch: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Play default-plan matches with random drafts to the end; return (drafts, winners)."""
    from shotcaller.content import load_content
    from shotcaller.sim import build_world, new_state, step_inplace

    seeds = np.arange(100_000, 106_000) if seeds is None else np.asarray(seeds)
    world = build_world(load_content())
    drafts, winners = [], []
    for k in range(0, len(seeds), batch):
        state = new_state(world, seeds[k : k + batch])
        while not state.done.all():
            step_inplace(state, None, 2400)
        g = state.arrays.games
        drafts.append(g["draft"].copy())
        winners.append(g["winner"].copy())
    return np.concatenate(drafts), np.concatenate(winners)


if __name__ == "__main__":  # python -m shotcaller.bots.drafters [N]: measure and print a pick table
    import json
    import sys

    from shotcaller.content import load_content

    n_matches = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    d, w = measure(np.arange(100_000, 100_000 + n_matches))
    content = load_content()
    table = fit_table(d, w, content.leader_names)
    table["content_version"] = content.version
    print(json.dumps(table))
