"""Out-of-process bots over JSON lines: a bot in another language plays; hostile ones are contained."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import load_bot
from shotcaller.bots.remote import SubprocessCoach
from shotcaller.sim import Params, SimConfig, build_world

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=60))


def test_shell_bot_round_trip(short_world):
    bot = load_bot(f"exec:bash {ROOT / 'examples' / 'shell_bot.sh'}")
    res = play_match(bot, load_bot("idle"), seed=5, world=short_world).result
    assert res["faults"] == []
    assert res["teams"]["blue"]["orders_given"] >= 30  # one push per decision, capped by the APM budget


def _script(tmp_path: Path, name: str, body: str) -> list[str]:
    p = tmp_path / name
    p.write_text(body)
    return ["bash", str(p)]


HOSTILE = {
    "never-answers": "while IFS= read -r line; do :; done\n",
    "sleeps": "while IFS= read -r line; do sleep 5; done\n",
    "garbage": "while IFS= read -r line; do echo 'orders please?'; done\n",
    "crashes": "exit 3\n",
    "floods": "head -c 3000000 /dev/zero | tr '\\\\0' 'x'; while IFS= read -r line; do :; done\n",
    "bad-orders": "while IFS= read -r line; do echo '{\"orders\": [[1, 2]]}'; done\n",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_bot_faults_are_recorded_and_the_match_completes(kind, tmp_path, short_world):
    bot = SubprocessCoach(_script(tmp_path, f"{kind}.sh", HOSTILE[kind]), budget_ms=50, bank_ms=200, max_faults=5)
    res = play_match(bot, load_bot("laner"), seed=6, world=short_world).result
    assert res["end_reason"] in ("core destroyed", "time limit")
    assert res["teams"]["red"]["orders_given"] > 0  # the other bot is unaffected
    faults = [f for f in res["faults"] if f["team"] == "blue"]
    assert 1 <= len(faults) <= 5  # silenced after max_faults in a row
    assert all("BotFault" in f["reason"] for f in faults)
    assert bot.proc is None  # the child process is gone
