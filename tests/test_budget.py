"""One time budget for every coach: in-process coaches that hang are interrupted, faults are bounded,
and a coach's view is its own copy of the state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shotcaller.arena.match import MAX_FAULTS_PER_SIDE, MAX_ORDERS_PER_DECISION, play_match
from shotcaller.bots import load_bot
from shotcaller.bots import orders as O
from shotcaller.bots.base import MAX_FAULT_REASON, TimeBudget
from shotcaller.bots.budget import BudgetExceeded, Clock, DecisionTimeout, call_with_deadline
from shotcaller.sim import Params, SimConfig, build_world

ROOT = Path(__file__).resolve().parents[1]
SHORT = 30  # game seconds


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=SHORT))


class Spinner:
    """Loops forever in every decision, and counts how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def reset(self, info):
        pass

    def act(self, view, info):
        self.calls += 1
        while True:
            pass


class Sleeper:
    def reset(self, info):
        pass

    def act(self, view, info):
        time.sleep(30)
        return [O.push(1)]


class Swallower:
    """Catches Exception around its endless loop: the interruption is a BaseException, so it still ends."""

    def reset(self, info):
        pass

    def act(self, view, info):
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass


@pytest.mark.parametrize("bot_cls", [Spinner, Sleeper, Swallower])
def test_hung_in_process_coach_is_interrupted_and_silenced(bot_cls, short_world):
    t0 = time.monotonic()
    bot = bot_cls()
    res = play_match(bot, load_bot("laner"), seed=1, world=short_world).result
    took = time.monotonic() - t0
    # the bank (1 s) is spent on the first overrun, then 100 ms each until 10 in a row silence it
    assert took < 10, f"match took {took:.1f} s"
    assert res["ticks"] == SHORT * 20
    mine = [f for f in res["faults"] if f["team"] == "blue"]
    assert len(mine) == TimeBudget().max_faults
    assert all("interrupted" in f["reason"] for f in mine)
    assert "silenced after 10 faults in a row" in mine[-1]["reason"]
    assert not [f for f in res["faults"] if f["team"] == "red"]
    assert res["teams"]["red"]["orders_given"] > 0  # the other side played on
    if isinstance(bot, Spinner):
        assert bot.calls == 10  # silenced: never asked again


def test_coach_blocked_on_stdin_does_not_hang_the_cli(tmp_path):
    bot = tmp_path / "stdin_bot.py"
    bot.write_text("import sys\nclass Bot:\n    def act(self, view, info):\n        return [sys.stdin.readline()]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r, w = os.pipe()  # the write end stays open and silent: readline() blocks
    proc = subprocess.Popen(
        [sys.executable, "-m", "shotcaller", "match", "--blue", f"{bot}:Bot", "--time-limit", "20", "--json"],
        stdin=r,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    os.close(r)
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        proc.kill()
        os.close(w)
    assert proc.returncode == 0, err.decode()
    res = json.loads(out)
    assert res["ticks"] == 400
    assert any("interrupted" in f["reason"] for f in res["faults"])


def test_interrupt_off_the_main_thread(short_world):
    box = {}

    def run():
        box["res"] = play_match(Spinner(), load_bot("idle"), seed=2, world=short_world).result

    th = threading.Thread(target=run)
    th.start()
    th.join(60)
    assert not th.is_alive()
    faults = box["res"]["faults"]
    assert len(faults) == 10 and all("interrupted" in f["reason"] for f in faults)


def test_call_with_deadline_returns_and_restores_the_alarm():
    import signal

    assert call_with_deadline(lambda: 41 + 1, 1.0) == 42
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)
    with pytest.raises(DecisionTimeout):
        call_with_deadline(lambda: time.sleep(5), 0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    # a host's own alarm survives a decision, minus the time the decision took
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        call_with_deadline(lambda: time.sleep(0.1), 1.0)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0.2 < left < 0.45
        time.sleep(0.6)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_bank_absorbs_overruns_then_runs_out():
    clock = Clock(TimeBudget(budget_ms=10, bank_ms=100))
    for _ in range(3):  # 3 x 25 ms over: the bank (100 ms) absorbs it
        clock.call(lambda: time.sleep(0.035))
    assert 0 < clock.bank_s < 0.1
    with pytest.raises(BudgetExceeded):
        clock.call(lambda: time.sleep(1))
    assert clock.bank_s == 0 and clock.faults_in_a_row == 1
    assert clock.call(lambda: 7) == 7 and clock.faults_in_a_row == 0


class Thinker:
    """Needs 150 ms a decision, and says so."""

    budget = TimeBudget(budget_ms=400, bank_ms=1000)
    decide_every_s = 5.0

    def reset(self, info):
        pass

    def act(self, view, info):
        time.sleep(0.15)
        return []


def test_declared_budget_is_used_and_recorded(short_world):
    res = play_match(Thinker(), load_bot("idle"), seed=3, world=short_world).result
    assert res["faults"] == []
    assert res["budgets"]["blue"]["budget_ms"] == 400 and res["budgets"]["red"]["budget_ms"] == 100
    # the organiser's budget wins over the declared one
    res = play_match(
        Thinker(), load_bot("idle"), seed=3, world=short_world, budgets=(TimeBudget(budget_ms=50, bank_ms=0), None)
    ).result
    assert res["budgets"]["blue"] == {"budget_ms": 50, "bank_ms": 0, "max_faults": 10}
    assert res["faults"] and all("interrupted" in f["reason"] for f in res["faults"])


class SlowDrafter:
    def reset(self, info):
        pass

    def draft(self, view, info):
        while True:
            pass

    def act(self, view, info):
        return []


def test_draft_pick_is_on_the_budget(short_world):
    t0 = time.monotonic()
    out = play_match(SlowDrafter(), load_bot("idle"), seed=4, world=short_world)
    assert time.monotonic() - t0 < 10
    drafts = [f for f in out.result["faults"] if f["reason"].startswith("draft:")]
    assert len(drafts) == 5 and all("interrupted" in f["reason"] and "at random" in f["reason"] for f in drafts)
    assert sorted(out.replay.draft) == list(range(10))  # random picks filled in


class Tamperer:
    """Writes into everything its view gives it: the enemy leaders' health, the enemy core."""

    def reset(self, info):
        pass

    def act(self, view, info):
        st = view._state
        st.arrays.units[0, :]["hp"] = 0  # every unit of the copy dead
        st.arrays.games[0]["done"] = 1
        return []


def test_a_view_is_a_copy_writing_into_it_changes_nothing(short_world):
    honest = play_match(load_bot("idle"), load_bot("idle"), seed=5, world=short_world)
    cheat = play_match(Tamperer(), load_bot("idle"), seed=5, world=short_world)
    assert cheat.result["faults"] == []
    assert cheat.replay.checksums == honest.replay.checksums
    assert cheat.result["winner"] == honest.result["winner"]


class Spammer:
    """Every decision: a huge bad order, 200 orders, and an exception with a 1 MB message, in turn."""

    def __init__(self) -> None:
        self.n = 0

    def reset(self, info):
        pass

    def act(self, view, info):
        self.n += 1
        if self.n % 3 == 0:
            return [("x" * (1 << 20), 1, 2, 3)] * 10
        if self.n % 3 == 1:
            return [O.lane(1, why="w" * 10_000)] * 200
        raise ValueError("y" * (1 << 20))


def test_faults_and_reasons_are_bounded(short_world):
    out = play_match(Spammer(), load_bot("idle"), seed=6, world=short_world)
    res = out.result
    mine = [f for f in res["faults"] if f["team"] == "blue"]
    assert len(mine) == MAX_FAULTS_PER_SIDE
    assert res["faults_dropped"]["blue"] > 0 and res["faults_dropped"]["red"] == 0
    assert all(len(f["reason"]) <= MAX_FAULT_REASON for f in mine)
    assert len(json.dumps(res)) < 100_000
    per_tick: dict[int, int] = {}
    for row in out.replay.orders:
        per_tick[row[0]] = per_tick.get(row[0], 0) + 1
    assert max(per_tick.values()) == MAX_ORDERS_PER_DECISION
    assert all(len(why) <= 200 for _, why in out.replay.reasons)


class OddReasons:
    """Reasons that are not text, or text full of control characters."""

    class Evil:
        def __str__(self):
            raise RuntimeError("no")

    def reset(self, info):
        pass

    def act(self, view, info):
        return [(-1, 1, 1, 0, self.Evil()), O.lane(1, why="\x1b[31mred\x1b[0m\nline two\x00")]


def test_odd_reasons_never_break_the_match(short_world):
    from shotcaller.bots.base import clean_why

    assert clean_why(OddReasons.Evil()) is None and clean_why(12) is None
    out = play_match(OddReasons(), load_bot("idle"), seed=7, world=short_world)
    whys = {why for _, why in out.replay.reasons}
    assert whys == {"[31mred [0m line two"}
    assert [f for f in out.result["faults"] if "malformed" in f["reason"]]  # the 5-tuple with an object
