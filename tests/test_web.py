"""The web game's server: the lobby API, seats and tokens, frames per view, hostile messages, restarts.

Driven through FastAPI's TestClient (the real app, its lifespan and its clock, over httpx and an in-process
WebSocket); the browser tests are in tests/test_web_browser.py."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from shotcaller.arena.replay import check_replay_dict, resimulate  # noqa: E402
from shotcaller.sim import layout as L  # noqa: E402
from shotcaller.ui.web.server import create_app  # noqa: E402


def _until(ws, kind: str, limit: int = 400) -> dict:
    for _ in range(limit):
        msg = json.loads(ws.receive_text())
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message in {limit}")


def _token(url: str) -> str:
    return url.split("token=")[1]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "web.sqlite"


def test_the_lobby_creates_matches_with_secret_seats_and_lists_them(db):
    """POST /api/matches returns each person's seat link with an unguessable token and the spectator links;
    GET /api/matches lists the match; the API is on the OpenAPI page; a bot the server does not allow is
    refused with its name."""
    with TestClient(create_app(db)) as client:
        r = client.post("/api/matches", json={"blue": "human", "red": "strategist", "seed": 3})
        assert r.status_code == 200, r.text
        m = r.json()
        tok = _token(m["seats"]["blue"]["url"])
        assert len(tok) >= 32 and m["seats"]["red"] == {"kind": "bot", "bot": "strategist", "url": None}
        assert set(m["watch"]) == {"all", "blue", "red"}
        listed = client.get("/api/matches").json()["matches"]
        assert [x["id"] for x in listed] == [m["id"]] and listed[0]["status"] == "live"
        assert tok not in json.dumps(listed) and tok not in db.read_bytes().decode("latin-1")
        assert "/api/matches" in client.get("/openapi.json").json()["paths"]
        bad = client.post("/api/matches", json={"blue": "human", "red": "examples/evil.py:Bot"})
        assert bad.status_code == 400 and "not allowed" in bad.json()["detail"]
        assert client.post("/api/matches", json={"blue": "human", "speed": 3}).status_code == 422


def test_a_seat_plays_orders_through_its_own_coach_and_sees_its_fog(db):
    """The blue seat's order reaches the engine (in the replay at blue's team); its frames carry its fog:
    no red unit it cannot see, and its own pending orders and APM."""
    with TestClient(create_app(db)) as client:
        m = client.post("/api/matches", json={"blue": "human", "red": "laner", "seed": 5, "speed": 8}).json()
        hub = client.app.state.hub
        room = hub.rooms[m["id"]]
        with client.websocket_connect(f"/ws/{m['id']}?token={_token(m['seats']['blue']['url'])}") as ws:
            hello = _until(ws, "hello")
            assert hello["role"] == "blue" and hello["team"] == 0 and len(hello["map"]["rows"]) == 50
            ws.send_text(json.dumps({"type": "order", "leader": -1, "kind": "push", "a": 1, "b": 0}))
            ans = _until(ws, "answer")
            assert ans["ok"] and ans["what"] == "push mid"
            for _ in range(50):
                f = _until(ws, "frame")
                if any(o[1:] == [0, -1, L.O_PUSH, 1, 0] for o in room.session.replay.orders):
                    break
            else:
                raise AssertionError("the order never reached the match")
            f = _until(ws, "frame")
            assert f["seen"] and f["apm"] is not None and {ld["team"] for ld in f["leaders"]} == {"blue"}
            vis = room.session.state.arrays.games["vis"][0, 0]
            red_mobile = [u for u in f["units"] if u[2] == "red" and u[0] >= 2 * L.N_BLD]
            # the frame is built from the state at its tick; the state may have moved on, so check loosely
            assert len(red_mobile) <= int(vis[2 * L.N_BLD :].sum()) + 10
            bits = np.unpackbits(np.frombuffer(__import__("base64").b64decode(f["seen"]), np.uint8))
            assert bits.size >= 50 * 81


def test_hostile_messages_get_errors_and_the_match_goes_on(db):
    """A forged token is refused and closed; oversized, malformed and ill-typed messages get an error each
    while the connection and the match go on; spectators cannot send orders."""
    with TestClient(create_app(db, spectator_delay_s=0.2)) as client:
        m = client.post("/api/matches", json={"blue": "human", "red": "laner", "speed": 8}).json()
        mid = m["id"]
        with client.websocket_connect(f"/ws/{mid}?token=AAAA{_token(m['seats']['blue']['url'])[4:]}") as ws:
            assert "no seat" in _until(ws, "error")["error"]
        with client.websocket_connect(f"/ws/{mid}?token={_token(m['seats']['blue']['url'])}") as ws:
            _until(ws, "hello")
            ws.send_text("x" * 5000)
            assert "too large" in _until(ws, "error")["error"]
            ws.send_text("{not json")
            assert "malformed JSON" in _until(ws, "error")["error"]
            ws.send_text(json.dumps({"type": "order", "leader": 9, "kind": "nuke"}))
            err = _until(ws, "error")["error"]
            assert "leader" in err and "kind" in err
            ws.send_text(json.dumps([1, 2]))
            assert "JSON object" in _until(ws, "error")["error"]
            t0 = _until(ws, "frame")["tick"]
            time.sleep(0.3)
            assert _until(ws, "frame")["tick"] > t0  # the match goes on
        with client.websocket_connect(f"/ws/{mid}?watch=all") as spec:
            hello = _until(spec, "hello")
            assert hello["role"] == "spectator" and hello["delay_s"] == 0.2
            spec.send_text(json.dumps({"type": "order", "leader": -1, "kind": "push", "a": 1, "b": 0}))
            assert "spectators cannot" in _until(spec, "error")["error"]
            assert _until(spec, "frame")["seen"] is None  # full vision, late


def test_two_people_cannot_pause_and_one_can(db):
    with TestClient(create_app(db)) as client:
        solo = client.post("/api/matches", json={"blue": "human", "red": "idle"}).json()
        with client.websocket_connect(f"/ws/{solo['id']}?token={_token(solo['seats']['blue']['url'])}") as ws:
            _until(ws, "hello")
            ws.send_text(json.dumps({"type": "pause"}))
            for _ in range(100):
                if _until(ws, "frame")["paused"]:
                    break
            else:
                raise AssertionError("pause did nothing")
        duo = client.post("/api/matches", json={"blue": "human", "red": "human"}).json()
        with client.websocket_connect(f"/ws/{duo['id']}?token={_token(duo['seats']['red']['url'])}") as ws:
            assert _until(ws, "hello")["role"] == "red"
            ws.send_text(json.dumps({"type": "pause"}))
            assert "two people" in _until(ws, "error")["error"]


def test_a_restarted_server_resumes_its_matches_with_the_same_checksums(db):
    """A server stopped mid-match and started again on the same store re-simulates the match from its
    order log (the person's orders replayed, the bot asked again) to the same checksums, and the person's
    seat token still works."""
    with TestClient(create_app(db)) as client:
        m = client.post("/api/matches", json={"blue": "human", "red": "strategist", "seed": 9, "speed": 8}).json()
        tok = _token(m["seats"]["blue"]["url"])
        room = client.app.state.hub.rooms[m["id"]]
        with client.websocket_connect(f"/ws/{m['id']}?token={tok}") as ws:
            _until(ws, "hello")
            for kind, a in (("push", 0), ("stance", 0), ("retreat", 0)):
                ws.send_text(json.dumps({"type": "order", "leader": 1, "kind": kind, "a": a, "b": 0}))
                _until(ws, "answer")
                time.sleep(0.2)
            while room.tick < 900:
                _until(ws, "frame")
        before = {t: h for t, h in room.session.replay.checksums}
        mine = [o for o in room.session.replay.orders if o[1] == 0]
        assert len(mine) == 3
    with TestClient(create_app(db)) as client:
        hub = client.app.state.hub
        assert hub.restored == [m["id"]] and hub.broken == []
        room2 = hub.rooms[m["id"]]
        after = {t: h for t, h in room2.session.replay.checksums}
        assert all(after[t] == h for t, h in before.items() if t in after) and len(after) >= len(before) - 1
        assert [o for o in room2.session.replay.orders if o[1] == 0][:3] == mine
        with client.websocket_connect(f"/ws/{m['id']}?token={tok}") as ws:
            assert _until(ws, "hello")["role"] == "blue"
            assert _until(ws, "frame")["tick"] >= 900
        rep = check_replay_dict(json.loads(client.get(f"/api/matches/{m['id']}/replay").text))
    _, verified = resimulate(rep)
    assert verified.ok


def test_finished_matches_open_in_the_replay_viewer(db):
    with TestClient(create_app(db)) as client:
        m = client.post("/api/matches", json={"blue": "pusher", "red": "laner", "seed": 2, "speed": 8}).json()
        hub = client.app.state.hub
        room = hub.rooms[m["id"]]
        while room.tick < 400:
            time.sleep(0.1)
        with client.websocket_connect(f"/ws/replay/{m['id']}?watch=blue") as ws:
            hello = _until(ws, "hello")
            end = hello["end_tick"]
            assert hello["role"] == "replay" and end >= 100  # as far as the store has it (saved every 2 s)
            ws.send_text(json.dumps({"type": "seek", "tick": end - 60}))
            _until(ws, "reset")
            f = _until(ws, "frame")
            assert end - 60 <= f["tick"] <= end and f["seen"]
            ws.send_text(json.dumps({"type": "seek", "tick": -5}))
            assert "tick" in _until(ws, "error")["error"]


def test_tournament_games_of_the_store_open_in_the_replay_viewer(db, tmp_path, world):
    """A tournament game stored with its replay in the same file is listed by GET /api/games and plays in
    the replay viewer; a game id without one is refused."""
    from shotcaller.arena.match import play_match
    from shotcaller.arena.results import open_db, store_game
    from shotcaller.bots import make_coach

    path = tmp_path / "g.json"
    out = play_match(make_coach("pusher"), make_coach("laner"), seed=4, world=world, replay_path=path)
    con = open_db(db)
    store_game(con, "pusher@x", "laner@y", 4, out.result, replay_path=str(path))
    con.close()
    with TestClient(create_app(db)) as client:
        (g,) = client.get("/api/games").json()["games"]
        assert (g["blue"], g["red"], g["winner"]) == ("pusher@x", "laner@y", out.result["winner"])
        with client.websocket_connect(f"/ws/replay/game/{g['id']}") as ws:
            hello = _until(ws, "hello")
            assert hello["end_tick"] == out.replay.checksums[-1][0]
            ws.send_text(json.dumps({"type": "seek", "tick": 5000}))
            _until(ws, "reset")
            assert _until(ws, "frame")["tick"] >= 5000
        with client.websocket_connect(f"/ws/replay/game/{g['id'] + 99}") as ws:
            assert "no tournament game" in _until(ws, "error")["error"]
