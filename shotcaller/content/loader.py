"""Load and validate the content files into arrays, once.

Content is data: rules, unit kinds, leaders, skills, items and leader AI profiles live in TOML files
in this folder (or a folder you pass). :func:`load_content` reads them, checks every key and value,
and returns a frozen :class:`Content` of NumPy arrays that the simulation reads. A broken file fails
here with a :class:`ContentError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shotcaller.content.mapfile import GameMap, MapError, load_map
from shotcaller.content.maps import is_variant, variant_map

CONTENT_DIR = Path(__file__).parent
FILES = ("rules.toml", "units.toml", "leaders.toml", "skills.toml", "items.toml", "profiles.toml")

#: The twenty skills the simulation implements, in id order (docs/design.md section 5).
SKILL_NAMES: tuple[str, ...] = (
    "DoubleDamage",
    "Cleave",
    "AttackSpeedIncrease",
    "SlowAOE",
    "NatureSummon",
    "Root",
    "ElephantSummon",
    "Savagery",
    "ReturnAOE",
    "BattleHunger",
    "ReturnDamage",
    "BattleCall",
    "GreedyTouch",
    "AirCorrosion",
    "SpellSteal",
    "Telekinesis",
    "StealSoul",
    "DarkPresence",
    "ThornVolley",
    "BackEndurance",
)
#: Columns of ``Content.skill_params``.
SKILL_KEYS: tuple[str, ...] = ("radius", "cooldown_s", "duration_s", "damage", "value", "count", "max", "damage_per_s")
#: Skills whose damage is over time: they take ``damage_per_s``, every other skill ``damage``.
DOT_SKILLS: tuple[str, ...] = ("BattleHunger",)
#: Unit kinds with a stats row in units.toml, in row order of ``Content.unit_stats``.
UNIT_KINDS: tuple[str, ...] = (
    "creep",
    "treant",
    "elephant",
    "tower",
    "barracks",
    "core",
    "leader_melee",
    "leader_ranged",
)
#: Columns of ``Content.unit_stats`` and ``Content.leader_stats``.
STAT_KEYS: tuple[str, ...] = ("health", "attack", "defense", "attack_speed", "range", "refill_per_s")
#: Item stat columns of ``Content.item_mods``.
ITEM_STATS: tuple[str, ...] = ("attack", "defense", "health", "attack_speed", "move", "range")
ITEM_EFFECTS: tuple[str, ...] = ("none", "coffee", "heal", "teleport")
PROFILE_KEYS: tuple[str, ...] = (
    "retreat_hp",
    "resume_hp",
    "aggression",
    "farm",
    "push",
    "risk",
    "chase",
    "shop_gold",
    "defend_threat",
    "defend_range",
    "teleport_threat",
    "defend_hold_s",
    "push_when_dead",
)
#: Profile keys a profile file may leave out (older files): the built-in ``standard`` profile's values.
PROFILE_OPTIONAL: tuple[str, ...] = (
    "defend_threat",
    "defend_range",
    "teleport_threat",
    "defend_hold_s",
    "push_when_dead",
)
TIEBREAKS: tuple[str, ...] = ("draw", "buildings")

# (section, key, minimum, maximum) of every number in rules.toml.
RULE_KEYS: tuple[tuple[str, str, float, float], ...] = (
    ("time", "ticks_per_second", 1, 1000),
    ("time", "time_limit_s", 1, 1e6),
    ("movement", "max_points", 1, 1e6),
    ("movement", "orthogonal_cost", 1, 1e6),
    ("movement", "diagonal_cost", 1, 1e6),
    ("combat", "melee_range", 1, 3),
    ("combat", "ranged_range", 1, 20),
    ("combat", "aggro_range", 1, 20),
    ("combat", "projectile_speed_per_s", 1, 2000),
    ("combat", "tower_leader_aggro_s", 0, 60),
    ("combat", "scan_every_s", 0.01, 5),
    ("buildings", "early_armour", 0, 1),
    ("buildings", "early_armour_until_s", 0, 1e6),
    ("buildings", "backdoor_armour", 0, 1),
    ("buildings", "backdoor_radius", 0, 50),
    ("buildings", "backdoor_regen_per_s", 0, 1e5),
    ("buildings", "threat_radius", 1, 50),
    ("buildings", "threat_per_creep", 0, 10),
    ("waves", "first_wave_s", 0, 600),
    ("waves", "interval_s", 1, 600),
    ("waves", "creeps_per_wave", 0, 10),
    ("waves", "mega_bonus", 0, 10),
    ("waves", "growth_per_minute", 0, 1),
    ("leaders", "respawn_base_s", 0, 600),
    ("leaders", "respawn_per_minute_s", 0, 600),
    ("leaders", "fountain_heal_per_s", 0, 1),
    ("leaders", "fountain_radius", 1, 10),
    ("leaders", "start_gold", 0, 1e6),
    ("economy", "passive_gold_per_s", 0, 1000),
    ("economy", "bounty_creep", 0, 1e5),
    ("economy", "bounty_leader", 0, 1e5),
    ("economy", "bounty_tower", 0, 1e5),
    ("economy", "bounty_barracks", 0, 1e5),
    ("economy", "inventory_slots", 1, 8),
    ("orders", "latency_s", 0, 60),
    ("orders", "apm", 0, 10000),
    ("orders", "teleport_cooldown_s", 0, 3600),
    ("orders", "teleport_channel_s", 0, 60),
    ("orders", "fortify_s", 0, 600),
    ("orders", "fortify_cooldown_s", 0, 3600),
    ("vision", "leader", 1, 20),
    ("vision", "creep", 1, 20),
    ("vision", "summon", 1, 20),
    ("vision", "tower", 1, 20),
    ("vision", "barracks", 1, 20),
    ("vision", "core", 1, 20),
    ("vision", "update_s", 0.01, 5),
)


class ContentError(ValueError):
    """A content file that cannot be used; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class Content:
    """All game content as validated arrays. Build with :func:`load_content`."""

    version: str
    map: GameMap
    rules: dict[str, float]  # "section.key" -> number
    tiebreak: int  # index into TIEBREAKS
    unit_stats: np.ndarray  # (len(UNIT_KINDS), 6) float32, columns STAT_KEYS (refill per second)
    leader_names: tuple[str, ...]
    leader_stats: np.ndarray  # (10, 6) float32, columns STAT_KEYS
    leader_ranged: np.ndarray  # (10,) bool
    leader_skills: np.ndarray  # (10, 2) int16 skill ids
    leader_build: np.ndarray  # (10, 4) int16 item ids, -1 padded
    skill_params: np.ndarray  # (20, 8) float32, columns SKILL_KEYS (seconds, per second)
    item_names: tuple[str, ...]
    item_price: np.ndarray  # (I,) float32
    item_mods: np.ndarray  # (I, 6) float32, columns ITEM_STATS
    item_effect: np.ndarray  # (I,) int8, index into ITEM_EFFECTS
    item_value: np.ndarray  # (I,) float32
    item_duration_s: np.ndarray  # (I,) float32
    profile_names: tuple[str, ...]
    profile_params: np.ndarray  # (P, 13) float32, columns PROFILE_KEYS
    extra: dict[str, Any] = field(default_factory=dict)

    def rule(self, name: str) -> float:
        """A rule number by ``"section.key"``, e.g. ``content.rule("waves.interval_s")``."""
        return self.rules[name]

    def item_id(self, name: str) -> int:
        """Item id by name (case-insensitive); raises KeyError naming the known items."""
        low = [n.lower() for n in self.item_names]
        try:
            return low.index(name.lower())
        except ValueError:
            raise KeyError(f"unknown item {name!r}; known: {', '.join(self.item_names)}") from None

    def leader_id(self, name: str) -> int:
        """Leader id by name (case-insensitive)."""
        low = [n.lower() for n in self.leader_names]
        try:
            return low.index(name.lower())
        except ValueError:
            raise KeyError(f"unknown leader {name!r}; known: {', '.join(self.leader_names)}") from None

    def profile_id(self, name: str) -> int:
        """Leader AI profile id by name."""
        try:
            return self.profile_names.index(name)
        except ValueError:
            raise KeyError(f"unknown profile {name!r}; known: {', '.join(self.profile_names)}") from None


def _read_toml(folder: Path, fname: str) -> dict[str, Any]:
    path = folder / fname
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ContentError(f"{fname}: file is missing from {folder}") from None
    except tomllib.TOMLDecodeError as e:
        raise ContentError(f"{fname}: not valid TOML: {e}") from None


def _num(fname: str, where: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContentError(f"{fname}: {where}: expected a number, got {value!r}")
    v = float(value)
    if not (lo <= v <= hi) or v != v:
        raise ContentError(f"{fname}: {where}: {value!r} is out of range [{lo:g}, {hi:g}]")
    return v


def _table(fname: str, where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContentError(f"{fname}: {where}: expected a table, got {value!r}")
    return value


def _no_unknown(fname: str, where: str, table: dict[str, Any], known: tuple[str, ...] | set[str]) -> None:
    for k in table:
        if k not in known:
            raise ContentError(f"{fname}: {where}.{k}: unknown key (known: {', '.join(sorted(known))})")


def _stats(fname: str, where: str, t: dict[str, Any], required: bool, base: np.ndarray | None = None) -> np.ndarray:
    row = np.zeros(len(STAT_KEYS), np.float32) if base is None else base.copy()
    limits = {
        "health": (1, 1e6),
        "attack": (0, 1e5),
        "defense": (0, 1e4),
        "attack_speed": (0, 200),
        "range": (0, 20),
        "refill_per_s": (0, 1e5),
    }
    for i, k in enumerate(STAT_KEYS):
        if k in t:
            row[i] = _num(fname, f"{where}.{k}", t[k], *limits[k])
        elif required:
            raise ContentError(f"{fname}: {where}.{k}: missing")
    return row


def _hash_folder(folder: Path, map_text: str, extra: Path | None = None) -> str:
    h = hashlib.sha256()
    for fname in FILES:
        h.update(fname.encode())
        h.update((folder / fname).read_bytes())
    h.update(map_text.encode())
    if extra is not None:
        h.update(b"extra profiles")
        h.update(extra.read_bytes())
    return h.hexdigest()[:16]


def load_content(
    folder: str | Path | None = None, map_name: str | Path = "map.txt", profiles: str | Path | None = None
) -> Content:
    """Read and validate every content file.

    Args:
        folder: folder with the TOML files; the package's own content by default.
        map_name: a map file name inside ``folder`` (``map.txt``, ``map_2x.txt``, ``map_4x.txt``),
            a path to any map file in the same format, or a map variant's name (``original``,
            ``mirrored``, ``2x``, ``4x``, ``perturbed-N``: :mod:`shotcaller.content.maps`; built from
            the package's maps whatever ``folder`` is).
        profiles: a TOML file of your own leader AI profiles, in the format of ``profiles.toml``: new
            names are added, a built-in name is replaced. They count in the content version.

    Raises:
        ContentError: naming the file, the key and the problem.
        MapError: naming the map file, line and column.
    """
    folder = Path(folder) if folder is not None else CONTENT_DIR
    docs = {f: _read_toml(folder, f) for f in FILES}

    # rules
    fname = "rules.toml"
    rules: dict[str, float] = {}
    sections = {s for s, _, _, _ in RULE_KEYS}
    _no_unknown(fname, "(top level)", docs[fname], sections)
    for sec, key, lo, hi in RULE_KEYS:
        t = _table(fname, sec, docs[fname].get(sec, {}))
        if key not in t:
            raise ContentError(f"{fname}: {sec}.{key}: missing")
        rules[f"{sec}.{key}"] = _num(fname, f"{sec}.{key}", t[key], lo, hi)
    for sec in sections:
        known = {k for s, k, _, _ in RULE_KEYS if s == sec} | ({"tiebreak"} if sec == "time" else set())
        _no_unknown(fname, sec, docs[fname][sec], known)
    tb = docs[fname]["time"].get("tiebreak", "draw")
    if tb not in TIEBREAKS:
        raise ContentError(f"{fname}: time.tiebreak: {tb!r} is not one of {', '.join(TIEBREAKS)}")

    # units
    fname = "units.toml"
    _no_unknown(fname, "(top level)", docs[fname], UNIT_KINDS)
    unit_stats = np.zeros((len(UNIT_KINDS), len(STAT_KEYS)), np.float32)
    for i, kind in enumerate(UNIT_KINDS):
        if kind not in docs[fname]:
            raise ContentError(f"{fname}: {kind}: missing")
        t = _table(fname, kind, docs[fname][kind])
        _no_unknown(fname, kind, t, STAT_KEYS)
        unit_stats[i] = _stats(fname, kind, t, required=True)

    # skills
    fname = "skills.toml"
    _no_unknown(fname, "(top level)", docs[fname], SKILL_NAMES)
    skill_params = np.zeros((len(SKILL_NAMES), len(SKILL_KEYS)), np.float32)
    for i, sk in enumerate(SKILL_NAMES):
        if sk not in docs[fname]:
            raise ContentError(f"{fname}: {sk}: missing (every one of the 20 skills needs a table)")
        t = _table(fname, sk, docs[fname][sk])
        _no_unknown(fname, sk, t, SKILL_KEYS)
        # damage over time is a rate, damage at once an amount: each skill reads only one of them
        wrong = "damage" if sk in DOT_SKILLS else "damage_per_s"
        if wrong in t:
            right = "damage_per_s (damage over time, per second)" if sk in DOT_SKILLS else "damage (dealt at once)"
            raise ContentError(f"{fname}: {sk}.{wrong}: {sk} does not use it; its damage is {right}")
        for j, k in enumerate(SKILL_KEYS):
            if k in t:
                skill_params[i, j] = _num(fname, f"{sk}.{k}", t[k], 0, 1e6)

    # items
    fname = "items.toml"
    items = docs[fname].get("item")
    if not isinstance(items, list) or not items:
        raise ContentError(f"{fname}: item: expected a list of [[item]] tables")
    if len(items) > 64:
        raise ContentError(f"{fname}: item: at most 64 items, found {len(items)}")
    n_items = len(items)
    item_names: list[str] = []
    item_price = np.zeros(n_items, np.float32)
    item_mods = np.zeros((n_items, len(ITEM_STATS)), np.float32)
    item_effect = np.zeros(n_items, np.int8)
    item_value = np.zeros(n_items, np.float32)
    item_dur = np.zeros(n_items, np.float32)
    for i, it in enumerate(items):
        where = f"item[{i}]"
        it = _table(fname, where, it)
        _no_unknown(fname, where, it, ("name", "price", "effect", "value", "duration_s") + ITEM_STATS)
        name = it.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ContentError(f"{fname}: {where}.name: expected a non-empty string")
        if name.lower() in (n.lower() for n in item_names):
            raise ContentError(f"{fname}: {where}.name: duplicate item {name!r}")
        where = f"item {name!r}"
        item_names.append(name)
        if "price" not in it:
            raise ContentError(f"{fname}: {where}.price: missing")
        item_price[i] = _num(fname, f"{where}.price", it["price"], 0, 1e6)
        eff = it.get("effect", "none")
        if eff not in ITEM_EFFECTS:
            raise ContentError(f"{fname}: {where}.effect: {eff!r} is not one of {', '.join(ITEM_EFFECTS)}")
        item_effect[i] = ITEM_EFFECTS.index(eff)
        item_value[i] = _num(fname, f"{where}.value", it.get("value", 0), 0, 1e6)
        item_dur[i] = _num(fname, f"{where}.duration_s", it.get("duration_s", 0), 0, 3600)
        for j, k in enumerate(ITEM_STATS):
            if k in it:
                item_mods[i, j] = _num(fname, f"{where}.{k}", it[k], -1e4, 1e5)

    # leaders
    fname = "leaders.toml"
    leaders = docs[fname].get("leader")
    if not isinstance(leaders, list) or len(leaders) != 10:
        raise ContentError(
            f"{fname}: leader: expected exactly 10 [[leader]] tables, found "
            f"{len(leaders) if isinstance(leaders, list) else 0}"
        )
    leader_names: list[str] = []
    leader_stats = np.zeros((10, len(STAT_KEYS)), np.float32)
    leader_ranged = np.zeros(10, np.bool_)
    leader_skills = np.zeros((10, 2), np.int16)
    leader_build = np.full((10, 4), -1, np.int16)
    low_items = [n.lower() for n in item_names]
    for i, ld in enumerate(leaders):
        where = f"leader[{i}]"
        ld = _table(fname, where, ld)
        _no_unknown(fname, where, ld, ("name", "range", "skills", "build") + STAT_KEYS)
        name = ld.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ContentError(f"{fname}: {where}.name: expected a non-empty string")
        if name in leader_names:
            raise ContentError(f"{fname}: {where}.name: duplicate leader {name!r}")
        where = f"leader {name!r}"
        leader_names.append(name)
        rng = ld.get("range")
        if rng not in ("melee", "ranged"):
            raise ContentError(f'{fname}: {where}.range: expected "melee" or "ranged", got {rng!r}')
        leader_ranged[i] = rng == "ranged"
        base = unit_stats[UNIT_KINDS.index("leader_ranged" if leader_ranged[i] else "leader_melee")]
        if "range" in ld and not isinstance(ld["range"], str):
            raise ContentError(f"{fname}: {where}.range: expected a string")
        over = {k: v for k, v in ld.items() if k in STAT_KEYS and k != "range"}
        leader_stats[i] = _stats(fname, where, over, required=False, base=base)
        sks = ld.get("skills")
        if not isinstance(sks, list) or len(sks) != 2:
            raise ContentError(f"{fname}: {where}.skills: expected a list of 2 skill names, got {sks!r}")
        for j, sk in enumerate(sks):
            if sk not in SKILL_NAMES:
                raise ContentError(f"{fname}: {where}.skills[{j}]: unknown skill {sk!r}")
            leader_skills[i, j] = SKILL_NAMES.index(sk)
        build = ld.get("build", [])
        if not isinstance(build, list) or len(build) > 4:
            raise ContentError(f"{fname}: {where}.build: expected a list of at most 4 item names")
        for j, itn in enumerate(build):
            if not isinstance(itn, str) or itn.lower() not in low_items:
                raise ContentError(f"{fname}: {where}.build[{j}]: unknown item {itn!r}")
            leader_build[i, j] = low_items.index(itn.lower())

    # profiles
    fname = "profiles.toml"
    prof = docs[fname]
    if not prof:
        raise ContentError(f"{fname}: no profiles defined")
    extra_path = Path(profiles) if profiles is not None else None
    if extra_path is not None:
        fname = str(extra_path)
        extra = _read_toml(extra_path.parent, extra_path.name)
        if not extra:
            raise ContentError(f"{fname}: no profiles defined")
        prof = {**prof, **extra}
    if len(prof) > 100:
        raise ContentError(f"{fname}: {len(prof)} profiles; at most 100")
    limits = {
        "retreat_hp": (0, 1),
        "resume_hp": (0, 1),
        "aggression": (0, 10),
        "farm": (0, 10),
        "push": (0, 10),
        "risk": (0, 1),
        "chase": (0, 30),
        "shop_gold": (0, 1e6),
        "defend_threat": (0, 100),
        "defend_range": (0, 1000),
        "teleport_threat": (0, 100),
        "defend_hold_s": (0, 3600),
        "push_when_dead": (0, 5),
    }
    profile_names = tuple(prof)
    profile_params = np.zeros((len(profile_names), len(PROFILE_KEYS)), np.float32)
    for i, pn in enumerate(profile_names):
        t = _table(fname, pn, prof[pn])
        _no_unknown(fname, pn, t, PROFILE_KEYS)
        for j, k in enumerate(PROFILE_KEYS):
            if k not in t:
                std = prof.get("standard", {})
                if k in PROFILE_OPTIONAL and isinstance(std, dict) and k in std and pn != "standard":
                    t = {**t, k: std[k]}
                else:
                    raise ContentError(f"{fname}: {pn}.{k}: missing")
            profile_params[i, j] = _num(fname, f"{pn}.{k}", t[k], *limits[k])
    for req in ("standard", "aggressive", "careful", "farmer"):
        if req not in profile_names:
            raise ContentError(f"{fname}: {req}: missing (built-in profile)")

    # map
    if is_variant(map_name):
        gmap = variant_map(str(map_name))
    else:
        mp = Path(map_name)
        map_path = mp if (mp.is_absolute() or mp.parent != Path(".")) else folder / mp
        if not map_path.exists() and (CONTENT_DIR / mp.name).exists() and mp.parent == Path("."):
            map_path = CONTENT_DIR / mp.name
        if not map_path.exists() and mp.parent == Path(".") and mp.suffix == "":
            raise MapError(
                f"{map_name}: no such map file in {folder} and not a map variant "
                f"(original, mirrored, 2x, 4x, perturbed-N)"
            )
        gmap = load_map(map_path)

    return Content(
        version=_hash_folder(folder, "\n".join(gmap.rows), extra_path),
        map=gmap,
        rules=rules,
        tiebreak=TIEBREAKS.index(tb),
        unit_stats=unit_stats,
        leader_names=tuple(leader_names),
        leader_stats=leader_stats,
        leader_ranged=leader_ranged,
        leader_skills=leader_skills,
        leader_build=leader_build,
        skill_params=skill_params,
        item_names=tuple(item_names),
        item_price=item_price,
        item_mods=item_mods,
        item_effect=item_effect,
        item_value=item_value,
        item_duration_s=item_dur,
        profile_names=profile_names,
        profile_params=profile_params,
    )


__all__ = ["Content", "ContentError", "MapError", "load_content", "SKILL_NAMES", "UNIT_KINDS"]
