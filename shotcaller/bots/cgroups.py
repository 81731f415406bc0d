"""Per-bot control groups: a process limit that holds for root, a memory and CPU limit, and a kill
that reaches every process a bot started (double-forked daemons included).

Both cgroup versions are supported, per controller: cgroup v2 when the controller is enabled for the
children of this process's cgroup, else the v1 hierarchy of that controller. A v2 hierarchy without
controllers still gives ``cgroup.kill``. Directories are created beside this process's own cgroup
(``shotcaller-<pid>-<n>``) and removed by :meth:`Cgroup.remove`.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_counter = itertools.count()


@dataclass(frozen=True)
class _Place:
    """Where one controller lives: the parent directory for new groups and its version (1 or 2)."""

    base: Path
    version: int


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(filesystem type, mount point, options) of every cgroup mount."""
    out = []
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[2] in ("cgroup", "cgroup2"):
            out.append((parts[2], parts[1], set(parts[3].split(","))))
    return out


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and under key ``""`` for v2."""
    paths: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, ctrls, path = line.split(":", 2)
        for c in ctrls.split(",") if ctrls else [""]:
            paths[c] = path
    return paths


def _probe(base: Path, limit_file: str, value: str | None) -> bool:
    """Whether a group can be created under ``base`` with ``limit_file`` in it (set to ``value``)."""
    d = base / f"shotcaller-probe-{os.getpid()}-{next(_counter)}"
    try:
        d.mkdir()
    except OSError:
        return False
    try:
        if value is None:
            return (d / limit_file).exists()
        (d / limit_file).write_text(value)
        return True
    except OSError:
        return False
    finally:
        try:
            d.rmdir()
        except OSError:
            pass


# controller -> (v2 limit file, v1 limit file, harmless values to probe them with: v2, v1)
_LIMIT_FILES = {
    "pids": ("pids.max", "pids.max", "64", "64"),
    "memory": ("memory.max", "memory.limit_in_bytes", str(1 << 30), str(1 << 30)),
    "cpu": ("cpu.max", "cpu.cfs_quota_us", "max 100000", "-1"),
}


STALE_S = 600.0  # an empty group of a process that is gone, older than this, is removed


def _sweep(base: Path) -> None:
    """Remove empty groups left under ``base`` by host processes that died without cleaning up."""
    try:
        found = list(base.glob("shotcaller-*-*"))
    except OSError:
        return
    for d in found:
        try:
            pid = int(d.name.split("-")[1])
            if pid == os.getpid() or time.time() - d.stat().st_mtime < STALE_S:
                continue
            try:
                os.kill(pid, 0)
                continue  # its owner may still use it
            except ProcessLookupError:
                pass
            d.rmdir()  # fails (harmlessly) while anything is still in it
        except (OSError, ValueError, IndexError):
            pass


@cache
def places() -> dict[str, _Place]:
    """Usable places per controller (``pids``, ``memory``, ``cpu``) and for ``kill`` (v2 ``cgroup.kill``);
    stale empty groups of dead processes found there are removed."""
    mounts, own = _mounts(), _own_paths()
    found: dict[str, _Place] = {}
    v2 = next((m for t, m, _ in mounts if t == "cgroup2"), None)
    if v2 is not None:
        base = Path(v2) / own.get("", "/").lstrip("/")
        try:
            enabled = set((base / "cgroup.subtree_control").read_text().split())
        except OSError:
            enabled = set()
        for ctrl, (v2file, _, value, _) in _LIMIT_FILES.items():
            if ctrl in enabled and _probe(base, v2file, value):
                found[ctrl] = _Place(base, 2)
        if _probe(base, "cgroup.kill", None):
            found["kill"] = _Place(base, 2)
    for ctrl, (_, v1file, _, value) in _LIMIT_FILES.items():
        if ctrl in found:
            continue
        mount = next((m for t, m, opts in mounts if t == "cgroup" and ctrl in opts), None)
        if mount is None:
            continue
        for rel in (own.get(ctrl, "/"), "/"):  # beside our own group, else at the top of the hierarchy
            base = Path(mount) / rel.lstrip("/")
            if _probe(base, v1file, value):
                found[ctrl] = _Place(base, 1)
                break
    for place in {p.base for p in found.values()}:
        _sweep(place)
    return found


class Cgroup:
    """One bot's groups: created with limits, joined by the child before it runs, killed, removed."""

    def __init__(self, max_processes: int, memory_mb: int, cpus: float) -> None:
        self.dirs: list[Path] = []
        name = f"shotcaller-{os.getpid()}-{next(_counter)}"
        limits = {
            "pids": str(max_processes),
            "memory": str(memory_mb << 20),
            "cpu": str(max(1000, int(cpus * 100_000))),
        }
        made: dict[Path, Path] = {}
        for ctrl, place in places().items():
            d = made.get(place.base)
            if d is None:
                d = place.base / name
                try:
                    d.mkdir()
                except OSError:
                    continue
                made[place.base] = d
                self.dirs.append(d)
            if ctrl == "kill":
                continue
            v2file, v1file, _, _ = _LIMIT_FILES[ctrl]
            try:
                if ctrl == "cpu" and place.version == 2:
                    (d / v2file).write_text(f"{limits['cpu']} 100000")
                else:
                    if ctrl == "cpu":
                        (d / "cpu.cfs_period_us").write_text("100000")
                    (d / (v2file if place.version == 2 else v1file)).write_text(limits[ctrl])
                    if ctrl == "memory" and place.version == 1 and (d / "memory.memsw.limit_in_bytes").exists():
                        try:
                            (d / "memory.memsw.limit_in_bytes").write_text(limits[ctrl])
                        except OSError:
                            pass  # no swap accounting: the memory limit alone holds
            except OSError:
                continue
        self.procs_files = [str(d / "cgroup.procs") for d in self.dirs]

    def join(self) -> None:
        """Move the calling process into every group (run in the child between fork and exec: plain
        system calls only)."""
        pid = str(os.getpid()).encode()
        for f in self.procs_files:
            fd = os.open(f, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def pids(self) -> set[int]:
        """Every process still in the groups."""
        out: set[int] = set()
        for f in self.procs_files:
            try:
                out.update(int(p) for p in Path(f).read_text().split())
            except OSError:
                pass
        return out

    def kill(self, timeout: float = 3.0) -> bool:
        """SIGKILL every process in the groups (``cgroup.kill`` where the kernel has it), then wait until
        they are gone; True when the groups are empty."""
        for d in self.dirs:
            if (d / "cgroup.kill").exists():
                try:
                    (d / "cgroup.kill").write_text("1")
                except OSError:
                    pass
        end = time.monotonic() + timeout
        while True:
            left = self.pids()
            if not left:
                return True
            for p in left:  # a fork between reading and killing is caught on the next round
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            if time.monotonic() > end:
                return False
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and delete the group directories."""
        if not self.dirs:
            return
        self.kill()
        for d in self.dirs:
            for _ in range(100):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
        self.dirs = []
        self.procs_files = []
