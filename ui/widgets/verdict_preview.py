"""The verdict Finalize would record now, and why: grade, disposition, refund, responsibility,
warnings and the evaluator's trace. While facts are missing the result is provisional (greyed)
and the list of what is still needed comes first."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from inspection_rules import Evaluation
from ui.i18n import Retranslatable
from ui.theme import BADGE_TEXT, PROVISIONAL_BADGE, grade_badge, set_style_sheet, text_colour
from ui.viewmodels.bench import BenchViewModel
from ui.widgets.verdict_panel import (
    disposition_name,
    reason_names,
    refund_text,
    responsibility_name,
    warning_names,
)


class VerdictPreview(Retranslatable, QFrame):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._evaluation: Evaluation | None = None
        self.setObjectName("verdictPreview")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel(self)
        self.caption.setObjectName("previewCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        self.grade_label = QLabel(self)
        self.grade_label.setObjectName("previewGrade")
        self.grade_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grade_label.setMinimumHeight(72)
        self.missing_label = QLabel(self)
        self.missing_label.setObjectName("previewMissing")
        self.missing_label.setWordWrap(True)
        self.details = QLabel(self)
        self.details.setObjectName("previewDetails")
        self.details.setWordWrap(True)
        self.warnings_label = QLabel(self)
        self.warnings_label.setObjectName("previewWarnings")
        self.warnings_label.setWordWrap(True)
        self.trace_label = QLabel(self)
        self.trace_label.setObjectName("previewTrace")
        self.trace_label.setWordWrap(True)
        self.trace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        for widget in (
            self.caption,
            self.grade_label,
            self.missing_label,
            self.details,
            self.warnings_label,
            self.trace_label,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        vm.evaluationChanged.connect(self._show)
        self._show(None)

    def retranslate(self) -> None:
        # Everything here depends on the evaluation: render it again in the new language.
        self._show(self._evaluation)

    def restyle(self) -> None:
        # ... and its rich text is coloured in the theme's colours: again in the new theme's.
        self._show(self._evaluation)

    def text(self) -> str:
        """Everything the preview says, as plain text (for tests and accessibility)."""
        return "\n".join(
            label.text()
            for label in (
                self.caption,
                self.grade_label,
                self.missing_label,
                self.details,
                self.warnings_label,
                self.trace_label,
            )
            if not label.isHidden()
        )

    def _show(self, evaluation: Evaluation | None) -> None:
        self._evaluation = evaluation
        if evaluation is None:
            self.caption.setText(self.tr("Verdict preview"))
            self.grade_label.setText("–")
            self._style_grade(PROVISIONAL_BADGE)
            for label in (self.missing_label, self.details, self.warnings_label, self.trace_label):
                label.clear()
                label.hide()
            self.details.setToolTip("")
            return
        provisional = bool(evaluation.missing) or evaluation.grade is None
        self.caption.setText(
            self.tr("Provisional — facts still missing")
            if provisional
            else self.tr("Finalize will record")
        )
        self.grade_label.setText(evaluation.grade or "?")
        self._style_grade(PROVISIONAL_BADGE if provisional else grade_badge(evaluation.grade))
        missing = self._vm.missing_labels()
        self.missing_label.setVisible(bool(missing))
        heading = html.escape(self.tr("Still needed:"))
        items = "".join(f"<li>{html.escape(name)}</li>" for name in missing)
        markup = f"<b>{heading}</b><ul style='margin:0'>{items}</ul>" if missing else ""
        self.missing_label.setText(markup)
        self._show_details(evaluation, provisional)

    def _show_details(self, evaluation: Evaluation, provisional: bool) -> None:
        # Provisional: the secondary text colour, still readable (WCAG AA) on either theme.
        grey = f"color:{text_colour('muted_text')};" if provisional else ""
        lines = []
        if evaluation.disposition is not None:
            name = html.escape(disposition_name(evaluation.disposition))
            lines.append(self.tr("Disposition: {disposition}").format(disposition=f"<b>{name}</b>"))
        if evaluation.refund is not None:
            refund = refund_text(self, evaluation.refund.kind, evaluation.refund.percent)
            lines.append(self.tr("Refund: {refund}").format(refund=f"<b>{html.escape(refund)}</b>"))
        if evaluation.responsibility is not None:
            name = html.escape(responsibility_name(evaluation.responsibility))
            lines.append(
                self.tr("Responsibility: {responsibility}").format(responsibility=f"<b>{name}</b>")
            )
        if evaluation.reason_codes:
            defects = {option.code: option.name for option in self._vm.defect_options}
            names = html.escape("; ".join(reason_names(evaluation.reason_codes, defects)))
            lines.append(self.tr("Reasons: {codes}").format(codes=names))
        self.details.setVisible(bool(lines))
        markup = f"<div style='{grey}'>" + "<br>".join(lines) + "</div>"
        self.details.setText(markup)
        upstream = evaluation.upstream_disposition
        self.details.setToolTip(
            self.tr("Sent upstream as disposition {code}").format(code=upstream)
            if upstream and evaluation.disposition is not None
            else ""
        )
        self.warnings_label.setVisible(bool(evaluation.warnings))
        warnings = ", ".join(warning_names(evaluation.warnings))
        markup = f"<b style='color:{text_colour('error')}'>⚠ {html.escape(warnings)}</b>"
        self.warnings_label.setText(markup)
        self.trace_label.setVisible(bool(evaluation.trace))
        # The evaluator's trace is the standard's own record (English, like the audit trail).
        muted = text_colour("muted_text")
        steps = "".join(
            f"<li><span style='color:{muted}'>{html.escape(step.rule)}</span>: "
            f"{html.escape(step.detail)}</li>"
            for step in evaluation.trace
        )
        why = html.escape(self.tr("Why"))
        markup = f"<div style='{grey}'><b>{why}</b><ol style='margin:0'>{steps}</ol></div>"
        self.trace_label.setText(markup)

    def _style_grade(self, colour: str) -> None:
        set_style_sheet(
            self.grade_label,
            f"background:{colour}; color:{BADGE_TEXT}; font-size:40pt; font-weight:bold; "
            "padding:4px; border-radius:6px;",
        )
