"""Drafting (docs/design.md section 9): the A-B-B-A-A-B-B-A-A-B order, scripted and faulty drafters, the
greedy drafter, and drafting over the JSON-lines protocol."""

from __future__ import annotations

import json
import shutil
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from shotcaller.arena.draft import DRAFT_ORDER, draft_view, run_draft
from shotcaller.arena.match import play_match
from shotcaller.bots import drafters, load_bot
from shotcaller.bots.base import TimeBudget
from shotcaller.bots.draft_table import (
    DRAFT_MODEL_FILE,
    cross_validate,
    fit_table,
    format_table,
    load_table,
    main,
    measure_chunks,
    validate_table,
    write_table,
)
from shotcaller.bots.drafters import PICK_TABLE, DraftModel, GreedyDrafter, greedy_pick, model_for
from shotcaller.bots.remote import SubprocessCoach
from shotcaller.content import ContentError, load_content
from shotcaller.content.loader import CONTENT_DIR, FILES
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
    """Pins the content version: the draft model (shotcaller/content/draft_model.toml) is measured on the
    content, so a change to the content fails here until the table is measured again."""
    refit = "run `python -m shotcaller.bots.drafters fit` (12-17 min) to measure it on this content"
    assert PICK_TABLE["leaders"] == list(content.leader_names), f"the draft model's leaders are not these: {refit}"
    assert PICK_TABLE["content_version"] == content.version, (
        f"the draft model was measured on content {PICK_TABLE['content_version']}, this is {content.version}: {refit}"
    )
    assert PICK_TABLE["matches"] >= 4000
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
    # the drafting side is favoured in every draft, on whichever side it plays. The size of the edge is the
    # model's: 0.26 on average (0.17 at least) with the table refitted on the fair leaders of issue 9
    assert min(edge) > 0.05 and np.mean(edge) > 0.15
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


def test_stat_prior_for_unknown_leaders(content, monkeypatch):
    monkeypatch.setattr(drafters, "_WARNED", set())
    picks = []  # renamed leaders: the table does not know them, the stat prior drafts
    with pytest.warns(RuntimeWarning, match="does not know the leaders New0, New1, .*stat prior") as rec:
        for _ in range(10):
            view = draft_view(content, picks)
            for p in view["pool"] + view["available"] + view["picks"]:
                p["leader"] = f"New{p['hero']}"
            assert model_for(view).source == "stat prior"
            picks.append(int(greedy_pick(view)[3:]))
    assert len(rec) == 1  # once, not at every pick
    assert _is_permutation(picks)
    ranged = [content.leader_ranged[h] for h in picks]
    blue = [r for r, t in zip(ranged, DRAFT_ORDER, strict=True) if t == 0]
    red = [r for r, t in zip(ranged, DRAFT_ORDER, strict=True) if t == 1]
    assert 1 <= sum(blue) <= 3 and 1 <= sum(red) <= 3  # the stat prior keeps 1..3 ranged per team


def test_the_table_is_read_from_its_data_file_which_is_not_in_the_content_version(content, tmp_path):
    assert DRAFT_MODEL_FILE == CONTENT_DIR / "draft_model.toml" and DRAFT_MODEL_FILE.name not in FILES
    assert load_table() == PICK_TABLE
    assert "NOT part of content.version" in DRAFT_MODEL_FILE.read_text()
    d = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (d / "draft_model.toml").write_text(DRAFT_MODEL_FILE.read_text().replace("bias = ", "bias = 1 + ", 1) + "# x\n")
    assert load_content(d).version == content.version  # the table is measured from the content, not an input
    (d / "draft_model.toml").unlink()
    assert load_content(d).version == content.version
    # the file's version is the one the pin test compares; what the file holds round-trips through the writer
    write_table(PICK_TABLE, tmp_path / "copy.toml")
    assert load_table(tmp_path / "copy.toml") == PICK_TABLE
    assert format_table(PICK_TABLE) == DRAFT_MODEL_FILE.read_text()  # the packaged file is the writer's


def _broken(key, value):
    def edit(t):
        t[key] = value(t) if callable(value) else value

    return edit


def _swap(t):
    t["leaders"][1] = t["leaders"][0]


def _asym(t):
    t["mid_vs"][0][1] += 0.5


@pytest.mark.parametrize(
    "edit,field,why",
    [
        (lambda t: t.pop("content_version"), "content_version", "missing"),
        (_broken("matches", -6000), "matches", "expected a positive integer, got -6000"),
        (_broken("matches", 1.5), "matches", "expected a positive integer"),
        (_broken("leaders", lambda t: t["leaders"][1:]), "strength", "expected a list of 9 numbers (one per leader)"),
        (_swap, "leaders", "names must be distinct, repeated: Rollo"),
        (_broken("leaders", "Rollo"), "leaders", "expected a list of leader names"),
        (_broken("strength", lambda t: [1.0, *t["strength"]]), "strength", "got 11 values"),
        (_broken("mid", lambda t: [float("nan"), *t["mid"][1:]]), "mid[0]", "expected a finite number, got nan"),
        (_broken("mid", lambda t: [float("inf"), *t["mid"][1:]]), "mid[0]", "expected a finite number, got inf"),
        (_broken("bias", "0.1"), "bias", "expected a finite number, got '0.1'"),
        (_broken("bias", True), "bias", "expected a finite number, got True"),
        (_broken("mid_vs", lambda t: t["mid_vs"][1:]), "mid_vs", "expected 10 rows of 10 numbers"),
        (_asym, "mid_vs[0][1]", "not antisymmetric"),
        (_broken("ridge_typo", 1.0), "ridge_typo", "unknown key"),
        (_broken("cv", {"model": "low"}), "cv.model", "expected a finite number"),
    ],
)
def test_a_broken_table_names_the_file_and_the_field(tmp_path, edit, field, why):
    t = tomllib.loads(DRAFT_MODEL_FILE.read_text())
    edit(t)
    path = tmp_path / "draft_model.toml"
    with pytest.raises(ContentError) as e:
        validate_table(t, path)
    msg = str(e.value)
    assert msg.startswith(f"draft_model.toml: {field}: ") and why in msg and str(path) in msg, msg


def test_an_unreadable_table_file_names_the_file(tmp_path):
    path = tmp_path / "draft_model.toml"
    path.write_text(DRAFT_MODEL_FILE.read_text().replace("leaders = [", "leaders = [[", 1))
    with pytest.raises(ContentError, match=r"^draft_model.toml: not valid TOML: .*line \d+"):
        load_table(path)
    with pytest.raises(ContentError, match="^draft_model.toml: file is missing .*drafters fit"):
        load_table(tmp_path / "nothing" / "draft_model.toml")


def test_a_table_of_other_content_is_used_with_a_warning_and_says_so(content, monkeypatch):
    monkeypatch.setattr(drafters, "_WARNED", set())
    view = draft_view(content, [])
    assert model_for(view).source == "table"  # the packaged table, on its own content
    view["content_version"] = "0123456789abcdef"
    with pytest.warns(RuntimeWarning, match="measured on content .*, this is content 0123456789abcdef.*drafters fit"):
        stale = model_for(view)
    assert stale.source == "stale table" and np.array_equal(stale.strength, model_for(draft_view(content, [])).strength)
    assert greedy_pick(view) == greedy_pick(draft_view(content, []))  # the same picks: the table is still used
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model_for(view)  # once only


def _synthetic(n_matches, seed=0):
    """Random drafts whose winners follow known strengths plus a mid matchup."""
    rng = np.random.default_rng(seed)
    drafts = np.array([rng.permutation(10) for _ in range(n_matches)])
    strength = np.linspace(-0.6, 0.6, 10)
    logit = strength[drafts[:, :5]].sum(1) - strength[drafts[:, 5:]].sum(1)
    logit += np.where((drafts[:, 2] == 0) & (drafts[:, 7] == 9), 2.0, 0.0)  # mid 0 crushes mid 9
    winners = np.where(rng.random(n_matches) < 1 / (1 + np.exp(-logit)), 0, 1)
    winners[:50] = 2  # draws count half
    return drafts, winners, strength


def test_fit_recovers_known_strengths_and_cross_validation_ranks_the_models():
    drafts, winners, strength = _synthetic(6000)
    names = tuple(f"L{i}" for i in range(10))
    t = fit_table(drafts, winners, names, ridge=1.0)
    assert t["leaders"] == list(names) and t["matches"] == 6000
    s = np.array(t["strength"])
    assert np.abs((s - s.mean()) - strength).max() < 0.15
    assert t["mid_vs"][0][9] > 0.5 and t["mid_vs"][9][0] == -t["mid_vs"][0][9]
    cv = cross_validate(drafts, winners, 10, ridge=1.0, folds=5)
    assert list(cv) == ["model", "no_mid_vs", "strength_only", "coin"] and cv["coin"] == pytest.approx(np.log(2))
    assert cv["strength_only"] < cv["coin"] - 0.05  # strengths explain a lot
    with pytest.raises(ValueError, match="at least 10 matches"):
        cross_validate(drafts[:9], winners[:9])
    # a variant fits only its terms and writes the others as zeros
    s_only = fit_table(drafts, winners, names, ridge=1.0, terms=("strength",))
    assert np.abs((np.array(s_only["strength"]) - np.mean(s_only["strength"])) - strength).max() < 0.15
    assert not any(s_only["mid"]) and not any(any(r) for r in s_only["mid_vs"])
    with pytest.raises(ValueError, match="unknown model terms"):
        fit_table(drafts, winners, names, terms=("speed",))


def test_fit_command_writes_a_table_and_resumes_from_its_chunks(tmp_path, content, capsys):
    out, cache = tmp_path / "model.toml", tmp_path / "chunks"
    args = ["fit", "--matches", "12", "--chunk", "6", "--folds", "2", "--out", str(out), "--cache", str(cache)]
    assert main(args) == 0
    t = load_table(out)
    assert t["content_version"] == content.version and t["matches"] == 12 and t["first_seed"] == 100_000
    assert t["leaders"] == list(content.leader_names) and t["cv"]["folds"] == 2 and set(t["cv"]) > {"model", "coin"}
    assert sorted(p.name for p in cache.iterdir()) == ["seeds-100000-100005.npz", "seeds-100006-100011.npz"]
    err = capsys.readouterr().err
    assert "12/12 matches (0 from the cache)" in err
    # the chunks are kept: a second fit (another penalty) plays nothing and gets the same matches
    d1, w1 = measure_chunks(np.arange(100_000, 100_012), 6, 1, cache)
    assert main([*args, "--ridge", "3"]) == 0
    assert "12/12 matches (12 from the cache)" in capsys.readouterr().err
    d2, w2 = measure_chunks(np.arange(100_000, 100_012), 4, 1, None)  # played afresh, other chunks
    assert np.array_equal(d1, d2) and np.array_equal(w1, w2)
    d3, w3 = measure_chunks(np.arange(100_000, 100_012), 3, 2, None)  # over two processes, in seed order
    assert np.array_equal(d1, d3) and np.array_equal(w1, w3)
    assert load_table(out)["ridge"] == 3.0


@pytest.mark.parametrize(
    "args,why",
    [
        (["fit", "--matches", "0"], "expected a positive integer, got 0"),
        (["fit", "--matches", "5"], "--matches must be at least 10"),
        (["fit", "--folds", "1"], "--folds must be at least 2"),
        (["fit", "--ridge", "-1"], "expected a number >= 0"),
        (["fit", "--out", "/no/such/folder/x.toml"], "folder /no/such/folder does not exist"),
        (["fit", "--cache", "x", "--no-cache"], "not allowed with argument"),
        ([], "required: command"),
    ],
)
def test_fit_command_rejects_bad_options_in_one_line(args, why, capsys):
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2 and why in capsys.readouterr().err


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
