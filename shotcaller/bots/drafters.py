"""Draft bots: pick leaders with a model of what wins, measured on thousands of matches.

The model (:class:`DraftModel`) gives the log-odds that blue wins from the two lineups::

    logit P(blue wins) = bias + sum(strength[h] for h in blue) - sum(strength[h] for h in red)
                       + mid[blue mid] - mid[red mid] + mid_vs[blue mid, red mid]

A team's *mid* is its third pick: the default plan lanes the leaders 2-1-2 in pick order (``idle``
and ``laner`` keep it), so the third pick plays the solo middle lane, where a strong leader matters
more and the two mids face each other (``mid_vs`` is antisymmetric: the counters). For coaches that
move their leaders elsewhere the mid terms mean less; the strengths carry most of the model anyway.

:data:`PICK_TABLE` holds the model fitted on 6000 default-plan matches with random drafts (a ridge
logistic regression, :func:`fit_table`), read once from its data file, ``shotcaller/content/draft_model.toml``
(:data:`DRAFT_MODEL_FILE`; validated on load, a broken file is a ``ContentError`` naming the field).
Cross-validated log loss (5 folds): 0.568, against 0.571 without the mid matchups, 0.580 with strengths
alone and 0.693 for a coin (the file's ``[cv]`` table); strengths span 0.9 log-odds, so under the default
plan the draft decides a good part of the match. Teammate pairs, side-lane matchups and the number of
ranged leaders added little or nothing on top of these terms, so the model leaves them out.

After a change to the game, refit the table (it is measured from the content, so it is not part of
``content.version``; ``tests/test_draft.py`` fails until the file's ``content_version`` matches)::

    python -m shotcaller.bots.drafters fit [--matches 6000] [--workers 1] [--out PATH]

plays the matches with random drafts (seeds 100000 on; chunks kept in the per-user cache, so a stopped
run resumes), fits, cross-validates and writes the file (default: the packaged one); every option is
in :mod:`shotcaller.bots.draft_table`. 6000 matches take 12 to 17 minutes on one
process of the shared 2-core machine (2026-11-30); the fit itself takes seconds.

Checked in play (default plan on both sides, 400 new seeds per line): a greedy-drafting blue beats a
random-drafting red in 85% of matches, a greedy red beats a random blue in 80%. Drafting by strength
alone does as well against random picks (86%, 80%): the mid terms are real in the data but small.
Two greedy drafters always draft the same lineups; blue, with the first pick, wins 69% of those.

With other leaders than the table's (changed content), the model falls back to a stat prior: strength
from damage per second and hits to die, and a preference for 1 to 3 ranged leaders per team. With the
same leaders on other content (the draft view's ``content_version`` is not the table's) the table is
still used. Either way :func:`model_for` warns once (a ``RuntimeWarning`` saying to refit) and the
model's ``source`` says which it is: ``"table"``, ``"stale table"`` or ``"stat prior"``.

Drafters (each returns the leader name; use them in a coach as
``def draft(self, view, info): return greedy_pick(view, info)``):

* :func:`greedy_pick`: the best leader for the slot this pick fills (its strength, plus the mid terms
  for the third pick, countering the enemy's mid when it is already known: red's mid, at step 5,
  always sees blue's, picked at step 4);
* :class:`DraftMixin`: ``class MyCoach(DraftMixin, LanerCoach)`` adds ``draft`` (greedy by default).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from shotcaller.bots.base import Coach, MatchInfo, Order
from shotcaller.bots.draft_table import DRAFT_MODEL_FILE, MID_SLOT, fit_table, load_table, main, measure
from shotcaller.sim.observe import TeamView

#: The measured table, read once from ``shotcaller/content/draft_model.toml`` (:data:`DRAFT_MODEL_FILE`;
#: written by ``python -m shotcaller.bots.drafters fit``): ``leaders``, ``content_version``, ``matches``,
#: ``bias``, ``strength``, ``mid``, ``mid_vs`` (log-odds; lists in ``leaders`` order; ``mid_vs[a][b]``: mid
#: ``a`` against mid ``b``), and how it was measured (``first_seed``, ``ridge``, ``date``, ``cv``).
PICK_TABLE: dict[str, Any] = load_table(DRAFT_MODEL_FILE)

#: :attr:`DraftModel.source`: the table measured on this content, the table measured on other content
#: (same leaders: used, with a warning), or the stat prior (the table does not know these leaders).
SOURCES: tuple[str, ...] = ("table", "stale table", "stat prior")
REFIT = "python -m shotcaller.bots.drafters fit"


@dataclass(frozen=True, eq=False)
class DraftModel:
    """Log-odds terms per leader (hero id order); see the module docstring. ``source`` says where they
    come from: one of :data:`SOURCES`."""

    names: tuple[str, ...]
    strength: np.ndarray  # (10,)
    mid: np.ndarray  # (10,) extra strength in the middle lane
    mid_vs: np.ndarray  # (10, 10) antisymmetric: mid_vs[a, b] = how much mid a beats mid b
    bias: float = 0.0
    ranged: np.ndarray | None = None  # (10,) bool; only the stat prior uses it
    measured: bool = True
    source: str = "table"

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
    def from_table(cls, table: dict[str, Any], names: tuple[str, ...], source: str = "table") -> DraftModel:
        """The model of a measured table, in the order of ``names`` (which must be the table's leaders)."""
        idx = [table["leaders"].index(n) for n in names]
        return cls(
            names=names,
            strength=np.array([table["strength"][i] for i in idx], float),
            mid=np.array([table["mid"][i] for i in idx], float),
            mid_vs=np.array([[table["mid_vs"][i][j] for j in idx] for i in idx], float),
            bias=float(table["bias"]),
            source=source,
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
            source="stat prior",
        )


_MODELS: dict[tuple[int, tuple[str, ...], bool], tuple[dict[str, Any], DraftModel]] = {}
_WARNED: set[tuple[str, ...]] = set()


def _warn_once(key: tuple[str, ...], message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def model_for(view: dict[str, Any], table: dict[str, Any] | None = None) -> DraftModel:
    """The model for this draft's leaders: ``table`` (default :data:`PICK_TABLE`) when it knows them
    all, the stat prior otherwise. When the table was measured on other content than the view's
    ``content_version`` (same leaders), it is still used, as ``source="stale table"``; both fallbacks
    warn once (a :class:`RuntimeWarning` saying how to refit)."""
    table = PICK_TABLE if table is None else table
    names = tuple(p["leader"] for p in view["pool"])
    if not (table and sorted(names) == sorted(table.get("leaders", ()))):
        _warn_once(
            ("prior", *sorted(names)),
            f"the draft model does not know the leaders {', '.join(sorted(names))}: drafting with the stat prior"
            f" (`{REFIT}` measures a table for them)",
        )
        return DraftModel.from_stats(view["pool"])
    fitted, current = table.get("content_version"), view.get("content_version")
    stale = bool(current) and current != fitted
    if stale:
        _warn_once(
            ("stale", str(fitted), str(current)),
            f"the draft model was measured on content {fitted}, this is content {current}: its figures may be"
            f" off (run `{REFIT}`)",
        )
    key = (id(table), names, stale)
    if key not in _MODELS or _MODELS[key][0] is not table:  # the cache keeps its table alive: ids stay unique
        if len(_MODELS) > 32:
            _MODELS.clear()
        _MODELS[key] = (table, DraftModel.from_table(table, names, "stale table" if stale else "table"))
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


__all__ = [
    "PICK_TABLE",
    "DRAFT_MODEL_FILE",
    "DraftModel",
    "DraftMixin",
    "GreedyDrafter",
    "fit_table",
    "greedy_pick",
    "load_table",
    "measure",
    "model_for",
]

if __name__ == "__main__":  # python -m shotcaller.bots.drafters fit [...]: see shotcaller.bots.draft_table
    raise SystemExit(main())
