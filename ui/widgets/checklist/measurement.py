"""A measurement: a number with its unit, checked against the SKU's spec while it is typed.

The PASS/FAIL badge is computed locally (the standard's check is pure and fast) on every
keystroke; the value is recorded through the services when the grader presses Enter or
leaves the field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from inspection_rules.model import MeasurementResult
from ui.theme import set_style_sheet
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ItemWidget

BADGE_STYLE = {
    True: "background:#1e7b34; color:white;",
    False: "background:#b00020; color:white;",
    None: "background:#d0d0d0; color:#333333;",
}


def parse_number(text: str) -> float | None:
    """A typed number; a decimal comma is accepted (many benches' keyboards)."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


def _fmt(value: float) -> str:
    return f"{value:g}"


class MeasurementItem(ItemWidget):
    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, item, parent)
        self.field = QLineEdit(self)
        self.field.setObjectName(f"measure_{item.code}")
        self.field.setMinimumHeight(36)
        self.field.setMaximumWidth(120)
        self.field.setAlignment(Qt.AlignmentFlag.AlignRight)
        font = QFont(self.field.font())
        font.setPointSize(font.pointSize() + 3)
        self.field.setFont(font)
        self.unit_label = QLabel(item.unit or "", self)
        self.expected_label = QLabel(self)
        self.expected_label.setObjectName(f"expected_{item.code}")
        self.badge = QLabel(self)
        self.badge.setObjectName(f"badge_{item.code}")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(64)
        row = QHBoxLayout(self)
        row.addWidget(self.field)
        row.addWidget(self.unit_label)
        row.addWidget(self.expected_label, 1)
        row.addWidget(self.badge)
        self.field.textEdited.connect(self._typed)
        self.field.editingFinished.connect(self.commit)
        self.field.returnPressed.connect(self._entered)
        self._show_check(None)

    @property
    def result(self) -> MeasurementResult | None:
        return self._vm.check_measurement(self.code, parse_number(self.field.text()))

    def _typed(self, text: str) -> None:
        value = parse_number(text)
        if text.strip() and value is None:
            self._show_badge(None, self.tr("Not a number"))
            return
        self._show_check(value)

    def _entered(self) -> None:
        """Enter records the value and moves on to the next open item."""
        self.commit()
        self.answered.emit(self.code)

    def commit(self) -> None:
        if not self.committable():
            return
        value = parse_number(self.field.text())
        if value is None:
            return  # a measurement cannot be taken back, only replaced by another reading
        if value != self._vm.measurement(self.code):
            self._vm.record_measurement(self.code, value)

    def show_facts(self) -> None:
        if not self.field.hasFocus():
            recorded = self._vm.measurement(self.code)
            self.field.setText(_fmt(recorded) if recorded is not None else "")
        self._show_check(parse_number(self.field.text()))

    def _show_check(self, value: float | None) -> None:
        result = self._vm.check_measurement(self.code, value)
        unit = self.item.unit or ""
        if result is None or result.expected is None:
            self.expected_label.setText(self.tr("no spec value for this SKU"))
            self._show_badge(None, "–")
            return
        allowed = (
            f" ± {_fmt(round(result.allowed_deviation, 2))}" if result.allowed_deviation else ""
        )
        text = self.tr("expected {expected}{allowed} {unit}").format(
            expected=_fmt(result.expected), allowed=allowed, unit=unit
        )
        if result.deviation is not None:
            text += f"  ({result.deviation:+.1f})"
        self.expected_label.setText(text)
        if result.passed is None:
            self._show_badge(None, "–")
        else:
            self._show_badge(result.passed, self.tr("PASS") if result.passed else self.tr("FAIL"))

    def _show_badge(self, passed: bool | None, text: str) -> None:
        self.badge.setText(text)
        set_style_sheet(
            self.badge,
            BADGE_STYLE[passed] + "font-weight:bold; padding:6px 10px; border-radius:4px;",
        )

    def focus_target(self) -> QWidget:
        return self.field
