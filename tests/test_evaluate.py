"""Held-out evaluation: the named seed sets, the schedule, and ``shotcaller evaluate`` run as a subprocess."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from shotcaller.arena.evaluate import Cell, EvaluationError, evaluation_schedule, run_evaluation
from shotcaller.arena.seeds import SEED_SETS, seed_set
from tests.test_cli import assert_clean_error, run

FIELDS = {"bot", "opponent", "map", "seeds", "games", "wins", "draws", "losses", "win_rate", "ci95"}


def test_seed_sets_are_disjoint_and_stable():
    train, heldout = seed_set("train"), seed_set("heldout")
    assert set(SEED_SETS) == {"train", "heldout"}
    assert train.start + train.size <= heldout.start or heldout.start + heldout.size <= train.start
    assert train.seeds(3) == [0, 1, 2]  # tournaments, ladders and benchmarks play seeds from 0: train
    assert heldout.seeds(2) == [10**12, 10**12 + 1]
    assert not set(train.seeds(1000)) & set(heldout.seeds(1000))
    assert 5 in train and 5 not in heldout and 10**12 in heldout and 10**12 not in train
    assert all(s < 2**63 for s in (train.start + train.size, heldout.start + heldout.size))  # valid match seeds


def test_unknown_seed_set_and_too_many_seeds_are_refused():
    with pytest.raises(ValueError, match=r"unknown seed set 'test' \(seed sets: train, heldout\)"):
        seed_set("test")
    with pytest.raises(ValueError, match="has 1000000000 seeds"):
        seed_set("train").seeds(10**9 + 1)


def test_each_seed_is_played_on_both_sides():
    games = evaluation_schedule("a", ["b", "c"], ["original", "2x"], [7, 8], 3)
    assert len(games) == 2 * 2 * 3
    first = [(g.blue, g.red, g.seed, g.map_name) for g in games[:3]]
    assert first == [("a", "b", 7, "original"), ("b", "a", 7, "original"), ("a", "b", 8, "original")]
    assert {(g.red if g.blue == "a" else g.blue, g.map_name) for g in games} == {
        (o, m) for o in ("b", "c") for m in ("original", "2x")
    }


def test_a_cell_counts_draws_half():
    c = Cell("a", "a@1", "b", "b@2", "original", "heldout", 0, wins=3, draws=2, losses=5)
    d = c.to_dict()
    assert FIELDS <= set(d)
    assert (d["games"], d["win_rate"]) == (10, 0.4)
    lo, hi = d["ci95"]
    assert lo < 0.4 < hi


def test_run_evaluation_plays_every_opponent_and_map_in_worker_processes():
    seen = []
    cells = run_evaluation(
        "idle",
        ["random", "idle"],
        seeds="train",
        maps=["perturbed-1", "mirrored"],
        games=2,
        workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [(c.opponent, c.map) for c in cells] == [
        ("random", "perturbed-1"),
        ("random", "mirrored"),
        ("idle", "perturbed-1"),
        ("idle", "mirrored"),
    ]
    for c in cells:
        assert (c.bot, c.seeds, c.first_seed, c.games, c.failed) == ("idle", "train", 0, 2, 0)
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)


def test_a_bot_that_cannot_start_is_named(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("class Bad:\n    def __init__(self):\n        raise RuntimeError('boom')\n")
    with pytest.raises(EvaluationError, match=r"bot bad.py:Bad cannot be played: loading it raised RuntimeError: boom"):
        run_evaluation("idle", [f"{bad}:Bad"], games=1)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(games=0), "games must be at least 1"),
        (dict(seeds="test"), "unknown seed set 'test'"),
        (dict(maps=["moon"]), "unknown map 'moon'"),
        (dict(opponents=["nosuchbot"]), "nosuchbot"),
    ],
)
def test_run_evaluation_refuses_bad_input(kwargs, needle):
    opponents = kwargs.pop("opponents", ["random"])
    with pytest.raises(EvaluationError, match=needle):
        run_evaluation("idle", opponents, **kwargs)


# ----------------------------------------------------------------------------- the command
SHORT = ["--time-limit", "20", "--games", "1"]
CASES = {
    "json": ["evaluate", "idle", "--vs", "random", "idle", "--maps", "mirrored", "--seeds", "train", *SHORT, "--json"],
    "table": ["evaluate", "random", "--vs", "idle", "--maps", "perturbed-3", "--time-limit", "20", "--games", "2"],
    "unknown-bot": ["evaluate", "nosuchbot", "--vs", "idle", *SHORT],
    "unknown-opponent": ["evaluate", "idle", "--vs", "nosuchbot", *SHORT],
    "unknown-map": ["evaluate", "idle", "--vs", "random", "--maps", "moon", *SHORT],
    "unknown-seeds": ["evaluate", "idle", "--vs", "random", "--seeds", "test", *SHORT],
    "zero-games": ["evaluate", "idle", "--vs", "random", "--games", "0"],
    "no-opponent": ["evaluate", "idle"],
    "broken-bot": ["evaluate", "examples/no_such_file.py:Bot", "--vs", "idle", *SHORT],
}


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    with ThreadPoolExecutor(max_workers=2) as ex:
        return dict(ex.map(lambda kv: (kv[0], run(*kv[1])), CASES.items()))


def test_evaluate_json_has_one_object_per_opponent_and_map(runs):
    proc = runs["json"]
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert [(d["opponent"], d["map"]) for d in lines] == [("random", "mirrored"), ("idle", "mirrored")]
    for d in lines:
        assert FIELDS <= set(d)
        assert (d["bot"], d["seeds"], d["games"]) == ("idle", "train", 1)
        assert d["wins"] + d["draws"] + d["losses"] == 1
        assert 0 <= d["ci95"][0] <= d["win_rate"] <= d["ci95"][1] <= 1


def test_evaluate_prints_a_table(runs):
    proc = runs["table"]
    assert proc.returncode == 0, proc.stderr
    assert "random, heldout seeds" in proc.stdout
    row = next(ln for ln in proc.stdout.splitlines() if "perturbed-3" in ln)
    assert row.split("│")[1].strip() == "idle" and row.split("│")[3].strip() == "2"
    assert "a draw counts half a win" in proc.stdout


@pytest.mark.parametrize(
    "name, needles",
    [
        ("unknown-bot", ["nosuchbot"]),
        ("unknown-opponent", ["nosuchbot"]),
        ("unknown-map", ["unknown map 'moon'", "perturbed-N"]),
        ("unknown-seeds", ["--seeds", "'test'"]),
        ("zero-games", ["--games"]),
        ("no-opponent", ["--vs"]),
        ("broken-bot", ["no_such_file.py"]),
    ],
)
def test_evaluate_bad_arguments_give_a_clean_error(runs, name, needles):
    assert_clean_error(runs[name], *needles)
    assert runs[name].returncode == 2
