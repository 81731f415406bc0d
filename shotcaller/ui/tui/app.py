"""The terminal game: a Textual app over a session (play, watch or replay).

``shotcaller play`` opens the draft screen, then the match; ``shotcaller watch`` and ``shotcaller
replay show --tui`` open the match screen directly. When the match ends (or the player ends it with
``q``) the end screen shows the result and offers to save the replay.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import App

from shotcaller.ui.tui.screens import DraftScreen, EndScreen, MatchScreen
from shotcaller.ui.tui.session import PlaySession, Session


class ShotcallerApp(App[dict[str, Any] | None]):
    """The terminal game. ``app.run()`` returns the match's result record (None when quit during the draft)."""

    TITLE = "Shotcaller"
    CSS = "DraftScreen, MatchScreen, EndScreen { background: $surface; }"

    def __init__(
        self,
        session: Session,
        speed: float = 1.0,
        paused: bool = False,
        replay_path: str | None = None,
        show_rates: bool = True,
    ) -> None:
        super().__init__()
        self.show_rates = show_rates
        self.session = session
        self.speed = speed
        self.start_paused = paused
        self.replay_path = replay_path
        self.saved_replay: Path | None = None
        self.match_screen: MatchScreen | None = None
        self.result: dict[str, Any] | None = None

    def on_mount(self) -> None:
        s = self.session
        if isinstance(s, PlaySession) and not s.started:
            self.push_screen(DraftScreen(s))
        else:
            self.begin_match()

    def begin_match(self) -> None:
        s = self.session
        if isinstance(s, PlaySession) and not s.started:
            s.start()
        self.match_screen = MatchScreen(s, speed=self.speed, paused=self.start_paused, show_rates=self.show_rates)
        if isinstance(self.screen, DraftScreen):
            self.switch_screen(self.match_screen)
        else:
            self.push_screen(self.match_screen)

    def default_replay_path(self) -> str:
        s = self.session
        seed = getattr(s, "seed", "x")
        return self.replay_path or f"shotcaller-{time.strftime('%Y%m%d-%H%M%S')}-seed{seed}.json"

    def show_end(self) -> None:
        s = self.session
        if isinstance(s, PlaySession) and not s.started:
            self.exit(None)
            return
        self.result = s.current_result() if s.can_seek else s.finish()
        if self.replay_path and not s.can_seek:
            try:
                self.saved_replay = s.save_replay(self.replay_path)
            except OSError as e:
                self.notify(f"cannot save the replay to {self.replay_path}: {e}", severity="error")
        self.push_screen(EndScreen(s, self.result, self.default_replay_path()))

    def on_unmount(self) -> None:
        try:
            self.session.close()
        except Exception:  # a bot's clean-up must not hide the result
            pass

    def exit(self, result: Any = None, *args: Any, **kw: Any) -> None:
        super().exit(self.result if result is None else result, *args, **kw)
