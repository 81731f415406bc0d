"""One started bot process and its JSON-lines pipe: writes and reads with deadlines, never blocking the host.

:class:`BotProcess` owns the process tree (:class:`~shotcaller.bots.sandbox.Jail`), the stderr log
(:class:`~shotcaller.bots.botlog.BotLog`) and the two buffers of the protocol: answer bytes read but
not yet a whole line, and message bytes the bot has not read yet.
"""

from __future__ import annotations

import json
import os
import select
import selectors
import subprocess
import time
from typing import Any

from shotcaller.bots.botlog import BotLog
from shotcaller.bots.sandbox import Jail, Limits
from shotcaller.bots.wire import BotFault

MAX_LINE = 1 << 20  # bytes of one answer
MAX_PENDING = 8 << 20  # bytes of messages a bot may leave unread before it is stopped


class InputOverflow(BotFault):
    """The bot left more than MAX_PENDING bytes of messages unread: it is stopped."""


class BotProcess:
    """A started bot: ``cmd`` in its jail, stderr drained into a log under ``log_dir`` (None: tail only)."""

    def __init__(
        self,
        cmd: list[str],
        *,
        sandbox: bool,
        binds: list[str],
        env: dict[str, str],
        limits: Limits,
        cwd: str | None,
        log_dir: str | None,
        name: str,
    ) -> None:
        self.jail = Jail(cmd, sandbox=sandbox, binds=binds, env=env, limits=limits, cwd=cwd)
        self.proc: subprocess.Popen[bytes] = self.jail.proc
        self.log = BotLog(self.proc.stderr, log_dir, name)  # type: ignore[arg-type]
        os.set_blocking(self.proc.stdout.fileno(), False)  # type: ignore[union-attr]
        os.set_blocking(self.proc.stdin.fileno(), False)  # type: ignore[union-attr]
        self.buf = b""  # answer bytes read but not yet a whole line
        self.outbuf = b""  # message bytes the bot has not read yet

    def send(self, msg: dict[str, Any], deadline: float) -> bool:
        """Queue one message and write what the pipe takes until ``deadline``; False when some of it is
        still waiting (the bot is not reading its input; it goes out before the next message)."""
        self.outbuf += (json.dumps(msg, separators=(",", ":")) + "\n").encode()
        if len(self.outbuf) > MAX_PENDING:
            raise InputOverflow(f"the bot stopped reading its input ({MAX_PENDING >> 20} MB of messages waiting)")
        fd = self.proc.stdin.fileno()  # type: ignore[union-attr]
        while self.outbuf:
            try:
                n = os.write(fd, self.outbuf[:65536])
                self.outbuf = self.outbuf[n:]
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                select.select([], [fd], [], left)
            except OSError:
                raise self.gone("bot process is gone") from None
        return True

    def readline(self, deadline: float) -> bytes | None:
        """The next line of output, or None when none is complete by ``deadline``; BotFault when the
        process is gone or floods (a line longer than MAX_LINE)."""
        out = self.proc.stdout
        sel = selectors.DefaultSelector()
        sel.register(out, selectors.EVENT_READ)  # type: ignore[arg-type]
        try:
            while b"\n" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return None
                chunk = out.read(65536)  # type: ignore[union-attr]
                if chunk is None:
                    continue
                if chunk == b"":
                    raise self.gone("bot process closed its output")
                self.buf += chunk
                if len(self.buf) > MAX_LINE and b"\n" not in self.buf[:MAX_LINE]:
                    self.buf = b""
                    raise BotFault(f"answer longer than {MAX_LINE} bytes (output flood)")
            line, _, self.buf = self.buf.partition(b"\n")
            return line
        finally:
            sel.close()

    def gone(self, what: str) -> BotFault:
        """A fault for a process that died: its exit code and the last words of its stderr."""
        try:
            code: int | None = self.proc.wait(0.2)
        except subprocess.TimeoutExpired:
            code = None
        tail = ""
        if code is not None:
            self.log.close(timeout=0.2)
            tail = self.log.tail(120)
        return BotFault(f"{what} (exit code {code})" + (f": {tail}" if tail else ""))

    def close(self) -> None:
        """Kill the process tree and close the log."""
        self.jail.kill()
        self.log.close()
