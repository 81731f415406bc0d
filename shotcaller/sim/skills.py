"""The twenty leader skills (docs/design.md section 5): triggers, effects, reactions and summons."""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.core import (
    add_effect,
    deal_damage,
    dist2,
    emit,
    query,
    rand_int,
    refresh_stats,
    skill_ready,
    skill_slot,
    skill_used,
)
from shotcaller.sim.layout import (
    D_REFLECT,
    D_SKILL,
    E_SKILL,
    K_ELEPHANT,
    K_LEADER,
    K_TREANT,
    KM_LEADER,
    KM_MOBILE,
    M_RETREAT,
    OP_ADD,
    OP_ADDMUL,
    OP_MUL,
    RX_RETURN_AOE,
    RX_RETURN_DAMAGE,
    RX_THORNS,
    SK_AIR_CORROSION,
    SK_ATTACK_SPEED_INCREASE,
    SK_BATTLE_CALL,
    SK_BATTLE_HUNGER,
    SK_CLEAVE,
    SK_DARK_PRESENCE,
    SK_DOUBLE_DAMAGE,
    SK_ELEPHANT_SUMMON,
    SK_GREEDY_TOUCH,
    SK_NATURE_SUMMON,
    SK_RETURN_AOE,
    SK_RETURN_DAMAGE,
    SK_ROOT,
    SK_SAVAGERY,
    SK_SLOW_AOE,
    SK_SPELL_STEAL,
    SK_STEAL_SOUL,
    SK_TELEKINESIS,
    SK_THORN_VOLLEY,
    SLOT_LEADER0,
    SLOT_SUMMON0,
    SP_COUNT,
    SP_DAMAGE,
    SP_DURATION,
    SP_MAX,
    SP_RADIUS,
    SP_VALUE,
    ST_AS,
    ST_DEF,
    ST_DOT,
    ST_GOLD,
    ST_MOVE,
    SUMMONS_PER_LEADER,
    UK_ELEPHANT,
    UK_TREANT,
)
from shotcaller.sim.spawn import init_unit

KEY_SKILL = 1  # effector key of skill s is KEY_SKILL + s
KEY_BH_SELF = 40  # BattleHunger's self speed buff
BATTLE_CALL_RADIUS = 7.0  # BattleCall fires when an enemy leader is this close (or when retreating)


@kernel
def _sp(T, sk, col):
    return T.skill_p[sk, col]


# ---------------------------------------------------------------------------- on attack
@kernel
def on_attack(S, T, b, u, v):
    """Leader u attacks v: returns the damage multiplier; stacks and triggers attack skills."""
    li = u - SLOT_LEADER0
    ld = S.leaders[b, li]
    t = S.games[b].tick
    mult = 1.0
    ld.atk_count += 1
    sl = skill_slot(S, b, li, SK_DOUBLE_DAMAGE)
    if sl >= 0:
        every = max(1, np.int64(_sp(T, SK_DOUBLE_DAMAGE, SP_COUNT)))
        if ld.atk_count % every == 0:
            mult *= _sp(T, SK_DOUBLE_DAMAGE, SP_VALUE)
            emit(S, b, E_SKILL, u, SK_DOUBLE_DAMAGE, v, 0)
    sl = skill_slot(S, b, li, SK_ATTACK_SPEED_INCREASE)
    if sl >= 0:
        if ld.cons_target == v:
            step = _sp(T, SK_ATTACK_SPEED_INCREASE, SP_VALUE)
            cap = _sp(T, SK_ATTACK_SPEED_INCREASE, SP_MAX)
            nmax = np.int64(cap / step + 0.5) if step > 0 else 0
            if ld.cons_n < nmax:
                ld.cons_n += 1
        else:
            ld.cons_target = v
            ld.cons_n = 0
        add_effect(
            S,
            b,
            u,
            KEY_SKILL + SK_ATTACK_SPEED_INCREASE,
            ST_AS,
            OP_ADDMUL,
            ld.cons_n * _sp(T, SK_ATTACK_SPEED_INCREASE, SP_VALUE),
            t + 60,
            u,
        )
    sl = skill_slot(S, b, li, SK_SAVAGERY)
    if sl >= 0 and skill_ready(S, b, li, sl):
        until = t + np.int32(_sp(T, SK_SAVAGERY, SP_DURATION))
        val = _sp(T, SK_SAVAGERY, SP_VALUE)
        add_effect(S, b, u, KEY_SKILL + SK_SAVAGERY, ST_AS, OP_ADD, val, until, u)
        for k in range(SUMMONS_PER_LEADER):
            s = SLOT_SUMMON0 + li * SUMMONS_PER_LEADER + k
            if S.units[b, s].alive != 0 and S.units[b, s].kind == K_ELEPHANT:
                add_effect(S, b, s, KEY_SKILL + SK_SAVAGERY, ST_AS, OP_ADD, val, until, u)
        skill_used(S, T, b, li, sl, SK_SAVAGERY)
        emit(S, b, E_SKILL, u, SK_SAVAGERY, u, 0)
    sl = skill_slot(S, b, li, SK_GREEDY_TOUCH)
    if sl >= 0 and skill_ready(S, b, li, sl):
        until = t + np.int32(_sp(T, SK_GREEDY_TOUCH, SP_DURATION))
        add_effect(S, b, u, KEY_SKILL + SK_GREEDY_TOUCH, ST_GOLD, OP_MUL, _sp(T, SK_GREEDY_TOUCH, SP_VALUE), until, u)
        skill_used(S, T, b, li, sl, SK_GREEDY_TOUCH)
        emit(S, b, E_SKILL, u, SK_GREEDY_TOUCH, u, 0)
    if S.units[b, v].kind == K_LEADER:
        S.units[b, u].aggro_tick = t
    return mult


# ---------------------------------------------------------------------------- reactions
@kernel
def _aoe_damage(S, T, b, src, radius, dmg):
    us = S.units[b, src]
    out = S.games[b].buf[1]
    n = query(S, T, b, 1 - us.team, us.x, us.y, radius, KM_MOBILE, out)
    for i in range(n):
        deal_damage(S, T, b, src, out[i], dmg, D_SKILL)
    return n


@kernel
def drain_reactions(S, T, b):
    """Resolve queued reflect / thorns / return effects (they may queue more; cooldowns bound it)."""
    g = S.games[b]
    i = 0
    while i < g.n_react:
        r = S.react[b, i]
        kind = r.kind
        src = r.src
        if kind == RX_RETURN_DAMAGE:
            deal_damage(S, T, b, src, r.dst, r.amount, D_REFLECT)
            emit(S, b, E_SKILL, src, SK_RETURN_DAMAGE, r.dst, 0)
        elif kind == RX_THORNS:
            if S.units[b, src].alive != 0:
                _aoe_damage(S, T, b, src, _sp(T, SK_THORN_VOLLEY, SP_RADIUS), _sp(T, SK_THORN_VOLLEY, SP_DAMAGE))
                emit(S, b, E_SKILL, src, SK_THORN_VOLLEY, -1, 0)
        elif kind == RX_RETURN_AOE:
            if S.units[b, src].alive != 0:
                _aoe_damage(S, T, b, src, _sp(T, SK_RETURN_AOE, SP_RADIUS), _sp(T, SK_RETURN_AOE, SP_DAMAGE))
                emit(S, b, E_SKILL, src, SK_RETURN_AOE, -1, 0)
        i += 1
    g.n_react = 0


# ---------------------------------------------------------------------------- summons
@kernel
def count_summons(S, b, li, kind):
    """Living summons of ``kind`` owned by leader li."""
    n = 0
    for k in range(SUMMONS_PER_LEADER):
        s = SLOT_SUMMON0 + li * SUMMONS_PER_LEADER + k
        if S.units[b, s].alive != 0 and S.units[b, s].kind == kind:
            n += 1
    return n


@kernel
def spawn_summon(S, T, b, li, kind):
    """Spawn a summon of ``kind`` next to leader li in a free summon slot; returns the slot or -1."""
    lu = SLOT_LEADER0 + li
    for k in range(SUMMONS_PER_LEADER):
        s = SLOT_SUMMON0 + li * SUMMONS_PER_LEADER + k
        if S.units[b, s].alive == 0:
            row = UK_ELEPHANT if kind == K_ELEPHANT else UK_TREANT
            L = S.units[b, lu]
            init_unit(S, T, b, s, kind, L.team, L.x, L.y, T.unit_stats[row], 1.0, li)
            S.units[b, s].lane = L.lane
            return s
    return -1


# ---------------------------------------------------------------------------- periodic skills
@kernel
def _closest(S, b, u, out, n):
    best = -1
    bd = np.int64(1) << 60
    for i in range(n):
        d = dist2(S, b, u, out[i])
        if d < bd:
            bd = d
            best = out[i]
    return best


@kernel
def _within(S, b, u, near, nn, r, kmask, out):
    """Filter the precomputed neighbourhood ``near[:nn]`` to units of ``kmask`` within r of unit u."""
    n = 0
    r2 = r * r
    for i in range(nn):
        v = near[i]
        w = S.units[b, v]
        if w.hp <= 0 or not (kmask >> w.kind) & 1:
            continue
        if dist2(S, b, u, v) <= r2:
            out[n] = v
            n += 1
    return n


@kernel
def _cast(S, T, b, li, u, sl, sk, near, nn):
    """Run one auto-cast skill check for leader li (unit u) in skill slot sl.

    ``near[:nn]`` are the enemy mobile units around the leader (within the largest skill radius).
    """
    un = S.units[b, u]
    t = S.games[b].tick
    enemy = 1 - un.team
    out = S.games[b].buf[1]
    if sk == SK_CLEAVE or sk == SK_SLOW_AOE:
        if not skill_ready(S, b, li, sl):
            return
        n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
        if n >= _sp(T, sk, SP_COUNT):
            dmg = _sp(T, sk, SP_DAMAGE)
            until = t + np.int32(_sp(T, sk, SP_DURATION))
            for i in range(n):
                v = out[i]
                if sk == SK_SLOW_AOE:
                    add_effect(S, b, v, KEY_SKILL + sk, ST_MOVE, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
                deal_damage(S, T, b, u, v, dmg, D_SKILL)
            skill_used(S, T, b, li, sl, sk)
            emit(S, b, E_SKILL, u, sk, -1, n)
    elif sk == SK_ROOT or sk == SK_BATTLE_HUNGER or sk == SK_AIR_CORROSION:
        if not skill_ready(S, b, li, sl):
            return
        n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
        if n == 0:
            return
        until = t + np.int32(_sp(T, sk, SP_DURATION))
        v = _closest(S, b, u, out, n)
        if sk == SK_ROOT:
            if S.units[b, v].root_until < until:
                S.units[b, v].root_until = until
        elif sk == SK_BATTLE_HUNGER:
            add_effect(S, b, v, KEY_SKILL + sk, ST_DOT, OP_ADD, _sp(T, sk, SP_DAMAGE), until, u)
            refresh_stats(S, T, b, v)  # the damage over time starts this very tick
            S.games[b].n_dot += 1
            add_effect(S, b, v, KEY_SKILL + sk + 20, ST_MOVE, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
            add_effect(S, b, u, KEY_BH_SELF, ST_MOVE, OP_MUL, _sp(T, sk, SP_MAX), until, u)
        else:
            for i in range(n):
                add_effect(S, b, out[i], KEY_SKILL + sk, ST_DEF, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
        skill_used(S, T, b, li, sl, sk)
        emit(S, b, E_SKILL, u, sk, v, n)
    elif sk == SK_BATTLE_CALL:
        if not skill_ready(S, b, li, sl):
            return
        go = S.leaders[b, li].mode == M_RETREAT
        if not go:
            go = _within(S, b, u, near, nn, BATTLE_CALL_RADIUS, KM_LEADER, out) > 0
        if go:
            until = t + np.int32(_sp(T, sk, SP_DURATION))
            add_effect(S, b, u, KEY_SKILL + sk, ST_MOVE, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
            skill_used(S, T, b, li, sl, sk)
            emit(S, b, E_SKILL, u, sk, u, 0)
    elif sk == SK_NATURE_SUMMON:
        ld = S.leaders[b, li]
        if t >= ld.summon_ready and count_summons(S, b, li, K_TREANT) < _sp(T, sk, SP_MAX):
            s = spawn_summon(S, T, b, li, K_TREANT)
            if s >= 0:
                ld.summon_ready = t + np.int32(_sp(T, sk, 1))
                emit(S, b, E_SKILL, u, sk, s, 0)
    elif sk == SK_ELEPHANT_SUMMON:
        ld = S.leaders[b, li]
        if t >= ld.eleph_ready and count_summons(S, b, li, K_ELEPHANT) == 0:
            s = spawn_summon(S, T, b, li, K_ELEPHANT)
            if s >= 0:
                ld.eleph_ready = 2147483647  # until it dies
                emit(S, b, E_SKILL, u, sk, s, 0)
    elif sk == SK_SPELL_STEAL:
        ld = S.leaders[b, li]
        if ld.stolen_life != 0:
            return
        n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_LEADER, out)
        if n == 0:
            return
        v = _closest(S, b, u, out, n)
        vl = S.leaders[b, v - SLOT_LEADER0]
        c0 = vl.sk0
        c1 = vl.sk1
        ok0 = c0 >= 0 and c0 != SK_SPELL_STEAL and c0 != ld.sk0 and c0 != ld.sk1
        ok1 = c1 >= 0 and c1 != SK_SPELL_STEAL and c1 != ld.sk0 and c1 != ld.sk1
        if not ok0 and not ok1:
            return
        pick = c0
        if ok0 and ok1:
            pick = c0 if rand_int(S, b, 2) == 0 else c1
        elif ok1:
            pick = c1
        ld.sk2 = pick
        ld.cd2 = 0
        ld.stolen_life = 1
        S.units[b, u].dirty = 1
        emit(S, b, E_SKILL, u, sk, v, pick)
    elif sk == SK_TELEKINESIS:
        if not skill_ready(S, b, li, sl):
            return
        n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
        if n < _sp(T, sk, SP_COUNT):
            return
        v1 = -1
        v2 = -1
        d1 = np.int64(1) << 60
        d2 = np.int64(1) << 60
        for i in range(n):
            d = dist2(S, b, u, out[i])
            if d < d1:
                v2 = v1
                d2 = d1
                v1 = out[i]
                d1 = d
            elif d < d2:
                v2 = out[i]
                d2 = d
        S.units[b, v1].x = S.units[b, v2].x
        S.units[b, v1].y = S.units[b, v2].y
        until = t + np.int32(_sp(T, sk, SP_DURATION))
        m = query(S, T, b, enemy, S.units[b, v2].x, S.units[b, v2].y, _sp(T, sk, SP_VALUE), KM_MOBILE, out)
        for i in range(m):
            if S.units[b, out[i]].stun_until < until:
                S.units[b, out[i]].stun_until = until
        # the pulled unit is stunned too, even if the grid has not seen its new tile yet
        if S.units[b, v1].stun_until < until:
            S.units[b, v1].stun_until = until
        skill_used(S, T, b, li, sl, sk)
        emit(S, b, E_SKILL, u, sk, v1, v2)
    elif sk == SK_DARK_PRESENCE:
        n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
        for i in range(n):
            # an aura refreshed on each of the caster's checks (every ai_every ticks): it lasts until just
            # past the next check, whatever the AI interval (a fixed 6 ticks left gaps at ai_interval 10)
            until = t + T.ai_every + 2
            add_effect(S, b, out[i], KEY_SKILL + sk, ST_DEF, OP_MUL, _sp(T, sk, SP_VALUE), until, u)


@kernel
def skills_phase(S, T, b, every):
    """Auto-cast skills of living leaders (staggered: each leader checks every ``every`` ticks)."""
    t = S.games[b].tick
    near = S.games[b].buf[0]
    for li in range(10):
        if (t + li) % every != 0:
            continue
        u = SLOT_LEADER0 + li
        un = S.units[b, u]
        if un.alive == 0 or un.hp <= 0:
            continue
        if un.stun_until > t:
            continue
        ld = S.leaders[b, li]
        # the neighbourhood is looked up only when a skill that needs it can fire now
        r = 0.0
        for sl in range(3):
            sk = ld.sk0 if sl == 0 else (ld.sk1 if sl == 1 else ld.sk2)
            if sk < 0:
                continue
            if sk == SK_DARK_PRESENCE or (sk == SK_SPELL_STEAL and ld.stolen_life == 0):
                r = max(r, np.float64(_sp(T, sk, SP_RADIUS)))
            elif sk == SK_BATTLE_CALL:
                if skill_ready(S, b, li, sl) and ld.mode != M_RETREAT:
                    r = max(r, BATTLE_CALL_RADIUS)
            elif (
                sk == SK_CLEAVE
                or sk == SK_SLOW_AOE
                or sk == SK_ROOT
                or sk == SK_BATTLE_HUNGER
                or sk == SK_AIR_CORROSION
                or sk == SK_TELEKINESIS
            ):
                if skill_ready(S, b, li, sl):
                    r = max(r, np.float64(_sp(T, sk, SP_RADIUS)))
        nn = query(S, T, b, 1 - un.team, un.x, un.y, r, KM_MOBILE, near) if r > 0 else 0
        for sl in range(3):
            sk = ld.sk0 if sl == 0 else (ld.sk1 if sl == 1 else ld.sk2)
            if sk >= 0:
                _cast(S, T, b, li, u, sl, sk, near, nn)
    drain_reactions(S, T, b)


@kernel
def dot_phase(S, T, b):
    """Damage over time from effectors (BattleHunger), credited to their caster."""
    un = S.units[b]
    g = S.games[b]
    if g.n_dot == 0:
        return
    for i in range(g.n_live):
        u = g.live[i]
        if un[u].alive == 0 or un[u].dot <= 0 or un[u].hp <= 0:
            continue
        ef = S.effects[b, u]
        for e in range(ef.shape[0]):
            if ef[e].key != 0 and ef[e].stat == ST_DOT and ef[e].until > S.games[b].tick:
                deal_damage(S, T, b, ef[e].src, u, ef[e].val, D_SKILL)
    drain_reactions(S, T, b)


# ---------------------------------------------------------------------------- kills and deaths
@kernel
def on_kill(S, T, b, li):
    """Leader li got a kill (a last hit on an enemy leader)."""
    if skill_slot(S, b, li, SK_STEAL_SOUL) >= 0:
        ld = S.leaders[b, li]
        if ld.souls < _sp(T, SK_STEAL_SOUL, SP_MAX):
            ld.souls += 1
            S.units[b, SLOT_LEADER0 + li].dirty = 1


@kernel
def on_leader_death(S, T, b, li):
    """Skill state lost on death: half the souls, BackEndurance, the stolen skill, stacks."""
    ld = S.leaders[b, li]
    ld.souls = ld.souls // 2
    ld.back_def = 0
    ld.recv_hits = 0
    ld.recv_atk = 0
    ld.sk2 = -1
    ld.stolen_life = 0
    ld.cons_target = -1
    ld.cons_n = 0
    ld.atk_count = 0
