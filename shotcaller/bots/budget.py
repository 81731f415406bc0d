"""One time budget for every coach: each decision gets ``budget_ms`` plus what is left of a bank.

Every coach's budget is kept by one :class:`Clock` per match. An in-process coach's decisions run
through the clock, which interrupts them; a JSON-lines bot (``exec:``, ``sandbox:``,
:class:`shotcaller.bots.remote.SubprocessCoach`) owns its clock, runs each question through it and
waits for the answer only until :meth:`Clock.deadline_s` (its process is stopped, not interrupted). A decision that
runs past its budget plus the bank is **interrupted**: :class:`DecisionTimeout` is raised inside the
coach's code (by ``SIGALRM`` when the match runs on the main thread, by an asynchronous exception
otherwise), the decision's orders are lost and a fault is recorded. ``max_faults`` faults in a row
(overruns or exceptions) silence the coach for the rest of the match: its leaders keep playing their
default plan.

What cannot be interrupted in-process: a call into compiled code that does not return to the Python
interpreter (a huge NumPy operation, a C extension's loop, a ``nogil`` Numba function) is stopped only
when it returns; a coach that catches ``BaseException`` in a loop can keep running. The timer fires
again every 50 ms until the decision ends, so one swallowed interruption is not enough to escape, but
code that is truly hostile must run with ``sandbox:`` (its own process, killed at the deadline).
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from shotcaller.bots.base import TimeBudget

T = TypeVar("T")
REPEAT_S = 0.05  # after the deadline the interruption is raised again this often until the call ends


class DecisionTimeout(BaseException):
    """Raised inside a coach's code when its decision overran (a BaseException, so a coach's
    ``except Exception`` does not swallow it)."""


class BudgetExceeded(RuntimeError):
    """A decision ran out of time and was interrupted (what the match records as the fault)."""


class SilencedCoach(RuntimeError):
    """The coach was silenced after repeated faults; it is no longer asked."""


def _call_on_main_thread(fn: Callable[[], T], seconds: float) -> T:
    armed = [True]

    def on_alarm(signum: int, frame: Any) -> None:
        if armed[0]:
            raise DecisionTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    t0 = time.monotonic()
    outer = signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-4), REPEAT_S)  # someone else's alarm, if any
    try:
        return fn()
    finally:
        while True:  # the alarm may fire while we disarm it: disarm again until it held
            try:
                armed[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                if outer[0] > 0:  # give the host's own alarm back, minus the time spent here
                    signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - t0), 1e-3), outer[1])
                break
            except DecisionTimeout:
                continue


def _call_on_other_thread(fn: Callable[[], T], seconds: float) -> T:
    ident = threading.get_ident()
    done = threading.Event()

    def interrupt() -> None:
        if done.wait(seconds):
            return
        while not done.is_set():  # raise in the coach's thread at its next bytecode, again until it ends
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(DecisionTimeout))
            done.wait(REPEAT_S)

    watchdog = threading.Thread(target=interrupt, name="shotcaller-decision-watchdog", daemon=True)
    watchdog.start()
    try:
        return fn()
    finally:
        while True:
            try:
                done.set()
                watchdog.join()
                # a pending asynchronous exception that was set just before ``done``: clear it
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
                break
            except DecisionTimeout:
                continue


def call_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, interrupted with :class:`DecisionTimeout` if it runs longer than ``seconds``."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _call_on_main_thread(fn, seconds)
    return _call_on_other_thread(fn, seconds)


class Clock:
    """A coach's time budget over one match: the per-decision budget, the bank, faults in a row.

    Args:
        budget: the coach's :class:`TimeBudget`.
        enforce: interrupt overrunning decisions (in-process coaches); False for coaches that time
            themselves (they wait at most :meth:`deadline_s`; their overruns come back as exceptions and
            count toward silencing like any fault).
        on_silence: called once when the coach is silenced (a JSON-lines coach stops its process).
    """

    def __init__(self, budget: TimeBudget, enforce: bool = True, on_silence: Callable[[], None] | None = None) -> None:
        self.budget = budget
        self.enforce = enforce
        self.on_silence = on_silence
        self.bank_s = budget.bank_ms / 1000.0
        self.faults_in_a_row = 0
        self.silenced = False

    def deadline_s(self) -> float:
        """Seconds the next decision may take: its budget plus what is left of the bank."""
        return self.budget.budget_ms / 1000.0 + self.bank_s

    def call(self, fn: Callable[[], T]) -> T:
        """Run one decision of the coach. Raises :class:`BudgetExceeded` when it was interrupted,
        :class:`SilencedCoach` when the coach is silenced, and re-raises the coach's own exceptions
        (each of these counts as a fault in a row)."""
        if self.silenced:
            raise SilencedCoach(f"silenced after {self.budget.max_faults} faults in a row")
        per = self.budget.budget_ms / 1000.0
        t0 = time.perf_counter()
        try:
            out = call_with_deadline(fn, per + self.bank_s) if self.enforce else fn()
        except DecisionTimeout:
            self.bank_s = 0.0
            self._fault()
            raise BudgetExceeded(
                f"decision took longer than its {self.budget.budget_ms:g} ms budget plus the bank; interrupted"
            ) from None
        except BaseException:
            self.bank_s = max(0.0, self.bank_s - max(0.0, time.perf_counter() - t0 - per))
            self._fault()
            raise
        self.bank_s = max(0.0, self.bank_s - max(0.0, time.perf_counter() - t0 - per))
        self.faults_in_a_row = 0
        return out

    def _fault(self) -> None:
        self.faults_in_a_row += 1
        if self.faults_in_a_row >= self.budget.max_faults and not self.silenced:
            self.silenced = True
            if self.on_silence is not None:
                self.on_silence()
