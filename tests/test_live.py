"""What live frontends stand on: a match a slice at a time, the draft a pick at a time, the human coach,
a replay played back with seeking. Each must be the same match as the one-go paths, tick for tick."""

from __future__ import annotations

import random

import pytest

from shotcaller.arena.draft import BadPick, Draft, run_draft
from shotcaller.arena.match import play_match, start_match
from shotcaller.arena.playback import Playback
from shotcaller.arena.replay import resimulate
from shotcaller.arena.timeline import LiveStory, build_timeline
from shotcaller.bots import make_coach
from shotcaller.bots.drafters import greedy_pick
from shotcaller.bots.human import MAX_QUEUED, HumanCoach
from shotcaller.sim import layout as L


def _story(entries):
    return [(e["tick"], e["type"], e["text"]) for e in entries if e["type"] not in ("match", "draft", "fault")]


def test_a_match_advanced_in_any_slices_is_the_same_match(world):
    """LiveMatch advanced in random slices of 1..37 ticks records the orders and checksums play_match
    records in one go, and its live story is the replay's timeline."""
    whole = play_match(make_coach("strategist"), make_coach("laner"), seed=3, world=world)
    live = start_match(make_coach("strategist"), make_coach("laner"), 3, world)
    story = LiveStory(live.replay, world)
    live.on_step = story.on_step
    rng = random.Random(1)
    while not live.done:
        assert live.advance(rng.randint(1, 37)) > 0
    out = live.finish()
    assert out.replay.orders == whole.replay.orders
    assert out.replay.checksums == whole.replay.checksums
    assert out.result["winner"] == whole.result["winner"]
    told = story.close(live.state)
    assert _story(told) == _story(build_timeline(whole.replay, world).entries)
    assert told[-1]["type"] == "end"


def test_an_unfinished_match_still_replays(world):
    """A match given up half way (a player who quits) gives a replay that verifies up to where it stopped."""
    live = start_match(make_coach("pusher"), make_coach("laner"), 5, world)
    while live.tick < 1234:
        live.advance(1234 - live.tick)
    out = live.finish()
    assert out.result["winner"] == "running"
    assert out.replay.checksums[-1][0] == 1234
    _, verified = resimulate(out.replay, world)
    assert verified.ok and verified.checked == len(out.replay.checksums)


class _Greedy:
    def reset(self, info):
        pass

    def act(self, view, info):
        return []

    def draft(self, view, info):
        return greedy_pick(view)


def test_the_draft_a_pick_at_a_time_is_run_draft(world):
    """Stepping a Draft (asking the drafter on its turns, the seeded random pick on the other side's)
    gives run_draft's lineup; a taken or unknown leader is refused with a reason."""
    content = world.content
    expected = run_draft(_Greedy(), make_coach("idle"), 11, content)
    d = Draft(11, content)
    faults: list = []
    while not d.done:
        if d.team == 0:
            d.ask(_Greedy(), _info(content, 0), faults)
        else:
            d.pick(d.fallback)
    assert d.lineup() == expected and not faults
    d2 = Draft(11, content)
    first = d2.pick("rollo")
    with pytest.raises(BadPick, match="already taken"):
        d2.pick(first)
    with pytest.raises(BadPick, match="unknown leader"):
        d2.pick("Nobody")
    assert len(d2.picks) == 1


def _info(content, team):
    from shotcaller.bots.base import DraftInfo

    return DraftInfo(seed=11, team=team, content_version=content.version, content=content)


def test_a_drafter_that_answers_garbage_gets_the_random_pick(world):
    class Bad(_Greedy):
        def draft(self, view, info):
            return {"not": "a pick"}

    d = Draft(2, world.content)
    faults: list = []
    want = d.fallback
    assert d.ask(Bad(), _info(world.content, 0), faults) == want
    assert faults and "picked" in faults[0]["reason"] and faults[0]["team"] == "blue"


def test_the_human_coach_hands_its_orders_to_the_match_and_hears_the_answers(world):
    """Orders submitted between decisions reach the match at the next one (the same validation as any
    coach's): an affordable one is accepted, an unaffordable buy is rejected with its reason."""
    human = HumanCoach()
    live = start_match(human, make_coach("laner"), 4, world)
    sword = world.content.item_id("Warlord Blade")
    assert human.submit(-1, L.O_PUSH, 1, 0)
    assert human.submit(0, L.O_BUY, sword, 0)
    assert len(human.pending) == 2
    while live.tick < 40:
        live.advance(40 - live.tick)
    assert human.pending == []
    mine = [row[1:] for row in live.replay.orders if row[1] == 0]
    assert mine == [[0, -1, L.O_PUSH, 1, 0], [0, 0, L.O_BUY, sword, 0]]
    by_kind = {a.order: a for a in human.answers}
    assert by_kind["push"].status == "accepted"
    assert by_kind["buy"].status == "rejected" and by_kind["buy"].reason == "not enough gold"
    for _ in range(MAX_QUEUED):
        human.submit(0, L.O_RETREAT)
    assert not human.submit(0, L.O_RETREAT)  # a full queue refuses, it never grows without bound
    live.close()


def test_playback_seeks_anywhere_and_lands_on_the_recorded_match(world):
    """Seeking back (from a snapshot) and forward gives the state going straight there gives; the end is
    the replay's last checksum; next_event_tick walks the story's entries."""
    rep = play_match(make_coach("strategist"), make_coach("pusher"), seed=6, world=world).replay
    pb = Playback(rep, world)
    assert pb.timeline.verified.ok
    pb.seek(7000)
    straight = pb.state.checksum(0)
    pb.seek(rep.checksums[-1][0])
    assert pb.done and pb.state.checksum(0) == rep.checksums[-1][1]
    pb.seek(123)
    pb.seek(7000)
    assert pb.tick == 7000 and pb.state.checksum(0) == straight
    for t, h in rep.checksums[:: max(1, len(rep.checksums) // 7)]:
        pb.seek(t)
        assert pb.state.checksum(0) == h, t
    pb.seek(0)
    t = pb.next_event_tick()
    assert t is not None and t > 0
    assert any(e["tick"] == t and e["type"] not in ("order", "match", "draft") for e in pb.entries)
    assert all(e["tick"] <= pb.tick for e in pb.entries_until())


def test_a_replay_viewer_is_not_told_the_future(world):
    """Half way through a fight, the story so far shows the fight's kills up to now, none after."""
    for seed in (6, 8, 11):
        rep = play_match(make_coach("strategist"), make_coach("laner"), seed=seed, world=world).replay
        pb = Playback(rep, world)
        fights = [e for e in pb.entries if e["type"] == "fight" and e["kills"][0]["tick"] < e["kills"][-1]["tick"]]
        if fights:
            break
    else:
        pytest.skip("no fight that lasts over a tick in these matches")
    f = fights[0]
    mid = f["kills"][0]["tick"]
    told = pb.entries_until(mid)
    assert all(e["tick"] <= mid for e in told)
    assert all(e["type"] != "fight" or e is not f for e in told)
    assert [e["text"] for e in told if e["type"] == "kill" and e["tick"] == mid]
    after = pb.entries_until(f["kills"][-1]["tick"])
    assert f in after
