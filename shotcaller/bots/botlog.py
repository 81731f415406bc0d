"""A bot's stderr, drained continuously into a capped log file so a chatty bot never blocks or grows the host."""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from typing import IO

MAX_LOG_BYTES = 1 << 20  # kept per match; the rest is counted and noted at the end of the log
TAIL_BYTES = 400  # last bytes kept in memory (quoted when a bot cannot start)


class BotLog:
    """Reads a pipe on a daemon thread until it closes; keeps the first ``cap`` bytes in a file under
    ``log_dir`` (``path``), counts the rest, and keeps the last few hundred bytes in memory (``tail``).

    With ``log_dir=None``, or when the file cannot be created, the output is still drained (and counted).
    """

    def __init__(self, pipe: IO[bytes], log_dir: str | None, name: str, cap: int = MAX_LOG_BYTES) -> None:
        self.path: str | None = None
        self._file: IO[bytes] | None = None
        if log_dir is not None:
            try:
                os.makedirs(log_dir, exist_ok=True)
                fd, self.path = tempfile.mkstemp(prefix=f"{name}-", suffix=".log", dir=log_dir)
                self._file = os.fdopen(fd, "wb")
            except OSError:
                self.path, self._file = None, None
        self.cap, self.written, self.dropped = cap, 0, 0
        self._tail: deque[bytes] = deque()
        self._tail_len = 0
        self._pipe = pipe
        self._thread = threading.Thread(target=self._drain, name=f"bot-stderr-{name}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        fd = self._pipe.fileno()
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self._keep_tail(chunk)
                room = self.cap - self.written
                if room > 0 and self._file is not None:
                    self._file.write(chunk[:room])
                    self._file.flush()
                self.written += min(room, len(chunk)) if room > 0 else 0
                self.dropped += max(0, len(chunk) - max(room, 0))
        except (OSError, ValueError):
            pass

    def _keep_tail(self, chunk: bytes) -> None:
        self._tail.append(chunk[-TAIL_BYTES:])
        self._tail_len += len(self._tail[-1])
        while self._tail_len - len(self._tail[0]) >= TAIL_BYTES:
            self._tail_len -= len(self._tail.popleft())

    def tail(self, limit: int = 200) -> str:
        """The last line(s) of output, at most ``limit`` characters, on one line."""
        text = b"".join(self._tail).decode(errors="replace")
        return " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())[-limit:]

    def close(self, timeout: float = 2.0) -> None:
        """Wait for the pipe to close (the process is dead), note what was dropped, close the file."""
        self._thread.join(timeout)
        try:
            self._pipe.close()
        except OSError:
            pass
        if self._file is not None:
            if self.dropped:
                self._file.write(
                    f"\n[shotcaller: {self.dropped} more bytes of stderr dropped (cap {self.cap})]\n".encode()
                )
            self._file.close()
            self._file = None
