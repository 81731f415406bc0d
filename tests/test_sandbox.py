"""``sandbox:`` Python bots, run as root as CI does: hostile ones are contained, a normal one plays unchanged.

Each hostile bot attacks in its first decision and reports what it achieved in an order's ``why`` (so
every test also proves the attack ran: a canary the sandbox allows must succeed). The coach's methods
are called directly on a real view, which keeps each test to a second or two.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from shotcaller.arena.match import play_match
from shotcaller.bots import BotLoadError, load_bot
from shotcaller.bots.base import MatchInfo, TimeBudget
from shotcaller.bots.remote import BotFault
from shotcaller.bots.sandbox import SANDBOX_ENV, SandboxUnavailable, UnsandboxedWarning, drops_root, sandbox_available
from shotcaller.bots.sandboxed import SandboxedPythonCoach
from shotcaller.content import load_content
from shotcaller.sim import Params, SimConfig, build_world, new_state
from shotcaller.sim.observe import team_view

# Skipped where bubblewrap is missing or the sandbox is switched off for the whole run (SHOTCALLER_SANDBOX=off);
# a sandbox that exists but fails is a failure, not a skip. Tests of the switch itself set it per test.
pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None or os.environ.get(SANDBOX_ENV, "").lower() in ("off", "0", "no"),
    reason="bubblewrap (bwrap) is not installed, or SHOTCALLER_SANDBOX=off",
)

BUDGET = TimeBudget(budget_ms=2000, bank_ms=5000, max_faults=3)  # generous: the machine is shared

HEADER = """\
import os, sys, json, time, socket, subprocess
import numpy as np
from shotcaller.bots import orders as O
"""


@pytest.fixture(scope="module")
def short_world(content):
    return build_world(content, SimConfig(), Params(time_limit_s=12))


@pytest.fixture(scope="module")
def real_view(short_world):
    """A fresh state's team view (blue) and its MatchInfo."""
    state = new_state(short_world, 3)
    info = MatchInfo(3, 0, [int(h) for h in state.arrays.games["draft"][0]], short_world.content.version, short_world)
    return state, info


@pytest.fixture(autouse=True)
def _logs(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOTCALLER_STATE_DIR", str(tmp_path / "state"))


def test_the_sandbox_is_available_here():
    ok, why = sandbox_available()
    assert ok, why  # bwrap is installed: the sandbox must work (as root, with a cgroup process limit)


def _bot(tmp_path: Path, name: str, act_body: str, extra: str = "") -> str:
    """A bot file whose first act() runs ``act_body`` (which sets ``why``), then answers push orders."""
    src = HEADER + extra + "\nclass Bot:\n    def reset(self, info):\n        self.n = 0\n"
    src += "    def act(self, view, info):\n        self.n += 1\n        why, why2 = 'ok', None\n"
    src += "        if self.n == 1:\n"
    src += textwrap.indent(textwrap.dedent(act_body), " " * 12)
    src += "\n        return [O.push(1, why=str(why))] + ([O.push(2, why=why2)] if why2 else [])\n"
    path = tmp_path / "bots" / f"{name}.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(src)
    return f"sandbox:{path}:Bot"


def _decide(spec: str, real_view, log_dir: Path, n: int = 2, **kw) -> tuple[list, list[str], SandboxedPythonCoach]:
    """Load, reset and ask ``n`` decisions; (first decision's orders, fault reasons, coach) after close()."""
    state, info = real_view
    coach = load_bot(spec, **kw)
    coach.configure_arena(BUDGET, str(log_dir))
    coach.reset(info)
    first, faults = [], []
    try:
        for _ in range(n):
            view = team_view(state, 0)
            view["events"] = []
            try:
                out = coach.act(view, info)
                first = first or out
            except BotFault as e:
                faults.append(str(e))
            faults += coach.take_faults()
    finally:
        coach.close()
    return first, faults, coach


def _why(orders: list) -> str:
    assert orders, "the bot gave no orders"
    return orders[0].why


def _procs_with(marker: str) -> list[int]:
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{p}/cmdline").read_bytes():
                    found.append(int(p))
            except OSError:
                pass
    return found


def _leftover_cgroups() -> list[str]:
    mine = f"shotcaller-{os.getpid()}-"
    return [str(d) for root in Path("/sys/fs/cgroup").glob("*") for d in root.rglob(f"{mine}*") if d.is_dir()]


def test_a_bot_that_kills_its_parent_and_everything_it_can_does_not_touch_the_host(tmp_path, real_view):
    body = f"""
    hits = []
    for pid in (os.getppid(), 1, {os.getpid()}, {os.getppid()}):
        try:
            os.kill(pid, 9)
            hits.append(pid)
        except OSError as e:
            pass
    try:
        os.kill(-1, 9)  # every process it may signal (in its own namespace: none but itself)
    except OSError:
        pass
    why = 'killed ' + repr(hits)
    """
    orders, faults, coach = _decide(_bot(tmp_path, "killer", body), real_view, tmp_path)
    assert os.getppid() > 1  # we and our parent are alive
    assert _why(orders).startswith("killed") and faults == []
    assert coach.proc is None


def test_children_and_double_forked_daemons_do_not_outlive_close(tmp_path, real_view):
    marker = f"{1000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    body = f"""
    for i in range(20):
        subprocess.Popen(['sleep', '{marker}'], start_new_session=True)
    if os.fork() == 0:  # a daemon: fork, setsid, fork again
        os.setsid()
        if os.fork() == 0:
            os.execvp('sleep', ['sleep', '{marker}'])
        os._exit(0)
    time.sleep(0.2)
    why = 'children ' + str(len([p for p in os.listdir('/proc') if p.isdigit()]))
    """
    spec = _bot(tmp_path, "spawner", body)
    state, info = real_view
    coach = load_bot(spec)
    coach.configure_arena(BUDGET, str(tmp_path))
    coach.reset(info)
    view = team_view(state, 0)
    view["events"] = []
    orders = coach.act(view, info)
    assert int(_why(orders).split()[1]) >= 22  # the children run (pids seen in its own /proc)
    assert len(_procs_with(marker)) >= 21  # and are visible from the host
    coach.close()
    time.sleep(0.1)
    assert _procs_with(marker) == []
    assert _leftover_cgroups() == []


@pytest.mark.parametrize("cgroups", [True, False], ids=["cgroup", "rlimit-only"])
def test_a_fork_bomb_is_capped(tmp_path, real_view, monkeypatch, cgroups):
    if not cgroups:  # the second layer: the bot's own uid, bound by RLIMIT_NPROC
        monkeypatch.setattr("shotcaller.bots.sandbox.places", lambda: {})
    body = """
    n = 0
    for i in range(400):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            n += 1
        except OSError:
            break
    why = f'forked {n} uid {os.getuid()}'
    """
    orders, faults, coach = _decide(_bot(tmp_path, "bomb", body), real_view, tmp_path)
    forked, uid = int(_why(orders).split()[1]), int(_why(orders).split()[3])
    assert 10 <= forked <= 200  # it could fork, but the process limit held (64 tasks for the tree)
    assert forked <= coach.limits.max_processes
    assert uid != 0 or not drops_root()  # as root, the bot runs as a uid of its own
    assert _leftover_cgroups() == []


def test_host_files_and_environment_do_not_reach_the_bot(tmp_path, real_view, monkeypatch):
    token = f"s3cret-{time.time_ns()}"
    monkeypatch.setenv("SHOTCALLER_TEST_SECRET", token)
    secret = tmp_path / "secret.txt"
    secret.write_text(token)
    other = tmp_path / "other_bots" / "rival.py"
    other.parent.mkdir()
    other.write_text(f"# {token}\nclass Bot: pass\n")
    here = Path(__file__).resolve()
    probes = ["/etc/shadow", "/etc/passwd", "/root/.bashrc", str(secret), str(other), str(here), "/work"]
    body = f"""
    leaks = []
    for p in {probes!r}:
        try:
            if os.path.isdir(p):
                os.listdir(p)
            else:
                open(p, 'rb').read(16)
            leaks.append(p)
        except OSError:
            pass
    text = json.dumps(dict(os.environ))
    for f in ('/proc/1/environ', '/proc/self/environ', '/proc/1/cmdline'):
        try:
            text += open(f, 'rb').read().decode(errors='replace')
        except OSError:
            pass
    if {token!r} in text:
        leaks.append('environment')
    own = open(__file__).read(10)  # the canary: its own file is readable
    why = 'leaks:' + ','.join(leaks) + ' own:' + str(len(own))
    why2 = ','.join(sorted(os.environ))
    """
    orders, faults, _ = _decide(_bot(tmp_path, "reader", body), real_view, tmp_path)
    why = _why(orders)
    assert why == "leaks: own:10", why
    env_names = set(orders[1].why.split(","))
    assert env_names <= {
        "PATH",
        "HOME",
        "TMPDIR",
        "LANG",
        "PWD",
        "PYTHONPATH",
        "SHOTCALLER_WORLDS",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONNOUSERSITE",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "LC_CTYPE",
    }


def test_writes_stay_inside_and_the_temp_dir_is_bounded(tmp_path, real_view):
    outside = [tmp_path / "escape.txt", Path(__file__).resolve().parent / "escape_probe.txt", Path("/root/escape.txt")]
    body = f"""
    wrote = []
    for p in {[str(p) for p in outside] + ["/escape.txt", "/opt/shotcaller/bot/x.py", "/usr/escape"]!r}:
        try:
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, 'w').write('x')
            wrote.append(p)
        except OSError:
            pass
    filled = 0
    chunk = b'x' * (1 << 20)
    try:
        with open('/tmp/fill', 'wb') as f:
            for i in range(300):
                f.write(chunk)
                f.flush()
                filled += 1
    except OSError:
        pass
    why = f'filled {{filled}} wrote ' + repr(wrote)
    """
    orders, faults, coach = _decide(_bot(tmp_path, "writer", body), real_view, tmp_path)
    why = _why(orders)
    filled = int(why.split()[1])
    assert 1 <= filled <= coach.limits.tmp_mb  # it could write to its /tmp, up to its size
    assert all(not p.exists() for p in outside)
    assert not Path("/escape.txt").exists()
    # writes that "succeeded" (a path under the private /tmp, as the test's tmp_path is) stayed in the sandbox
    assert all(p.startswith("/tmp/") for p in json.loads(why.split(" wrote ")[1].replace("'", '"')))


def test_the_hosts_loopback_is_unreachable(tmp_path, real_view):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(0.3)
    port = srv.getsockname()[1]
    body = f"""
    s = socket.socket()  # the canary: sockets exist, only the host's network does not
    s.settimeout(1)
    try:
        s.connect(('127.0.0.1', {port}))
        s.sendall(b'hello from the sandbox')
        why = 'connected'
    except OSError as e:
        why = 'refused ' + type(e).__name__
    """
    try:
        orders, faults, _ = _decide(_bot(tmp_path, "net", body), real_view, tmp_path)
        assert _why(orders).startswith("refused"), _why(orders)
        with pytest.raises(TimeoutError):
            srv.accept()
    finally:
        srv.close()


def test_stale_cgroups_of_dead_hosts_are_swept():
    from shotcaller.bots.cgroups import _sweep, places

    if not places():
        pytest.skip("no writable cgroup here")
    base = next(iter(places().values())).base
    dead = 4_000_000  # above pid_max: no such process
    stale, fresh = base / f"shotcaller-{dead}-0", base / f"shotcaller-{dead}-1"
    stale.mkdir()
    fresh.mkdir()
    try:
        os.utime(stale, (0, 0))
        _sweep(base)
        assert not stale.exists() and fresh.exists()  # a recent one may still be in use
    finally:
        for d in (stale, fresh):
            if d.exists():
                d.rmdir()


def test_a_bot_stuck_in_a_loop_loses_its_decisions_and_is_silenced(tmp_path, real_view):
    state, info = real_view
    coach = load_bot(_bot(tmp_path, "loop", "while True:\n    pass"))
    coach.configure_arena(TimeBudget(budget_ms=50, bank_ms=100, max_faults=30), str(tmp_path))
    coach.reset(info)
    t0 = time.monotonic()
    faults = []
    for _ in range(32):  # it never reads its input again: 30 views are far more than a pipe holds
        view = team_view(state, 0)
        try:
            coach.act(view, info)
        except BotFault as e:
            faults.append(str(e))
    assert len(faults) == 30 and all("no answer within 50 ms" in f for f in faults), faults[-1]
    assert coach.silenced and coach.proc is None  # and its process is gone
    assert time.monotonic() - t0 < 5.0  # the host never blocked on the full pipe


def test_a_3gb_allocation_is_contained(tmp_path, real_view):
    body = """
    x = bytearray(3 << 30)
    why = 'allocated'
    """
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    orders, faults, _ = _decide(_bot(tmp_path, "hog", body), real_view, tmp_path, n=2)
    assert any("MemoryError" in f for f in faults), faults
    assert orders and orders[0].why == "ok"  # the next decision is answered normally
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: the host did not grow


def test_stdout_floods_go_to_a_capped_log(tmp_path, real_view):
    body = """
    for i in range(5):
        print('x' * (1 << 20))
    why = 'flooded'
    """
    orders, faults, coach = _decide(_bot(tmp_path, "flood", body), real_view, tmp_path)
    assert _why(orders) == "flooded" and faults == []
    log = Path(coach.log_path)
    assert log.parent == tmp_path
    text = log.read_text()
    assert (1 << 20) <= len(text) <= (1 << 20) + 200 and "more bytes of stderr dropped" in text


def test_huge_bad_orders_cost_short_faults_and_no_host_memory(tmp_path, short_world):
    path = tmp_path / "huge.py"
    path.write_text(
        HEADER
        + "class Bot:\n    n = 0\n    def act(self, view, info):\n        self.n += 1\n"
        + "        if self.n % 2:\n            return [[0, 2, 'x' * (1 << 20), 0]]\n"
        + "        return [O.push(1, why='y' * 5000)]\n"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = play_match(load_bot(f"sandbox:{path}:Bot"), load_bot("idle"), seed=2, world=short_world).result
    faults = [f for f in res["faults"] if f["team"] == "blue"]
    assert faults and all(len(f["reason"]) <= 300 for f in faults)
    assert len(json.dumps(res)) < 100_000
    assert res["teams"]["blue"]["orders_given"] > 0  # the valid answers still counted
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000


def test_a_bot_that_cannot_import_fails_preflight_in_one_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import no_such_module_here\nclass Bot:\n    def act(self, view, info): return []\n")
    coach = load_bot(f"sandbox:{path}:Bot")
    with pytest.raises(BotLoadError, match="ModuleNotFoundError: No module named 'no_such_module_here'") as e:
        coach.preflight()
    assert "\n" not in str(e.value)
    with pytest.raises(BotLoadError, match="no such file"):
        load_bot(f"sandbox:{tmp_path / 'missing.py'}:Bot")


def test_without_a_sandbox_sandbox_bots_refuse_and_exec_bots_warn(tmp_path, monkeypatch, real_view):
    monkeypatch.setenv(SANDBOX_ENV, "off")
    spec = _bot(tmp_path, "plain", "why = 'unsandboxed ' + str(os.path.exists('/etc/hostname'))")
    with pytest.raises(SandboxUnavailable, match="read your files, use the network"):
        load_bot(spec)
    with pytest.warns(UnsandboxedWarning, match="read your files, use the network"):
        load_bot(f"exec:{sys.executable} -c pass")
    with pytest.warns(UnsandboxedWarning):
        orders, faults, coach = _decide(spec, real_view, tmp_path, allow_unsandboxed=True)
    assert _why(orders) == "unsandboxed True" and not coach.sandbox  # really outside: the host's /etc


def test_unsandboxed_children_are_still_killed_on_close(tmp_path, monkeypatch, real_view):
    monkeypatch.setenv(SANDBOX_ENV, "off")
    marker = f"{2000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    from shotcaller.bots.cgroups import places

    escapes = bool(places())  # children in a session of their own: only a cgroup still finds them
    body = f"""
    for i in range(5):
        subprocess.Popen(['sleep', '{marker}'])
        subprocess.Popen(['sleep', '{marker}'], start_new_session={escapes})
    why = 'spawned'
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsandboxedWarning)
        orders, faults, coach = _decide(_bot(tmp_path, "spawn2", body), real_view, tmp_path, allow_unsandboxed=True)
    assert _why(orders) == "spawned"
    time.sleep(0.1)
    assert _procs_with(marker) == []


VIEW_BOT = (
    HEADER
    + '''
import hashlib

class Bot:
    """Orders that depend on both view APIs; each reason is a digest of everything the bot saw."""

    decide_every_s = 2.0

    def reset(self, info):
        self.n = 0

    def draft(self, view, info):
        free = view["available"]
        return free[0]["leader"] if info.side == "blue" else free[-1]["hero"]

    def act(self, view, info):
        self.n += 1
        a = view.arrays
        h = hashlib.sha256(json.dumps({k: view[k] for k in view if k != "privileged"}, sort_keys=True).encode())
        for sec in ("leaders", "enemy_leaders", "buildings"):
            for col in sorted(a[sec]):
                h.update(col.encode() + str(a[sec][col].dtype).encode() + a[sec][col].tobytes())
        h.update(np.asarray(a["units"]).tobytes())
        h.update(str([info.seed, info.team, info.side, info.leaders, info.enemy_leaders]).encode())
        lane = int(np.argmin(a["buildings"]["hp"][a["buildings"]["team"] == 1 - info.team][:3])) % 3
        out = [O.push(lane, why=f"{self.n}:{h.hexdigest()[:16]}")]
        if self.n == 2:
            out.append(O.buy("Iron Sword", info, leader=0, why="first item"))
        return out
'''
)


def test_a_sandboxed_bot_plays_as_it_does_in_process(tmp_path, short_world):
    path = tmp_path / "viewbot.py"
    path.write_text(VIEW_BOT)
    inproc = play_match(load_bot(f"{path}:Bot"), load_bot("idle"), seed=4, world=short_world)
    boxed_coach = load_bot(f"sandbox:{path}:Bot")
    boxed = play_match(boxed_coach, load_bot("idle"), seed=4, world=short_world)
    assert boxed.result["faults"] == []
    assert len(boxed.replay.reasons) > 5 and "first item" in [w for _, w in boxed.replay.reasons]
    assert boxed.replay.draft == inproc.replay.draft  # it drafted (over the hello handshake) as in-process
    assert boxed.replay.reasons == inproc.replay.reasons  # same views seen, same orders and reasons
    assert boxed.replay.orders == inproc.replay.orders
    assert {o[0] % 40 for o in boxed.replay.orders if o[1] == 0} == {0}  # its own cadence (decide_every = 40)
    assert boxed.result["bot_logs"]["blue"] and boxed_coach.proc is None


def test_sandboxed_spec_wraps_python_bots_only():
    from shotcaller.bots.sandbox import sandboxed_spec

    assert sandboxed_spec("bots/b.py:B") == "sandbox:bots/b.py:B"
    assert sandboxed_spec("pkg.mod:B") == "sandbox:pkg.mod:B"
    for spec in ("laner", "exec:bash bot.sh", "sandbox:b.py:B", "an-entry-point"):
        assert sandboxed_spec(spec) == spec


def test_a_sandboxed_strategist_sees_the_same_world_and_plays_the_same_match(tmp_path, content):
    """``info.world`` in the sandbox is the match's world (tables, params, config), not only its content:
    the strategist reads ``info.world.rec`` and must play exactly as in-process."""
    world = build_world(content, SimConfig(), Params(time_limit_s=90))
    path = tmp_path / "strat_bot.py"
    path.write_text(
        "from shotcaller.bots.builtin import StrategistCoach\n\n"
        "class Bot(StrategistCoach):\n"
        "    def reset(self, info):\n"
        "        super().reset(info)\n"
        "        assert info.world.params.time_limit_s == 90 and info.world.rec['unit_stats'].shape[0] > 0\n"
    )
    path.chmod(0o644)
    inproc = play_match(load_bot(f"{path}:Bot"), load_bot("pusher"), seed=5, world=world)
    boxed = play_match(load_bot(f"sandbox:{path}:Bot"), load_bot("pusher"), seed=5, world=world)
    assert boxed.result["faults"] == [] and inproc.result["faults"] == []
    assert boxed.replay.orders == inproc.replay.orders and boxed.replay.reasons == inproc.replay.reasons
    assert boxed.replay.checksums == inproc.replay.checksums


def test_a_sandboxed_bot_sees_the_map_variant_it_plays(tmp_path):
    """On a map variant (held-out evaluation), ``info.world.content`` in the sandbox is the match's content,
    map included, as in-process (it used to be the default content, whose map is map.txt)."""
    content = load_content(map_name="perturbed-1")
    world = build_world(content, SimConfig(map_name="perturbed-1"), Params(time_limit_s=5))
    path = tmp_path / "map_bot.py"
    path.write_text(
        "class Bot:\n"
        "    def reset(self, info):\n"
        "        assert info.world.content.map.name == 'perturbed-1', info.world.content.map.name\n"
        "        assert info.world.content.version == info.content_version\n\n"
        "    def act(self, view, info):\n"
        "        return []\n"
    )
    path.chmod(0o644)
    boxed = play_match(load_bot(f"sandbox:{path}:Bot"), load_bot("idle"), seed=5, world=world)
    assert boxed.result["faults"] == []


def test_a_file_inside_an_already_bound_folder_is_not_bound_again(tmp_path):
    """A program inside a virtualenv that is itself bound (CI's venv lives under /tmp) must not need a
    mount point inside the read-only mount: bubblewrap cannot create one there."""
    from shotcaller.bots.sandbox import _Mounts

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    m = _Mounts()
    m.add("--ro-bind", str(venv), str(venv))
    m.add("--ro-bind", str(venv / "bin" / "python"), str(venv / "bin" / "python"))
    assert m.args.count("--ro-bind") == 1
    m.add("--ro-bind", str(venv / "bin" / "python"), "/opt/elsewhere/python")  # another place: bound
    assert m.args.count("--ro-bind") == 2
