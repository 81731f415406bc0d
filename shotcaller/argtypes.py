"""Argument types shared by the command line (``shotcaller.cli``) and the module commands of lower layers
(``python -m shotcaller.bots.drafters fit``) and the benchmark scripts: one wording for every bad value."""

from __future__ import annotations

import argparse
import math


def positive_int(s: str) -> int:
    """An argparse type: an integer > 0, or a one-line error naming the value."""
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s}")
    return v


def non_negative_int(s: str) -> int:
    """An argparse type: an integer >= 0, or a one-line error naming the value."""
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {s}")
    return v


def non_negative_float(s: str) -> float:
    """An argparse type: a finite number >= 0, or a one-line error naming the value."""
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {s}")
    return v
