"""Run service calls off the main thread and deliver results back on it.

Two pools, as DESIGN.md says: a single-worker pool for the database (SQLite has one writer, so
queueing here is cheaper than queueing on the file lock) and a general pool for devices.
Workers report through one queued signal on the runner, so callbacks always run on the main
thread. Callbacks live in a dict keyed by task id rather than on per-task QObjects: creating
and deleting a QObject per task races with Qt's deferred deletion.

A task goes to the pool as a plain callable, not a ``QRunnable`` subclass: the pool wraps it,
runs it and lets it go. A Python ``QRunnable`` handed to the pool is owned by C++ from then
on, and one that is not auto-deleted (deleting it from Python would race the worker thread)
lived for the whole process with its closure and everything that closure held: about 40 jobs
per inspection, an ever larger heap for every full garbage collection to walk over a shift.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, SignalInstance

log = logging.getLogger(__name__)


class Pool(Enum):
    DB = "db"
    GENERAL = "general"


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class _Job:
    """One task, as the callable the pool runs (see the module's docstring for why)."""

    def __init__(self, task_id: int, fn: Callable[[], Any], report: SignalInstance) -> None:
        self._task_id = task_id
        self._fn: Callable[[], Any] | None = fn
        self._report = report

    def __call__(self) -> None:
        fn, self._fn = self._fn, None  # nothing of the task outlives its run
        if fn is None:
            return
        try:
            result = fn()
        except Exception as exc:  # delivered to the caller's on_error, never lost
            log.debug("task failed", exc_info=True)
            self._deliver(False, exc)
        else:
            self._deliver(True, result)

    def _deliver(self, ok: bool, value: Any) -> None:
        try:
            self._report.emit(self._task_id, ok, value)
        except RuntimeError:
            # The window (and its runner) closed while this task ran: nobody is listening.
            log.debug("task %s finished after its runner was deleted", self._task_id)


class TaskRunner(QObject):
    busyChanged = Signal(bool)
    _finished = Signal(int, bool, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools = {Pool.DB: QThreadPool(self), Pool.GENERAL: QThreadPool(self)}
        self._pools[Pool.DB].setMaxThreadCount(1)
        self._pools[Pool.GENERAL].setMaxThreadCount(4)
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._finished.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        pool: Pool = Pool.DB,
    ) -> None:
        task_id = next(self._ids)
        was_busy = self.busy
        self._pending[task_id] = _Pending(on_done, on_error)
        if not was_busy:
            self.busyChanged.emit(True)
        self._pools[pool].start(_Job(task_id, fn, self._finished))

    def _deliver(self, task_id: int, ok: bool, value: Any) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is None:
            return
        try:
            if ok:
                if pending.on_done:
                    pending.on_done(value)
            elif pending.on_error:
                pending.on_error(value)
            else:
                log.error("background task failed: %s", value)
        finally:
            if not self._pending:
                self.busyChanged.emit(False)

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """For shutdown and tests: wait for the pools to drain (results still need the loop)."""
        return all(pool.waitForDone(msecs) for pool in self._pools.values())
