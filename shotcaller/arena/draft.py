"""The draft (docs/design.md section 9): the teams pick 5 of the 10 leaders, A-B-B-A-A-B-B-A-A-B, A = blue.

:func:`run_draft` asks each coach that drafts for its team's picks and picks at random for a coach
that does not. A coach drafts when it has a ``draft(view, info) -> int | str`` method (the hero id or
the leader name), unless it also has ``wants_draft(info) -> bool`` and that says no (the JSON-lines
coach asks its program in a handshake, see ``docs/bot_protocol.md``).

The view a drafter gets (a JSON-ready dict, built afresh for every pick):

* ``step``: 0..9, the pick being made; ``order``: the ten steps as ``"blue"``/``"red"``; ``you``: the
  side picking now; ``content_version``;
* ``picks``: the picks so far, ``{"team", "leader", "hero"}`` in pick order; ``my_picks`` and
  ``enemy_picks``: the leader names each side holds; ``available``: ``{"hero", "leader"}`` still free;
* ``pool``: all ten leaders as in ``leaders.toml``: ``hero``, ``leader``, ``range`` (``"melee"`` or
  ``"ranged"``), ``stats`` (health, attack, defense, attack_speed, range in tiles, refill_per_s), ``skills``
  (two names), ``build`` (item names); ``skills``: each skill's parameters as in ``skills.toml``.

A bad answer (the method raises, a remote bot times out, an unknown or already-taken leader, anything
but an int or a str) is appended to ``faults`` as ``{"tick": 0, "team", "reason": "draft: ..."}`` and
replaced by a random pick; the draft never fails. Random picks come from a NumPy generator seeded with
``[seed, DRAFT_STREAM]`` that draws once per step whoever picks, so they are deterministic per seed.

When neither coach drafts, :func:`run_draft` returns ``None``: the match then keeps the simulation's
own random draft (``new_state`` with -1), so matches, replays and tests from before drafting existed
are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shotcaller.bots.base import CoachLike, DraftInfo, as_coach, fault
from shotcaller.content import Content
from shotcaller.content.loader import SKILL_KEYS, SKILL_NAMES, STAT_KEYS
from shotcaller.sim.layout import DRAFT_ORDER

#: Mixed into the seed of the host's random picks, so they are a stream of their own.
DRAFT_STREAM = 0x0D2AF7
SIDES = ("blue", "red")


def _num(v: Any) -> float | int:
    f = round(float(v), 6)
    return int(f) if f.is_integer() else f


def leader_pool(content: Content) -> list[dict[str, Any]]:
    """The ten leaders' static data (what ``leaders.toml`` says, with the unit defaults filled in)."""
    out = []
    for h, name in enumerate(content.leader_names):
        out.append(
            {
                "hero": h,
                "leader": name,
                "range": "ranged" if content.leader_ranged[h] else "melee",
                "stats": {k: _num(v) for k, v in zip(STAT_KEYS, content.leader_stats[h], strict=True)},
                "skills": [SKILL_NAMES[int(s)] for s in content.leader_skills[h]],
                "build": [content.item_names[int(i)] for i in content.leader_build[h] if i >= 0],
            }
        )
    return out


def skill_table(content: Content) -> dict[str, dict[str, float | int]]:
    """Each skill's parameters, keys it does not use left out (as in ``skills.toml``)."""
    return {
        name: {k: _num(v) for k, v in zip(SKILL_KEYS, content.skill_params[i], strict=True) if v != 0}
        for i, name in enumerate(SKILL_NAMES)
    }


def draft_view(content: Content, picks: list[int]) -> dict[str, Any]:
    """The view of the side picking at step ``len(picks)``, given the hero ids picked so far."""
    step = len(picks)
    team = DRAFT_ORDER[step]
    names = content.leader_names
    teams = [DRAFT_ORDER[k] for k in range(step)]
    return {
        "step": step,
        "content_version": content.version,
        "order": [SIDES[t] for t in DRAFT_ORDER],
        "you": SIDES[team],
        "picks": [{"team": SIDES[t], "leader": names[h], "hero": h} for t, h in zip(teams, picks, strict=True)],
        "my_picks": [names[h] for t, h in zip(teams, picks, strict=True) if t == team],
        "enemy_picks": [names[h] for t, h in zip(teams, picks, strict=True) if t != team],
        "available": [{"hero": h, "leader": names[h]} for h in range(len(names)) if h not in picks],
        "pool": leader_pool(content),
        "skills": skill_table(content),
    }


class BadPick(ValueError):
    """A draft answer that cannot be used."""


def parse_pick(answer: Any, content: Content, taken: list[int]) -> int:
    """The hero id a drafter's answer names: an int 0..9 or a leader name (any case)."""
    names = content.leader_names
    if isinstance(answer, bool) or not isinstance(answer, int | np.integer | str):
        raise BadPick(f"expected a hero id or a leader name, got {type(answer).__name__} {answer!r}")
    if isinstance(answer, str):
        try:
            h = content.leader_id(answer)
        except KeyError:
            raise BadPick(f"unknown leader {answer!r}") from None
    else:
        h = int(answer)
        if not 0 <= h < len(names):
            raise BadPick(f"hero id {h} is out of range 0..{len(names) - 1}")
    if h in taken:
        raise BadPick(f"{names[h]} is already taken")
    return h


def coach_drafts(coach: CoachLike, info: DraftInfo, faults: list[dict[str, Any]]) -> bool:
    """Whether ``coach`` drafts this match: its ``wants_draft(info)`` (by default, whether it has a
    ``draft`` method). A ``wants_draft`` that raises is a fault and means no."""
    try:
        return bool(as_coach(coach).wants_draft(info))
    except Exception as e:  # a bot's bug must never stop the match
        faults.append(fault(0, info.team, f"draft: wants_draft raised {type(e).__name__}: {e}"))
        return False


class Draft:
    """The draft a pick at a time, for a frontend where a person picks (the terminal game's draft
    screen); :func:`run_draft` runs it to the end between two coaches.

    ``fallback`` is the random pick of the current step, drawn from the seeded stream once per step
    whoever picks, so every draft of one seed shares its random picks.
    """

    def __init__(self, seed: int, content: Content) -> None:
        self.seed = int(seed)
        self.content = content
        self.picks: list[int] = []
        self._rng = np.random.default_rng([int(seed) % 2**64, DRAFT_STREAM])
        self.fallback = self._draw()

    def _draw(self) -> int:
        u = self._rng.random()  # drawn at every step, so one bad answer does not shift later random picks
        free = self.available
        return free[int(u * len(free))]

    @property
    def done(self) -> bool:
        return len(self.picks) == len(DRAFT_ORDER)

    @property
    def team(self) -> int:
        """The team picking now (0 blue, 1 red)."""
        return DRAFT_ORDER[len(self.picks)]

    @property
    def available(self) -> list[int]:
        """Hero ids still free."""
        return [h for h in range(len(self.content.leader_names)) if h not in self.picks]

    def view(self) -> dict[str, Any]:
        """The drafter's view of the current step (:func:`draft_view`)."""
        return draft_view(self.content, self.picks)

    def pick(self, answer: Any) -> int:
        """Take the current step's pick: a hero id or a leader name; raises :class:`BadPick`."""
        h = parse_pick(answer, self.content, self.picks)
        self.picks.append(h)
        if not self.done:
            self.fallback = self._draw()
        return h

    def ask(
        self,
        coach: CoachLike,
        info: DraftInfo,
        faults: list[dict[str, Any]],
        guard: Callable[[Callable[[], Any]], Any] | None = None,
    ) -> int:
        """Ask ``coach`` for the current pick and take it; a bad answer is a fault and the random pick."""
        step, team, names = len(self.picks), self.team, self.content.leader_names
        view = self.view()  # afresh: a coach that edits its view changes nothing
        why = ""
        try:
            ask = lambda: as_coach(coach).draft(view, info)  # noqa: E731
            return self.pick(guard(ask) if guard else ask())
        except BadPick as e:
            why = str(e)
        except KeyboardInterrupt:
            raise
        except (Exception, SystemExit) as e:  # a bot's bug (or a remote bot's fault) must never stop the match
            why = f"raised {type(e).__name__}: {e}"
        h = self.fallback
        faults.append(fault(0, team, f"draft: pick {step + 1}: {why}; picked {names[h]} at random"))
        return self.pick(h)

    def lineup(self) -> list[int]:
        """The 10 hero ids in the simulation's layout (blue's five in pick order, then red's)."""
        return [h for t in (0, 1) for h, tt in zip(self.picks, DRAFT_ORDER, strict=True) if tt == t]


def run_draft(
    blue: CoachLike,
    red: CoachLike,
    seed: int,
    content: Content,
    faults: list[dict[str, Any]] | None = None,
    guards: list[Callable[[Callable[[], Any]], Any]] | None = None,
) -> list[int] | None:
    """Run the draft between two coaches.

    Returns the 10 hero ids in the simulation's layout (blue's five in pick order, then red's), ready
    for ``new_state(world, seed, np.array([draft], np.int8))``, or ``None`` when neither coach drafts
    (then pass no draft and the simulation draws its own random one, as before drafting existed).
    Bad answers are appended to ``faults`` and replaced by random picks. ``guards`` (blue's, red's) run
    each pick call on the coach's time budget (the match passes its clocks; an overrun raises and is a
    bad answer).
    """
    if faults is None:
        faults = []
    coaches = (as_coach(blue), as_coach(red))
    infos = [DraftInfo(seed=int(seed), team=t, content_version=content.version, content=content) for t in (0, 1)]
    drafting = [coach_drafts(coaches[t], infos[t], faults) for t in (0, 1)]
    if not any(drafting):
        return None
    d = Draft(seed, content)
    while not d.done:
        team = d.team
        if drafting[team]:
            d.ask(coaches[team], infos[team], faults, guards[team] if guards else None)
        else:
            d.pick(d.fallback)
    return d.lineup()
