"""Where tournament games run: in this process, in a local process pool, or as Ray tasks; a few
games per task, results handed to the driver as each task returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from shotcaller.arena.workers import Game, Job, describe_error, play_chunk
from shotcaller.raycluster import RAY_INSTALL_HINT, BackendUnavailable, connect

__all__ = ["BACKENDS", "RAY_INSTALL_HINT", "BackendUnavailable", "run_pool", "run_ray", "run_serial"]

BACKENDS = ("local", "ray")
MAX_CHUNK = 8  # games per task: cheap games (0.15-0.5 s) would otherwise pay the per-task overhead each


def chunk_size(n_games: int, slots: int) -> int:
    """Games per task: up to MAX_CHUNK, but small enough that every slot gets about four tasks."""
    return max(1, min(MAX_CHUNK, n_games // (4 * max(1, slots))))


def _chunks(games: list[Game], size: int) -> Iterator[list[Game]]:
    for i in range(0, len(games), size):
        yield games[i : i + size]


def _failed(chunk: list[Game], why: str) -> list[dict[str, Any]]:
    return [{"game": g, "error": why} for g in chunk]


def run_serial(todo: list[Game], job: Job, handle: Callable) -> None:
    for g in todo:
        for out in play_chunk([g], job):
            handle(out)


def run_pool(todo: list[Game], workers: int, size: int | None, job: Job, handle: Callable) -> None:
    """A local process pool; at most 2 tasks per worker in flight. A worker that dies (the pool
    breaks) fails the games in flight, and a new pool goes on with the rest."""
    chunks = _chunks(todo, size or chunk_size(len(todo), workers))
    pool = ProcessPoolExecutor(max_workers=workers)
    pending: dict[Any, tuple[list[Game], ProcessPoolExecutor]] = {}

    def renew(old: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A new pool in place of a broken one (the old one fails its own tasks by itself)."""
        old.shutdown(wait=False, cancel_futures=True)
        return ProcessPoolExecutor(max_workers=workers)

    try:
        while True:
            while len(pending) < 2 * workers and (chunk := next(chunks, None)) is not None:
                try:
                    pending[pool.submit(play_chunk, chunk, job)] = (chunk, pool)
                except BrokenProcessPool:  # a worker died since the last wait: its futures will say so
                    pool = renew(pool)
                    pending[pool.submit(play_chunk, chunk, job)] = (chunk, pool)
            if not pending:
                return
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in ready:
                chunk, owner = pending.pop(f)
                try:
                    outs = f.result()
                except BrokenProcessPool as e:
                    outs = _failed(chunk, f"worker process died: {e}")
                    if owner is pool:
                        pool = renew(pool)
                except Exception as e:
                    outs = _failed(chunk, f"task failed: {describe_error(e)}")
                for out in outs:
                    handle(out)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_ray(
    todo: list[Game],
    workers: int | None,
    size: int | None,
    job: Job,
    handle: Callable,
    address: str | None,
) -> None:
    """Ray tasks on the cluster at ``address`` (or a local instance ray.init starts); at most
    ``workers`` (default: 2 per cluster CPU) tasks in flight, results stored as each task returns."""
    ray, started = connect(address)
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        inflight = workers or 2 * cpus
        chunks = _chunks(todo, size or chunk_size(len(todo), min(inflight, cpus)))
        task = ray.remote(num_cpus=1)(play_chunk)
        pending: dict[Any, list[Game]] = {}
        while True:
            while len(pending) < inflight and (chunk := next(chunks, None)) is not None:
                pending[task.remote(chunk, job)] = chunk
            if not pending:
                return
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                chunk = pending.pop(ref)
                try:
                    outs = ray.get(ref)
                except Exception as e:  # the task itself failed (worker died, module missing on the node, ...)
                    last = (str(e).strip().splitlines() or [""])[-1]
                    outs = _failed(chunk, f"Ray task failed: {type(e).__name__}: {last}")
                for out in outs:
                    handle(out)
    finally:
        if started:
            ray.shutdown()
