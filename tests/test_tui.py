"""The terminal game (``shotcaller play``, ``watch``, ``replay show --tui``) driven through Textual's pilot:
keys and clicks become the player's orders, matches run to the end screen and replay faithfully, replays
seek, the screens look as recorded (SVG snapshots), the real command runs in tmux, and the command's
errors are readable."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList

from shotcaller.arena.match import play_match
from shotcaller.arena.playback import Playback
from shotcaller.arena.replay import load_replay, resimulate
from shotcaller.bots.loader import load_bot
from shotcaller.render import STYLES
from shotcaller.sim import layout as L
from shotcaller.ui.tui import screens
from shotcaller.ui.tui.app import ShotcallerApp
from shotcaller.ui.tui.screens import DraftScreen, EndScreen, InputScreen, MatchScreen, PickScreen, ShopScreen
from shotcaller.ui.tui.session import LiveSession, PlaySession, ReplaySession
from shotcaller.ui.tui.widgets import MapView, Minimap

ROOT = Path(__file__).resolve().parents[1]
SIZE = (100, 32)
WARLORD_BLADE = 10  # the dearest item (2000 gold); leaders start with ~200
FLOOR = STYLES.index("floor")


# ----------------------------------------------------------------------------- helpers
async def wait_until(pilot: Any, cond: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Let the app run until ``cond()`` holds; fail naming ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            pytest.fail(f"{what}: not reached after {timeout:.0f} s (screen {pilot.app.screen!r})")
        await pilot.pause(0.05)


async def draft_by_keys(pilot: Any, s: PlaySession, keys: tuple[str, ...] = ()) -> MatchScreen:
    """The player's five picks by keys (``keys`` first, then ``a``: let the game pick), the opponent's on
    the draft screen's timer; returns the match screen that follows."""
    app = pilot.app
    todo = list(keys)
    end = time.monotonic() + 30
    while not s.started:
        if time.monotonic() > end:
            pytest.fail(f"the draft did not finish: picks {s.drafting.picks}")
        if isinstance(app.screen, DraftScreen) and s.my_turn:
            before = len(s.drafting.picks)
            key = todo.pop(0) if todo else "a"
            for _ in range(3):  # on a loaded machine a key can land before the screen takes keys
                await pilot.press(key)
                t = time.monotonic() + 3
                while len(s.drafting.picks) == before and time.monotonic() < t:
                    await pilot.pause(0.05)
                if len(s.drafting.picks) > before:
                    break
            # (the opponent's pick may follow at once, on its timer)
            assert len(s.drafting.picks) > before, f"the pick key {key!r} did not pick"
        else:
            await pilot.pause(0.05)
    await wait_until(pilot, lambda: isinstance(app.screen, MatchScreen), "the match screen after the draft")
    assert app.screen is app.match_screen
    await wait_until(pilot, lambda: app.match_screen.map_view.size.width > 0, "the match screen's layout")
    await pilot.pause()
    return app.match_screen


def play_session(world: Any, seed: int = 1, **kw: Any) -> PlaySession:
    return PlaySession(world, load_bot("laner"), seed=seed, team=0, **kw)


def lines(text: Any) -> list[str]:
    return text.plain.splitlines()


def team_orders(s: Any, team: int) -> list[list[int]]:
    """``[leader, kind, a, b]`` of ``team``'s orders in the replay, in order."""
    return [row[2:] for row in s.replay.orders if row[1] == team]


def in_view(mv: MapView, x: int, y: int) -> tuple[int, int]:
    """The click offset in the map widget of map tile (x, y) (which must be on screen)."""
    x0, y0 = mv.cam
    ox, oy = x - x0, y - y0
    assert 0 <= ox < mv.size.width and 0 <= oy < mv.size.height, f"tile {(x, y)} is off screen (camera {mv.cam})"
    return ox, oy


@pytest.fixture(autouse=True)
def lasting_notices(monkeypatch):
    """Notices (an order sent...) stay until replaced: on a loaded machine the few wall-clock seconds
    they last could run out between a key and the check (or the snapshot) that reads them."""
    monkeypatch.setattr(screens, "NOTICE_S", 3600.0, raising=False)


@pytest.fixture(scope="module")
def recorded(world, tmp_path_factory):
    """laner (blue) vs pusher (red), seed 4, played headless to the end; (outcome, replay path)."""
    path = tmp_path_factory.mktemp("tui") / "laner-pusher.json"
    out = play_match(load_bot("laner"), load_bot("pusher"), seed=4, world=world, replay_path=path)
    return out, path


# ----------------------------------------------------------------------------- a whole match by keys
def test_whole_match_by_keys_against_laner(world, tmp_path):
    """Draft by keys, give every kind of coach order by keys (lane picker, shop, stance, teleport,
    fortify), go to max speed with + and reach the end screen: the orders are in the replay as pressed,
    the replay re-simulates and saves from the end screen, the opponent's orders stay hidden and the app
    returns the result."""
    s = play_session(world, seed=1)
    app = ShotcallerApp(s, speed=1, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            m = await draft_by_keys(pilot, s, keys=("3",))  # the first pick by number: leader #3
            assert s.draft[0] == 2
            await pilot.press("0", "p")
            assert isinstance(app.screen, PickScreen)
            await pilot.press("2")  # push mid
            assert app.screen is m
            await pilot.press("1", "b")
            assert isinstance(app.screen, ShopScreen)
            await pilot.press("down", "enter")  # the second row: Healing Salve
            assert app.screen is m and m.selected == 0
            await pilot.press("r", "s", "1", "o", "t", "1", "F")  # retreat, stance aggressive, group, tp core
            assert app.screen is m
            for _ in range(4):
                await pilot.press("plus")
            assert m.speed == 0 and "▶ max" in m.top_text().plain
            await wait_until(pilot, lambda: isinstance(app.screen, EndScreen), f"the end (tick {s.tick})", 150)
            feed = [ln.split(" ", 1)[-1] for ln in lines(m.feed_text(500, 200))]  # without the time
            theirs = [
                ln
                for ln in feed
                if ln.startswith("red bought:") or (ln.startswith("red ") and ("  [" in ln or " teleported to " in ln))
            ]
            assert not theirs, theirs  # the opponent's orders, purchases and teleports stay hidden
            end = app.screen
            title = str(end.query_one("#end-title").render())
            assert title.startswith(("BLUE WINS", "RED WINS", "Draw")), title
            await pilot.press("s")  # save the replay: a path prompt with a default name
            assert isinstance(app.screen, InputScreen)
            line = app.screen.query_one(Input)
            assert line.value.startswith("shotcaller-") and line.value.endswith("-seed1.json")
            line.value = str(saved)
            await pilot.press("enter")
            assert app.screen is end and end.saved == saved and app.saved_replay == saved
            await pilot.press("q")

    saved = tmp_path / "played.json"
    asyncio.run(run())
    assert load_replay(saved).orders == s.replay.orders
    res = app.result
    assert res is not None and res["winner"] in ("blue", "red", "draw")
    assert app.return_value is res
    assert s.done and res == s.result
    _, verified = resimulate(s.replay)
    assert verified.ok, verified
    mine = team_orders(s, 0)
    assert [(o[0], o[1]) for o in mine] == [
        (-1, L.O_PUSH),
        (0, L.O_BUY),
        (0, L.O_RETREAT),
        (0, L.O_STANCE),
        (0, L.O_GROUP),
        (0, L.O_TELEPORT),
        (-1, L.O_FORTIFY),
    ], mine
    push, buy, _, stance, group, tp, _ = mine
    assert push[2] == 1 and buy[2] == 1 and stance[2] == 0 and tp[2] == 0  # mid, Healing Salve, aggressive, core
    H, W = world.rec["floor"].shape
    assert 0 <= group[2] < W and 0 <= group[3] < H
    assert team_orders(s, 1), "the opponent gave no orders"


# ----------------------------------------------------------------------------- mouse
def test_clicks_on_the_map_group_and_teleport(world):
    """Paused, with leader 2 selected: a click on an empty floor tile queues a group order at that
    tile; a click on an own tower queues a teleport to its slot; both reach the replay at the next
    decision."""
    s = play_session(world, seed=1)
    app = ShotcallerApp(s, paused=True, show_rates=False)
    clicked: list[tuple[int, int]] = []

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            m = await draft_by_keys(pilot, s)
            await pilot.press("2")
            await pilot.pause()
            mv = m.map_view
            x0, y0 = mv.cam
            # an empty floor tile on screen, no unit within two tiles (else the click means the unit)
            near = {
                (int(u["x"]) + dx, int(u["y"]) + dy)
                for u in m.frame.units
                for dx in range(-2, 3)
                for dy in range(-2, 3)
            }
            floor = [
                (x, y)
                for y in range(y0, y0 + mv.size.height)
                for x in range(x0, x0 + mv.size.width)
                if m.frame.style[y, x] == FLOOR and (x, y) not in near
            ]
            assert floor, "no empty floor on screen"
            gx, gy = floor[len(floor) // 2]
            clicked.append((gx, gy))
            await pilot.click(MapView, offset=in_view(mv, gx, gy))
            await pilot.pause()
            assert m.cursor == (gx, gy)
            assert [tuple(o) for o in s.human.pending] == [(1, L.O_GROUP, gx, gy)]
            assert "(sent)" in m.notice.plain
            # the mid inner tower, slot 8: the camera moved to the cursor, read it again
            tower = next(u for u in m.frame.units if u["team"] == "blue" and u["label"] == "mid inner tower")
            await pilot.click(MapView, offset=in_view(mv, int(tower["x"]), int(tower["y"])))
            await pilot.pause()
            assert [tuple(o) for o in s.human.pending] == [(1, L.O_GROUP, gx, gy), (1, L.O_TELEPORT, 8, 0)]
            assert "teleport" in m.notice.plain
            assert s.tick == 0, "a paused match advanced"

    asyncio.run(run())
    s.advance(5)  # the player's coach is asked four times a second
    assert not s.human.pending
    ((gx, gy),) = clicked
    assert [row for row in s.replay.orders if row[1] == 0] == [
        [0, 0, 1, L.O_GROUP, gx, gy],
        [0, 0, 1, L.O_TELEPORT, 8, 0],
    ]


def test_minimap_click_then_enemy_leader_click_ganks(world):
    """Without fog: a click on the minimap moves the cursor (and the camera) there; a click on an enemy
    leader standing at the red core queues a gank on that leader for the whole team."""
    s = play_session(world, seed=1, fog=False)
    app = ShotcallerApp(s, paused=True, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            m = await draft_by_keys(pilot, s)
            H, W = m.frame.glyph.shape
            mm = m.query_one(Minimap)
            await pilot.click(Minimap, offset=(mm.size.width // 2, 0))
            await pilot.pause()
            assert m.follow is None and m.cursor is not None
            cx, cy = m.cursor
            assert abs(cx - W // 2) <= 2 and cy <= H // mm.size.height, m.cursor
            red = [u for u in m.frame.units if u["kind"] == "leader" and u["team"] == "red"]
            assert len(red) == 5
            first = min(red, key=lambda u: u["slot"])
            await pilot.click(MapView, offset=in_view(m.map_view, int(first["x"]), int(first["y"])))
            await pilot.pause()
            li = int(first["slot"]) - L.SLOT_LEADER0
            assert [tuple(o) for o in s.human.pending] == [(-1, L.O_GANK, li, 0)]
            assert s.names.leaders[li] in m.notice.plain

    asyncio.run(run())


# ----------------------------------------------------------------------------- rejected orders
def test_rejected_order_shows_its_reason_in_the_feed(world):
    """Buying the Warlord Blade for leader 1 at the start: the order is sent, and a second later the
    feed (as much of it as the screen shows) says it was REJECTED for not enough gold."""
    s = play_session(world, seed=2)
    app = ShotcallerApp(s, paused=True, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            m = await draft_by_keys(pilot, s)
            await pilot.press("1", "b")
            shop = app.screen
            assert isinstance(shop, ShopScreen)
            gold = float(s.state.arrays.leaders[0, 0]["gold"])
            assert gold < float(world.content.item_price[WARLORD_BLADE])
            assert len(world.content.item_names) == WARLORD_BLADE + 1  # the last row
            await pilot.press("ctrl+end")
            table = shop.query_one("#shop-table")
            assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == str(WARLORD_BLADE)
            await pilot.press("enter")
            assert app.screen is m
            assert "buy Warlord Blade (sent)" in m.notice.plain
            s.advance(round(s.tps))
            await pilot.pause()
            shown = m.feed_text(m.feed.size.height, m.feed.size.width).plain
            assert "REJECTED" in shown and "not enough gold" in shown, shown
            bad = [ln for ln in shown.splitlines() if "REJECTED" in ln]
            assert len(bad) == 1 and "Warlord Blade" in bad[0] and bad[0].split(" ", 1)[1].startswith("blue "), bad

    asyncio.run(run())
    answers = [a for a in s.human.answers if a.status == "rejected"]
    assert answers and "not enough gold" in (answers[0].reason or "")


# ----------------------------------------------------------------------------- snapshots
def _snap_app(world: Any, seed: int = 1) -> tuple[ShotcallerApp, PlaySession]:
    s = play_session(world, seed=seed)
    return ShotcallerApp(s, paused=True, show_rates=False), s


def test_snapshot_draft_screen(world, snap_compare):
    """The draft screen after the player's first pick (#1, Rollo) and the bot's two picks: the pick
    order bar, the pool with who took whom, and the prompt for the player's second pick."""
    app, s = _snap_app(world)

    async def before(pilot: Any) -> None:
        await pilot.press("1")
        await wait_until(pilot, lambda: len(s.drafting.picks) == 3 and s.my_turn, "the player's second pick")

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def _match_at(
    s: PlaySession, tick: int, orders: tuple[str, ...] = (), keys: tuple[str, ...] = ()
) -> Callable[[Any], Any]:
    """Draft by ``a``, press ``orders`` at tick 0 (paused), advance the session to ``tick``, press ``keys``."""

    async def before(pilot: Any) -> None:
        await draft_by_keys(pilot, s)
        await pilot.press(*orders)
        s.advance(tick - s.tick)
        assert s.tick == tick
        await pilot.press(*keys)
        await pilot.pause(0.2)  # a few frames: the screen draws the new state

    return before


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["100x32", "80x24"])
def test_snapshot_map_screen(world, snap_compare, size):
    """The match screen at 02:00 (paused, blue's fog) after the whole team was sent to push mid at 00:00:
    top bar, map around leader 1, minimap, the leader panel with the order, and the feed with the order's
    answer (the 80x24 terminal gets a shorter minimap and feed)."""
    app, s = _snap_app(world)
    assert snap_compare(app, terminal_size=size, run_before=_match_at(s, 2400, orders=("0", "p", "2")))


def test_snapshot_shop_screen(world, snap_compare):
    """The shop for leader 1 at 00:30: every item with its price, unaffordable ones greyed."""
    app, s = _snap_app(world)
    assert snap_compare(app, terminal_size=SIZE, run_before=_match_at(s, 600, keys=("1", "b")))


def test_snapshot_end_screen(world, snap_compare):
    """The end screen of a whole match in which the player gave no orders: the winner, every leader's
    numbers, both teams' totals and the save/quit keys."""
    app, s = _snap_app(world)

    async def before(pilot: Any) -> None:
        await draft_by_keys(pilot, s)
        while not s.done:
            s.advance(10_000)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EndScreen), "the end screen")

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


# ----------------------------------------------------------------------------- watch and replay
def test_watch_two_bots_to_the_end(world, recorded):
    """laner vs pusher live at max speed reaches the end screen; the match is the one play_match plays
    headless with the same seed; the feed shows both bots' orders with their reasons."""
    out, _ = recorded
    s = LiveSession(world, load_bot("laner"), load_bot("pusher"), seed=4, viewer=None)
    app = ShotcallerApp(s, speed=0, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, EndScreen), f"the end (tick {s.tick})", 120)
            feed = lines(app.match_screen.feed_text(1000, 300))
            for side in ("blue", "red"):
                whys = [ln for ln in feed if ln.split(" ", 1)[1].startswith(side + " ") and "why: " in ln]
                assert whys, f"no {side} order with its reason in the feed"
            await pilot.press("q")

    asyncio.run(run())
    assert app.return_value is app.result and app.result["winner"] == out.result["winner"]
    assert s.replay.checksums == out.replay.checksums
    assert s.replay.orders == out.replay.orders


def test_replay_keys_seek(world, recorded):
    """A recorded match in the replay screen: ] and [ move 10 s, n jumps to the next event, j 01:30
    Enter jumps to tick 1800; states reached by seeking (back too) are the states reached going
    forward."""
    out, path = recorded
    s = ReplaySession(load_replay(path), world=world)
    app = ShotcallerApp(s, paused=True, show_rates=False)
    ten = round(10 * s.tps)

    ahead = Playback(out.replay, world)  # the same match, only ever played forward

    def forward(tick: int) -> str:
        assert tick >= ahead.tick
        ahead.advance(tick - ahead.tick)
        assert ahead.tick == tick
        return ahead.state.checksum(0)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, MatchScreen), "the replay screen")
            assert s.tick == 0 and "replay" in app.screen.top_text().plain
            await pilot.press("]", "]")
            assert s.tick == 2 * ten
            await pilot.press("[")
            assert s.tick == ten
            await pilot.press("n")
            t = s.tick
            events = [e for e in s.playback.entries if e["type"] not in ("order", "match", "draft")]
            assert t > ten and t == min(e["tick"] for e in events if e["tick"] > ten)
            assert s.entries()[-1]["tick"] == t
            assert s.state.checksum(0) == forward(t)
            await pilot.press("j")
            await pilot.press(*"01:30", "enter")
            assert isinstance(app.screen, MatchScreen)
            assert s.tick == 1800 and s.clock() == "01:30"
            at_1800 = s.state.checksum(0)
            await pilot.press("[")
            assert s.tick == 1800 - ten
            assert s.state.checksum(0) == forward(1800 - ten)
            await pilot.press("]")
            assert s.state.checksum(0) == at_1800 == forward(1800)
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, EndScreen), "the end screen")

    asyncio.run(run())
    assert app.result is not None and app.result["winner"] == "running"  # stopped at 01:30


@pytest.mark.parametrize("mode", ["watch", "replay"])
def test_spectator_keys_move_the_cursor_and_follow_leaders(world, recorded, mode):
    """Watching or replaying, the arrow keys move the cursor (as when playing; keys without a character
    once crashed the screen) and 2 / @ follow blue's / red's second leader."""
    s = (
        LiveSession(world, load_bot("laner"), load_bot("pusher"), seed=4, viewer=None)
        if mode == "watch"
        else ReplaySession(load_replay(recorded[1]), world=world)
    )
    app = ShotcallerApp(s, paused=True, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, MatchScreen), "the match screen")
            m = app.screen
            x, y = m.focus_point()
            await pilot.press("right", "up", "up")
            assert m.cursor == (x + 1, y - 2) and m.follow is None
            await pilot.press("2")
            assert m.follow == 1
            await pilot.press("@")
            assert m.follow == 6
            assert s.tick == 0 and app.screen is m

    asyncio.run(run())


# ----------------------------------------------------------------------------- regressions
def test_teleport_picker_offers_every_standing_building(world):
    """The teleport picker (t) lists all 13 own buildings at the start, the last ones reachable with the
    arrows: End and Enter send the whole team to the right base tower (slot 12). (It once offered only
    the first nine: no mid base tower, no right-lane tower.)"""
    s = play_session(world, seed=1)
    app = ShotcallerApp(s, paused=True, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            m = await draft_by_keys(pilot, s)
            await pilot.press("t")
            assert isinstance(app.screen, PickScreen)
            assert app.screen.query_one(OptionList).option_count == L.N_BLD
            await pilot.press("end", "enter")
            assert app.screen is m
            assert [tuple(o) for o in s.human.pending] == [(-1, L.O_TELEPORT, L.N_BLD - 1, 0)]

    asyncio.run(run())


def test_replay_plays_on_after_back_from_the_end_screen(world, recorded):
    """Replaying at 1x: q shows the end screen, b goes back to the map, and the replay plays on. (It once
    stayed frozen, unpaused, until a seek key.)"""
    s = ReplaySession(load_replay(recorded[1]), world=world)
    app = ShotcallerApp(s, speed=1, show_rates=False)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: s.tick > 0, "the replay playing")
            await pilot.press("q")
            assert isinstance(app.screen, EndScreen)
            await pilot.press("b")
            assert isinstance(app.screen, MatchScreen) and not app.screen.paused
            t = s.tick
            await wait_until(pilot, lambda: s.tick > t, "the replay playing on", timeout=5)

    asyncio.run(run())


# ----------------------------------------------------------------------------- the real command
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_play_in_tmux(tmp_path):
    """``shotcaller play --vs laner --seed 3 --speed 8`` in a 100x30 tmux pane: five ``a`` draft the
    player's team, the map screen shows, ``q`` and ``1`` (yes) end the match and ``q`` quits with exit code
    0, printing where the match stopped."""
    sock = f"shotcaller-test-{uuid.uuid4().hex[:12]}"
    tmux = ["tmux", "-L", sock]
    cmd = f"{sys.executable} -m shotcaller play --vs laner --seed 3 --speed 8; echo EXIT=$?; sleep 60"

    def pane() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "main"], capture_output=True, text=True).stdout

    def wait_for(cond: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while True:
            text = pane()
            if cond(text):
                return text
            if time.monotonic() > end:
                pytest.fail(f"{what}: not shown after {timeout:.0f} s; the pane:\n{text}")
            time.sleep(0.2)

    env = dict(os.environ, TERM="xterm-256color")
    try:
        subprocess.run(
            [*tmux, "new-session", "-d", "-s", "main", "-x", "100", "-y", "30", "-c", str(ROOT), cmd],
            check=True,
            env=env,
            timeout=30,
        )
        for left in range(5, 0, -1):  # wait for the player's turn: "Your pick" and `left` picks to make
            wait_for(lambda t, left=left: "Your pick" in t and t.count(":you") == left, f"pick {6 - left}")
            subprocess.run([*tmux, "send-keys", "-t", "main", "a"], check=True)
            time.sleep(0.1)
        text = wait_for(lambda t: " SHOTCALLER " in t and "blue leaders" in t, "the map screen")
        assert "8x" in text
        subprocess.run([*tmux, "send-keys", "-t", "main", "q"], check=True)
        wait_for(lambda t: "End the match?" in t, "the question whether to end the match")
        subprocess.run([*tmux, "send-keys", "-t", "main", "1"], check=True)
        wait_for(lambda t: "Match stopped at" in t, "the end screen")
        subprocess.run([*tmux, "send-keys", "-t", "main", "q"], check=True)
        text = wait_for(lambda t: "EXIT=" in t, "the command's exit")
        assert "EXIT=0" in text and "shotcaller play: stopped at" in text, text
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        socket = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / sock
        socket.unlink(missing_ok=True)  # kill-server leaves the socket file


# ----------------------------------------------------------------------------- command errors
def run_cli(*args: str, tty: tuple[int, int] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m shotcaller ARGS``: stdin and stdout a pseudo-terminal of ``tty`` (columns, lines), or
    not a terminal at all; stderr captured."""
    env = dict(os.environ)
    if tty is None:
        return subprocess.run(
            [sys.executable, "-m", "shotcaller", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    master, slave = pty.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", tty[1], tty[0], 0, 0))
        env.update(COLUMNS=str(tty[0]), LINES=str(tty[1]))
        return subprocess.run(
            [sys.executable, "-m", "shotcaller", *args],
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
        )
    finally:
        os.close(slave)
        os.close(master)


def assert_exit_2(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    for n in needles:
        assert n in proc.stderr, proc.stderr


def test_cli_needs_a_terminal(tmp_path):
    """Without a terminal, play, watch and replay show --tui exit 2 saying so, before anything else
    (an unknown bot or a missing replay is not looked at)."""
    for args in (
        ("play", "--vs", "laner"),
        ("play", "--vs", "nosuchbot"),
        ("watch", "laner", "pusher"),
        ("replay", "show", str(tmp_path / "missing.json"), "--tui"),
    ):
        proc = run_cli(*args)
        assert_exit_2(proc, "needs an interactive terminal")
        assert proc.stdout == ""


def test_cli_errors_in_a_terminal(tmp_path):
    """In a terminal: a missing replay file, an unknown bot and a too small terminal each exit 2 with a
    message naming the problem."""
    missing = tmp_path / "missing.json"
    assert_exit_2(run_cli("replay", "show", str(missing), "--tui", tty=(100, 30)), "missing.json", "cannot read")
    assert_exit_2(run_cli("play", "--vs", "nosuchbot", tty=(100, 30)), "unknown bot 'nosuchbot'")
    assert_exit_2(run_cli("play", "--vs", "laner", tty=(60, 20)), "at least 80x24", "60x20")
