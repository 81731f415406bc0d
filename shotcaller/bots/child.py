"""The runner behind ``sandbox:``: an unchanged Python coach class in a child process, over JSON lines.

``python -m shotcaller.bots.child SPEC`` (``SPEC`` = ``FILE.py:Class`` or ``module:Class``) loads the
coach, then writes one first line to the host: ``{"type": "ready", "protocol": 2, "draft": bool,
"decide_every_s": float | null, "budget": {...} | null}`` — or ``{"type": "error", "reason": "..."}`` and
exits when the coach cannot be imported or instantiated (the host turns it into a one-line
:class:`~shotcaller.bots.loader.BotLoadError`). After that it speaks protocol 2 of
:mod:`shotcaller.bots.remote` (hello, draft, start, observe).

The coach sees the same API as in-process: ``act(view, info)`` gets a mapping with the dict sections
of :class:`shotcaller.sim.observe.TeamView` and ``view.arrays`` (the numpy columns of ``ViewArrays``,
the same values and dtypes, sent beside the dict view); ``info`` is a :class:`MatchInfo` whose
``world`` carries only ``content`` (the default content, for the order helpers: ``O.buy(name, info)``).
The runner needs neither Numba nor a writable cache. What the coach prints goes to stderr (the host
keeps it in the bot's log); the protocol uses a private copy of the original stdout.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO, cast

import numpy as np

from shotcaller.bots.base import (
    Coach,
    DraftInfo,
    MatchInfo,
    TimeBudget,
    as_coach,
    can_draft,
    read_order,
    retired_abilities,
)
from shotcaller.bots.wire import quote

if TYPE_CHECKING:  # the child imports no engine module at run time (no Numba in the sandbox)
    from shotcaller.sim.observe import TeamView

MAX_ORDERS = 256  # orders of one answer sent on (the match keeps at most 64)
MAX_REPORTED = 8  # faults reported per answer


def decode_arrays(raw: dict[str, Any]) -> dict[str, Any]:
    """The ``arrays`` of an observe message (``{section: {column: [dtype, shape, values]}}`` or
    ``{section: [dtype, shape, values]}``) back as numpy arrays."""

    def one(enc: list[Any]) -> np.ndarray:
        dtype, shape, values = enc
        return np.array(values, dtype=np.dtype(dtype)).reshape(shape)

    return {k: one(v) if isinstance(v, list) else {c: one(e) for c, e in v.items()} for k, v in raw.items()}


class ChildView(dict[str, Any]):
    """The team view in the child: the plain dict sections plus ``arrays`` (numpy columns)."""

    def __init__(self, sections: dict[str, Any], arrays: dict[str, Any]) -> None:
        super().__init__(sections)
        self._arrays = arrays

    @property
    def arrays(self) -> dict[str, Any]:
        """The numpy columns (see ``TeamView.arrays``)."""
        return self._arrays

    @property
    def state(self) -> Any:
        """Never available in a sandbox (the engine's state stays with the host)."""
        raise PermissionError("this view is team-visible only; the full state is for privileged in-process coaches")

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of every section."""
        return dict(self)

    def keep(self) -> ChildView:
        """The view itself: it is already a snapshot (see ``TeamView.keep``)."""
        return self

    def expire(self) -> None:
        """Nothing to do: the view is already a snapshot."""


class ContentWorld:
    """``info.world`` when the host sent no world tables (an older host): the content only."""

    def __init__(self, content: Any) -> None:
        self.content = content

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"info.world.{name} is not available in this sandbox: only info.world.content is")


def load_world(content: Any, spec: Any) -> Any:
    """The match's :class:`~shotcaller.sim.world.World` from the host's ``start`` message: its config,
    params and stride, and the static tables from the file the host wrote (see ``sandboxed.world_file``);
    a :class:`ContentWorld` when the message has none or the file cannot be read."""
    if not isinstance(spec, dict):
        return ContentWorld(content)
    try:
        from shotcaller.sim.config import SimConfig, params_from_dict
        from shotcaller.sim.world import World

        name = str(spec["file"])
        if "/" in name or name.startswith("."):
            raise ValueError(f"bad world file name {name!r}")
        tables = np.load(os.path.join(os.environ.get("SHOTCALLER_WORLDS", ""), name), allow_pickle=False)
        tables.setflags(write=False)
        params = params_from_dict(dict(spec["params"]))
        return World(content, SimConfig(**spec["config"]), params, tables, int(spec["stride"]))
    except Exception as e:  # the coach still gets the content; say why on its log
        print(f"shotcaller child: no world tables ({_short(e)}); info.world has the content only", file=sys.stderr)
        return ContentWorld(content)


def _short(e: BaseException) -> str:
    text = " ".join(f"{type(e).__name__}: {e}".split())
    return text if len(text) <= 200 else text[:197] + "..."


class Runner:
    """One coach answering the host's messages."""

    def __init__(self, coach: Coach, out: TextIO, drafts: bool = False) -> None:
        self.coach, self.out, self.drafts = coach, out, drafts
        self.hello: dict[str, Any] = {}
        self.info: MatchInfo | None = None
        self.reported: list[str] = []
        self._content: Any = None

    def content(self) -> Any:
        if self._content is None:
            from shotcaller.content import load_content

            self._content = load_content()
        return self._content

    def send(self, msg: dict[str, Any]) -> None:
        if self.reported:
            msg["faults"], self.reported = self.reported[:MAX_REPORTED], []
        self.out.write(json.dumps(msg, separators=(",", ":")) + "\n")
        self.out.flush()

    def handle(self, msg: dict[str, Any]) -> None:
        kind, mid = msg.get("type"), msg.get("id", 0)
        if kind == "hello":
            self.hello = msg
            try:
                drafts = self.drafts and bool(self.coach.wants_draft(self._draft_info()))
            except Exception as e:
                self.reported.append("wants_draft raised " + _short(e))
                drafts = False
            self.send({"id": 0, "draft": drafts})
        elif kind == "draft":
            dinfo = self._draft_info()
            try:
                pick = self.coach.draft(ChildView(msg["view"], {}), dinfo)
                self.send({"id": mid, "pick": pick if isinstance(pick, int | str) else repr(pick)[:80]})
            except Exception as e:
                self.send({"id": mid, "error": "draft raised " + _short(e)})
        elif kind == "start":
            self.info = self._match_info(msg)
            try:
                self.coach.reset(self.info)
            except Exception as e:
                self.reported.append("reset raised " + _short(e))
        elif kind == "observe":
            self.observe(msg)

    def _match_content(self, msg: dict[str, Any]) -> Any:
        """The default content, or the same on the match's map when that is what the match plays (a map
        variant or map file the child can read: ``info.world.content.map`` is then the map played)."""
        c = self.content()
        spec = msg.get("world")
        config = spec.get("config") if isinstance(spec, dict) else None
        map_name = config.get("map_name") if isinstance(config, dict) else None
        if msg.get("content_version") in (None, c.version) or not isinstance(map_name, str):
            return c
        try:
            from shotcaller.content import load_content

            other = load_content(map_name=map_name)
        except Exception:  # a map file the sandbox cannot read: the default content, as before
            return c
        return other if other.version == msg.get("content_version") else c

    def _draft_info(self) -> DraftInfo:
        team = 0 if self.hello.get("side", "blue") == "blue" else 1
        version = str(self.hello.get("content_version", ""))
        return DraftInfo(int(self.hello.get("seed", 0)), team, version, self.content())

    def _match_info(self, msg: dict[str, Any]) -> MatchInfo:
        c = self._match_content(msg)
        team = 0 if msg.get("side") == "blue" else 1
        names = [n.lower() for n in c.leader_names]
        ours, theirs = msg.get("leaders", []), msg.get("enemy_leaders", [])
        blue, red = (ours, theirs) if team == 0 else (theirs, ours)
        try:
            draft = [names.index(str(n).lower()) for n in [*blue, *red]]
        except ValueError:
            draft = list(range(10))  # content the runner does not know: names still come from the message
        if msg.get("content_version") not in (None, c.version):
            print(
                "shotcaller child: the match uses other content than the default; info.world.content is the default",
                file=sys.stderr,
            )
        world = load_world(c, msg.get("world"))
        return MatchInfo(int(msg.get("seed", 0)), team, draft, str(msg.get("content_version", "")), world)

    def observe(self, msg: dict[str, Any]) -> None:
        mid = msg.get("id", 0)
        view = ChildView(msg.get("view", {}), decode_arrays(msg.get("arrays", {})))
        if self.info is None:  # an observe before any start: the host never does this
            self.send({"id": mid, "error": "observe before start"})
            return
        try:  # a ChildView has TeamView's interface: the sections, arrays, keep(), to_dict(), state
            out = self.coach.act(cast("TeamView", view), self.info)
        except Exception as e:
            self.send({"id": mid, "error": "act raised " + _short(e)})
            return
        if out is None:
            out = []
        try:
            orders = list(out)
        except TypeError:
            self.send({"id": mid, "error": f"act returned {type(out).__name__}, not a list"})
            return
        rows = []
        for o in orders[:MAX_ORDERS]:
            read = read_order(o)
            if read is None:
                self.reported.append(f"malformed order {quote(o)}: expected (leader, kind, a, b[, why]) integers")
            else:
                rows.append(read[0] + [read[1]] if read[1] else read[0])
        if len(orders) > MAX_ORDERS:
            self.reported.append(f"{len(orders)} orders in one decision; only the first {MAX_ORDERS} sent")
        self.send({"id": mid, "orders": rows})


def ready_message(coach: Coach) -> dict[str, Any]:
    """What the host learns of the coach before the match (its drafting, cadence and budget)."""
    every, budget = coach.decide_every_s, coach.budget
    ok = isinstance(every, int | float) and not isinstance(every, bool) and math.isfinite(every)
    return {
        "type": "ready",
        "protocol": 2,
        "draft": can_draft(coach),
        "decide_every_s": every if ok else None,
        "budget": budget.to_dict() if isinstance(budget, TimeBudget) else None,
        "retired": [old for old, _ in retired_abilities(coach)],
    }


def main(argv: list[str]) -> int:
    """Load the coach named by ``argv[1]`` and answer the host until stdin closes."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the coach's own prints go to stderr (the log), never into the protocol
    sys.stdout = sys.stderr
    if len(argv) != 2:
        proto.write(json.dumps({"type": "error", "reason": "usage: python -m shotcaller.bots.child SPEC"}) + "\n")
        return 2
    try:
        from shotcaller.bots.loader import load_bot

        coach = as_coach(load_bot(argv[1]))
        if coach.privileged:
            raise PermissionError("a privileged coach (view.state) cannot run in a sandbox")
        first = ready_message(coach)
    except Exception as e:
        proto.write(json.dumps({"type": "error", "reason": _short(e)}) + "\n")
        proto.flush()
        return 1
    proto.write(json.dumps(first) + "\n")
    proto.flush()
    runner = Runner(coach, proto, drafts=bool(first["draft"]))
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if isinstance(msg, dict):
            runner.handle(msg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
