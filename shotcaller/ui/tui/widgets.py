"""The match screen's widgets: map, minimap, leader panel, status bar and event feed.

Every widget draws from the session's state (through :mod:`shotcaller.render`) and keeps no game state
of its own; the screen hands them a fresh :class:`~shotcaller.render.BoardFrame` each frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.widget import Widget

from shotcaller.render import STYLES, BoardFrame, minimap
from shotcaller.sim import layout as L

if TYPE_CHECKING:
    from shotcaller.ui.tui.screens import MatchScreen

#: Terminal colours of the board's style codes (:data:`shotcaller.render.STYLES`).
PALETTE: dict[str, str] = {
    "wall": "green4",
    "floor": "grey35",
    "fog_wall": "grey19",
    "fog_floor": "grey15",
    "blue_leader": "bold bright_white on blue",
    "red_leader": "bold bright_white on red3",
    "blue_leader_low": "bold yellow on blue",
    "red_leader_low": "bold yellow on red3",
    "blue_creep": "dodger_blue1",
    "red_creep": "indian_red1",
    "blue_summon": "bold deep_sky_blue1",
    "red_summon": "bold light_coral",
    "blue_building": "bold bright_white on dark_blue",
    "red_building": "bold bright_white on dark_red",
    "blue_building_low": "bold yellow on dark_blue",
    "red_building_low": "bold yellow on dark_red",
    "rubble": "grey50",
    "stale": "grey62 on grey23",
}
_STYLE_OF = [PALETTE.get(name, "") for name in STYLES]
SIDE_STYLE = {"blue": "bold dodger_blue1", "red": "bold indian_red1"}


def rows_as_text(glyph: Any, style: Any, marks: dict[tuple[int, int], str] | None = None) -> Text:
    """A glyph grid and its style codes as one Rich text (runs of one style joined), with ``marks``
    ({(row, col): style}) overriding single cells (the cursor)."""
    out = Text(no_wrap=True, overflow="crop")
    h = glyph.shape[0]
    marks = marks or {}
    for i in range(h):
        row_g = glyph[i].tolist()
        row_s = style[i].tolist()
        j = 0
        n = len(row_g)
        while j < n:
            if (i, j) in marks:
                out.append(row_g[j], marks[(i, j)])
                j += 1
                continue
            k = j
            s = row_s[j]
            while k < n and row_s[k] == s and (i, k) not in marks:
                k += 1
            out.append("".join(row_g[j:k]), _STYLE_OF[s])
            j = k
        if i < h - 1:
            out.append("\n")
    return out


class MapView(Widget):
    """The board through a camera: the whole map when the widget is large enough, else a window that
    follows a leader or the cursor. A click is an order (or moves the cursor)."""

    DEFAULT_CSS = "MapView { width: 1fr; height: 1fr; }"

    def __init__(self, owner: MatchScreen, **kw: Any) -> None:
        super().__init__(**kw)
        self.owner = owner
        self.cam = (0, 0)
        self.frames = 0

    def window(self) -> tuple[int, int, int, int]:
        """(x0, y0, width, height) of the map tiles shown."""
        frame = self.owner.frame
        H, W = frame.glyph.shape
        w, h = min(W, max(1, self.size.width)), min(H, max(1, self.size.height))
        cx, cy = self.owner.focus_point()
        x0 = min(max(0, cx - w // 2), W - w)
        y0 = min(max(0, cy - h // 2), H - h)
        self.cam = (x0, y0)
        return x0, y0, w, h

    def render(self) -> Text:
        self.frames += 1
        frame = self.owner.frame
        x0, y0, w, h = self.window()
        cur = self.owner.cursor
        marks = {}
        if cur is not None and x0 <= cur[0] < x0 + w and y0 <= cur[1] < y0 + h:
            marks[(cur[1] - y0, cur[0] - x0)] = "bold black on yellow"
        return rows_as_text(frame.glyph[y0 : y0 + h, x0 : x0 + w], frame.style[y0 : y0 + h, x0 : x0 + w], marks)

    def on_click(self, event: events.Click) -> None:
        x0, y0 = self.cam
        self.owner.map_clicked(x0 + event.x, y0 + event.y)


class Minimap(Widget):
    """The whole board shrunk; the camera's window is outlined; a click moves the cursor there."""

    DEFAULT_CSS = "Minimap { height: 9; width: 100%; }"

    def __init__(self, owner: MatchScreen, **kw: Any) -> None:
        super().__init__(**kw)
        self.owner = owner

    def render(self) -> Text:
        frame: BoardFrame = self.owner.frame
        w, h = max(1, self.size.width), max(1, self.size.height)
        g, s = minimap(frame, w, h)
        H, W = frame.glyph.shape
        mv = self.owner.map_view
        x0, y0 = mv.cam
        vw, vh = min(W, mv.size.width), min(H, mv.size.height)
        marks = {}
        if vw < W or vh < H:  # outline the camera's window
            for i in range(h):
                for j in range(w):
                    tx, ty = j * W // w, i * H // h
                    if x0 <= tx < x0 + vw and y0 <= ty < y0 + vh and s[i, j] in _TERRAIN:
                        marks[(i, j)] = "on grey30"
        return rows_as_text(g, s, marks)

    def on_click(self, event: events.Click) -> None:
        frame = self.owner.frame
        H, W = frame.glyph.shape
        w, h = max(1, self.size.width), max(1, self.size.height)
        self.owner.move_cursor(event.x * W // w + W // (2 * w), event.y * H // h + H // (2 * h), follow=False)


_TERRAIN = {STYLES.index(n) for n in ("wall", "floor", "fog_wall", "fog_floor")}


def bar(frac: float, width: int) -> Text:
    """A health bar ``width`` cells wide."""
    frac = min(1.0, max(0.0, frac))
    full = round(frac * width)
    colour = "green3" if frac > 0.5 else "yellow3" if frac > 0.25 else "red3"
    return Text("█" * full, colour) + Text("░" * (width - full), "grey30")


def seconds(ticks: int, tps: float) -> str:
    return f"{ticks / tps:.0f}s"


class LeaderPanel(Widget):
    """The commanded (or viewed) team's leaders: health, gold, items, order, cooldowns, stance, respawn;
    then the orders on their way with their latency."""

    DEFAULT_CSS = "LeaderPanel { height: 1fr; width: 100%; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, owner: MatchScreen, **kw: Any) -> None:
        super().__init__(**kw)
        self.owner = owner

    def render(self) -> Text:
        return self.owner.panel_text(max(10, self.size.width), max(1, self.size.height))


class TopBar(Widget):
    """Game time, score, speed, APM and the selection, on one line."""

    DEFAULT_CSS = "TopBar { height: 1; width: 100%; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, owner: MatchScreen, **kw: Any) -> None:
        super().__init__(**kw)
        self.owner = owner

    def render(self) -> Text:
        return self.owner.top_text()


class Feed(Widget):
    """The latest events of the match's story (kills, towers, teleports, purchases, orders and their
    answers with the reasons coaches give), newest last."""

    DEFAULT_CSS = (
        "Feed { height: 6; width: 100%; border-top: solid $primary; text-wrap: nowrap; text-overflow: ellipsis; }"
    )

    def __init__(self, owner: MatchScreen, **kw: Any) -> None:
        super().__init__(**kw)
        self.owner = owner

    def render(self) -> Text:
        return self.owner.feed_text(max(1, self.size.height), max(10, self.size.width))


def entry_text(e: dict[str, Any], mine: str | None) -> Text:
    """One story entry as a line: time, then its text coloured by side; the player's rejected orders
    stand out."""
    side = e.get("side")
    style = SIDE_STYLE.get(side, "") if isinstance(side, str) else ""
    if e.get("type") == "order" and e.get("status") == "rejected" and side == mine:
        style = "bold black on yellow"
    elif e.get("type") in ("building", "first_blood", "fight", "end"):
        style += " reverse" if style else "bold"
    t = Text(f"{e.get('time', '')} ", "grey62")
    t.append(str(e.get("text", "")), style)
    return t


ORDER_KEYS = {
    L.O_LANE: "l",
    L.O_PUSH: "p",
    L.O_DEFEND: "d",
    L.O_GANK: "g",
    L.O_GROUP: "o",
    L.O_RETREAT: "r",
    L.O_BUY: "b",
    L.O_TELEPORT: "t",
    L.O_STANCE: "s",
    L.O_FORTIFY: "F",
}
