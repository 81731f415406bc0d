"""Frames and game ticks per second of the terminal game's match screen (``docs/play.md``).

    python benchmarks/tui_fps.py [--seconds 20] [--size 120x40] [--json]

Runs the app headless (Textual's ``App.run_test`` at ``--size``) on a live match between two built-in
bots, ``strategist`` (blue) and ``laner`` (red), full vision, as ``shotcaller watch strategist laner``
shows it, for ``--seconds`` of wall-clock time at 8x, then as long again at ``max``, and prints for
each speed:

* frames stepped per second: the match screen's clock (``MatchScreen.step_frame``, 20 a second when
  the machine keeps up) advances the match and redraws every widget; ``MatchScreen.stats``;
* map renders per second: the times the map widget actually drew (``MapView.frames``), which Textual
  may coalesce when frames come faster than it paints;
* game ticks per second: 20 ticks are a game second, so 8x is 160 ticks a second when the machine keeps
  up; ``max`` steps as many as fit in most of each frame.

The first frames of each match (the screen starting) are left out. A match that ends before the time
is up (at ``max`` a match lasts a second or two) is followed by the next seed's, and the figures are
summed over the matches played (the time between them, loading bots and mounting the screen, is not
counted). The headless
driver draws nothing to a terminal, so a real terminal adds its own cost of writing the frames.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from typing import Any

from shotcaller.bots.loader import load_bot
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim.world import World
from shotcaller.ui.tui.app import ShotcallerApp
from shotcaller.ui.tui.screens import MatchScreen, speed_name
from shotcaller.ui.tui.session import LiveSession

WARMUP_FRAMES = 5  # frames left out at the start of each match (the screen mounting, the first paints)


def size_arg(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (WIDTHxHEIGHT, e.g. 120x40)") from None
    if w < 80 or h < 24:
        raise argparse.ArgumentTypeError(f"the game needs at least 80x24, got {w}x{h}")
    return w, h


async def one_match(world: World, speed: float, seconds: float, size: tuple[int, int], seed: int) -> dict[str, Any]:
    """Play one match on the app for up to ``seconds`` (after the warm-up); the counters' increase."""
    session = LiveSession(world, load_bot("strategist"), load_bot("laner"), seed=seed, viewer=None)
    app = ShotcallerApp(session, speed=speed)
    async with app.run_test(size=size) as pilot:
        while not isinstance(app.screen, MatchScreen):
            await pilot.pause(0.05)
        screen = app.screen
        while screen.stats["frames"] < WARMUP_FRAMES and not screen.ended:
            await asyncio.sleep(0.01)
        before = dict(screen.stats), screen.map_view.frames, session.tick
        start = time.perf_counter()
        while time.perf_counter() - start < seconds and not screen.ended:
            await asyncio.sleep(0.05)
        stats, renders, ended = dict(screen.stats), screen.map_view.frames, screen.ended
    session.close()
    return {
        "seconds": stats["seconds"] - before[0]["seconds"],
        "frames": stats["frames"] - before[0]["frames"],
        "ticks": stats["ticks"] - before[0]["ticks"],
        "map_renders": renders - before[1],
        "ended": ended,
    }


async def measure(world: World, speed: float, seconds: float, size: tuple[int, int]) -> dict[str, Any]:
    runs = []
    left = seconds
    seed = 0
    while left > 0.5:
        r = await one_match(world, speed, left, size, seed)
        runs.append(r)
        left -= r["seconds"]
        seed += 1
        if not r["ended"]:
            break
    secs = sum(r["seconds"] for r in runs)
    frames = sum(r["frames"] for r in runs)
    ticks = sum(r["ticks"] for r in runs)
    renders = sum(r["map_renders"] for r in runs)
    return {
        "speed": speed_name(speed),
        "seconds": round(secs, 2),
        "matches": len(runs),
        "frames_per_second": round(frames / secs, 1),
        "map_renders_per_second": round(renders / secs, 1),
        "ticks_per_second": round(ticks / secs, 1),
        "game_seconds_per_second": round(ticks / secs / world.content.rules["time.ticks_per_second"], 2),
        "frames": frames,
        "map_renders": renders,
        "ticks": ticks,
    }


async def main(args: argparse.Namespace) -> int:
    world = build_world(load_content(), SimConfig(), Params())
    results = [await measure(world, speed, args.seconds, args.size) for speed in (8.0, 0.0)]
    report = {
        "size": f"{args.size[0]}x{args.size[1]}",
        "seconds": args.seconds,
        "bots": "strategist vs laner",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"terminal game, {report['size']} headless, {report['bots']}, {report['machine']}, {report['date']}")
    print(f"{'speed':>6} {'seconds':>8} {'frames/s':>9} {'map renders/s':>14} {'ticks/s':>8} {'game s/s':>9}")
    for r in results:
        print(
            f"{r['speed']:>6} {r['seconds']:>8.1f} {r['frames_per_second']:>9.1f} {r['map_renders_per_second']:>14.1f}"
            f" {r['ticks_per_second']:>8.0f} {r['game_seconds_per_second']:>9.2f}"
            + (f"  ({r['matches']} matches)" if r["matches"] > 1 else "")
        )
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="wall-clock seconds at each speed (default 20)")
    ap.add_argument("--size", type=size_arg, default=(120, 40), help="terminal size, WIDTHxHEIGHT (default 120x40)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    sys.exit(asyncio.run(main(ap.parse_args())))
