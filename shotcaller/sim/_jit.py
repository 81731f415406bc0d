"""The ``kernel`` decorator: Numba ``njit`` with on-disk caching and one compiled version per helper.

Cached machine code lives in the per-user cache directory (``$SHOTCALLER_CACHE_DIR``, see
:mod:`shotcaller.paths`), never inside the package, and is stamped with a digest of every simulation
module (see :func:`sim_source_stamp`), so editing any rule recompiles every kernel that may include it.

Numba compiles a separate version of a jitted function for every distinct argument type it is
called with, including a separate one for every integer *constant* (literal) passed in. Our
kernels call small helpers with many constants (event kinds, skill ids, ...), which multiplied
compile time several times over. Helpers decorated with :func:`kernel` see their scalar argument
types widened (literals dropped, integers to int64, float32 to float64) so each compiles once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba as nb
from numba.core import caching, dispatcher, types

from shotcaller.paths import cache_dir
from shotcaller.sim.backend import SIM_DIR, sim_source_stamp


class _SimCacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):  # type: ignore[misc]
    """Numba's cache for the simulation's kernels lives in the per-user cache directory
    (:func:`shotcaller.paths.cache_dir`), never beside the sources (an installed package's
    ``__pycache__`` would outlive an uninstall and shadow another install), and is stamped with a
    digest of every simulation module (Numba stamps a function with its own file only, so an edit to a
    helper in another module would otherwise leave callers running stale machine code)."""

    def __init__(self, py_func: Any, py_file: str) -> None:
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        root = kernel_cache_root()
        self._cache_path = str(root / self.get_suitable_cache_subpath(py_file))

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> bytes:
        return sim_source_stamp()

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if Path(py_file).resolve().parent != SIM_DIR:
            return None  # not ours: Numba's own locators decide
        self = cls(py_func, py_file)
        try:
            self.ensure_cache_path()
        except OSError:
            return None
        _mark_and_prune(Path(self._cache_path))
        return self


KEEP_CACHES = 8  # kernel caches (one per installed copy of the package) kept at least
UNUSED_DAYS = 30.0  # ... and any other one used within this many days
_marked: set[str] = set()


def _mark_and_prune(path: Path) -> None:
    """Once per process: mark this install's kernel cache as used now, and prune the others."""
    if str(path) in _marked:
        return
    _marked.add(str(path))
    try:
        (path / "last-used").touch()
        prune_kernel_caches(path.parent, keep=KEEP_CACHES, unused_days=UNUSED_DAYS)
    except OSError:
        pass  # a read-only or shared cache: pruning is housekeeping, never a reason to fail


def prune_kernel_caches(root: Path, keep: int = KEEP_CACHES, unused_days: float = UNUSED_DAYS) -> list[Path]:
    """Delete the kernel caches under ``root`` that are neither among the ``keep`` most recently used
    nor used within ``unused_days`` (each installed copy of the package, every venv or checkout, has
    its own ``sim_*`` cache of 100-250 MB; without this they pile up). Returns what was deleted."""
    import shutil
    import time

    def last_used(d: Path) -> float:
        mark = d / "last-used"
        return (mark if mark.exists() else d).stat().st_mtime

    caches = sorted((d for d in root.glob("sim_*") if d.is_dir()), key=last_used, reverse=True)
    cutoff = time.time() - unused_days * 86400
    gone = [d for d in caches[keep:] if last_used(d) < cutoff]
    for d in gone:
        shutil.rmtree(d, ignore_errors=True)
    return gone


def kernel_cache_root() -> Path:
    """Where compiled kernels are cached: ``<cache dir>/kernels`` (see :mod:`shotcaller.paths`)."""
    return cache_dir() / "kernels"


if not getattr(caching.CacheImpl, "_shotcaller_locators", False):
    caching.CacheImpl._locator_classes.insert(0, _SimCacheLocator)
    caching.CacheImpl._shotcaller_locators = True  # type: ignore[attr-defined]  # our mark on Numba's class

_original = dispatcher.Dispatcher.get_call_template


def _widen(t: Any) -> Any:
    t = types.unliteral(t)
    if isinstance(t, types.Boolean):
        return t
    if isinstance(t, types.Integer):
        return types.int64
    if t == types.float32:
        return types.float64
    return t


def _get_call_template(self: Any, args: tuple, kws: dict) -> Any:
    if getattr(self, "_widen_args", False):
        args = tuple(_widen(a) for a in args)
        kws = {k: _widen(v) for k, v in kws.items()}
    return _original(self, args, kws)


if not getattr(dispatcher.Dispatcher, "_shotcaller_patched", False):
    dispatcher.Dispatcher.get_call_template = _get_call_template  # type: ignore[method-assign, assignment]
    dispatcher.Dispatcher._shotcaller_patched = True  # type: ignore[attr-defined]


def kernel(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` as an internal kernel helper (called only from other compiled code)."""
    # no_cpython_wrapper/no_cfunc_wrapper are Numba target options its stubs do not list
    d = nb.njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True, error_model="numpy")(fn)  # type: ignore[call-overload]
    d._widen_args = True
    return d


def inline_kernel(fn: Callable[..., Any]) -> Any:
    """Like :func:`kernel`, but Numba pastes its body into every caller (IR inlining) instead of calling
    it: for small dispatchers on hot paths, where a call (which passes the whole state, ~100 machine
    words) costs more than the work."""
    d = nb.njit(cache=True, inline="always", no_cpython_wrapper=True, no_cfunc_wrapper=True, error_model="numpy")(fn)  # type: ignore[call-overload]
    d._widen_args = True
    return d


def entry(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` as a kernel that Python may call too (it keeps Numba's Python wrapper)."""
    d = nb.njit(cache=True, error_model="numpy")(fn)
    d._widen_args = True  # type: ignore[attr-defined]  # read by _get_call_template
    return d
