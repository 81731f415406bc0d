"""Screenshots of the terminal game for ``docs/play.md``: SVGs written to ``docs/img/``.

    python benchmarks/make_screenshots.py [--out docs/img]

Drives the app headless with Textual's pilot (``App.run_test``) and advances the sessions directly
(``session.advance``), the match screens paused, so every picture is the same on every run:

* ``draft.svg``: ``shotcaller play`` (blue against ``strategist``, seed 11), the draft at the player's
  second pick (the game picks for the player with ``a``);
* ``picker.svg``: 12 ticks before 6:44, leader 5 selected, ``p`` (push which lane?);
* ``map.svg``: at 6:44, after ``2`` (push mid, now waiting out its latency) and ``4`` ``r`` (a retreat
  queued for the next decision): a fight in mid lane under blue's fog; ``map-80x24.svg``: the same
  at the minimum size;
* ``shop.svg``: ``b`` for the richest leader; ``help.svg``: ``?``;
* ``end.svg``: the match played to its end (no more orders) and the end screen;
* ``replay.svg``: that match's replay (``shotcaller replay show PATH --tui``) at 6:50;
* ``watch.svg``: ``shotcaller watch strategist laner --seed 8`` (full vision) at 9:04.

Every screen is 120x40 except ``map-80x24.svg``. The script prints each file with the lines of text
it shows, so a reader can check each picture shows what it should without a browser.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from shotcaller.arena.replay import load_replay
from shotcaller.bots.loader import load_bot
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim.world import World
from shotcaller.ui.tui.app import ShotcallerApp
from shotcaller.ui.tui.screens import EndScreen, MatchScreen
from shotcaller.ui.tui.session import LiveSession, PlaySession, ReplaySession, Session

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 40)
SMALL = (80, 24)
PLAY_SEED = 11  # blue (the player) against strategist: a fight in mid lane at 6:44
WATCH_SEED = 8  # strategist against laner: both teams in mid at 9:04


def svg_text(svg: str) -> list[str]:
    """The lines of text an SVG screenshot shows (Textual writes one <text> element per run of a style)."""
    rows: dict[str, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text[^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S):
        x, y, body = float(m.group(1)), m.group(2), m.group(3)
        rows.setdefault(y, []).append((x, unescape(re.sub(r"<[^>]+>", "", body))))
    out = []
    for y in sorted(rows, key=float):
        out.append("".join(t for _, t in sorted(rows[y])).replace("\xa0", " ").rstrip())
    return out


class Shooter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: list[Path] = []

    def __call__(self, app: ShotcallerApp, name: str, title: str) -> None:
        svg = app.export_screenshot(title=title)
        path = self.out / f"{name}.svg"
        path.write_text(svg)
        self.written.append(path)
        lines = [ln for ln in svg_text(svg) if ln.strip()]
        print(f"== {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({len(svg) // 1024} KB)")
        for ln in lines:
            print("   " + ln)


async def wait_for(pilot: Pilot[Any], cond: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    waited = 0.0
    while not cond():
        if waited > timeout:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
        waited += 0.05


def advance_to(session: Session, minutes: int, seconds: int, ticks: int = 0) -> None:
    """Play the session up to game time ``minutes:seconds`` (plus ``ticks``)."""
    goal = round((minutes * 60 + seconds) * session.tps) + ticks
    session.advance(max(0, goal - session.tick))


async def play(shoot: Shooter, world: World, replay_path: Path) -> None:
    s = PlaySession(world, load_bot("strategist"), seed=PLAY_SEED, team=0)
    app = ShotcallerApp(s, paused=True, show_rates=False)
    title = f"shotcaller play --vs strategist --seed {PLAY_SEED}"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: s.my_turn, "the first pick")
        await pilot.press("a")  # the game picks for the player
        await wait_for(pilot, lambda: s.my_turn and len(s.drafting.picks) == 3, "the opponent's two picks")
        await pilot.pause(0.1)
        shoot(app, "draft", title)
        while not s.drafting.done:
            if s.my_turn:
                await pilot.press("a")
            await pilot.pause(0.1)
        await wait_for(pilot, lambda: isinstance(app.screen, MatchScreen), "the match screen")
        screen = app.screen
        assert isinstance(screen, MatchScreen)

        advance_to(s, 6, 44, ticks=-12)  # the picture is at 6:44, the first order 12 ticks before
        await pilot.press("5")  # select (and follow) the fifth leader
        await pilot.press("p")
        await pilot.pause(0.1)
        shoot(app, "picker", title)
        await pilot.press("2")  # push mid
        s.advance(12)  # the order is handed over at the next decision and waits out the latency
        await pilot.press("4", "r")  # the fourth leader retreats: queued for the next decision
        await pilot.press("5")
        await pilot.pause(0.15)
        shoot(app, "map", title)

        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.2)
        shoot(app, "map-80x24", title)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause(0.2)

        gold = s.state.arrays.leaders[0, :5]["gold"]
        await pilot.press(str(int(gold.argmax()) + 1), "b")  # the shop for the richest leader
        await pilot.pause(0.1)
        shoot(app, "shop", title)
        await pilot.press("escape", "5")
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        shoot(app, "help", title)
        await pilot.press("escape")

        while not s.done:
            s.advance(20 * 60)
        await wait_for(pilot, lambda: isinstance(app.screen, EndScreen), "the end screen")
        await pilot.pause(0.1)
        shoot(app, "end", title)
        s.save_replay(replay_path)
        await pilot.press("q")


async def replay(shoot: Shooter, replay_path: Path) -> None:
    s = ReplaySession(load_replay(replay_path))
    app = ShotcallerApp(s, paused=True, show_rates=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MatchScreen), "the match screen")
        s.seek(round((6 * 60 + 50) * s.tps))
        await pilot.press("5")  # follow blue's fifth leader
        await pilot.pause(0.15)
        shoot(app, "replay", "shotcaller replay show PATH --tui")


async def watch(shoot: Shooter, world: World) -> None:
    s = LiveSession(world, load_bot("strategist"), load_bot("laner"), seed=WATCH_SEED, viewer=None)
    app = ShotcallerApp(s, paused=True, show_rates=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MatchScreen), "the match screen")
        advance_to(s, 9, 4)
        await pilot.press("5")  # follow blue's fifth leader
        await pilot.pause(0.15)
        shoot(app, "watch", f"shotcaller watch strategist laner --seed {WATCH_SEED}")
        s.close()


async def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    shoot = Shooter(out)
    world = build_world(load_content(), SimConfig(), Params())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "played.json.gz"
        await play(shoot, world, path)
        await replay(shoot, path)
    await watch(shoot, world)
    print(f"{len(shoot.written)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="directory of the SVGs (docs/img)")
    sys.exit(asyncio.run(main(ap.parse_args().out)))
