"""The two frozen configuration objects: static shapes (:class:`SimConfig`) and tunables (:class:`Params`)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    ai_interval: int = 4
