"""The scan field: always ready when the bench is idle, and the state the bench is in."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QKeyCombination, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from ui.i18n import Retranslatable
from ui.icons import themed_icon
from ui.viewmodels.bench import BenchState, BenchViewModel

STATE_STYLE = {
    BenchState.IDLE: ("#1f3a5f", "#ffffff"),
    BenchState.CHOOSE_LINE: ("#7a5a00", "#ffffff"),
    BenchState.CHOOSE_RMA: ("#7a5a00", "#ffffff"),
    BenchState.BLIND_PROMPT: ("#b35900", "#ffffff"),
    BenchState.INSPECTING: ("#0b5394", "#ffffff"),
    BenchState.FINALIZED: ("#1e7b34", "#ffffff"),
}


class ScanField(QLineEdit):
    """The scan field. It has the focus whenever the bench is idle, so the window's own
    shortcuts must work from it: a line edit claims some of them for editing (on X11 Ctrl+U
    deletes the line) and the window's shortcut would never fire. It yields those
    (``yield_to``) and keeps the rest of the line editor's keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.yield_to: set[QKeyCombination] = set()

    def event(self, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.ShortcutOverride
            and event.keyCombination() in self.yield_to
        ):
            event.ignore()  # not ours: the window's shortcut map takes it
            return False
        return super().event(event)


class ScanBar(Retranslatable, QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.field = ScanField(self)
        self.field.setObjectName("scanField")
        self.field.setMinimumHeight(48)
        font = self.field.font()
        font.setPointSize(font.pointSize() + 6)
        self.field.setFont(font)
        self.state_label = QLabel(self)
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setObjectName("benchState")
        self.state_label.setMinimumWidth(220)
        self.state_label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.state_label)
        self._scan_action = self.field.addAction(
            themed_icon(self, "scan"), QLineEdit.ActionPosition.LeadingPosition
        )
        self.field.returnPressed.connect(self._submit)
        vm.stateChanged.connect(self._show_state)
        self.retranslate()

    def restyle(self) -> None:
        self._scan_action.setIcon(themed_icon(self, "scan"))

    def retranslate(self) -> None:
        self.field.setPlaceholderText(self.tr("Scan a return label, RMA, order number or LPN"))
        self._show_state(self._vm.state.value)

    def _submit(self) -> None:
        code = self.field.text()
        self.field.clear()
        self._vm.submit_scan(code)

    def _show_state(self, state: str) -> None:
        names = {
            BenchState.IDLE: self.tr("Ready to scan"),
            BenchState.CHOOSE_LINE: self.tr("Choose the unit"),
            BenchState.CHOOSE_RMA: self.tr("Choose the return"),
            BenchState.BLIND_PROMPT: self.tr("No RMA found"),
            BenchState.INSPECTING: self.tr("Inspecting"),
            BenchState.FINALIZED: self.tr("Verdict recorded"),
        }
        current = BenchState(state)
        background, foreground = STATE_STYLE[current]
        self.state_label.setText(names[current])
        self.state_label.setStyleSheet(
            f"background:{background}; color:{foreground}; font-weight:bold; "
            "padding:8px; border-radius:6px; font-size:14pt;"
        )
