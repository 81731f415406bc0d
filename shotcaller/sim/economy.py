"""Deaths and bounties, gold, the fountain, the shop, respawn, teleport channels and the result."""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import clear_effects, emit, refresh_stats
from shotcaller.sim.layout import (
    E_BUILDING,
    E_GAME_OVER,
    E_KILL,
    E_PURCHASE,
    E_PURCHASE_FAILED,
    E_RESPAWN,
    E_TELEPORT,
    K_BARRACKS,
    K_CORE,
    K_CREEP,
    K_ELEPHANT,
    K_LEADER,
    K_TOWER,
    K_TREANT,
    M_CHANNEL,
    M_NORMAL,
    N_BLD,
    NONE,
    R_INVENTORY_FULL,
    SK_ELEPHANT_SUMMON,
    SLOT_CREEP0,
    SLOT_LEADER0,
    SLOT_SUMMON0,
    SP_COOLDOWN,
)
from shotcaller.sim.skills import on_kill, on_leader_death
from shotcaller.sim.spawn import init_unit


@kernel
def give_gold(S, b, li, amount):
    """Gold to leader li, scaled by its gold-gain multiplier (GreedyTouch)."""
    g = amount * S.units[b, SLOT_LEADER0 + li].gold_mult
    S.leaders[b, li].gold += g
    S.leaders[b, li].gold_total += g


@kernel
def _update_protection(S, b, team):
    """Protection order: tower k needs tower k-1 of its lane down; barracks need the lane's towers
    down; the core needs one barracks down."""
    base = team * N_BLD
    any_rax_down = False
    for lane in range(3):
        for tier in range(3):
            s = base + 4 + lane * 3 + tier
            if S.units[b, s].alive != 0:
                S.units[b, s].invuln = 1 if (tier > 0 and S.units[b, s - 1].alive != 0) else 0
        towers_up = False
        for tier in range(3):
            if S.units[b, base + 4 + lane * 3 + tier].alive != 0:
                towers_up = True
        r = base + 1 + lane
        if S.units[b, r].alive != 0:
            S.units[b, r].invuln = 1 if towers_up else 0
        else:
            any_rax_down = True
    S.units[b, base].invuln = 0 if any_rax_down else 1


@kernel
def resolve_deaths(S, T, b):
    """Every unit at 0 health dies: credit and bounties first, then the deaths themselves."""
    t = S.games[b].tick
    un = S.units[b]
    U = un.shape[0]
    g = S.games[b]
    dying = g.buf[1]
    nd = 0
    # dying units were alive at the start of the tick (live list) or are summons spawned this tick
    for i in range(g.n_live):
        v = g.live[i]
        if v < SLOT_SUMMON0 or v >= SLOT_CREEP0:
            if un[v].alive != 0 and un[v].hp <= 0:
                dying[nd] = v
                nd += 1
    for v in range(SLOT_SUMMON0, SLOT_CREEP0):
        if un[v].alive != 0 and un[v].hp <= 0:
            dying[nd] = v
            nd += 1
    if nd == 0:
        return
    # pass 1: credit
    for i in range(nd):
        v = dying[i]
        w = un[v]
        killer = w.last_attacker
        kl = w.last_attacker_leader
        if kl >= 0 and S.leaders[b, kl].team == w.team:
            kl = NONE  # no bounty for denies
        emit(S, b, E_KILL, v, killer, kl, w.kind)
        k = w.kind
        if k == K_LEADER:
            if kl >= 0:
                give_gold(S, b, kl, T.bounty_leader)
                S.leaders[b, kl].kills += 1
                on_kill(S, T, b, kl)
            S.teams[b, 1 - w.team].kills += 1
        elif k == K_CREEP or k == K_TREANT or k == K_ELEPHANT:
            if kl >= 0:
                give_gold(S, b, kl, T.bounty_creep)
                if k == K_CREEP:
                    S.leaders[b, kl].last_hits += 1
        elif k == K_TOWER or k == K_BARRACKS:
            bounty = T.bounty_tower if k == K_TOWER else T.bounty_barracks
            for i in range(5):
                give_gold(S, b, (1 - w.team) * 5 + i, bounty)
    # pass 2: deaths
    for i in range(nd):
        v = dying[i]
        w = un[v]
        w.alive = 0
        w.hp = 0.0
        w.target = NONE
        clear_effects(S, b, v)
        k = w.kind
        if k == K_LEADER:
            li = v - SLOT_LEADER0
            ld = S.leaders[b, li]
            ld.deaths += 1
            minutes = np.int64(t // (60 * T.tps))
            ld.respawn_at = t + np.int64(T.respawn_base + T.respawn_per_min * minutes)
            ld.mode = M_NORMAL
            ld.channel_until = NONE
            on_leader_death(S, T, b, li)
        elif k == K_ELEPHANT:
            S.leaders[b, w.owner].elephant_ready = t + np.int32(T.skill_p[SK_ELEPHANT_SUMMON, SP_COOLDOWN])
        elif k == K_TOWER or k == K_BARRACKS or k == K_CORE:
            S.teams[b, w.team].buildings_lost += 1
            S.games[b].seen_hp[0, v] = 0.0
            S.games[b].seen_hp[1, v] = 0.0
            emit(S, b, E_BUILDING, w.team, w.sub, v, 0)
            _update_protection(S, b, w.team)
    # targets pointing at dead units are dropped
    for u in range(U):
        if un[u].alive != 0 and un[u].target >= 0 and un[un[u].target].alive == 0:
            un[u].target = NONE


@kernel
def _buy(S, T, b, li, it):
    for k in range(T.inv_slots):
        if S.games[b].inv[li, k] < 0:
            S.games[b].inv[li, k] = it
            S.leaders[b, li].gold -= T.item_price[it]
            S.units[b, SLOT_LEADER0 + li].dirty = 1
            emit(S, b, E_PURCHASE, li, it, 0, 0)
            return True
    return False


@kernel
def economy_phase(S, T, b):
    """Passive gold, fountain healing, shopping at the core, respawns and teleport channels."""
    t = S.games[b].tick
    un = S.units[b]
    for li in range(10):
        ld = S.leaders[b, li]
        u = SLOT_LEADER0 + li
        me = un[u]
        team = ld.team
        give_gold(S, b, li, T.gold_per_tick)
        if me.alive == 0:
            if ld.respawn_at >= 0 and t >= ld.respawn_at:
                h = ld.hero
                init_unit(
                    S, T, b, u, K_LEADER, team, T.bld_xy[team, 0, 0], T.bld_xy[team, 0, 1], T.hero_stats[h], 1.0, li
                )
                me.ranged = T.hero_ranged[h]
                me.lane = ld.order_a if ld.order <= 3 else me.lane
                me.dirty = 1
                refresh_stats(S, T, b, u)
                me.hp = me.max_hp
                ld.respawn_at = NONE
                ld.skill_ready_at[:] = 0
                emit(S, b, E_RESPAWN, li, 0, 0, 0)
            continue
        if ld.mode == M_CHANNEL:
            if me.stun_until > t:
                ld.mode = M_NORMAL
            elif t >= ld.channel_until:
                s = ld.channel_target
                ld.mode = M_NORMAL
                if s >= 0 and un[s].alive != 0:
                    me.x = un[s].x
                    me.y = un[s].y
                    me.goal_x = me.x
                    me.goal_y = me.y
                    ld.teleport_ready_at = t + T.tp_cd
                    emit(S, b, E_TELEPORT, li, un[s].sub, 0, 0)
        dx = me.x - T.bld_xy[team, 0, 0]
        dy = me.y - T.bld_xy[team, 0, 1]
        if dx * dx + dy * dy <= T.fountain_r * T.fountain_r and me.hp > 0:
            me.hp = min(me.max_hp, me.hp + me.max_hp * T.heal_per_tick)
            # shop: the coach's queue first (FIFO), then the build list
            while S.games[b].buyq[li, 0] >= 0:
                it = S.games[b].buyq[li, 0]
                if ld.gold < T.item_price[it]:
                    break
                ok = _buy(S, T, b, li, it)
                last = T.inv_slots - 1
                for k in range(last):
                    S.games[b].buyq[li, k] = S.games[b].buyq[li, k + 1]
                S.games[b].buyq[li, last] = NONE
                if not ok:
                    emit(S, b, E_PURCHASE_FAILED, li, it, R_INVENTORY_FULL, 0)
            n_build = T.hero_build.shape[1]
            if S.games[b].buyq[li, 0] < 0 and ld.build_next < n_build:
                it = T.hero_build[ld.hero, ld.build_next]
                if it < 0:
                    ld.build_next = n_build
                elif ld.gold >= T.item_price[it]:
                    if _buy(S, T, b, li, it):
                        ld.build_next += 1


@kernel
def end_phase(S, T, b):
    """A team wins when the enemy core falls; the time limit ends the match by the tie-break."""
    g = S.games[b]
    blue_core = S.units[b, 0].alive != 0
    red_core = S.units[b, N_BLD].alive != 0
    if not blue_core or not red_core:
        g.done = 1
        g.end_reason = 0
        g.winner = 2 if (not blue_core and not red_core) else (1 if not blue_core else 0)
    elif g.tick + 1 >= T.time_limit:
        g.done = 1
        g.end_reason = 1
        g.winner = 2
        if T.tiebreak == 1:
            lb = S.teams[b, 0].buildings_lost
            lr = S.teams[b, 1].buildings_lost
            if lb < lr:
                g.winner = 0
            elif lr < lb:
                g.winner = 1
    if g.done != 0:
        g.end_tick = g.tick + 1
        emit(S, b, E_GAME_OVER, g.winner, g.end_reason, 0, 0)
