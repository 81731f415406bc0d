"""Game content: the map and the data files, loaded and validated once into arrays."""

from shotcaller.content.loader import (
    ITEM_EFFECTS,
    ITEM_STATS,
    PROFILE_KEYS,
    SKILL_KEYS,
    SKILL_NAMES,
    STAT_KEYS,
    UNIT_KINDS,
    Content,
    ContentError,
    load_content,
)
from shotcaller.content.mapfile import GameMap, MapError, load_map, parse_map, scale_map_text

__all__ = [
    "Content",
    "ContentError",
    "GameMap",
    "MapError",
    "load_content",
    "load_map",
    "parse_map",
    "scale_map_text",
    "SKILL_NAMES",
    "SKILL_KEYS",
    "UNIT_KINDS",
    "STAT_KEYS",
    "ITEM_STATS",
    "ITEM_EFFECTS",
    "PROFILE_KEYS",
]
