"""Unit creation: the reset of a game (buildings, draft, leaders) and creep waves."""

from __future__ import annotations

import numpy as np

from shotcaller.sim._jit import entry, kernel
from shotcaller.sim.core import clear_effects, emit, rand_int
from shotcaller.sim.layout import (
    DEFAULT_LANES,
    DRAFT_ORDER,
    E_SPAWN_SKIPPED,
    K_BARRACKS,
    K_CORE,
    K_CREEP,
    K_LEADER,
    K_TOWER,
    LONG_AGO,
    N_BLD,
    NEVER,
    NONE,
    SLOT_CREEP0,
    SLOT_LEADER0,
    UK_BARRACKS,
    UK_CORE,
    UK_CREEP,
    UK_TOWER,
)


@entry
def init_unit(S, T, b, s, kind, team, x, y, stats, mult, owner):
    """Fill slot s with a fresh living unit; ``stats`` is a (6,) row, health and attack scaled by mult."""
    un = S.units[b, s]
    t = S.games[b].tick
    un.kind = kind
    un.team = team
    un.alive = 1
    un.lane = 0
    un.sub = 0
    un.invuln = 0
    un.dirty = 0
    un.ranged = 1 if stats[4] > 2.0 else 0
    un.x = x
    un.y = y
    un.goal_x = x
    un.goal_y = y
    un.target = NONE
    un.owner = owner
    un.path_index = 0
    un.last_attacker = NONE
    un.last_attacker_leader = NONE
    un.cover = 0
    un.threat = 0.0
    un.backdoor_pool = 0.0
    un.backdoor = 0
    un.base_hp = stats[0] * mult
    un.base_atk = stats[1] * mult
    un.base_def = stats[2]
    un.base_as = stats[3]
    un.base_range = stats[4]
    un.base_refill = stats[5]
    un.max_hp = un.base_hp
    un.hp = un.base_hp
    un.atk = un.base_atk
    un.dfn = un.base_def
    un.aspd = un.base_as
    un.attack_range = un.base_range
    un.refill = un.base_refill
    un.gold_mult = 1.0
    un.dot = 0.0
    un.move_points = 0.0
    un.next_attack = t
    un.stun_until = 0
    un.root_until = 0
    un.next_expire = NEVER
    un.aggro_tick = LONG_AGO
    un.spawn_tick = t
    clear_effects(S, b, s)
    un.dirty = 0


@kernel
def _random_draft(S, b, draft):
    taken = np.zeros(10, np.bool_)
    counts = np.zeros(2, np.int64)
    for p in range(10):
        team = DRAFT_ORDER[p]
        k = rand_int(S, b, 10 - p)
        h = NONE
        for c in range(10):
            if not taken[c]:
                if k == 0:
                    h = c
                    break
                k -= 1
        taken[h] = True
        draft[team * 5 + counts[team]] = h
        counts[team] += 1


@kernel
def reset_game(S, T, b, seed, given_draft):
    """Start game b afresh from ``seed``; ``given_draft`` (10,) hero ids or NONE for a random draft."""
    g = S.games[b]
    episode = g.episode
    un = S.units[b]
    for u in range(un.shape[0]):
        un[u].alive = 0
        un[u].kind = 0
        un[u].hp = 0.0
        un[u].target = NONE
        ef = S.effects[b, u]
        for e in range(ef.shape[0]):
            ef[e].key = 0
    for p in range(S.proj.shape[1]):
        S.proj[b, p].alive = 0
    g.n_proj = 0
    g.n_pending = 0
    for team in range(2):
        for q in range(S.pending.shape[2]):
            S.pending[b, team, q].used = 0
        tm = S.teams[b, team]
        tm.orders_given = 0
        tm.orders_rejected = 0
        tm.buildings_lost = 0
        tm.kills = 0
        tm.apm_pos = 0
        tm.seq = 0
        tm.fortify_until = 0
        tm.fortify_ready_at = 0
    S.games[b].inv[:, :] = NONE
    S.games[b].buyq[:, :] = NONE
    S.games[b].apm[:, :] = 1000 * LONG_AGO  # no order yet (a value of its own: checksums hash it)
    S.games[b].vis[:, :] = 0
    S.games[b].front[:, :] = NONE
    g.tick = 0
    g.done = 0
    g.winner = NONE
    g.end_reason = NONE
    g.end_tick = NONE
    g.next_wave = T.first_wave
    g.n_react = 0
    g.seed = seed
    g.rng_state = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019)
    g.episode = episode + 1
    # buildings
    for team in range(2):
        for sub in range(N_BLD):
            s = team * N_BLD + sub
            if sub == 0:
                kind = K_CORE
                row = UK_CORE
                lane = 1
            elif sub < 4:
                kind = K_BARRACKS
                row = UK_BARRACKS
                lane = sub - 1
            else:
                kind = K_TOWER
                row = UK_TOWER
                lane = (sub - 4) // 3
            init_unit(
                S, T, b, s, kind, team, T.bld_xy[team, sub, 0], T.bld_xy[team, sub, 1], T.unit_stats[row], 1.0, NONE
            )
            un = S.units[b, s]
            un.lane = lane
            un.sub = sub
            # protection order: only the outer towers start vulnerable
            un.invuln = 0 if (kind == K_TOWER and (sub - 4) % 3 == 0) else 1
            S.games[b].seen_hp[team, s] = un.hp
            S.games[b].seen_hp[1 - team, s] = un.hp
    # draft
    draft = S.games[b].draft
    if given_draft[0] >= 0:
        for i in range(10):
            draft[i] = given_draft[i]
    else:
        # the random draft has its own stream, so the match's randomness is the same whether the
        # draft was drawn or given (a replay gives the recorded draft)
        g.rng_state = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + np.uint64(0x8BB84B93962EACC9)
        _random_draft(S, b, draft)
    g.rng_state = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019)
    # leaders
    for li in range(10):
        team = li // 5
        i = li % 5
        h = draft[li]
        s = SLOT_LEADER0 + li
        cx = T.bld_xy[team, 0, 0]
        cy = T.bld_xy[team, 0, 1]
        init_unit(S, T, b, s, K_LEADER, team, cx, cy, T.hero_stats[h], 1.0, li)
        S.units[b, s].ranged = T.hero_ranged[h]
        S.units[b, s].lane = DEFAULT_LANES[i]
        ld = S.leaders[b, li]
        ld.hero = h
        ld.team = team
        ld.idx = i
        ld.profile = T.leader_profile[li]
        ld.stance = 1
        ld.mode = 0
        ld.order = 1  # lane
        ld.order_a = DEFAULT_LANES[i]
        ld.order_b = 0
        ld.prev_order = 1
        ld.prev_a = DEFAULT_LANES[i]
        ld.prev_b = 0
        ld.micro = 0
        ld.micro_a = 0
        ld.micro_b = 0
        ld.stolen_life = 0
        ld.build_next = 0
        ld.slot = s
        ld.channel_target = NONE
        ld.skills[0] = T.hero_skills[h, 0]
        ld.skills[1] = T.hero_skills[h, 1]
        ld.skills[2] = NONE
        ld.streak_target = NONE
        ld.streak = 0
        ld.souls = 0
        ld.back_def = 0
        ld.gold = T.start_gold
        ld.gold_total = 0.0
        ld.damage = 0.0
        ld.kills = 0
        ld.deaths = 0
        ld.last_hits = 0
        ld.respawn_at = NONE
        ld.teleport_ready_at = 0
        ld.channel_until = NONE
        ld.skill_ready_at[:] = 0
        ld.atk_count = 0
        ld.recv_atk = 0
        ld.recv_hits = 0
        ld.summon_ready = 0
        ld.elephant_ready = 0
        ld.gank_seen = 0
        ld.defending = NONE
        ld.defend_seen = 0


@kernel
def spawn_waves(S, T, b):
    """Every wave interval, each living barracks sends ``wave_size`` creeps down its lane."""
    g = S.games[b]
    t = g.tick
    if t < g.next_wave:
        return
    g.next_wave = t + T.wave_every
    minutes = t / (60.0 * T.tps)
    growth = 1.0 + T.growth * minutes
    U = S.units.shape[1]
    per_team = (U - SLOT_CREEP0) // 2
    for team in range(2):
        base = SLOT_CREEP0 + team * per_team
        slot = base
        for lane in range(3):
            rax = team * N_BLD + 1 + lane
            if S.units[b, rax].alive == 0:
                continue
            mult = growth
            if S.units[b, (1 - team) * N_BLD + 1 + lane].alive == 0:
                mult *= 1.0 + T.mega
            x = T.bld_xy[team, 1 + lane, 0]
            y = T.bld_xy[team, 1 + lane, 1]
            for _ in range(T.wave_size):
                while slot < base + per_team and S.units[b, slot].alive != 0:
                    slot += 1
                if slot >= base + per_team:
                    emit(S, b, E_SPAWN_SKIPPED, team, lane, 0, 0)
                    break
                init_unit(S, T, b, slot, K_CREEP, team, x, y, T.unit_stats[UK_CREEP], mult, NONE)
                S.units[b, slot].lane = lane
                S.units[b, slot].path_index = 0
                slot += 1
