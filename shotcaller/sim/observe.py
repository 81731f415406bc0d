"""Observation builders: pure functions of a state.

* :func:`team_view` is what a coach sees: its own units, the enemy units its team currently sees,
  and every building (enemy ones as last seen). Fog-of-war is exact: nothing else leaks.
* :func:`full_view` is the whole state (for viewers, replays and privileged bots).

Both are JSON-ready: ``full_view`` is a plain dict; ``team_view`` is a :class:`TeamView`, a read-mostly
mapping with the same keys whose sections are built from the arrays on first access, so a coach
pays only for what it reads (a coach that reads nothing costs nothing). ``dict(view)`` or
:meth:`TeamView.to_dict` gives the plain dict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from shotcaller.sim.layout import (
    KIND_NAMES,
    M_CHANNEL,
    M_RETREAT,
    N_BLD,
    ORDER_NAMES,
    SLOT_LEADER0,
    STANCE_NAMES,
    TEAM_NAMES,
)
from shotcaller.sim.state import State

MODE_NAMES = {M_RETREAT: "retreat", M_CHANNEL: "channel"}


def _leaders(state: State, b: int, lis: list[int], full: bool) -> list[dict[str, Any]]:
    """Leader records for leader indices ``lis`` of game ``b`` (each record read once as a tuple)."""
    if not lis:
        return []
    A = state.arrays
    c = state.world.content
    lf = _field_index(A.leaders.dtype)
    uf = _field_index(A.units.dtype)
    lrec = A.leaders[b][lis].tolist()
    urec = A.units[b][[SLOT_LEADER0 + li for li in lis]].tolist()
    out = []
    for li, ld, un in zip(lis, lrec, urec, strict=True):
        out.append(
            {
                "id": f"{TEAM_NAMES[li // 5]}_{li % 5}",
                "index": li,
                "slot": SLOT_LEADER0 + li,
                "leader": c.leader_names[ld[lf["hero"]]],
                "alive": bool(un[uf["alive"]]),
                "x": un[uf["x"]],
                "y": un[uf["y"]],
                "hp": round(un[uf["hp"]], 1),
                "max_hp": round(un[uf["max_hp"]], 1),
            }
        )
    if not full:
        return out
    t = int(A.games[b]["tick"])
    inv = A.games["inv"][b][lis].tolist()
    buyq = A.games["buyq"][b][lis].tolist()
    item = c.item_names
    for d, ld, un, iv, bq in zip(out, lrec, urec, inv, buyq, strict=True):
        d.update(
            {
                "gold": round(ld[lf["gold"]], 1),
                "items": [item[i] for i in iv if i >= 0],
                "queued": [item[i] for i in bq if i >= 0],
                "order": ORDER_NAMES[ld[lf["order"]]],
                "order_args": [ld[lf["order_a"]], ld[lf["order_b"]]],
                "micro": ORDER_NAMES[ld[lf["micro"]]],
                "stance": STANCE_NAMES[ld[lf["stance"]]],
                "profile": c.profile_names[ld[lf["profile"]]],
                "mode": MODE_NAMES.get(ld[lf["mode"]], "normal"),
                "respawn_in": 0 if d["alive"] else max(0, ld[lf["respawn_at"]] - t),
                "teleport_ready_in": max(0, ld[lf["teleport_ready_at"]] - t),
                "kills": ld[lf["kills"]],
                "deaths": ld[lf["deaths"]],
                "last_hits": ld[lf["last_hits"]],
                "attack": round(un[uf["atk"]], 1),
                "defense": round(un[uf["dfn"]], 1),
                "target": un[uf["target"]],
            }
        )
    return out


_FIELDS: dict[np.dtype, dict[str, int]] = {}


def _field_index(dt: np.dtype) -> dict[str, int]:
    """Position of each field of a structured dtype in the tuples ``tolist`` returns."""
    hit = _FIELDS.get(dt)
    if hit is None:
        hit = _FIELDS[dt] = {n: i for i, n in enumerate(dt.names or ())}
    return hit


_STATIC: dict[int, tuple[Any, list[dict[str, Any]]]] = {}


def _building_templates(state: State) -> list[dict[str, Any]]:
    """The fixed part of each building record (slot, team, kind, lane, position), once per world."""
    w = state.world
    hit = _STATIC.get(id(w))
    if hit is None or hit[0] is not w:
        un = state.arrays.units[0][: 2 * N_BLD]
        cols = [un[f].tolist() for f in ("team", "kind", "lane", "x", "y")]
        rows = zip(*cols, strict=True)
        tmpl = [
            {"slot": s, "team": TEAM_NAMES[t], "kind": KIND_NAMES[k], "lane": ln, "x": x, "y": y}
            for s, (t, k, ln, x, y) in enumerate(rows)
        ]
        if len(_STATIC) > 16:
            _STATIC.clear()
        hit = _STATIC[id(w)] = (w, tmpl)
    return hit[1]


def _known_buildings(state: State, b: int, team: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 26 buildings as team ``team`` knows them: (seen now, health, alive); its own and the
    enemy ones it sees exactly, the others as last seen."""
    A = state.arrays
    bu = A.units[b, : 2 * N_BLD]
    seen = (bu["team"] == team) | A.games["vis"][b, team, : 2 * N_BLD].astype(bool)
    hp = np.where(seen, bu["hp"], A.games["seen_hp"][b, team])
    return seen, hp, np.where(seen, bu["alive"].astype(bool), hp > 0)


def _buildings(state: State, b: int, team: int | None) -> list[dict[str, Any]]:
    """All 26 buildings of game ``b``: exact when ``team`` is None, else as team ``team`` knows them
    (its own exactly, enemy ones as last seen, with ``visible``)."""
    A = state.arrays
    un = A.units[b][: 2 * N_BLD]
    tmpl = _building_templates(state)
    inv = un["invuln"].astype(bool).tolist()
    hp = un["hp"]
    alive = un["alive"].astype(bool)
    if team is None:
        return [
            {**d, "hp": h, "alive": a, "invulnerable": i}
            for d, h, a, i in zip(tmpl, np.round(hp.astype(np.float64), 1).tolist(), alive.tolist(), inv, strict=True)
        ]
    seen, known, known_alive = _known_buildings(state, b, team)
    return [
        {**d, "hp": h, "alive": a, "invulnerable": i, "visible": v}
        for d, h, a, i, v in zip(
            tmpl, np.round(known.astype(np.float64), 1).tolist(), known_alive.tolist(), inv, seen.tolist(), strict=True
        )
    ]


def _unit_rows(state: State, b: int, mask: np.ndarray) -> np.ndarray:
    un = state.arrays.units[b]
    idx = np.flatnonzero(mask)
    rows = np.empty((idx.shape[0], 7), np.int64)
    rows[:, 0] = idx
    for k, f in enumerate(("kind", "team", "x", "y"), start=1):
        rows[:, k] = un[f][idx]
    rows[:, 5] = np.round(un["hp"][idx])
    rows[:, 6] = np.round(un["max_hp"][idx])
    return rows


def _units(state: State, b: int, mask: np.ndarray) -> list[list[int]]:
    return _unit_rows(state, b, mask).tolist()


def _team_mask(state: State, b: int, team: int) -> np.ndarray:
    un = state.arrays.units[b]
    n = un.shape[0]
    vis = state.arrays.games["vis"][b, team].astype(bool)
    slot = np.arange(n)
    mobile = (slot >= 2 * N_BLD) & ((slot < SLOT_LEADER0) | (slot >= SLOT_LEADER0 + 10))
    return un["alive"].astype(bool) & mobile & ((un["team"] == team) | vis)


def _team_units(state: State, b: int, team: int) -> list[list[int]]:
    return _units(state, b, _team_mask(state, b, team))


def _enemies_seen(state: State, b: int, team: int) -> np.ndarray:
    """(5,) bool: which enemy leaders team ``team`` sees alive now."""
    s0 = SLOT_LEADER0 + (1 - team) * 5
    alive = state.arrays.units[b, s0 : s0 + 5]["alive"].astype(bool)
    return alive & state.arrays.games["vis"][b, team, s0 : s0 + 5].astype(bool)


def _enemy_leaders(state: State, b: int, team: int) -> list[dict[str, Any]]:
    seen = np.flatnonzero(_enemies_seen(state, b, team))
    return _leaders(state, b, [(1 - team) * 5 + int(i) for i in seen], full=False)


def _arr_leaders(state: State, b: int, team: int) -> dict[str, np.ndarray]:
    A = state.arrays
    t = int(A.games["tick"][b])
    lo = team * 5
    ld = A.leaders[b, lo : lo + 5]
    un = A.units[b, SLOT_LEADER0 + lo : SLOT_LEADER0 + lo + 5]
    alive = un["alive"].astype(bool)
    return {
        "alive": alive,
        "x": un["x"].astype(np.int32),
        "y": un["y"].astype(np.int32),
        "hp": un["hp"].astype(np.float32),
        "max_hp": un["max_hp"].astype(np.float32),
        "gold": ld["gold"].astype(np.float32),
        "mode": ld["mode"].astype(np.int32),
        "order": ld["order"].astype(np.int32),
        "n_items": (A.games["inv"][b, lo : lo + 5] >= 0).sum(axis=1),
        "n_queued": (A.games["buyq"][b, lo : lo + 5] >= 0).sum(axis=1),
        "respawn_in": np.where(alive, 0, np.maximum(0, ld["respawn_at"] - t)),
        "teleport_ready_in": np.maximum(0, ld["teleport_ready_at"] - t),
        "hero": ld["hero"].astype(np.int32),
        "profile": ld["profile"].astype(np.int32),
    }


def _arr_enemy_leaders(state: State, b: int, team: int) -> dict[str, np.ndarray]:
    s0 = SLOT_LEADER0 + (1 - team) * 5
    eu = state.arrays.units[b, s0 : s0 + 5]
    seen = _enemies_seen(state, b, team)
    out = {"visible": seen}
    for f in ("x", "y"):
        out[f] = np.where(seen, eu[f], 0).astype(np.int32)
    for f in ("hp", "max_hp"):
        out[f] = np.where(seen, eu[f], 0).astype(np.float32)
    return out


def _arr_buildings(state: State, b: int, team: int) -> dict[str, np.ndarray]:
    bu = state.arrays.units[b, : 2 * N_BLD]
    seen, hp, alive = _known_buildings(state, b, team)
    return {
        "team": bu["team"].astype(np.int32),
        "kind": bu["kind"].astype(np.int32),
        "lane": bu["lane"].astype(np.int32),
        "x": bu["x"].astype(np.int32),
        "y": bu["y"].astype(np.int32),
        "hp": hp.astype(np.float32),
        "alive": alive,
        "visible": seen,
    }


def _fortify_ticks(state: State, b: int, team: int) -> tuple[int, int, int]:
    """(ticks until ``team``'s next fortify may take effect, ticks its buildings stay fortified, ticks the
    enemy's stay fortified); 0 for "ready" and "not fortified"."""
    A = state.arrays
    t = int(A.games["tick"][b])
    own, enemy = A.teams[b, team], A.teams[b, 1 - team]
    return (
        max(0, int(own["fortify_ready_at"]) - t),
        max(0, int(own["fortify_until"]) - t),
        max(0, int(enemy["fortify_until"]) - t),
    )


def _fortify(state: State, b: int, team: int) -> dict[str, Any]:
    ready_in, active_for, enemy_for = _fortify_ticks(state, b, team)
    return {"ready_in": ready_in, "active_for": active_for, "enemy_fortified": enemy_for > 0}


def _arr_fortify(state: State, b: int, team: int) -> dict[str, np.ndarray]:
    ready_in, active_for, enemy_for = _fortify_ticks(state, b, team)
    return {
        "ready_in": np.array(ready_in, np.int32),
        "active_for": np.array(active_for, np.int32),
        "enemy_fortified": np.array(enemy_for > 0),
    }


class _Sections(Mapping[str, Any]):
    """A mapping whose ``SECTIONS`` are built from the state on first read, then kept."""

    __slots__ = ("_data", "_state", "_b", "_team", "_tick")
    SECTIONS: dict[str, Callable[[State, int, int], Any]] = {}

    def __init__(self, state: State, team: int, b: int, tick: int) -> None:
        self._data: dict[str, Any] = {}
        self._state: State | None = state
        self._b, self._team, self._tick = b, team, tick

    def _live(self) -> State:
        st = self._state
        if st is None or int(st.arrays.games["tick"][self._b]) != self._tick:
            raise RuntimeError(
                f"view of tick {self._tick} read after the game moved on; "
                "call view.keep() during act() to keep it, or copy what you need"
            )
        return st

    def _source(self) -> tuple[State, int, int]:
        """(live state, game, team) the sections are built from."""
        return self._live(), self._b, self._team

    def _build_all(self) -> None:
        """Build every section and stop reading the state."""
        if self._state is not None:
            for k in self.SECTIONS:
                self[k]
            self._state = None

    def __getitem__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            pass
        build = self.SECTIONS.get(key)
        if build is None:
            raise KeyError(key)
        val = self._data[key] = build(*self._source())
        return val

    def _keys(self) -> list[str]:
        return list(self._data) + [k for k in self.SECTIONS if k not in self._data]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


class ViewArrays(_Sections):
    """The numpy form of a :class:`TeamView`, section by section on first read (see ``TeamView.arrays``)."""

    __slots__ = ()

    SECTIONS: dict[str, Callable[[State, int, int], Any]] = {
        "leaders": _arr_leaders,
        "enemy_leaders": _arr_enemy_leaders,
        "buildings": _arr_buildings,
        "units": lambda st, b, t: _unit_rows(st, b, _team_mask(st, b, t)),
        "fortify": _arr_fortify,
    }


class TeamView(_Sections):
    """What one team sees of one game at one tick: a mapping built section by section on access.

    Keys: ``tick``, ``team``, ``privileged`` (False), ``leaders`` (own, full detail),
    ``enemy_leaders`` (visible ones, position and health), ``units`` (rows
    ``[slot, kind, team, x, y, hp, max_hp]`` of own and visible enemy mobile units), ``buildings``
    (all 26, enemy ones as last seen), ``lane_front`` (own creep front per lane as a lane-path index,
    -1 when the lane has no creeps), ``fortify`` (``ready_in``: ticks until the team's next fortify may
    take effect, ``active_for``: ticks its buildings stay fortified, ``enemy_fortified``: whether the
    enemy's buildings are fortified now), plus whatever the match adds (``events``).

    A view reads the state lazily, so it is valid during the coach's decision only: the match calls
    :meth:`expire` when ``act`` returns. A coach that wants the view later calls :meth:`keep` during
    ``act`` (every section is built then, and the view becomes a snapshot); a view read after it expired
    raises instead of returning wrong data.
    """

    __slots__ = ("_arrays", "_privileged")

    SECTIONS: dict[str, Callable[[State, int, int], Any]] = {
        "leaders": lambda st, b, t: _leaders(st, b, list(range(t * 5, t * 5 + 5)), full=True),
        "enemy_leaders": _enemy_leaders,
        "units": _team_units,
        "buildings": lambda st, b, t: _buildings(st, b, t),
        "lane_front": lambda st, b, t: st.arrays.games["front"][b, t].tolist(),
        "fortify": _fortify,
    }

    def __init__(self, state: State, team: int, b: int = 0, privileged: bool = False) -> None:
        tick = int(state.arrays.games["tick"][b])
        super().__init__(state, team, b, tick)
        self._data.update({"tick": tick, "team": TEAM_NAMES[team], "privileged": privileged})
        self._privileged = privileged
        self._arrays: ViewArrays | None = None

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._data or key in self.SECTIONS

    @property
    def arrays(self) -> ViewArrays:
        """The same observation as numpy columns, the fast path for Python bots (not part of JSON).

        ``leaders``: own five, index = leader argument of orders; columns ``alive`` (bool), ``x``,
        ``y``, ``hp``, ``max_hp``, ``gold``, ``mode`` (0 normal, 1 retreat, 2 channel), ``order``,
        ``n_items``, ``n_queued``, ``respawn_in``, ``teleport_ready_in``, ``hero``, ``profile``.
        ``enemy_leaders``: the five enemies; ``visible`` (bool, alive and seen now), ``x``, ``y``,
        ``hp``, ``max_hp`` (only meaningful where visible; zero elsewhere).
        ``buildings``: all 26 by slot as the team knows them; ``team`` (0 blue, 1 red), ``kind``
        (5 tower, 6 barracks, 7 core), ``lane``, ``x``, ``y``, ``hp``, ``alive`` (bool), ``visible``.
        ``units``: the ``units`` rows as an (n, 7) int array.
        ``fortify``: 0-d arrays ``ready_in``, ``active_for`` (int32 ticks) and ``enemy_fortified`` (bool),
        as in the ``fortify`` section.
        """
        if self._arrays is None:
            self._arrays = ViewArrays(self._live(), self._team, self._b, self._tick)
        return self._arrays

    @property
    def state(self) -> State:
        """A copy of the whole state, for privileged coaches only (search bots simulate ahead on it
        and its further ``copy()`` clones; changing it never touches the match)."""
        if not self._privileged:
            raise PermissionError("this view is team-visible only; the full state is for privileged coaches")
        return self._live().copy()

    def _one_game(self) -> tuple[Any, Any, int, np.ndarray]:
        """(this game's arrays as a batch of one, the world, the team, the coach choice table) for the
        compiled encoders (read during ``act``: it reads the live state)."""
        from shotcaller.sim import encode as E

        st, b, team = self._source()
        A = type(st.arrays)(*(x[b : b + 1] for x in st.arrays))
        return A, st.world, team, E.choice_table(st.world.content.item_names)

    def encoded(self, rejected: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """This view as the coach environment's observation (``Shotcaller-v1``, built by the same compiled
        encoders of :mod:`shotcaller.sim.encode`, fog of war respected): ``planes``, ``leaders``,
        ``buildings``, ``scalars`` and ``action_mask`` ((6 * N + 2,) int8: each leader's allowed rows of
        the choice table, fortify, then the whole-team order's), so a policy trained in the env plays a
        match on the same input.

        ``rejected`` (6,): the last rejection reason code of each leader's order and of the team's
        (the env's ``rejected`` scalars; zeros when not given). Read it during ``act`` (it reads the state).
        """
        from shotcaller.sim import encode as E

        A, world, team, table = self._one_game()
        H, W = world.height, world.width
        out = {
            "planes": np.zeros((1, E.N_PLANES, H, W), np.float32),
            "leaders": np.zeros((1, 10, E.LF), np.float32),
            "buildings": np.zeros((1, 2 * N_BLD, E.BF), np.float32),
            "scalars": np.zeros((1, E.SF), np.float32),
        }
        rej = np.zeros((1, 6), np.int32)
        if rejected is not None:
            rej[0] = np.asarray(rejected, np.int32).reshape(6)
        E.coach_obs(A, world.rec, team, rej, out["planes"], out["leaders"], out["buildings"], out["scalars"])
        masks = np.zeros((1, 5, table.shape[0]), np.int8)
        fortify = np.zeros((1, 2), np.int8)
        whole = np.zeros((1, table.shape[0]), np.int8)
        E.coach_masks(A, world.rec, team, table, masks, fortify, whole)
        obs = {k: v[0] for k, v in out.items()}
        obs["action_mask"] = np.concatenate([masks[0].reshape(-1), fortify[0], whole[0]])
        return obs

    def choice_orders(self, action: np.ndarray) -> list[tuple[int, int, int, int]]:
        """The orders ``(leader, kind, a, b)`` of a coach env action (5 choice rows, fortify 0/1, the
        whole-team row) for this view's team now, as the env would give them and in its order (the
        whole-team order, leader -1, first; rows of "no new order" give none)."""
        from shotcaller.sim import encode as E

        A, _world, team, table = self._one_game()
        act = np.asarray(action, np.int64).reshape(1, E.N_ACTION)
        rows = np.zeros((1, E.N_ACTION, 5), np.int32)
        E.coach_orders(
            A, team, table, act[:, :5].copy(), act[:, E.ACT_FORTIFY].copy(), act[:, E.ACT_WHOLE].copy(), rows
        )
        return [(int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows[0] if r[2] != 0]

    def keep(self) -> TeamView:
        """Make this view a snapshot that stays valid after the decision, and return it: every section
        (and :attr:`arrays`) is built now and the state is no longer read (nor :attr:`state` open)."""
        if self._state is not None:
            self.arrays._build_all()
            self._build_all()
            self._privileged = False
        return self

    def expire(self) -> None:
        """End the view's decision: sections not built yet can no longer be read (the match calls it
        when ``act`` returns; a kept view is not affected)."""
        self._state = None
        if self._arrays is not None:
            self._arrays._state = None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of every section (for JSON)."""
        return {k: self[k] for k in self._keys()}

    def __repr__(self) -> str:
        return f"TeamView(team={self._data['team']!r}, tick={self._tick}, built={sorted(self._data)})"


def team_view(state: State, team: int, b: int = 0, privileged: bool = False) -> TeamView:
    """What team ``team`` sees of game ``b`` (the coach's observation); see :class:`TeamView`.
    ``privileged`` also opens :attr:`TeamView.state` (the full state)."""
    return TeamView(state, team, b, privileged)


def full_view(state: State, b: int = 0) -> dict[str, Any]:
    """The whole of game ``b`` (viewers, replays, privileged bots). Labelled ``privileged``."""
    A = state.arrays
    un = A.units[b]
    alive = un["alive"].astype(bool)
    mobile = np.arange(un.shape[0]) >= SLOT_LEADER0 + 10
    g = A.games[b]
    return {
        "tick": int(g["tick"]),
        "done": bool(g["done"]),
        "winner": int(g["winner"]),
        "leaders": _leaders(state, b, list(range(10)), full=True),
        "units": _units(state, b, alive & mobile),
        "buildings": _buildings(state, b, None),
        "visible": {TEAM_NAMES[t]: np.nonzero(A.games["vis"][b, t])[0].tolist() for t in (0, 1)},
        "fortify": {
            TEAM_NAMES[t]: dict(zip(("ready_in", "active_for"), _fortify_ticks(state, b, t)[:2], strict=True))
            for t in (0, 1)
        },
        "privileged": True,
    }
