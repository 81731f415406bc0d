"""Leader AI: carries out the coach's order with a profile's parameters (docs/design.md section 8).

One compiled logic for every profile; a profile is a row of numbers (retreat and resume health,
aggression, farm, push, risk, chase distance, shopping threshold) and the stance shifts them.
"""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import add_effect, dist2, emit, query
from shotcaller.sim.layout import (
    E_ITEM_USED,
    IE_COFFEE,
    IE_HEAL,
    K_CREEP,
    K_LEADER,
    K_TOWER,
    KM_ALL,
    M_CHANNEL,
    M_NORMAL,
    M_RETREAT,
    N_BLD,
    NONE,
    O_ATTACK,
    O_ATTACK_MOVE,
    O_DEFEND,
    O_FOLLOW,
    O_GANK,
    O_GROUP,
    O_HOLD,
    O_LANE,
    O_MOVE,
    O_PUSH,
    O_RETREAT,
    OP_MUL,
    PF_AGGRESSION,
    PF_CHASE,
    PF_DEFEND_HOLD,
    PF_DEFEND_RANGE,
    PF_DEFEND_THREAT,
    PF_FARM,
    PF_PUSH,
    PF_PUSH_WHEN_DEAD,
    PF_RESUME,
    PF_RETREAT,
    PF_RISK,
    PF_SHOP,
    PF_TELEPORT_THREAT,
    SLOT_LEADER0,
    ST_AS,
)

KEY_ITEM = 100


@kernel
def use_item(S, T, b, li, slot):
    """Consume inventory slot ``slot`` of leader li (heal or coffee)."""
    it = S.games[b].inv[li, slot]
    u = SLOT_LEADER0 + li
    eff = T.item_effect[it]
    if eff == IE_HEAL:
        un = S.units[b, u]
        un.hp = min(un.max_hp, un.hp + T.item_value[it])
    elif eff == IE_COFFEE:
        add_effect(S, b, u, KEY_ITEM + it, ST_AS, OP_MUL, T.item_value[it], S.games[b].tick + T.item_dur[it], u)
    S.games[b].inv[li, slot] = NONE
    S.units[b, u].dirty = 1
    emit(S, b, E_ITEM_USED, li, it, 0, 0)


@kernel
def find_item(S, T, b, li, effect):
    """Inventory slot of leader li holding an item with ``effect``, or NONE."""
    for k in range(T.inv_slots):
        it = S.games[b].inv[li, k]
        if it >= 0 and T.item_effect[it] == effect:
            return k
    return NONE


@kernel
def next_purchase(S, T, b, li):
    """Item the leader wants next: the coach's queue first, then its build list; NONE for none."""
    q = S.games[b].buyq[li, 0]
    if q >= 0:
        return q
    free = 0
    for k in range(T.inv_slots):
        if S.games[b].inv[li, k] < 0:
            free += 1
    if free == 0:
        return NONE
    ld = S.leaders[b, li]
    if ld.build_next < T.hero_build.shape[1]:
        return T.hero_build[ld.hero, ld.build_next]
    return NONE


@kernel
def outer_own(S, team, lane, b):
    """Sub index of the team's outermost living building in ``lane`` (towers, barracks, core)."""
    for tier in range(3):
        sub = 4 + lane * 3 + tier
        if S.units[b, team * N_BLD + sub].alive != 0:
            return sub
    if S.units[b, team * N_BLD + 1 + lane].alive != 0:
        return 1 + lane
    return 0


@kernel
def _leaders_near(S, b, u, team, r2):
    """Living leaders of ``team`` within sqrt(r2) tiles of unit u (u itself included if it is one)."""
    n = 0
    for i in range(5):
        v = SLOT_LEADER0 + team * 5 + i
        w = S.units[b, v]
        if w.alive != 0 and w.hp > 0 and dist2(S, b, u, v) <= r2:
            n += 1
    return n


@kernel
def _stance(P, stance):
    """Profile numbers shifted by the stance: (retreat, resume, aggression, risk)."""
    retreat = P[PF_RETREAT]
    aggr = P[PF_AGGRESSION]
    risk = P[PF_RISK]
    if stance == 0:
        retreat *= 0.6
        aggr *= 1.3
        risk = min(1.0, risk + 0.3)
    elif stance == 2:
        retreat = min(0.9, retreat * 1.5)
        aggr *= 0.7
        risk = max(0.0, risk - 0.3)
    return retreat, P[PF_RESUME], aggr, risk


@kernel
def _tower_threat(S, T, b, enemy, x, y):
    """The enemy tower whose range covers (x, y), or NONE (only the towers of the lane of column x)."""
    lane = T.lane_of_x[x]
    for sub in range(4 + lane * 3, 7 + lane * 3):
        w = enemy * N_BLD + sub
        tw = S.units[b, w]
        if tw.alive == 0:
            continue
        dx = tw.x - x
        dy = tw.y - y
        r = tw.attack_range + 1.0
        if dx * dx + dy * dy <= r * r:
            return w
    return NONE


@kernel
def _lane_goal(S, T, b, li, lane, push):
    """Where to stand in ``lane``: behind (lane) or with (push) the own creep front, out of the range of
    an enemy tower that has no creeps to shoot."""
    ld = S.leaders[b, li]
    team = ld.team
    enemy = 1 - team
    n = T.lane_len[team, lane]
    own_sub = outer_own(S, team, lane, b)
    own_idx = T.bld_pidx[team, own_sub, team]
    front = S.games[b].front[team, lane]
    if front >= 0:
        gi = front if push else front - 2
        if gi < own_idx:
            gi = own_idx
    else:
        gi = own_idx + 1
    esub = outer_own(S, enemy, lane, b)
    e_slot = enemy * N_BLD + esub
    e_idx = T.bld_pidx[enemy, esub, team]
    if S.units[b, e_slot].kind == K_TOWER:
        if S.units[b, e_slot].cover > 0:
            lim = e_idx - 2
        else:
            lim = e_idx - 8
    else:
        lim = e_idx - 1
    if gi > lim:
        gi = lim
    if gi < 0:
        gi = 0
    if gi > n - 1:
        gi = n - 1
    return T.lane_path[team, lane, gi, 0], T.lane_path[team, lane, gi, 1]


@kernel
def _decides(T, t, li):
    """Whether leader li decides at tick t: leader i of either team on the same ticks (mirror images)."""
    return (t + li % 5) % T.ai_every == 0


@kernel
def _counter_push(S, b, team, P):
    """Whether a laning leader of ``team`` pushes (stands with its creeps, hits buildings first) rather
    than holds: at least the profile's ``push_when_dead`` enemy leaders are dead (0: never). Respawn
    timers are public in MOBAs: no vision needed."""
    need = P[PF_PUSH_WHEN_DEAD]
    if need <= 0:
        return False
    n = 0
    for i in range(5):
        e = S.units[b, SLOT_LEADER0 + (1 - team) * 5 + i]
        if e.alive == 0 or e.hp <= 0:
            n += 1
    return n >= need


@kernel
def _seen_leaders_near(S, T, b, v, team):
    """Enemy leaders of ``team`` that ``team``'s foe sees within the threat radius of unit v."""
    r2 = T.threat_radius * T.threat_radius
    viewer = 1 - team
    n = 0
    for i in range(5):
        w = SLOT_LEADER0 + team * 5 + i
        e = S.units[b, w]
        if e.alive != 0 and e.hp > 0 and S.games[b].vis[viewer, w] != 0 and dist2(S, b, v, w) <= r2:
            n += 1
    return n


@kernel
def _answering(S, T, b, li, v):
    """Allies of leader li (li excluded) answering building v: sent to it, or standing near it."""
    team = S.leaders[b, li].team
    r = T.threat_radius + 2.0
    n = 0
    for i in range(5):
        lj = team * 5 + i
        if lj == li:
            continue
        e = S.units[b, SLOT_LEADER0 + lj]
        if e.alive == 0 or e.hp <= 0 or S.leaders[b, lj].mode == M_RETREAT:
            continue
        if S.leaders[b, lj].defending == v or dist2(S, b, v, SLOT_LEADER0 + lj) <= r * r:
            n += 1
    return n


@kernel
def _lane_threat(S, b, team, lane):
    """The largest threat at the team's damageable buildings of ``lane`` (its towers and barracks)."""
    m = 0.0
    for k in range(4):
        sub = 1 + lane if k == 3 else 4 + lane * 3 + k
        w = S.units[b, team * N_BLD + sub]
        if w.alive != 0 and w.invuln == 0 and w.threat > m:
            m = w.threat
    return m


@kernel
def _defence(S, T, b, li, u, P):
    """The own building leader li answers a threat to, or NONE (docs/rules.md "Leader AI: defence").

    A building under a threat of at least the profile's ``defend_threat`` draws leaders until they
    outnumber the visible enemy leaders there (those already near it count; all five against three or
    more). A leader then holds that lane, moving on to its next building when one falls, until the lane
    has been free of threat for ``defend_hold_s``, or until a building elsewhere is under a threat
    larger by more than half a leader. Sets ``defending`` and ``defend_seen``.
    """
    ld = S.leaders[b, li]
    team = ld.team
    un = S.units[b]
    t = S.games[b].tick
    th_min = P[PF_DEFEND_THREAT]
    if th_min <= 0:
        ld.defending = NONE
        return NONE
    cur = ld.defending
    cur_threat = 0.0
    if cur >= 0:
        lane = un[cur].lane
        if un[cur].sub == 0:  # the core: it has no lane of its own
            lane = NONE
        if lane >= 0:
            cur_threat = _lane_threat(S, b, team, lane)
            w = un[cur]
            if w.alive == 0 or w.hp <= 0 or w.invuln != 0:
                cur = team * N_BLD + outer_own(S, team, lane, b)
        elif un[cur].alive != 0:
            cur_threat = un[cur].threat
        if cur_threat >= 0.5 * th_min:
            ld.defend_seen = t
        if un[cur].alive == 0 or t - ld.defend_seen > P[PF_DEFEND_HOLD] * T.tps:
            cur = NONE
    # a bigger threat elsewhere takes the leader from a lane it holds
    best = NONE
    bs = -1e9
    rng = P[PF_DEFEND_RANGE]
    for sub in range(N_BLD):
        v = team * N_BLD + sub
        w = un[v]
        if w.threat < th_min or w.alive == 0 or w.hp <= 0 or w.invuln != 0:  # most are under no threat
            continue
        if cur >= 0 and w.threat <= cur_threat + 0.5:
            continue
        seen = _seen_leaders_near(S, T, b, v, 1 - team)
        need = 5 if seen >= 3 else seen + 1
        if _answering(S, T, b, li, v) >= need:
            continue
        d = np.sqrt(dist2(S, b, u, v))
        if d > rng and not (P[PF_TELEPORT_THREAT] > 0 and w.threat >= P[PF_TELEPORT_THREAT]):
            continue
        s = 10.0 * w.threat - d / 10.0
        if s > bs:
            bs = s
            best = v
    if best < 0:
        ld.defending = cur
        return cur
    ld.defending = best
    ld.defend_seen = t
    return best


@kernel
def _pick_target(S, T, b, li, u, P, aggr, risk, pushing, ax, ay, leash, guard):
    """Score the enemies in aggro range and return the best target slot, or NONE.

    Enemy leaders weigh by aggression and how hurt they are, creeps by farm (last hits most), buildings
    by push; targets under an enemy tower with no creep cover are skipped by low-risk profiles, and so are
    enemy leaders under an enemy tower even with cover (tower aggro) unless one or two hits kill them. A leader
    defending building ``guard`` (or NONE) clears the enemy creeps near it first.
    """
    un = S.units[b]
    me = un[u]
    enemy = 1 - me.team
    out = S.games[b].buf[1]
    n = query(S, T, b, enemy, me.x, me.y, T.aggro, KM_ALL, out)
    best = NONE
    bs = -1e9
    hpf = me.hp / me.max_hp
    for i in range(n):
        v = out[i]
        w = un[v]
        if w.invuln != 0:
            continue
        if leash > 0:
            dx = w.x - ax
            dy = w.y - ay
            if dx * dx + dy * dy > leash * leash:
                continue
        k = w.kind
        if k == K_TOWER:
            if w.cover == 0 and not (risk >= 0.7 and hpf > 0.6):
                continue
            s = 70.0 * P[PF_PUSH] * (2.0 if pushing else 1.0)
        elif k > K_TOWER:  # barracks, core
            s = 80.0 * P[PF_PUSH] * (2.0 if pushing else 1.0)
        else:
            th = _tower_threat(S, T, b, enemy, w.x, w.y)
            if th >= 0 and un[th].cover == 0 and risk < 0.6:
                continue
            # a leader hit under its tower turns the tower on the hitter (tower aggro), creeps or not:
            # low-risk profiles leave it there unless one or two hits finish it
            if k == K_LEADER and th >= 0 and risk < 0.6 and w.hp > 2.0 * me.atk:
                continue
            if k == K_LEADER:
                s = 100.0 * aggr * (1.6 - w.hp / w.max_hp)
            elif k == K_CREEP:
                s = 30.0
                if w.hp <= me.atk * 1.5:
                    s += 80.0 * P[PF_FARM]
                if guard >= 0 and dist2(S, b, guard, v) <= T.bd_radius * T.bd_radius:
                    s += 150.0  # clear the wave at a defended building: backdoor protection returns
            else:
                s = 25.0
        s -= 4.0 * np.sqrt(dist2(S, b, u, v))
        if v == me.target:
            s += 15.0
        if s > bs or (s == bs and v < best):  # ties to the lowest slot: grid order (top row first) favours a side
            bs = s
            best = v
    return best


@kernel
def leader_ai(S, T, b):
    """Decide every living leader's goal tile and target for this tick."""
    t = S.games[b].tick
    un = S.units[b]
    # consumables first, for everyone: a heal is seen by every leader's decision of this tick, whichever
    # team comes first in slot order (leader i of either team decides on the same ticks)
    for li in range(10):
        if not _decides(T, t, li):
            continue
        me = un[SLOT_LEADER0 + li]
        if me.alive != 0 and me.hp > 0 and S.leaders[b, li].mode != M_CHANNEL:
            if me.hp / me.max_hp < 0.4:
                k = find_item(S, T, b, li, IE_HEAL)
                if k >= 0:
                    use_item(S, T, b, li, k)
    for li in range(10):
        u = SLOT_LEADER0 + li
        me = un[u]
        if me.alive == 0 or me.hp <= 0:
            continue
        ld = S.leaders[b, li]
        if ld.mode == M_CHANNEL:
            me.target = NONE
            me.goal_x = me.x
            me.goal_y = me.y
            continue
        team = ld.team
        P = T.prof[ld.profile]
        retreat, resume, aggr, risk = _stance(P, ld.stance)
        hpf = me.hp / me.max_hp
        cx = T.bld_xy[team, 0, 0]
        cy = T.bld_xy[team, 0, 1]
        dxc = me.x - cx
        dyc = me.y - cy
        at_fountain = dxc * dxc + dyc * dyc <= T.fountain_r * T.fountain_r
        # leader i of either team decides on the same ticks: the sides stay mirror images
        decide = _decides(T, t, li)
        # retreat, heal and shop
        if ld.mode == M_NORMAL and ld.micro == 0:
            go = hpf < retreat or ld.order == O_RETREAT
            if not go and decide:
                it = next_purchase(S, T, b, li)
                if it >= 0 and ld.gold >= T.item_price[it] + P[PF_SHOP] and hpf < 0.8 and not at_fountain:
                    go = True
            if go:
                ld.mode = M_RETREAT
        if ld.mode == M_RETREAT:
            if ld.order == O_RETREAT:
                resume = 1.0  # the coach's retreat heals to full
            if at_fountain and hpf >= resume:
                it = next_purchase(S, T, b, li)
                waiting = it >= 0 and ld.gold >= T.item_price[it]
                if not waiting:
                    ld.mode = M_NORMAL
                    if ld.order == O_RETREAT:
                        ld.order = ld.prev_order
                        ld.order_a = ld.prev_a
                        ld.order_b = ld.prev_b
            if ld.mode == M_RETREAT:
                me.target = NONE
                me.goal_x = cx
                me.goal_y = cy
                continue
        # micro orders override the coach's
        if ld.micro != 0:
            m = ld.micro
            if m == O_MOVE:
                me.target = NONE
                me.goal_x = ld.micro_a
                me.goal_y = ld.micro_b
            elif m == O_ATTACK_MOVE:
                me.goal_x = ld.micro_a
                me.goal_y = ld.micro_b
                if decide:
                    me.target = _pick_target(S, T, b, li, u, P, aggr, 1.0, False, 0, 0, 0.0, NONE)
            elif m == O_FOLLOW:
                f = ld.micro_a
                if un[f].alive == 0:
                    ld.micro = 0
                else:
                    me.target = NONE
                    me.goal_x = un[f].x
                    me.goal_y = un[f].y
            elif m == O_HOLD:
                # stand still and hit only what is in reach: never walk after a target
                me.goal_x = me.x
                me.goal_y = me.y
                v = me.target
                if v >= 0 and (
                    un[v].alive == 0 or un[v].hp <= 0 or dist2(S, b, u, v) > me.attack_range * me.attack_range
                ):
                    me.target = NONE
                if decide or me.target < 0:
                    me.target = _pick_target(S, T, b, li, u, P, aggr, 1.0, False, me.x, me.y, me.attack_range, NONE)
            elif m == O_ATTACK:
                # hit that unit, walking after it, while it lives, can be damaged and the team sees it
                v = ld.micro_a
                w = un[v]
                if w.alive == 0 or w.hp <= 0 or w.invuln != 0 or S.games[b].vis[team, v] == 0:
                    ld.micro = 0  # over: the coach's order resumes at the next decision
                    me.target = NONE
                    me.goal_x = me.x
                    me.goal_y = me.y
                else:
                    me.target = v
                    me.goal_x = w.x
                    me.goal_y = w.y
            continue
        # keep the current target between decisions
        if not decide:
            v = me.target
            if v >= 0:
                w = un[v]
                lim = T.aggro + P[PF_CHASE]
                if w.alive == 0 or w.hp <= 0 or w.invuln != 0 or dist2(S, b, u, v) > lim * lim:
                    me.target = NONE
            continue
        # goal from the coach's order
        o = ld.order
        ax = 0
        ay = 0
        leash = 0.0
        pushing = False
        if o == O_GANK:
            v = SLOT_LEADER0 + ld.order_a
            if un[v].alive != 0 and S.games[b].vis[team, v] != 0:
                ld.gank_seen = t
                me.target = v
                me.goal_x = un[v].x
                me.goal_y = un[v].y
                if S.units[b, v].hp > 0:
                    continue
            if un[v].alive == 0 or t - ld.gank_seen > T.gank_patience:
                ld.order = ld.prev_order
                ld.order_a = ld.prev_a
                ld.order_b = ld.prev_b
                o = ld.order
            else:
                me.target = NONE
                continue
        dv = NONE
        if o == O_LANE and (hpf >= 0.5 or ld.defending >= 0):
            dv = _defence(S, T, b, li, u, P)
        elif o == O_DEFEND:  # the coach's defence: played like the leader AI's own, at the lane's front
            dv = team * N_BLD + outer_own(S, team, ld.order_a, b)
            ld.defending = dv
        elif o != O_LANE:
            ld.defending = NONE
        if dv >= 0:
            w = un[dv]
            far = dist2(S, b, u, dv) > P[PF_DEFEND_RANGE] * P[PF_DEFEND_RANGE]
            if far and ld.teleport_ready_at <= t and w.threat >= P[PF_TELEPORT_THREAT] > 0:
                ld.mode = M_CHANNEL  # teleport in: the channel ends in economy_phase
                ld.channel_until = t + T.tp_chan
                ld.channel_target = dv
                me.target = NONE
                me.goal_x = me.x
                me.goal_y = me.y
                continue
            # play the defended building's lane; outnumbered, wait on its path behind it
            sub = w.sub
            lane = w.lane
            idx = T.bld_pidx[team, sub, team]
            ne = _seen_leaders_near(S, T, b, dv, 1 - team)
            na = _answering(S, T, b, li, dv) + 1
            if ne - na >= 1 + np.int64(risk * 2.0 + 0.5):
                idx -= 6  # outnumbered: wait behind the building for the others (a lone leader does not feed)
                n = T.lane_len[team, lane]
                idx = min(max(idx, 0), n - 1)
                gx = T.lane_path[team, lane, idx, 0]
                gy = T.lane_path[team, lane, idx, 1]
                ax = w.x
                ay = w.y
                leash = T.threat_radius + 1.0
            else:
                pushing = _counter_push(S, b, team, P)
                gx, gy = _lane_goal(S, T, b, li, lane, pushing)
        elif o == O_LANE or o == O_PUSH:
            pushing = o == O_PUSH or _counter_push(S, b, team, P)
            gx, gy = _lane_goal(S, T, b, li, ld.order_a, pushing)
        elif o == O_GROUP:
            gx = ld.order_a
            gy = ld.order_b
            ax = gx
            ay = gy
            leash = 8.0
        else:
            gx, gy = _lane_goal(S, T, b, li, me.lane, False)
        me.goal_x = gx
        me.goal_y = gy
        # outnumbered: fall back toward the own tower unless the profile takes the risk
        ne = _leaders_near(S, b, u, 1 - team, 64) if dv < 0 else 0  # a defender follows _defence's call
        if ne > 0:
            na = _leaders_near(S, b, u, team, 64)
            if ne - na >= 1 + np.int64(risk * 2.0 + 0.5) and hpf < 0.8:
                lane = ld.order_a if (o == O_LANE or o == O_PUSH) else me.lane
                sub = outer_own(S, team, lane, b)
                me.goal_x = T.bld_xy[team, sub, 0]
                me.goal_y = T.bld_xy[team, sub, 1]
                v = me.target
                if v >= 0 and dist2(S, b, u, v) > me.attack_range * me.attack_range:
                    me.target = NONE
                continue
        v = _pick_target(S, T, b, li, u, P, aggr, risk, pushing, ax, ay, leash, dv)
        me.target = v
        if v >= 0 and (un[v].kind == K_LEADER or un[v].kind == K_TOWER):
            k = find_item(S, T, b, li, IE_COFFEE)
            if k >= 0 and dist2(S, b, u, v) <= me.attack_range * me.attack_range:
                use_item(S, T, b, li, k)
