"""Run service calls off the main thread and deliver results back on it.

Two pools, as DESIGN.md says: a single-worker pool for the database (SQLite has one writer, so
queueing here is cheaper than queueing on the file lock) and a general pool for devices.
Workers report through one queued signal on the runner, so callbacks always run on the main
thread. Callbacks live in a dict keyed by task id rather than on per-task QObjects: creating
and deleting a QObject per task races with Qt's deferred deletion.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance

log = logging.getLogger(__name__)


class Pool(Enum):
    DB = "db"
    GENERAL = "general"


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    job: QRunnable


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], report: SignalInstance) -> None:
        super().__init__()
        # Python keeps the job alive until its result is handled; Qt must not delete it.
        self.setAutoDelete(False)
        self._task_id = task_id
        self._fn = fn
        self._report = report

    def run(self) -> None:
        try:
            result = self._fn()
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
        job = _Job(task_id, fn, self._finished)
        was_busy = self.busy
        self._pending[task_id] = _Pending(on_done, on_error, job)
        if not was_busy:
            self.busyChanged.emit(True)
        self._pools[pool].start(job)

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
