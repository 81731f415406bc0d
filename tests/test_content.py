"""Content files: loading, validation messages, maps."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from shotcaller.content import ContentError, MapError, load_content, load_map, parse_map, scale_map_text
from shotcaller.content.loader import CONTENT_DIR, SKILL_NAMES, STAT_KEYS, UNIT_KINDS


def copy_content(tmp_path: Path) -> Path:
    d = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return d


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def edit_key(path: Path, anchor: str, key: str, line: str) -> None:
    """Replace the first ``key = ...`` line after ``anchor`` (a table header or an item's name) by ``line``,
    whatever its value: the balance numbers in the files change, the key does not."""
    text = path.read_text()
    start = text.index(anchor)
    m = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M).search(text, start)
    assert m is not None, (anchor, key)
    path.write_text(text[: m.start()] + line + text[m.end() :])


def test_default_content_loads(content):
    assert len(content.leader_names) == 10
    assert content.leader_names[0] == "Rollo"
    assert len(SKILL_NAMES) == 20
    assert 8 <= len(content.item_names) <= 12
    assert (content.item_price > 0).all()
    assert {"standard", "aggressive", "careful", "farmer"} <= set(content.profile_names)
    assert content.map.width == 81 and content.map.height == 50
    assert len(content.version) == 16


def test_content_version_changes_with_data(tmp_path):
    d = copy_content(tmp_path)
    v1 = load_content(d).version
    health = float(load_content(d).unit_stats[UNIT_KINDS.index("creep"), STAT_KEYS.index("health")])
    edit_key(d / "units.toml", "[creep]", "health", f"health = {health + 1}")
    assert load_content(d).version != v1


# (file, anchor, key, new line, expected message): the key's line after the anchor is replaced;
# with key None, the anchor text itself is replaced by the new text (names, not balance numbers)
@pytest.mark.parametrize(
    "fname,anchor,key,new,expect",
    [
        ("units.toml", "[creep]", "attack", 'attack = "lots"', "units.toml: creep.attack: expected a number"),
        ("units.toml", "[creep]", "health", "health = -5", "units.toml: creep.health: -5 is out of range"),
        ("leaders.toml", '"DoubleDamage", "Cleave"', None, '"DoubleDamage", "Fireball"', "unknown skill 'Fireball'"),
        ("leaders.toml", 'range = "melee"', None, 'range = "far"', "leader 'Rollo'.range"),
        ("items.toml", 'name = "Iron Sword"', "price", "cost = 1", "items.toml: item[5].cost: unknown key"),
        ("rules.toml", "[waves]", "interval_s", "interval_s = 0", "rules.toml: waves.interval_s: 0 is out of range"),
        ("rules.toml", 'tiebreak = "draw"', None, 'tiebreak = "coin"', "rules.toml: time.tiebreak"),
        ("skills.toml", "[Cleave]", None, "[Cleeve]", "skills.toml"),
        ("profiles.toml", "[farmer]", None, "[farmr]", "profiles.toml: farmer: missing"),
        ("leaders.toml", 'build = ["Iron Sword",', None, 'build = ["Excalibur",', "unknown item 'Excalibur'"),
    ],
)
def test_broken_content_names_file_key_and_problem(tmp_path, fname, anchor, key, new, expect):
    d = copy_content(tmp_path)
    if key is None:
        edit(d / fname, anchor, new)
    else:
        edit_key(d / fname, anchor, key, new)
    with pytest.raises(ContentError) as e:
        load_content(d)
    assert expect in str(e.value)


def test_invalid_toml_names_the_file(tmp_path):
    d = copy_content(tmp_path)
    (d / "items.toml").write_text("[[item]\nname = 'x'")
    with pytest.raises(ContentError, match="items.toml: not valid TOML"):
        load_content(d)


def test_missing_file(tmp_path):
    d = copy_content(tmp_path)
    (d / "skills.toml").unlink()
    with pytest.raises(ContentError, match="skills.toml: file is missing"):
        load_content(d)


def test_map_unknown_character_names_line_and_column(tmp_path):
    rows = (CONTENT_DIR / "map.txt").read_text().splitlines()
    rows[9] = rows[9][:20] + "x" + rows[9][21:]
    p = tmp_path / "bad.txt"
    p.write_text("\n".join(rows))
    with pytest.raises(MapError, match=r"bad.txt:10:21: unknown character 'x'"):
        load_map(p)


def test_map_ragged_row_and_missing_buildings():
    with pytest.raises(MapError, match="line 2|:2:"):
        parse_map("####\n###\n", "m")
    with pytest.raises(MapError, match="needs exactly 1 core"):
        parse_map("0000\n0000\n", "m")


def test_packaged_map_is_mirror_symmetric(content):
    rows = content.map.rows
    h = len(rows)
    for y in range(h):
        assert rows[y].lower() == rows[h - 1 - y].lower(), f"row {y} is not the mirror of row {h - 1 - y}"


@pytest.mark.parametrize("k", [2, 4])
def test_scaled_maps_load_and_match_generation(k):
    c = load_content(map_name=f"map_{k}x.txt")
    assert (c.map.width, c.map.height) == (81 * k, 50 * k)
    assert len(c.map.buildings) == 26
    assert (CONTENT_DIR / f"map_{k}x.txt").read_text() == scale_map_text((CONTENT_DIR / "map.txt").read_text(), k)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_scaling_keeps_the_map_a_mirror_image_of_itself(k):
    """Even blocks have no centre tile: a building in the bottom half sits one tile up, so a building and
    its mirror image stay mirror images (one row off is what made red win 69-26 on the original map)."""
    rows = [r for r in scale_map_text((CONTENT_DIR / "map.txt").read_text(), k).split("\n") if r]
    h = len(rows)
    for y in range(h):
        assert rows[y] == rows[h - 1 - y].swapcase(), f"row {y} is not the mirror of row {h - 1 - y}"


def test_custom_map_path(tmp_path):
    p = tmp_path / "mine.txt"
    p.write_text((CONTENT_DIR / "map.txt").read_text())
    assert load_content(map_name=p).map.name == "mine.txt"
