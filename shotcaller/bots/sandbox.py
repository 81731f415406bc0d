"""The sandbox around bot processes: bubblewrap namespaces, a minimal read-only filesystem, limits, kills.

A sandboxed bot (``exec:`` or ``sandbox:``) runs under bubblewrap with

* a clean environment (``--clearenv`` plus PATH, HOME, LANG; bubblewrap itself is started with the
  same minimal environment, so ``/proc/1/environ`` inside shows nothing of the host's);
* only what it needs bound read-only: ``/usr`` (system programs and libraries), the Python
  interpreter's prefix *without* its site-packages, and for ``sandbox:`` the ``shotcaller`` package,
  ``numpy`` and the bot's own file; for ``exec:`` the program and the files named on its command line.
  Never the host's ``/``, ``/etc``, ``/root``, ``/home`` or the directory the bot came from;
* a private, size-limited ``/tmp`` (its working directory), the rest of the filesystem read-only;
* its own network (no interface but a dead loopback), PID, IPC and UTS namespaces, a new session,
  no capabilities, and ``--die-with-parent``;
* a per-bot cgroup (:mod:`shotcaller.bots.cgroups`): a process limit that holds for root, a memory
  limit for the whole tree (its ``/tmp`` included) and a CPU share; plus rlimits per process
  (address space, CPU seconds, file size, and the process count when not root).

When the host runs as root, the process limit needs a writable cgroup (``RLIMIT_NPROC`` does not bind
root); when nothing can hold the process count, or bubblewrap is missing or fails, the sandbox is
*unavailable*: :func:`sandbox_available` says why, ``sandbox:`` bots refuse to run unless allowed, and
``exec:`` bots run with a warning. Setting ``SHOTCALLER_SANDBOX=off`` forces the unavailable path
(tests use it).

Every child, sandboxed or not, gets the rlimits, its own session, and on :meth:`Jail.kill` its process
group and cgroup are killed, so nothing it started outlives the match.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import resource
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from functools import cache

from shotcaller.bots.cgroups import Cgroup, places
from shotcaller.bots.loader import BotLoadError

SANDBOX_ENV = "SHOTCALLER_SANDBOX"  # "off": behave as if no sandbox were available
LIB = "/opt/shotcaller/lib"  # where the Python packages a sandbox: bot needs are bound
BOT_DIR = "/opt/shotcaller/bot"  # where a sandbox: bot's own file is bound
WORKDIR = "/tmp"
CHILD_PACKAGES = ("numpy",)  # what the sandbox: runner needs besides shotcaller (and its .libs)
UID_BASE, UID_SPAN = 200_000, 100_000  # the uids sandboxed bots run as when the host is root
_uids = itertools.count()


class SandboxUnavailable(BotLoadError):
    """A ``sandbox:`` bot cannot be contained here (the message says why) and running it unsandboxed
    was not allowed."""


class UnsandboxedWarning(UserWarning):
    """A bot process runs without a sandbox, with the host's rights."""


RISK = (
    "it runs with this host's rights: it can read your files, use the network, and kill or leave behind "
    "processes (only resource limits and a process-group kill apply)"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one bot process tree.

    Attributes:
        memory_mb: address space per process (RLIMIT_AS) and memory of the whole tree (cgroup).
        cpu_seconds: CPU time per process (RLIMIT_CPU).
        file_mb: largest file the bot may write (RLIMIT_FSIZE).
        max_processes: processes and threads of the whole tree (cgroup ``pids.max``; RLIMIT_NPROC
            beyond the user's current count when not root).
        tmp_mb: size of the private ``/tmp``.
        cpus: CPU share of the tree (cgroup quota; 1.0 = one core).
    """

    memory_mb: int = 1024
    cpu_seconds: int = 600
    file_mb: int = 16
    max_processes: int = 64
    tmp_mb: int = 64
    cpus: float = 1.0


def bwrap_path() -> str | None:
    """The bubblewrap program, or None (not Linux, or not installed)."""
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


def minimal_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The whole environment a bot process gets: nothing of the host's."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": WORKDIR,
        "TMPDIR": WORKDIR,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update(extra or {})
    return env


class _Mounts:
    """The bubblewrap mount arguments, in order; the directories leading to each mount point are made
    0755 (bubblewrap would make them 0700, closed to the sandbox's unprivileged user)."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.points: list[str] = []  # read-only mounts so far (no directory can be created inside one)
        self.identity: list[str] = []  # those of them that show the host's own path at the same place
        self.dirs: set[str] = {"/"}

    def _parents(self, dst: str) -> None:
        parts = dst.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/" + "/".join(parts[:i])
            inside = any(d == p or d.startswith(p.rstrip("/") + "/") for p in self.points)
            if d not in self.dirs and not inside:
                self.args += ["--perms", "0755", "--dir", d]
                self.dirs.add(d)

    def add(self, op: str, src: str | None, dst: str, *prefix: str) -> None:
        """One mount: ``op`` (``--ro-bind``, ``--symlink``, ``--tmpfs``, ``--proc``, ``--dev``) from ``src``.
        A read-only bind of a file that an earlier bind of its folder already shows, the same file at the
        same path, is left out (bubblewrap cannot make a mount point inside a read-only mount: a
        program inside a virtualenv that is itself bound, say)."""
        if op == "--ro-bind" and src is not None and self._already_shown(src, dst):
            return
        self._parents(dst)
        self.args += [*prefix, op, *([src] if src is not None else []), dst]
        if op == "--ro-bind":
            self.points.append(dst)
            if src is not None and os.path.realpath(src) == os.path.realpath(dst):
                self.identity.append(dst)

    def _already_shown(self, src: str, dst: str) -> bool:
        inside = any(dst.startswith(p.rstrip("/") + "/") for p in self.identity)
        return inside and os.path.realpath(dst) == os.path.realpath(src)

    def binds(self, flat: list[str]) -> None:
        """``--ro-bind SRC DST`` triples."""
        for i in range(0, len(flat), 3):
            if flat[i] != "--ro-bind":
                raise ValueError(f"only --ro-bind SRC DST triples may be added to the sandbox, got {flat[i]!r}")
            self.add("--ro-bind", flat[i + 1], flat[i + 2])


def _system_mounts(m: _Mounts) -> None:
    """``/usr`` and the top-level links or directories into it (/bin, /lib, ...), the dynamic linker's
    cache and the alternatives links; nothing else of the host's root."""
    m.add("--ro-bind", "/usr", "/usr")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            m.add("--symlink", os.readlink(top), top)
        elif os.path.isdir(top):
            m.add("--ro-bind", top, top)
    for f in ("/etc/ld.so.cache", "/etc/alternatives"):
        if os.path.exists(f):
            m.add("--ro-bind", f, f)


def _python_mounts(m: _Mounts) -> None:
    """The interpreter's prefixes read-only, each site-packages hidden under an empty read-only tmpfs."""
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    for p in sorted(prefixes):
        if p not in ("/", "/usr") and os.path.isdir(p):
            m.add("--ro-bind", p, p)
    exe = os.path.realpath(sys.executable)
    if not any(exe.startswith(p.rstrip("/") + "/") for p in prefixes | {"/usr"}):
        m.add("--ro-bind", exe, exe)
    hidden = {os.path.realpath(p) for p in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]}
    for sp in sorted(hidden):
        if os.path.isdir(sp) and any(sp.startswith(p.rstrip("/") + "/") for p in prefixes | {"/usr"}):
            m.add("--tmpfs", None, sp, "--size", "4096")
            m.args += ["--remount-ro", sp]


def package_binds(names: tuple[str, ...]) -> list[str]:
    """Each top-level package (and its ``NAME.libs`` folder of bundled libraries) bound under :data:`LIB`."""
    args: list[str] = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise BotLoadError(f"package {name!r} is not installed, so it cannot be given to the sandbox")
        if spec.submodule_search_locations:
            src = os.path.realpath(list(spec.submodule_search_locations)[0])
            args += ["--ro-bind", src, f"{LIB}/{name}"]
            libs = src + ".libs"
            if os.path.isdir(libs):
                args += ["--ro-bind", libs, f"{LIB}/{name}.libs"]
        elif spec.origin:
            src = os.path.realpath(spec.origin)
            args += ["--ro-bind", src, f"{LIB}/{os.path.basename(src)}"]
    return args


def _setpriv() -> str | None:
    """``setpriv`` (util-linux) under /usr, to drop root to the bot's own uid inside the sandbox."""
    for p in ("/usr/bin/setpriv", "/usr/sbin/setpriv"):
        if os.access(p, os.X_OK):
            return p
    return None


def drops_root() -> bool:
    """Whether a sandboxed bot runs as its own unprivileged uid although the host is root."""
    return os.geteuid() == 0 and _setpriv() is not None


def bot_uid() -> int:
    """A fresh unprivileged uid (and gid) for one sandboxed bot: no file on the host belongs to it, and
    ``RLIMIT_NPROC`` counts only its own processes."""
    return UID_BASE + (os.getpid() * 131 + next(_uids)) % UID_SPAN


def bwrap_command(
    cmd: list[str], binds: list[str], env: dict[str, str], limits: Limits, uid: int | None = None
) -> list[str]:
    """``cmd`` inside bubblewrap, seeing only the system, the interpreter and ``binds`` (``--ro-bind SRC
    DST`` triples); as root it runs as ``uid`` (see module doc)."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed (apt-get install bubblewrap)")
    args = [bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        args.append("--unshare-user")  # an unprivileged bwrap needs it; RLIMIT_NPROC binds this uid
    args += ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    drop = drops_root()
    if drop:  # only to switch to the bot's uid; setpriv then drops every capability
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    args.append("--clearenv")
    for k, v in env.items():
        args += ["--setenv", k, v]
    m = _Mounts()
    _system_mounts(m)
    m.add("--proc", None, "/proc")
    m.add("--dev", None, "/dev")
    m.add("--tmpfs", None, WORKDIR, "--perms", "1777", "--size", str(limits.tmp_mb << 20))
    _python_mounts(m)
    m.binds(binds)
    args += m.args + ["--remount-ro", "/", "--chdir", WORKDIR, "--"]
    if drop:
        u = str(uid if uid is not None else bot_uid())
        args += [_setpriv() or "setpriv", "--reuid", u, "--regid", u, "--clear-groups"]
        args += ["--inh-caps", "-all", "--bounding-set", "-all", "--"]
    return args + cmd


def program_path(name: str) -> str:
    """The absolute path of a sandboxed bot's program, found on the host's PATH. ``python``/``python3``
    mean the interpreter running the match when the host's is a launcher script (a pyenv or similar
    shim, which would need the host's home directory inside the sandbox)."""
    path = shutil.which(name) or name
    base = os.path.basename(name)
    if base in ("python", "python3", f"python3.{sys.version_info.minor}") and os.path.isfile(path):
        with open(path, "rb") as f:
            if f.read(2) == b"#!":
                return sys.executable
    return os.path.abspath(path)


@cache
def _probe_sandbox() -> tuple[bool, str]:
    if bwrap_path() is None:
        return False, "bubblewrap (bwrap) is not installed (apt-get install bubblewrap)"
    found = places()
    if os.geteuid() == 0 and "pids" not in found and not drops_root():
        return False, (
            "running as root with no writable cgroup 'pids' controller and no setpriv to run bots as their own "
            "user: no process limit would hold (RLIMIT_NPROC does not bind root)"
        )
    cmd = bwrap_command([sys.executable, "-c", "pass"], [], minimal_env(), Limits())
    try:
        run = subprocess.run(cmd, capture_output=True, timeout=20, env=minimal_env())
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"bubblewrap does not start here: {e}"
    if run.returncode != 0:
        tail = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit code {run.returncode}"]
        return False, f"bubblewrap does not work here: {tail[0][:200]}"
    held = ", ".join(k for k in ("pids", "memory", "cpu") if k in found) or "none (rlimits only)"
    who = "its own uid" if drops_root() or os.geteuid() != 0 else "root without capabilities"
    return True, f"bubblewrap with namespaces, the bot as {who}; cgroup limits: {held}"


def sandbox_available() -> tuple[bool, str]:
    """Whether bot processes can be sandboxed here, and a one-line explanation (the reason when not)."""
    if os.environ.get(SANDBOX_ENV, "").lower() in ("off", "0", "no"):
        return False, f"the sandbox is switched off ({SANDBOX_ENV}=off)"
    return _probe_sandbox()


def sandboxed_spec(spec: str) -> str:
    """The ``sandbox:`` form of a Python bot spec (``FILE.py:Class`` or ``module:Class``); built-in
    names, ``exec:``, ``sandbox:`` and entry-point names are returned unchanged."""
    from shotcaller.bots.builtin import BUILTIN

    if spec in BUILTIN or spec.startswith(("exec:", "sandbox:")) or ":" not in spec:
        return spec
    return "sandbox:" + spec


def _rlimits(limits: Limits, cgroup: Cgroup | None, own_uid: bool) -> None:
    """Set the calling process's rlimits and join its cgroup (between fork and exec: system calls only).
    ``own_uid``: the bot will run as a uid of its own, which ``RLIMIT_NPROC`` then binds."""
    mb = 1 << 20
    if cgroup is not None:
        cgroup.join()
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * mb, limits.file_mb * mb))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if own_uid:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
    elif os.geteuid() != 0:  # per-user count: allow this many beyond what the user already runs
        mine = 0
        for p in os.listdir("/proc"):
            try:
                mine += p.isdigit() and os.stat(f"/proc/{p}").st_uid == os.getuid()
            except OSError:
                pass
        n = mine + limits.max_processes
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))


class Jail:
    """A started bot process: its Popen, its cgroup, and a kill that reaches everything it started."""

    def __init__(
        self,
        cmd: list[str],
        *,
        sandbox: bool,
        binds: list[str],
        env: dict[str, str],
        limits: Limits,
        cwd: str | None = None,
    ) -> None:
        self.cgroup: Cgroup | None = Cgroup(limits.max_processes, limits.memory_mb, limits.cpus) if places() else None
        if self.cgroup is not None and not self.cgroup.dirs:
            self.cgroup = None
        own_uid = sandbox and drops_root()
        self.uid = bot_uid() if own_uid else os.geteuid()
        argv = bwrap_command(cmd, binds, env, limits, self.uid) if sandbox else cmd
        cgroup = self.cgroup
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=None if sandbox else cwd,
                env=env,
                start_new_session=True,
                preexec_fn=lambda: _rlimits(limits, cgroup, own_uid),
            )
        except BaseException:
            if self.cgroup is not None:
                self.cgroup.remove()
            raise

    def kill(self) -> None:
        """SIGKILL the process group and every process in the cgroup, reap the child, remove the cgroup."""
        proc = self.proc
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        try:
            proc.kill()
        except OSError:
            pass
        proc.wait()
        for f in (proc.stdin, proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
