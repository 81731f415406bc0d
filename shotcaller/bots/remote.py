"""Bots in any language: a JSON-lines protocol over a child process's stdin and stdout.

The host writes one JSON object per line to the bot's stdin and reads one JSON line back per
decision (see ``docs/bot_protocol.md``):

* when the match has a draft: ``{"type": "hello", "id": 0, "protocol": 2, "features": ["draft"], "seed": …,
  "side": …, "content_version": …}`` — a bot that drafts answers ``{"id": 0, "draft": true}`` within
  ``hello_ms`` (500 ms); any other answer, or none, means it does not (random picks, no fault). Then, for
  each of its picks, ``{"type": "draft", "id": n, "view": {...draft view...}}`` — answer
  ``{"id": n, "pick": "Vesna"}`` (a leader name or a hero id), on the same time budget as a decision;
* ``{"type": "start", "id": 0, "seed": …, "side": "blue", "leaders": [...], "enemy_leaders": [...],
  "content_version": …, "orders": {...order kinds...}}`` — answer anything (e.g. ``{}``) or nothing;
* ``{"type": "observe", "id": n, "view": {...team view...}}`` — answer ``{"id": n, "orders": [...]}``
  where each order is ``[leader, kind, a, b]`` or ``{"order": "push", "leader": -1, "a": 1, "b": 0}``.

Each decision has a time budget (100 ms by default) plus a bank (1 s) that absorbs overruns,
Screeps/Lux style. A bot that answers late, answers garbage, floods its output, or dies loses that
decision's orders; the reason is raised as :class:`BotFault`, which the match runner records, and
after ``max_faults`` faults in a row the bot is silenced for the rest of the match (a forfeit of its
orders; the leaders keep playing their default plan).
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from shotcaller.bots.base import DraftInfo, MatchInfo, Order
from shotcaller.sim import layout as L

MAX_LINE = 1 << 20  # bytes of one answer
PROTOCOL = 2  # 1: start + observe; 2: adds the optional hello handshake and draft messages


class BotFault(RuntimeError):
    """A remote bot broke the protocol (timeout, garbage, flood, crash)."""


class SubprocessCoach:
    """A coach that lives in a child process and speaks JSON lines."""

    def __init__(
        self,
        cmd: list[str],
        budget_ms: float = 100.0,
        bank_ms: float = 1000.0,
        max_faults: int = 10,
        cwd: str | None = None,
        sandbox: bool | str = "auto",
        memory_mb: int = 1024,
        cpu_seconds: int = 600,
        file_mb: int = 16,
        max_processes: int = 32,
        hello_ms: float = 500.0,
    ) -> None:
        self.sandbox = _bwrap() is not None if sandbox == "auto" else bool(sandbox)
        if self.sandbox and _bwrap() is None:
            raise BotFault("sandbox requested but bubblewrap (bwrap) is not installed (apt-get install bubblewrap)")
        self.limits = (memory_mb, cpu_seconds, file_mb, max_processes)
        self.cmd = cmd
        self.budget = budget_ms / 1000.0
        self.bank0 = bank_ms / 1000.0
        self.max_faults = max_faults
        self.cwd = cwd
        self.hello = hello_ms / 1000.0
        self.proc: subprocess.Popen[bytes] | None = None
        self.drafting = False
        self._kept = False  # the process was started by the handshake: reset keeps it for the match

    # ------------------------------------------------------------------ process plumbing
    def _start(self) -> None:
        self.close()
        self.proc = subprocess.Popen(
            sandboxed(self.cmd) if self.sandbox else self.cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.cwd,
            start_new_session=True,
            preexec_fn=_limiter(*self.limits),
        )
        os.set_blocking(self.proc.stdout.fileno(), False)  # type: ignore[union-attr]
        self.buf = b""

    def close(self) -> None:
        """Stop the child process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _send(self, msg: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(msg, separators=(",", ":")) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise BotFault(f"bot process is gone (exit code {self.proc.poll()}): {e}") from None

    def _readline(self, deadline: float) -> bytes | None:
        assert self.proc is not None and self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            while b"\n" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return None
                chunk = self.proc.stdout.read(65536)
                if chunk is None:
                    continue
                if chunk == b"":
                    raise BotFault(f"bot process closed its output (exit code {self.proc.wait()})")
                self.buf += chunk
                if len(self.buf) > MAX_LINE and b"\n" not in self.buf[:MAX_LINE]:
                    self.buf = b""
                    raise BotFault(f"answer longer than {MAX_LINE} bytes (output flood)")
            line, _, self.buf = self.buf.partition(b"\n")
            return line
        finally:
            sel.close()

    def _ask(self, msg: dict[str, Any]) -> dict[str, Any] | None:
        self._send(msg)
        t0 = time.monotonic()
        deadline = t0 + self.budget + self.bank
        while True:
            line = self._readline(deadline)
            if line is None:
                self.bank = max(0.0, self.bank - (time.monotonic() - t0 - self.budget))
                raise BotFault(f"no answer within {self.budget * 1000:.0f} ms + bank")
            try:
                ans = json.loads(line)
            except ValueError:
                raise BotFault(f"answer is not JSON: {line[:80]!r}") from None
            if isinstance(ans, dict) and ans.get("id", msg["id"]) != msg["id"]:
                continue  # a late answer to an earlier question: drop it
            used = time.monotonic() - t0
            if used > self.budget:
                self.bank = max(0.0, self.bank - (used - self.budget))
            if not isinstance(ans, dict):
                raise BotFault(f"answer must be a JSON object, got {type(ans).__name__}")
            return ans

    # ------------------------------------------------------------------ coach protocol
    def _new_match(self) -> None:
        self._start()
        self.bank = self.bank0
        self.seq = 0
        self.faults_in_a_row = 0
        self.silenced = False
        self.drafting = False

    def _decide(self, msg: dict[str, Any], parse: Callable[[dict[str, Any]], Any]) -> Any:
        """Ask one timed question and parse the answer; count faults in a row and silence the bot after
        ``max_faults``."""
        try:
            out = parse(self._ask(msg))
        except BotFault:
            self.faults_in_a_row += 1
            if self.faults_in_a_row >= self.max_faults:
                self.silenced = True
                self.close()
            raise
        self.faults_in_a_row = 0
        return out

    def wants_draft(self, info: DraftInfo) -> bool:
        """The handshake before a draft: start the program, send ``hello`` and wait up to ``hello_ms`` for
        ``{"draft": true}``. A program that says anything else or nothing does not draft (no fault)."""
        self._new_match()
        self._kept = True
        if self.hello <= 0:
            return False
        hello = {
            "type": "hello",
            "id": 0,
            "protocol": PROTOCOL,
            "features": ["draft"],
            "seed": info.seed,
            "side": info.side,
            "content_version": info.content_version,
        }
        try:
            self._send(hello)
            line = self._readline(time.monotonic() + self.hello)
            ans = json.loads(line) if line is not None else None
        except (BotFault, ValueError):
            ans = None  # the first decision reports a dead or broken program
        self.drafting = isinstance(ans, dict) and ans.get("id", 0) == 0 and ans.get("draft") is True
        return self.drafting

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str:
        """One pick over the protocol: ``{"type": "draft", "id": n, "view": ...}`` -> ``{"id": n, "pick": ...}``,
        on the decision time budget and bank; the answer is checked by the draft runner."""
        if self.silenced:
            raise BotFault("silenced after repeated faults")
        if not self.drafting or self.proc is None:
            raise BotFault("the bot did not declare drafting in its hello answer")
        self.seq += 1
        return self._decide({"type": "draft", "id": self.seq, "view": view}, _parse_pick)

    def reset(self, info: MatchInfo) -> None:
        if self._kept:
            self._kept = False  # the program from the handshake plays the match: same bank, ids, faults
        else:
            self._new_match()
        if self.silenced:
            return
        start = {
            "type": "start",
            "id": 0,
            "seed": info.seed,
            "side": info.side,
            "leaders": info.leaders,
            "enemy_leaders": info.enemy_leaders,
            "content_version": info.content_version,
            "orders": {name: k for k, name in enumerate(L.ORDER_NAMES) if k},
            "items": list(info.world.content.item_names),
        }
        try:
            self._send(start)
        except BotFault:
            pass  # reported at the first decision

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]:
        if self.silenced:
            return []
        self.seq += 1
        return self._decide(
            {"type": "observe", "id": self.seq, "view": dict(view)}, lambda a: _parse_orders(a.get("orders", []))
        )


def _bwrap() -> str | None:
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


def sandboxed(cmd: list[str]) -> list[str]:
    """``cmd`` inside bubblewrap: no network (own namespace), the filesystem read-only except a private
    /tmp, own PID/IPC/UTS namespaces, killed with the host. Files named on the command line and the
    working directory stay readable (read-only) even when they live under /tmp."""
    bwrap = _bwrap()
    assert bwrap is not None
    own: list[str] = []
    for arg in [*cmd, os.getcwd()]:
        if os.path.exists(arg):
            path = os.path.abspath(arg)
            if path.startswith("/tmp/"):
                # keep what the command names under /tmp readable (a script, a virtualenv's python):
                # its top-level /tmp entry, read-only
                top = "/tmp/" + path[5:].split("/", 1)[0]
                if top not in own:
                    own += ["--ro-bind", top, top]
    return [
        bwrap,
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        *own,
        "--chdir",
        os.getcwd(),
        *cmd,
    ]


def _limiter(memory_mb: int, cpu_seconds: int, file_mb: int, max_processes: int) -> Any:
    """A pre-exec function setting the child's resource limits (memory, CPU time, file size, processes)."""

    def apply() -> None:
        mb = 1 << 20
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * mb, memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * mb, file_mb * mb))
        # process count is per user: allow this many beyond what the user already runs
        try:
            mine = sum(1 for p in os.listdir("/proc") if p.isdigit() and os.stat(f"/proc/{p}").st_uid == os.getuid())
        except OSError:
            mine = 0
        resource.setrlimit(resource.RLIMIT_NPROC, (mine + max_processes, mine + max_processes))

    return apply


def _parse_pick(ans: dict[str, Any]) -> Any:
    if "pick" not in ans:
        raise BotFault(f"draft answer has no 'pick': {json.dumps(ans)[:80]}")
    return ans["pick"]


def _parse_orders(raw: Any) -> list[Order]:
    if not isinstance(raw, list):
        raise BotFault(f"'orders' must be a list, got {type(raw).__name__}")
    out: list[Order] = []
    for o in raw:
        if isinstance(o, dict):
            name = o.get("order")
            if name not in L.ORDER_NAMES[1:]:
                raise BotFault(f"unknown order name {name!r}")
            vals = [o.get("leader", -1), L.ORDER_NAMES.index(name), o.get("a", 0), o.get("b", 0)]
        elif isinstance(o, list):
            vals = o
        else:
            raise BotFault(f"an order must be [leader, kind, a, b] or an object, got {o!r}")
        if len(vals) != 4 or not all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            raise BotFault(f"malformed order {o!r}")
        out.append((vals[0], vals[1], vals[2], vals[3]))
    return out
