"""``sandbox:FILE.py:Class`` and ``sandbox:module:Class``: an unchanged Python coach in a sandboxed child.

:class:`SandboxedPythonCoach` starts ``python -m shotcaller.bots.child SPEC`` (see
:mod:`shotcaller.bots.child`) inside the sandbox of :mod:`shotcaller.bots.sandbox`, with only the
interpreter, ``numpy``, the ``shotcaller`` package and the bot's own file (or its top-level package)
readable, and plays it over the JSON-lines protocol of :class:`~shotcaller.bots.remote.SubprocessCoach`
(same time budget, faults and silencing). Each observe message carries the dict view and, beside it,
the numpy columns of ``view.arrays``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import shotcaller
from shotcaller.bots.base import RETIRED_ABILITIES, TimeBudget
from shotcaller.bots.loader import BotLoadError
from shotcaller.bots.remote import BotFault, SubprocessCoach, quote
from shotcaller.bots.sandbox import (
    BOT_DIR,
    CHILD_PACKAGES,
    LIB,
    RISK,
    SandboxUnavailable,
    UnsandboxedWarning,
    drops_root,
    minimal_env,
    package_binds,
    sandbox_available,
)

STARTUP_S = 20.0  # how long the child may take to import the coach and say it is ready
WORLDS_INSIDE = "/opt/shotcaller/worlds"  # where the host's world tables are bound in the sandbox
_world_files: dict[int, tuple[Any, str]] = {}  # id(world) -> (world, file name), one file per world


def worlds_dir() -> Path:
    """Host directory of the static world tables given to sandboxed coaches (``info.world.rec``)."""
    from shotcaller.paths import cache_dir

    return cache_dir() / "worlds"


def world_file(world: Any) -> str:
    """The file name (in :func:`worlds_dir`) holding ``world.tables``, written once (atomically) per world:
    the sandboxed child loads it to give the coach the same ``info.world`` as in-process."""
    known = _world_files.get(id(world))
    if known is not None and known[0] is world:
        return known[1]
    import hashlib

    tables = np.ascontiguousarray(world.tables)
    digest = hashlib.blake2b(tables.dtype.str.encode() + repr(tables.dtype.descr).encode(), digest_size=12)
    digest.update(tables.tobytes())
    name = f"{digest.hexdigest()}.npy"
    folder = worlds_dir()
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=0o755)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            np.save(f, tables, allow_pickle=False)
        tmp.chmod(0o644)
        os.replace(tmp, path)
    if len(_world_files) > 16:  # a long-lived host that builds many worlds keeps no old ones alive
        _world_files.clear()
    _world_files[id(world)] = (world, name)
    return name


def encode_arrays(arrays: Any) -> dict[str, Any]:
    """``view.arrays`` as JSON: ``{section: {column: [dtype, shape, values]}}`` (a bare array for
    ``units``); :func:`shotcaller.bots.child.decode_arrays` rebuilds the same arrays."""

    def one(a: np.ndarray) -> list[Any]:
        a = np.asarray(a)
        return [a.dtype.str, list(a.shape), a.ravel().tolist()]

    out: dict[str, Any] = {}
    for name in arrays:
        sec = arrays[name]
        out[name] = {c: one(v) for c, v in sec.items()} if isinstance(sec, dict) else one(sec)
    return out


class SandboxedPythonCoach(SubprocessCoach):
    """A Python coach class (``FILE.py:Class`` or ``module:Class``) run in a sandboxed child process.

    Args:
        spec: the in-process spec, without ``sandbox:``.
        allow_unsandboxed: run it without a sandbox (with an :class:`UnsandboxedWarning`) when none is
            available, instead of raising :class:`SandboxUnavailable`.
        **kwargs: as :class:`SubprocessCoach` (budget, limits, ...).
    """

    def __init__(self, spec: str, *, allow_unsandboxed: bool = False, **kwargs: Any) -> None:
        where, sep, attr = spec.rpartition(":")
        if not sep or not where or not attr.isidentifier():
            raise BotLoadError(f"bot 'sandbox:{spec}': expected sandbox:FILE.py:Class or sandbox:module:Class")
        self.spec = spec
        self.file: Path | None = None
        self.module = ""
        if where.endswith(".py") or "/" in where or "\\" in where:
            self.file = Path(where).resolve()
            if not self.file.is_file():
                raise BotLoadError(f"bot 'sandbox:{spec}': no such file {where!r}")
            name = self.file.stem
        else:
            self.module = where
            top = where.split(".")[0]
            try:
                found = importlib.util.find_spec(top)
            except (ImportError, ValueError):
                found = None
            if found is None:
                raise BotLoadError(f"bot 'sandbox:{spec}': no module named {top!r} is installed")
            name = where.rsplit(".", 1)[-1]
        self.attr = attr
        ok, why = sandbox_available()
        if ok and drops_root() and self.file is not None and not self.file.stat().st_mode & 0o004:
            raise BotLoadError(
                f"bot 'sandbox:{spec}': {str(self.file)!r} is not readable by other users, and the sandboxed bot "
                "runs as a user of its own (chmod o+r it)"
            )
        if not ok and not allow_unsandboxed:
            raise SandboxUnavailable(
                f"bot 'sandbox:{spec}' refused: no sandbox here: {why}. Allow it unsandboxed "
                f"(--allow-unsandboxed) only if you trust it: {RISK}"
            )
        if not ok:
            warnings.warn(
                f"bot 'sandbox:{spec}' runs without a sandbox ({why}): {RISK}", UnsandboxedWarning, stacklevel=2
            )
        kwargs.setdefault("name", name)
        super().__init__([sys.executable], sandbox=ok, **kwargs)
        self.ready: dict[str, Any] = {}
        self.decide_every_s: float | None = None

    def _command(self) -> tuple[list[str], list[str], dict[str, str]]:
        flags = ["-s", "-B", "-P"] if sys.version_info >= (3, 11) else ["-s", "-B"]
        pkg_dir = str(Path(shotcaller.__file__).resolve().parent)
        if not self.sandbox:
            target = f"{self.file}:{self.attr}" if self.file else self.spec
            env = minimal_env({"PYTHONPATH": os.path.dirname(pkg_dir), "PATH": os.environ.get("PATH", "/usr/bin:/bin")})
            env["SHOTCALLER_WORLDS"] = str(worlds_dir())
            return [sys.executable, *flags, "-m", "shotcaller.bots.child", target], [], env
        worlds = worlds_dir()
        worlds.mkdir(parents=True, exist_ok=True, mode=0o755)
        binds = ["--ro-bind", pkg_dir, f"{LIB}/shotcaller", *package_binds(CHILD_PACKAGES)]
        binds += ["--ro-bind", str(worlds), WORLDS_INSIDE]
        if self.file is not None:
            inside = f"{BOT_DIR}/{self.file.name}"
            binds += ["--ro-bind", str(self.file), inside]
            target = f"{inside}:{self.attr}"
        else:
            top = self.module.split(".")[0]
            if top not in ("shotcaller", *CHILD_PACKAGES):
                binds += package_binds((top,))
            target = self.spec
        return (
            [sys.executable, *flags, "-m", "shotcaller.bots.child", target],
            binds + self.binds,
            minimal_env({"PYTHONPATH": LIB, "SHOTCALLER_WORLDS": WORLDS_INSIDE}),
        )

    def _start_message(self, info: Any) -> dict[str, Any]:
        import dataclasses

        from shotcaller.sim.config import params_to_dict

        w = info.world
        msg = super()._start_message(info)
        msg["world"] = {
            "file": world_file(w),
            "config": dataclasses.asdict(w.config),
            "params": params_to_dict(w.params),
            "stride": int(w.stride),
        }
        return msg

    def _start(self, keep_log: bool = True) -> None:
        super()._start(keep_log)
        try:
            line = self._readline(time.monotonic() + STARTUP_S)
        except BotFault as e:  # the child died before saying anything: its stderr says why
            if self.log is not None:
                self.log.close(timeout=1.0)
                tail = self.log.tail()
                if tail:
                    raise BotFault(f"{e}: {tail}") from None
            raise
        if line is None:
            raise BotFault(f"the bot was not ready within {STARTUP_S:.0f} s")
        try:
            first = json.loads(line)
        except ValueError:
            raise BotFault(f"the bot's first line is not JSON: {quote(line[:80])}") from None
        if not isinstance(first, dict) or first.get("type") != "ready":
            reason = first.get("reason") if isinstance(first, dict) else None
            raise BotFault(str(reason)[:200] if reason else f"unexpected first message {quote(first)}")
        self.ready = first
        every = first.get("decide_every_s")
        self.decide_every_s = float(every) if isinstance(every, int | float) and not isinstance(every, bool) else None
        retired = first.get("retired")
        for old in retired if isinstance(retired, list) and keep_log else []:  # faults of the match it plays
            if old in RETIRED_ABILITIES:
                self.reported.append(f"{old} is no longer read: declare {RETIRED_ABILITIES[old]}")

    def preflight(self) -> None:
        """Start the child once; raise :class:`BotLoadError` with a one-line reason when the coach cannot
        be imported or instantiated (or the child does not start). A budget the coach class declares
        (``budget = TimeBudget(...)``) becomes this coach's ``budget``."""
        try:
            self._start(keep_log=False)
        except (BotFault, OSError, subprocess.SubprocessError) as e:
            raise BotLoadError(f"bot 'sandbox:{self.spec}' cannot start: {e}") from None
        finally:
            self.close()
        declared = self.ready.get("budget")
        if isinstance(declared, dict):
            try:
                self.configure_arena(TimeBudget(**declared), self.log_dir)
            except (TypeError, ValueError):
                pass

    def _observe_message(self, view: Any) -> dict[str, Any]:
        msg = super()._observe_message(view)
        arrays = getattr(view, "arrays", None)
        if arrays is not None:
            msg["arrays"] = encode_arrays(arrays)
        return msg
