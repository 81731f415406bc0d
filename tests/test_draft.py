"""Drafting (docs/design.md section 9): the A-B-B-A-A-B-B-A-A-B order, scripted and faulty drafters, the
greedy drafter, and drafting over the JSON-lines protocol."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from shotcaller.arena.draft import DRAFT_ORDER, draft_view, run_draft
from shotcaller.arena.match import play_match
from shotcaller.bots import load_bot
from shotcaller.bots.base import TimeBudget
from shotcaller.bots.drafters import PICK_TABLE, DraftModel, GreedyDrafter, greedy_pick
from shotcaller.bots.remote import SubprocessCoach
from shotcaller.sim import Params, SimConfig, build_world, new_state, step_inplace
from shotcaller.sim.spawn import DRAFT_ORDER as SIM_DRAFT_ORDER

ROOT = Path(__file__).resolve().parents[1]
BLUE_STEPS = [0, 3, 4, 7, 8]
RED_STEPS = [1, 2, 5, 6, 9]


class Scripted:
    """Answers its picks from a list, recording what it saw."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen = []

    def draft(self, view, info):
        self.seen.append((view, info))
        ans = self.answers.pop(0)
        if isinstance(ans, Exception):
            raise ans
        return ans


class FirstFree(Scripted):
    """Always the lowest free hero id."""

    def __init__(self):
        super().__init__([])

    def draft(self, view, info):
        self.seen.append((view, info))
        return view["available"][0]["hero"]


class NoDraft:
    def reset(self, info):
        pass

    def act(self, view, info):
        return []


def _is_permutation(draft):
    return sorted(draft) == list(range(10))


def test_draft_order_is_a_b_b_a_a_b_b_a_a_b_with_one_home():
    from shotcaller.sim import layout as L

    assert DRAFT_ORDER is L.DRAFT_ORDER and SIM_DRAFT_ORDER is L.DRAFT_ORDER  # no second spelling to drift
    assert DRAFT_ORDER == tuple(0 if c == "A" else 1 for c in "ABBAABBAAB")


def test_each_team_picks_at_its_steps_and_sees_the_draft_so_far(content):
    blue, red = FirstFree(), FirstFree()
    draft = run_draft(blue, red, 3, content, faults := [])
    assert faults == []
    assert [v["step"] for v, _ in blue.seen] == BLUE_STEPS
    assert [v["step"] for v, _ in red.seen] == RED_STEPS
    # picking the lowest free hero each time: pick k is hero k; blue holds the heroes of its steps
    assert draft == BLUE_STEPS + RED_STEPS
    for coach, side in ((blue, "blue"), (red, "red")):
        for view, info in coach.seen:
            k = view["step"]
            assert view["you"] == side == info.side and info.seed == 3 and info.content_version == content.version
            assert view["order"] == ["blue" if t == 0 else "red" for t in DRAFT_ORDER]
            assert [p["hero"] for p in view["picks"]] == list(range(k))
            assert [p["team"] for p in view["picks"]] == view["order"][:k]
            assert [a["hero"] for a in view["available"]] == list(range(k, 10))
            assert view["my_picks"] == [p["leader"] for p in view["picks"] if p["team"] == side]
            assert len(view["pool"]) == 10 and set(view["skills"]) >= set(view["pool"][0]["skills"])
            json.dumps(view)  # JSON-ready, as remote bots receive it


def test_scripted_picks_by_name_and_id_are_exactly_the_draft(content, fast_world):
    blue = Scripted(["Raja", "erno", "VESNA", "Bristle", "Celsus"])
    red = Scripted([0, np.int64(2), 4, 5, 8])
    draft = run_draft(blue, red, 11, content, faults := [])
    assert faults == []
    ids = content.leader_id
    assert draft == [ids("Raja"), ids("Erno"), ids("Vesna"), ids("Bristle"), ids("Celsus"), 0, 2, 4, 5, 8]
    # the draft plays: the leaders are the drafted heroes
    state = new_state(fast_world, 11, np.array([draft], np.int8))
    assert state.arrays.games["draft"][0].tolist() == draft
    assert state.arrays.leaders["hero"][0].tolist() == draft
    step_inplace(state, None, 400)
    assert int(state.arrays.games["tick"][0]) == 400


@pytest.mark.parametrize(
    "bad,why",
    [
        ("Rollo", "already taken"),  # red took Rollo at step 1
        ("Nobody", "unknown leader"),
        (RuntimeError("boom"), "raised RuntimeError: boom"),
        (3.0, "got float"),
        (None, "got NoneType"),
        (True, "got bool"),
        ([1], "got list"),
        (42, "out of range"),
    ],
)
def test_bad_answers_are_faults_and_random_picks(bad, why, content):
    class Prefers:
        def __init__(self, names, bad_turn=-1):
            self.names, self.bad_turn, self.turn = names, bad_turn, 0

        def draft(self, view, info):
            self.turn += 1
            if self.turn - 1 == self.bad_turn:
                if isinstance(bad, Exception):
                    raise bad
                return bad
            free = [a["leader"] for a in view["available"]]
            return next(n for n in self.names if n in free)

    def play(seed):
        blue = Prefers(["Vesna", "Sylvan", "Raja", "Bristle", "Brakka", "Erno", "Celsus"], bad_turn=1)
        red = Prefers(["Rollo", "Chiron", "Celsus", "Erno", "Brakka", "SoulsCollector", "Bristle"])
        return run_draft(blue, red, seed, content, faults := []), faults

    draft, faults = play(5)
    assert _is_permutation(draft)
    assert len(faults) == 1
    f = faults[0]
    assert f["tick"] == 0 and f["team"] == "blue" and f["reason"].startswith("draft: pick 4: ") and why in f["reason"]
    names = [content.leader_names[h] for h in draft]
    assert names[0] == "Vesna" and names[5:7] == ["Rollo", "Chiron"]
    assert names[1] not in ("Vesna", "Rollo", "Chiron")  # blue's second pick: a random free leader
    assert f["reason"].endswith(f"picked {names[1]} at random")
    assert play(5) == (draft, faults)  # deterministic per seed
    assert len({play(s)[0][1] for s in range(12)}) > 1  # and the random pick depends on the seed


def test_random_side_is_deterministic_and_independent_of_the_other_sides_faults(content):
    good = run_draft(Scripted(["Vesna", "Sylvan", "Raja", "Bristle", "Rollo"]), NoDraft(), 9, content, [])
    bad = run_draft(Scripted(["Vesna", "?", "?", "?", "?"]), NoDraft(), 9, content, faults := [])
    assert len(faults) == 4
    # red's random picks are drawn from the same per-step stream: where the same leaders were free,
    # red got the same ones
    assert good[5] == bad[5] and good[:1] == bad[:1]
    assert run_draft(NoDraft(), Scripted([0, 1, 2, 3, 4]), 9, content, []) == run_draft(
        NoDraft(), Scripted([0, 1, 2, 3, 4]), 9, content, []
    )


def test_neither_drafting_keeps_the_sims_random_draft(content):
    faults = []
    assert run_draft(NoDraft(), NoDraft(), 1, content, faults) is None
    assert run_draft(load_bot("laner"), load_bot("random"), 1, content, faults) is None

    class Declines(Scripted):
        def wants_draft(self, info):
            return False

    class Broken(Scripted):
        def wants_draft(self, info):
            raise ValueError("nope")

    assert run_draft(Declines(["Vesna"] * 5), NoDraft(), 1, content, faults) is None
    assert faults == []
    assert run_draft(Broken(["Vesna"] * 5), NoDraft(), 1, content, faults) is None
    assert len(faults) == 1 and "wants_draft raised ValueError" in faults[0]["reason"]


def test_the_pick_table_knows_the_leaders(content):
    assert PICK_TABLE["leaders"] == list(content.leader_names)
    assert PICK_TABLE["matches"] >= 4000 and PICK_TABLE["content_version"] == content.version
    m = DraftModel.from_table(PICK_TABLE, content.leader_names)
    assert m.strength.shape == m.mid.shape == (10,) and np.allclose(m.mid_vs, -m.mid_vs.T)
    assert abs(m.strength.sum()) < 0.1  # only differences between leaders are identifiable


def test_greedy_drafter_picks_legally_and_beats_random_on_the_model(content):
    drafter = GreedyDrafter
    model = DraftModel.from_table(PICK_TABLE, content.leader_names)
    edge = []
    for seed in range(20):
        faults = []
        d = run_draft(drafter(), NoDraft(), seed, content, faults)
        r = run_draft(NoDraft(), drafter(), seed, content, faults)
        assert faults == [] and _is_permutation(d) and _is_permutation(r)
        edge.append(model.win_probability(d[:5], d[5:]) - model.win_probability(r[:5], r[5:]))
        if seed == 0:  # the first pick is the model's best leader, whatever the seed
            assert content.leader_names[d[0]] == greedy_pick(draft_view(content, []))
    assert np.mean(edge) > 0.3  # the drafting side is clearly favoured, on whichever side it plays
    # and it is not the random draft
    blue_random = run_draft(Scripted([ValueError()] * 5), NoDraft(), 0, content, [])
    assert run_draft(drafter(), NoDraft(), 0, content, [])[:5] != blue_random[:5]


def test_greedy_counters_the_enemy_mid(content):
    model = DraftModel.from_table(PICK_TABLE, content.leader_names)
    # red's third pick (step 5) is its mid and blue's mid (step 4) is known: greedy takes mid_vs into account
    blue, red = [0, 1, 2], [3, 4]
    picks = [blue[0], red[0], red[1], blue[1], blue[2]]
    view = draft_view(content, picks)
    assert view["you"] == "red" and len(view["my_picks"]) == 2
    best = greedy_pick(view)
    free = [h for h in range(10) if h not in picks]
    gains = {h: model.strength[h] + model.mid[h] + model.mid_vs[h, blue[2]] for h in free}
    assert content.leader_id(best) == max(gains, key=gains.get)


def test_stat_prior_for_unknown_leaders(content):
    picks = []  # renamed leaders: the table does not know them, the stat prior drafts
    for _ in range(10):
        view = draft_view(content, picks)
        for p in view["pool"] + view["available"] + view["picks"]:
            p["leader"] = f"New{p['hero']}"
        picks.append(int(greedy_pick(view)[3:]))
    assert _is_permutation(picks)
    ranged = [content.leader_ranged[h] for h in picks]
    blue = [r for r, t in zip(ranged, DRAFT_ORDER, strict=True) if t == 0]
    red = [r for r, t in zip(ranged, DRAFT_ORDER, strict=True) if t == 1]
    assert 1 <= sum(blue) <= 3 and 1 <= sum(red) <= 3  # the stat prior keeps 1..3 ranged per team


# ---------------------------------------------------------------------------- over JSON lines
REMOTE = """\
import json, sys
log = open(sys.argv[1], "a") if len(sys.argv) > 1 and sys.argv[1] else None
mode = sys.argv[2] if len(sys.argv) > 2 else "ok"
for line in sys.stdin:
    msg = json.loads(line)
    if log:
        log.write(msg["type"] + "\\n"); log.flush()
    if msg["type"] == "hello":
        print(json.dumps({"id": msg["id"], "draft": True}), flush=True)
    elif msg["type"] == "draft":
        if mode == "slow":
            import time; time.sleep(0.4)
        pick = "Nobody" if mode == "unknown" else msg["view"]["available"][-1]["leader"]
        print(json.dumps({"id": msg["id"], "pick": pick}), flush=True)
    elif msg["type"] == "observe":
        print(json.dumps({"id": msg["id"], "orders": []}), flush=True)
"""

SILENT = """\
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "observe":
        print(json.dumps({"id": msg["id"], "orders": []}), flush=True)
"""


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=30))


def _bot(tmp_path, body, *args, **kw):
    p = tmp_path / "bot.py"
    p.write_text(body)
    return SubprocessCoach([sys.executable, str(p), *map(str, args)], budget_ms=200, bank_ms=500, **kw)


def test_remote_bot_drafts_over_json_lines_then_plays(tmp_path, content, short_world):
    log = tmp_path / "log.txt"
    bot = _bot(tmp_path, REMOTE, log, sandbox=False)
    draft = run_draft(bot, NoDraft(), 4, content, faults := [])
    assert faults == [] and _is_permutation(draft)
    # it always takes the last free leader: Bristle (9) first, then whatever is last at its steps
    assert draft[0] == 9
    res = play_match(bot, NoDraft(), seed=4, world=short_world, draft=draft).result
    assert res["faults"] == []
    kinds = log.read_text().split()
    assert kinds[:7] == ["hello", "draft", "draft", "draft", "draft", "draft", "start"]
    assert kinds[7:] and set(kinds[7:]) == {"observe"}  # the same process played the match


def test_remote_bot_that_does_not_declare_drafting_gets_random_picks(tmp_path, content):
    bot = _bot(tmp_path, SILENT, hello_ms=200)
    t = time.monotonic()
    assert run_draft(bot, NoDraft(), 4, content, faults := []) is None
    assert faults == [] and time.monotonic() - t < 5
    bot.close()
    old = load_bot(f"exec:bash {ROOT / 'examples' / 'shell_bot.sh'}")  # protocol 1: ignores hello
    draft = run_draft(old, FirstFree(), 4, content, faults)
    assert faults == [] and draft == run_draft(NoDraft(), FirstFree(), 4, content, [])
    old.close()


@pytest.mark.parametrize("mode,why", [("unknown", "unknown leader"), ("slow", "BotFault")])
def test_remote_bad_or_late_picks_are_faults(mode, why, tmp_path, content):
    bot = _bot(tmp_path, REMOTE, "", mode, max_faults=3)
    bot.configure_arena(TimeBudget(budget_ms=100, bank_ms=0, max_faults=3), str(tmp_path))  # 0.4 s is late
    draft = run_draft(bot, NoDraft(), 2, content, faults := [])
    assert _is_permutation(draft)
    blue = [f for f in faults if f["team"] == "blue"]
    assert 1 <= len(blue) <= 5 and all(why in f["reason"] and f["reason"].startswith("draft: ") for f in blue)
    assert draft == run_draft(Scripted(["Nobody"] * 5), NoDraft(), 2, content, [])  # the same random picks
    bot.close()


def test_example_draft_bot(content):
    bot = load_bot(f"exec:{sys.executable} {ROOT / 'examples' / 'draft_bot.py'}")
    draft = run_draft(bot, NoDraft(), 1, content, faults := [])
    assert faults == [] and content.leader_names[draft[0]] == "Sylvan"
    bot.close()
