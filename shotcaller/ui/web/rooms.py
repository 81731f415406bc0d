"""Server-side matches for the web game: rooms, seats and tokens, frames per viewer, the order log.

A :class:`Room` is one match: a :class:`~shotcaller.ui.tui.session.LiveSession` (the same live runner the
terminal game uses) whose human seats are :class:`~shotcaller.bots.human.HumanCoach` objects. The server
is authoritative: clients only send orders, which go through the human coach of their own seat and so
through the engine's validation, latency and APM budget like any bot's. Frames are built per viewer
(a team's fog, or full vision) from :mod:`shotcaller.render`, once per broadcast for all clients of that
view. Every room keeps its order log in the store (:mod:`shotcaller.ui.web.store`) so a restarted server
re-simulates it to where it was (bots are re-asked and answer the same; the humans' orders are replayed
from the log) and checks the recorded checksums before the match goes on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shotcaller.arena.words import clock
from shotcaller.bots.base import Coach, MatchInfo, Order, OrderLike
from shotcaller.bots.human import HumanCoach
from shotcaller.content.loader import SKILL_NAMES
from shotcaller.render import board_frame, item_gives
from shotcaller.sim import layout as L
from shotcaller.sim.layout import building_name
from shotcaller.sim.world import World
from shotcaller.ui.tui.session import LiveSession, apm_left, pending_orders

SIDES = ("blue", "red")
STANCES = ("aggressive", "balanced", "careful")
SPEEDS = (1, 2, 4, 8)
SPECTATOR_DELAY_S = 5.0  # spectators see the match this many seconds late (no live ghosting for a player)
HIDDEN_BY_FOG = ("order", "purchase", "teleport")  # story entries of the other side a fogged viewer never gets


def new_token() -> str:
    """An unguessable seat token (192 random bits)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class SeatSpec:
    """One side of a room: a person (``kind == "human"``, with the hash of its token) or a bot."""

    kind: str  # "human" | "bot"
    bot: str | None = None
    token_sha: str | None = None

    def to_public(self) -> dict[str, Any]:
        return {"kind": self.kind, "bot": self.bot}


class LogCoach(Coach):
    """A human seat restored after a restart: plays the seat's logged orders at their ticks, then hands
    over to the live :class:`HumanCoach` (same cadence, so the match is the one that was played)."""

    def __init__(self, human: HumanCoach, orders: list[list[int]], until: int) -> None:
        self.human = human
        self.by_tick: dict[int, list[Order]] = {}
        for t, _team, li, kind, a, b in orders:
            self.by_tick.setdefault(int(t), []).append(Order(int(li), int(kind), int(a), int(b)))
        self.until = until
        self.decide_every_s = human.decide_every_s
        self.budget = human.budget

    def reset(self, info: MatchInfo) -> None:
        self.human.reset(info)
        self.info = info

    def act(self, view: Any, info: MatchInfo) -> Sequence[OrderLike] | None:
        t = int(view["tick"])
        if t < self.until:
            return self.by_tick.get(t, [])
        return self.human.act(view, info)


@dataclass
class Client:
    """A connection's send queue position: what it has been sent."""

    role: str  # "blue" | "red" | "spectator"
    viewer: int | None
    sent_events: int = 0  # story entries already sent (for its view)
    last: float = 0.0  # rate limiter: tokens and time
    tokens: float = 40.0
    strikes: int = 0


@dataclass
class Room:
    """One match on the server."""

    id: str
    world: World
    seed: int
    seats: dict[int, SeatSpec]
    speed: int = 1
    created_at: float = field(default_factory=time.time)
    session: LiveSession | None = None
    humans: dict[int, HumanCoach] = field(default_factory=dict)
    paused: bool = False
    carry: float = 0.0
    history: dict[str, list[Any]] = field(default_factory=lambda: {"t": [], "gold": [], "buildings_lost": []})
    # per spectator view (-1 full vision, 0 blue's fog, 1 red's): (time, frame, its JSON) waiting out the
    # delay, oldest first; ``shown`` the newest that is due (what the view's spectators get now)
    spectator_frames: dict[int, deque[tuple[float, dict[str, Any], str]]] = field(default_factory=dict)
    shown: dict[int, tuple[dict[str, Any], str]] = field(default_factory=dict)
    saved_orders: int = 0
    finished_at: float | None = None
    result: dict[str, Any] | None = None

    # ---------------------------------------------------------------- the match
    @property
    def n_humans(self) -> int:
        return sum(s.kind == "human" for s in self.seats.values())

    @property
    def done(self) -> bool:
        return self.session is not None and self.session.done

    @property
    def tick(self) -> int:
        return self.session.tick if self.session is not None else 0

    def start(self, coaches: dict[int, Any], restore: dict[str, Any] | None = None) -> None:
        """Seat the coaches and start (or, from a stored order log, re-simulate up to where it was).

        Raises RuntimeError when a restored match does not reach its recorded checksums."""
        seat_coaches: dict[int, Any] = {}
        for t in (0, 1):
            if self.seats[t].kind == "human":
                self.humans[t] = HumanCoach()
                if restore:
                    mine = [o for o in restore["orders"] if int(o[1]) == t]
                    seat_coaches[t] = LogCoach(self.humans[t], mine, int(restore["tick"]))
                else:
                    seat_coaches[t] = self.humans[t]
            else:
                seat_coaches[t] = coaches[t]
        draft = [int(h) for h in restore["draft"]] if restore else None  # the log's draft is never re-drafted
        self.session = LiveSession(self.world, seat_coaches[0], seat_coaches[1], self.seed, viewer=None, draft=draft)
        if restore:
            target = int(restore["tick"])
            s = self.session
            while s.tick < target and not s.done:
                s.advance(min(600, target - s.tick))
            want = {int(t): h for t, h in restore.get("checksums", [])}
            got = {int(t): h for t, h in s.replay.checksums}
            bad = [t for t in want if t in got and got[t] != want[t]]
            if bad or s.tick != target:
                raise RuntimeError(
                    f"match {self.id} did not re-simulate to its log (tick {s.tick} of {target}; "
                    f"checksums differ at {bad[:3]})"
                )
            self.saved_orders = len(s.replay.orders)

    def step(self, dt: float, tps: float) -> int:
        """Advance by ``dt`` seconds of wall time at the room's speed; returns ticks played."""
        s = self.session
        if s is None or self.paused or s.done:
            return 0
        self.carry += min(dt, 0.5) * self.speed * tps
        n = int(self.carry)
        self.carry -= n
        played = s.advance(n) if n else 0
        sec = s.tick // max(1, round(tps))
        if played and (not self.history["t"] or sec >= self.history["t"][-1] + 5):
            A = s.state.arrays
            gold = [float(A.leaders[0, t * 5 : t * 5 + 5]["gold_total"].sum()) for t in (0, 1)]
            self.history["t"].append(int(sec))
            self.history["gold"].append([round(g) for g in gold])
            self.history["buildings_lost"].append([int(A.teams[0, t]["buildings_lost"]) for t in (0, 1)])
        if s.done and self.result is None:
            self.result = s.finish()
            self.finished_at = time.time()
        return played

    # ---------------------------------------------------------------- seats and orders
    def seat_of(self, token: str) -> int | None:
        """The team a token commands, or None."""
        h = token_hash(token)
        for t, seat in self.seats.items():
            if seat.kind == "human" and seat.token_sha and hmac.compare_digest(seat.token_sha, h):
                return t
        return None

    def order(self, team: int, leader: int, kind: int, a: int, b: int) -> tuple[bool, str, str | None]:
        """Queue a player's order on its seat's coach: (queued, what it says, why not)."""
        s = self.session
        assert s is not None
        what = s.names.order(team, kind, a, b)
        if s.done:
            return False, what, "the match is over"
        human = self.humans.get(team)
        if human is None:
            return False, what, "this seat is not a person's"
        if not human.submit(leader, kind, a, b):
            return False, what, "too many orders queued"
        return True, what, None

    # ---------------------------------------------------------------- what clients see
    def hello(self, role: str, team: int | None, viewer: int | None, delay_s: float) -> dict[str, Any]:
        s = self.session
        assert s is not None
        w = self.world
        c = w.content
        floor = np.asarray(w.rec["floor"]).astype(bool)
        rows = ["".join("·" if f else "#" for f in row) for row in floor.tolist()]
        items = [
            {"id": i, "name": name, "price": float(c.item_price[i]), "gives": item_gives(c, i)}
            for i, name in enumerate(c.item_names)
        ]
        units = s.state.arrays.units[0]
        buildings = [
            {
                "slot": slot,
                "team": SIDES[slot // L.N_BLD],
                "label": building_name(slot),
                "x": int(units[slot]["x"]),
                "y": int(units[slot]["y"]),
            }
            for slot in range(2 * L.N_BLD)
        ]
        return {
            "type": "hello",
            "match": self.id,
            "role": role,
            "team": team,
            "viewer": viewer,
            "delay_s": delay_s,
            "humans": self.n_humans,
            "map": {"width": w.width, "height": w.height, "rows": rows},
            "leaders": list(s.names.leaders),
            "items": items,
            "buildings": buildings,
            "lanes": ["left", "mid", "right"],
            "stances": list(STANCES),
            "end_tick": None,
        }

    def story(self, viewer: int | None) -> list[dict[str, Any]]:
        """The story entries a viewer may read (a team's fog hides the other side's orders, purchases,
        teleports)."""
        assert self.session is not None
        entries = self.session.entries()
        if viewer is None:
            return entries
        mine = SIDES[viewer]
        return [e for e in entries if e.get("type") not in HIDDEN_BY_FOG or e.get("side") == mine]


def frame_of(room: Room, viewer: int | None, team: int | None) -> dict[str, Any]:
    s = room.session
    assert s is not None
    state = s.state
    A = state.arrays
    bf = board_frame(state, viewer)
    units = []
    for u in bf.units:
        kind = u["kind"] if u.get("alive", True) else "rubble"
        hp = float(u["hp"]) / max(1.0, float(u["max_hp"]))
        units.append(
            [int(u["slot"]), kind, u["team"], int(u["x"]), int(u["y"]), round(hp, 3), u["glyph"], bool(u["stale"])]
        )
    seen = None if viewer is None else base64.b64encode(np.packbits(bf.seen.astype(np.uint8)).tobytes()).decode()
    tps = s.tps
    now = s.tick
    teams = (0, 1) if viewer is None else (viewer,)
    leaders = []
    c = s.world.content
    for t in teams:
        for i in range(5):
            li = t * 5 + i
            ld = A.leaders[0, li]
            un = A.units[0, L.SLOT_LEADER0 + li]
            kind = int(ld["order"])
            skills = []
            for k in range(3):
                sk = int(ld["skills"][k])
                if sk >= 0:
                    left = max(0, int(ld["skill_ready_at"][k]) - now) / tps
                    skills.append({"name": SKILL_NAMES[sk], "ready_in_s": left})
            leaders.append(
                {
                    "index": i,
                    "team": SIDES[t],
                    "name": s.names.leaders[li],
                    "alive": bool(un["alive"]),
                    "hp": round(float(un["hp"]), 1),
                    "max_hp": round(float(un["max_hp"]), 1),
                    "gold": round(float(ld["gold"]), 1),
                    "order": s.names.order(t, kind, int(ld["order_a"]), int(ld["order_b"])) if kind else "default plan",
                    "stance": STANCES[int(ld["stance"])] if 0 <= int(ld["stance"]) < 3 else "?",
                    "respawn_in_s": 0 if un["alive"] else max(0, int(ld["respawn_at"]) - now) / tps,
                    "teleport_in_s": max(0, int(ld["teleport_ready_at"]) - now) / tps,
                    "skills": skills,
                    "items": [c.item_names[int(it)] for it in A.games["inv"][0, li] if it >= 0],
                }
            )
    apm: list[int] | None = None
    pending: list[dict[str, Any]] = []
    if team is not None:
        budget = apm_left(state, team)
        apm = None if budget is None else list(budget)
        pending = [
            {
                "leader": p.leader,
                "what": s.names.order(team, p.kind, p.a, p.b),
                "stage": p.stage,
                "in_s": None if p.due is None else max(0, p.due - now) / tps,
            }
            for p in pending_orders(room.humans.get(team), state, team)
        ]
    score = {
        "kills": [int(A.teams[0, t]["kills"]) for t in (0, 1)],
        "buildings_lost": [int(A.teams[0, t]["buildings_lost"]) for t in (0, 1)],
        "gold": [round(float(A.leaders[0, t * 5 : t * 5 + 5]["gold_total"].sum())) for t in (0, 1)],
    }
    g = A.games[0]
    winner = None
    if g["done"]:
        winner = {0: "blue", 1: "red", 2: "draw"}.get(int(g["winner"]))
    return {
        "type": "frame",
        "tick": now,
        "time": clock(now, tps),
        "speed": room.speed,
        "paused": room.paused,
        "done": bool(g["done"]),
        "winner": winner,
        "units": units,
        "seen": seen,
        "leaders": leaders,
        "apm": apm,
        "pending": pending,
        "score": score,
        "events": [],
    }


def end_message(room: Room) -> dict[str, Any]:
    r = room.result or {}
    keep = ("winner", "end_reason", "minutes", "ticks", "leaders", "teams")
    return {"type": "end", "result": {k: r[k] for k in keep if k in r}, "history": room.history}
