"""What the terminal game shows, without the terminal: a match being played, watched or replayed.

A session owns no rules: it advances a :class:`~shotcaller.arena.match.LiveMatch` (playing, watching)
or a :class:`~shotcaller.arena.playback.Playback` (a replay) and hands the screens the state to draw
from. The player is a :class:`~shotcaller.bots.human.HumanCoach`: orders go through the same seat,
validation, latency and APM budget as any bot's, so a played match replays and verifies like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shotcaller.arena.draft import BadPick, Draft, leader_pool
from shotcaller.arena.match import LiveMatch, MatchOutcome, start_match
from shotcaller.arena.playback import Playback
from shotcaller.arena.replay import Replay
from shotcaller.arena.timeline import LiveStory
from shotcaller.arena.words import MatchWords, clock
from shotcaller.bots.base import DraftInfo, TimeBudget, as_coach
from shotcaller.bots.human import HumanCoach
from shotcaller.sim import State
from shotcaller.sim import layout as L
from shotcaller.sim.result import match_result
from shotcaller.sim.world import World


@dataclass(frozen=True)
class PendingOrder:
    """An order on its way: ``stage`` ``"queued"`` (waiting for the next decision) or ``"latency"``
    (accepted, applies at ``due``)."""

    leader: int
    kind: int
    a: int
    b: int
    stage: str
    due: int | None = None


class Session:
    """A match on screen. ``viewer`` is the side whose fog is drawn (None: full vision); ``team`` the
    side the player commands (None: nobody, spectating)."""

    mode = "session"

    def __init__(self, world: World, viewer: int | None, team: int | None) -> None:
        self.world = world
        self.viewer = viewer
        self.team = team
        self.tps = float(world.content.rules["time.ticks_per_second"])
        self.result: dict[str, Any] | None = None

    # what every session has
    @property
    def state(self) -> State:
        raise NotImplementedError

    @property
    def replay(self) -> Replay:
        raise NotImplementedError

    @property
    def draft(self) -> list[int]:
        return self.replay.draft

    @property
    def names(self) -> MatchWords:
        words = getattr(self, "_words", None)
        if words is None:
            words = self._words = MatchWords(self.world, self.draft)
        return words

    @property
    def tick(self) -> int:
        return int(self.state.arrays.games["tick"][0])

    @property
    def done(self) -> bool:
        return bool(self.state.arrays.games["done"][0])

    @property
    def can_seek(self) -> bool:
        return False

    def clock(self, tick: int | None = None) -> str:
        return clock(self.tick if tick is None else tick, self.tps)

    def advance(self, n: int) -> int:
        """Play up to ``n`` ticks; returns the ticks played."""
        raise NotImplementedError

    def entries(self) -> list[dict[str, Any]]:
        """The match's story so far (timeline entries, oldest first)."""
        raise NotImplementedError

    def current_result(self) -> dict[str, Any]:
        """The result record (winner, per-leader stats) of the match as it stands."""
        return self.result or match_result(self.state)

    def finish(self) -> dict[str, Any]:
        """End the session (stop the bots); returns the result record."""
        self.result = self.current_result()
        return self.result

    def save_replay(self, path: str | Path) -> Path:
        """Write the match's replay to ``path`` (raises OSError when it cannot)."""
        out = Path(path).expanduser()
        self.replay.save(out)
        return out

    def close(self) -> None:
        """Stop whatever the session runs (bot processes); safe to call twice."""

    # the player's orders
    def order(self, leader: int, kind: int, a: int = 0, b: int = 0) -> bool:
        """Queue an order of the player's team (False when this session takes none, or the queue is full)."""
        return False

    def pending(self) -> list[PendingOrder]:
        """The player's orders on their way: queued for the next decision, then accepted and waiting out
        the rules' latency."""
        return []

    def apm_left(self) -> tuple[int, int] | None:
        """(orders left this minute, the APM budget) of the player's team; None when unlimited or no team."""
        team = self.team if self.team is not None else self.viewer
        return None if team is None else apm_left(self.state, team)


def apm_left(state: State, team: int) -> tuple[int, int] | None:
    """(orders ``team`` may still give this minute, the APM budget); None when unlimited."""
    rec = state.world.rec
    cap = int(rec["apm"])
    if cap <= 0:
        return None
    g = state.arrays.games[0]
    used = int(((int(g["tick"]) - g["apm"][team]) < 60 * float(rec["tps"])).sum())
    return max(0, cap - used), cap


def pending_orders(human: HumanCoach | None, state: State, team: int) -> list[PendingOrder]:
    """``team``'s orders on their way: those queued on its human coach for the next decision, then those
    the engine accepted, waiting out the latency (soonest first)."""
    queued = [PendingOrder(o.leader, o.kind, o[2], o[3], "queued") for o in (human.pending if human else [])]
    waiting = [
        PendingOrder(
            int(e["leader"]) if e["leader"] >= 0 else -1,
            int(e["kind"]),
            int(e["a"]),
            int(e["b"]),
            "latency",
            int(e["due"]),
        )
        for e in state.arrays.pending[0, team]
        if e["used"]
    ]
    return queued + sorted(waiting, key=lambda p: p.due or 0)


class LiveSession(Session):
    """A live match between two coaches (one of them may be the player's :class:`HumanCoach`)."""

    mode = "watch"

    def __init__(
        self,
        world: World,
        blue: Any,
        red: Any,
        seed: int,
        viewer: int | None,
        team: int | None = None,
        draft: list[int] | None = None,
        log_dir: str | Path | None = None,
        budgets: tuple[TimeBudget | None, TimeBudget | None] | None = None,
    ) -> None:
        super().__init__(world, viewer, team)
        self.coaches = (blue, red)
        self.seed = int(seed)
        self.live: LiveMatch = start_match(blue, red, seed, world, draft, budgets=budgets, log_dir=log_dir)
        self.story = LiveStory(self.live.replay, world)
        self.live.on_step = self.story.on_step
        self.outcome: MatchOutcome | None = None

    @property
    def state(self) -> State:
        return self.live.state

    @property
    def replay(self) -> Replay:
        return self.live.replay

    def advance(self, n: int) -> int:
        if self.outcome is not None:
            return 0
        played = 0
        while played < n and not self.live.done:
            played += self.live.advance(n - played)
        return played

    def entries(self) -> list[dict[str, Any]]:
        return self.story.entries

    def finish(self) -> dict[str, Any]:
        if self.outcome is None:
            self.outcome = self.live.finish()
            self.story.close(self.live.state)
            self.result = self.outcome.result
        return self.outcome.result

    def close(self) -> None:
        """Stop the bots without a result (the app quit)."""
        self.live.close()


class PlaySession(LiveSession):
    """The player coaches ``team`` against ``opponent`` (a coach), from the draft on."""

    mode = "play"
    team: int

    def __init__(
        self,
        world: World,
        opponent: Any,
        seed: int,
        team: int,
        fog: bool = True,
        log_dir: str | Path | None = None,
        budget: TimeBudget | None = None,
    ) -> None:
        Session.__init__(self, world, team if fog else None, team)
        self.human = HumanCoach()
        blue, red = (self.human, opponent) if team == 0 else (opponent, self.human)
        self.seed = int(seed)
        self._pending_args = (blue, red, fog, log_dir, budget)
        self.drafting = Draft(seed, world.content)
        self.opponent = as_coach(opponent)
        self.draft_faults: list[dict[str, Any]] = []
        info = DraftInfo(seed=int(seed), team=1 - team, content_version=world.content.version, content=world.content)
        self._opp_info = info
        self.opponent_drafts = self.opponent.wants_draft(info)
        self.started = False

    # the draft, a pick at a time
    @property
    def pool(self) -> list[dict[str, Any]]:
        return leader_pool(self.world.content)

    @property
    def my_turn(self) -> bool:
        return not self.drafting.done and self.drafting.team == self.team

    def pick(self, hero: int | str) -> int:
        """The player's pick (raises :class:`~shotcaller.arena.draft.BadPick`)."""
        if not self.my_turn:
            raise BadPick("it is not your pick")
        return self.drafting.pick(hero)

    def opponent_pick(self) -> int:
        """The opponent's pick: its ``draft`` answer, or the seeded random pick when it does not draft."""
        if self.drafting.done or self.my_turn:
            raise BadPick("it is not the opponent's pick")
        if self.opponent_drafts:
            return self.drafting.ask(self.opponent, self._opp_info, self.draft_faults)
        return self.drafting.pick(self.drafting.fallback)

    def suggested_pick(self) -> int:
        """A pick for a player who lets the game choose: the greedy drafter's, else the random one."""
        try:
            from shotcaller.bots.drafters import greedy_pick

            return self.world.content.leader_id(greedy_pick(self.drafting.view()))
        except Exception:
            return self.drafting.fallback

    def start(self) -> None:
        """After the draft: seat the coaches and start the match."""
        blue, red, fog, log_dir, budget = self._pending_args
        budgets = (None, budget) if self.team == 0 else (budget, None)
        LiveSession.__init__(
            self,
            self.world,
            blue,
            red,
            self.seed,
            viewer=self.team if fog else None,
            team=self.team,
            draft=self.drafting.lineup(),
            log_dir=log_dir,
            budgets=budgets,
        )
        self.live.faults += self.draft_faults
        self.started = True

    def order(self, leader: int, kind: int, a: int = 0, b: int = 0) -> bool:
        if not self.started or self.done:
            return False
        return self.human.submit(leader, kind, a, b)

    def pending(self) -> list[PendingOrder]:
        if not self.started:
            return []
        return pending_orders(self.human, self.state, self.team)

    def close(self) -> None:
        if self.started:
            self.live.close()
        else:
            try:
                self.opponent.close()
            except Exception:
                pass


class ReplaySession(Session):
    """A recorded match, played back with pause, seek and speed."""

    mode = "replay"

    def __init__(self, rep: Replay, viewer: int | None = None, world: World | None = None) -> None:
        self.playback = Playback(rep, world)
        super().__init__(self.playback.world, viewer, None)

    @property
    def state(self) -> State:
        return self.playback.state

    @property
    def replay(self) -> Replay:
        return self.playback.replay

    @property
    def done(self) -> bool:
        return self.playback.done

    @property
    def can_seek(self) -> bool:
        return True

    @property
    def end_tick(self) -> int:
        return self.playback.end_tick

    def advance(self, n: int) -> int:
        return self.playback.advance(n)

    def seek(self, tick: int) -> None:
        self.playback.seek(tick)

    def next_event(self) -> int | None:
        """Jump to the next event of the story (kills, fights, buildings...); its tick, or None."""
        t = self.playback.next_event_tick()
        if t is not None:
            self.playback.seek(t)
        return t

    def entries(self) -> list[dict[str, Any]]:
        return self.playback.entries_until()

    def close(self) -> None:
        pass


ORDER_LABELS = {k: L.ORDER_NAMES[k] for k in range(len(L.ORDER_NAMES))}
