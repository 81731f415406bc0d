"""The story of a match, told from its replay: draft, orders with their reasons, kills, fights, buildings.

:func:`build_timeline` re-simulates a replay (checking its checksums, so the story is the recorded
match) and turns the simulation's events into entries, JSON-ready dicts in game-time order::

    {"tick": 2460, "time": "02:03", "type": "order", "side": "blue",
     "orders": [{"index": 14, "leader": -1, "who": "all", "order": "push", "args": [1, 0], "what": "push mid"}],
     "status": "accepted", "reject_reason": null, "why": "their mid outer tower is at 20%",
     "repeats": 1, "until": null, "text": "blue all: push mid  [accepted]  why: their mid outer tower is at 20%"}

Every entry has ``tick``, ``time`` (mm:ss of game time), ``type`` and ``text`` (the line a human
reads); the other fields depend on the type:

* ``match``: the replay's ``seed``, ``map``, ``content_version`` and ``privileged`` sides;
* ``draft``: ``picks`` in pick order (``{"pick", "side", "leader"}``; A-B-B-A-A-B-B-A-A-B, A = blue);
* ``order``: the orders one side issued at one tick with the same answer and reason: ``side``,
  ``orders`` (each ``{"index"`` into the replay's orders, ``"leader"`` 0..4 or -1 for the whole team,
  ``"who"`` (leader name or ``all``), ``"order"`` (kind name), ``"args"``, ``"what"`` (in words)``}``),
  ``status`` (``accepted``, ``rejected``, ``ignored`` for kind 0, or ``unknown`` when the sim's
  answer was lost),
  ``reject_reason``, ``why`` (the coach's reason, or None), ``repeats`` (how many identical decisions
  in a row this entry stands for) and ``until`` (the time of the last one);
* ``first_blood`` and ``kill``: ``side`` (the killer's), ``killer``, ``victim_side``, ``victim``,
  ``place``; ``fight``: several leader deaths close in time and place as one entry: ``place``,
  ``score`` (``{"blue": kills, "red": kills}``), ``until`` and its ``kills``;
* ``building``: ``side`` (the team that lost it), ``building``, ``by``;
* ``teleport``: ``side``, ``leaders`` (who arrived together), ``to``;
* ``fortify``: a side's fortify took effect: ``side``, ``until`` (mm:ss when its buildings can be
  damaged again);
* ``purchase``: ``side``, ``items`` (``[[leader, item], ...]``: a side's purchases within 10 s of the
  entry's time);
* ``fault``: a bot fault the match recorded (``side``, ``reason``); ``end``: ``winner``, ``reason``,
  ``duration``, ``kills`` and ``buildings_lost`` per side; ``diverged``: the replay stopped matching
  its checksums at ``tick`` (the story ends there); ``note``: ``dropped`` simulation events were lost.

Everything a replay file says is untrusted: reasons and fault texts are shown with control
characters escaped, and order arguments out of range are shown as numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shotcaller.arena.draft import DRAFT_ORDER
from shotcaller.arena.replay import Replay, VerifyResult, resimulate, world_for_replay
from shotcaller.arena.words import MatchWords, clock, printable
from shotcaller.sim import State
from shotcaller.sim import layout as L
from shotcaller.sim.layout import building_name
from shotcaller.sim.result import match_result
from shotcaller.sim.world import World

STEP_TICKS = 20  # re-simulate in steps this short, so no event is lost and deaths keep their place
FIGHT_GAP_S = 12.0  # leader deaths at most this far apart in time ...
FIGHT_RADIUS = 14.0  # ... and this many tiles apart in space belong to one fight
ENTRY_TYPES = (
    "match",
    "draft",
    "order",
    "first_blood",
    "kill",
    "fight",
    "building",
    "teleport",
    "fortify",
    "purchase",
    "fault",
    "end",
    "diverged",
    "note",
)
PURCHASE_GAP_S = 10.0  # a side's purchases this close to the first of a line share it
MAX_FAULTS_SHOWN = 20  # per side; the rest are counted in one line


@dataclass
class Timeline:
    """A match story: ``entries`` in game-time order and the checksum check of the re-simulation."""

    entries: list[dict[str, Any]]
    verified: VerifyResult


@dataclass
class _Death:
    tick: int
    victim: int  # global leader index
    x: float
    y: float
    entry: dict[str, Any]


@dataclass
class _Collector:
    """Turns the event rows of each re-simulated step into timeline entries."""

    rep: Replay
    names: MatchWords
    tps: float
    reasons: dict[int, str]
    entries: list[dict[str, Any]] = field(default_factory=list)
    deaths: list[_Death] = field(default_factory=list)
    buys: dict[int, dict[str, Any]] = field(default_factory=dict)  # per team, its open purchase entry
    last_order: dict[str, dict[str, Any]] = field(default_factory=dict)  # per side, to fold repeats
    last_teleport: dict[str, Any] | None = None
    dropped: int = 0
    first_blood: bool = False

    def add(self, tick: int, type_: str, text: str, **fields: Any) -> dict[str, Any]:
        e = {"tick": int(tick), "time": clock(tick, self.tps), "type": type_, **fields, "text": text}
        self.entries.append(e)
        return e

    def on_step(self, state: State, rows: np.ndarray, issued: list[int]) -> None:
        self.dropped += int(state.arrays.games["dropped"][0])
        units = state.arrays.units[0]
        answers = [r for r in rows if int(r[1]) in (L.E_ORDER_OK, L.E_ORDER_REJECTED)]
        self.orders(issued, answers)
        killers: dict[int, str] = {}
        for r in rows:
            t, kind, a, b, c, d = (int(v) for v in r)
            if kind == L.E_KILL:
                if d == L.K_LEADER:
                    self.kill(t, a, b, c, units)
                elif a < 2 * L.N_BLD:
                    killers[a] = self.killer(a // L.N_BLD, b, c)
            elif kind == L.E_BUILDING:
                slot = c
                by = killers.get(slot, "")
                text = f"{L.TEAM_NAMES[a]} lost its {building_name(slot)}" + (f" to {by}" if by else "")
                self.add(t, "building", text, side=L.TEAM_NAMES[a], building=building_name(slot), by=by or None)
            elif kind == L.E_TELEPORT:
                self.teleport(t, a, building_name(a // 5 * L.N_BLD + b))
            elif kind == L.E_FORTIFY:
                side = L.TEAM_NAMES[a] if a in (0, 1) else f"team {a}"
                until = clock(b, self.tps)
                self.add(t, "fortify", f"{side} buildings fortified until {until}", side=side, until=until)
            elif kind == L.E_PURCHASE:
                self.purchase(t, a, b)

    def orders(self, issued: list[int], answers: list[np.ndarray]) -> None:
        """The orders issued at one tick, matched in turn with the sim's accepted/rejected events, as
        entries: one per side, answer and reason (``red Erno, Brakka: lane left; Raja: lane right``)."""
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        k = 0
        for idx in issued:
            tick, team, leader, kind, a, b = self.rep.orders[idx]
            status, reject = ("unknown", None) if kind != L.O_NONE else ("ignored", None)  # kind 0: padding
            if kind != L.O_NONE and k < len(answers):
                ev = answers[k]
                if (int(ev[2]), int(ev[3]), int(ev[4])) == (team, leader, kind):
                    k += 1
                    if int(ev[1]) == L.E_ORDER_OK:
                        status = "accepted"
                    else:
                        status = "rejected"
                        d = int(ev[5])
                        reject = L.REJECT_REASONS[d] if 0 <= d < len(L.REJECT_REASONS) else f"reason {d}"
            side = L.TEAM_NAMES[team] if team in (0, 1) else f"team {team}"
            one = {
                "index": idx,
                "leader": leader,
                "who": "all" if leader == -1 else self.names.own_leader(team, leader),
                "order": L.ORDER_NAMES[kind] if 0 <= kind < len(L.ORDER_NAMES) else str(kind),
                "args": [a, b],
                "what": self.names.order(team, kind, a, b),
            }
            groups.setdefault((tick, side, status, reject, self.reasons.get(idx)), []).append(one)
        for (tick, side, status, reject, why), orders in groups.items():
            key = (tuple((o["who"], o["what"]) for o in orders), status, reject, why)
            prev = self.last_order.get(side)
            if prev is not None and prev["_key"] == key:  # a coach repeating itself: one entry
                prev["repeats"] += 1
                prev["until"] = clock(tick, self.tps)
                continue
            by_what: dict[str, list[str]] = {}
            for o in orders:
                by_what.setdefault(o["what"], []).append(o["who"])
            said = "; ".join(f"{', '.join(who)}: {what}" for what, who in by_what.items())
            mark = "accepted" if status == "accepted" else f"REJECTED: {reject}" if reject else status
            text = f"{side} {said}  [{mark}]" + (f"  why: {printable(why)}" if why else "")
            e = self.add(
                tick,
                "order",
                text,
                side=side,
                orders=orders,
                status=status,
                reject_reason=reject,
                why=why,
                repeats=1,
                until=None,
            )
            e["_key"] = key
            self.last_order[side] = e

    def killer(self, victim_team: int, slot: int, leader: int) -> str:
        """Who gets the credit for a kill: a leader, or the kind of unit that landed the blow."""
        if 0 <= leader < 10:
            return self.names.leader(leader)
        side = L.TEAM_NAMES[1 - victim_team] if victim_team in (0, 1) else "?"
        if 0 <= slot < 2 * L.N_BLD:
            return f"the {L.TEAM_NAMES[slot // L.N_BLD]} {building_name(slot)}"
        if L.SLOT_LEADER0 <= slot < L.SLOT_SUMMON0:
            return self.names.leader(slot - L.SLOT_LEADER0)
        if L.SLOT_SUMMON0 <= slot < L.SLOT_CREEP0:
            return f"a {side} summon"
        if slot >= L.SLOT_CREEP0:
            return f"{side} creeps"
        return "unknown causes"

    def kill(self, tick: int, victim: int, slot: int, leader: int, units: np.ndarray) -> None:
        li = victim - L.SLOT_LEADER0
        team = li // 5
        killer = self.killer(team, slot, leader)
        x, y = float(units[victim]["x"]), float(units[victim]["y"])
        place = self.names.place(x, y)
        fields = {
            "side": L.TEAM_NAMES[leader // 5] if 0 <= leader < 10 else L.TEAM_NAMES[1 - team],
            "killer": killer,
            "victim_side": L.TEAM_NAMES[team],
            "victim": self.names.leaders[li],
            "place": place,
        }
        if not self.first_blood:
            self.first_blood = True
            self.add(tick, "first_blood", f"FIRST BLOOD: {killer} killed {self.names.leader(li)} at {place}", **fields)
        e = {
            "tick": tick,
            "time": clock(tick, self.tps),
            "type": "kill",
            **fields,
            "text": f"{killer} killed {self.names.leader(li)} at {place}",
        }
        self.entries.append(e)
        self.deaths.append(_Death(tick, li, x, y, e))

    def teleport(self, tick: int, li: int, to: str) -> None:
        """Teleports of one side to one building at one tick make one entry."""
        side = L.TEAM_NAMES[li // 5]
        e = self.last_teleport
        if e is None or (e["tick"], e["side"], e["to"]) != (tick, side, to):
            e = self.last_teleport = self.add(tick, "teleport", "", side=side, leaders=[], to=to)
        e["leaders"].append(self.names.leaders[li])
        e["text"] = f"{side} {', '.join(e['leaders'])} teleported to the {to}"

    def purchase(self, tick: int, li: int, item: int) -> None:
        """A side's purchases within PURCHASE_GAP_S of the first of them make one entry."""
        team = li // 5
        e = self.buys.get(team)
        if e is None or tick - e["tick"] > PURCHASE_GAP_S * self.tps:
            e = self.buys[team] = self.add(tick, "purchase", "", side=L.TEAM_NAMES[team], items=[])
        e["items"].append([self.names.leaders[li], self.names.item(item)])
        per: dict[str, list[str]] = {}
        for who, it in e["items"]:
            per.setdefault(who, []).append(it)
        e["text"] = f"{e['side']} bought: " + "; ".join(f"{w} {', '.join(its)}" for w, its in per.items())

    def fights(self) -> None:
        """Fold leader deaths close in time and place into fight entries (three or more deaths, or
        deaths on both sides; a leader dies at most once in a fight)."""
        gap = FIGHT_GAP_S * self.tps
        groups: list[list[_Death]] = []
        for d in self.deaths:
            for g in groups:
                if (
                    d.tick - g[-1].tick <= gap
                    and all(o.victim != d.victim for o in g)  # who dies again is in a new fight
                    and any(math.dist((d.x, d.y), (o.x, o.y)) <= FIGHT_RADIUS for o in g)
                ):
                    g.append(d)
                    break
            else:
                groups.append([d])
        drop: set[int] = set()
        for g in groups:
            lost = {s: sum(d.entry["victim_side"] == s for d in g) for s in L.TEAM_NAMES}
            if len(g) < 3 and not all(lost.values()):
                continue
            drop.update(id(d.entry) for d in g)
            place = self.names.place(sum(d.x for d in g) / len(g), sum(d.y for d in g) / len(g))
            score = {"blue": lost["red"], "red": lost["blue"]}
            fallen = "; ".join(
                f"{s} lost " + ", ".join(d.entry["victim"] for d in g if d.entry["victim_side"] == s)
                for s in L.TEAM_NAMES
                if lost[s]
            )
            kills = [{k: v for k, v in d.entry.items() if k not in ("type",)} for d in g]
            secs = (g[-1].tick - g[0].tick) / self.tps
            span = f" ({secs:.0f} s)" if secs >= 1 else ""
            text = f"fight at {place}{span}: blue {score['blue']} - {score['red']} red ({fallen})"
            e = {
                "tick": g[0].tick,
                "time": clock(g[0].tick, self.tps),
                "type": "fight",
                "place": place,
                "score": score,
                "until": clock(g[-1].tick, self.tps),
                "kills": kills,
                "text": text,
            }
            self.entries.append(e)
        self.entries = [e for e in self.entries if id(e) not in drop]


class LiveStory:
    """The timeline of a match while it is played: give :meth:`on_step` to
    :class:`~shotcaller.arena.match.LiveMatch` (``live.on_step = story.on_step``) and read
    :attr:`entries`, the same entries :func:`build_timeline` tells from the replay afterwards (fights
    are folded only by :meth:`close`, when the match is over)."""

    def __init__(self, rep: Replay, world: World) -> None:
        tps = float(world.content.rules["time.ticks_per_second"])
        self._col = _Collector(rep, MatchWords(world, rep.draft), tps, {})
        self._reasons_seen = 0

    @property
    def entries(self) -> list[dict[str, Any]]:
        """Entries so far, in the order they happened."""
        return self._col.entries

    def on_step(self, state: State, rows: np.ndarray, issued: list[int]) -> None:
        col = self._col
        new = col.rep.reasons[self._reasons_seen :]
        col.reasons.update({int(i): str(w) for i, w in new})
        self._reasons_seen += len(new)
        col.on_step(state, rows, issued)

    def close(self, state: State) -> list[dict[str, Any]]:
        """Fold the fights and add the end entry; returns the entries in game-time order."""
        col = self._col
        col.fights()
        if state.arrays.games["done"][0]:
            _end(col, state)
        for e in col.entries:
            e.pop("_key", None)
        rank = {"end": 2}
        col.entries.sort(key=lambda e: (e["tick"], rank.get(e["type"], 1)))
        return col.entries


def build_timeline(rep: Replay, world: World | None = None) -> Timeline:
    """Re-simulate ``rep`` and tell its story (see the module docstring for the entries).

    Raises:
        ReplayError: the replay cannot be re-simulated (another content version, bad params).
    """
    world = world or world_for_replay(rep)
    tps = float(world.content.rules["time.ticks_per_second"])
    names = MatchWords(world, rep.draft)
    col = _Collector(rep, names, tps, rep.reason_of())
    raw = rep.result.get("privileged") if isinstance(rep.result, dict) else None
    privileged = [s for s in L.TEAM_NAMES if isinstance(raw, list) and s in raw]
    col.add(
        0,
        "match",
        f"seed {rep.seed}, map {printable(rep.map)}, content {rep.content_version}, {len(rep.orders)} orders"
        f" ({len(rep.reasons)} with reasons)"
        + "".join(f"; {s} is privileged (it reads the full state)" for s in privileged),
        seed=rep.seed,
        map=rep.map,
        content_version=rep.content_version,
        privileged=privileged,
    )
    picks = []
    seen = [0, 0]
    for k, team in enumerate(DRAFT_ORDER):
        li = team * 5 + seen[team]
        seen[team] += 1
        picks.append({"pick": k + 1, "side": L.TEAM_NAMES[team], "leader": names.leaders[li]})
    text = "draft: " + ", ".join(f"{p['pick']} {p['side']} {p['leader']}" for p in picks)
    col.add(0, "draft", text, picks=picks)
    state, verified = resimulate(rep, world, on_step=col.on_step, max_ticks=STEP_TICKS)
    col.fights()
    col.entries += _faults(rep, tps)
    if verified.ok:
        _end(col, state)
    else:
        col.add(
            int(verified.first_bad_tick or 0),
            "diverged",
            f"the replay diverged here (checksum {verified.expected} expected, {verified.got} re-simulated); "
            "the story stops",
            expected=verified.expected,
            got=verified.got,
        )
    if col.dropped:
        text = f"{col.dropped} simulation events were lost (more than the sim keeps per step); the story may miss some"
        col.add(int(state.arrays.games["tick"][0]), "note", text, dropped=col.dropped)
    rank = {"match": 0, "draft": 0, "end": 2, "diverged": 2}  # the rest keep the order they happened in
    entries = sorted(col.entries, key=lambda e: (e["tick"], rank.get(e["type"], 1)))
    for e in entries:
        e.pop("_key", None)
    return Timeline(entries, verified)


def _faults(rep: Replay, tps: float) -> list[dict[str, Any]]:
    """The bot faults the replay's result lists (untrusted: read defensively, capped per side)."""
    raw = rep.result.get("faults") if isinstance(rep.result, dict) else None
    out: list[dict[str, Any]] = []
    if not isinstance(raw, list):
        return out
    shown = {"blue": 0, "red": 0}
    more = {"blue": 0, "red": 0}
    for f in raw:
        if not isinstance(f, dict) or f.get("team") not in shown:
            continue
        side = f["team"]
        tick = f.get("tick")
        tick = int(tick) if isinstance(tick, int) and not isinstance(tick, bool) and tick >= 0 else 0
        if shown[side] >= MAX_FAULTS_SHOWN:
            more[side] += 1
            continue
        shown[side] += 1
        reason = printable(f.get("reason", ""))[:300]
        out.append(
            {
                "tick": tick,
                "time": clock(tick, tps),
                "type": "fault",
                "side": side,
                "reason": reason,
                "text": f"{side} bot fault: {reason}",
            }
        )
    for side, n in more.items():
        if n:
            out.append(
                {
                    "tick": out[-1]["tick"],
                    "time": out[-1]["time"],
                    "type": "fault",
                    "side": side,
                    "reason": None,
                    "text": f"{side}: {n} more bot faults",
                }
            )
    return out


def _end(col: _Collector, state: State) -> None:
    res = match_result(state)
    w = res["winner"]
    dur = clock(res["ticks"], col.tps)
    head = "draw" if w == "draw" else f"{w} wins"
    if w == "running":
        head = "the replay ends before the match does"
    kills = {s: res["teams"][s]["kills"] for s in L.TEAM_NAMES}
    lost = res["buildings_lost"]
    col.add(
        res["ticks"],
        "end",
        f"{head} ({res['end_reason']}) after {dur}; kills blue {kills['blue']} - {kills['red']} red; "
        f"buildings lost blue {lost['blue']}, red {lost['red']}",
        winner=w,
        reason=res["end_reason"],
        duration=dur,
        kills=kills,
        buildings_lost=lost,
    )


def format_timeline(entries: list[dict[str, Any]]) -> list[str]:
    """The entries as lines: ``mm:ss  text`` (repeated orders folded, fights with their kills)."""
    lines = []
    for e in entries:
        text = e["text"]
        if e["type"] == "order" and e.get("repeats", 1) > 1:
            text += f"  (x{e['repeats']}, until {e['until']})"
        lines.append(f"{e['time']}  {text}")
    return lines


OWNED = ("order", "purchase", "teleport", "fault")  # entries of one side; the others concern both


def filter_entries(
    entries: list[dict[str, Any]],
    only: set[str] | None = None,
    skip: set[str] | None = None,
    side: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The entries of the given types (``only``), without ``skip``'s, with only ``side``'s orders,
    purchases, teleports and faults (kills, fights, buildings and the rest concern both sides and
    stay), at most ``limit`` of them."""
    out = []
    for e in entries:
        if only is not None and e["type"] not in only:
            continue
        if skip is not None and e["type"] in skip:
            continue
        if side is not None and e["type"] in OWNED and e.get("side") != side:
            continue
        out.append(e)
    return out[:limit] if limit is not None else out
