"""``shotcaller serve``: the web game, server-authoritative (FastAPI + WebSockets, run by uvicorn).

One process serves many matches. A :class:`Hub` owns them (:class:`~shotcaller.ui.web.rooms.Room`),
steps every live one 20 times a second at its speed, and sends each connection the frame of its view
(a seat's team fog; spectators: full vision or a side's fog, :data:`SPECTATOR_DELAY_S` late) ten times a
second. Clients only send orders (and, in a match without two people, pause and speed); every message
is size-checked, rate-limited and validated before it reaches the match, and a bad one gets an ``error``
message while the match goes on. Matches live in the tournament store's file (``--db``) and come back
after a restart. The HTTP API (``/api/...``) is documented on ``/docs`` (OpenAPI); the protocol of the
WebSocket is in ``docs/web.md``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from shotcaller.arena.replay import Replay, ReplayError, check_replay_dict, load_replay, world_for_replay
from shotcaller.bots import make_coach
from shotcaller.bots.builtin import BUILTIN
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim import layout as L
from shotcaller.sim.world import World
from shotcaller.ui.tui.session import ReplaySession
from shotcaller.ui.web.rooms import (
    SIDES,
    SPECTATOR_DELAY_S,
    SPEEDS,
    Client,
    Room,
    SeatSpec,
    end_message,
    frame_of,
    new_token,
    token_hash,
)
from shotcaller.ui.web.store import WebStore

STATIC = Path(__file__).parent / "static"
FPS = 20  # simulation steps a second
SEND_EVERY = 2  # a frame to each client every this many steps (10 a second)
MAX_MESSAGE = 2048  # bytes a client message may have
RATE = 20.0  # messages a second a connection may send on average ...
BURST = 40.0  # ... with this many at once
MAX_STRIKES = 200  # bad or rate-limited messages before the connection is closed
SAVE_EVERY_S = 2.0  # the order log of a live match is written at least this often (and on every order)
ORDER_KINDS = {
    "lane": L.O_LANE,
    "push": L.O_PUSH,
    "defend": L.O_DEFEND,
    "gank": L.O_GANK,
    "group": L.O_GROUP,
    "retreat": L.O_RETREAT,
    "buy": L.O_BUY,
    "teleport": L.O_TELEPORT,
    "stance": L.O_STANCE,
    "fortify": L.O_FORTIFY,
}


class NewMatch(BaseModel):
    """A match to create: each seat ``"human"`` (a person joins with the seat's link) or a bot the server
    allows (``GET /api/bots``)."""

    blue: str = Field("human", max_length=200)
    red: str = Field("strategist", max_length=200)
    seed: int | None = Field(None, ge=0, lt=2**63)
    speed: Literal[1, 2, 4, 8] = 1
    time_limit_s: int | None = Field(None, ge=30, le=3600, description="a shorter match (default: the rules' 1800 s)")


class OrderMessage(BaseModel):
    type: Literal["order"]
    leader: int = Field(ge=-1, le=4)
    kind: Literal["lane", "push", "defend", "gank", "group", "retreat", "buy", "teleport", "stance", "fortify"]
    a: int = Field(0, ge=-(2**31), lt=2**31)
    b: int = Field(0, ge=-(2**31), lt=2**31)


class ControlMessage(BaseModel):
    type: Literal["pause", "play"]


class SpeedMessage(BaseModel):
    type: Literal["speed"]
    speed: Literal[1, 2, 4, 8]


class SeekMessage(BaseModel):
    type: Literal["seek"]
    tick: int = Field(ge=0, lt=2**31)


@dataclass
class Conn:
    ws: WebSocket
    client: Client
    team: int | None
    ended: bool = False  # the end message was sent


class Hub:
    """Every match of the server, its store and its clock."""

    def __init__(
        self,
        db: str | Path,
        allowed_bots: list[str] | None = None,
        spectator_delay_s: float = SPECTATOR_DELAY_S,
        max_matches: int = 64,
    ) -> None:
        self.db = db
        self.store: WebStore = None  # type: ignore[assignment]  # opened in the server's thread (open)
        self.allowed = sorted(set(BUILTIN) - {"none"}) + list(allowed_bots or [])
        self.delay = spectator_delay_s
        self.max_matches = max_matches
        self.world: World = build_world(load_content(), SimConfig(), Params())
        self.tps = float(self.world.content.rules["time.ticks_per_second"])
        self.worlds: dict[float, World] = {}
        self.rooms: dict[str, Room] = {}
        self.conns: dict[str, list[Conn]] = {}
        self.saved_at: dict[str, float] = {}
        self.task: asyncio.Task[None] | None = None
        self.restored: list[str] = []
        self.broken: list[str] = []

    # ------------------------------------------------------------ matches
    def world_for(self, time_limit_s: float | None) -> World:
        """The default map's world, with the match's time limit."""
        if time_limit_s is None:
            return self.world
        key = float(time_limit_s)
        if key not in self.worlds:
            self.worlds[key] = build_world(self.world.content, SimConfig(), Params(time_limit_s=key))
        return self.worlds[key]

    def coach(self, spec: str) -> Any:
        if spec not in self.allowed:
            raise ValueError(f"bot {spec!r} is not allowed on this server (allowed: {', '.join(self.allowed)})")
        return make_coach(spec)

    def create(self, req: NewMatch) -> tuple[Room, dict[str, str]]:
        live = sum(not r.done for r in self.rooms.values())
        if live >= self.max_matches:
            raise ValueError(f"the server runs {live} matches already (at most {self.max_matches})")
        tokens: dict[str, str] = {}
        seats: dict[int, SeatSpec] = {}
        coaches: dict[int, Any] = {}
        for t, spec in enumerate((req.blue, req.red)):
            if spec == "human":
                tok = new_token()
                tokens[SIDES[t]] = tok
                seats[t] = SeatSpec("human", None, token_hash(tok))
            else:
                coaches[t] = self.coach(spec)
                seats[t] = SeatSpec("bot", spec)
        mid = "m_" + secrets.token_hex(6)
        seed = req.seed if req.seed is not None else secrets.randbelow(2**31)
        room = Room(mid, self.world_for(req.time_limit_s), int(seed), seats, speed=req.speed)
        room.start(coaches)
        self.rooms[mid] = room
        self.conns[mid] = []
        self.save(room)
        return room, tokens

    def save(self, room: Room) -> None:
        s = room.session
        assert s is not None
        seats = {SIDES[t]: {"kind": sp.kind, "bot": sp.bot, "token_sha": sp.token_sha} for t, sp in room.seats.items()}
        status = "finished" if room.done else "live"
        rep = s.replay.to_json()
        if not rep["checksums"] or rep["checksums"][-1][0] != s.tick:
            rep["checksums"] = rep["checksums"] + [[s.tick, s.state.checksum(0)]]
        self.store.save(
            room.id, seats, room.seed, room.speed, "map.txt", status, s.tick, rep, room.result, room.created_at
        )
        room.saved_orders = len(s.replay.orders)
        self.saved_at[room.id] = time.monotonic()

    def open(self) -> None:
        """Open the store (in the thread that serves: SQLite connections stay in theirs)."""
        self.store = WebStore(self.db)

    def restore(self) -> None:
        """Bring back every match the store holds as live (a server restarted mid-match)."""
        for row in self.store.rows("live"):
            seats = {t: SeatSpec(**row["seats"][SIDES[t]]) for t in (0, 1)}
            try:
                world = world_for_replay(check_replay_dict(row["replay"], f"match {row['id']}"))
                room = Room(row["id"], world, int(row["seed"]), seats, speed=int(row["speed"]))
                room.created_at = row["created_at"]
                coaches = {t: self.coach(sp.bot) for t, sp in seats.items() if sp.kind == "bot" and sp.bot}
                rep = row["replay"]
                log = {
                    "orders": rep["orders"],
                    "tick": row["tick"],
                    "checksums": rep["checksums"],
                    "draft": rep["draft"],
                }
                room.start(coaches, restore=log)
            except Exception as e:  # a match that cannot come back is marked, never silently dropped
                self.store.mark_broken(row["id"], str(e))
                self.broken.append(row["id"])
                continue
            self.rooms[room.id] = room
            self.conns[room.id] = []
            self.restored.append(room.id)

    def listing(self) -> list[dict[str, Any]]:
        out = []
        for row in self.store.rows():
            room = self.rooms.get(row["id"])
            tick = room.tick if room is not None else row["tick"]
            result = room.result if room is not None and room.result else row["result"]
            status = "live" if room is not None and not room.done else ("finished" if result else row["status"])
            out.append(
                {
                    "id": row["id"],
                    "status": status,
                    "seats": {k: {"kind": v["kind"], "bot": v["bot"]} for k, v in row["seats"].items()},
                    "tick": tick,
                    "time": f"{int(tick / self.tps) // 60:02d}:{int(tick / self.tps) % 60:02d}",
                    "winner": (result or {}).get("winner") if result else None,
                    "created_at": row["created_at"],
                }
            )
        return out

    # ------------------------------------------------------------ the clock
    async def run(self) -> None:
        last = time.monotonic()
        k = 0
        due = last
        while True:
            due += 1 / FPS  # paced to a deadline: the work of a step eats into its sleep, not on top of it
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            now = time.monotonic()
            if now - due > 1.0:  # far behind (a stall): start afresh rather than burst
                due = now
            dt, last = now - last, now
            k += 1
            for room in list(self.rooms.values()):
                was_done = room.done
                try:
                    room.step(dt, self.tps)
                except Exception as e:  # a broken match is stopped and marked; the others go on
                    self.store.mark_broken(room.id, f"stepping failed: {e!r}")
                    self.rooms.pop(room.id, None)
                    continue
                s = room.session
                assert s is not None
                if (
                    len(s.replay.orders) != room.saved_orders
                    or now - self.saved_at.get(room.id, 0) >= SAVE_EVERY_S
                    or (room.done and not was_done)
                ):
                    self.save(room)
                if k % SEND_EVERY == 0 or (room.done and not was_done):
                    await self.broadcast(room, now)

    async def broadcast(self, room: Room, now: float) -> None:
        """Send every connection of ``room`` its view's frame: each view's frame is built and encoded once
        for all its connections; a connection's new story entries are added only when it has some."""
        conns = self.conns.get(room.id, [])
        if not conns:
            return
        views: dict[tuple[str, int | None, int | None], tuple[dict[str, Any], str, list[dict[str, Any]]] | None] = {}
        spect = {c.client.viewer for c in conns if c.client.role == "spectator"}
        for v in spect:  # spectators: frames kept and sent late
            vkey = -1 if v is None else v
            q = room.spectator_frames.setdefault(vkey, deque())
            fv = frame_of(room, v, None)
            q.append((now, fv, json.dumps(fv)))
            while q and q[0][0] <= now - self.delay:
                _, fv, tv = q.popleft()
                room.shown[vkey] = (fv, tv)
        for c in conns:
            key = (c.client.role == "spectator" and "spectator" or "seat", c.client.viewer, c.team)
            if key in views:
                continue
            if key[0] == "seat":
                f = frame_of(room, c.client.viewer, c.team)
                told = room.story(c.client.viewer)
            else:
                shown = room.shown.get(-1 if c.client.viewer is None else c.client.viewer)
                if shown is None:
                    views[key] = None
                    continue
                f, text = shown
                told = [e for e in room.story(c.client.viewer) if e["tick"] <= f["tick"]]
                views[key] = (f, text, told)
                continue
            views[key] = (f, json.dumps(f), told)
        end = json.dumps(end_message(room)) if room.done else None
        for c in list(conns):
            key = (c.client.role == "spectator" and "spectator" or "seat", c.client.viewer, c.team)
            view = views.get(key)
            if view is None:
                continue
            f, text, told = view
            try:
                if len(told) > c.client.sent_events:
                    evs = [_public(e) for e in told[c.client.sent_events :]]
                    text = json.dumps({**f, "events": evs})
                c.client.sent_events = len(told)
                await c.ws.send_text(text)
                if f["done"] and end is not None and not c.ended:
                    c.ended = True
                    await c.ws.send_text(end)
            except Exception:  # a closed socket: its handler removes it
                pass


def _error(text: str) -> str:
    return json.dumps({"type": "error", "error": text})


async def _refuse(ws: WebSocket, text: str) -> None:
    """Tell a connection why it is refused, and close it (1008: policy violation)."""
    await ws.send_text(_error(text))
    await ws.close(code=1008)


def create_app(
    db: str | Path = "tournament.sqlite",
    allowed_bots: list[str] | None = None,
    spectator_delay_s: float = SPECTATOR_DELAY_S,
    max_matches: int = 64,
) -> FastAPI:
    """The web game's ASGI app (``uvicorn.run(create_app(...))``); ``app.state.hub`` is its :class:`Hub`."""
    hub = Hub(db, allowed_bots, spectator_delay_s, max_matches)

    async def lifespan(app: FastAPI) -> Any:
        hub.open()
        hub.restore()
        hub.task = asyncio.create_task(hub.run())
        try:
            yield
        finally:
            hub.task.cancel()
            for room in hub.rooms.values():
                if room.session is not None:
                    hub.save(room)
                    room.session.close()
            hub.store.close()

    app = FastAPI(
        title="Shotcaller",
        summary="Coach a 5v5 MOBA team in the browser, against bots or people; the lobby's JSON API.",
        lifespan=lifespan,
    )
    app.state.hub = hub

    @app.get("/", include_in_schema=False)
    async def index() -> Any:
        return RedirectResponse("/index.html")

    @app.get("/api/bots")
    async def bots() -> dict[str, list[str]]:
        """The bots a match may seat on this server."""
        return {"bots": hub.allowed}

    @app.post("/api/matches")
    async def new_match(req: NewMatch) -> dict[str, Any]:
        """Create a match; returns its id, each person's seat link (with the seat's secret token, shown
        only here) and the spectator links."""
        try:
            room, tokens = hub.create(req)
        except ValueError as e:
            raise HTTPException(status_code=400, detail=str(e)) from None
        seats = {}
        for t in (0, 1):
            side = SIDES[t]
            sp = room.seats[t]
            url = f"/play.html?match={room.id}&token={tokens[side]}" if side in tokens else None
            seats[side] = {"kind": sp.kind, "bot": sp.bot, "url": url}
        watch = {w: f"/play.html?match={room.id}&watch={w}" for w in ("all", "blue", "red")}
        return {"id": room.id, "seed": room.seed, "seats": seats, "watch": watch}

    @app.get("/api/matches")
    async def matches() -> dict[str, Any]:
        """Live and finished matches."""
        return {"matches": hub.listing()}

    @app.get("/api/matches/{mid}/replay")
    async def replay(mid: str) -> Any:
        """The match's replay file (as far as it has been played)."""
        rep = hub.store.replay(mid)
        if rep is None:
            raise HTTPException(status_code=404, detail=f"no match {mid!r}")
        return JSONResponse(rep, headers={"Content-Disposition": f'attachment; filename="{mid}.json"'})

    @app.websocket("/ws/{mid}")
    async def play(ws: WebSocket, mid: str, token: str | None = None, watch: str | None = None) -> None:
        await ws.accept()
        room = hub.rooms.get(mid)
        if room is None:
            return await _refuse(ws, f"no live match {mid!r}")
        team: int | None = None
        if token is not None:
            team = room.seat_of(token)
            if team is None:
                return await _refuse(ws, "this token is no seat of this match")
            client = Client(SIDES[team], team)
        elif watch in ("all", "blue", "red", None):
            viewer = None if watch in ("all", None) else SIDES.index(watch)
            client = Client("spectator", viewer)
        else:
            return await _refuse(ws, f"watch must be all, blue or red, not {watch!r}")
        conn = Conn(ws, client, team)
        delay = hub.delay if client.role == "spectator" else 0.0
        await ws.send_text(json.dumps(room.hello(client.role, team, client.viewer, delay)))
        hub.conns.setdefault(mid, []).append(conn)
        try:
            while True:
                msg = await ws.receive()
                if msg.get("type") == "websocket.disconnect":
                    break
                text = msg.get("text")
                if text is None:
                    text = ""
                    data = msg.get("bytes") or b""
                    if len(data) > MAX_MESSAGE:
                        await _strike(ws, client, f"message too large ({len(data)} bytes, at most {MAX_MESSAGE})")
                        continue
                    try:
                        text = data.decode()
                    except UnicodeDecodeError:
                        await _strike(ws, client, "messages are UTF-8 JSON text")
                        continue
                reply = _handle(room, client, team, text)
                if reply is not None:
                    await ws.send_text(reply)
                if client.strikes >= MAX_STRIKES:
                    await ws.close(code=1008)
                    break
        except WebSocketDisconnect:
            pass
        finally:
            if conn in hub.conns.get(mid, []):
                hub.conns[mid].remove(conn)

    @app.get("/api/games")
    async def games(limit: int = 100) -> dict[str, Any]:
        """Tournament games of this store with a replay (``shotcaller tournament --db ... --replays DIR``),
        newest first; each opens in the replay viewer (``/replay.html?game=ID``)."""
        return {"games": hub.store.games(min(max(1, limit), 1000))}

    @app.websocket("/ws/replay/{mid}")
    async def replay_view(ws: WebSocket, mid: str, watch: str | None = None) -> None:
        await ws.accept()
        raw = hub.store.replay(mid)
        if raw is None:
            return await _refuse(ws, f"no match {mid!r}")
        try:
            rep = check_replay_dict(raw, f"match {mid}")
        except ReplayError as e:
            return await _refuse(ws, f"the replay cannot be played: {e}")
        await _replay_socket(ws, rep, watch)

    @app.websocket("/ws/replay/game/{gid}")
    async def game_view(ws: WebSocket, gid: int, watch: str | None = None) -> None:
        await ws.accept()
        path = hub.store.game_replay_path(gid)
        if path is None:
            return await _refuse(ws, f"no tournament game {gid} with a replay")
        try:
            rep = load_replay(path)
        except ReplayError as e:
            return await _refuse(ws, f"the replay cannot be played: {e}")
        await _replay_socket(ws, rep, watch)

    app.mount("/", StaticFiles(directory=STATIC, html=True), name="static")
    return app


async def _replay_socket(ws: WebSocket, rep: Replay, watch: str | None) -> None:
    """A replay viewer's connection: frames of the replay played back, seek, play, pause and speed."""
    viewer = SIDES.index(watch) if watch in SIDES else None
    try:
        session = ReplaySession(rep, viewer=viewer)
    except ReplayError as e:
        return await _refuse(ws, f"the replay cannot be played: {e}")
    view = _ReplayRoom(session)
    hello = Room.hello(view, "replay", None, viewer, 0.0)  # type: ignore[arg-type]
    hello["end_tick"] = session.end_tick
    await ws.send_text(json.dumps(hello))
    client = Client("replay", viewer)
    sent = 0
    playing = True

    async def pump() -> None:
        nonlocal sent
        last = time.monotonic()
        while True:
            await asyncio.sleep(1 / 10)
            now = time.monotonic()
            if playing and not session.done:
                view.carry += (now - last) * view.speed * session.tps
                n = int(view.carry)
                view.carry -= n
                session.advance(n)
            last = now
            f = frame_of(view, viewer, None)  # type: ignore[arg-type]
            f["paused"] = not playing
            told = session.entries()
            evs = [_public(e) for e in told[sent:]]
            sent = len(told)
            await ws.send_text(json.dumps({**f, "events": evs}))

    task = asyncio.create_task(pump())
    try:
        while True:
            text = await ws.receive_text()
            if not _rate_ok(client):
                await _strike(ws, client, f"too many messages (at most {RATE:g} a second)")
                continue
            if len(text) > MAX_MESSAGE:
                await _strike(ws, client, f"message too large ({len(text)} bytes, at most {MAX_MESSAGE})")
                continue
            try:
                data = json.loads(text)
                kind = data.get("type") if isinstance(data, dict) else None
                if kind == "seek":
                    session.seek(SeekMessage(**data).tick)
                    sent = 0
                    await ws.send_text(json.dumps({"type": "reset"}))
                elif kind in ("play", "pause"):
                    playing = kind == "play"
                elif kind == "speed":
                    view.speed = SpeedMessage(**data).speed
                else:
                    await _strike(ws, client, f"unknown message type {str(kind)[:40]!r} (seek, play, pause, speed)")
            except (ValueError, ValidationError) as e:
                await _strike(ws, client, f"bad message: {_short(e)}")
            if client.strikes >= MAX_STRIKES:
                await ws.close(code=1008)
                break
    except WebSocketDisconnect:
        pass
    finally:
        task.cancel()


class _ReplayRoom:
    """What :func:`frame_of` reads of a room, for a replay."""

    def __init__(self, session: ReplaySession) -> None:
        self.session = session
        self.world = session.world
        self.humans: dict[int, Any] = {}
        self.speed = 1
        self.paused = False
        self.carry = 0.0
        self.id = "replay"
        self.n_humans = 0


def _public(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e[k] for k in ("tick", "time", "type", "side", "text", "status", "reject_reason") if k in e}


def _short(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()[:3])
    return str(e)[:200]


async def _strike(ws: WebSocket, client: Client, why: str) -> None:
    client.strikes += 1
    await ws.send_text(_error(why))


def _rate_ok(client: Client) -> bool:
    now = time.monotonic()
    if client.last:
        client.tokens = min(BURST, client.tokens + (now - client.last) * RATE)
    client.last = now
    if client.tokens < 1:
        return False
    client.tokens -= 1
    return True


def _handle(room: Room, client: Client, team: int | None, text: str) -> str | None:
    """One client message: its answer (an ``answer`` or an ``error``), or None."""
    if not _rate_ok(client):
        client.strikes += 1
        return _error(f"too many messages (at most {RATE:g} a second)")
    if len(text.encode()) > MAX_MESSAGE:
        client.strikes += 1
        return _error(f"message too large ({len(text.encode())} bytes, at most {MAX_MESSAGE})")
    try:
        data = json.loads(text)
    except ValueError as e:
        client.strikes += 1
        return _error(f"malformed JSON: {e}")
    if not isinstance(data, dict):
        client.strikes += 1
        return _error("a message is a JSON object with a 'type'")
    if team is None:
        client.strikes += 1
        return _error("spectators cannot send orders or control the match")
    kind = data.get("type")
    try:
        if kind == "order":
            o = OrderMessage(**data)
            ok, what, why = room.order(team, o.leader, ORDER_KINDS[o.kind], o.a, o.b)
            return json.dumps({"type": "answer", "ok": ok, "what": what, "reason": why})
        if kind in ("pause", "play", "speed"):
            if room.n_humans > 1:
                client.strikes += 1
                return _error("a match between two people cannot be paused or sped up")
            if kind == "speed":
                room.speed = SpeedMessage(**data).speed
            else:
                ControlMessage(**data)
                room.paused = (not room.paused) if kind == "pause" else False
            return None
    except ValidationError as e:
        client.strikes += 1
        return _error(f"bad {kind} message: {_short(e)}")
    client.strikes += 1
    return _error(f"unknown message type {str(kind)[:40]!r} (order, pause, play, speed)")


def serve(host: str, port: int, db: str, allowed_bots: list[str], spectator_delay_s: float, max_matches: int) -> None:
    """Run the server until interrupted (``shotcaller serve``)."""
    import uvicorn

    app = create_app(db, allowed_bots, spectator_delay_s, max_matches)
    # frames are JSON of a few KB ten times a second per connection: fewer, longer garbage collections
    gc.set_threshold(50_000, 20, 20)
    # no access log: a seat's link carries its token in the query string, and logs are read by others;
    # no per-message deflate: compressing every frame for every connection costs more CPU than loopback
    # or a LAN saves
    uvicorn.run(
        app,
        host=host,
        port=port,
        ws_max_size=64 * 1024,
        ws_per_message_deflate=False,
        log_level="info",
        access_log=False,
    )


__all__ = ["SPEEDS", "Hub", "create_app", "serve"]
