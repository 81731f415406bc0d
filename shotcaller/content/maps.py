"""Map variants by name, for held-out evaluation: the original map, its mirror image, the scaled maps and
procedurally perturbed lane layouts, each a deterministic function of its name.

=============  ====================================================================================
name           map
=============  ====================================================================================
original       ``map.txt``
mirrored       ``map.txt`` upside down with the teams kept: blue starts at the top, red at the bottom.
               ``map.txt`` is symmetric left-right (and top-bottom with the teams swapped), so its
               left-right mirror image is the same map; the upside-down one is the only mirror image
               that differs, and it is as fair (an exact mirror image of itself with the teams swapped)
2x, 4x         ``map_2x.txt``, ``map_4x.txt`` (nearest-neighbour scalings, :mod:`.scale`)
perturbed-N    ``map.txt`` with its three lanes bent left and right by a generator seeded with N
               (0 <= N < 2**63) and the outer towers moved along them; the bottom half is the mirror
               image of the top half with the teams swapped, so the map stays fair
=============  ====================================================================================

:data:`ALL` is what ``--maps all`` plays. A perturbed layout is checked by :func:`check_layout` before it
is returned; one that fails is drawn again from the same seed's stream, and a seed whose layouts keep
failing raises :class:`MapError` naming the problem: a failing layout is never used.
``load_content(map_name=NAME)`` and ``SimConfig(map_name=NAME)`` take these names (replays record them).
"""

from __future__ import annotations

import functools
import heapq
import re
from pathlib import Path

import numpy as np

from shotcaller.content.mapfile import GameMap, MapError, parse_map

HERE = Path(__file__).parent
FILES = {"original": "map.txt", "2x": "map_2x.txt", "4x": "map_4x.txt"}
#: The variants ``--maps all`` plays, in this order.
ALL: tuple[str, ...] = ("original", "mirrored", "2x", "4x", "perturbed-1", "perturbed-2")
PERTURBED = re.compile(r"perturbed-(0|[1-9][0-9]{0,18})")

TEAM = ("blue", "red")
LANE = ("left", "mid", "right")
# What a lane layout must keep (check_layout):
TOWER_REACH = 6  # a tower's range (5) + 1: the leader AI looks for the towers of a column's lane only
ROUTE_SLACK = 2  # tiles a tower may stand off the shortest route between the lane's two barracks

# The perturbation generator works on map.txt's shape: its top half has the three lanes as 3-wide
# corridors in forest on these rows, centred on these columns, with red's two outer towers of each
# lane on these rows (each moved by up to its jitter); the bottom half is the mirror image.
CORRIDOR_ROWS = range(7, 23)
LANE_CENTRES = (8, 40, 72)
TOWER_ROWS = ((13, 2), (20, 1))  # (row, jitter)
MAX_SHIFT = 5  # columns a lane bends at most, left or right
MAX_ATTEMPTS = 20  # layouts drawn from a seed's stream before the seed is refused


def variant_names() -> tuple[str, ...]:
    """The fixed variant names (``perturbed-N`` takes any N); :data:`ALL` plays a selection."""
    return ("original", "mirrored", "2x", "4x", "perturbed-N")


def is_variant(name: object) -> bool:
    """Whether ``name`` is a variant name (not a file name)."""
    return isinstance(name, str) and (name in FILES or name == "mirrored" or PERTURBED.fullmatch(name) is not None)


def resolve_maps(names: list[str]) -> list[str]:
    """The variant names ``names`` asks for (``all``: :data:`ALL`), in order, each once; raises
    :class:`MapError` naming an unknown name and listing the known ones."""
    out: list[str] = []
    for n in names:
        for m in ALL if n == "all" else (n,):
            if not is_variant(m):
                raise MapError(f"unknown map {m!r} (maps: {', '.join(variant_names())}, or all)")
            if m not in out:
                out.append(m)
    return out


@functools.lru_cache(maxsize=32)
def variant_text(name: str) -> str:
    """The map text of variant ``name`` (always the same text for the same name)."""
    if name in FILES:
        return (HERE / FILES[name]).read_text(encoding="utf-8")
    if name == "mirrored":
        return mirror_text((HERE / "map.txt").read_text(encoding="utf-8"))
    m = PERTURBED.fullmatch(name)
    if m is None or int(m.group(1)) >= 2**63:
        raise MapError(f"unknown map {name!r} (maps: {', '.join(variant_names())})")
    return perturbed_text(int(m.group(1)))


def variant_map(name: str) -> GameMap:
    """The parsed map of variant ``name`` (named ``name``)."""
    return parse_map(variant_text(name), name=name)


def mirror_text(text: str) -> str:
    """``text`` upside down with every building keeping its team: the top team starts at the bottom."""
    rows = [r for r in text.split("\n") if r]
    return "\n".join(rows[::-1]) + "\n"


# ---------------------------------------------------------------------------------------- generator
class _SplitMix64:
    """A small counter-based generator (the simulation's kind): the same seed, the same stream, on
    every platform and NumPy version."""

    MASK = (1 << 64) - 1

    def __init__(self, seed: int) -> None:
        self.state = seed & self.MASK

    def below(self, n: int) -> int:
        """A number in [0, n)."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return (z ^ (z >> 31)) % n


def perturbed_text(seed: int) -> str:
    """``map.txt`` with bent lanes (``perturbed-<seed>``): the first layout of the seed's stream that
    passes :func:`check_layout`; raises :class:`MapError` when :data:`MAX_ATTEMPTS` layouts fail."""
    name = f"perturbed-{seed}"
    base = [r for r in (HERE / "map.txt").read_text(encoding="utf-8").split("\n") if r]
    _expect_corridors(base)
    rng = _SplitMix64(seed)
    problems: list[str] = []
    for _ in range(MAX_ATTEMPTS):
        text = _perturb(base, rng)
        problems = check_layout(parse_map(text, name))
        if not problems:
            return text
    raise MapError(f"{name}: none of {MAX_ATTEMPTS} generated layouts is valid; the last one: {problems[0]}")


def _expect_corridors(rows: list[str]) -> None:
    """The generator's assumptions about map.txt (a changed map.txt fails here, not with a bad map)."""
    lanes = {x for c in LANE_CENTRES for x in (c - 1, c, c + 1)}
    for y in CORRIDOR_ROWS:
        floor = {x for x, ch in enumerate(rows[y]) if ch != "#"}
        if floor != lanes:
            raise MapError(
                f"map.txt line {y + 1}: the perturbation generator expects the lanes as 3-wide corridors "
                f"centred on columns {', '.join(str(c + 1) for c in LANE_CENTRES)}"
            )


def _lane_shifts(rng: _SplitMix64, fixed: set[int]) -> list[int]:
    """Column shift of a lane on each corridor row: starts at 0 (where it leaves the base), moves at
    most one column a row (the 3-wide lane stays connected), keeps to MAX_SHIFT, comes back within one
    column of 0 by the last row (where the lane meets the crossing) and stays put on the rows in
    ``fixed`` (around a tower, so every tower keeps floor all around it)."""
    n = len(CORRIDOR_ROWS)
    bounds = [1] * n  # the largest shift on each row from which the last row's 1 is still reachable
    for i in range(n - 2, -1, -1):
        bounds[i] = min(MAX_SHIFT, bounds[i + 1] + (0 if i + 1 in fixed else 1))
    shifts = [0] * n
    step = 0
    for i in range(1, n):
        bound = bounds[i]
        if i in fixed:
            step = 0
        elif rng.below(2) == 0:  # keep going the same way half the time: bends, not jitter
            step = rng.below(3) - 1
        nxt = shifts[i - 1] + step
        if abs(nxt) > bound:
            step = -1 if shifts[i - 1] > 0 else 1
            nxt = shifts[i - 1] + step
        shifts[i] = nxt
    return shifts


def _perturb(base: list[str], rng: _SplitMix64) -> str:
    """One layout drawn from ``rng``: the top half's corridors redrawn, the bottom half mirrored."""
    h, w = len(base), len(base[0])
    top = [list(r) for r in base[: (h + 1) // 2]]
    y0 = CORRIDOR_ROWS[0]
    for y in CORRIDOR_ROWS:
        top[y] = ["#"] * w
    for centre in LANE_CENTRES:
        rows = [row + rng.below(2 * jitter + 1) - jitter for row, jitter in TOWER_ROWS]
        fixed = {r - y0 + d for r in rows for d in (0, 1)}  # steps into and out of a tower's row
        shifts = _lane_shifts(rng, fixed)
        for i, y in enumerate(CORRIDOR_ROWS):
            c = centre + shifts[i]
            top[y][c - 1 : c + 2] = ["0", "0", "0"]
        for r in rows:
            top[r][centre + shifts[r - y0]] = "t"
    upper = ["".join(r) for r in top]
    lower = [r.swapcase() for r in upper[: h // 2]][::-1]
    return "\n".join(upper + lower) + "\n"


# ---------------------------------------------------------------------------------------- validation
def _where(x: int, y: int) -> str:
    return f"line {y + 1}, column {x + 1}"


def _step_ok(floor: np.ndarray, x: int, y: int, dx: int, dy: int) -> bool:
    """A step the simulation's movement allows: onto floor, and a diagonal only past two floor tiles."""
    h, w = floor.shape
    nx, ny = x + dx, y + dy
    if not (0 <= nx < w and 0 <= ny < h and floor[ny, nx]):
        return False
    return not (dx and dy) or (bool(floor[y, nx]) and bool(floor[ny, x]))


_STEPS = [(dx, dy, 14 if dx and dy else 10) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy]


def route_costs(floor: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """Walking cost from ``start`` to every tile over ``floor`` ((H, W) bool), as the simulation's
    paths count it (10 a straight step, 14 a diagonal, no corner cutting); -1 where unreachable."""
    h, w = floor.shape
    cost = np.full((h, w), -1, np.int64)  # (H, W)
    sx, sy = start
    if not floor[sy, sx]:
        return cost
    heap = [(0, sx, sy)]
    while heap:
        c, x, y = heapq.heappop(heap)
        if cost[y, x] >= 0:
            continue
        cost[y, x] = c
        for dx, dy, sc in _STEPS:
            if _step_ok(floor, x, y, dx, dy) and cost[y + dy, x + dx] < 0:
                heapq.heappush(heap, (c + sc, x + dx, y + dy))
    return cost


def check_layout(gmap: GameMap) -> list[str]:
    """Everything that makes ``gmap`` unfit to play, one line each (empty: fit). Beyond what
    :func:`parse_map` checks (characters, 1 core, 3 barracks and 9 towers a side):

    * fair: the map is its own mirror image top to bottom with the teams swapped;
    * no building is walled in: all 8 neighbours of every building are floor;
    * every building can be reached from both cores;
    * lanes as the simulation reads them (lanes by barracks column, a tower in the lane of the nearest
      barracks, a column in the lane of the nearest pair of barracks): 3 towers per lane and team, and
      every column within :data:`TOWER_REACH` of a tower in the tower's lane (the leader AI looks for the
      towers of a column's lane only);
    * each lane is whole: a route from one team's barracks to the other's inside the lane's columns,
      no shorter way outside them, every tower of the lane within :data:`ROUTE_SLACK` tiles of that route,
      and the towers in protection order (by distance from the core, as the simulation ranks them) in the
      order a wave meets them.
    """
    problems: list[str] = []
    rows, floor = gmap.rows, gmap.floor
    h, w = floor.shape
    for y in range(h // 2):
        mine, mirror = rows[y], rows[h - 1 - y].swapcase()
        if mine != mirror:
            x = next(i for i in range(w) if mine[i] != mirror[i])
            problems.append(
                f"not fair: {_where(x, y)} ({rows[y][x]!r}) is not the mirror image of {_where(x, h - 1 - y)} "
                f"({rows[h - 1 - y][x]!r}) with the teams swapped"
            )
            break

    def name(b: object) -> str:
        return f"{TEAM[b.team]} {b.kind} at {_where(b.x, b.y)}"  # type: ignore[attr-defined]

    for b in gmap.buildings:
        walls = sum(
            1
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            if (dx or dy) and not (0 <= b.x + dx < w and 0 <= b.y + dy < h and floor[b.y + dy, b.x + dx])
        )
        if walls:
            problems.append(f"{name(b)} is walled in: {walls} of its 8 neighbours are forest or off the map")
    cores = {b.team: b for b in gmap.buildings if b.kind == "core"}
    for t in (0, 1):
        reach = route_costs(floor, (cores[t].x, cores[t].y))
        for b in gmap.buildings:
            if reach[b.y, b.x] < 0:
                problems.append(f"{name(b)} cannot be reached from the {TEAM[t]} core")
    if problems:
        return problems

    rax = {
        t: sorted((b for b in gmap.buildings if b.team == t and b.kind == "barracks"), key=lambda b: b.x)
        for t in (0, 1)
    }
    mean_x = [(rax[0][i].x + rax[1][i].x) / 2 for i in range(3)]
    lane_of_x = [int(np.argmin([abs(x - m) for m in mean_x])) for x in range(w)]
    towers: dict[tuple[int, int], list] = {(t, lane): [] for t in (0, 1) for lane in range(3)}
    for b in gmap.buildings:
        if b.kind == "tower":
            lane = int(np.argmin([abs(b.x - r.x) for r in rax[b.team]]))
            towers[b.team, lane].append(b)
    for (t, lane), ts in towers.items():
        if len(ts) != 3:
            problems.append(f"{TEAM[t]} {LANE[lane]} lane has {len(ts)} towers (by nearest barracks), expected 3")
        for b in ts:
            near = range(max(0, b.x - TOWER_REACH), min(w, b.x + TOWER_REACH + 1))
            if any(lane_of_x[x] != lane for x in near):
                problems.append(
                    f"{name(b)} is within {TOWER_REACH} columns of another lane's columns, where leaders would not "
                    f"see it (the leader AI looks for the towers of a column's lane)"
                )
    if problems:
        return problems

    for lane in range(3):
        cols = [x for x in range(w) if lane_of_x[x] == lane]
        inside = floor.copy()
        inside[:, [x for x in range(w) if lane_of_x[x] != lane]] = False
        blue, red = rax[0][lane], rax[1][lane]
        from_blue = route_costs(inside, (blue.x, blue.y))
        from_red = route_costs(inside, (red.x, red.y))
        span = f"columns {cols[0] + 1}-{cols[-1] + 1}"
        total = int(from_blue[red.y, red.x])
        if total < 0:
            problems.append(f"the {LANE[lane]} lane is cut: no way inside its {span} from {name(blue)} to {name(red)}")
            continue
        anywhere = int(route_costs(floor, (blue.x, blue.y))[red.y, red.x])
        if anywhere < total:
            problems.append(
                f"the {LANE[lane]} lane has a shortcut outside its {span}: {anywhere / 10:.1f} tiles from {name(blue)} "
                f"to {name(red)}, {total / 10:.1f} inside"
            )
        for t, from_own in ((0, from_blue), (1, from_red)):
            ts = towers[t, lane]
            for b in ts:
                off = int(from_blue[b.y, b.x] + from_red[b.y, b.x]) - total
                if from_blue[b.y, b.x] < 0 or off > 10 * ROUTE_SLACK:
                    problems.append(f"{name(b)} stands off its lane's route (a detour of {off / 10:.1f} tiles)")
            core = cores[t]
            by_core = sorted(ts, key=lambda b: -((b.x - core.x) ** 2 + (b.y - core.y) ** 2))
            by_walk = sorted(ts, key=lambda b: -int(from_own[b.y, b.x]))
            if by_core != by_walk:
                problems.append(
                    f"{TEAM[t]} {LANE[lane]} lane: the towers' protection order (by distance from the core) is not "
                    f"the order along the lane"
                )
    return problems


def validate_layout(gmap: GameMap) -> None:
    """Raise :class:`MapError` naming every problem :func:`check_layout` finds."""
    problems = check_layout(gmap)
    if problems:
        raise MapError(f"{gmap.name}: " + "; ".join(problems))
