"""The terminal game's screens: draft, match (map, minimap, leaders, feed), shop, pickers, end.

The match screen advances its session a frame at a time (20 frames a game second at 1x) and redraws
from the session's state; the player's keys and clicks become orders on the session's
:class:`~shotcaller.bots.human.HumanCoach`, the same path every coach's orders take.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from shotcaller.arena.draft import DRAFT_ORDER, BadPick, skill_table
from shotcaller.content.loader import SKILL_NAMES
from shotcaller.render import BoardFrame, board_frame, item_gives
from shotcaller.sim import layout as L
from shotcaller.sim.layout import building_name
from shotcaller.ui.tui.session import PlaySession, ReplaySession, Session
from shotcaller.ui.tui.widgets import (
    SIDE_STYLE,
    Feed,
    LeaderPanel,
    MapView,
    Minimap,
    TopBar,
    bar,
    entry_text,
    seconds,
)

NOTICE_S = 4.0  # seconds a notice (an order sent, a bad jump) stays under the feed
FPS = 20  # frames a second the match screen draws (and steps the match)
SPEEDS = (1, 2, 4, 8, 0)  # game seconds per second; 0: as fast as the machine goes ("max")
LANES = ("left", "mid", "right")
STANCES = ("aggressive", "balanced", "careful")
SIDES = ("blue", "red")


def speed_name(s: float) -> str:
    return "max" if s == 0 else f"{s:g}x"


# ---------------------------------------------------------------------------------------------------
# pickers


PICK_KEYS = "123456789abcdefghijk"  # the keys of a picker's options, in order


class PickScreen(ModalScreen[Any]):
    """Choose one of a few options (a lane, a target, a stance): keys 1..9 then a, b, ... or arrows and
    Enter; Esc cancels."""

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical { width: 56; height: auto; max-height: 90%; border: thick $primary; background: $surface; }
    PickScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, options: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, "bold"))
            yield OptionList(
                *[Option(f"{PICK_KEYS[k]}  {label}", id=str(k)) for k, (label, _) in enumerate(self.options)]
            )

    def on_key(self, event: events.Key) -> None:
        ch = event.character or ""
        if ch and ch in PICK_KEYS:
            k = PICK_KEYS.index(ch)
            if k < len(self.options):
                event.stop()
                self.dismiss(self.options[k][1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ShopScreen(ModalScreen[Any]):
    """The shop: every item with its price and what it gives; Enter buys for the selected leader(s)."""

    DEFAULT_CSS = """
    ShopScreen { align: center middle; }
    ShopScreen > Vertical { width: 90%; max-width: 100; height: 90%; border: thick $primary; background: $surface; }
    ShopScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "close"), Binding("b", "cancel", "close", show=False)]

    def __init__(self, session: Session, who: str, gold: float | None) -> None:
        super().__init__()
        self.session = session
        self.who = who
        self.gold = gold

    def compose(self) -> ComposeResult:
        c = self.session.world.content

        with Vertical():
            gold = "" if self.gold is None else f" — {self.gold:.0f} gold"
            yield Static(Text(f"Shop: buy for {self.who}{gold} (Enter buys, Esc closes)", "bold"))
            t: DataTable[Any] = DataTable(cursor_type="row", id="shop-table")
            t.add_columns("item", "price", "gives")
            for i, name in enumerate(c.item_names):
                price = float(c.item_price[i])
                style = "grey50" if self.gold is not None and price > self.gold else ""
                t.add_row(Text(name, style), Text(f"{price:.0f}", style), item_gives(c, i), key=str(i))
            yield t

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class InputScreen(ModalScreen[Any]):
    """One line of input (a replay path, a time to seek to); Esc cancels."""

    DEFAULT_CSS = """
    InputScreen { align: center middle; }
    InputScreen > Vertical { width: 70; height: auto; border: thick $primary; background: $surface; }
    """
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, prompt: str, value: str = "") -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt)
            yield Input(value=self.value, id="line")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


HELP = """\
[b]Orders[/b] (to the selected leader, or the whole team)
  1-5 select a leader, 0 or a: the whole team, Tab: next leader
  l lane · p push · d defend (then 1 left, 2 mid, 3 right)
  g gank an enemy leader · o group at the cursor · r retreat
  b shop · t teleport to a building · s stance · F fortify (whole team)
  click the map: group there; click an own building: teleport; click an enemy leader: gank
[b]View[/b]
  arrows move the cursor (the camera follows it), c: follow the selected leader
  click the minimap: look there
[b]Time[/b]
  space pause · + faster · - slower (1x 2x 4x 8x max)
  replays: \\[ and ] 10 s back and forward, n next event, j jump to a time (mm:ss)
[b]Other[/b]
  ? this help · q end the match (the end screen offers to save the replay)
"""


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: 84; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "close", "close")]

    def compose(self) -> ComposeResult:
        yield Static(HELP)

    def action_close(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------------------------------------
# draft


class DraftScreen(Screen[None]):
    """The draft in the rules' pick order (A-B-B-A-A-B-B-A-A-B, A = blue): the player picks on their
    turns, the opponent's picks come from its ``draft`` method (or the seeded random pick)."""

    BINDINGS = [
        Binding("enter", "pick", "pick"),
        Binding("a", "auto", "let the game pick"),
        Binding("question_mark", "help", "help"),
        Binding("q", "app.quit", "quit"),
    ]
    DEFAULT_CSS = """
    DraftScreen #draft-order { height: 3; border-bottom: solid $primary; }
    DraftScreen #draft-info { height: 4; }
    DraftScreen DataTable { height: 1fr; }
    """

    def __init__(self, session: PlaySession) -> None:
        super().__init__()
        self.session = session
        self.error = ""  # why the player's last pick was refused

    def compose(self) -> ComposeResult:
        yield Static(id="draft-order")
        t: DataTable[Any] = DataTable(cursor_type="row", id="draft-table")
        yield t
        yield Static(id="draft-info")
        yield Footer()

    def on_mount(self) -> None:
        s = self.session
        c = s.world.content
        skills = skill_table(c)
        t = self.query_one(DataTable)
        t.add_columns("#", "leader", "taken by", "range", "hp", "atk", "def", "spd", "skills", "build")
        for p in s.pool:
            st = p["stats"]
            sk = ", ".join(f"{n} ({_skill_brief(skills.get(n, {}))})" for n in p["skills"])
            t.add_row(
                str((p["hero"] + 1) % 10),
                Text(p["leader"], "bold"),
                "",
                p["range"],
                str(st.get("health", "")),
                str(st.get("attack", "")),
                str(st.get("defense", "")),
                str(st.get("attack_speed", "")),
                sk,
                ", ".join(p["build"]),
                key=str(p["hero"]),
            )
        self.refresh_draft()
        self.set_interval(0.4, self.opponent_turn)

    def refresh_draft(self) -> None:
        s = self.session
        d = s.drafting
        names = s.world.content.leader_names
        order = Text("Draft  ")
        for k, team in enumerate(DRAFT_ORDER):
            who = SIDES[team]
            label = names[d.picks[k]] if k < len(d.picks) else ("you" if team == s.team else "bot")
            style = SIDE_STYLE[who] + (" reverse" if k == len(d.picks) else "")
            order.append(f"{k + 1}:{label}", style)
            order.append(" ")
        order.append(f"\nyou are {SIDES[s.team]}; picks go A-B-B-A-A-B-B-A-A-B (A = blue)", "grey62")
        self.query_one("#draft-order", Static).update(order)
        t = self.query_one(DataTable)
        col = t.ordered_columns[2].key
        for k, h in enumerate(d.picks):
            t.update_cell(str(h), col, Text(SIDES[DRAFT_ORDER[k]], SIDE_STYLE[SIDES[DRAFT_ORDER[k]]]))
        if d.done:
            info = "The draft is done: the match starts."
        elif s.my_turn:
            info = "Your pick: arrows and Enter, or the leader's number (1-9, 0); a: let the game pick."
        else:
            info = "The opponent is picking..."
        if self.error:
            info += f"\n[b red]{self.error}[/]"
        self.query_one("#draft-info", Static).update(info)

    def opponent_turn(self) -> None:
        s = self.session
        if s.drafting.done:
            return
        if not s.my_turn:
            s.opponent_pick()
            self.after_pick()

    def after_pick(self) -> None:
        self.error = ""
        self.refresh_draft()
        if self.session.drafting.done:
            self.app.call_later(self.app.begin_match)  # type: ignore[attr-defined]

    def _pick(self, hero: int | str) -> None:
        try:
            self.session.pick(hero)
        except BadPick as e:
            self.error = str(e)
            self.refresh_draft()
            return
        self.after_pick()

    def action_pick(self) -> None:
        t = self.query_one(DataTable)
        row = t.coordinate_to_cell_key(t.cursor_coordinate).row_key
        self._pick(int(row.value or 0))

    def action_auto(self) -> None:
        if self.session.my_turn:
            self._pick(self.session.suggested_pick())

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def on_key(self, event: events.Key) -> None:
        ch = event.character
        if ch and ch.isdigit() and self.session.my_turn:
            event.stop()
            self._pick((int(ch) - 1) % 10)


def _up(ticks: int, tps: float) -> str:
    """A countdown in whole seconds, rounded up (never "0s" while it runs)."""
    return f"{-(-ticks // max(1, round(tps)))}s"


def _skill_brief(params: dict[str, Any]) -> str:
    keys = [k for k in ("cooldown_s", "duration_s", "radius", "value") if k in params]
    return " ".join(f"{k.replace('_s', '').replace('cooldown', 'cd')} {params[k]}" for k in keys[:2]) or "passive"


# ---------------------------------------------------------------------------------------------------
# the match


class MatchScreen(Screen[None]):
    """The map, minimap, leader panel, event feed and status bar; the keys and clicks of the coach."""

    BINDINGS = [
        Binding("space", "pause", "pause"),
        Binding("plus,equals_sign", "faster", "faster"),
        Binding("minus", "slower", "slower"),
        Binding("question_mark", "help", "help"),
        Binding("q", "end", "end"),
        Binding("tab", "next_leader", "next", show=False),
        Binding("up", "cursor(0,-1)", show=False),
        Binding("down", "cursor(0,1)", show=False),
        Binding("left", "cursor(-1,0)", show=False),
        Binding("right", "cursor(1,0)", show=False),
        Binding("shift+up", "cursor(0,-5)", show=False),
        Binding("shift+down", "cursor(0,5)", show=False),
        Binding("shift+left", "cursor(-5,0)", show=False),
        Binding("shift+right", "cursor(5,0)", show=False),
        Binding("c", "follow", "follow", show=False),
    ]
    DEFAULT_CSS = """
    MatchScreen #side { width: 34; }
    MatchScreen #body { height: 1fr; }
    """

    def __init__(self, session: Session, speed: float = 1.0, paused: bool = False, show_rates: bool = True) -> None:
        super().__init__()
        self.session = session
        self.show_rates = show_rates  # frames and ticks per second in the status bar
        self.speed = speed
        self.paused = paused
        self.selected = -1  # leader 0..4 of the commanded team, -1 the whole team
        self.follow: int | None = None  # global leader index the camera follows
        self.cursor: tuple[int, int] | None = None
        self.frame: BoardFrame = board_frame(session.state, session.viewer)
        self._carry = 0.0
        self._last = time.monotonic()
        self.stats = {"frames": 0, "ticks": 0, "seconds": 0.0}
        self._rate = (0.0, 0.0)  # frames/s, ticks/s over the last second
        self._window = [time.monotonic(), 0, 0]
        self.ended = False
        self.notice: Text | None = None
        self.notice_until = 0.0
        team = session.team if session.team is not None else (session.viewer or 0)
        self.follow = team * 5

    # layout
    def compose(self) -> ComposeResult:
        self.top = TopBar(self)
        self.map_view = MapView(self, id="map")
        self.minimap = Minimap(self, id="minimap")
        self.panel = LeaderPanel(self, id="panel")
        self.feed = Feed(self, id="feed")
        yield self.top
        with Horizontal(id="body"):
            yield self.map_view
            with Vertical(id="side"):
                yield self.minimap
                yield self.panel
        yield self.feed
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1 / FPS, self.step_frame)
        self.fit(self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.height)

    def fit(self, height: int) -> None:
        """Give the map most of a small terminal: a shorter minimap and feed under 32 lines."""
        small = height < 32
        self.minimap.styles.height = 6 if small else 9
        self.feed.styles.height = 4 if small else 6

    # the clock
    def step_frame(self) -> None:
        s = self.session
        now = time.monotonic()
        dt, self._last = now - self._last, now
        played = 0
        if not self.paused and not s.done and not self.ended:
            if self.speed == 0:  # max: as many ticks as fit in most of a frame
                deadline = now + 0.8 / FPS
                while time.monotonic() < deadline and not s.done:
                    played += s.advance(20)
            else:
                self._carry += min(dt, 0.25) * self.speed * s.tps
                n = int(self._carry)
                self._carry -= n
                if n:
                    played = s.advance(n)
        self.stats["ticks"] += played
        self.stats["seconds"] += dt
        self.frame = board_frame(s.state, s.viewer)
        self.stats["frames"] += 1
        w = self._window
        w[1] += 1
        w[2] += played
        if now - w[0] >= 1.0:
            self._rate = (w[1] / (now - w[0]), w[2] / (now - w[0]))
            self._window = [now, 0, 0]
        for wdg in (self.top, self.map_view, self.minimap, self.panel, self.feed):
            wdg.refresh()
        if s.done and not self.ended:
            self.ended = True
            self.app.call_later(self.app.show_end)  # type: ignore[attr-defined]

    # camera and cursor
    def focus_point(self) -> tuple[int, int]:
        if self.follow is not None:
            u = self.session.state.arrays.units[0, L.SLOT_LEADER0 + self.follow]
            seen = self.session.viewer is None or self.follow // 5 == self.session.viewer
            if seen and u["alive"]:
                return int(u["x"]), int(u["y"])
        if self.cursor is not None:
            return self.cursor
        H, W = self.frame.glyph.shape
        return W // 2, H // 2

    def move_cursor(self, x: int, y: int, follow: bool = False) -> None:
        H, W = self.frame.glyph.shape
        self.cursor = (min(max(0, x), W - 1), min(max(0, y), H - 1))
        if not follow:
            self.follow = None
        self.map_view.refresh()

    def action_cursor(self, dx: int, dy: int) -> None:
        x, y = self.cursor if self.cursor is not None else self.focus_point()
        self.move_cursor(x + dx, y + dy)

    def action_follow(self) -> None:
        team = self.session.team if self.session.team is not None else (self.session.viewer or 0)
        self.follow = team * 5 + max(0, self.selected)

    # time
    def action_pause(self) -> None:
        self.paused = not self.paused

    def action_faster(self) -> None:
        k = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[min(k + 1, len(SPEEDS) - 1)]

    def action_slower(self) -> None:
        k = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[max(k - 1, 0)]

    def action_help(self) -> None:
        was = self.paused
        self.paused = True  # reading the keys stops the clock

        def back(_: Any) -> None:
            self.paused = was

        self.app.push_screen(HelpScreen(), back)

    def action_end(self) -> None:
        s = self.session
        if isinstance(s, ReplaySession) or s.done:
            self._end(True)
            return
        opts = [("end the match now (the end screen offers to save its replay)", True), ("keep playing", False)]
        self.app.push_screen(PickScreen("End the match?", opts), self._end)

    def _end(self, yes: Any) -> None:
        if yes and not self.ended:
            self.ended = True
            self.app.show_end()  # type: ignore[attr-defined]

    def action_next_leader(self) -> None:
        if self.session.team is None:
            return
        self.selected = (self.selected + 1) % 5 if self.selected < 4 else -1
        self._select(self.selected)

    # keys that depend on the mode (orders, replay seeking)
    def on_key(self, event: events.Key) -> None:
        ch = event.character or ""
        if not ch:  # arrows and other keys without a character: the bindings' ("" is in "12345")
            return
        s = self.session
        if isinstance(s, ReplaySession):
            if ch == "[":
                s.seek(s.tick - round(10 * s.tps))
            elif ch == "]":
                s.seek(s.tick + round(10 * s.tps))
            elif ch == "n":
                if s.next_event() is None:
                    self.say("no more events")
            elif ch == "j":
                self.app.push_screen(InputScreen("Jump to game time (mm:ss) or tick:"), self._jump)
            elif ch in "12345":
                self.follow = (s.viewer or 0) * 5 + int(ch) - 1
            elif ch in "!@#$%":  # shift+1..5: the other side's leaders
                self.follow = (1 - (s.viewer or 0)) * 5 + "!@#$%".index(ch)
            else:
                return
            event.stop()
            self.ended = False
            return
        if s.team is None:  # spectating: number keys follow leaders
            if ch in "12345":
                self.follow = (s.viewer or 0) * 5 + int(ch) - 1
            elif ch in "!@#$%":
                self.follow = (1 - (s.viewer or 0)) * 5 + "!@#$%".index(ch)
            else:
                return
            event.stop()
            return
        handler = self.ORDER_KEYS.get(ch)
        if handler is not None:
            event.stop()
            getattr(self, handler)()

    ORDER_KEYS = {
        "1": "sel_1",
        "2": "sel_2",
        "3": "sel_3",
        "4": "sel_4",
        "5": "sel_5",
        "0": "sel_all",
        "a": "sel_all",
        "l": "order_lane",
        "p": "order_push",
        "d": "order_defend",
        "g": "order_gank",
        "o": "order_group",
        "r": "order_retreat",
        "b": "order_buy",
        "t": "order_teleport",
        "s": "order_stance",
        "F": "order_fortify",
    }

    def _select(self, i: int) -> None:
        self.selected = i
        if i >= 0 and self.session.team is not None:
            self.follow = self.session.team * 5 + i

    def sel_1(self) -> None:
        self._select(0)

    def sel_2(self) -> None:
        self._select(1)

    def sel_3(self) -> None:
        self._select(2)

    def sel_4(self) -> None:
        self._select(3)

    def sel_5(self) -> None:
        self._select(4)

    def sel_all(self) -> None:
        self._select(-1)

    def who(self) -> str:
        s = self.session
        if self.selected < 0 or s.team is None:
            return "the whole team"
        return s.names.own_leader(s.team, self.selected)

    def give(self, kind: int, a: int = 0, b: int = 0, leader: int | None = None) -> None:
        """Queue an order for the selection (or ``leader``); what the engine answers shows in the feed."""
        s = self.session
        li = self.selected if leader is None else leader
        if s.team is None:
            return
        what = s.names.order(s.team, kind, a, b)
        who = "all" if li < 0 else s.names.own_leader(s.team, li)
        if s.order(li, kind, a, b):
            self.say(f"{who}: {what} (sent)")
        else:
            self.say(f"{who}: {what} not sent: " + ("the match is over" if s.done else "too many orders queued"), True)

    def _then(self, kind: int) -> Callable[[Any], None]:
        """The callback of a picker: give ``kind`` with the picked argument (nothing when cancelled)."""

        def done(arg: Any) -> None:
            if arg is not None:
                self.give(kind, int(arg))

        return done

    def say(self, text: str, bad: bool = False) -> None:
        self.notice = Text(text, "bold black on yellow" if bad else "bold")
        self.notice_until = time.monotonic() + NOTICE_S

    def _lane_order(self, kind: int) -> None:
        name = L.ORDER_NAMES[kind]
        opts = [(f"{name} {lane}", k) for k, lane in enumerate(LANES)]
        self.app.push_screen(PickScreen(f"{self.who()}: {name} which lane?", opts), self._then(kind))

    def order_lane(self) -> None:
        self._lane_order(L.O_LANE)

    def order_push(self) -> None:
        self._lane_order(L.O_PUSH)

    def order_defend(self) -> None:
        self._lane_order(L.O_DEFEND)

    def order_gank(self) -> None:
        s = self.session
        assert s.team is not None
        e = 1 - s.team
        vis = s.state.arrays.games["vis"][0, e]
        opts = []
        for i in range(5):
            li = e * 5 + i
            slot = L.SLOT_LEADER0 + li
            alive = bool(s.state.arrays.units[0, slot]["alive"])
            seen = alive and bool(s.state.arrays.games["vis"][0, s.team, slot])
            note = "" if seen else ("  (dead)" if not alive else "  (not visible)")
            opts.append((f"gank {s.names.leaders[li]}{note}", li))
        del vis
        self.app.push_screen(PickScreen(f"{self.who()}: gank whom?", opts), self._then(L.O_GANK))

    def order_group(self) -> None:
        x, y = self.cursor if self.cursor is not None and self.follow is None else self.focus_point()
        self.give(L.O_GROUP, x, y)

    def order_retreat(self) -> None:
        self.give(L.O_RETREAT)

    def order_buy(self) -> None:
        s = self.session
        gold = None
        if s.team is not None and self.selected >= 0:
            gold = float(s.state.arrays.leaders[0, s.team * 5 + self.selected]["gold"])
        self.app.push_screen(ShopScreen(s, self.who(), gold), self._then(L.O_BUY))

    def order_teleport(self) -> None:
        s = self.session
        assert s.team is not None
        opts = []
        for sub in range(L.N_BLD):
            slot = s.team * L.N_BLD + sub
            if s.state.arrays.units[0, slot]["alive"]:
                opts.append((f"teleport to the {building_name(slot)}", slot))
        self.app.push_screen(
            PickScreen(f"{self.who()}: teleport where?", opts),
            self._then(L.O_TELEPORT),
        )

    def order_stance(self) -> None:
        opts = [(f"stance {n}", k) for k, n in enumerate(STANCES)]
        self.app.push_screen(PickScreen(f"{self.who()}: which stance?", opts), self._then(L.O_STANCE))

    def order_fortify(self) -> None:
        self.give(L.O_FORTIFY, leader=-1)

    def map_clicked(self, x: int, y: int) -> None:
        """A click on the map: gank a visible enemy leader, teleport to an own building, else group there
        (only the cursor moves when spectating)."""
        s = self.session
        self.move_cursor(x, y)
        if s.team is None or isinstance(s, ReplaySession):
            return
        near = [u for u in self.frame.units if abs(int(u["x"]) - x) <= 1 and abs(int(u["y"]) - y) <= 1]
        for u in near:
            if u["kind"] == "leader" and u["team"] != SIDES[s.team] and u.get("alive", True):
                self.give(L.O_GANK, int(u["slot"]) - L.SLOT_LEADER0)
                return
        for u in near:
            slot = int(u["slot"])
            if u["team"] == SIDES[s.team] and slot < 2 * L.N_BLD and u.get("alive", True):
                self.give(L.O_TELEPORT, slot)
                return
        self.give(L.O_GROUP, x, y)

    def _jump(self, text: str | None) -> None:
        s = self.session
        if not text or not isinstance(s, ReplaySession):
            return
        text = text.strip()
        try:
            if ":" in text:
                m, sec = text.split(":", 1)
                tick = round((int(m) * 60 + float(sec)) * s.tps)
            else:
                tick = int(text)
        except ValueError:
            self.say(f"not a time: {text!r} (mm:ss or a tick)", True)
            return
        s.seek(tick)

    # text of the widgets
    def top_text(self) -> Text:
        s = self.session
        res = s.state.arrays.teams[0]
        t = Text()
        t.append(" SHOTCALLER ", "bold reverse")
        t.append(f" {s.clock()} ")
        t.append(f"blue {int(res[0]['kills'])}", SIDE_STYLE["blue"])
        t.append(" - ")
        t.append(f"{int(res[1]['kills'])} red", SIDE_STYLE["red"])
        t.append(f"  buildings lost {int(res[0]['buildings_lost'])}-{int(res[1]['buildings_lost'])}  ")
        t.append("PAUSED" if self.paused else f"▶ {speed_name(self.speed)}", "bold yellow" if self.paused else "")
        apm = s.apm_left()
        if apm is not None and s.team is not None:
            left, cap = apm
            t.append(f"  APM {left}/{cap}", "bold red" if left == 0 else "")
        if s.team is not None:
            t.append(f"  [{self.who()}]", "bold")
        if isinstance(s, ReplaySession):
            t.append(f"  replay {s.clock(s.end_tick)} total")
        fog = "full vision" if s.viewer is None else f"{SIDES[s.viewer]}'s fog"
        t.append(f"  {fog}", "grey50")
        if self.show_rates:
            t.append(f"  {self._rate[0]:.0f} fps {self._rate[1]:.0f} t/s", "grey50")
        return t

    def panel_text(self, width: int, height: int) -> Text:
        s = self.session
        A = s.state.arrays
        c = s.world.content
        team = s.team if s.team is not None else (s.viewer if s.viewer is not None else 0)
        now = s.tick
        tps = s.tps
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(f"{SIDES[team]} leaders", SIDE_STYLE[SIDES[team]])
        lines_each = 3 if height >= 18 else 2 if height >= 12 else 1
        for i in range(5):
            li = team * 5 + i
            ld = A.leaders[0, li]
            un = A.units[0, L.SLOT_LEADER0 + li]
            sel = s.team is not None and (self.selected == i or self.selected < 0)
            out.append("\n")
            out.append(f"{i + 1}", "bold reverse" if sel else "bold")
            out.append(f" {s.names.leaders[li]:<10.10} ")
            if un["alive"]:
                out.append_text(
                    bar(float(un["hp"]) / max(1.0, float(un["max_hp"])), 5 if lines_each == 1 else max(4, width - 24))
                )
                out.append(f" {int(un['hp']):>4}")
            else:
                out.append(f"dead, back in {seconds(max(0, int(ld['respawn_at']) - now), tps)}", "red")
            order = L.ORDER_NAMES[int(ld["order"])]
            arg = s.names.order(team, int(ld["order"]), int(ld["order_a"]), int(ld["order_b"]))
            arg = arg if order != "none" else "default plan"
            if lines_each == 1:  # a small terminal: one line a leader
                out.append(f" {float(ld['gold']):.0f}g {arg}", "grey70")
                continue
            stance = STANCES[int(ld["stance"])] if 0 <= int(ld["stance"]) < 3 else "?"
            tp = max(0, int(ld["teleport_ready_at"]) - now)
            out.append(f"\n  {float(ld['gold']):>5.0f}g {arg}", "")
            out.append(f" · {stance[:4]}" + (f" · tp {_up(tp, tps)}" if tp else " · tp ok"), "grey62")
            if lines_each == 3:
                cds = []
                for k in range(3):
                    sk = int(ld["skills"][k])
                    if sk < 0:
                        continue
                    left = max(0, int(ld["skill_ready_at"][k]) - now)
                    cds.append(f"{SKILL_NAMES[sk][:6]} {_up(left, tps) if left else 'ok'}")
                items = [c.item_names[int(it)][:8] for it in A.games["inv"][0, li] if it >= 0]
                out.append("\n  " + " ".join(cds) + (" | " + ",".join(items) if items else ""), "grey62")
        if s.team is not None:
            pend = s.pending()
            out.append("\n")
            out.append(f"orders on their way ({len(pend)})", "bold")
            for p in pend[: max(0, height - 5 * lines_each - 3)]:
                who = "all" if p.leader < 0 else s.names.own_leader(team, p.leader)
                what = s.names.order(team, p.kind, p.a, p.b)
                when = "next decision" if p.stage == "queued" else f"in {max(0, (p.due or now) - now) / tps:.1f}s"
                out.append(f"\n {who}: {what} — {when}", "grey70")
        return out

    def feed_text(self, height: int, width: int) -> Text:
        s = self.session
        mine = SIDES[s.team] if s.team is not None else None
        entries = [e for e in s.entries() if e.get("type") not in ("match",)]
        if mine is not None and s.viewer is not None:
            # what the fog hides stays hidden: the opponent's orders (and reasons), purchases and teleports
            hidden = ("order", "purchase", "teleport")
            entries = [e for e in entries if e.get("type") not in hidden or e.get("side") == mine]
        if self.notice is not None and time.monotonic() > self.notice_until:
            self.notice = None
        lines = height - (1 if self.notice is not None else 0)
        out = Text(no_wrap=True, overflow="ellipsis")
        shown = entries[-lines:] if lines > 0 else []
        for k, e in enumerate(shown):
            if k:
                out.append("\n")
            out.append_text(entry_text(e, mine))
        if self.notice is not None:
            if shown:
                out.append("\n")
            out.append_text(self.notice)
        return out


# ---------------------------------------------------------------------------------------------------
# the end


class EndScreen(Screen[None]):
    """The result and every leader's numbers; save the replay (s) and quit (q)."""

    BINDINGS = [
        Binding("s", "save", "save replay"),
        Binding("q,escape", "app.quit", "quit"),
        Binding("b", "back", "back to the replay", show=False),
    ]
    DEFAULT_CSS = """
    EndScreen #end-title { height: 3; content-align: center middle; text-style: bold; }
    EndScreen DataTable { height: 1fr; }
    EndScreen #end-info { height: 3; }
    """

    def __init__(self, session: Session, result: dict[str, Any], default_path: str) -> None:
        super().__init__()
        self.session = session
        self.result = result
        self.default_path = default_path
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        r = self.result
        w = r.get("winner", "running")
        mine = SIDES[self.session.team] if self.session.team is not None else None
        if w == "running":
            title = f"Match stopped at {self.session.clock()} (unfinished)"
        elif w == "draw":
            title = f"Draw ({r.get('end_reason')}) at {self.session.clock(int(r.get('ticks', 0)))}"
        else:
            verdict = "" if mine is None else (" — you win!" if w == mine else " — you lose")
            title = f"{w.upper()} WINS ({r.get('end_reason')}) at {self.session.clock(int(r.get('ticks', 0)))}{verdict}"
        yield Static(Text(title, SIDE_STYLE.get(w, "bold")), id="end-title")
        t: DataTable[Any] = DataTable(id="end-table")
        t.add_columns("leader", "side", "K", "D", "LH", "gold", "damage", "items")
        for ld in r.get("leaders", []):
            t.add_row(
                ld["leader"],
                Text(ld["team"], SIDE_STYLE.get(ld["team"], "")),
                str(ld["kills"]),
                str(ld["deaths"]),
                str(ld["last_hits"]),
                f"{ld['gold']:.0f}",
                f"{ld['damage']:.0f}",
                ", ".join(ld["items"]),
            )
        yield t
        teams = r.get("teams", {})
        info = "  ".join(
            f"{side}: {d.get('kills', 0)} kills, {d.get('buildings_lost', 0)} buildings lost, "
            f"{d.get('orders_given', 0)} orders ({d.get('orders_rejected', 0)} rejected)"
            for side, d in teams.items()
        )
        yield Static(info + "\n[b]s[/b] save the replay   [b]q[/b] quit", id="end-info")
        yield Footer()

    def action_save(self) -> None:
        if isinstance(self.session, ReplaySession):
            self.notify("this is a replay already")
            return
        self.app.push_screen(InputScreen("Save the replay to:", self.default_path), self._save)

    def _save(self, path: str | None) -> None:
        if not path:
            return
        try:
            self.saved = self.session.save_replay(path)
        except OSError as e:
            self.notify(f"cannot save the replay: {e}", severity="error")
            return
        self.app.saved_replay = self.saved  # type: ignore[attr-defined]
        self.notify(f"replay saved to {self.saved}")
        self.query_one("#end-info", Static).update(
            f"replay saved to {self.saved} (shotcaller replay show {self.saved} --tui)\n[b]q[/b] quit"
        )

    def action_back(self) -> None:
        """Back to a replay's map (to seek again); a live match is over, its bots are stopped."""
        if isinstance(self.session, ReplaySession):
            self.app.pop_screen()
            ms = self.app.match_screen  # type: ignore[attr-defined]
            if ms is not None:
                ms.ended = False


OnDone = Callable[[Any], None]
