"""Fixed coach plans (``plan:NAME``): every plan plays, is deterministic, loads and has an identity; the
strategy sweep runs end to end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import BotLoadError, load_bot
from shotcaller.bots.base import Order
from shotcaller.bots.identity import BotSpecError, identify
from shotcaller.bots.plans import PLANS, Plan, PlanCoach
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim import layout as L

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("lanes-", "rush-", "group-", "split-", "protect-", "tpdef-")


@pytest.fixture(scope="module")
def minute_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=60))


class Recorder(PlanCoach):
    """A plan coach that keeps every order it gives (tick, order)."""

    def reset(self, info):
        super().reset(info)
        self.log: list[tuple[int, Order]] = []

    def act(self, view, info):
        out = super().act(view, info)
        self.log += [(int(view["tick"]), o) for o in out]
        return out


def test_the_registry_covers_the_issue_families():
    assert len(PLANS) >= 30
    for family in FAMILIES:
        assert sum(name.startswith(family) for name in PLANS) >= 3, family
    assert len(set(PLANS.values())) == len(PLANS)  # no two names for one plan


@pytest.mark.parametrize("name", sorted(PLANS))
def test_every_plan_plays_without_faults_and_explains_its_orders(name, minute_world):
    blue = Recorder(name)
    res = play_match(blue, load_bot("strategist"), seed=5, world=minute_world).result
    assert res["faults"] == []
    assert res["teams"]["blue"]["orders_given"] == len(blue.log) > 0
    assert res["teams"]["blue"]["orders_rejected"] <= len(blue.log) // 4
    for _tick, o in blue.log:
        assert -1 <= o.leader <= 4 and 0 <= o.kind < len(L.ORDER_NAMES)
        assert o.why, f"{name}: order {o!r} has no reason"


@pytest.mark.parametrize("name", ["rush-mid-60", "tpdef-212-all", "split-041-120", "protect-0-left"])
def test_plans_are_deterministic(name, minute_world):
    logs = []
    for _ in range(2):
        blue = Recorder(name)
        play_match(blue, load_bot("pusher"), seed=11, world=minute_world)
        logs.append([(t, tuple(o), o.why) for t, o in blue.log])
    assert logs[0] == logs[1]


def test_a_rush_pushes_from_its_second_and_lanes_before(minute_world):
    blue = Recorder(Plan(push_from_s=30, push_lanes=(1, 1, 1, 1, 1)))
    play_match(blue, load_bot("idle"), seed=2, world=minute_world)
    tps = minute_world.content.rules["time.ticks_per_second"]
    pushes = [(t, o) for t, o in blue.log if o.kind == L.O_PUSH]
    lanes = [(t, o) for t, o in blue.log if o.kind == L.O_LANE]
    assert sorted(o.leader for _, o in pushes) == [0, 1, 2, 3, 4] and all(o[2] == 1 for _, o in pushes)
    assert min(t for t, _ in pushes) >= 30 * tps > max(t for t, _ in lanes)


def test_plan_specs_load_and_have_stable_identities():
    bot = load_bot("plan:rush-mid-0")
    assert isinstance(bot, PlanCoach) and bot.plan == PLANS["rush-mid-0"]
    a, b = identify("plan:rush-mid-0"), identify("plan:rush-mid-60")
    assert a == identify("plan:rush-mid-0") and a.name == "plan:rush-mid-0" and not a.python
    assert a.digest != b.digest
    assert identify("early=plan:rush-mid-0").key.startswith("early@")
    with pytest.raises(BotLoadError, match="no plan 'nope'"):
        load_bot("plan:nope")
    with pytest.raises(BotSpecError, match="no plan 'nope'"):
        identify("plan:nope")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"lanes": (0, 0, 1, 2)}, "five lanes"),
        ({"push_lanes": (3, 1, 1, 1, 1)}, "five lanes"),
        ({"push_from_s": -1}, "push_from_s"),
        ({"carry": 5}, "carry"),
        ({"stance": "reckless"}, "stance"),
    ],
)
def test_bad_plans_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Plan(**kwargs)


def test_the_sweep_runs_end_to_end(tmp_path):
    out = tmp_path / "balance.md"
    cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "strategy_sweep.py"),
        "--games=1",
        "--rr-games=1",
        "--baseline-games=1",
        "--plans=rush-mid-0,lanes-212",
        f"--db={tmp_path / 'sweep.db'}",
        f"--out={out}",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert "| `plan:rush-mid-0` |" in text and "| `plan:lanes-212` |" in text
    assert text.count("**PASS**") + text.count("**FAIL**") == 7
    assert "--plans rush-mid-0,lanes-212" in text
    # the round-robin mean of each plan comes with the 95% CI of its 2 games against the other plan
    for plan in ("rush-mid-0", "lanes-212"):
        row = next(line for line in text.splitlines() if line.startswith(f"| `plan:{plan}` | "))
        rr = row.split(" | ")[3]
        assert re.fullmatch(r"\d+% \(\d+%–\d+%\)", rr), row
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)  # resumable: nothing new
    assert again.returncode == 0 and "regenerated from the stored games" in out.read_text()
    bad = subprocess.run([*cmd[:2], "--plans=nope,lanes-212"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "unknown plan(s) nope" in bad.stderr
