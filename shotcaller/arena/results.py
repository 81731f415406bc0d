"""The tournament results store: one SQLite file with a ``bots`` table and a ``games`` table.

``bots`` has one row per bot version (``name@digest``, see :mod:`shotcaller.bots.identity`): its spec,
what its digest covers, when it was first and last entered, and why it is broken when it could not
load or start at its last check. ``games`` has one row per (blue, red, seed), the sides being bot
versions, with a status: ``played``, ``forfeit`` (a broken bot's game, not played: the other side
wins) or ``void`` (``--verify`` found that the game does not re-simulate from its order log; no
winner counts). Databases written before bot versions (no ``bots`` table) are migrated in place on
first use; the file is marked as ours (``PRAGMA application_id``) and a file that is not ours, or not
a database at all, is never written to.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APPLICATION_ID = 0x53435452  # "SCTR": a Shotcaller tournament database
SCHEMA_VERSION = 2  # 1 (implicit, user_version 0): games only, keyed by the text typed; 2: bots and versions
SQLITE_MAGIC = b"SQLite format 3\x00"
LEGACY_SOURCE = "(recorded before bot versions)"

GAMES = """
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY,
    blue TEXT NOT NULL,             -- bot version (bots.key) playing blue
    red TEXT NOT NULL,              -- bot version playing red
    seed INTEGER NOT NULL,
    winner TEXT NOT NULL,           -- blue | red | draw (a void game: draw, and it counts nowhere)
    ticks INTEGER NOT NULL,         -- game ticks played (0: not played)
    result TEXT NOT NULL,           -- the match result (JSON; has "budgets" and "bot_logs")
    faults TEXT NOT NULL,           -- the result's fault records (JSON list)
    replay_path TEXT,
    finished_at REAL NOT NULL,      -- Unix time the driver stored it
    status TEXT NOT NULL DEFAULT 'played',  -- played | forfeit | void
    reason TEXT,                    -- why a game was forfeited or voided
    budgets TEXT,                   -- {"blue": {"budget_ms", "bank_ms", "max_faults"}, "red": {...}} (JSON)
    bot_logs TEXT,                  -- {"blue": path or null, "red": ...} (JSON)
    UNIQUE (blue, red, seed)
)"""
BOTS = """
CREATE TABLE IF NOT EXISTS bots (
    key TEXT PRIMARY KEY,           -- name@digest (databases from before versions: the text typed)
    name TEXT NOT NULL,             -- display name
    digest TEXT NOT NULL,           -- digest of the bot's code ('' when recorded before versions)
    spec TEXT NOT NULL,             -- the spec last used to load it
    source TEXT NOT NULL,           -- what the digest covers (file, distribution==version, ...)
    broken TEXT,                    -- why it could not load or start at its last check (NULL: it could)
    log_path TEXT,                  -- its log from that check, if any
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL         -- last time a tournament entered it (the latest version of a name)
)"""
LEGACY_GAME_COLUMNS = {"id", "blue", "red", "seed", "winner", "ticks", "result", "faults", "replay_path", "finished_at"}
NEW_GAME_COLUMNS = {
    "status": "TEXT NOT NULL DEFAULT 'played'",
    "reason": "TEXT",
    "budgets": "TEXT",
    "bot_logs": "TEXT",
}


class ResultsStoreError(RuntimeError):
    """The results database cannot be used (missing directory, not a database, not ours, read-only...);
    the message is one line naming the file and what is wrong. Nothing was written."""


def _kind(con: sqlite3.Connection, where: str) -> str:
    """``ours``, ``legacy`` (a games table from before versions) or ``empty``; raises for anything else."""
    app = con.execute("PRAGMA application_id").fetchone()[0]
    version = con.execute("PRAGMA user_version").fetchone()[0]
    tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise ResultsStoreError(
                f"{where} was written by a newer Shotcaller (schema {version}; this one reads up to {SCHEMA_VERSION})"
            )
        return "ours"
    if app == 0 and not tables:
        return "empty"
    if app == 0 and "games" in tables and tables <= {"games", "bots", "sqlite_sequence"}:
        cols = {row[1] for row in con.execute("PRAGMA table_info(games)")}
        if LEGACY_GAME_COLUMNS <= cols:
            return "legacy"
    shown = ", ".join(sorted(tables)) or "none"
    raise ResultsStoreError(
        f"{where} is a SQLite database but not a Shotcaller tournament's (tables: {shown}); refusing to touch it"
    )


def _create(con: sqlite3.Connection) -> None:
    con.execute(GAMES)
    con.execute(BOTS)
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _migrate(con: sqlite3.Connection) -> None:
    """Schema 1 -> 2: the games' new columns, and one bot row per name typed then (digest '')."""
    cols = {row[1] for row in con.execute("PRAGMA table_info(games)")}
    for name, decl in NEW_GAME_COLUMNS.items():
        if name not in cols:
            con.execute(f"ALTER TABLE games ADD COLUMN {name} {decl}")
    con.execute(BOTS)
    con.execute(
        "INSERT OR IGNORE INTO bots (key, name, digest, spec, source, first_seen, last_seen)"
        " SELECT bot, bot, '', bot, ?, MIN(t), MAX(t) FROM"
        " (SELECT blue AS bot, finished_at AS t FROM games UNION ALL SELECT red, finished_at FROM games)"
        " GROUP BY bot",
        (LEGACY_SOURCE,),
    )
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _in_transaction(con: sqlite3.Connection, fn: Any) -> None:
    con.isolation_level = None
    con.execute("BEGIN IMMEDIATE")
    try:
        fn(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    con.isolation_level = "DEFERRED"  # the sqlite3 default ("" means the same)


def open_db(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    """Open the results database, creating it on first use (``readonly``: it must exist; it is
    never written, and a database from before bot versions is migrated in a copy in memory).

    Raises:
        ResultsStoreError: the directory does not exist, the file is not a SQLite database or not a
            tournament's, or it cannot be created or written.
    """
    p = Path(path)
    where = str(path)
    if p.is_dir():
        raise ResultsStoreError(f"{where} is a directory, not a database file")
    if not p.parent.resolve().is_dir():
        raise ResultsStoreError(f"{where}: directory {str(p.parent)!r} does not exist")
    if readonly and not p.exists():
        raise ResultsStoreError(f"no database at {where}")
    try:
        with p.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        head = b""
    except OSError as e:
        raise ResultsStoreError(f"cannot read {where}: {e.strerror}") from e
    if head and head != SQLITE_MAGIC:
        raise ResultsStoreError(f"{where} is not a SQLite database; refusing to touch it")
    con = None
    try:
        if readonly:
            con = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
            kind = _kind(con, where)
            if kind == "empty":
                raise ResultsStoreError(f"{where} holds no tournament yet")
            if kind == "legacy":
                mem = sqlite3.connect(":memory:")
                con.backup(mem)
                con.close()
                con = mem
                _in_transaction(con, _migrate)
            return con
        con = sqlite3.connect(where, timeout=60)
        kind = _kind(con, where)
        con.execute("PRAGMA journal_mode=WAL")
        if kind == "empty":
            _in_transaction(con, _create)
        elif kind == "legacy":
            _in_transaction(con, _migrate)
        return con
    except ResultsStoreError:
        if con is not None:
            con.close()
        raise
    except sqlite3.Error as e:
        if con is not None:
            con.close()
        what = "read" if readonly else "create or write"
        raise ResultsStoreError(f"cannot {what} the database {where}: {e}") from e


# ---------------------------------------------------------------------------- bots
def register_bot(
    con: sqlite3.Connection,
    key: str,
    name: str,
    digest: str,
    spec: str,
    source: str,
    broken: str | None,
    log_path: str | None,
    now: float,
) -> bool:
    """Insert or refresh a bot version; returns whether it was broken at its previous check."""
    row = con.execute("SELECT broken FROM bots WHERE key = ?", (key,)).fetchone()
    with con:
        con.execute(
            "INSERT INTO bots (key, name, digest, spec, source, broken, log_path, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET spec = excluded.spec,"
            " source = excluded.source, broken = excluded.broken, log_path = excluded.log_path,"
            " last_seen = excluded.last_seen",
            (key, name, digest, spec, source, broken, log_path, now, now),
        )
    return row is not None and row[0] is not None


def drop_forfeits(con: sqlite3.Connection, key: str) -> int:
    """Delete the forfeits of a bot that starts again (so that its games are played); returns how many."""
    with con:
        cur = con.execute("DELETE FROM games WHERE status = 'forfeit' AND (blue = ? OR red = ?)", (key, key))
    return cur.rowcount


def done_keys(con: sqlite3.Connection) -> set[tuple[str, str, int]]:
    """(blue, red, seed) of every game already stored."""
    return {(b, r, s) for b, r, s in con.execute("SELECT blue, red, seed FROM games")}


def store_game(
    con: sqlite3.Connection,
    blue: str,
    red: str,
    seed: int,
    result: dict[str, Any],
    *,
    status: str = "played",
    reason: str | None = None,
    replay_path: str | None = None,
) -> None:
    """Write one game (its own transaction; a duplicate is ignored). ``result`` is the match result,
    or for a forfeit ``{"winner", "ticks": 0}`` and the reason."""
    with con:
        con.execute(
            "INSERT OR IGNORE INTO games (blue, red, seed, winner, ticks, result, faults, replay_path, finished_at,"
            " status, reason, budgets, bot_logs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                blue,
                red,
                seed,
                result["winner"],
                int(result.get("ticks", 0)),
                json.dumps(result),
                json.dumps(result.get("faults", [])),
                replay_path,
                time.time(),
                status,
                reason,
                json.dumps(result["budgets"]) if "budgets" in result else None,
                json.dumps(result["bot_logs"]) if "bot_logs" in result else None,
            ),
        )


# ---------------------------------------------------------------------------- reading
@dataclass
class BotRow:
    """A bot version as the report shows it."""

    key: str
    name: str
    digest: str
    spec: str
    source: str
    broken: str | None
    log_path: str | None
    latest: bool  # the latest version of its name (the one entered last)
    faults: int = 0  # fault records in its played games
    faulty_games: int = 0
    last_log: str | None = None  # the log of its last game with faults

    @property
    def label(self) -> str:
        """``name`` for the latest version, ``name@digest`` for the others (``name@old`` for one
        recorded before bot versions)."""
        return self.name if self.latest else f"{self.name}@{self.digest or 'old'}"


@dataclass
class Results:
    """What a report needs: the counted games (played and forfeits, in the order they finished, by
    bot label), the voided games, and the bots."""

    games: list[tuple[str, str, int, str]]
    void: list[tuple[str, str, int, str]] = field(default_factory=list)  # (blue, red, seed, reason)
    forfeits: int = 0
    bots: list[BotRow] = field(default_factory=list)


def load_results(db: str | Path, all_versions: bool = False) -> Results:
    """The stored games and bots; by default only the latest version of each name and the games
    between latest versions (``all_versions``: every version, each labelled ``name@digest``
    unless it is the latest). Games come in schedule order (seed, then blue and red), so ratings are
    the same whatever the number of workers or the backend that played them."""
    con = open_db(db, readonly=True)
    try:
        cols = "key, name, digest, spec, source, broken, log_path, last_seen, first_seen"
        rows = list(con.execute(f"SELECT {cols} FROM bots"))
        latest: dict[str, tuple[float, float, str]] = {}
        for key, name, *_rest, last, first in rows:
            latest[name] = max(latest.get(name, (-1.0, -1.0, "")), (last, first, key))
        bots = {r[0]: BotRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], latest=latest[r[1]][2] == r[0]) for r in rows}
        shown = {k: b for k, b in bots.items() if all_versions or b.latest}
        out = Results(games=[], bots=list(shown.values()))
        # ratings are order-dependent (OpenSkill): games in schedule order, round by round (seed, then the
        # pairing), never in the order workers happened to finish them
        query = "SELECT blue, red, seed, winner, status, reason, faults, bot_logs FROM games ORDER BY seed, blue, red"
        for blue, red, seed, winner, status, reason, faults, logs in con.execute(query):
            if blue not in shown or red not in shown:
                continue
            b, r = shown[blue], shown[red]
            if status == "void":
                out.void.append((b.label, r.label, seed, reason or ""))
                continue
            out.games.append((b.label, r.label, seed, winner))
            out.forfeits += status == "forfeit"
            teams = [f.get("team") for f in json.loads(faults or "[]") if isinstance(f, dict)]
            paths = json.loads(logs) if logs else {}
            for side, bot in (("blue", b), ("red", r)):
                n = teams.count(side)
                if n:
                    bot.faults += n
                    bot.faulty_games += 1
                    bot.last_log = (paths or {}).get(side) or bot.last_log
        return out
    finally:
        con.close()
