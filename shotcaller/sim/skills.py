"""The twenty leader skills (docs/design.md section 5): triggers, effects, reactions and summons."""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import inline_kernel, kernel
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
    NEVER,
    NONE,
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
    SP_COOLDOWN,
    SP_COUNT,
    SP_DAMAGE,
    SP_DAMAGE_PER_TICK,
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
        if ld.streak_target == v:
            step = _sp(T, SK_ATTACK_SPEED_INCREASE, SP_VALUE)
            cap = _sp(T, SK_ATTACK_SPEED_INCREASE, SP_MAX)
            nmax = np.int64(cap / step + 0.5) if step > 0 else 0
            if ld.streak < nmax:
                ld.streak += 1
        else:
            ld.streak_target = v
            ld.streak = 0
        add_effect(
            S,
            b,
            u,
            KEY_SKILL + SK_ATTACK_SPEED_INCREASE,
            ST_AS,
            OP_ADDMUL,
            ld.streak * _sp(T, SK_ATTACK_SPEED_INCREASE, SP_VALUE),
            t + np.int32(_sp(T, SK_ATTACK_SPEED_INCREASE, SP_DURATION)),
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
                emit(S, b, E_SKILL, src, SK_THORN_VOLLEY, NONE, 0)
        elif kind == RX_RETURN_AOE:
            if S.units[b, src].alive != 0:
                _aoe_damage(S, T, b, src, _sp(T, SK_RETURN_AOE, SP_RADIUS), _sp(T, SK_RETURN_AOE, SP_DAMAGE))
                emit(S, b, E_SKILL, src, SK_RETURN_AOE, NONE, 0)
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
    """Spawn a summon of ``kind`` next to leader li in a free summon slot; returns the slot or NONE."""
    lu = SLOT_LEADER0 + li
    for k in range(SUMMONS_PER_LEADER):
        s = SLOT_SUMMON0 + li * SUMMONS_PER_LEADER + k
        if S.units[b, s].alive == 0:
            row = UK_ELEPHANT if kind == K_ELEPHANT else UK_TREANT
            L = S.units[b, lu]
            init_unit(S, T, b, s, kind, L.team, L.x, L.y, T.unit_stats[row], 1.0, li)
            S.units[b, s].lane = L.lane
            return s
    return NONE


# ---------------------------------------------------------------------------- periodic skills
@kernel
def _closest(S, b, u, out, n):
    best = NONE
    bd = np.int64(1) << 60
    for i in range(n):
        v = out[i]
        d = dist2(S, b, u, v)
        if d < bd or (d == bd and v < best):  # ties to the lowest slot: grid order (top row first) favours a side
            bd = d
            best = v
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


# One function per auto-cast skill (or family). Each gets the leader li (unit u), the skill slot sl and
# id sk, and ``near[:nn]``: the enemy mobile units around the leader (within the largest radius needed).
@kernel
def _cast_area_damage(S, T, b, li, u, sl, sk, near, nn):
    """Cleave, SlowAOE: with enough enemies within the radius, damage them all (SlowAOE also slows)."""
    if not skill_ready(S, b, li, sl):
        return
    out = S.games[b].buf[1]
    n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
    if n < _sp(T, sk, SP_COUNT):
        return
    dmg = _sp(T, sk, SP_DAMAGE)
    until = S.games[b].tick + np.int32(_sp(T, sk, SP_DURATION))
    for i in range(n):
        v = out[i]
        if sk == SK_SLOW_AOE:
            add_effect(S, b, v, KEY_SKILL + sk, ST_MOVE, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
        deal_damage(S, T, b, u, v, dmg, D_SKILL)
    skill_used(S, T, b, li, sl, sk)
    emit(S, b, E_SKILL, u, sk, NONE, n)


@inline_kernel
def _targets_in_radius(S, T, b, li, u, sl, sk, near, nn, out):
    """Root, BattleHunger, AirCorrosion share this start: ready, and how many enemies are within the
    radius (written to ``out``); 0 means do not cast."""
    if not skill_ready(S, b, li, sl):
        return 0
    return _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)


@kernel
def _cast_root(S, T, b, li, u, sl, sk, near, nn):
    """Root the closest enemy within the radius."""
    out = S.games[b].buf[1]
    n = _targets_in_radius(S, T, b, li, u, sl, sk, near, nn, out)
    if n == 0:
        return
    until = S.games[b].tick + np.int32(_sp(T, sk, SP_DURATION))
    v = _closest(S, b, u, out, n)
    if S.units[b, v].root_until < until:
        S.units[b, v].root_until = until
    skill_used(S, T, b, li, sl, sk)
    emit(S, b, E_SKILL, u, sk, v, n)


@kernel
def _cast_battle_hunger(S, T, b, li, u, sl, sk, near, nn):
    """The closest enemy within the radius takes damage over time and is slowed; the caster speeds up."""
    out = S.games[b].buf[1]
    n = _targets_in_radius(S, T, b, li, u, sl, sk, near, nn, out)
    if n == 0:
        return
    until = S.games[b].tick + np.int32(_sp(T, sk, SP_DURATION))
    v = _closest(S, b, u, out, n)
    add_effect(S, b, v, KEY_SKILL + sk, ST_DOT, OP_ADD, _sp(T, sk, SP_DAMAGE_PER_TICK), until, u)
    refresh_stats(S, T, b, v)  # the damage over time starts this very tick
    S.games[b].n_dot += 1
    add_effect(S, b, v, KEY_SKILL + sk + 20, ST_MOVE, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
    add_effect(S, b, u, KEY_BH_SELF, ST_MOVE, OP_MUL, _sp(T, sk, SP_MAX), until, u)
    skill_used(S, T, b, li, sl, sk)
    emit(S, b, E_SKILL, u, sk, v, n)


@kernel
def _cast_air_corrosion(S, T, b, li, u, sl, sk, near, nn):
    """Every enemy within the radius loses defense (the event names the closest)."""
    out = S.games[b].buf[1]
    n = _targets_in_radius(S, T, b, li, u, sl, sk, near, nn, out)
    if n == 0:
        return
    until = S.games[b].tick + np.int32(_sp(T, sk, SP_DURATION))
    v = _closest(S, b, u, out, n)
    for i in range(n):
        add_effect(S, b, out[i], KEY_SKILL + sk, ST_DEF, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
    skill_used(S, T, b, li, sl, sk)
    emit(S, b, E_SKILL, u, sk, v, n)


@kernel
def _cast_battle_call(S, T, b, li, u, sl, sk, near, nn):
    """Speed up when retreating or when an enemy leader comes close."""
    if not skill_ready(S, b, li, sl):
        return
    go = S.leaders[b, li].mode == M_RETREAT
    if not go:
        go = _within(S, b, u, near, nn, BATTLE_CALL_RADIUS, KM_LEADER, S.games[b].buf[1]) > 0
    if go:
        until = S.games[b].tick + np.int32(_sp(T, sk, SP_DURATION))
        add_effect(S, b, u, KEY_SKILL + sk, ST_MOVE, OP_MUL, _sp(T, sk, SP_VALUE), until, u)
        skill_used(S, T, b, li, sl, sk)
        emit(S, b, E_SKILL, u, sk, u, 0)


@kernel
def _cast_nature_summon(S, T, b, li, u, sl, sk, near, nn):
    """A treant every cooldown, up to the maximum alive."""
    ld = S.leaders[b, li]
    t = S.games[b].tick
    if t >= ld.summon_ready and count_summons(S, b, li, K_TREANT) < _sp(T, sk, SP_MAX):
        s = spawn_summon(S, T, b, li, K_TREANT)
        if s >= 0:
            ld.summon_ready = t + np.int32(_sp(T, sk, SP_COOLDOWN))
            emit(S, b, E_SKILL, u, sk, s, 0)


@kernel
def _cast_elephant_summon(S, T, b, li, u, sl, sk, near, nn):
    """One elephant; its death starts the cooldown (economy.resolve_deaths)."""
    ld = S.leaders[b, li]
    if S.games[b].tick >= ld.elephant_ready and count_summons(S, b, li, K_ELEPHANT) == 0:
        s = spawn_summon(S, T, b, li, K_ELEPHANT)
        if s >= 0:
            ld.elephant_ready = NEVER  # until it dies
            emit(S, b, E_SKILL, u, sk, s, 0)


@kernel
def _cast_spell_steal(S, T, b, li, u, sl, sk, near, nn):
    """Once a life: copy one of the closest enemy leader's own skills (one it lacks) into slot 2."""
    ld = S.leaders[b, li]
    if ld.stolen_life != 0:
        return
    out = S.games[b].buf[1]
    n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_LEADER, out)
    if n == 0:
        return
    v = _closest(S, b, u, out, n)
    theirs = S.leaders[b, v - SLOT_LEADER0].skills
    mine = ld.skills
    c0 = theirs[0]
    c1 = theirs[1]
    ok0 = c0 >= 0 and c0 != SK_SPELL_STEAL and c0 != mine[0] and c0 != mine[1]
    ok1 = c1 >= 0 and c1 != SK_SPELL_STEAL and c1 != mine[0] and c1 != mine[1]
    if not ok0 and not ok1:
        return
    pick = c0
    if ok0 and ok1:
        pick = c0 if rand_int(S, b, 2) == 0 else c1
    elif ok1:
        pick = c1
    mine[2] = pick
    ld.skill_ready_at[2] = 0
    ld.stolen_life = 1
    S.units[b, u].dirty = 1
    emit(S, b, E_SKILL, u, sk, v, pick)


@kernel
def _cast_telekinesis(S, T, b, li, u, sl, sk, near, nn):
    """With enough enemies near, pull the closest onto the second closest and stun everyone there."""
    if not skill_ready(S, b, li, sl):
        return
    out = S.games[b].buf[1]
    n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
    if n < _sp(T, sk, SP_COUNT):
        return
    v1 = NONE
    v2 = NONE
    d1 = np.int64(1) << 60
    d2 = np.int64(1) << 60
    for i in range(n):
        v = out[i]
        d = dist2(S, b, u, v)
        if d < d1 or (d == d1 and v < v1):  # ties to the lowest slot, as in _closest
            v2 = v1
            d2 = d1
            v1 = v
            d1 = d
        elif d < d2 or (d == d2 and v < v2):
            v2 = v
            d2 = d
    S.units[b, v1].x = S.units[b, v2].x
    S.units[b, v1].y = S.units[b, v2].y
    until = S.games[b].tick + np.int32(_sp(T, sk, SP_DURATION))
    enemy = 1 - S.units[b, u].team
    m = query(S, T, b, enemy, S.units[b, v2].x, S.units[b, v2].y, _sp(T, sk, SP_VALUE), KM_MOBILE, out)
    for i in range(m):
        if S.units[b, out[i]].stun_until < until:
            S.units[b, out[i]].stun_until = until
    # the pulled unit is stunned too, even if the grid has not seen its new tile yet
    if S.units[b, v1].stun_until < until:
        S.units[b, v1].stun_until = until
    skill_used(S, T, b, li, sl, sk)
    emit(S, b, E_SKILL, u, sk, v1, v2)


@kernel
def _cast_dark_presence(S, T, b, li, u, sl, sk, near, nn):
    """An aura: enemies within the radius lose defense while the caster keeps checking."""
    out = S.games[b].buf[1]
    n = _within(S, b, u, near, nn, _sp(T, sk, SP_RADIUS), KM_MOBILE, out)
    # refreshed on each of the caster's checks (every ai_every ticks): it lasts until just past the next
    # check, whatever the AI interval (a fixed 6 ticks left gaps at ai_interval 10)
    until = S.games[b].tick + T.ai_every + 2
    for i in range(n):
        add_effect(S, b, out[i], KEY_SKILL + sk, ST_DEF, OP_MUL, _sp(T, sk, SP_VALUE), until, u)


@inline_kernel
def _cast(S, T, b, li, u, sl, sk, near, nn):
    """Run one auto-cast check of skill ``sk`` in leader li's (unit u) skill slot ``sl``.

    Skills that trigger on attacks, hits, kills or deaths (on_attack, core.deal_damage, on_kill) are
    not here; those ids fall through.
    """
    if sk == SK_CLEAVE or sk == SK_SLOW_AOE:
        _cast_area_damage(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_ROOT:
        _cast_root(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_BATTLE_HUNGER:
        _cast_battle_hunger(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_AIR_CORROSION:
        _cast_air_corrosion(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_BATTLE_CALL:
        _cast_battle_call(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_NATURE_SUMMON:
        _cast_nature_summon(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_ELEPHANT_SUMMON:
        _cast_elephant_summon(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_SPELL_STEAL:
        _cast_spell_steal(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_TELEKINESIS:
        _cast_telekinesis(S, T, b, li, u, sl, sk, near, nn)
    elif sk == SK_DARK_PRESENCE:
        _cast_dark_presence(S, T, b, li, u, sl, sk, near, nn)


@inline_kernel
def _check_radius(S, T, b, li, sl, sk):
    """How far around the leader skill ``sk`` in slot ``sl`` needs to look this check (0: not at all)."""
    ld = S.leaders[b, li]
    if sk == SK_DARK_PRESENCE or (sk == SK_SPELL_STEAL and ld.stolen_life == 0):
        return np.float64(_sp(T, sk, SP_RADIUS))
    if sk == SK_BATTLE_CALL:
        if skill_ready(S, b, li, sl) and ld.mode != M_RETREAT:
            return BATTLE_CALL_RADIUS
        return 0.0
    if (
        sk == SK_CLEAVE
        or sk == SK_SLOW_AOE
        or sk == SK_ROOT
        or sk == SK_BATTLE_HUNGER
        or sk == SK_AIR_CORROSION
        or sk == SK_TELEKINESIS
    ):
        if skill_ready(S, b, li, sl):
            return np.float64(_sp(T, sk, SP_RADIUS))
    return 0.0


@kernel
def skills_phase(S, T, b, every):
    """Auto-cast skills of living leaders (staggered: each leader checks every ``every`` ticks)."""
    t = S.games[b].tick
    near = S.games[b].buf[0]
    # who checks is settled before anyone casts: the checks of a tick are simultaneous (as attacks are),
    # so a stun or lethal damage from a cast this tick stops its victim's checks from the next tick on,
    # whichever team comes first in slot order
    able = 0
    for li in range(10):
        if (t + li % 5) % every != 0:  # leader i of either team checks on the same ticks
            continue
        un = S.units[b, SLOT_LEADER0 + li]
        if un.alive != 0 and un.hp > 0 and un.stun_until <= t:
            able |= 1 << li
    if able == 0:
        return
    # Telekinesis moves units: it goes in a second pass, after every other check saw the same positions
    for tk in range(2):
        for li in range(10):
            if not (able >> li) & 1:
                continue
            u = SLOT_LEADER0 + li
            un = S.units[b, u]
            skills = S.leaders[b, li].skills
            # the neighbourhood is looked up only when a skill that needs it can fire now
            r = 0.0
            for sl in range(3):
                sk = skills[sl]
                if sk >= 0 and (sk == SK_TELEKINESIS) == (tk == 1):
                    r = max(r, _check_radius(S, T, b, li, sl, sk))
            nn = query(S, T, b, 1 - un.team, un.x, un.y, r, KM_MOBILE, near) if r > 0 else 0
            for sl in range(3):
                sk = skills[sl]
                if sk >= 0 and (sk == SK_TELEKINESIS) == (tk == 1):
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
    ld.skills[2] = NONE
    ld.stolen_life = 0
    ld.streak_target = NONE
    ld.streak = 0
    ld.atk_count = 0
