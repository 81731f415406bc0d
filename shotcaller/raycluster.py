"""Starting or joining Ray, for every part that runs on it (tournament games as Ray tasks, the Ray vector
env's actors). Ray is imported here only when a caller asks for it: it is an optional extra."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

RAY_INSTALL_HINT = 'pip install "shotcaller[ray]"'
LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"  # "0": Ray uses 127.0.0.1 as the node address


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here (Ray not installed, cluster unreachable); nothing was run."""


def connect(address: str | None) -> tuple[Any, bool]:
    """Ray, joined to the cluster at ``address`` (``"auto"``, ``"ray://HOST:10001"``, ...) or to a local
    instance ``ray.init`` starts (on loopback, without dashboard); a Ray already initialised in this
    process is used as it is. Returns ``(ray, started)``: ``started`` when this call initialised Ray (the
    caller shuts it down when done). Raises :class:`BackendUnavailable` naming what is missing."""
    # A local instance of our own stays on loopback (Ray would otherwise announce the machine's
    # network address): the switch is read when Ray is imported and by the processes ray.init starts.
    private = address is None and "ray" not in sys.modules and LOOPBACK_ENV not in os.environ
    if private:
        os.environ[LOOPBACK_ENV] = "0"
    try:
        try:
            import ray
        except ImportError as e:
            raise BackendUnavailable(f"the ray backend needs Ray ({e}); install it with: {RAY_INSTALL_HINT}") from e
        if ray.is_initialized():
            return ray, False
        try:
            if address:
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
            else:
                ray.init(log_to_driver=False, logging_level=logging.WARNING, include_dashboard=False)
        except Exception as e:
            where = f"the Ray cluster at {address!r}" if address else "a local Ray instance"
            raise BackendUnavailable(f"cannot start or reach {where}: {type(e).__name__}: {e}") from e
        return ray, True
    finally:
        if private:
            del os.environ[LOOPBACK_ENV]
