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
  where each order is ``[leader, kind, a, b]`` or ``[leader, kind, a, b, why]`` (``kind`` an integer
  or an order name) or ``{"order": "push", "leader": -1, "a": 1, "b": 0, "why": "..."}``; an answer
  ``{"id": n, "error": "..."}`` reports the bot's own failure (a fault).

Each decision has a time budget (100 ms by default) plus a bank (1 s) that absorbs overruns,
Screeps/Lux style. A bot that answers late, answers garbage, floods its output, or dies loses that
decision's orders; the reason is raised as :class:`BotFault`, which the match runner records, and
after ``max_faults`` faults in a row the bot is silenced for the rest of the match (a forfeit of its
orders; the leaders keep playing their default plan). Its stderr is kept, capped, in a log file
(``log_path``). The process runs in the sandbox of :mod:`shotcaller.bots.sandbox` when one is available.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shotcaller.bots.base import DraftInfo, MatchInfo, Order, TimeBudget
from shotcaller.bots.botlog import BotLog
from shotcaller.bots.budget import Clock
from shotcaller.bots.loader import BotLoadError
from shotcaller.bots.pipe import MAX_LINE, BotProcess, InputOverflow
from shotcaller.bots.sandbox import (
    RISK,
    Limits,
    SandboxUnavailable,
    UnsandboxedWarning,
    program_path,
    sandbox_available,
)
from shotcaller.bots.wire import QUOTE, BotFault, parse_orders, parse_pick, quote
from shotcaller.sim import layout as L

__all__ = ["PROTOCOL", "BotFault", "SubprocessCoach", "parse_orders", "quote"]

PROTOCOL = 2  # 1: start + observe; 2: adds the optional hello handshake and draft messages
MAX_BOT_FAULTS = 8  # faults a bot reports itself ("faults" in an answer) kept per decision


class SubprocessCoach:
    """A coach that lives in a child process and speaks JSON lines.

    Args:
        cmd: the program and its arguments.
        budget_ms, bank_ms, max_faults: its time budget (the match may replace it through
            :meth:`configure_arena`).
        cwd: working directory when unsandboxed (a sandboxed bot works in its private ``/tmp``).
        sandbox: ``"auto"`` (sandbox when available, else run with an :class:`UnsandboxedWarning`),
            True (required: :class:`SandboxUnavailable` when not available) or False (never; no warning).
        limits: resource limits (memory, CPU, file size, processes, temp size); the single-limit
            arguments override its fields.
        hello_ms: how long the draft handshake waits for an answer.
        binds: more for the program to read, as ``["--ro-bind", SRC, DST, ...]`` triples.
        name: a short name for its log file.
    """

    times_itself = True  # the match does not wrap act(): the protocol's own clock times it

    def __init__(
        self,
        cmd: list[str],
        budget_ms: float = 100.0,
        bank_ms: float = 1000.0,
        max_faults: int = 10,
        cwd: str | None = None,
        sandbox: bool | str = "auto",
        memory_mb: int | None = None,
        cpu_seconds: int | None = None,
        file_mb: int | None = None,
        max_processes: int | None = None,
        hello_ms: float = 500.0,
        limits: Limits | None = None,
        binds: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        self.cmd = list(cmd)
        self.cwd = cwd
        self.hello = hello_ms / 1000.0
        base = limits or Limits()
        given = {"memory_mb": memory_mb, "cpu_seconds": cpu_seconds, "file_mb": file_mb, "max_processes": max_processes}
        self.limits = Limits(**{**base.__dict__, **{k: v for k, v in given.items() if v is not None}})
        self.binds = list(binds or [])
        files = [a for a in self.cmd[1:] if os.path.isfile(a)]
        label = name or (Path(files[0]).stem if files else os.path.basename(self.cmd[0] if self.cmd else "bot"))
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", label)[:40] or "bot"
        ok, why = sandbox_available() if sandbox is not False else (False, "not requested")
        if sandbox is True and not ok:
            raise SandboxUnavailable(f"sandbox requested but unavailable: {why}")
        self.sandbox = bool(ok)
        self.sandbox_reason = why
        if not ok and sandbox == "auto":
            warnings.warn(f"bot {self.name!r} runs without a sandbox ({why}): {RISK}", UnsandboxedWarning, stacklevel=2)
        self.pipe: BotProcess | None = None
        self.configure_arena(TimeBudget(budget_ms, bank_ms, max_faults), None)
        self.log_path: str | None = None
        self.seq = 0
        self.drafting = False
        self.start_error: str | None = None  # why the program could not start this match (a fault per decision)
        self.reported: list[str] = []  # faults the bot reported itself, for take_faults()
        self._kept = False  # the process was started by the handshake: reset keeps it for the match

    # ------------------------------------------------------------------ arena
    def configure_arena(self, budget: TimeBudget, log_dir: str | None) -> None:
        """Set the time budget of the next matches and the directory of the stderr logs (None: the
        per-user state directory's ``bot-logs``). Called by the match before ``reset``; the match then
        keeps this coach's :attr:`clock` as the seat's clock."""
        self.budget = budget
        self.clock = self._new_clock()
        if log_dir is None:
            from shotcaller.paths import state_dir

            log_dir = str(state_dir() / "bot-logs")
        self.log_dir = log_dir

    def _new_clock(self) -> Clock:
        """A fresh clock for a match: it times the questions (the process plumbing waits until its
        :meth:`~Clock.deadline_s`), counts faults in a row and stops the process when it silences."""
        return Clock(self.budget, enforce=False, on_silence=self.close)

    @property
    def silenced(self) -> bool:
        """Whether the bot was silenced in this match (``max_faults`` faults in a row)."""
        return self.clock.silenced

    @property
    def budget_s(self) -> float:
        """The per-decision budget in seconds."""
        return self.budget.budget_ms / 1000.0

    @property
    def proc(self) -> Any:
        """The running child process (``subprocess.Popen``), or None."""
        return self.pipe.proc if self.pipe is not None else None

    # ------------------------------------------------------------------ process plumbing
    def _command(self) -> tuple[list[str], list[str], dict[str, str]]:
        """(command, bubblewrap binds, environment) of the child."""
        from shotcaller.bots.sandbox import minimal_env

        cmd, binds = list(self.cmd), list(self.binds)
        if not self.sandbox:
            return cmd, binds, minimal_env({"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        cmd[0] = program_path(cmd[0])
        for i, arg in enumerate(cmd):  # the program and the files it names, read-only at their own paths
            if os.path.isfile(arg):
                cmd[i] = os.path.abspath(arg)
                binds += ["--ro-bind", os.path.realpath(arg), cmd[i]]
        return cmd, binds, minimal_env()

    def _start(self, keep_log: bool = True) -> None:
        """Start the process (``keep_log=False``: its stderr is drained and only its tail kept)."""
        self.close()
        cmd, binds, env = self._command()
        log_dir = self.log_dir if keep_log else None
        self.pipe = BotProcess(
            cmd,
            sandbox=self.sandbox,
            binds=binds,
            env=env,
            limits=self.limits,
            cwd=self.cwd,
            log_dir=log_dir,
            name=self.name,
        )
        self.log_path = self.pipe.log.path

    @property
    def log(self) -> BotLog | None:
        """The running process's stderr log, or None."""
        return self.pipe.log if self.pipe is not None else None

    def close(self) -> None:
        """Stop the child process and everything it started; close its log."""
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def preflight(self) -> None:
        """Start the bot once and stop it; raise :class:`BotLoadError` with a one-line reason when it
        cannot start (here: a program that exits at once, with the tail of its stderr)."""
        try:
            self._start(keep_log=False)
            end = time.monotonic() + 0.5
            while self.proc.poll() is None and time.monotonic() < end:
                time.sleep(0.02)
            code = self.proc.poll()
            if code is not None:
                self.log.close()  # type: ignore[union-attr]
                tail = self.log.tail() if self.log is not None else ""
                raise BotLoadError(
                    f"bot {self.name!r} exited at once (exit code {code})" + (f": {tail}" if tail else "")
                )
        except (OSError, subprocess.SubprocessError) as e:
            raise BotLoadError(f"bot {self.name!r} cannot start: {e}") from None
        finally:
            self.close()

    def _send(self, msg: dict[str, Any], deadline: float) -> bool:
        """Send one message without ever blocking the host (see :meth:`BotProcess.send`)."""
        if self.pipe is None:
            raise BotFault("bot process is not running")
        try:
            return self.pipe.send(msg, deadline)
        except InputOverflow as e:
            self.close()
            self.start_error = str(e)
            raise

    def _readline(self, deadline: float) -> bytes | None:
        if self.pipe is None:
            raise BotFault("bot process is not running")
        return self.pipe.readline(deadline)

    def _ask(self, msg: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + self.clock.deadline_s()
        sent = self._send(msg, deadline)
        while True:
            line = self._readline(deadline) if sent else None
            if line is None:
                why = "" if sent else " (it is not reading its input)"
                raise BotFault(f"no answer within {self.budget_s * 1000:.0f} ms + bank{why}")
            if len(line) > MAX_LINE:
                raise BotFault(f"answer longer than {MAX_LINE} bytes (output flood)")
            try:
                ans = json.loads(line)
            except ValueError:
                raise BotFault(f"answer is not JSON: {quote(line[:QUOTE])}") from None
            if isinstance(ans, dict) and ans.get("id", msg["id"]) != msg["id"]:
                continue  # a late answer to an earlier question: drop it
            if not isinstance(ans, dict):
                raise BotFault(f"answer must be a JSON object, got {type(ans).__name__}")
            self._collect_reported(ans.get("faults"))
            if "error" in ans:
                raise BotFault(f"the bot reported an error: {quote(ans['error'])[1:-1]}")
            return ans

    def _collect_reported(self, raw: Any) -> None:
        if isinstance(raw, list):
            for r in raw[:MAX_BOT_FAULTS]:
                if len(self.reported) < MAX_BOT_FAULTS:
                    self.reported.append(r[:160] if isinstance(r, str) else quote(r))

    def take_faults(self) -> list[str]:
        """Faults the bot reported itself since the last call (e.g. orders its runner dropped)."""
        out, self.reported = self.reported, []
        return out

    # ------------------------------------------------------------------ coach protocol
    def _new_match(self) -> None:
        self.clock = self._new_clock()
        self.seq = 0
        self.drafting = False
        self.start_error = None
        self.reported = []
        try:
            self._start()
        except (OSError, subprocess.SubprocessError, BotFault, BotLoadError) as e:
            self.close()
            self.start_error = f"bot cannot start: {str(e)[:200]}"

    def _decide(self, msg: dict[str, Any], parse: Callable[[dict[str, Any]], Any]) -> Any:
        """Ask one question on the clock and parse the answer: the clock charges overruns to the bank,
        counts faults in a row and silences the bot (stopping its process) after ``max_faults``."""

        def ask() -> Any:
            if self.start_error is not None:
                raise BotFault(self.start_error)
            return parse(self._ask(msg))

        return self.clock.call(ask)

    def wants_draft(self, info: DraftInfo) -> bool:
        """The handshake before a draft: start the program, send ``hello`` and wait up to ``hello_ms`` for
        ``{"draft": true}``. A program that says anything else or nothing does not draft (no fault)."""
        self._new_match()
        self._kept = True
        if self.hello <= 0 or self.start_error is not None:
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
            deadline = time.monotonic() + self.hello
            line = self._readline(deadline) if self._send(hello, deadline) else None
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
        return self._decide({"type": "draft", "id": self.seq, "view": view}, parse_pick)

    def reset(self, info: MatchInfo) -> None:
        if self._kept:
            self._kept = False  # the program from the handshake plays the match: same bank, ids, faults
        else:
            self._new_match()
        if self.silenced or self.start_error is not None:
            return
        try:
            self._send(self._start_message(info), time.monotonic() + self.budget_s)
        except BotFault:
            pass  # reported at the first decision

    def _start_message(self, info: MatchInfo) -> dict[str, Any]:
        return {
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

    def _observe_message(self, view: Any) -> dict[str, Any]:
        return {"type": "observe", "id": self.seq, "view": dict(view)}

    def act(self, view: dict[str, Any], info: MatchInfo) -> list[Order]:
        if self.silenced:
            return []
        self.seq += 1
        return self._decide(self._observe_message(view), lambda a: parse_orders(a.get("orders", [])))
