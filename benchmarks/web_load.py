"""Load on the web server (``shotcaller serve``): many spectators of many bot matches, on loopback.

    python benchmarks/web_load.py [--matches 20] [--spectators 100] [--seconds 60] [--port P] [--json]

Starts ``python -m shotcaller serve --spectator-delay 1`` as a child process (a free port unless
``--port``, a temporary ``--db``), creates ``--matches`` matches of built-in bots through
``POST /api/matches`` (``strategist`` vs ``laner`` and ``pusher`` vs ``laner`` in turn, speed 1, the
default: what a person watches), opens ``--spectators`` WebSockets spread over the matches in turn
(``/ws/ID?watch=all``, ``blue`` and ``red`` in turn; the client offers permessage-deflate, as browsers
do), lets them settle for a few seconds (the spectator delay and the first frames), then for
``--seconds`` of wall-clock time counts, for each socket, the ``frame`` messages it receives, and reads
the server process's CPU time and memory from ``/proc`` every second. It prints:

* frames a second per socket (min / median / max; the server sends 10 a second when it keeps up), the
  longest gap between two frames of a socket, bytes a second, and how late the last frame was against
  the match's tick (the spectator delay, 1 s, plus up to a frame);
* sockets that got no frame in the window, and sockets the server closed;
* matches lost: matches created but, at the end, missing from ``GET /api/matches`` or neither live nor
  finished (0 expected);
* game ticks a second per match, from the ticks ``GET /api/matches`` reports at the start and the end
  of the window (20 a second at speed 1 when the server keeps up: its clock catches up on a late step
  by playing more ticks, so ticks can hold while frames fall behind);
* the server's CPU (user + system time over wall time; 100% is one core) and resident memory (at the
  start and end of the window, every 10 s, the highest sample, and the kernel's high-water mark
  ``VmHWM``);
* the load generator's own CPU, and the rest of the machine's (``/proc/stat``): they run on the same
  cores as the server.

Diagnostic only; Linux (``/proc``). The server's log is kept in the temporary directory and its tail is
printed if it fails to start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PAIRS = (("strategist", "laner"), ("pusher", "laner"))  # blue, red; matches take them in turn
WATCH = ("all", "blue", "red")  # spectator views; sockets take them in turn
SPECTATOR_DELAY_S = 1.0
SETTLE_S = 3.0  # after the last socket opened, before the window: the delay and the first frames
TPS = 20  # game ticks a second (rules: time.ticks_per_second)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (``/proc/PID/stat`` fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy (``/proc/stat``: all but idle and iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now (``VmRSS``) and its high-water mark (``VmHWM``), MB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


@dataclass
class Spectator:
    """One socket and what it got."""

    match: str
    watch: str
    hello: bool = False
    frames: int = 0  # frames inside the window
    frames_total: int = 0
    bytes: int = 0  # inside the window
    last_at: float | None = None  # arrival of the last frame (any time)
    last_tick: int | None = None
    max_gap: float = 0.0  # longest time between two frames inside the window
    closed: str | None = None  # why the server closed it, if it did


class Window:
    start: float | None = None
    end: float | None = None

    def inside(self, t: float) -> bool:
        return self.start is not None and t >= self.start and (self.end is None or t < self.end)


async def watch(url: str, sp: Spectator, window: Window, opened: asyncio.Event) -> None:
    try:
        async with connect(url, max_size=None, ping_interval=None, open_timeout=60) as ws:
            opened.set()
            async for raw in ws:
                now = time.monotonic()
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind == "hello":
                    sp.hello = True
                elif kind == "frame":
                    sp.frames_total += 1
                    if window.inside(now):
                        sp.frames += 1
                        sp.bytes += len(raw)
                        if sp.last_at is not None and window.inside(sp.last_at):
                            sp.max_gap = max(sp.max_gap, now - sp.last_at)
                    sp.last_at = now
                    sp.last_tick = int(msg["tick"])
                elif kind == "error":
                    sp.closed = f"error: {msg.get('error')}"
    except ConnectionClosed as e:
        sp.closed = f"closed ({e.rcvd.code if e.rcvd else 'no close frame'})"
    except asyncio.CancelledError:
        raise
    except Exception as e:  # refused, timed out, ...
        sp.closed = f"{type(e).__name__}: {e}"
    finally:
        opened.set()
    if sp.closed is None and not (window.end is not None and time.monotonic() >= window.end):
        sp.closed = "closed by the server"


def spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"min": None, "median": None, "max": None}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def rounded(d: dict[str, float | None], nd: int) -> dict[str, float | None]:
    return {k: (None if v is None else round(v, nd)) for k, v in d.items()}


async def listing(http: httpx.AsyncClient) -> tuple[float, dict[str, dict[str, Any]]]:
    """``GET /api/matches``: (the time between asking and the answer, the matches by id)."""
    t0 = time.monotonic()
    r = await http.get("/api/matches")
    t1 = time.monotonic()
    r.raise_for_status()
    return (t0 + t1) / 2, {m["id"]: m for m in r.json()["matches"]}


async def wait_ready(proc: subprocess.Popen[bytes], http: httpx.AsyncClient, timeout: float = 120.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if (await http.get("/api/bots")).status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s")


async def run(args: argparse.Namespace, proc: subprocess.Popen[bytes], port: int) -> dict[str, Any]:
    pid = proc.pid
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        ready_s = await wait_ready(proc, http)

        ids: list[str] = []
        bots: dict[str, str] = {}
        for i in range(args.matches):
            blue, red = PAIRS[i % len(PAIRS)]
            r = await http.post("/api/matches", json={"blue": blue, "red": red, "seed": i, "speed": 1})
            if r.status_code != 200:
                raise RuntimeError(f"POST /api/matches: {r.status_code} {r.text}")
            ids.append(r.json()["id"])
            bots[ids[-1]] = f"{blue} vs {red}"

        window = Window()
        specs = [Spectator(ids[i % len(ids)], WATCH[i % len(WATCH)]) for i in range(args.spectators)]
        events = [asyncio.Event() for _ in specs]
        tasks = [
            asyncio.create_task(watch(f"ws://127.0.0.1:{port}/ws/{sp.match}?watch={sp.watch}", sp, window, ev))
            for sp, ev in zip(specs, events, strict=True)
        ]
        try:
            await asyncio.wait_for(asyncio.gather(*(ev.wait() for ev in events)), timeout=120)
            await asyncio.sleep(SPECTATOR_DELAY_S + SETTLE_S)

            # the window
            t_list0, before = await listing(http)
            window.start = time.monotonic()
            cpu0, mine0, busy0 = cpu_seconds(pid), os.times(), machine_busy_seconds()
            mem0 = memory_mb(pid)
            samples: list[tuple[float, float, float]] = []  # (time, cpu seconds, rss MB)
            last = (window.start, cpu0)
            while time.monotonic() - window.start < args.seconds:
                await asyncio.sleep(min(1.0, args.seconds - (time.monotonic() - window.start)))
                now, cpu = time.monotonic(), cpu_seconds(pid)
                samples.append((now, (cpu - last[1]) / max(1e-9, now - last[0]), memory_mb(pid)["VmRSS"]))
                last = (now, cpu)
            window.end = time.monotonic()
            cpu1, mine1, busy1 = cpu_seconds(pid), os.times(), machine_busy_seconds()
            mem1 = memory_mb(pid)
            t_list1, after = await listing(http)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    wall = window.end - window.start
    # matches
    lost = [m for m in ids if m not in after or after[m]["status"] not in ("live", "finished")]
    statuses = {s: sum(after.get(m, {}).get("status") == s for m in ids) for s in ("live", "finished")}
    rates: dict[str, float] = {}
    for m in ids:
        if m in before and m in after:
            rates[m] = (after[m]["tick"] - before[m]["tick"]) / (t_list1 - t_list0)
    live_rates = [rates[m] for m in rates if after[m]["status"] == "live" and before[m]["status"] == "live"]
    # sockets
    fps = [sp.frames / wall for sp in specs]
    silent = [sp for sp in specs if sp.frames == 0]
    closed = [sp for sp in specs if sp.closed]
    lags = []
    for sp in specs:  # how far behind the match the last frame was (the match's tick extrapolated back)
        if sp.last_tick is None or sp.last_at is None or sp.match not in rates:
            continue
        live_tick = after[sp.match]["tick"] - rates[sp.match] * (t_list1 - sp.last_at)
        lags.append((live_tick - sp.last_tick) / TPS)
    by_view = {w: [sp.frames / wall for sp in specs if sp.watch == w] for w in WATCH}
    cpu_pct = 100 * (cpu1 - cpu0) / wall
    mine_pct = 100 * ((mine1.user + mine1.system) - (mine0.user + mine0.system)) / wall
    others_pct = 100 * (busy1 - busy0) / wall - cpu_pct - mine_pct
    fps_spread = spread(fps)
    tick_spread = spread(live_rates)
    keeps_up = (
        not lost
        and not silent
        and not closed
        and fps_spread["median"] is not None
        and fps_spread["median"] >= 9.0
        and (tick_spread["min"] is None or tick_spread["min"] >= 19.0)
    )
    return {
        "matches": args.matches,
        "spectators": args.spectators,
        "seconds": round(wall, 2),
        "bots": sorted(set(bots.values())),
        "speed": 1,
        "spectator_delay_s": SPECTATOR_DELAY_S,
        "server_ready_s": round(ready_s, 2),
        "frames_per_second": rounded(fps_spread, 2),
        "frames_per_second_by_view": {w: rounded(spread(v), 2) for w, v in by_view.items()},
        "sockets_below_9_fps": sum(f < 9.0 for f in fps),
        "longest_gap_s": rounded(spread([sp.max_gap for sp in specs if sp.frames > 1]), 3),
        "bytes_per_second_per_socket": round(statistics.median(sp.bytes / wall for sp in specs)),
        "frame_lag_s": rounded(spread(lags), 2),
        "sockets_without_frames": len(silent),
        "sockets_closed": len(closed),
        "closed_why": sorted({sp.closed for sp in closed if sp.closed})[:5],
        "matches_lost": len(lost),
        "matches_status": statuses,
        "ticks_per_second": rounded(tick_spread, 1),
        "server_cpu_percent": round(cpu_pct, 1),
        "server_cpu_percent_max_1s": round(max((s[1] for s in samples), default=0.0) * 100, 1),
        "server_rss_mb": {
            "start": round(mem0["VmRSS"], 1),
            "peak": round(max([mem0["VmRSS"], mem1["VmRSS"]] + [s[2] for s in samples]), 1),
            "end": round(mem1["VmRSS"], 1),
            "hwm": round(mem1["VmHWM"], 1),
            "every_10s": [round(x[2], 1) for x in samples[9::10]],
        },
        "load_generator_cpu_percent": round(mine_pct, 1),
        "other_processes_cpu_percent": round(max(0.0, others_pct), 1),
        "keeps_up": keeps_up,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def show(r: dict[str, Any]) -> None:
    def trio(d: dict[str, Any], fmt: str) -> str:
        return " / ".join("-" if d[k] is None else format(d[k], fmt) for k in ("min", "median", "max"))

    def row(label: str, value: str) -> None:
        print(f"  {label:<42}{value}")

    print(
        f"web server load: {r['matches']} matches ({', '.join(r['bots'])}, speed 1), {r['spectators']} spectator "
        f"sockets, {r['seconds']:.1f} s, spectator delay {r['spectator_delay_s']:g} s; {r['machine']}, {r['date']}"
    )
    row("frames/s per socket (min / median / max)", f"{trio(r['frames_per_second'], '.2f')}   (10 expected)")
    for w, d in r["frames_per_second_by_view"].items():
        row(f"  watch={w}", trio(d, ".2f"))
    row("sockets below 9 frames/s", str(r["sockets_below_9_fps"]))
    row("longest gap between frames, s", trio(r["longest_gap_s"], ".3f"))
    row("last frame behind the match, s", trio(r["frame_lag_s"], ".2f"))
    row("bytes/s per socket (median)", f"{r['bytes_per_second_per_socket']:,}")
    row("sockets without a frame", str(r["sockets_without_frames"]))
    why = f"  ({'; '.join(r['closed_why'])})" if r["closed_why"] else ""
    row("sockets closed by the server", f"{r['sockets_closed']}{why}")
    st = r["matches_status"]
    row("matches lost", f"{r['matches_lost']}   ({st['live']} live, {st['finished']} finished)")
    row("game ticks/s per live match", f"{trio(r['ticks_per_second'], '.1f')}   (20 expected)")
    row(
        "server CPU, % of one core",
        f"{r['server_cpu_percent']:.1f}   (highest 1 s: {r['server_cpu_percent_max_1s']:.1f})",
    )
    m = r["server_rss_mb"]
    row("server RSS, MB", f"start {m['start']:.1f}, peak {m['peak']:.1f}, end {m['end']:.1f} (VmHWM {m['hwm']:.1f})")
    row("server RSS every 10 s, MB", ", ".join(f"{x:.0f}" for x in m["every_10s"]) or "-")
    row("load generator CPU, % of one core", f"{r['load_generator_cpu_percent']:.1f}")
    row(
        "other processes' CPU, % of one core",
        f"{r['other_processes_cpu_percent']:.1f}   (of {100 * (os.cpu_count() or 1)})",
    )
    row("server ready after", f"{r['server_ready_s']:.1f} s")
    if r["keeps_up"]:
        print("  the server keeps up: ~10 frames/s to every socket and 20 ticks/s in every match")
    else:
        print("  THE SERVER DOES NOT KEEP UP (median frames/s < 9, ticks/s < 19, or sockets silent, closed or lost)")


def main(args: argparse.Namespace) -> int:
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="web_load_") as tmp:
        db = Path(tmp) / "web.sqlite"
        log_path = Path(tmp) / "server.log"
        cmd = [
            sys.executable, "-m", "shotcaller", "serve",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--db", str(db),
            "--spectator-delay", f"{SPECTATOR_DELAY_S:g}",
            "--max-matches", str(max(64, args.matches)),
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                report = asyncio.run(run(args, proc, port))
            except Exception as e:
                log.flush()
                tail = log_path.read_text(errors="replace").splitlines()[-20:]
                print(f"web_load: {e}\n--- server log (tail) ---\n" + "\n".join(tail), file=sys.stderr)
                return 1
            finally:
                stop(proc)
    if args.json:
        print(json.dumps(report))
    else:
        show(report)
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matches", type=int, default=20, help="bot matches to create (default 20)")
    ap.add_argument(
        "--spectators", type=int, default=100, help="spectator sockets, spread over the matches (default 100)"
    )
    ap.add_argument("--seconds", type=float, default=60.0, help="wall-clock seconds measured (default 60)")
    ap.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    a = ap.parse_args()
    if a.matches < 1 or a.spectators < 1 or a.seconds <= 0:
        ap.error("--matches and --spectators must be at least 1, --seconds above 0")
    sys.exit(main(a))
