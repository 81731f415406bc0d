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
