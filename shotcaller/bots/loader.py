"""Load a coach from a spec: a built-in name, ``path/to/file.py:ClassName``, ``package.module:ClassName``,
``exec:COMMAND ARGS`` (a program in any language speaking JSON lines, see ``docs/bot_protocol.md``),
``sandbox:path/to/file.py:ClassName`` or ``sandbox:package.module:ClassName`` (the same Python class in a
sandboxed child process), ``plan:NAME`` (a fixed plan of :data:`shotcaller.bots.plans.PLANS`),
``ckpt:PATH`` (a policy trained by ``shotcaller train``: its ``policy.npz``, or ``ckpt.pt`` with torch;
see :mod:`shotcaller.bots.learned`), or a name registered by an installed package in the entry-point
group ``shotcaller.bots``."""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from shotcaller.bots.builtin import BUILTIN

ENTRY_POINT_GROUP = "shotcaller.bots"


class BotLoadError(ValueError):
    """A bot spec that cannot be loaded; the message says which form was tried and why."""


def _instantiate(obj: Any, spec: str) -> Any:
    bot = obj() if isinstance(obj, type) or callable(obj) and not hasattr(obj, "act") else obj
    if not (hasattr(bot, "act") and callable(bot.act)):
        raise BotLoadError(f"bot {spec!r}: {obj!r} has no act(view, info) method")
    if not hasattr(bot, "reset"):
        bot.reset = lambda info: None
    return bot


def exec_command(spec: str, entry: str | None = None) -> list[str]:
    """The command line of an ``exec:`` spec; BotLoadError (naming ``entry``, default the spec) when it
    cannot be split or is empty."""
    import shlex

    try:
        cmd = shlex.split(spec[5:])
    except ValueError as e:
        raise BotLoadError(f"bot {entry or spec!r}: cannot split the command line: {e}") from None
    if not cmd:
        raise BotLoadError(f"bot {entry or spec!r}: 'exec:' needs a command, e.g. exec:node bot.js")
    return cmd


def _exec_bot(spec: str) -> Any:
    import shutil

    from shotcaller.bots.remote import SubprocessCoach

    cmd = exec_command(spec)
    if shutil.which(cmd[0]) is None:
        what = "no such file" if not Path(cmd[0]).exists() else "not an executable file"
        if "/" not in cmd[0] and not Path(cmd[0]).exists():
            what = "not found on PATH"
        raise BotLoadError(f"bot {spec!r}: program {cmd[0]!r}: {what}")
    return SubprocessCoach(cmd)


def _plan_bot(spec: str) -> Any:
    from shotcaller.bots.plans import PLANS, PlanCoach

    name = spec[len("plan:") :]
    if name not in PLANS:
        raise BotLoadError(f"bot {spec!r}: no plan {name!r} (known: {', '.join(sorted(PLANS))})")
    return PlanCoach(name)


def load_bot(spec: str, *, allow_unsandboxed: bool = False) -> Any:
    """A fresh coach instance for ``spec`` (see the module docstring for the forms).

    Args:
        spec: the bot spec.
        allow_unsandboxed: let a ``sandbox:`` bot run without a sandbox (with an
            ``UnsandboxedWarning``) when none is available; otherwise it raises
            :class:`shotcaller.bots.sandbox.SandboxUnavailable`. An ``exec:`` bot without a sandbox
            always runs, with the warning.

    Raises:
        BotLoadError: the spec names nothing loadable (the message says which form was tried and why).
    """
    if spec in BUILTIN:
        return BUILTIN[spec]()
    if spec.startswith("exec:"):
        return _exec_bot(spec)
    if spec.startswith("plan:"):
        return _plan_bot(spec)
    if spec.startswith("ckpt:"):
        from shotcaller.bots.learned import PolicyLoadError, checkpoint_coach

        try:
            return checkpoint_coach(spec)
        except PolicyLoadError as e:
            raise BotLoadError(f"bot {spec!r}: {e}") from None
    if spec.startswith("sandbox:"):
        from shotcaller.bots.sandboxed import SandboxedPythonCoach

        return SandboxedPythonCoach(spec[len("sandbox:") :], allow_unsandboxed=allow_unsandboxed)
    if ":" in spec:
        where, _, attr = spec.rpartition(":")
        if not attr.isidentifier():
            raise BotLoadError(f"bot {spec!r}: {attr!r} is not a class or object name")
        if where.endswith(".py") or "/" in where or "\\" in where:
            path = Path(where)
            if not path.is_file():
                raise BotLoadError(f"bot {spec!r}: no such file {where!r}")
            mod_name = f"shotcaller_user_bot_{abs(hash(str(path.resolve())))}"
            module_spec = importlib.util.spec_from_file_location(mod_name, path)
            if module_spec is None or module_spec.loader is None:
                raise BotLoadError(f"bot {spec!r}: cannot import {where!r}")
            module = importlib.util.module_from_spec(module_spec)
            try:
                module_spec.loader.exec_module(module)
            except Exception as e:  # the user's file may fail in any way; say so clearly
                raise BotLoadError(f"bot {spec!r}: importing {where!r} failed: {type(e).__name__}: {e}") from e
        else:
            try:
                module = importlib.import_module(where)
            except Exception as e:
                raise BotLoadError(f"bot {spec!r}: cannot import module {where!r}: {type(e).__name__}: {e}") from e
        if not hasattr(module, attr):
            raise BotLoadError(f"bot {spec!r}: {where!r} has no attribute {attr!r}")
        return _instantiate(getattr(module, attr), spec)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == spec:
            try:
                return _instantiate(ep.load(), spec)
            except BotLoadError:
                raise
            except Exception as e:
                raise BotLoadError(f"bot {spec!r}: entry point {ep.value!r} failed: {type(e).__name__}: {e}") from e
    known = ", ".join(sorted(BUILTIN))
    raise BotLoadError(
        f"unknown bot {spec!r}: not a built-in ({known}), not FILE.py:Class, module:Class, plan:NAME or ckpt:PATH, "
        f"and no installed package registers it in the {ENTRY_POINT_GROUP!r} entry-point group"
    )
