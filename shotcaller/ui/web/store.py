"""The web server's matches in the tournament store (the same SQLite file, its own ``web_matches`` table).

Each row is one match: its seats (bot specs, or a person's seat with the SHA-256 of its token, never the
token), seed and speed, and its replay so far (seed, draft, every order with its tick, the checksums),
written as the match goes and when it ends. A server restarted on the same file restores every match
still live from its row (:meth:`shotcaller.ui.web.rooms.Room.start` with ``restore``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from shotcaller.arena.results import open_db

WEB_MATCHES = """
CREATE TABLE IF NOT EXISTS web_matches (
    id TEXT PRIMARY KEY,
    seats TEXT NOT NULL,            -- {"blue": {"kind", "bot", "token_sha"}, "red": {...}} (JSON)
    seed INTEGER NOT NULL,
    speed INTEGER NOT NULL,
    map TEXT NOT NULL,
    status TEXT NOT NULL,           -- live | finished | broken
    tick INTEGER NOT NULL,          -- the tick the stored replay reaches
    replay TEXT NOT NULL,           -- the replay so far (JSON, the replay file's format)
    result TEXT,                    -- the match result when finished (JSON)
    reason TEXT,                    -- why a match could not be restored (status broken)
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)"""


class WebStore:
    """The ``web_matches`` table of a results database."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.con: sqlite3.Connection = open_db(path)
        self.con.execute(WEB_MATCHES)
        self.con.commit()

    def close(self) -> None:
        self.con.close()

    def save(
        self,
        mid: str,
        seats: dict[str, Any],
        seed: int,
        speed: int,
        map_name: str,
        status: str,
        tick: int,
        replay: dict[str, Any],
        result: dict[str, Any] | None,
        created_at: float,
    ) -> None:
        self.con.execute(
            "INSERT INTO web_matches (id, seats, seed, speed, map, status, tick, replay, result, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
            " status=excluded.status, tick=excluded.tick, replay=excluded.replay, result=excluded.result,"
            " speed=excluded.speed, updated_at=excluded.updated_at",
            (
                mid,
                json.dumps(seats),
                int(seed),
                int(speed),
                map_name,
                status,
                int(tick),
                json.dumps(replay),
                None if result is None else json.dumps(result),
                created_at,
                time.time(),
            ),
        )
        self.con.commit()

    def mark_broken(self, mid: str, reason: str) -> None:
        self.con.execute(
            "UPDATE web_matches SET status='broken', reason=?, updated_at=? WHERE id=?", (reason, time.time(), mid)
        )
        self.con.commit()

    def rows(self, status: str | None = None) -> list[dict[str, Any]]:
        q = "SELECT id, seats, seed, speed, map, status, tick, replay, result, reason, created_at FROM web_matches"
        args: tuple[Any, ...] = ()
        if status is not None:
            q += " WHERE status = ?"
            args = (status,)
        out = []
        for r in self.con.execute(q + " ORDER BY created_at", args):
            out.append(
                {
                    "id": r[0],
                    "seats": json.loads(r[1]),
                    "seed": r[2],
                    "speed": r[3],
                    "map": r[4],
                    "status": r[5],
                    "tick": r[6],
                    "replay": json.loads(r[7]),
                    "result": None if r[8] is None else json.loads(r[8]),
                    "reason": r[9],
                    "created_at": r[10],
                }
            )
        return out

    def replay(self, mid: str) -> dict[str, Any] | None:
        row = self.con.execute("SELECT replay FROM web_matches WHERE id = ?", (mid,)).fetchone()
        return None if row is None else json.loads(row[0])

    def games(self, limit: int = 100) -> list[dict[str, Any]]:
        """The tournament games of this store that kept a replay, newest first."""
        q = (
            "SELECT id, blue, red, seed, winner, ticks, finished_at FROM games WHERE replay_path IS NOT NULL"
            " AND status = 'played' ORDER BY finished_at DESC LIMIT ?"
        )
        keys = ("id", "blue", "red", "seed", "winner", "ticks", "finished_at")
        return [dict(zip(keys, r, strict=True)) for r in self.con.execute(q, (int(limit),))]

    def game_replay_path(self, gid: int) -> str | None:
        row = self.con.execute("SELECT replay_path FROM games WHERE id = ?", (int(gid),)).fetchone()
        return None if row is None else row[0]
