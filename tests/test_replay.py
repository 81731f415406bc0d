"""Replays (docs/design.md section 10): record with ``play_match``, save, load, re-simulate, detect tampering."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from shotcaller.arena.match import CHECKSUM_EVERY_S, play_match, ticks
from shotcaller.arena.replay import Replay, ReplayError, load_replay, resimulate, world_for_replay
from shotcaller.sim import Params, SimConfig, build_world
from shotcaller.sim import layout as L
from shotcaller.sim.result import match_result
from tests.helpers import DRAFT

LIMIT_S = 120  # 2400-tick matches
RETREAT_TICK = 1000


class ScriptedCoach:
    """Issues a fixed plan of orders (some valid, some not) at given ticks."""

    def __init__(self) -> None:
        self.plan: dict[int, list[tuple[int, int, int, int]]] = {}
        self.seen: list[int] = []

    def reset(self, info) -> None:
        self.team = info.team
        self.seen = []
        enemy0 = 5 * (1 - info.team)
        self.plan = {
            0: [(-1, L.O_PUSH, 1, 0)],
            200: [(0, L.O_BUY, 0, 0), (1, L.O_STANCE, 0, 0)],
            400: [(9, 99, 0, 0), (2, L.O_LANE, 7, 0)],  # garbage: rejected, never fatal
            600: [(3, L.O_GANK, enemy0, 0), (4, L.O_GROUP, 30, 25)],
            RETREAT_TICK: [(-1, L.O_RETREAT, 0, 0)],
            1400: [(-1, L.O_LANE, 2, 0), (0, L.O_TELEPORT, 13 * info.team + 4, 0)],
            2000: [(2, L.O_DEFEND, 0, 0)],
        }

    def act(self, view, info):
        self.seen.append(view["tick"])
        return self.plan.get(view["tick"], [])


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=LIMIT_S))


def _play(world, seed: int = 5, draft=DRAFT, path=None):
    return play_match(ScriptedCoach(), ScriptedCoach(), seed=seed, world=world, draft=draft, replay_path=path)


@pytest.fixture(scope="module")
def recorded(short_world, tmp_path_factory):
    """One scripted match with a fixed draft, saved as .json."""
    path = tmp_path_factory.mktemp("replays") / "match.json"
    out = _play(short_world, path=path)
    return out, path


# ----------------------------------------------------------------------------- round trip
@pytest.mark.parametrize(
    "draft",
    [
        pytest.param(DRAFT, id="fixed-draft"),
        pytest.param(
            None,
            id="random-draft",
        ),
    ],
)
@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_round_trip_reproduces_every_checksum(short_world, tmp_path, suffix, draft):
    path = tmp_path / f"match{suffix}"
    out = _play(short_world, seed=8, draft=draft, path=path)
    rep = out.replay
    assert path.exists()
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".json.gz")

    # the log is real: orders of both teams, accepted and rejected, checksums every 200 ticks
    assert {row[1] for row in rep.orders} == {0, 1}
    teams = out.result["teams"]
    assert all(teams[t]["orders_given"] > 0 and teams[t]["orders_rejected"] > 0 for t in ("blue", "red"))
    at = [t for t, _ in rep.checksums]
    every = ticks(CHECKSUM_EVERY_S, short_world)
    assert every == 200 and rep.checksum_every == every  # 10 s at 20 ticks a second
    assert at[:-1] == list(range(every, at[-1], every))
    assert out.result["ticks"] == LIMIT_S * 20

    loaded = load_replay(path)
    assert loaded.to_json() == rep.to_json()
    state, res = resimulate(loaded)
    assert res.ok, f"diverged at tick {res.first_bad_tick}"
    assert res.checked == len(rep.checksums)
    assert state.checksum(0) == rep.checksums[-1][1]
    # the match runner's record, not the simulation's
    runner_only = ("faults", "faults_dropped", "privileged", "budgets", "bot_logs")
    assert match_result(state) == {k: v for k, v in out.result.items() if k not in runner_only}
    if draft is None:  # the draft was random but is recorded
        assert sorted(loaded.draft) == list(range(10))


def test_recording_is_deterministic(short_world, recorded, tmp_path):
    out, path = recorded
    again = _play(short_world, path=tmp_path / "again.json")
    assert again.replay.to_json() == out.replay.to_json()
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_gzip_and_plain_files_hold_the_same_replay(recorded, tmp_path):
    out, path = recorded
    gz = tmp_path / "m.json.gz"
    out.replay.save(gz)
    assert gzip.decompress(gz.read_bytes()) == path.read_bytes()
    assert load_replay(gz).to_json() == load_replay(path).to_json()


def test_coaches_are_asked_every_decide_interval(short_world):
    blue, red = ScriptedCoach(), ScriptedCoach()
    play_match(blue, red, seed=3, world=short_world, draft=DRAFT, decide_every_s=2.0)
    assert blue.seen == red.seen == list(range(0, LIMIT_S * 20, 40))


# ----------------------------------------------------------------------------- tampering
def _save_modified(rep: Replay, path: Path, edit) -> Path:
    doc = json.loads(json.dumps(rep.to_json()))
    edit(doc)
    path.write_text(json.dumps(doc))
    return path


def test_modified_order_diverges_at_the_next_checksum(recorded, tmp_path):
    out, _ = recorded
    rep = out.replay
    i = next(k for k, row in enumerate(rep.orders) if row[0] == RETREAT_TICK and row[1] == 0)
    assert rep.orders[i][3] == L.O_RETREAT

    def edit(doc):
        doc["orders"][i][3:6] = [L.O_LANE, 0, 0]  # blue retreats -> blue goes to the top lane

    res_state, res = resimulate(load_replay(_save_modified(rep, tmp_path / "order.json", edit)))
    assert not res.ok
    # checksums up to and including tick 1000 (taken before the order) still match
    assert res.first_bad_tick == RETREAT_TICK + 200
    assert res.checked == RETREAT_TICK // 200
    assert res.expected == dict(map(tuple, rep.checksums))[res.first_bad_tick]
    assert res.got != res.expected


def test_removed_order_diverges(recorded, tmp_path):
    out, _ = recorded
    rep = out.replay
    i = next(k for k, row in enumerate(rep.orders) if row[0] == 1400)

    def edit(doc):
        del doc["orders"][i]

    _, res = resimulate(load_replay(_save_modified(rep, tmp_path / "removed.json", edit)))
    assert not res.ok and res.first_bad_tick == 1600


@pytest.mark.parametrize("index", [0, 4, -1])
def test_modified_checksum_is_reported_at_its_tick(recorded, tmp_path, index):
    out, _ = recorded
    rep = out.replay
    idx = index % len(rep.checksums)
    tick = rep.checksums[idx][0]

    def edit(doc):
        doc["checksums"][idx][1] = "0123456789abcdef"

    _, res = resimulate(load_replay(_save_modified(rep, tmp_path / "cks.json", edit)))
    assert not res.ok
    assert res.first_bad_tick == tick
    assert res.checked == idx
    assert res.expected == "0123456789abcdef"
    assert res.got == rep.checksums[idx][1]


# ----------------------------------------------------------------------------- damaged files
def _doc(recorded) -> dict:
    return json.loads(recorded[1].read_text())


def _damage_cases():
    def write_json(edit):
        def make(p: Path, doc: dict) -> Path:
            edit(doc)
            p.write_text(json.dumps(doc))
            return p

        return make

    def raw(data):
        def make(p: Path, doc: dict) -> Path:
            p.write_bytes(data(doc))
            return p

        return make

    full = lambda doc: json.dumps(doc).encode()  # noqa: E731

    def corrupt_gz(doc):
        b = bytearray(gzip.compress(full(doc), mtime=0))
        for i in range(20, 60):
            b[i] ^= 0xFF
        return bytes(b)

    return [
        ("truncated-json", raw(lambda d: full(d)[: len(full(d)) // 2]), "damaged"),
        ("truncated-gzip", raw(lambda d: gzip.compress(full(d))[:200]), "damaged"),
        pytest.param(
            "corrupted-gzip",
            raw(corrupt_gz),
            "damaged",
            id="corrupted-gzip",
        ),
        ("empty", raw(lambda d: b""), "damaged"),
        ("not-json", raw(lambda d: b"hello, this is not a replay\n"), "damaged"),
        ("binary", raw(lambda d: bytes(range(256))), "damaged"),
        ("json-list", raw(lambda d: b"[1, 2, 3]"), "not a Shotcaller replay"),
        ("wrong-format", write_json(lambda d: d.update(format="some-other-game")), "some-other-game"),
        ("no-format", write_json(lambda d: d.pop("format")), "not a Shotcaller replay"),
        ("format-version", write_json(lambda d: d.update(format_version=99)), "version 99"),
        ("draft-short", write_json(lambda d: d.update(draft=list(range(9)))), "draft"),
        ("draft-duplicate", write_json(lambda d: d.update(draft=[0] * 10)), "draft"),
        ("draft-out-of-range", write_json(lambda d: d.update(draft=list(range(1, 11)))), "draft"),
        ("draft-not-ints", write_json(lambda d: d.update(draft="abcdefghij")), "damaged"),
        ("draft-missing", write_json(lambda d: d.pop("draft")), "draft"),
        ("seed-missing", write_json(lambda d: d.pop("seed")), "seed"),
        ("orders-short-row", write_json(lambda d: d["orders"].__setitem__(0, [0, 1])), "orders[0]"),
        ("orders-not-rows", write_json(lambda d: d.update(orders=[5])), "damaged"),
        ("orders-back-in-time", write_json(lambda d: d["orders"].append([0, 0, -1, 1, 0, 0])), "back in time"),
        ("checksums-bad", write_json(lambda d: d.update(checksums=[[200]])), "damaged"),
        ("checksum-every-0", write_json(lambda d: d.update(checksum_every=0)), "checksum_every"),
    ]


@pytest.mark.parametrize(("name", "make", "needle"), _damage_cases())
def test_damaged_file_raises_replay_error(recorded, tmp_path, name, make, needle):
    path = make(tmp_path / f"{name}.json", _doc(recorded))
    with pytest.raises(ReplayError) as exc:
        load_replay(path)
    msg = str(exc.value)
    assert str(path) in msg, msg
    assert needle.lower() in msg.lower(), msg


def test_missing_file_raises_replay_error(tmp_path):
    with pytest.raises(ReplayError, match="cannot read"):
        load_replay(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda d: d["params"].update(bogus=1), id="unknown-param"),
        pytest.param(lambda d: d["config"].update(bogus=1), id="unknown-config"),
        pytest.param(
            lambda d: d["params"].update(tiebreak="coin-flip"),
            id="bad-tiebreak",
        ),
        pytest.param(
            lambda d: d["params"].update(profiles=["nope"] * 10),
            id="unknown-profile",
        ),
        pytest.param(
            lambda d: d["params"].update(latency_s="soon"),
            id="latency-not-a-number",
        ),
        pytest.param(
            lambda d: d["config"].update(max_creeps="many"),
            id="config-not-a-number",
        ),
        pytest.param(
            lambda d: d.update(seed=2**70),
            id="seed-too-big",
        ),
        pytest.param(
            lambda d: d.update(map="no_such_map.txt"),
            id="unknown-map",
        ),
    ],
)
def test_bad_settings_raise_replay_error(recorded, tmp_path, edit):
    doc = _doc(recorded)
    edit(doc)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ReplayError, match="damaged replay|content version|cannot"):
        resimulate(load_replay(path))


# ----------------------------------------------------------------------------- content version
def test_other_content_version_is_refused_naming_both_versions(recorded, tmp_path, content):
    out, _ = recorded
    path = _save_modified(out.replay, tmp_path / "old.json", lambda d: d.update(content_version="00badc0ffee00000"))
    rep = load_replay(path)  # the file itself is fine
    for call in (lambda: world_for_replay(rep), lambda: resimulate(rep)):
        with pytest.raises(ReplayError) as exc:
            call()
        msg = str(exc.value)
        assert "00badc0ffee00000" in msg and content.version in msg, msg


def test_resimulate_accepts_a_prebuilt_world(recorded, short_world):
    out, _ = recorded
    state, res = resimulate(out.replay, short_world)
    assert res.ok and state.checksum(0) == out.replay.checksums[-1][1]
    assert np.array_equal(state.arrays.games["draft"][0], DRAFT)
