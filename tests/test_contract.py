"""The coach contract: every ability declared once (bots.base.Coach), wrappers that forward all of them,
plain objects read with the same defaults, views kept only on request, cadences in game seconds."""

from __future__ import annotations

import ast
import inspect
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import load_bot
from shotcaller.bots.base import Coach, CoachWrapper, DraftInfo, MatchInfo, TimeBudget, as_coach
from shotcaller.bots.builtin import LanerCoach
from shotcaller.bots.hooks import with_hooks
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "shotcaller"


def abilities() -> list[str]:
    """Every public attribute and method the contract declares."""
    return sorted(n for n in vars(Coach) if not n.startswith("_"))


class Declares(Coach):
    """A coach that sets every ability to something other than its default."""

    decide_every_s = 3.0
    privileged = True
    budget = TimeBudget(budget_ms=250, bank_ms=500)
    times_itself = True
    log_path = "/tmp/declares.log"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def reset(self, info: MatchInfo) -> None:
        self.calls.append("reset")

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        self.calls.append("act")
        return [(0, 1, 2, 3)]

    def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str:
        self.calls.append("draft")
        return "Vesna"

    def wants_draft(self, info: DraftInfo) -> bool:
        self.calls.append("wants_draft")
        return True

    def take_faults(self) -> list[str]:
        self.calls.append("take_faults")
        return ["inner fault"]

    def configure_arena(self, budget: TimeBudget, log_dir: str | None) -> None:
        self.calls.append("configure_arena")

    def preflight(self) -> None:
        self.calls.append("preflight")

    def close(self) -> None:
        self.calls.append("close")


def test_the_test_coach_overrides_every_ability():
    """Declares must change every ability, or the forwarding test below would not see a lost one."""
    assert sorted(n for n in vars(Declares) if not n.startswith("_") and n != "calls") == abilities()


INFO = SimpleNamespace(world=SimpleNamespace(content=SimpleNamespace(profile_names=["standard"])))


def _use(coach: Coach) -> list[Any]:
    """Read every ability and call every method of ``coach``, in the order of ``abilities()``."""
    args = {
        "reset": (None,),
        "act": ({"leaders": []}, INFO),  # a view with no leaders: hooks have nothing to look at
        "draft": (None, None),
        "wants_draft": (None,),
        "configure_arena": (TimeBudget(), None),
    }
    out: list[Any] = []
    for name in abilities():
        val = getattr(coach, name)
        out.append((name, val(*args.get(name, ())) if callable(val) else val))
    return out


@pytest.mark.parametrize("make", [CoachWrapper, with_hooks], ids=["wrapper", "hooks"])
def test_a_wrapper_forwards_every_ability(make):
    bare, inner = Declares(), Declares()
    assert _use(make(inner)) == _use(bare)
    assert inner.calls == bare.calls  # every method reached the wrapped coach


class Plain:
    """A coach that is not a Coach: only reset and act, plus one declared ability."""

    budget = TimeBudget(budget_ms=300)

    def reset(self, info: MatchInfo) -> None:
        pass

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        return []


def test_a_plain_object_gets_the_contracts_defaults():
    c = as_coach(Plain())
    assert isinstance(c, Coach) and as_coach(c) is c
    assert c.budget == TimeBudget(budget_ms=300)
    assert (c.decide_every_s, c.privileged, c.times_itself, c.log_path) == (None, False, False, None)
    assert c.wants_draft(None) is False and c.take_faults() == []
    c.preflight()
    c.close()
    with pytest.raises(NotImplementedError, match="does not draft"):
        c.draft({}, None)


def test_privileged_must_be_exactly_true():
    class Truthy(Plain):
        privileged = "yes"

    assert as_coach(Truthy()).privileged is False


def test_a_coach_with_a_draft_method_drafts_by_default():
    class Drafts(Coach):
        def act(self, view: Any, info: MatchInfo) -> list[Any]:
            return []

        def draft(self, view: dict[str, Any], info: DraftInfo) -> int | str:
            return 0

    class PlainDrafts(Plain):
        def draft(self, view, info):
            return 0

    assert Drafts().wants_draft(None) and as_coach(PlainDrafts()).wants_draft(None)
    assert CoachWrapper(Drafts()).wants_draft(None) and CoachWrapper(PlainDrafts()).wants_draft(None)
    assert not LanerCoach().wants_draft(None) and not CoachWrapper(LanerCoach()).wants_draft(None)


def test_the_arena_never_probes_a_coach_itself():
    """Only bots/base.py reads optional abilities with getattr/hasattr; everything else goes through
    the contract (as_coach), so a wrapper or a new ability cannot be forgotten in one place."""
    optional = set(abilities()) - {"reset", "act"}  # the two every coach has (the loader checks them)
    probes = []
    for path in sorted(PKG.rglob("*.py")):
        if path.name == "base.py" and path.parent.name == "bots":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("getattr", "hasattr"):
                if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value in optional:
                    probes.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert probes == [], "\n".join(probes)


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=60))


def test_hooks_on_a_json_lines_bot_change_nothing_but_the_hooks(short_world, tmp_path):
    """with_hooks(exec: bot) drafts, times itself and reports like the bare bot (it used to log faults
    the bare coach did not, because a copied ability was missing)."""
    spec = f"exec:{sys.executable} {ROOT / 'examples' / 'draft_bot.py'}"

    def play(coach: Any) -> dict[str, Any]:
        try:
            return play_match(coach, load_bot("idle"), seed=5, world=short_world, log_dir=tmp_path).result
        finally:
            coach.close()

    class NoChange:
        def profile(self, leader, view, info):
            return None

    bare, hooked = play(load_bot(spec)), play(with_hooks(load_bot(spec), NoChange()))
    assert bare["faults"] == hooked["faults"] == []
    assert bare["draft"] == hooked["draft"] and bare["draft"]["blue"][0] == "Sylvan"  # it drafted
    assert bare["budgets"] == hooked["budgets"]
    assert hooked["bot_logs"]["blue"] and Path(hooked["bot_logs"]["blue"]).exists()


class Keeps:
    """Keeps its views; reads the previous one at each decision (kept with keep() or not)."""

    decide_every_s = 5.0

    def __init__(self, keep: bool) -> None:
        self.keep = keep

    def reset(self, info: MatchInfo) -> None:
        self.views: list[Any] = []

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        if self.views:
            self.views[-1]["units"]  # never read during its own decision
        self.views.append(view.keep() if self.keep else view)
        return []


def test_a_view_is_kept_only_on_request(fast_world):
    kept, lost = Keeps(True), Keeps(False)
    res = play_match(kept, lost, seed=1, world=fast_world).result
    blue = [f for f in res["faults"] if f["team"] == "blue"]
    red = [f for f in res["faults"] if f["team"] == "red"]
    assert blue == [] and len(kept.views) > 5
    assert red and all("moved on" in f["reason"] and "view.keep()" in f["reason"] for f in red)
    assert [v["tick"] for v in kept.views[:2]] == [0, 100]


class Retired:
    decide_every = 40  # the old spelling, in ticks

    def reset(self, info: MatchInfo) -> None:
        self.ticks: list[int] = []

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        self.ticks.append(view["tick"])
        return []


def test_a_retired_ability_is_a_fault_that_names_its_replacement(fast_world):
    r = Retired()
    res = play_match(r, load_bot("idle"), seed=0, world=fast_world).result
    assert [f["reason"] for f in res["faults"]] == [
        "decide_every is no longer read: declare decide_every_s (seconds of game time)"
    ]
    assert r.ticks[:2] == [0, 20]  # the match default, 1 s


@pytest.fixture(scope="module")
def world_40hz(tmp_path_factory):
    """The default content at 40 ticks a second (every duration in content is in seconds)."""
    folder = tmp_path_factory.mktemp("content40")
    for f in (PKG / "content").iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    rules = (folder / "rules.toml").read_text()
    assert "ticks_per_second = 20" in rules
    (folder / "rules.toml").write_text(rules.replace("ticks_per_second = 20", "ticks_per_second = 40"))
    content = load_content(folder)
    return build_world(content, SimConfig(), Params(time_limit_s=30))


class Counts(LanerCoach):
    def reset(self, info: MatchInfo) -> None:
        super().reset(info)
        self.ticks: list[int] = []

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        self.ticks.append(view["tick"])
        return super().act(view, info)


def test_cadences_and_checksums_are_game_seconds_at_any_tick_rate(world_40hz):
    blue, red = Counts(), Counts()
    out = play_match(blue, red, seed=2, world=world_40hz)
    assert out.result["ticks"] == 30 * 40
    assert blue.ticks[:3] == [0, 80, 160]  # decide_every_s = 2.0 at 40 ticks a second
    assert out.replay.checksum_every == 400  # 10 s
    assert [t for t, _ in out.replay.checksums][:2] == [400, 800]


def test_builtin_bots_declare_durations_in_seconds():
    """No built-in coach spells a duration in ticks (their ``*_s`` attributes are converted per match)."""
    import shotcaller.bots.builtin as builtin
    import shotcaller.bots.search as search

    for mod in (builtin, search):
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if issubclass(cls, Coach) and cls.__module__ == mod.__name__:
                assert not hasattr(cls, "decide_every"), cls
                for name, val in vars(cls).items():
                    if name.endswith("_s") and val is not None:
                        assert isinstance(val, float), (cls, name)


class Broken:
    """Every declared ability is a property that raises."""

    def _boom(self) -> Any:
        raise RuntimeError("boom")

    decide_every_s = property(_boom)
    privileged = property(_boom)
    budget = property(_boom)
    times_itself = property(_boom)
    log_path = property(_boom)
    decide_every = property(_boom)  # a retired name, broken too

    def reset(self, info: MatchInfo) -> None:
        self.asked = 0

    def act(self, view: Any, info: MatchInfo) -> list[Any]:
        self.asked += 1
        return []


def test_a_coach_whose_abilities_raise_plays_on_defaults(fast_world):
    """Bad input never stops a match: each broken ability is a fault and its default is used."""
    b = Broken()
    res = play_match(b, load_bot("idle"), seed=0, world=fast_world).result
    reasons = [f["reason"] for f in res["faults"] if f["team"] == "blue"]
    for name in ("decide_every_s", "privileged", "budget", "times_itself"):
        assert any(r.startswith(f"reading {name} raised RuntimeError: boom") for r in reasons), (name, reasons)
    assert any(r.startswith("decide_every is no longer read") for r in reasons)
    assert res["privileged"] == [] and res["budgets"]["blue"] == TimeBudget().to_dict()
    assert res["bot_logs"]["blue"] is None and b.asked == res["ticks"] // 20 + 1
