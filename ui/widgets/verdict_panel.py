"""The recorded verdict: the grade big enough to read from the next bench, and the LPN.

Also the words a person reads for a verdict's codes (disposition, responsibility, refund,
warnings, label kinds): marked once here with ``N_`` and translated when shown, so every panel
says "Return to seller" (or 退回卖家) rather than ``return_to_seller``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from inspection_rules import Standard
from station.i18n import N_, _
from station.services.labels import LabelPrintView
from station.views import InspectionView, VerdictView
from ui.i18n import Retranslatable
from ui.theme import BADGE_TEXT, TOUCH_TARGET_PX, grade_badge, set_style_sheet, text_colour
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import defect_options

#: The evaluator adds one reason per recorded defect: this prefix and the defect's code.
DEFECT_REASON_PREFIX = "DEFECT_"

# inspection_rules.Disposition, Responsibility; the evaluator's warnings; label kinds.
DISPOSITION_NAMES: Mapping[str, str] = {
    "restock": N_("Restock as new"),
    "restock_as_graded": N_("Restock as graded"),
    "repair": N_("Repair"),
    "refurbish": N_("Refurbish"),
    "return_to_seller": N_("Return to seller"),
    "dispose": N_("Dispose"),
    "quarantine": N_("Quarantine"),
}
RESPONSIBILITY_NAMES: Mapping[str, str] = {
    "customer": N_("Customer"),
    "carrier": N_("Carrier"),
    "manufacturing": N_("Manufacturing defect"),
    "warehouse": N_("Warehouse"),
}
WARNING_NAMES: Mapping[str, str] = {
    "WEIGHT_OUT_OF_TOLERANCE": N_("Weight out of tolerance"),
    "SERIAL_MISMATCH": N_("Serial number does not match the RMA"),
    "OUTSIDE_RETURN_WINDOW": N_("Outside the return window"),
    "BLIND_RETURN": N_("Blind return (no RMA)"),
}
LABEL_KIND_NAMES: Mapping[str, str] = {
    "lpn": N_("LPN"),
    "relabel": N_("Relabel"),
    "route": N_("Route tag"),
    "receipt": N_("Receipt"),
}


def _name(names: Mapping[str, str], code: str | None) -> str:
    """The translated word for a code; an unknown code (a newer standard) shows as it is."""
    if not code:
        return "–"
    text = names.get(str(code))
    return _(text) if text else str(code)


def disposition_name(code: str | None) -> str:
    return _name(DISPOSITION_NAMES, code)


def responsibility_name(code: str | None) -> str:
    return _name(RESPONSIBILITY_NAMES, code)


def warning_name(code: str | None) -> str:
    return _name(WARNING_NAMES, code)


def warning_names(codes: Iterable[str]) -> list[str]:
    return [warning_name(code) for code in codes]


def label_kind_name(code: str | None) -> str:
    return _name(LABEL_KIND_NAMES, code)


def reason_names(codes: Iterable[str], defect_names: Mapping[str, str]) -> list[str]:
    """A verdict's reasons for a person: the reason a recorded defect adds (``DEFECT_HOLE``)
    by that defect's name from the standard's catalogue, in the language in force; the other
    reasons as the standard wrote them (their words belong to the standard's authors)."""
    names = []
    for code in codes:
        defect = (
            code.removeprefix(DEFECT_REASON_PREFIX)
            if code.startswith(DEFECT_REASON_PREFIX)
            else None
        )
        names.append(defect_names.get(defect, code) if defect else code)
    return names


def defect_names(standard: Standard | None, language: str) -> dict[str, str]:
    """Defect code to name in ``language``, from ``standard``'s catalogue (none: empty)."""
    return {option.code: option.name for option in defect_options(standard, language)}


def percent_text(value: object) -> str:
    """``50``, ``50.5`` — never ``50.00`` or ``5E+1``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f") if number == number else str(value)


def refund_text(owner: QObject, kind: str | None, percent: object) -> str:
    """The refund as one phrase ("Partial refund (50%)"), one whole sentence per kind."""
    value = percent_text(percent)
    if kind == "full":
        return owner.tr("Full refund")
    if kind == "partial":
        return owner.tr("Partial refund ({percent}%)").format(percent=value)
    if kind == "none":
        return owner.tr("No refund")
    return owner.tr("Refund {kind} ({percent}%)").format(kind=kind or "–", percent=value)


class VerdictPanel(Retranslatable, QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._verdict: VerdictView | None = None
        self._labels: list[LabelPrintView] = []
        # The standard of the unit being inspected: its defects name the verdict's reasons
        # (the view-model lets go of it when the verdict arrives).
        self._standard: Standard | None = None
        self.grade_label = QLabel(self)
        self.grade_label.setObjectName("gradeLabel")
        self.grade_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details = QLabel(self)
        self.details.setObjectName("verdictDetails")
        self.details.setWordWrap(True)
        self.lpn_label = QLabel(self)
        self.lpn_label.setObjectName("lpnLabel")
        self.lpn_label.setWordWrap(True)
        self.lpn_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("nextUnitButton")
        self.next_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.next_button.clicked.connect(vm.next_unit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grade_label)
        layout.addWidget(self.lpn_label)
        layout.addWidget(self.details)
        self.labels_box = QGroupBox(self)
        self.labels_layout = QVBoxLayout(self.labels_box)
        layout.addWidget(self.labels_box)
        layout.addWidget(self.next_button)
        layout.addStretch(1)
        vm.verdictChanged.connect(self._show)
        vm.inspectionChanged.connect(self._keep_standard)
        # Bound methods, not lambdas: Qt drops the connection when this widget is destroyed.
        vm.rmaChanged.connect(self._show_next_button)
        vm.labelsChanged.connect(self._show_labels)
        self.reprint_buttons: list[QPushButton] = []
        self._show(None)
        self.retranslate()

    def retranslate(self) -> None:
        self.next_button.setText(self.tr("Next unit of this RMA (F8)"))
        self.labels_box.setTitle(self.tr("Labels"))
        self._show_texts()
        for button, label in zip(self.reprint_buttons, self._labels, strict=False):
            button.setText(self._reprint_text(label))

    def restyle(self) -> None:
        """The warnings are coloured in rich text: in the new theme's error colour."""
        self._show_texts()

    def _keep_standard(self, view: InspectionView | None) -> None:
        if view is not None and self._vm.standard is not None:
            self._standard = self._vm.standard

    def _reprint_text(self, label: LabelPrintView) -> str:
        return self.tr("Reprint {kind} ({size}, {format})").format(
            kind=label_kind_name(label.kind), size=label.size, format=label.format.upper()
        )

    def _show_labels(self, labels: list[LabelPrintView]) -> None:
        """One row per label printed for this verdict, each with its own Reprint button."""
        while self.labels_layout.count():
            item = self.labels_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._labels = list(labels)
        self.reprint_buttons = []
        self.labels_box.setVisible(bool(labels))
        for label in labels:
            button = QPushButton(self._reprint_text(label), self.labels_box)
            button.setMinimumHeight(TOUCH_TARGET_PX)
            button.clicked.connect(lambda _checked=False, i=label.id: self._vm.reprint(i))
            self.labels_layout.addWidget(button)
            self.reprint_buttons.append(button)

    def _show_next_button(self, _rma: object) -> None:
        self.next_button.setVisible(bool(self._vm.remaining_lines()))

    def _show(self, verdict: VerdictView | None) -> None:
        self._verdict = verdict
        if verdict is None:
            self._show_labels([])
            self.grade_label.clear()
            set_style_sheet(self.grade_label, "")
            self.lpn_label.clear()
            self.details.clear()
            self.details.setToolTip("")
            return
        self.grade_label.setText(verdict.grade)
        set_style_sheet(
            self.grade_label,
            f"background:{grade_badge(verdict.grade)}; color:{BADGE_TEXT}; font-size:64pt; "
            "font-weight:bold; padding:8px;",
        )
        self._show_texts()
        self.next_button.setVisible(bool(self._vm.remaining_lines()))

    def _show_texts(self) -> None:
        """The verdict's words, in the language in force now."""
        verdict = self._verdict
        if verdict is None:
            return
        lpn = f"<b>{html.escape(verdict.lpn or '–')}</b>"
        lpn_text = self.tr("LPN {lpn}").format(lpn=lpn)
        markup = f"<span style='font-size:20pt'>{lpn_text}</span>"
        self.lpn_label.setText(markup)
        refund = f"<b>{html.escape(refund_text(self, verdict.refund_kind, verdict.refund_percent))}</b>"  # fmt: skip
        lines = [
            self.tr("Disposition: {disposition}").format(
                disposition=f"<b>{html.escape(disposition_name(verdict.disposition))}</b>"
            ),
            self.tr("Refund: {refund} ({amount} {currency})").format(
                refund=refund, amount=verdict.refund_amount, currency=verdict.currency or ""
            )
            if verdict.refund_amount
            else self.tr("Refund: {refund}").format(refund=refund),
            self.tr("Responsibility: {responsibility}").format(
                responsibility=html.escape(responsibility_name(verdict.responsibility))
            ),
        ]
        if verdict.reason_codes:
            names = reason_names(
                verdict.reason_codes, defect_names(self._standard, self._vm.language)
            )
            lines.append(self.tr("Reasons: {codes}").format(codes=html.escape("; ".join(names))))
        if verdict.warnings:
            warnings = html.escape(", ".join(warning_names(verdict.warnings)))
            lines.append(f"<b style='color:{text_colour('error')}'>{warnings}</b>")
        self.details.setText("<br>".join(lines))
        self.details.setToolTip(
            self.tr("Sent upstream as disposition {code}").format(code=verdict.upstream_disposition)
            if verdict.upstream_disposition
            else ""
        )
