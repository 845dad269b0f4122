"""A view-model's last message, kept as a way to say it, so it can be said again in the
language in force after a switch (a dialog left open while the grader changes language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance


class RememberedMessage:
    """Mixin for view-models with ``messageChanged = Signal(str, str)`` (level, text)."""

    _message: tuple[str, Callable[[], str]] | None = None

    if TYPE_CHECKING:
        messageChanged: SignalInstance

    def message(self) -> tuple[str, str] | None:
        """The last message, (level, text), in the language in force now."""
        if self._message is None:
            return None
        level, render = self._message
        return level, render()

    def _say(self, level: str, render: Callable[[], str]) -> None:
        self._message = (level, render)
        self.messageChanged.emit(level, render())
