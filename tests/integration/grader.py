"""A scripted grader for the window flows: keys through the window, as the window system
delivers them (shortcuts, the wedge filter, then the focused widget), scans as a serial
scanner's arrive; each one counted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from ui.viewmodels.bench import BenchViewModel
from ui.widgets.bench_window import BenchWindow

WAIT_MS = 15_000  # generous: a loaded machine is slow; a pass never takes this long


class Grader:
    """Drives the window by keys and scans only, and counts them."""

    def __init__(self, qtbot: Any, window: BenchWindow, vm: BenchViewModel) -> None:
        self.qtbot, self.window, self.vm = qtbot, window, vm
        self.actions = 0
        self.feedback: list[str] = []
        vm.feedback.connect(self.feedback.append)

    def scan(self, code: str) -> None:
        self.actions += 1
        assert self.window.wedge is not None
        self.window.wedge.scanned.emit(code)

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.actions += 1
        focused = QApplication.focusWidget()
        window = (focused.window() if focused is not None else self.window).windowHandle()
        self.qtbot.keyClick(window, key, modifier)

    def focused_item(self) -> str | None:
        widget: QWidget | None = QApplication.focusWidget()
        while widget is not None and not widget.objectName().startswith("item_"):
            widget = widget.parentWidget()
        return widget.objectName().removeprefix("item_") if widget is not None else None

    def answer(self, code: str, value: Any) -> None:
        """The focused question must be ``code``; press the digit the wanted answer shows."""
        self.qtbot.waitUntil(lambda: self.focused_item() == code, timeout=WAIT_MS)
        buttons = self.window.form.answer_widgets(code)
        button = next(b for b in buttons if b.property("answer") == value)
        self.key(Qt.Key(Qt.Key.Key_0 + int(button.property("key"))))
        self.qtbot.waitUntil(lambda: self.vm.answer(code) == value, timeout=WAIT_MS)

    def answer_all(self, answers: dict[str, Any]) -> None:
        # In the order the focus takes them, which must be the checklist's order.
        for code, value in answers.items():
            self.answer(code, value)
