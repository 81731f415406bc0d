"""The shotcaller's orders: validation with readable reasons, latency, APM budget, application."""

from __future__ import annotations

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import emit
from shotcaller.sim.layout import (
    E_FORTIFY,
    E_ORDER_APPLIED,
    E_ORDER_OK,
    E_ORDER_REJECTED,
    E_PURCHASE_FAILED,
    IE_TELEPORT,
    M_CHANNEL,
    M_NORMAL,
    M_RETREAT,
    N_BLD,
    N_ORDER_KINDS,
    NONE,
    O_ATTACK,
    O_ATTACK_MOVE,
    O_BUY,
    O_DEFEND,
    O_FOLLOW,
    O_FORTIFY,
    O_GANK,
    O_GROUP,
    O_LANE,
    O_MOVE,
    O_NONE,
    O_PROFILE,
    O_PUSH,
    O_RETREAT,
    O_STANCE,
    O_STOP,
    O_TELEPORT,
    R_APM,
    R_BAD_ARGUMENT,
    R_BAD_COORDS,
    R_BAD_LANE,
    R_BAD_LEADER,
    R_BAD_TARGET,
    R_COOLDOWN,
    R_DEAD_LEADER,
    R_GAME_OVER,
    R_INVENTORY_FULL,
    R_INVULNERABLE,
    R_MICRO_DISABLED,
    R_NOT_ENOUGH_GOLD,
    R_NOT_VISIBLE,
    R_OK,
    R_PENDING,
    R_QUEUE_FULL,
    R_UNKNOWN_ITEM,
    R_UNKNOWN_ORDER,
    R_WRONG_TEAM,
    SLOT_LEADER0,
)
from shotcaller.sim.leader_ai import find_item


@kernel
def _alive(S, b, li):
    return S.units[b, SLOT_LEADER0 + li].alive != 0


@kernel
def _slots_used(S, T, b, li):
    """Items owned, queued at the shop, and bought by orders still waiting out their latency."""
    n = 0
    for k in range(T.inv_slots):
        if S.games[b].inv[li, k] >= 0:
            n += 1
        if S.games[b].buyq[li, k] >= 0:
            n += 1
    team = li // 5
    pq = S.pending[b, team]
    for q in range(pq.shape[0]):
        if pq[q].used != 0 and pq[q].kind == O_BUY and (pq[q].leader == li % 5 or pq[q].leader == NONE):
            n += 1
    return n


@kernel
def _check_leader(S, T, b, team, li, kind, a, bb):
    """Reason an order ``kind`` for global leader li is invalid, or R_OK."""
    t = S.games[b].tick
    ld = S.leaders[b, li]
    if kind == O_BUY:
        if ld.gold < T.item_price[a]:
            return R_NOT_ENOUGH_GOLD
        if _slots_used(S, T, b, li) >= T.inv_slots:
            return R_INVENTORY_FULL
        return R_OK
    if kind == O_STANCE or kind == O_PROFILE:
        return R_OK
    if not _alive(S, b, li):
        return R_DEAD_LEADER
    if kind == O_TELEPORT:
        if ld.teleport_ready_at > t + T.latency and find_item(S, T, b, li, IE_TELEPORT) < 0:
            return R_COOLDOWN
    return R_OK


@kernel
def _check_fortify(S, T, b, team):
    """Reason the team's fortify order is invalid, or R_OK: on cooldown when it would take effect
    (after the latency), or one already waiting out its latency. Its leaders' lives do not matter."""
    if S.teams[b, team].fortify_ready_at > S.games[b].tick + T.latency:
        return R_COOLDOWN
    pq = S.pending[b, team]
    for q in range(pq.shape[0]):
        if pq[q].used != 0 and pq[q].kind == O_FORTIFY:
            return R_PENDING
    return R_OK


@kernel
def validate(S, T, b, team, leader, kind, a, bb):
    """Why an order is invalid (a R_* reason), or R_OK. Pure: reads the state only."""
    if S.games[b].done != 0:
        return R_GAME_OVER
    if team < 0 or team > 1:
        return R_WRONG_TEAM
    if leader < NONE or leader > 4:
        return R_BAD_LEADER
    if kind <= O_NONE or kind >= N_ORDER_KINDS:
        return R_UNKNOWN_ORDER
    if ((kind >= O_MOVE and kind <= O_STOP) or kind == O_ATTACK) and T.micro == 0:
        return R_MICRO_DISABLED
    H, W = T.floor.shape
    if kind == O_LANE or kind == O_PUSH or kind == O_DEFEND:
        if a < 0 or a > 2:
            return R_BAD_LANE
    elif kind == O_GANK:
        if a < 0 or a > 9:
            return R_BAD_TARGET
        if a // 5 == team:
            return R_WRONG_TEAM
        if not _alive(S, b, a):
            return R_BAD_TARGET
        if S.games[b].vis[team, SLOT_LEADER0 + a] == 0:
            return R_NOT_VISIBLE
    elif kind == O_GROUP or kind == O_MOVE or kind == O_ATTACK_MOVE:
        if a < 0 or bb < 0 or a >= W or bb >= H or not T.floor[bb, a]:
            return R_BAD_COORDS
    elif kind == O_BUY:
        if a < 0 or a >= T.item_price.shape[0]:
            return R_UNKNOWN_ITEM
    elif kind == O_TELEPORT:
        if a < 0 or a >= 2 * N_BLD:
            return R_BAD_TARGET
        if a // N_BLD != team:
            return R_WRONG_TEAM
        if S.units[b, a].alive == 0:
            return R_BAD_TARGET
    elif kind == O_STANCE:
        if a < 0 or a > 2:
            return R_BAD_ARGUMENT
    elif kind == O_PROFILE:
        if a < 0 or a >= T.prof.shape[0]:
            return R_BAD_ARGUMENT
    elif kind == O_FOLLOW:
        if a < 0 or a >= S.units.shape[1] or S.units[b, a].alive == 0:
            return R_BAD_TARGET
        if S.units[b, a].team != team and S.games[b].vis[team, a] == 0:
            return R_NOT_VISIBLE
    elif kind == O_ATTACK:
        if a < 0 or a >= S.units.shape[1] or S.units[b, a].alive == 0:
            return R_BAD_TARGET
        if S.units[b, a].team == team:
            return R_WRONG_TEAM
        if S.games[b].vis[team, a] == 0:
            return R_NOT_VISIBLE
        if S.units[b, a].invuln != 0:
            return R_INVULNERABLE
    elif kind == O_FORTIFY:
        return _check_fortify(S, T, b, team)  # the team's order: any leader value means the whole team
    if leader >= 0:
        return _check_leader(S, T, b, team, team * 5 + leader, kind, a, bb)
    # whole team: valid when valid for at least one leader
    first = R_OK
    for i in range(5):
        r = _check_leader(S, T, b, team, team * 5 + i, kind, a, bb)
        if r == R_OK:
            return R_OK
        if first == R_OK:
            first = r
    return first


@kernel
def submit(S, T, b, orders, n):
    """Validate ``orders[:n]`` (rows: team, leader, kind, a, b) and queue the valid ones."""
    t = S.games[b].tick
    window = 60 * T.tps
    for i in range(n):
        team = orders[i, 0]
        leader = orders[i, 1]
        kind = orders[i, 2]
        a = orders[i, 3]
        bb = orders[i, 4]
        if kind == O_NONE:
            continue
        r = validate(S, T, b, team, leader, kind, a, bb)
        slot = NONE
        if r == R_OK:
            pq = S.pending[b, team]
            for q in range(pq.shape[0]):
                if pq[q].used == 0:
                    slot = q
                    break
            if slot < 0:
                r = R_QUEUE_FULL
        if r == R_OK and T.apm > 0:
            tm = S.teams[b, team]
            if t - S.games[b].apm[team, tm.apm_pos] < window:
                r = R_APM
            else:
                S.games[b].apm[team, tm.apm_pos] = t
                tm.apm_pos = (tm.apm_pos + 1) % S.games[b].apm.shape[1]
        tc = min(max(team, 0), 1)
        if r != R_OK:
            S.teams[b, tc].orders_rejected += 1
            emit(S, b, E_ORDER_REJECTED, team, leader, kind, r)
            continue
        tm = S.teams[b, team]
        tm.orders_given += 1
        p = S.pending[b, team, slot]
        p.used = 1
        S.games[b].n_pending += 1
        p.leader = leader
        p.kind = kind
        p.a = a
        p.b = bb
        p.due = t + T.latency
        p.seq = tm.seq
        tm.seq += 1
        emit(S, b, E_ORDER_OK, team, leader, kind, p.due)


@kernel
def _apply_one(S, T, b, li, kind, a, bb):
    t = S.games[b].tick
    ld = S.leaders[b, li]
    u = SLOT_LEADER0 + li
    un = S.units[b, u]
    if kind == O_BUY:
        for k in range(T.inv_slots):
            if S.games[b].buyq[li, k] < 0:
                S.games[b].buyq[li, k] = a
                return
        emit(S, b, E_PURCHASE_FAILED, li, a, R_QUEUE_FULL, 0)
        return
    if kind == O_STANCE:
        ld.stance = a
        return
    if kind == O_PROFILE:
        ld.profile = a
        return
    if kind >= O_MOVE:
        if kind == O_STOP:
            ld.micro = 0
        else:
            ld.micro = kind
            ld.micro_a = a
            ld.micro_b = bb
        if ld.mode == M_RETREAT:
            ld.mode = M_NORMAL
        return
    if kind == O_TELEPORT:
        if un.alive == 0 or S.units[b, a].alive == 0:
            return
        if t < ld.teleport_ready_at:
            k = find_item(S, T, b, li, IE_TELEPORT)
            if k < 0:
                return
            S.games[b].inv[li, k] = NONE
            un.dirty = 1
        ld.mode = M_CHANNEL
        ld.channel_until = t + T.tp_chan
        ld.channel_target = a
        return
    # coach orders: lane, push, defend, gank, group, retreat
    if kind == O_RETREAT:
        if ld.order != O_RETREAT and ld.order != O_GANK:
            ld.prev_order = ld.order
            ld.prev_a = ld.order_a
            ld.prev_b = ld.order_b
        ld.order = O_RETREAT
        if ld.mode == M_NORMAL:
            ld.mode = M_RETREAT
        return
    if kind == O_GANK:
        if ld.order != O_RETREAT and ld.order != O_GANK:
            ld.prev_order = ld.order
            ld.prev_a = ld.order_a
            ld.prev_b = ld.order_b
        ld.gank_seen = t
    else:
        ld.prev_order = kind
        ld.prev_a = a
        ld.prev_b = bb
        if kind != O_GROUP:
            un.lane = a
    ld.order = kind
    ld.order_a = a
    ld.order_b = bb
    if ld.mode == M_RETREAT and un.hp >= un.max_hp * 0.5:
        ld.mode = M_NORMAL


@kernel
def _apply_fortify(S, T, b, team):
    """Fortify every building of ``team`` for ``T.fortify`` ticks from now; the cooldown starts now.

    Validation already saw the cooldown end by this tick and no other fortify pending."""
    t = S.games[b].tick
    tm = S.teams[b, team]
    tm.fortify_until = t + T.fortify
    tm.fortify_ready_at = t + T.fortify_cd
    emit(S, b, E_FORTIFY, team, tm.fortify_until, 0, 0)


@kernel
def apply_due(S, T, b):
    """Apply queued orders whose latency has elapsed, in the order they were issued."""
    if S.games[b].n_pending == 0:
        return
    t = S.games[b].tick
    for team in range(2):
        pq = S.pending[b, team]
        while True:
            best = NONE
            for q in range(pq.shape[0]):
                if pq[q].used != 0 and pq[q].due <= t and (best < 0 or pq[q].seq < pq[best].seq):
                    best = q
            if best < 0:
                break
            p = pq[best]
            p.used = 0
            S.games[b].n_pending -= 1
            if p.kind == O_FORTIFY:
                _apply_fortify(S, T, b, team)  # once for the team, whatever its leader field
            elif p.leader >= 0:
                _apply_one(S, T, b, team * 5 + p.leader, p.kind, p.a, p.b)
            else:
                for i in range(5):
                    li = team * 5 + i
                    if p.kind == O_BUY and _check_leader(S, T, b, team, li, p.kind, p.a, p.b) != R_OK:
                        continue  # a whole-team buy goes to the leaders who can pay and have room
                    _apply_one(S, T, b, li, p.kind, p.a, p.b)
            emit(S, b, E_ORDER_APPLIED, team, p.leader, p.kind, 0)
