"""A replay played back at any speed, with seeking: what a replay viewer reads.

:class:`Playback` re-simulates a replay's order log from its seed and draft, forward a slice of ticks at
a time (each order at its recorded tick, as :func:`shotcaller.arena.replay.resimulate` does), and seeks
to any tick: backwards from the nearest snapshot it kept on the way (every ``SNAPSHOT_EVERY_S`` game
seconds), forwards by simulating. The replay's story (:func:`shotcaller.arena.timeline.build_timeline`,
which also checks every checksum) is told once on opening, so a viewer can show the events up to the
current tick and jump to the next one.
"""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

from shotcaller.arena.replay import Replay, world_for_replay
from shotcaller.arena.timeline import Timeline, build_timeline
from shotcaller.sim import State, new_state, step_inplace
from shotcaller.sim.world import World

SNAPSHOT_EVERY_S = 30.0  # game seconds between the states kept for seeking back


class Playback:
    """A replay's match at a movable tick (:attr:`state` is the match at :attr:`tick`).

    Raises :class:`~shotcaller.arena.replay.ReplayError` when the replay cannot be re-simulated (another
    content version, damaged parameters). A replay that diverges from its checksums still plays; its
    story says where (``timeline.verified``).
    """

    def __init__(self, rep: Replay, world: World | None = None) -> None:
        self.replay = rep
        self.world = world = world or world_for_replay(rep)
        self.timeline: Timeline = build_timeline(rep, world)
        self.tps = float(world.content.rules["time.ticks_per_second"])
        self.state: State = new_state(world, rep.seed, np.array([rep.draft], np.int8))
        self._by_tick: dict[int, list[list[int]]] = {}
        for row in rep.orders:
            self._by_tick.setdefault(int(row[0]), []).append([int(v) for v in row[1:]])
        self._order_ticks = sorted(self._by_tick)
        self.end_tick = max([int(t) for t, _ in rep.checksums] + [0])
        self._snap_every = max(1, round(SNAPSHOT_EVERY_S * self.tps))
        self._snaps: dict[int, State] = {0: self.state.copy()}
        self._applied_at = -1  # orders of this tick are already in

    @property
    def tick(self) -> int:
        return int(self.state.arrays.games["tick"][0])

    @property
    def done(self) -> bool:
        """Whether playback reached the end of the recorded match."""
        return bool(self.state.arrays.games["done"][0]) or self.tick >= self.end_tick

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The replay's story (every entry, in game-time order)."""
        return self.timeline.entries

    def entries_until(self, tick: int | None = None) -> list[dict[str, Any]]:
        """The story's entries up to ``tick`` (default: the current tick), telling nothing of later
        ticks: a fight still going on at ``tick`` shows as its kills so far."""
        t = self.tick if tick is None else tick
        out: list[dict[str, Any]] = []
        for e in self.entries:
            if e["tick"] > t:
                break
            if e["type"] == "fight" and any(k["tick"] > t for k in e["kills"]):
                out += [{**k, "type": "kill"} for k in e["kills"] if k["tick"] <= t]
            else:
                out.append(e)
        return out

    def advance(self, n: int) -> int:
        """Play up to ``n`` ticks (never past the recorded end); returns the ticks played."""
        start = self.tick
        goal = min(start + max(0, n), self.end_tick)
        games = self.state.arrays.games
        while self.tick < goal and not games["done"][0]:
            now = self.tick
            if now in self._by_tick and self._applied_at != now:
                self._applied_at = now
                step_inplace(self.state, np.array([self._by_tick[now]], np.int32), 1)
            else:
                k = bisect.bisect_right(self._order_ticks, now)
                nxt = self._order_ticks[k] if k < len(self._order_ticks) else goal
                snap = (now // self._snap_every + 1) * self._snap_every
                step_inplace(self.state, None, max(1, min(goal, nxt, snap) - now))
            if self.tick == now:  # the match is over: time stands still
                break
            t = self.tick
            if t % self._snap_every == 0 and t not in self._snaps and t not in self._by_tick:
                self._snaps[t] = self.state.copy()
        return self.tick - start

    def seek(self, tick: int) -> None:
        """Move to ``tick`` (clamped to 0 .. the recorded end)."""
        tick = min(max(0, int(tick)), self.end_tick)
        if tick < self.tick or tick - self.tick > self._snap_every:
            base = max((t for t in self._snaps if t <= tick), default=0)
            if base > self.tick or tick < self.tick:
                self._snaps[base].copy_into(self.state)
                self._applied_at = -1
        self.advance(tick - self.tick)

    def next_event_tick(self, types: tuple[str, ...] | None = None) -> int | None:
        """The tick of the story's next entry after the current tick (of ``types``, default any but
        orders), or None."""
        now = self.tick
        for e in self.entries:
            if e["tick"] > now and (e["type"] in types if types else e["type"] not in ("order", "match", "draft")):
                return int(e["tick"])
        return None
