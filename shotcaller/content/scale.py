"""Regenerate the scaled maps from map.txt: ``python -m shotcaller.content.scale``."""

from __future__ import annotations

from pathlib import Path

from shotcaller.content.mapfile import scale_map_text

HERE = Path(__file__).parent


def main() -> None:
    """Write map_2x.txt and map_4x.txt next to map.txt."""
    text = (HERE / "map.txt").read_text(encoding="utf-8")
    for k in (2, 4):
        (HERE / f"map_{k}x.txt").write_text(scale_map_text(text, k), encoding="utf-8")


if __name__ == "__main__":
    main()
