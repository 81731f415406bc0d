"""The ``kernel`` decorator: Numba ``njit`` with on-disk caching and one compiled version per helper.

Numba compiles a separate version of a jitted function for every distinct argument type it is
called with, including a separate one for every integer *constant* (literal) passed in. Our
kernels call small helpers with many constants (event kinds, skill ids, ...), which multiplied
compile time several times over. Helpers decorated with :func:`kernel` see their scalar argument
types widened (literals dropped, integers to int64, float32 to float64) so each compiles once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba as nb
from numba.core import dispatcher, types

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
    d = nb.njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True)(fn)
    d._widen_args = True
    return d


def entry(fn: Callable[..., Any]) -> Any:
    """Compile ``fn`` as a kernel that Python may call too (it keeps Numba's Python wrapper)."""
    d = nb.njit(cache=True)(fn)
    d._widen_args = True
    return d
