"""Map files: parsing, validation and nearest-neighbour scaling.

A map is a text file of equal-width rows. ``#`` is forest (blocks movement and sight), ``0`` and
``.`` are floor, and letters mark buildings on floor: lowercase for the top team (red), uppercase
for the bottom team (blue): ``c``/``C`` core, ``b``/``B`` barracks, ``t``/``T`` tower.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

FOREST = "#"
FLOOR_CHARS = "0."
BUILDING_CHARS = {
    "c": (1, "core"),
    "b": (1, "barracks"),
    "t": (1, "tower"),
    "C": (0, "core"),
    "B": (0, "barracks"),
    "T": (0, "tower"),
}
ALLOWED = FOREST + FLOOR_CHARS + "".join(BUILDING_CHARS)


class MapError(ValueError):
    """A map file that cannot be used; the message names the file, line and column."""


@dataclass(frozen=True)
class Building:
    """One building read from a map: team 0 = blue (bottom), 1 = red (top)."""

    team: int
    kind: str
    x: int
    y: int


@dataclass(frozen=True)
class GameMap:
    """A parsed map: ``floor`` is (H, W) bool, buildings in reading order."""

    name: str
    rows: tuple[str, ...]
    floor: np.ndarray  # (H, W) bool
    buildings: tuple[Building, ...]

    @property
    def width(self) -> int:
        return self.floor.shape[1]

    @property
    def height(self) -> int:
        return self.floor.shape[0]


def parse_map(text: str, name: str = "<map>") -> GameMap:
    """Parse and validate map text; raises MapError naming line and column of a problem."""
    rows = [r.rstrip("\r") for r in text.split("\n")]
    while rows and rows[-1] == "":
        rows.pop()
    if not rows:
        raise MapError(f"{name}: the map is empty")
    width = len(rows[0])
    buildings: list[Building] = []
    for y, row in enumerate(rows):
        if len(row) != width:
            raise MapError(f"{name}:{y + 1}: row has {len(row)} columns, expected {width} like line 1")
        for x, ch in enumerate(row):
            if ch not in ALLOWED:
                raise MapError(
                    f"{name}:{y + 1}:{x + 1}: unknown character {ch!r} "
                    f"(expected '#' forest, '0' or '.' floor, or a building letter c C b B t T)"
                )
            if ch in BUILDING_CHARS:
                team, kind = BUILDING_CHARS[ch]
                buildings.append(Building(team, kind, x, y))
    floor = np.array([[ch != FOREST for ch in row] for row in rows], dtype=np.bool_)
    for team, side in ((0, "blue (uppercase)"), (1, "red (lowercase)")):
        cores = [b for b in buildings if b.team == team and b.kind == "core"]
        rax = [b for b in buildings if b.team == team and b.kind == "barracks"]
        towers = [b for b in buildings if b.team == team and b.kind == "tower"]
        if len(cores) != 1:
            raise MapError(f"{name}: {side} needs exactly 1 core, found {len(cores)}")
        if len(rax) != 3:
            raise MapError(f"{name}: {side} needs exactly 3 barracks (one per lane), found {len(rax)}")
        if len(towers) != 9:
            raise MapError(f"{name}: {side} needs exactly 9 towers (3 per lane), found {len(towers)}")
    return GameMap(name=name, rows=tuple(rows), floor=floor, buildings=tuple(buildings))


def load_map(path: str | Path) -> GameMap:
    """Read a map file (see module docstring); errors name the file, line and column."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise MapError(f"{p}: cannot read map file: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise MapError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    return parse_map(text, name=p.name)


def scale_map_text(text: str, factor: int) -> str:
    """Nearest-neighbour scaling: every tile becomes a factor x factor block.

    A building letter stays a single building: it is placed at the block's centre tile and the
    rest of its block is floor, so the scaled map keeps 1 core, 3 barracks and 9 towers per side.
    An even block has no centre tile: a building in the top (left) half of the map takes the one
    below (right of) the centre and one in the bottom (right) half the one above (left of) it, so a
    map that is its own mirror image stays one once scaled (a building one row off its mirror image
    is what made red win 69-26 on the original map).
    """
    if factor < 1:
        raise ValueError("factor must be >= 1")
    rows = [r for r in text.split("\n") if r]
    height, width = len(rows), max((len(r) for r in rows), default=0)

    def centre(i: int, n: int) -> int:
        return factor // 2 if 2 * i <= n - 1 else (factor - 1) // 2

    out: list[str] = []
    for y, row in enumerate(rows):
        for dy in range(factor):
            line = []
            for x, ch in enumerate(row):
                for dx in range(factor):
                    if ch in BUILDING_CHARS:
                        line.append(ch if (dx == centre(x, width) and dy == centre(y, height)) else "0")
                    else:
                        line.append(ch)
            out.append("".join(line))
    return "\n".join(out) + "\n"
