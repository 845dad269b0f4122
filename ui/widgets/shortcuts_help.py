"""F1: every key of the bench on one screen, in the grader's language."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from ui.i18n import Retranslatable

KEYS = ("1–9", "0", "Enter", "F6", "F7", "F8", "F12", "Ctrl+P", "Ctrl+B", "Esc Esc", "F9",
        "F10", "Ctrl+U", "Ctrl+,", "F1")  # fmt: skip


class ShortcutsHelp(Retranslatable, QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsHelp")
        self._grid = QGridLayout()
        self._labels: list[QLabel] = []
        for row, key in enumerate(KEYS):
            key_label = QLabel(f"<b>{key}</b>", self)
            key_label.setTextFormat(Qt.TextFormat.RichText)
            text = QLabel(self)
            text.setWordWrap(True)
            self._grid.addWidget(key_label, row, 0)
            self._grid.addWidget(text, row, 1)
            self._labels.append(text)
        self._grid.setColumnStretch(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self._grid)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self.retranslate()

    def descriptions(self) -> list[str]:
        return [
            self.tr("Choose the answer with that number on the focused question"),
            self.tr("“None of these” on a several-answers question"),
            self.tr("Record a typed value and go to the next open question"),
            self.tr("Weigh again (the first settled weight is taken by itself)"),
            self.tr("Take the next required photo"),
            self.tr("Next unit of the same parcel"),
            self.tr("Finalize the verdict"),
            self.tr("Reprint the label"),
            self.tr("Receive as a blind return"),
            self.tr("Cancel the inspection (press twice)"),
            self.tr("Recent verdicts, reprints and reports"),
            self.tr("Supervisor queue"),
            self.tr("Switch user"),
            self.tr("Settings"),
            self.tr("This list"),
        ]

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Keys at the bench"))
        for label, text in zip(self._labels, self.descriptions(), strict=True):
            label.setText(text)
