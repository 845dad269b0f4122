"""Run service calls off the main thread and deliver results back on it.

Two pools, as DESIGN.md says: a single-worker pool for the database (SQLite has one writer, so
queueing here is cheaper than queueing on the file lock) and a general pool for devices.
Results come back as queued signals, so callbacks always run on the main thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Pool(Enum):
    DB = "db"
    GENERAL = "general"


class _Relay(QObject):
    """Lives on the main thread; the worker emits, Qt queues, the callback runs here."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # delivered to the caller's on_error, never lost
            log.debug("task failed", exc_info=True)
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools = {Pool.DB: QThreadPool(self), Pool.GENERAL: QThreadPool(self)}
        self._pools[Pool.DB].setMaxThreadCount(1)
        self._pools[Pool.GENERAL].setMaxThreadCount(4)
        self._in_flight: set[_Relay] = set()

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        pool: Pool = Pool.DB,
    ) -> None:
        relay = _Relay(self)
        was_busy = self.busy
        self._in_flight.add(relay)

        def finish() -> None:
            self._in_flight.discard(relay)
            relay.deleteLater()
            if not self.busy:
                self.busyChanged.emit(False)

        def done(result: Any) -> None:
            try:
                if on_done:
                    on_done(result)
            finally:
                finish()

        def failed(error: BaseException) -> None:
            try:
                if on_error:
                    on_error(error)
                else:
                    log.error("background task failed: %s", error)
            finally:
                finish()

        relay.succeeded.connect(done)
        relay.failed.connect(failed)
        if not was_busy:
            self.busyChanged.emit(True)
        self._pools[pool].start(_Job(fn, relay))

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """For shutdown and tests: wait for the pools to drain (events still need processing)."""
        return all(pool.waitForDone(msecs) for pool in self._pools.values())
