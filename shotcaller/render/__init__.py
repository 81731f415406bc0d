"""Pure renderers: state -> drawable data, shared by the terminal UI and the web canvas.

Nothing here changes a state or keeps game state; every function reads a
:class:`~shotcaller.sim.State` (or a frame made from one) and returns plain arrays and dicts.
This package imports only :mod:`shotcaller.content` and :mod:`shotcaller.sim`.
"""

from shotcaller.render.board import GLYPHS, LANE_NAMES, STYLES, BoardFrame, board_frame, minimap, sight_mask
from shotcaller.render.items import item_gives

__all__ = ["GLYPHS", "LANE_NAMES", "STYLES", "BoardFrame", "board_frame", "item_gives", "minimap", "sight_mask"]
