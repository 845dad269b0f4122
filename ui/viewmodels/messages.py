"""A view-model's last message, kept as a way to say it, so it can be said again in the
language in force after a switch (a dialog left open while the grader changes language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance


#: What a view-model says: a way to say it in the language in force (``lambda: self.tr(...)``),
#: or a text already in the user's language (a service's refusal).
Message = str | Callable[[], str]


class RememberedMessage:
    """Mixin for view-models with ``messageChanged = Signal(str, str)`` (level, text)."""

    _last_message: tuple[str, Callable[[], str]] | None = None

    if TYPE_CHECKING:
        messageChanged: SignalInstance

    def message(self) -> tuple[str, str] | None:
        """The last message, (level, text), in the language in force now."""
        if self._last_message is None:
            return None
        level, render = self._last_message
        return level, render()

    def _say(self, level: str, render: Callable[[], str]) -> None:
        self._last_message = (level, render)
        self.messageChanged.emit(level, render())
