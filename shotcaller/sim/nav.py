"""Compiled navigation and sight on the static tables: shortest-path steps and line of sight."""

from __future__ import annotations

import heapq

import numba as nb
import numpy as np

from shotcaller.sim._jit import kernel
from shotcaller.sim.layout import NONE


@nb.njit(cache=True)
def dijkstra_all(floor, tidx, anchor_xy, dist):
    """Fill dist[a, f] with the path cost from floor tile f to anchor a (8-neighbour, no corner cutting)."""
    H, W = floor.shape
    A = anchor_xy.shape[0]
    dxs = (0, 1, 1, 1, 0, -1, -1, -1)
    dys = (-1, -1, 0, 1, 1, 1, 0, -1)
    for a in range(A):
        d = dist[a]
        sx = anchor_xy[a, 0]
        sy = anchor_xy[a, 1]
        d[tidx[sy, sx]] = 0
        heap = [(np.int64(0), np.int64(sx), np.int64(sy))]
        while len(heap) > 0:
            c, x, y = heapq.heappop(heap)
            if c > d[tidx[y, x]]:
                continue
            for k in range(8):
                nx = x + dxs[k]
                ny = y + dys[k]
                if nx < 0 or ny < 0 or nx >= W or ny >= H or not floor[ny, nx]:
                    continue
                diag = dxs[k] != 0 and dys[k] != 0
                if diag and (not floor[y, nx] or not floor[ny, x]):
                    continue
                nc = c + (14 if diag else 10)
                fi = tidx[ny, nx]
                if nc < d[fi]:
                    d[fi] = nc
                    heapq.heappush(heap, (nc, nx, ny))


@kernel
def can_step(T, x, y, k):
    """Whether the unit at (x, y) may step in direction k (floor, no corner cutting)."""
    floor = T.floor
    H, W = floor.shape
    nx = x + T.dirs[k, 0]
    ny = y + T.dirs[k, 1]
    if nx < 0 or ny < 0 or nx >= W or ny >= H or not floor[ny, nx]:
        return False
    if T.dirs[k, 0] != 0 and T.dirs[k, 1] != 0:
        if not floor[y, nx] or not floor[ny, x]:
            return False
    return True


@kernel
def greedy_dir(T, x, y, tx, ty, team):
    """The step that brings (x, y) closest to (tx, ty) in straight-line distance, or NONE."""
    best = NONE
    bd = (tx - x) * (tx - x) + (ty - y) * (ty - y)
    for i in range(8):
        k = T.dir_order[team, i]
        if not can_step(T, x, y, k):
            continue
        nx = x + T.dirs[k, 0]
        ny = y + T.dirs[k, 1]
        d = (tx - nx) * (tx - nx) + (ty - ny) * (ty - ny)
        if d < bd:
            bd = d
            best = k
    return best


@kernel
def nav_dir(T, stride, x, y, tx, ty, team):
    """Direction 0..7 of the next step on a shortest path from (x, y) to (tx, ty), or NONE if there."""
    if x == tx and y == ty:
        return NONE
    a = T.anchor_of[ty, tx]
    if a < 0:
        return greedy_dir(T, x, y, tx, ty, team)
    if stride > 1:
        if abs(tx - x) <= stride and abs(ty - y) <= stride:
            return greedy_dir(T, x, y, tx, ty, team)
    d = T.dist[a]
    here = d[T.tidx[y, x]]
    if here == 0:
        return greedy_dir(T, x, y, tx, ty, team)
    best = NONE
    bc = np.int64(here) + 1000000
    for i in range(8):
        k = T.dir_order[team, i]
        if not can_step(T, x, y, k):
            continue
        nx = x + T.dirs[k, 0]
        ny = y + T.dirs[k, 1]
        c = np.int64(d[T.tidx[ny, nx]]) + (14 if (T.dirs[k, 0] != 0 and T.dirs[k, 1] != 0) else 10)
        if c < bc:
            bc = c
            best = k
    return best


@kernel
def line_of_sight(T, x0, y0, x1, y1):
    """True when no forest tile lies strictly between (x0, y0) and (x1, y1) (Bresenham)."""
    dx = abs(x1 - x0)
    dy = -abs(y1 - y0)
    sx = 1 if x0 < x1 else -1
    sy = 1 if y0 < y1 else -1
    err = dx + dy
    x = x0
    y = y0
    while True:
        if x == x1 and y == y1:
            return True
        if not (x == x0 and y == y0) and not T.floor[y, x]:
            return False
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x += sx
        if e2 <= dx:
            err += dx
            y += sy
