"""Who is signed in at this bench: sign-in, switching user, and idle sign-out.

The signed-in user's actor becomes ``context.actor``, which every view-model passes to the
services when an action runs, so each change is recorded (and authorised) as the person at
the bench. Signing out puts the station's own actor back: the services then refuse anything
that needs a user. Idle sign-out uses the Qt-free ``IdleTimer``; the window reports input
with :meth:`touch`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from station.auth import IdleTimer
from station.context import AppContext
from station.services.users import DemoSignIn, SignedIn, demo_sign_ins, list_users, sign_in
from ui.tasks import TaskRunner

IDLE_CHECK_MS = 1000


class SessionViewModel(QObject):
    userChanged = Signal(object)  # SignedIn | None
    # A demo database's users and PINs (list[DemoSignIn]), for the sign-in screen; a real
    # database has none.
    demoSignInsChanged = Signal(object)
    messageChanged = Signal(str)  # a refusal to show at the sign-in prompt
    signedOutIdle = Signal()
    signInNeeded = Signal()  # users exist and nobody is signed in: show the prompt

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        *,
        idle_sign_out_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._runner = runner
        self._station_actor = context.actor
        timeout = context.settings.idle_sign_out_s if idle_sign_out_s is None else idle_sign_out_s
        self._idle = IdleTimer(timeout, clock) if timeout > 0 else None
        self._timer = QTimer(self)
        self._timer.setInterval(IDLE_CHECK_MS)
        self._timer.timeout.connect(self.check_idle)
        self.user: SignedIn | None = None
        # True once users exist: the bench is then locked whenever nobody is signed in.
        self.required = False
        self.demo_sign_ins: list[DemoSignIn] = []

    def ask_if_needed(self) -> None:
        """Sign-in is asked for once someone can sign in (an active user with a PIN); a fresh
        station without users keeps working as the station itself (it cannot rule on
        disputes or manage users until an admin exists)."""
        db = self._context.db

        def work() -> bool:
            return any(user.has_pin and user.active for user in list_users(db))

        self._runner.submit(work, self._needed)

    def load_demo_sign_ins(self) -> None:
        """A demo database says who its demo users are and their PINs: read each time the
        sign-in screen opens, so a PIN reset since is not shown."""
        db = self._context.db
        self._runner.submit(lambda: demo_sign_ins(db), self._on_demo_sign_ins)

    def _on_demo_sign_ins(self, found: list[DemoSignIn]) -> None:
        self.demo_sign_ins = found
        self.demoSignInsChanged.emit(found)

    def _needed(self, users_exist: bool) -> None:
        self.required = users_exist
        if users_exist and self.user is None:
            self.signInNeeded.emit()

    def sign_in(self, username: str, pin: str) -> None:
        db, station = self._context.db, self._station_actor
        self._runner.submit(lambda: sign_in(db, station, username, pin), self._on_signed_in,
                            lambda error: self.messageChanged.emit(str(error)))  # fmt: skip

    def sign_out(self) -> None:
        self._timer.stop()
        self.user = None
        self._context.actor = self._station_actor
        self.userChanged.emit(None)

    def touch(self) -> None:
        """The person at the bench did something: the idle clock starts again."""
        if self._idle is not None:
            self._idle.touch()

    def check_idle(self) -> None:
        if self.user is not None and self._idle is not None and self._idle.expired():
            self.sign_out()
            self.signedOutIdle.emit()

    def _on_signed_in(self, signed: SignedIn) -> None:
        self.user = signed
        self._context.actor = signed.actor
        self.touch()
        if self._idle is not None:
            self._timer.start()
        self.userChanged.emit(signed)
