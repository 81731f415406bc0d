"""Command line: parses (:mod:`shotcaller.cli.parser`) and dispatches (:mod:`shotcaller.cli.commands`),
nothing else."""

from __future__ import annotations

import sys

from shotcaller.cli.parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shotcaller`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader went away (`shotcaller report | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
