"""The ``kernel`` decorator: Numba ``njit`` with on-disk caching and one compiled version per helper.

Cached machine code is stamped with a digest of every simulation module (see :func:`sim_source_stamp`),
so editing any rule recompiles every kernel that may include it.

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

from shotcaller.sim.backend import SIM_DIR, sim_source_stamp  # noqa: E402


def _sim_locator(base: type) -> type:
    """A Numba cache locator that invalidates a kernel when *any* simulation module changes.

    Numba stamps a cached function with its own file only, so an edit to a helper in another module
    would otherwise leave callers running stale machine code.
    """

    class Locator(base):  # type: ignore[valid-type, misc]
        def get_source_stamp(self) -> bytes:
            return sim_source_stamp()

        @classmethod
        def from_function(cls, py_func: Any, py_file: str) -> Any:
            if Path(py_file).resolve().parent != SIM_DIR:
                return None
            return super().from_function(py_func, py_file)

    Locator.__name__ = f"Sim{base.__name__}"
    return Locator


if not getattr(caching.CacheImpl, "_shotcaller_locators", False):
    caching.CacheImpl._locator_classes[:0] = [
        _sim_locator(caching.UserProvidedCacheLocator),
        _sim_locator(caching.InTreeCacheLocator),
        _sim_locator(caching.UserWideCacheLocator),
    ]
    caching.CacheImpl._shotcaller_locators = True

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
    dispatcher.Dispatcher.get_call_template = _get_call_template
    dispatcher.Dispatcher._shotcaller_patched = True


def kernel(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` as an internal kernel helper (called only from other compiled code)."""
    d = nb.njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True, error_model="numpy")(fn)
    d._widen_args = True
    return d


def entry(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` as a kernel that Python may call too (it keeps Numba's Python wrapper)."""
    d = nb.njit(cache=True, error_model="numpy")(fn)
    d._widen_args = True
    return d
