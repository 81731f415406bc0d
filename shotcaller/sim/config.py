"""The two frozen configuration objects: static shapes (:class:`SimConfig`) and tunables (:class:`Params`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SimConfig:
    """Static shape settings: changing one changes array shapes (and recompiles nothing).

    Attributes:
        map_name: map file in the content folder (``map.txt``, ``map_2x.txt``, ``map_4x.txt``) or a path.
        max_creeps: creep slots per team; a wave that finds no free slot is skipped with an event.
        max_projectiles: projectile slots per game; with none free a ranged hit lands at once.
        max_effects: timed effector slots per unit.
        order_queue: pending (latency) orders per team.
        event_capacity: events kept per game per ``step`` call; extra ones are counted as dropped.
        react_capacity: queued reactions (reflect, thorns) per game within a tick.
    """

    map_name: str = "map.txt"
    max_creeps: int = 64
    max_projectiles: int = 48
    max_effects: int = 8
    order_queue: int = 32
    event_capacity: int = 1024
    react_capacity: int = 256

    def __post_init__(self) -> None:
        limits = {
            "max_creeps": (1, 4000),
            "max_projectiles": (1, 4096),
            "max_effects": (1, 64),
            "order_queue": (1, 4096),
            "event_capacity": (1, 1 << 20),
            "react_capacity": (1, 1 << 16),
        }
        for name, (lo, hi) in limits.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ValueError(f"SimConfig.{name} must be an integer in [{lo}, {hi}], got {v!r}")
        if not isinstance(self.map_name, str) or not self.map_name:
            raise ValueError(f"SimConfig.map_name must be a file name, got {self.map_name!r}")


@dataclass(frozen=True)
class Params:
    """Tunables of a match. ``None`` means "the content file's default".

    Attributes:
        latency_s: seconds between an order being issued and taking effect (0 for ML).
        apm: accepted orders per team per game minute; 0 means unlimited.
        time_limit_s: the match ends at this game time.
        tiebreak: ``"draw"`` or ``"buildings"`` when the time limit ends the match.
        micro: allow direct unit orders (move, attack_move, follow, hold, stop).
        autoreset: a finished game starts a new one inside ``step`` (vector envs, benchmarks).
        profiles: leader AI profile per leader, blue 0..4 then red 0..4.
        ai_interval: ticks between leader AI target decisions (movement runs every tick).
    """

    latency_s: float | None = None
    apm: int | None = None
    time_limit_s: float | None = None
    tiebreak: str | None = None
    micro: bool = False
    autoreset: bool = False
    profiles: tuple[str, ...] = field(default_factory=lambda: ("standard",) * 10)
    ai_interval: int = 8

    def __post_init__(self) -> None:
        def number(name: str, lo: float, hi: float, integer: bool = False) -> None:
            v = getattr(self, name)
            if v is None:
                return
            ok = isinstance(v, int) if integer else isinstance(v, int | float)
            if isinstance(v, bool) or not ok or not lo <= v <= hi:
                raise ValueError(
                    f"Params.{name} must be {'an integer' if integer else 'a number'} "
                    f"in [{lo:g}, {hi:g}] or None, got {v!r}"
                )

        number("latency_s", 0, 3600)
        number("apm", 0, 100000, integer=True)
        number("time_limit_s", 0.05, 10 * 24 * 3600)
        number("ai_interval", 1, 1000, integer=True)
        if self.tiebreak is not None and self.tiebreak not in ("draw", "buildings"):
            raise ValueError(f"Params.tiebreak must be 'draw' or 'buildings', got {self.tiebreak!r}")
        if len(self.profiles) != 10 or not all(isinstance(p, str) for p in self.profiles):
            raise ValueError(f"Params.profiles must be 10 profile names (blue 0..4, red 0..4), got {self.profiles!r}")


def params_to_dict(p: Params) -> dict[str, Any]:
    """``p`` as JSON-ready data (replays, the sandboxed bot's start message)."""
    d = dataclasses.asdict(p)
    d["profiles"] = list(p.profiles)
    return d


def params_from_dict(d: dict[str, Any]) -> Params:
    """The :class:`Params` of :func:`params_to_dict` data (validated; ValueError or TypeError names what is
    wrong)."""
    profiles = d.get("profiles", ("standard",) * 10)
    if not isinstance(profiles, list | tuple):
        raise ValueError(f"params.profiles must be a list, got {profiles!r}")
    return Params(**{**d, "profiles": tuple(profiles)})
