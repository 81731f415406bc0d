"""Who a tournament entry is: a stable display name plus a digest of the bot's code.

An entry is ``SPEC`` or ``NAME=SPEC`` (``NAME``: letters, digits and ``_ . + -``). Its identity is
``name@digest``: the display name (``NAME``, or one derived from the spec that does not depend on the
working directory) and the first 8 hex digits of a SHA-256 over the bot's code:

==============================  =========================================  ==============================
spec                            display name                               digest of
==============================  =========================================  ==============================
built-in (``laner``)            ``laner``                                  the source of its module and
                                                                           the files it reads besides
                                                                           (``BUILTIN_SOURCES``)
``path/to/b.py:Class``          ``b.py:Class``                             the file
``package.module:Class``        ``package.module:Class``                   the installed distribution's
                                                                           name and version, else the
                                                                           module's file
entry point name (``mybot``)    ``mybot``                                  its distribution and version
``exec:python ../b.py --fast``  ``exec:python b.py --fast``                the program file(s) named on
                                                                           the command line (else the
                                                                           program found on PATH)
``sandbox:SPEC``                the display name of ``SPEC``               the digest of ``SPEC``
``plan:NAME`` (a fixed plan)    ``plan:NAME``                              the plan's parameters and the
                                                                           code of ``PlanCoach``
``ckpt:runs/x/policy.npz``      ``ckpt:x/policy.npz``                      the policy file and the code
                                                                           that plays it (``learned.py``)
==============================  =========================================  ==============================

So ``../bots/b.py:B`` and its absolute path are one entry, and an edited ``b.py`` is a new version of
the same name. Resolving an identity reads files but never imports or runs the bot's code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from importlib.machinery import PathFinder
from pathlib import Path

from shotcaller.bots.builtin import BUILTIN
from shotcaller.bots.loader import ENTRY_POINT_GROUP, BotLoadError, exec_command

DIGEST_LEN = 8  # hex digits of the code digest in ``name@digest``
NAME_RE = re.compile(r"[A-Za-z0-9_.+-]+")


class BotSpecError(BotLoadError):
    """An entry that names no bot at all (unknown name, missing file, bad form): a usage error."""


@dataclass(frozen=True)
class BotIdentity:
    """One tournament entry.

    Attributes:
        name: the display name (``NAME`` of ``NAME=SPEC``, else derived from the spec).
        digest: ``DIGEST_LEN`` hex digits of the bot's code (see the module docstring).
        spec: the spec to load, independent of the working directory (bot files made absolute).
        source: what the digest covers, for people (a file path, ``dist==version``, ...).
        python: a Python class run in-process (``FILE.py:Class``, ``module:Class``, an entry point):
            what ``--sandbox`` moves into a sandbox.
    """

    name: str
    digest: str
    spec: str
    source: str
    python: bool = False

    @property
    def key(self) -> str:
        """``name@digest``: the version of the bot games are stored under."""
        return f"{self.name}@{self.digest}"


def _hash_bytes(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()[:DIGEST_LEN]


def _read(path: Path, entry: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise BotSpecError(f"bot {entry!r}: cannot read {str(path)!r}: {e.strerror}") from e


def _is_file_form(where: str) -> bool:
    return where.endswith(".py") or "/" in where or "\\" in where


def _module_file(modname: str) -> Path | None:
    """The file of ``modname`` found on sys.path without importing anything (None: not found)."""
    parts = modname.split(".")
    path: list[str] | None = None
    spec = None
    for i in range(len(parts)):
        spec = PathFinder.find_spec(".".join(parts[: i + 1]) if i == 0 else parts[i], path)
        if spec is None and i == 0:  # not on sys.path itself: an editable install's finder, say
            try:
                spec = importlib.util.find_spec(parts[0])  # a top-level name: found, not executed
            except (ImportError, ValueError):
                spec = None
        if spec is None:
            return None
        if i < len(parts) - 1:
            path = list(spec.submodule_search_locations or [])
            if not path:
                return None
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    return Path(spec.origin)


def _distribution_of(modname: str) -> tuple[str, str] | None:
    """(distribution name, version) of the installed package that provides ``modname``."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    top = modname.split(".")[0]
    for dist in packages_distributions().get(top, []):
        try:
            return dist, version(dist)
        except PackageNotFoundError:
            continue
    return None


#: Files (relative to ``shotcaller/bots``) that a built-in's behaviour reads besides the module of its
#: factory (``shotcaller/bots/builtin.py``): its digest covers them too, so editing one makes a new
#: version of the bot and tournaments play its games anew.
BUILTIN_SOURCES: dict[str, tuple[str, ...]] = {
    "search": ("search.py",),
    "learned": ("learned.py", "data/learned.npz"),
    "drafter": ("drafters.py", "draft_table.py", "../content/draft_model.toml"),
}


def _builtin(entry: str, name: str, spec: str) -> BotIdentity:
    factory = BUILTIN[spec]
    module = sys.modules.get(getattr(factory, "__module__", "") or "")
    file = getattr(module, "__file__", None)
    if not file:
        raise BotSpecError(f"bot {entry!r}: the source of built-in {spec!r} cannot be found")
    extra = [_read(Path(file).parent / rel, entry) for rel in BUILTIN_SOURCES.get(spec, ())]
    return BotIdentity(name, _hash_bytes(spec.encode(), _read(Path(file), entry), *extra), spec, file)


def _plan(entry: str, name: str | None, spec: str) -> BotIdentity:
    import inspect

    from shotcaller.bots import plans

    plan = plans.PLANS.get(spec[len("plan:") :])
    if plan is None:
        known = ", ".join(sorted(plans.PLANS))
        raise BotSpecError(f"bot {entry!r}: no plan {spec[len('plan:') :]!r} (known: {known})")
    code = inspect.getsource(plans.Plan) + inspect.getsource(plans.PlanCoach)
    consts = repr((plans.THREAT_RADIUS, plans.TELEPORT_BEYOND, plans.DEFEND_FOR_S, plans.TELEPORT_RETRY_S))
    digest = _hash_bytes(spec.encode(), repr(plan).encode(), code.encode(), consts.encode())
    return BotIdentity(name or spec, digest, spec, f"{plans.__file__} ({spec})")


def _checkpoint(entry: str, name: str | None, spec: str) -> BotIdentity:
    from shotcaller.bots import learned

    where, sep, mode = spec[len("ckpt:") :].partition("?")
    path = Path(where)
    if not path.is_file():
        raise BotSpecError(f"bot {entry!r}: no such policy file {where!r}")
    path = path.resolve()
    digest = _hash_bytes(mode.encode(), _read(path, entry), _read(Path(learned.__file__), entry))
    shown = f"ckpt:{path.parent.name}/{path.name}{sep}{mode}"
    return BotIdentity(name or shown, digest, f"ckpt:{path}{sep}{mode}", str(path))


def _python(entry: str, name: str | None, spec: str) -> BotIdentity:
    where, _, attr = spec.rpartition(":")
    if not attr.isidentifier():
        raise BotSpecError(f"bot {entry!r}: {attr!r} is not a class or object name")
    if _is_file_form(where):
        path = Path(where)
        if not path.is_file():
            raise BotSpecError(f"bot {entry!r}: no such file {where!r}")
        path = path.resolve()
        digest = _hash_bytes(attr.encode(), _read(path, entry))
        return BotIdentity(name or f"{path.name}:{attr}", digest, f"{path}:{attr}", str(path), python=True)
    if not all(p.isidentifier() for p in where.split(".")):
        raise BotSpecError(f"bot {entry!r}: {where!r} is neither a file (FILE.py) nor a module name")
    dist = None if where.split(".")[0] == "shotcaller" else _distribution_of(where)
    if dist is not None:
        source = f"{dist[0]}=={dist[1]}"
        digest = _hash_bytes(spec.encode(), source.encode())
    else:
        file = _module_file(where)
        if file is None or not file.is_file():
            raise BotSpecError(f"bot {entry!r}: no module {where!r} on the Python path")
        source = str(file)
        digest = _hash_bytes(spec.encode(), _read(file, entry))
    return BotIdentity(name or spec, digest, spec, source, python=True)


def _exec(entry: str, name: str | None, spec: str) -> BotIdentity:
    try:
        cmd = exec_command(spec, entry)
    except BotLoadError as e:  # a spec that names no command is a usage error, not a broken bot
        raise BotSpecError(str(e)) from None
    files = [(i, Path(tok).resolve()) for i, tok in enumerate(cmd) if Path(tok).is_file()]
    if not files and (found := shutil.which(cmd[0])):
        files = [(0, Path(found).resolve())]
    canonical, shown = list(cmd), list(cmd)
    for i, path in files:
        if Path(cmd[i]).is_file():  # a path typed on the command line: the same wherever it is run from
            canonical[i] = str(path)
            shown[i] = path.name
    parts = [" ".join(shown).encode()] + [_read(p, entry) for _, p in files]
    source = ", ".join(str(p) for _, p in files) or "(no program file found)"
    return BotIdentity(name or "exec:" + " ".join(shown), _hash_bytes(*parts), "exec:" + shlex.join(canonical), source)


def _entry_point(entry: str, name: str | None, spec: str) -> BotIdentity | None:
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == spec:
            dist = ep.dist
            source = f"{dist.name}=={dist.version}" if dist is not None else ep.value
            return BotIdentity(name or spec, _hash_bytes(ep.value.encode(), source.encode()), spec, source, True)
    return None


def split_entry(entry: str) -> tuple[str | None, str]:
    """``NAME=SPEC`` -> (NAME, SPEC); a plain SPEC -> (None, SPEC). ``=`` inside a spec (``exec:bot --x=1``,
    ``dir/a=b.py:B``) is not a name, since a name has only letters, digits and ``_ . + -``."""
    head, sep, tail = entry.partition("=")
    if sep and NAME_RE.fullmatch(head):
        return head, tail
    return None, entry


def identify(entry: str) -> BotIdentity:
    """The identity of one entry (``SPEC`` or ``NAME=SPEC``).

    Raises:
        BotSpecError: the entry names no bot (unknown name, missing file or module, empty command).
    """
    name, spec = split_entry(entry.strip())
    if not spec:
        raise BotSpecError(f"bot {entry!r}: NAME=SPEC needs a spec after '='")
    if spec.startswith("sandbox:"):
        inner = identify(spec[8:])
        if not inner.python:
            raise BotSpecError(f"bot {entry!r}: sandbox: takes FILE.py:Class or module:Class")
        return BotIdentity(name or inner.name, inner.digest, "sandbox:" + _python_spec(inner), inner.source)
    if spec in BUILTIN:
        return _builtin(entry, name or spec, spec)
    if spec.startswith("exec:"):
        return _exec(entry, name, spec)
    if spec.startswith("plan:"):
        return _plan(entry, name, spec)
    if spec.startswith("ckpt:"):
        return _checkpoint(entry, name, spec)
    if ":" in spec:
        return _python(entry, name, spec)
    found = _entry_point(entry, name, spec)
    if found is not None:
        return found
    known = ", ".join(sorted(BUILTIN))
    raise BotSpecError(
        f"unknown bot {spec!r}: not a built-in ({known}), not FILE.py:Class, module:Class, plan:NAME, "
        "ckpt:PATH or exec:COMMAND, "
        f"and no installed package registers it in the {ENTRY_POINT_GROUP!r} entry-point group"
    )


def _python_spec(ident: BotIdentity) -> str:
    """A Python bot's ``FILE.py:Class`` / ``module:Class`` form (an entry point's ``module:attr``)."""
    if ":" in ident.spec:
        return ident.spec
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == ident.spec:
            return ep.value
    return ident.spec


def sandboxed(ident: BotIdentity) -> BotIdentity:
    """The same bot (same name and digest) run as ``sandbox:`` when it is an in-process Python bot."""
    if not ident.python:
        return ident
    from shotcaller.bots.sandbox import sandboxed_spec

    return BotIdentity(ident.name, ident.digest, sandboxed_spec(_python_spec(ident)), ident.source)


def resolve_entries(entries: list[str]) -> list[BotIdentity]:
    """The identities of a tournament's entries, in order, each once.

    Two entries that resolve to the same spec (``b.py:B`` and its absolute path) are one entry.

    Raises:
        BotSpecError: an entry names no bot, or two different specs share a display name (give
            them names with ``NAME=SPEC``).
    """
    out: dict[str, BotIdentity] = {}
    for entry in entries:
        ident = identify(entry)
        seen = out.get(ident.name)
        if seen is None:
            out[ident.name] = ident
        elif seen.spec != ident.spec:
            raise BotSpecError(
                f"two different bots are both named {ident.name!r} ({seen.spec} and {ident.spec}); "
                f"name them with NAME=SPEC, e.g. {ident.name.split(':')[0].split('.')[0]}2={entry}"
            )
    return list(out.values())
