"""Shared test constants and helpers."""

import sqlite3
from pathlib import Path

DRAFT = list(range(10))  # blue: Rollo Vesna Sylvan Raja Brakka; red: Chiron Celsus Erno SoulsCollector Bristle


def db_rows(db: Path, sql: str) -> list[tuple]:
    """Every row of ``sql`` on the SQLite database ``db``."""
    con = sqlite3.connect(db)
    try:
        return list(con.execute(sql))
    finally:
        con.close()


def content_with_rules(folder: Path, **rules: float) -> Path:
    """A copy of the built-in content in ``folder`` with rules.toml keys set (by key name, any section)."""
    import shotcaller.content

    src = Path(shotcaller.content.__file__).parent
    for f in src.iterdir():
        if f.suffix in (".toml", ".txt"):
            (folder / f.name).write_text(f.read_text())
    lines = (folder / "rules.toml").read_text().splitlines()
    for key, value in rules.items():
        hits = [i for i, line in enumerate(lines) if line.split("=")[0].strip() == key]
        assert len(hits) == 1, f"rules.toml has {len(hits)} keys named {key}"
        lines[hits[0]] = f"{key} = {value}"
    (folder / "rules.toml").write_text("\n".join(lines) + "\n")
    return folder
