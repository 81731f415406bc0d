"""Replays (docs/design.md section 10): content version, seed, draft, the order log and state checksums.

File format (JSON; gzip-compressed when the name ends in ``.gz``), documented in docs/replays.md::

    {"format": "shotcaller-replay", "format_version": 1,
     "content_version": "152237acd335bd8b", "map": "map.txt",
     "seed": 7, "draft": [10 hero ids: blue 0..4, red 0..4],
     "params": {...Params fields...}, "config": {...SimConfig fields...},
     "checksum_every": 200,
     "orders": [[tick, team, leader, kind, a, b], ...],
     "checksums": [[tick, "16 hex digits"], ...],
     "reasons": [[index into orders, "why"], ...],
     "result": {...match result...}}

Orders are logged at the tick they were issued (before that tick was simulated); a checksum at
tick t is the state after t ticks. Re-simulating the log must reproduce every checksum.
``reasons`` (optional; replays from before explained orders have none) holds the coaches' reasons for
their orders, at most one per order; they never change what an order does, so re-simulation ignores them.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.bots.base import MAX_WHY
from shotcaller.content import Content, ContentError, MapError, load_content
from shotcaller.sim import Events, SimConfig, State, build_world, new_state, step_inplace
from shotcaller.sim.config import params_from_dict
from shotcaller.sim.world import World

FORMAT = "shotcaller-replay"
FORMAT_VERSION = 1


class ReplayError(ValueError):
    """A replay that cannot be used: damaged, of another format, or of another content version."""


@dataclass
class Replay:
    """An in-memory replay; see the module docstring for the file format."""

    content_version: str
    map: str
    seed: int
    draft: list[int]
    params: dict[str, Any]
    config: dict[str, Any]
    checksum_every: int
    orders: list[list[int]] = field(default_factory=list)
    checksums: list[list[Any]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    reasons: list[list[Any]] = field(default_factory=list)  # [index into orders, why], by index

    def reason_of(self) -> dict[int, str]:
        """The reasons as ``{index into orders: why}``."""
        return {int(i): str(w) for i, w in self.reasons}

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, **dataclasses.asdict(self)}

    def save(self, path: str | Path) -> None:
        """Write the replay (gzip when the path ends in .gz)."""
        p = Path(path)
        data = json.dumps(self.to_json(), separators=(",", ":")).encode()
        if p.suffix == ".gz":
            data = gzip.compress(data, mtime=0)
        p.write_bytes(data)


def load_replay(path: str | Path) -> Replay:
    """Read and validate a replay file; raises ReplayError with a clear message."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise ReplayError(f"{p}: cannot read replay: {e.strerror}") from e
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        doc = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReplayError(f"{p}: damaged replay file (not valid JSON/gzip: {e})") from e
    return check_replay_dict(doc, str(p))


def check_replay_dict(doc: Any, p: str = "replay") -> Replay:
    """Validate a replay already parsed from JSON (``p`` names it in errors); raises ReplayError."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ReplayError(
            f"{p}: not a Shotcaller replay (format field is {doc.get('format') if isinstance(doc, dict) else None!r})"
        )
    if doc.get("format_version") != FORMAT_VERSION:
        raise ReplayError(
            f"{p}: replay format version {doc.get('format_version')!r} is not supported "
            f"(this Shotcaller reads version {FORMAT_VERSION})"
        )
    try:
        rep = Replay(
            content_version=str(doc["content_version"]),
            map=str(doc["map"]),
            seed=int(doc["seed"]),
            draft=[int(x) for x in doc["draft"]],
            params=dict(doc["params"]),
            config=dict(doc["config"]),
            checksum_every=int(doc["checksum_every"]),
            orders=[[int(v) for v in row] for row in doc["orders"]],
            checksums=[[int(t), str(h)] for t, h in doc["checksums"]],
            result=dict(doc.get("result", {})),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ReplayError(f"{p}: damaged replay: missing or malformed field ({e!r})") from e
    if len(rep.draft) != 10 or sorted(rep.draft) != list(range(10)):
        raise ReplayError(f"{p}: damaged replay: draft must list the 10 leaders once, got {rep.draft}")
    for i, row in enumerate(rep.orders):
        if len(row) != 6:
            raise ReplayError(f"{p}: damaged replay: orders[{i}] has {len(row)} fields, expected 6")
        if not all(-(2**31) <= v < 2**31 for v in row) or row[0] < 0:
            raise ReplayError(f"{p}: damaged replay: orders[{i}] = {row} is out of range (tick >= 0, 32-bit values)")
        if i and row[0] < rep.orders[i - 1][0]:
            raise ReplayError(f"{p}: damaged replay: orders[{i}] goes back in time")
    if not -(2**63) <= rep.seed < 2**63:
        raise ReplayError(f"{p}: damaged replay: seed {rep.seed} does not fit in 64 bits")
    if rep.checksum_every <= 0:
        raise ReplayError(f"{p}: damaged replay: checksum_every must be positive")
    if "reasons" in doc:
        try:
            rep.reasons = check_reasons(doc["reasons"], len(rep.orders))
        except ValueError as e:
            raise ReplayError(f"{p}: damaged replay: {e}") from None
    return rep


MAX_REASON_CHARS = 4 * MAX_WHY  # a reason in a file may be longer than a match writes, but not unboundedly


def check_reasons(raw: Any, n_orders: int) -> list[list[Any]]:
    """The ``reasons`` field of a replay file, checked as untrusted input: a list of
    ``[index into orders, why]`` with indices in 0..n_orders-1, increasing, and ``why`` a string of at
    most MAX_REASON_CHARS characters. Raises ValueError naming the first bad entry."""
    if not isinstance(raw, list):
        raise ValueError(f"reasons must be a list of [order index, why], got {type(raw).__name__}")
    out: list[list[Any]] = []
    last = -1
    for k, item in enumerate(raw):
        if not isinstance(item, list) or len(item) != 2:
            raise ValueError(f"reasons[{k}] must be a pair [order index, why], got {_short(item)}")
        i, why = item
        if isinstance(i, bool) or not isinstance(i, int):
            raise ValueError(f"reasons[{k}]: order index must be an integer, got {_short(i)}")
        if not 0 <= i < n_orders:
            raise ValueError(f"reasons[{k}]: order index {i} is outside the order log (0..{n_orders - 1})")
        if i <= last:
            raise ValueError(f"reasons[{k}]: order index {i} is not after the previous one ({last})")
        if not isinstance(why, str):
            raise ValueError(f"reasons[{k}]: the reason must be a string, got {_short(why)}")
        if len(why) > MAX_REASON_CHARS:
            raise ValueError(f"reasons[{k}]: the reason has {len(why)} characters, at most {MAX_REASON_CHARS}")
        last = i
        out.append([i, why])
    return out


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def world_for_replay(rep: Replay, content: Content | None = None) -> World:
    """Build the world a replay was recorded in; refuses a replay from another content version."""
    try:
        content = content or load_content(map_name=rep.map)
    except (ContentError, MapError) as e:
        raise ReplayError(f"replay's map or content cannot be loaded: {e}") from e
    if content.version != rep.content_version:
        raise ReplayError(
            f"replay was recorded with content version {rep.content_version}, but this game has "
            f"content version {content.version}; it cannot be re-simulated faithfully"
        )
    try:
        params = params_from_dict(rep.params)
        config = SimConfig(**rep.config)
        return build_world(content, config, params)
    except (TypeError, ValueError, KeyError) as e:
        raise ReplayError(f"damaged replay: bad params/config ({e})") from e


@dataclass
class VerifyResult:
    """Outcome of re-simulating a replay."""

    ok: bool
    checked: int
    first_bad_tick: int | None = None
    expected: str | None = None
    got: str | None = None


StepHook = Callable[[State, np.ndarray, list[int]], None]


def resimulate(
    rep: Replay, world: World | None = None, on_step: StepHook | None = None, max_ticks: int | None = None
) -> tuple[State, VerifyResult]:
    """Re-run a replay's order log from its seed and draft, comparing every checksum.

    Reasons are not read: they never change what an order does.

    Args:
        rep: the replay.
        world: its world, when already built (:func:`world_for_replay`).
        on_step: called after every ``step_inplace`` call with the state, that call's event rows
            ((n, 6): tick, kind, a, b, c, d) and the indices into ``rep.orders`` of the orders issued
            at its first tick (their ``order_accepted``/``order_rejected`` events come in that order).
        max_ticks: advance at most this many ticks per call (the sim keeps ``event_capacity`` events
            per call; a hook that wants every event asks for short steps).
    """
    world = world or world_for_replay(rep)
    state = new_state(world, rep.seed, np.array([rep.draft], np.int8))
    by_tick: dict[int, list[int]] = {}
    for k, row in enumerate(rep.orders):
        by_tick.setdefault(row[0], []).append(k)
    marks = sorted(set(by_tick) | {t for t, _ in rep.checksums})
    expected = {t: h for t, h in rep.checksums}
    checked = 0
    games = state.arrays.games

    def advance(orders: np.ndarray | None, n: int, issued: list[int]) -> None:
        ev: Events = step_inplace(state, orders, n)
        if on_step is not None:
            on_step(state, ev.of(0), issued)

    for mark in marks:
        now = int(games["tick"][0])
        while mark > now:
            advance(None, min(mark - now, max_ticks or mark - now), [])
            if int(games["tick"][0]) == now:  # the match is over: time stands still
                break
            now = int(games["tick"][0])
        if mark in expected:
            got = state.checksum(0)
            if now != mark or got != expected[mark]:
                return state, VerifyResult(False, checked, mark, expected[mark], got)
            checked += 1
        if mark in by_tick and now == mark:
            issued = by_tick[mark]
            advance(np.array([[rep.orders[k][1:] for k in issued]], np.int32), 1, issued)
    return state, VerifyResult(True, checked)
