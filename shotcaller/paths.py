"""Where Shotcaller keeps files of its own: compiled kernels and bot logs, never inside the package.

* :func:`cache_dir` — compiled kernels (Numba's cache and the ``shotcaller compile`` build):
  ``$SHOTCALLER_CACHE_DIR``, else ``$XDG_CACHE_HOME/shotcaller``, else ``~/.cache/shotcaller``.
* :func:`state_dir` — bot logs of matches played outside a tournament: ``$SHOTCALLER_STATE_DIR``,
  else ``$XDG_STATE_HOME/shotcaller``, else ``~/.local/state/shotcaller``.

The package directory is never written to, so an install (``pip install .``), an editable install
and an uninstall never see each other's files.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "SHOTCALLER_CACHE_DIR"
STATE_ENV = "SHOTCALLER_STATE_DIR"


def _home() -> Path:
    try:
        return Path.home()
    except RuntimeError:  # no HOME and no passwd entry (some containers)
        import tempfile

        return Path(tempfile.gettempdir()) / f"shotcaller-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def cache_dir() -> Path:
    """The per-user cache directory (not created here)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(_home() / ".cache")
    return Path(base).expanduser().resolve() / "shotcaller"


def state_dir() -> Path:
    """The per-user state directory for logs (not created here)."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV]).expanduser().resolve()
    base = os.environ.get("XDG_STATE_HOME") or str(_home() / ".local" / "state")
    return Path(base).expanduser().resolve() / "shotcaller"
