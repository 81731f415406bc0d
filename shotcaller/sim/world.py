"""Static tables of a match: the map, navigation fields, lane paths, buildings and content arrays.

Built once per (content, config) by :func:`build_world`; the kernels read them and never write.
Navigation: a distance field (uint16, costs 10 orthogonal / 14 diagonal) from every *anchor* tile.
On maps up to a few thousand floor tiles every floor tile is an anchor, so paths are exact;
bigger maps use one anchor per ``stride x stride`` block and walk the last block greedily.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shotcaller.content import Content
from shotcaller.sim.config import Params, SimConfig
from shotcaller.sim.layout import N_BLD, NONE, S_REFILL, SP_COOLDOWN, SP_DAMAGE_PER_TICK, SP_DURATION

DX = np.array([0, 1, 1, 1, 0, -1, -1, -1], np.int64)
DY = np.array([-1, -1, 0, 1, 1, 1, 0, -1], np.int64)
# Direction orders: blue scans N first, red its mirror image (S first), so ties break symmetrically.
DIR_ORDER = np.array([[0, 1, 7, 2, 6, 3, 5, 4], [4, 3, 5, 2, 6, 1, 7, 0]], np.int64)
NAV_BUDGET_BYTES = 48 << 20
# Leader AI: a gank order is given up when its target has been out of sight this long (seconds).
GANK_PATIENCE_S = 3.0
# Attack speed is attacks per 10 seconds (attack speed 10: one attack a second; docs/design.md 3).
ATTACK_SPEED_PERIOD_S = 10.0

# Fields of the table record (besides the rule numbers of _rule_fields):
# floor (H, W) bool; tidx (H, W) int32 floor index or -1; anchor_of (H, W) int32 anchor of the tile's
# block; anchor_xy (A, 2); dist (A, F) uint16 path cost to each anchor (65535 unreachable);
# dirs (8, 2) dx, dy; dir_order (2, 8); lane_path (2, 3, LM, 2) tiles from own barracks to enemy core;
# lane_len (2, 3); lane_of_x (W,); bld_xy (2, 13, 2) building tiles by team and sub index;
# bld_pidx (2, 13, 2) index of each building along each team's path of its lane;
# bld_near (H, W) int32 bitmask of the buildings (bit team * 13 + sub) within the building scan of the tile;
# unit_stats (8, 6) and hero_stats (10, 6) with refill in points per tick; hero_ranged (10,);
# hero_skills (10, 2); hero_build (10, 4); skill_p (20, 8) with cooldown and duration in ticks and
# damage over time per tick; item_price (I,); item_mods (I, 6); item_effect (I,); item_value (I,);
# item_dur (I,) ticks; prof (P, 13) (defend_hold_s in seconds); leader_profile (10,).


@dataclass(frozen=True)
class World:
    """Static data of a match: content, config, params, the kernel tables and the rule record."""

    content: Content
    config: SimConfig
    params: Params
    tables: np.ndarray  # (1,) structured record: static tables and rule numbers (durations and rates in ticks)
    stride: int

    @property
    def rec(self) -> np.void:
        """The table record the kernels read (``T`` in kernel signatures)."""
        return self.tables[0]

    @property
    def width(self) -> int:
        return int(self.tables[0]["floor"].shape[1])

    @property
    def height(self) -> int:
        return int(self.tables[0]["floor"].shape[0])


def _pick_stride(n_floor: int) -> int:
    s = 1
    while (n_floor / (s * s)) * n_floor * 2 > NAV_BUDGET_BYTES:
        s += 1
    return s


def _py_nav(
    floor: np.ndarray,
    tidx: np.ndarray,
    anchor_of: np.ndarray,
    dist: np.ndarray,
    stride: int,
    x: int,
    y: int,
    tx: int,
    ty: int,
    team: int,
) -> int:
    """Python twin of :func:`nav_dir`, used once at build time to trace lane paths."""
    H, W = floor.shape

    def ok(k: int) -> bool:
        nx, ny = x + int(DX[k]), y + int(DY[k])
        if not (0 <= nx < W and 0 <= ny < H and floor[ny, nx]):
            return False
        return not (DX[k] and DY[k]) or (bool(floor[y, nx]) and bool(floor[ny, x]))

    def greedy() -> int:
        best, bd = NONE, (tx - x) ** 2 + (ty - y) ** 2
        for k in DIR_ORDER[team]:
            if ok(k):
                d = (tx - x - int(DX[k])) ** 2 + (ty - y - int(DY[k])) ** 2
                if d < bd:
                    best, bd = int(k), d
        return best

    a = anchor_of[ty, tx]
    if a < 0 or (stride > 1 and abs(tx - x) <= stride and abs(ty - y) <= stride):
        return greedy()
    d = dist[a]
    if d[tidx[y, x]] == 0:
        return greedy()
    best, bc = NONE, 1 << 40
    for k in DIR_ORDER[team]:
        if ok(k):
            c = int(d[tidx[y + DY[k], x + DX[k]]]) + (14 if DX[k] and DY[k] else 10)
            if c < bc:
                best, bc = int(k), c
    return best


def _trace(
    nav: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    stride: int,
    start: tuple[int, int],
    goals: list[tuple[int, int]],
    team: int,
) -> list[tuple[int, int]]:
    path = [start]
    x, y = start
    for gx, gy in goals:
        guard = 0
        while (x, y) != (gx, gy):
            k = _py_nav(*nav, stride, x, y, gx, gy, team)
            if k < 0:
                break
            x += int(DX[k])
            y += int(DY[k])
            path.append((x, y))
            guard += 1
            if guard > 100000:
                raise RuntimeError("lane path does not converge")
    return path


def _rule_fields(content: Content, params: Params, stride: int) -> tuple[dict[str, float], set[str]]:
    r = content.rules
    tps = r["time.ticks_per_second"]
    latency = params.latency_s if params.latency_s is not None else r["orders.latency_s"]
    apm = params.apm if params.apm is not None else int(r["orders.apm"])
    limit = params.time_limit_s if params.time_limit_s is not None else r["time.time_limit_s"]
    from shotcaller.content.loader import TIEBREAKS

    tb = TIEBREAKS.index(params.tiebreak) if params.tiebreak is not None else content.tiebreak
    fields = {
        "tps": tps,
        "time_limit": round(limit * tps),
        "tiebreak": tb,
        "stride": stride,
        "max_pts": r["movement.max_points"],
        "cost_o": r["movement.orthogonal_cost"],
        "cost_d": r["movement.diagonal_cost"],
        "melee_range": r["combat.melee_range"],
        "ranged_range": r["combat.ranged_range"],
        "aggro": r["combat.aggro_range"],
        "proj_speed": r["combat.projectile_speed_per_s"] / tps,  # tiles per tick
        "tower_aggro": round(r["combat.tower_leader_aggro_s"] * tps),
        "scan_every": max(1, round(r["combat.scan_every_s"] * tps)),  # creeps', summons' and towers' target scans
        "attack_period": ATTACK_SPEED_PERIOD_S * tps,  # ticks between attacks at attack speed 1
        "gank_patience": round(GANK_PATIENCE_S * tps),
        "early_armour": r["buildings.early_armour"],
        "early_until": round(r["buildings.early_armour_until_s"] * tps),
        "bd_armour": r["buildings.backdoor_armour"],
        "bd_radius": r["buildings.backdoor_radius"],
        "bd_regen": r["buildings.backdoor_regen_per_s"] / tps,  # health per tick
        "threat_radius": r["buildings.threat_radius"],
        "threat_creep": r["buildings.threat_per_creep"],
        "first_wave": round(r["waves.first_wave_s"] * tps),
        "wave_every": round(r["waves.interval_s"] * tps),
        "wave_size": r["waves.creeps_per_wave"],
        "mega": r["waves.mega_bonus"],
        "growth": r["waves.growth_per_minute"],
        "respawn_base": r["leaders.respawn_base_s"] * tps,
        "respawn_per_min": r["leaders.respawn_per_minute_s"] * tps,
        "heal_per_tick": r["leaders.fountain_heal_per_s"] / tps,
        "fountain_r": r["leaders.fountain_radius"],
        "start_gold": r["leaders.start_gold"],
        "gold_per_tick": r["economy.passive_gold_per_s"] / tps,
        "bounty_creep": r["economy.bounty_creep"],
        "bounty_leader": r["economy.bounty_leader"],
        "bounty_tower": r["economy.bounty_tower"],
        "bounty_barracks": r["economy.bounty_barracks"],
        "inv_slots": r["economy.inventory_slots"],
        "latency": round(latency * tps),
        "apm": apm,
        "tp_cd": round(r["orders.teleport_cooldown_s"] * tps),
        "tp_chan": round(r["orders.teleport_channel_s"] * tps),
        "fortify": round(r["orders.fortify_s"] * tps),
        "fortify_cd": round(r["orders.fortify_cooldown_s"] * tps),
        "vis_leader": r["vision.leader"],
        "vis_creep": r["vision.creep"],
        "vis_summon": r["vision.summon"],
        "vis_tower": r["vision.tower"],
        "vis_barracks": r["vision.barracks"],
        "vis_core": r["vision.core"],
        "vis_every": max(1, round(r["vision.update_s"] * tps)),
        "micro": int(params.micro),
        "autoreset": int(params.autoreset),
        "ai_every": max(1, params.ai_interval),
    }
    ints = {
        "time_limit",
        "tiebreak",
        "stride",
        "tower_aggro",
        "scan_every",
        "gank_patience",
        "early_until",
        "first_wave",
        "wave_every",
        "wave_size",
        "inv_slots",
        "latency",
        "apm",
        "tp_cd",
        "tp_chan",
        "fortify",
        "fortify_cd",
        "vis_every",
        "micro",
        "autoreset",
        "ai_every",
    }
    return fields, ints


def build_world(content: Content, config: SimConfig | None = None, params: Params | None = None) -> World:
    """Precompute every static table for ``content`` (navigation, lanes, buildings, content arrays)."""
    config = config or SimConfig()
    params = params or Params()
    gmap = content.map
    floor = gmap.floor
    H, W = floor.shape
    tidx = np.full((H, W), -1, np.int32)
    ys, xs = np.nonzero(floor)
    tidx[ys, xs] = np.arange(len(xs), dtype=np.int32)
    n_floor = len(xs)
    stride = _pick_stride(n_floor)
    # anchors: per stride block, the floor tile nearest the block centre
    anchor_of = np.full((H, W), -1, np.int32)
    anchors: list[tuple[int, int]] = []
    for by in range(0, H, stride):
        for bx in range(0, W, stride):
            blk = floor[by : by + stride, bx : bx + stride]
            if not blk.any():
                continue
            cy, cx = by + (stride - 1) / 2, bx + (stride - 1) / 2
            cands = [
                ((yy - cy) ** 2 + (xx - cx) ** 2, yy, xx)
                for yy in range(by, min(by + stride, H))
                for xx in range(bx, min(bx + stride, W))
                if floor[yy, xx]
            ]
            _, ay, ax = min(cands)
            a = len(anchors)
            anchors.append((ax, ay))
            block = anchor_of[by : by + stride, bx : bx + stride]
            block[blk] = a
    anchor_xy = np.array(anchors, np.int16)
    dist = np.full((len(anchors), n_floor), 65535, np.uint16)
    from shotcaller.sim.backend import kernels

    kernels(None).dijkstra(floor, tidx, anchor_xy, dist)

    # buildings by team and sub index
    bld_xy = np.zeros((2, N_BLD, 2), np.int16)
    lane_x = {}
    for team in (0, 1):
        bs = [b for b in gmap.buildings if b.team == team]
        core = next(b for b in bs if b.kind == "core")
        rax = sorted((b for b in bs if b.kind == "barracks"), key=lambda b: b.x)
        bld_xy[team, 0] = (core.x, core.y)
        for lane, b in enumerate(rax):
            bld_xy[team, 1 + lane] = (b.x, b.y)
        lane_x[team] = [b.x for b in rax]
        towers = [b for b in bs if b.kind == "tower"]
        by_lane: dict[int, list] = {0: [], 1: [], 2: []}
        for t in towers:
            lane = int(np.argmin([abs(t.x - lx) for lx in lane_x[team]]))
            by_lane[lane].append(t)
        for lane in range(3):
            ts = by_lane[lane]
            if len(ts) != 3:
                from shotcaller.content import MapError

                raise MapError(f"{gmap.name}: {('blue', 'red')[team]} lane {lane} has {len(ts)} towers, expected 3")
            ts.sort(key=lambda t: -((t.x - core.x) ** 2 + (t.y - core.y) ** 2))
            for tier, t in enumerate(ts):
                bld_xy[team, 4 + lane * 3 + tier] = (t.x, t.y)
    mean_lane_x = [(lane_x[0][i] + lane_x[1][i]) / 2 for i in range(3)]
    lane_of_x = np.array([int(np.argmin([abs(x - lx) for lx in mean_lane_x])) for x in range(W)], np.int8)

    c = content
    tps = c.rules["time.ticks_per_second"]
    skill_p = c.skill_params.copy()
    skill_p[:, SP_COOLDOWN] = np.round(skill_p[:, SP_COOLDOWN] * tps)
    skill_p[:, SP_DURATION] = np.round(skill_p[:, SP_DURATION] * tps)
    skill_p[:, SP_DAMAGE_PER_TICK] /= tps  # damage over time: per second in content, per tick here
    unit_stats = c.unit_stats.copy()
    hero_stats = c.leader_stats.copy()
    unit_stats[:, S_REFILL] /= tps  # movement points: per second in content, per tick here
    hero_stats[:, S_REFILL] /= tps
    if len(params.profiles) != 10:
        raise ValueError(f"Params.profiles needs 10 entries (blue 0..4, red 0..4), got {len(params.profiles)}")
    leader_profile = np.array([c.profile_id(p) for p in params.profiles], np.int8)

    arrays: dict[str, np.ndarray] = dict(
        floor=floor.astype(np.int8),
        tidx=tidx,
        anchor_of=anchor_of,
        anchor_xy=anchor_xy,
        dist=dist,
        dirs=np.stack([DX, DY], axis=1),
        dir_order=DIR_ORDER,
        lane_of_x=lane_of_x,
        bld_xy=bld_xy,
        unit_stats=unit_stats,
        hero_stats=hero_stats,
        hero_ranged=c.leader_ranged.astype(np.int8),
        hero_skills=c.leader_skills,
        hero_build=c.leader_build,
        skill_p=skill_p,
        item_price=c.item_price,
        item_mods=c.item_mods,
        item_effect=c.item_effect,
        item_value=c.item_value,
        item_dur=np.round(c.item_duration_s * tps).astype(np.int32),
        prof=c.profile_params,
        leader_profile=leader_profile,
    )
    nav = (floor, tidx, anchor_of, dist)
    paths: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for team in (0, 1):
        enemy = 1 - team
        for lane in range(3):
            start = (int(bld_xy[team, 1 + lane, 0]), int(bld_xy[team, 1 + lane, 1]))
            goals = [(int(bld_xy[enemy, s, 0]), int(bld_xy[enemy, s, 1])) for s in (1 + lane, 0)]
            paths[team, lane] = _trace(nav, stride, start, goals, team)
    lm = max(len(p) for p in paths.values())
    lane_path = np.zeros((2, 3, lm, 2), np.int16)
    lane_len = np.zeros((2, 3), np.int32)
    for (team, lane), p in paths.items():
        lane_path[team, lane, : len(p)] = p
        lane_path[team, lane, len(p) :] = p[-1]
        lane_len[team, lane] = len(p)
    # each building's index along both teams' paths of its lane (nearest path tile)
    bld_pidx = np.zeros((2, N_BLD, 2), np.int32)
    for team in (0, 1):
        for sub in range(N_BLD):
            bx, by = int(bld_xy[team, sub, 0]), int(bld_xy[team, sub, 1])
            lane = 1 if sub == 0 else ((sub - 1) if sub < 4 else (sub - 4) // 3)
            for pt in (0, 1):
                tiles = lane_path[pt, lane, : lane_len[pt, lane]]
                d2 = (tiles[:, 0].astype(np.int64) - bx) ** 2 + (tiles[:, 1].astype(np.int64) - by) ** 2
                bld_pidx[team, sub, pt] = int(np.argmin(d2))
    arrays.update(lane_path=lane_path, lane_len=lane_len, bld_pidx=bld_pidx)
    # the buildings near each tile (bit team * 13 + sub): within max(backdoor_radius, threat_radius), as
    # the building scan measures it (whole tiles), so the scan looks a unit's buildings up, not its cells
    reach = max(content.rules["buildings.backdoor_radius"], content.rules["buildings.threat_radius"])
    yy, xx = np.mgrid[0:H, 0:W]
    bld_near = np.zeros((H, W), np.int32)
    for team in (0, 1):
        for sub in range(N_BLD):
            bx, by = int(bld_xy[team, sub, 0]), int(bld_xy[team, sub, 1])
            near = (xx - bx) ** 2 + (yy - by) ** 2 <= reach * reach
            bld_near[near] |= np.int32(1 << (team * N_BLD + sub))
    arrays.update(bld_near=bld_near)
    rules, ints = _rule_fields(content, params, stride)
    dtype = np.dtype(
        [(k, "i8" if k in ints else "f8") for k in rules] + [(k, v.dtype, v.shape) for k, v in arrays.items()],
        align=True,
    )
    rec = np.zeros(1, dtype)
    for k, val in rules.items():
        rec[0][k] = val
    for k, arr in arrays.items():
        rec[0][k] = arr
    return World(content=content, config=config, params=params, tables=rec, stride=stride)
