"""The web game in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, never a
downloaded browser) against a real ``shotcaller serve`` process.

Screenshots are kept as test artifacts in ``$SHOTCALLER_ARTIFACTS`` (default: the test's tmp dir)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: Path, port: int) -> None:
        self.db, self.port = db, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "shotcaller", "serve", "--port", str(self.port), "--db", str(self.db)]
        self.proc = subprocess.Popen(
            cmd + ["--spectator-delay", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(300):
            try:
                self.get("/api/bots")
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=5) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict) -> dict:
        req = urllib.request.Request(
            self.url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "web.sqlite", _port())
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def _artifacts(tmp_path: Path) -> Path:
    d = Path(os.environ.get("SHOTCALLER_ARTIFACTS", tmp_path))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _frames(page, n: int, timeout: float = 20.0) -> dict:
    page.wait_for_function(f"window.shotcaller && window.shotcaller.frames >= {n}", timeout=timeout * 1000)
    return page.evaluate("window.shotcaller.lastFrame")


def test_a_match_against_a_bot_from_the_lobby_and_an_order_on_the_map(server, browser, tmp_path):
    """Create a match in the lobby, follow the seat link, give `push mid` by keys and see every leader's
    order become it in the frames the map is drawn from; the screenshot is kept."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url + "/")
    page.wait_for_function("document.querySelector('#red-seat').options.length > 2")
    page.select_option("#blue-seat", "human")
    page.select_option("#red-seat", "laner")
    page.click("#create")
    link = page.wait_for_selector("#links a[data-seat=blue]")
    page.goto(link.get_attribute("href"))
    first = _frames(page, 3)
    assert page.evaluate("window.shotcaller.hello.role") == "blue" and first["seen"]
    for key in ("0", "p", "2"):
        page.keyboard.press(key)
    page.wait_for_function(
        "window.shotcaller.lastFrame.leaders.filter(l => l.alive).every(l => l.order === 'push mid')",
        timeout=20000,
    )
    page.screenshot(path=str(_artifacts(tmp_path) / "web_order.png"))
    assert "push mid" in page.inner_text("#leaders")
    assert page.inner_text("#conn").strip() == "connected"


def test_two_people_play_each_other_to_the_end(server, browser):
    """Two browser contexts take the two seats of a (30 s) match, each gives orders, and both see the end."""
    m = server.post("/api/matches", {"blue": "human", "red": "human", "time_limit_s": 30, "seed": 4})
    pages = []
    for side in ("blue", "red"):
        ctx = browser.new_context(viewport={"width": 1200, "height": 800})
        page = ctx.new_page()
        page.goto(server.url + m["seats"][side]["url"])
        pages.append(page)
    for page, keys in zip(pages, (("0", "l", "1"), ("1", "r")), strict=True):
        _frames(page, 2)
        for k in keys:
            page.keyboard.press(k)
    for page in pages:
        page.wait_for_function("window.shotcaller.end", timeout=60000)
        assert page.is_visible("#end")
        assert page.evaluate("window.shotcaller.end.result.ticks") >= 30 * 20 - 1
    rep = json.loads(urllib.request.urlopen(server.url + f"/api/matches/{m['id']}/replay").read())
    teams = {row[1] for row in rep["orders"]}
    assert teams == {0, 1}  # both people's orders are in the match


def test_spectators_forged_tokens_and_bad_messages_are_refused_while_the_match_goes_on(server, browser):
    m = server.post("/api/matches", {"blue": "human", "red": "strategist", "seed": 2})
    player = browser.new_page()
    player.goto(server.url + m["seats"]["blue"]["url"])
    _frames(player, 2)
    probe = browser.new_page()
    probe.goto(server.url + "/index.html")
    ws = server.url.replace("http", "ws") + f"/ws/{m['id']}"
    token = m["seats"]["blue"]["url"].split("token=")[1]
    got = probe.evaluate(
        """async ([ws, token]) => {
        const talk = (url, msgs) => new Promise((done) => {
            const out = []; const s = new WebSocket(url);
            s.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'error') out.push(m.error);
                if (msgs.length && out.length >= msgs.length) { s.close(); done({errors: out}); } };
            s.onclose = (e) => done({errors: out, code: e.code});
            s.onopen = () => msgs.forEach((m) => s.send(m));
        });
        const order = JSON.stringify({type: 'order', leader: -1, kind: 'push', a: 1, b: 0});
        return {
            spectator: await talk(ws + '?watch=all', [order]),
            forged: await talk(ws + '?token=' + 'x'.repeat(token.length), []),
            bad: await talk(ws + '?token=' + token,
                            ['y'.repeat(10000), '{oops', JSON.stringify({type: 'order', leader: 7})]),
        };
    }""",
        [ws, token],
    )
    assert "spectators cannot" in got["spectator"]["errors"][0]
    assert got["forged"]["code"] == 1008 and "no seat" in got["forged"]["errors"][0]
    bad = got["bad"]["errors"]
    assert "too large" in bad[0] and "malformed JSON" in bad[1] and "leader" in bad[2]
    t0 = player.evaluate("window.shotcaller.lastFrame.tick")
    time.sleep(1.0)
    assert player.evaluate("window.shotcaller.lastFrame.tick") > t0  # the match (and the player) went on
    assert server.proc is not None and server.proc.poll() is None


def test_a_server_killed_mid_match_comes_back_and_the_player_reconnects(server, browser, tmp_path):
    """SIGKILL the server mid-match; restarted on the same store it re-simulates the match to the same
    checksums, and the player's page reconnects to its seat on its own and plays on."""
    m = server.post("/api/matches", {"blue": "human", "red": "laner", "seed": 7, "speed": 8})
    page = browser.new_page()
    page.goto(server.url + m["seats"]["blue"]["url"])
    _frames(page, 2)
    for k in ("0", "p", "1"):
        page.keyboard.press(k)
    page.wait_for_function("window.shotcaller.lastFrame.tick > 700", timeout=30000)
    time.sleep(2.5)  # the store is written at least every 2 s
    server.kill()
    from shotcaller.ui.web.store import WebStore

    store = WebStore(server.db)
    (row,) = store.rows()
    store.close()
    assert row["status"] == "live" and row["tick"] > 600
    before = {t: h for t, h in row["replay"]["checksums"]}
    server.start()
    page.wait_for_function("document.querySelector('#conn').textContent.trim() === 'connected'", timeout=20000)
    tick = page.evaluate("window.shotcaller.lastFrame.tick")
    page.wait_for_function(f"window.shotcaller.lastFrame.tick > {tick + 40}", timeout=20000)
    rep = json.loads(urllib.request.urlopen(server.url + f"/api/matches/{m['id']}/replay").read())
    after = {t: h for t, h in rep["checksums"]}
    common = [t for t in before if t in after and t != row["tick"]]
    assert len(common) >= 3 and all(after[t] == before[t] for t in common)
    assert any(o[1] == 0 and o[3] == 2 for o in rep["orders"])  # the push survived the crash
    page.screenshot(path=str(_artifacts(tmp_path) / "web_after_restart.png"))
