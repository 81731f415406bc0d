"""What a learning agent reads and chooses: a team's observation as arrays, its order choices and their
masks, and the score features its rewards are made of. Compiled, batched, read-only on the state.

The adapters of :mod:`shotcaller.envs` only translate these buffers to the Gymnasium and PettingZoo
APIs. Everything here is a pure function of the state (nothing is written into it) and fills
preallocated arrays, so a vector env of B games builds its observations without a Python loop.

**Coach choices.** A coach decides, for each of its five leaders, one row of the choice table
(:func:`coach_choices`): "no new order", or an order kind with its argument given relative to the
team (lane 0..2, the enemy's leader 0..4, an item, one of the team's own 13 buildings, a stance).
:func:`resolve_choice` turns a row into the engine's order ``(kind, a, b)``; ``group`` gathers at the
team's outermost standing building of a lane. The team's fortify order is a separate yes/no choice,
and one more row of the same table is the **whole-team order** (the rules' order to all five leaders,
one order against the APM budget): it is given first, so a leader's own choice of the same decision
overrides it for that leader.

**Masks.** A choice is allowed when the engine's own validation (:func:`shotcaller.sim.orders.validate`)
accepts it now, the team's order queue has room and its APM budget has an order left: the masks and
the rules cannot disagree. The APM budget is shared by the team's orders of one decision: the mask
says an order may be given, not that all five may (``apm_left`` is in the observation).

**Observation** of team ``team`` (fog of war respected: enemy units only where the team sees them,
enemy buildings as last seen):

* ``planes`` (C, H, W) float32 in [0, 1], see ``PLANES``;
* ``leaders`` (10, LF): own five then the enemy's five, columns ``LEADER_COLUMNS``;
* ``buildings`` (26, BF): own 13 then the enemy's 13 by sub index, columns ``BUILDING_COLUMNS``;
* ``scalars`` (SF,): ``SCALAR_COLUMNS``.
"""

from __future__ import annotations

import functools

import numpy as np

from shotcaller.sim._jit import entry, kernel
from shotcaller.sim.layout import (
    E_ORDER_REJECTED,
    K_BARRACKS,
    K_CORE,
    K_CREEP,
    K_ELEPHANT,
    K_LEADER,
    K_TOWER,
    K_TREANT,
    M_CHANNEL,
    M_RETREAT,
    N_BLD,
    NONE,
    O_BUY,
    O_DEFEND,
    O_FORTIFY,
    O_GANK,
    O_GROUP,
    O_LANE,
    O_NONE,
    O_PUSH,
    O_RETREAT,
    O_STANCE,
    O_TELEPORT,
    R_OK,
    REJECT_REASONS,
    SLOT_LEADER0,
)
from shotcaller.sim.orders import validate

# ---------------------------------------------------------------------------- the choice table
# argument kinds of a choice row: how its relative argument becomes the order's (a, b)
AK_NONE, AK_LANE, AK_ENEMY, AK_RALLY, AK_ITEM, AK_OWN_BUILDING, AK_STANCE = range(7)
CHOICE_NOOP = 0  # row 0 of every table: no new order for this leader


def coach_choices(item_names: list[str] | tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """The per-leader choice table of a coach and a name per row.

    Returns ``(table, names)``: ``table`` (N, 3) int32 rows ``(order kind, argument kind, argument)``;
    row 0 is "no new order". Rows: lane/push/defend/group x 3 lanes, gank x 5 enemy leaders,
    retreat, buy x each item, teleport x 13 own buildings, stance x 3.
    """
    rows: list[tuple[int, int, int]] = [(O_NONE, AK_NONE, 0)]
    names = ["none"]
    lanes = ("left", "mid", "right")
    for kind, word in ((O_LANE, "lane"), (O_PUSH, "push"), (O_DEFEND, "defend")):
        for ln in range(3):
            rows.append((kind, AK_LANE, ln))
            names.append(f"{word} {lanes[ln]}")
    for ln in range(3):
        rows.append((O_GROUP, AK_RALLY, ln))
        names.append(f"group {lanes[ln]}")
    for j in range(5):
        rows.append((O_GANK, AK_ENEMY, j))
        names.append(f"gank enemy {j}")
    rows.append((O_RETREAT, AK_NONE, 0))
    names.append("retreat")
    for i, item in enumerate(item_names):
        rows.append((O_BUY, AK_ITEM, i))
        names.append(f"buy {item}")
    for sub in range(N_BLD):
        rows.append((O_TELEPORT, AK_OWN_BUILDING, sub))
        names.append(f"teleport building {sub}")
    for s, word in enumerate(("aggressive", "balanced", "careful")):
        rows.append((O_STANCE, AK_STANCE, s))
        names.append(f"stance {word}")
    return np.array(rows, np.int32), names


@functools.lru_cache(maxsize=8)
def _cached_choices(item_names: tuple[str, ...]) -> np.ndarray:
    return coach_choices(item_names)[0]


def choice_table(item_names: list[str] | tuple[str, ...]) -> np.ndarray:
    """The choice table of :func:`coach_choices`, built once per item list (shared: do not modify it)."""
    return _cached_choices(tuple(item_names))


# the coach action: five leaders' rows, fortify (no, yes), the whole-team row
N_ACTION = 7
ACT_FORTIFY, ACT_WHOLE = 5, 6


def action_sizes(n_choices: int) -> list[int]:
    """The ``MultiDiscrete`` sizes of a coach action over a table of ``n_choices`` rows."""
    return [n_choices] * 5 + [2, n_choices]


def mask_offsets(n_choices: int) -> list[tuple[int, int]]:
    """Where each part of the action sits in the flattened (6 N + 2,) mask: (start, stop) per part."""
    out, at = [], 0
    for k in action_sizes(n_choices):
        out.append((at, at + k))
        at += k
    return out


def idle_mask(n_choices: int) -> np.ndarray:
    """The flattened mask that allows only "no new order" (every part's 0): a game that has ended."""
    out = np.zeros(6 * n_choices + 2, np.int8)
    for start, _stop in mask_offsets(n_choices):
        out[start] = 1
    return out


@kernel
def rally_point(S, b, team, lane):
    """Where ``group`` on ``lane`` gathers: the team's standing tower or barracks of that lane farthest
    from its core, else its core. Returns (x, y)."""
    un = S.units[b]
    core = team * N_BLD
    for s in range(team * N_BLD, team * N_BLD + N_BLD):
        if un[s].kind == K_CORE:
            core = s
    cx = np.int64(un[core].x)
    cy = np.int64(un[core].y)
    best = core
    bd = np.int64(-1)
    for s in range(team * N_BLD, team * N_BLD + N_BLD):
        w = un[s]
        if w.alive == 0 or w.lane != lane or (w.kind != K_TOWER and w.kind != K_BARRACKS):
            continue
        dx = np.int64(w.x) - cx
        dy = np.int64(w.y) - cy
        d = dx * dx + dy * dy
        if d > bd:
            bd = d
            best = s
    return np.int64(un[best].x), np.int64(un[best].y)


@kernel
def resolve_choice(S, b, team, table, c):
    """Choice row ``c`` for ``team`` as the engine's order (kind, a, b)."""
    kind = np.int64(table[c, 0])
    ak = table[c, 1]
    arg = np.int64(table[c, 2])
    if ak == AK_LANE or ak == AK_STANCE or ak == AK_ITEM:
        return kind, arg, np.int64(0)
    if ak == AK_ENEMY:
        return kind, (1 - team) * 5 + arg, np.int64(0)
    if ak == AK_OWN_BUILDING:
        return kind, team * N_BLD + arg, np.int64(0)
    if ak == AK_RALLY:
        x, y = rally_point(S, b, team, arg)
        return kind, x, y
    return kind, np.int64(0), np.int64(0)


@kernel
def apm_left(S, T, b, team):
    """Orders the team may still give this minute (its APM budget; a large number when unlimited)."""
    if T.apm <= 0:
        return np.int64(1) << 30
    t = S.games[b].tick
    window = 60 * T.tps
    ring = S.games[b].apm[team]
    n = np.int64(0)
    for k in range(ring.shape[0]):
        if t - ring[k] >= window:
            n += 1
    return n


@kernel
def queue_room(S, b, team):
    """Free entries of the team's queue of orders waiting out their latency."""
    pq = S.pending[b, team]
    n = np.int64(0)
    for q in range(pq.shape[0]):
        if pq[q].used == 0:
            n += 1
    return n


@entry
def coach_masks(S, T, team, table, masks, fortify, whole):
    """Fill ``masks`` (B, 5, N), ``fortify`` (B, 2) and ``whole`` (B, N) (the whole-team order) with 1
    where a choice is allowed now, else 0."""
    for b in range(S.games.shape[0]):
        room = queue_room(S, b, team) > 0 and apm_left(S, T, b, team) > 0
        for i in range(6):  # the five leaders, then the whole team (leader NONE)
            who = i if i < 5 else NONE
            if i < 5:
                masks[b, i, 0] = 1
            else:
                whole[b, 0] = 1
            for c in range(1, table.shape[0]):
                ok = False
                if room:
                    kind, a, bb = resolve_choice(S, b, team, table, c)
                    ok = validate(S, T, b, team, who, kind, a, bb) == R_OK
                if i < 5:
                    masks[b, i, c] = 1 if ok else 0
                else:
                    whole[b, c] = 1 if ok else 0
        fortify[b, 0] = 1
        ok = room and validate(S, T, b, team, NONE, O_FORTIFY, 0, 0) == R_OK
        fortify[b, 1] = 1 if ok else 0


@kernel
def _order_row(S, b, team, table, who, c, row):
    row[0] = team
    row[1] = who
    if c <= 0 or c >= table.shape[0]:
        row[2] = O_NONE
        row[3] = 0
        row[4] = 0
        return
    kind, a, bb = resolve_choice(S, b, team, table, c)
    row[2] = kind
    row[3] = a
    row[4] = bb


@entry
def coach_orders(S, team, table, actions, fortify, whole, out):
    """Turn choices into order rows: ``actions`` (B, 5) rows of the table, ``fortify`` (B,) 0/1, ``whole``
    (B,) the whole-team row; ``out`` (B, 7, 5) gets ``(team, leader, kind, a, b)`` rows in the order they
    are given (kind 0: no order): the whole-team order (leader NONE), the five leaders' own, fortify."""
    for b in range(S.games.shape[0]):
        _order_row(S, b, team, table, NONE, whole[b], out[b, 0])
        for i in range(5):
            _order_row(S, b, team, table, i, actions[b, i], out[b, i + 1])
        row = out[b, 6]
        row[0] = team
        row[1] = NONE
        row[2] = O_FORTIFY if fortify[b] != 0 else O_NONE
        row[3] = 0
        row[4] = 0


# ---------------------------------------------------------------------------- observation
PLANES = (
    "floor",  # 1 on walkable tiles
    "own_leaders",  # health fraction of an own leader on the tile
    "own_creeps",  # own creeps on the tile / 4 (capped at 1)
    "own_summons",  # 1 where an own summon stands
    "own_buildings",  # health fraction of an own building
    "enemy_leaders",  # health fraction of a visible enemy leader
    "enemy_creeps",  # visible enemy creeps / 4 (capped at 1)
    "enemy_summons",  # 1 where a visible enemy summon stands
    "enemy_buildings",  # health fraction of an enemy building as last seen (0 once known destroyed)
)
COACH_ORDERS = (O_NONE, O_LANE, O_PUSH, O_DEFEND, O_GANK, O_GROUP, O_RETREAT)  # one-hot of a leader's order
LEADER_COLUMNS = (
    ("own", 1),  # 1 for the team's own leaders
    ("alive", 1),
    ("visible", 1),  # own: always; enemy: alive and seen now (the columns below are 0 when not)
    ("x", 1),  # / map width
    ("y", 1),  # / map height
    ("hp", 1),  # health fraction
    ("max_hp", 1),  # / 3000
    ("gold", 1),  # own only: / 3000
    ("items", 1),  # own only: items held / inventory slots
    ("respawn_in", 1),  # own only: seconds / 60
    ("teleport_ready_in", 1),  # own only: / the teleport cooldown
    ("mode", 3),  # own only: one-hot normal, retreat, channel
    ("order", len(COACH_ORDERS)),  # own only: one-hot of the order it carries out
    ("order_lane", 3),  # own only: one-hot lane of a lane, push or defend order
    ("stance", 3),  # own only: one-hot aggressive, balanced, careful
    ("hero", 10),  # one-hot of the drafted leader (the draft is public)
    ("kills", 1),  # own only: / 10
    ("deaths", 1),  # own only: / 10
    ("last_hits", 1),  # own only: / 100
)
BUILDING_COLUMNS = (
    ("own", 1),
    ("alive", 1),  # as the team knows it
    ("visible", 1),  # seen now (own: always)
    ("hp", 1),  # health fraction as the team knows it
    ("kind", 3),  # one-hot tower, barracks, core
    ("lane", 3),  # one-hot lane (all 0 for the core)
    ("x", 1),
    ("y", 1),
    ("fortified", 1),  # takes no damage now (the enemy's as the view shows it: fortify is public)
)
SCALAR_COLUMNS = (
    ("time", 1),  # tick / time limit
    ("side", 1),  # 0 blue, 1 red
    ("apm_left", 1),  # orders left this minute / APM (1 when unlimited)
    ("queue", 1),  # orders waiting out their latency / queue size
    ("fortify_ready_in", 1),  # / its cooldown
    ("fortify_active", 1),  # ticks own buildings stay fortified / fortify duration
    ("enemy_fortified", 1),
    ("lane_front", 3),  # own creep front per lane as a fraction of the lane path (0: no creeps)
    ("kills", 1),  # team kills / 20
    ("deaths", 1),  # team deaths / 20
    ("buildings_lost", 1),  # / 13
    ("buildings_destroyed", 1),  # / 13
    ("rejected", 6),  # last rejection reason of each leader's order and of the team's (fortify), / reasons
)


def width(columns: tuple[tuple[str, int], ...]) -> int:
    """Number of columns of a table described by ``(name, width)`` pairs."""
    return sum(w for _, w in columns)


def offsets(columns: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """First column of each named field."""
    out, k = {}, 0
    for name, w in columns:
        out[name] = k
        k += w
    return out


N_PLANES = len(PLANES)
LF = width(LEADER_COLUMNS)
BF = width(BUILDING_COLUMNS)
SF = width(SCALAR_COLUMNS)
N_REASONS = len(REJECT_REASONS)
_L = offsets(LEADER_COLUMNS)
_B = offsets(BUILDING_COLUMNS)
_S = offsets(SCALAR_COLUMNS)
L_OWN, L_ALIVE, L_VIS, L_X, L_Y, L_HP, L_MAXHP = (_L[k] for k in ("own", "alive", "visible", "x", "y", "hp", "max_hp"))
L_GOLD, L_ITEMS, L_RESP, L_TP, L_MODE = (_L[k] for k in ("gold", "items", "respawn_in", "teleport_ready_in", "mode"))
L_ORDER, L_OLANE, L_STANCE, L_HERO = (_L[k] for k in ("order", "order_lane", "stance", "hero"))
L_KILLS, L_DEATHS, L_LH = (_L[k] for k in ("kills", "deaths", "last_hits"))
B_OWN, B_ALIVE, B_VIS, B_HP, B_KIND, B_LANE, B_X, B_Y, B_FORT = (
    _B[k] for k in ("own", "alive", "visible", "hp", "kind", "lane", "x", "y", "fortified")
)
S_TIME, S_SIDE, S_APM, S_QUEUE, S_FREADY, S_FACTIVE, S_EFORT = (
    _S[k] for k in ("time", "side", "apm_left", "queue", "fortify_ready_in", "fortify_active", "enemy_fortified")
)
S_FRONT, S_KILLS, S_DEATHS, S_BLOST, S_BDEST, S_REJ = (
    _S[k] for k in ("lane_front", "kills", "deaths", "buildings_lost", "buildings_destroyed", "rejected")
)


@kernel
def _frac(num, den):
    if den <= 0:
        return 0.0
    v = num / den
    return min(1.0, max(0.0, v))


@kernel
def _plane_add(planes, p, x, y, v):
    """Add v to plane p at (x, y), capped at 1."""
    planes[p, y, x] = min(1.0, planes[p, y, x] + v)


@entry
def rejections(S, team, out):
    """The last rejection reason of this step call's orders of ``team``: ``out`` (B, 6) per leader 0..4 and
    5 for the team's whole-team orders (0: none rejected)."""
    for b in range(S.games.shape[0]):
        out[b, :] = 0
        ev = S.events[b]
        for k in range(S.games[b].n_events):
            if ev[k, 1] == E_ORDER_REJECTED and ev[k, 2] == team:
                who = ev[k, 3]
                out[b, who if 0 <= who < 5 else 5] = ev[k, 5]


@entry
def coach_obs(S, T, team, rejected, planes, leaders, buildings, scalars):
    """Fill team ``team``'s observation of every game: ``planes`` (B, C, H, W), ``leaders`` (B, 10, LF),
    ``buildings`` (B, 26, BF), ``scalars`` (B, SF); ``rejected`` (B, 6) from :func:`rejections`."""
    H, W = T.floor.shape
    enemy = 1 - team
    for b in range(S.games.shape[0]):
        g = S.games[b]
        un = S.units[b]
        t = g.tick
        pl = planes[b]
        pl[:, :, :] = 0.0
        for y in range(H):
            for x in range(W):
                if T.floor[y, x]:
                    pl[0, y, x] = 1.0
        # mobile units: own ones, and the enemy's the team sees now
        for u in range(2 * N_BLD, un.shape[0]):
            w = un[u]
            if w.alive == 0:
                continue
            own = w.team == team
            if not own and g.vis[team, u] == 0:
                continue
            base = 1 if own else 5
            if w.kind == K_LEADER:
                _plane_add(pl, base, w.x, w.y, _frac(w.hp, w.max_hp))
            elif w.kind == K_CREEP:
                _plane_add(pl, base + 1, w.x, w.y, 0.25)
            elif w.kind == K_TREANT or w.kind == K_ELEPHANT:
                _plane_add(pl, base + 2, w.x, w.y, 1.0)
        # buildings: own exactly, the enemy's as last seen
        bl = buildings[b]
        bl[:, :] = 0.0
        for k in range(2 * N_BLD):
            side = team if k < N_BLD else enemy
            s = side * N_BLD + k % N_BLD
            w = un[s]
            seen = side == team or g.vis[team, s] != 0
            hp = w.hp if seen else g.seen_hp[team, s]
            alive = w.alive != 0 if seen else hp > 0
            row = bl[k]
            row[B_OWN] = 1.0 if side == team else 0.0
            row[B_ALIVE] = 1.0 if alive else 0.0
            row[B_VIS] = 1.0 if seen else 0.0
            row[B_HP] = _frac(hp, w.max_hp) if alive else 0.0
            if w.kind == K_TOWER:
                row[B_KIND] = 1.0
            elif w.kind == K_BARRACKS:
                row[B_KIND + 1] = 1.0
            else:
                row[B_KIND + 2] = 1.0
            if w.kind != K_CORE and 0 <= w.lane < 3:
                row[B_LANE + w.lane] = 1.0
            row[B_X] = w.x / W
            row[B_Y] = w.y / H
            row[B_FORT] = 1.0 if t < S.teams[b, side].fortify_until else 0.0
            if alive:
                _plane_add(pl, 4 if side == team else 8, w.x, w.y, row[B_HP])
        # leaders
        lt = leaders[b]
        lt[:, :] = 0.0
        for k in range(10):
            side = team if k < 5 else enemy
            li = side * 5 + k % 5
            ld = S.leaders[b, li]
            w = un[SLOT_LEADER0 + li]
            row = lt[k]
            own = side == team
            row[L_OWN] = 1.0 if own else 0.0
            if 0 <= ld.hero < 10:
                row[L_HERO + ld.hero] = 1.0
            seen = own or (w.alive != 0 and g.vis[team, SLOT_LEADER0 + li] != 0)
            if own:
                row[L_ALIVE] = 1.0 if w.alive != 0 else 0.0
            else:
                row[L_ALIVE] = 1.0 if seen else 0.0
            if not seen:
                continue
            row[L_VIS] = 1.0
            row[L_X] = w.x / W
            row[L_Y] = w.y / H
            row[L_HP] = _frac(w.hp, w.max_hp) if w.alive != 0 else 0.0
            row[L_MAXHP] = min(1.0, w.max_hp / 3000.0)
            if not own:
                continue
            row[L_GOLD] = min(1.0, ld.gold / 3000.0)
            n_items = 0
            for s in range(T.inv_slots):
                if g.inv[li, s] >= 0:
                    n_items += 1
            row[L_ITEMS] = n_items / max(1, T.inv_slots)
            if w.alive == 0 and ld.respawn_at >= 0:
                row[L_RESP] = min(1.0, max(0, ld.respawn_at - t) / (60.0 * T.tps))
            row[L_TP] = _frac(max(0, ld.teleport_ready_at - t), T.tp_cd)
            if ld.mode == M_RETREAT:
                row[L_MODE + 1] = 1.0
            elif ld.mode == M_CHANNEL:
                row[L_MODE + 2] = 1.0
            else:
                row[L_MODE] = 1.0
            for o in range(len(COACH_ORDERS)):
                if COACH_ORDERS[o] == ld.order:
                    row[L_ORDER + o] = 1.0
            if (ld.order == O_LANE or ld.order == O_PUSH or ld.order == O_DEFEND) and 0 <= ld.order_a < 3:
                row[L_OLANE + ld.order_a] = 1.0
            if 0 <= ld.stance < 3:
                row[L_STANCE + ld.stance] = 1.0
            row[L_KILLS] = min(1.0, ld.kills / 10.0)
            row[L_DEATHS] = min(1.0, ld.deaths / 10.0)
            row[L_LH] = min(1.0, ld.last_hits / 100.0)
        # scalars
        sc = scalars[b]
        sc[:] = 0.0
        sc[S_TIME] = _frac(t, T.time_limit)
        sc[S_SIDE] = team
        sc[S_APM] = 1.0 if T.apm <= 0 else _frac(apm_left(S, T, b, team), T.apm)
        q = S.pending.shape[2]
        sc[S_QUEUE] = _frac(q - queue_room(S, b, team), q)
        own_t = S.teams[b, team]
        en_t = S.teams[b, enemy]
        sc[S_FREADY] = _frac(max(0, own_t.fortify_ready_at - t), T.fortify_cd)
        sc[S_FACTIVE] = _frac(max(0, own_t.fortify_until - t), T.fortify)
        sc[S_EFORT] = 1.0 if t < en_t.fortify_until else 0.0
        for ln in range(3):
            f = g.front[team, ln]
            if f >= 0:
                sc[S_FRONT + ln] = _frac(f + 1, T.lane_len[team, ln])
        sc[S_KILLS] = min(1.0, own_t.kills / 20.0)
        sc[S_DEATHS] = min(1.0, en_t.kills / 20.0)
        sc[S_BLOST] = own_t.buildings_lost / N_BLD
        sc[S_BDEST] = en_t.buildings_lost / N_BLD
        for k in range(6):
            sc[S_REJ + k] = rejected[b, k] / (N_REASONS - 1)


# ---------------------------------------------------------------------------- score features
SCORE_FEATURES = ("gold", "kills", "buildings", "last_hits")  # per team: earned, leaders killed, destroyed


@kernel
def game_score(S, b, out):
    """``out`` (2, 4): game b's score features per team (see :func:`score_features`)."""
    for team in range(2):
        gold = 0.0
        lh = 0.0
        for i in range(5):
            ld = S.leaders[b, team * 5 + i]
            gold += ld.gold_total
            lh += ld.last_hits
        out[team, 0] = gold
        out[team, 1] = S.teams[b, team].kills
        out[team, 2] = S.teams[b, 1 - team].buildings_lost
        out[team, 3] = lh


@entry
def score_features(S, out):
    """``out`` (B, 2, 4) per team: gold earned by its leaders, enemy leaders killed, enemy buildings
    destroyed, creeps last-hit (match totals so far)."""
    for b in range(S.games.shape[0]):
        game_score(S, b, out[b])
