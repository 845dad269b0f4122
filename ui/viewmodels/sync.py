"""Sync state for the window: what is waiting, what failed and what it holds back (a unit's
later events wait behind its dead letter), retry or resolve — never blocking the bench.

The relay delivers on its own thread; its per-pass callback is re-emitted here as a queued
signal, and the status is read on a worker. The bench works offline as usual: this only shows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from station.db import Database
from station.services.common import Actor
from station.sync import status as sync_status
from station.sync.status import SyncStatus
from ui.tasks import Pool, TaskRunner


class SyncViewModel(QObject):
    statusChanged = Signal(object)
    messageChanged = Signal(str)  # a refused retry (e.g. nobody with the right role signed in)
    _relayPassed = Signal()

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        *,
        wake_relay: Callable[[], None] | None = None,
        actor: Callable[[], Actor] | None = None,
        refresh_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._wake_relay = wake_relay
        self._actor = actor
        self._busy = False
        self.status: SyncStatus | None = None
        self._relayPassed.connect(self.refresh)
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def stop(self) -> None:
        """Stop refreshing on the timer (the window closing; a test ending)."""
        self._timer.stop()

    def relay_passed(self, _counts: object = None) -> None:
        """The relay's on_status callback (any thread): refresh the picture on the UI side."""
        self._relayPassed.emit()

    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True
        db = self._db
        self._runner.submit(lambda: sync_status.sync_status(db), self._on_status,
                            self._on_error, Pool.GENERAL)  # fmt: skip

    def deliver_now(self) -> None:
        """A verdict was just recorded: ask the relay not to wait for its interval."""
        if self._wake_relay is not None:
            self._wake_relay()

    def retry(self, delivery_id: uuid.UUID) -> None:
        db, actor = self._db, self._acting()
        self._runner.submit(lambda: sync_status.retry(db, actor, delivery_id), self._after_retry,
                            lambda error: self.messageChanged.emit(str(error)))  # fmt: skip

    def retry_all_dead(self) -> None:
        db, actor = self._db, self._acting()
        self._runner.submit(lambda: sync_status.retry_all_dead(db, actor), self._after_retry,
                            lambda error: self.messageChanged.emit(str(error)))  # fmt: skip

    def resolve(self, delivery_id: uuid.UUID, reason: str) -> None:
        """A supervisor settled a dead letter by hand: it stops holding its unit's events."""
        db, actor = self._db, self._acting()
        self._runner.submit(lambda: sync_status.resolve(db, actor, delivery_id, reason),
                            self._after_retry,
                            lambda error: self.messageChanged.emit(str(error)))  # fmt: skip

    def held_lines(self) -> list[str]:
        """One line per endpoint with events held behind a dead letter (count and units), in
        the language in force: what the indicator's tip and the dead-letter list say."""
        if self.status is None:
            return []
        return [
            sync_status.held_text(e.held, e.held_units) for e in self.status.endpoints if e.held
        ]

    def _acting(self) -> Actor:
        """Who retries: the signed-in user (a supervisor); the service checks the role."""
        if self._actor is None:
            raise RuntimeError("SyncViewModel needs an actor provider to retry deliveries")
        return self._actor()

    def _after_retry(self, _count: object) -> None:
        self.deliver_now()
        self.refresh()

    def _on_status(self, status: SyncStatus) -> None:
        self._busy = False
        self.status = status
        self.statusChanged.emit(status)

    def _on_error(self, _error: BaseException) -> None:
        self._busy = False
