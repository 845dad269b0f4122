"""A measurement: a number with its unit, checked against the SKU's spec while it is typed.

The PASS/FAIL badge is computed locally (the standard's check is pure and fast) on every
keystroke; the value is recorded through the services when the grader presses Enter or
leaves the field. What cannot be a measurement (not a number, zero or less, ten times off the
spec) is refused with the reason under the field and stays there to be corrected; a value far
from the spec is asked about first (Enter again records it, Esc withdraws the question). The
rules are ``station.typed_numbers``'s, which the service applies too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from inspection_rules.model import MeasurementResult
from station.typed_numbers import Judged, Refusal, read_number
from ui.theme import set_style_sheet
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ItemWidget
from ui.widgets.checklist.typed_field import ProblemLine, TypedField

BADGE_STYLE = {
    True: "background:#1e7b34; color:white;",
    False: "background:#b00020; color:white;",
    None: "background:#d0d0d0; color:#333333;",
}


def parse_number(text: str) -> float | None:
    """A typed number for the live badge, else None (``station.typed_numbers`` decides)."""
    value = read_number(text, "")
    return None if isinstance(value, Refusal) else value


def _fmt(value: float) -> str:
    return f"{value:g}"


class MeasurementItem(ItemWidget):
    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, item, parent)
        self.field = TypedField(self)
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
        self.problem = ProblemLine(f"problem_{item.code}", self)
        # A refused or unconfirmed text: kept in the field (not replaced by what is recorded)
        # until it is corrected, recorded or the next unit comes.
        self._held: str | None = None
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.field, 0, 0)
        grid.addWidget(self.unit_label, 0, 1)
        grid.addWidget(self.expected_label, 0, 2)
        grid.addWidget(self.badge, 0, 3)
        grid.addWidget(self.problem, 1, 0, 1, 4)
        grid.setColumnStretch(2, 1)
        self.field.textEdited.connect(self._typed)
        self.field.editingFinished.connect(self.commit)
        self.field.returnPressed.connect(self._entered)
        self.field.withdrawn.connect(self._withdrawn)
        self._show_check(None)

    @property
    def result(self) -> MeasurementResult | None:
        return self._vm.check_measurement(self.code, parse_number(self.field.text()))

    def _typed(self, text: str) -> None:
        self.problem.clear_text()  # a refusal is about the text before this edit
        value = parse_number(text)
        if text.strip() and value is None:
            self._show_badge(None, self.tr("Not a number"))
            return
        self._show_check(value)

    def _entered(self) -> None:
        """Enter records the value and moves on to the next open item; a refused value, or a
        far one not yet confirmed, keeps the focus here."""
        if self._record(confirming=True):
            self.answered.emit(self.code)

    def commit(self) -> None:
        """Leaving the field, or Finalize: record what is typed if it may be recorded as it
        is (a far value needs the grader's Enter; a refused one is never recorded)."""
        if self.committable():
            self._record(confirming=False)

    def _record(self, *, confirming: bool) -> bool:
        """Judge the typed text and record it when it may be; True when nothing is left to
        answer here (recorded now, or already recorded)."""
        text = self.field.text()
        if not text.strip():
            self._release()
            # A measurement cannot be taken back, only replaced by another reading.
            return self._vm.measurement(self.code) is not None
        judged: Judged = self._vm.judge_measurement(self.code, text)
        if judged.refusal is not None or judged.value is None:
            self._hold(text)
            self.problem.say("error", judged.refusal or "")
            return False
        if judged.value == self._vm.measurement(self.code):
            self._release()  # recorded already (confirmed, or given elsewhere)
            return True
        if judged.far and not (confirming and self.field.confirmed()):
            # Only an Enter on the very text asked about confirms it (leaving the field, or
            # the editingFinished that follows the first Enter, only asks).
            self._hold(text)
            self.field.ask()
            self.problem.say("warning", self._question(judged.value))
            return False
        self._release()
        self._vm.record_measurement(self.code, judged.value)
        return True

    def _question(self, value: float) -> str:
        result = self._vm.check_measurement(self.code, value)
        expected = _fmt(result.expected) if result and result.expected is not None else "?"
        return self.tr(
            "{value} {unit} is far from the expected {expected} {unit}: press Enter again to "
            "record it, Esc to correct it"
        ).format(value=_fmt(value), unit=self.item.unit or "", expected=expected)

    def _hold(self, text: str) -> None:
        self._held = text

    def _release(self) -> None:
        self._held = None
        self.field.withdraw()
        self.problem.clear_text()

    def _withdrawn(self) -> None:
        """Esc on the question, or the text edited: nothing recorded, the question gone."""
        self.problem.clear_text()

    def reset(self) -> None:
        """A new unit under the same standard: an empty field, no message."""
        self._release()
        self.field.clear()
        self._show_check(None)

    def show_facts(self) -> None:
        if not self.field.hasFocus() and self._held is None:
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
