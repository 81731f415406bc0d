"""Screenshots of the web game for docs/web.md: the lobby, a match, a spectator's view, the end screen and
the replay viewer, taken by Playwright driving Debian's Chromium against a real ``shotcaller serve``.

    python benchmarks/web_screenshots.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    db = Path(tempfile.mkdtemp()) / "web.sqlite"
    cmd = [sys.executable, "-m", "shotcaller", "serve", "--port", str(port), "--db", str(db), "--spectator-delay", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def post(body: dict) -> dict:
        head = {"Content-Type": "application/json"}
        req = urllib.request.Request(url + "/api/matches", json.dumps(body).encode(), head)
        return json.loads(urllib.request.urlopen(req, timeout=10).read())

    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/api/bots", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            flags = ["--headless", "--no-sandbox", "--disable-gpu"]
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
            page = b.new_page(viewport={"width": 1400, "height": 900})
            watched = post({"blue": "strategist", "red": "laner", "seed": 8, "speed": 8})
            short = post({"blue": "pusher", "red": "laner", "seed": 3, "speed": 8, "time_limit_s": 120})
            page.goto(url + "/")
            page.wait_for_function("document.querySelector('#red-seat').options.length > 2")
            page.select_option("#red-seat", "strategist")
            page.click("#create")
            link = page.wait_for_selector("#links a[data-seat=blue]")
            time.sleep(3.5)
            page.screenshot(path=str(out / "web-lobby.png"))
            page.goto(link.get_attribute("href"))
            page.wait_for_function("window.shotcaller && window.shotcaller.frames > 5")
            for k in ("0", "p", "2"):
                page.keyboard.press(k)
            page.wait_for_function("window.shotcaller.lastFrame.tick > 700", timeout=60000)
            page.screenshot(path=str(out / "web-match.png"))
            page.goto(url + watched["watch"]["all"])
            late = "window.shotcaller.lastFrame && window.shotcaller.lastFrame.tick > 4000"
            page.wait_for_function(late, timeout=90000)
            page.screenshot(path=str(out / "web-watch.png"))
            page.goto(url + short["watch"]["all"])
            page.wait_for_function("window.shotcaller.end", timeout=90000)
            time.sleep(1)
            page.screenshot(path=str(out / "web-end.png"))
            page.goto(url + f"/replay.html?match={short['id']}")
            page.wait_for_function("window.shotcaller && window.shotcaller.frames > 3")
            page.evaluate("window.shotcaller.send({type: 'seek', tick: 1500})")
            time.sleep(1.5)
            page.screenshot(path=str(out / "web-replay.png"))
            b.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"5 screenshots in {out}")


if __name__ == "__main__":
    main()
