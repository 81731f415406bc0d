"""Content files: loading, validation messages, maps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shotcaller.content import ContentError, MapError, load_content, load_map, parse_map, scale_map_text
from shotcaller.content.loader import CONTENT_DIR, SKILL_NAMES


def copy_content(tmp_path: Path) -> Path:
    d = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return d


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_default_content_loads(content):
    assert len(content.leader_names) == 10
    assert content.leader_names[0] == "Rollo"
    assert len(SKILL_NAMES) == 20
    assert 8 <= len(content.item_names) <= 12
    assert min(content.item_price) >= 100 and max(content.item_price) <= 2000
    assert {"standard", "aggressive", "careful", "farmer"} <= set(content.profile_names)
    assert content.map.width == 81 and content.map.height == 50
    assert len(content.version) == 16


def test_content_version_changes_with_data(tmp_path):
    d = copy_content(tmp_path)
    v1 = load_content(d).version
    edit(d / "units.toml", "health = 550", "health = 551")
    assert load_content(d).version != v1


@pytest.mark.parametrize(
    "fname,old,new,expect",
    [
        ("units.toml", "attack = 20", 'attack = "lots"', "units.toml: creep.attack: expected a number"),
        ("units.toml", "health = 550", "health = -5", "units.toml: creep.health: -5 is out of range"),
        ("leaders.toml", '"DoubleDamage", "Cleave"', '"DoubleDamage", "Fireball"', "unknown skill 'Fireball'"),
        ("leaders.toml", 'range = "melee"', 'range = "far"', "leader 'Rollo'.range"),
        ("items.toml", "price = 450", "cost = 450", "items.toml: item[5].cost: unknown key"),
        ("rules.toml", "interval_s = 30", "interval_s = 0", "rules.toml: waves.interval_s: 0 is out of range"),
        ("rules.toml", 'tiebreak = "draw"', 'tiebreak = "coin"', "rules.toml: time.tiebreak"),
        ("skills.toml", "[Cleave]", "[Cleeve]", "skills.toml"),
        ("profiles.toml", "[farmer]", "[farmr]", "profiles.toml: farmer: missing"),
        ("leaders.toml", 'build = ["Iron Sword",', 'build = ["Excalibur",', "unknown item 'Excalibur'"),
    ],
)
def test_broken_content_names_file_key_and_problem(tmp_path, fname, old, new, expect):
    d = copy_content(tmp_path)
    edit(d / fname, old, new)
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


def test_custom_map_path(tmp_path):
    p = tmp_path / "mine.txt"
    p.write_text((CONTENT_DIR / "map.txt").read_text())
    assert load_content(map_name=p).map.name == "mine.txt"
