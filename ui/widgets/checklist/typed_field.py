"""A field for a typed number that is judged before it is recorded, and its message line.

Shared by the measurement items and the typed-weight box. A refused value stays in the field
with the reason under it, so the grader corrects it rather than retyping it. A value far from
what is expected is asked about under the field: Enter again records it, Esc withdraws the
question (the window's Esc, "cancel the inspection", waits while a question is open). All by
keyboard: a modal dialog would take the grader's hand off the keys and the focus off the form.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from ui.theme import set_style_property


class TypedField(QLineEdit):
    """A line edit that remembers the text a question was asked about.

    ``asked`` is that text (stripped) while the question is open; editing the text withdraws
    it, and so does Esc, which then belongs to the field rather than to the window.
    """

    withdrawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asked: str | None = None
        self.textEdited.connect(self._edited)

    def ask(self) -> None:
        self.asked = self.text().strip()

    def confirmed(self) -> bool:
        """Whether the grader has been asked about exactly this text already."""
        return self.asked is not None and self.asked == self.text().strip()

    def withdraw(self) -> None:
        self.asked = None

    def _edited(self, _text: str) -> None:
        if self.asked is not None:
            self.asked = None
            self.withdrawn.emit()

    def event(self, event: QEvent) -> bool:
        # Esc is the window's shortcut; while a question is open the field takes it first.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.asked is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.asked is not None:
            self.asked = None
            self.selectAll()  # what was typed stays, ready to be typed over
            self.withdrawn.emit()
            return
        super().keyPressEvent(event)


class ProblemLine(QLabel):
    """The line under a typed field: why a value was refused, or the question about it."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.hide()

    def say(self, level: str, text: str) -> None:
        set_style_property(self, "state", level)
        self.setText(text)
        self.setVisible(bool(text))

    def clear_text(self) -> None:
        self.say("info", "")
