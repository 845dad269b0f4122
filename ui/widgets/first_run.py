"""At start: what this machine still lacks to be a good bench, and what to do about each.

``check_at_start`` runs ``first_run_findings`` on the TaskRunner (the checks can wait on a
printer's timeout) and opens :class:`FirstRunDialog` only when something is not ok, so a
well-set-up bench starts without a word. The remedies are selectable text: most are a command
to paste into a terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from station.context import AppContext
from station.services.station_check import Finding, first_run_findings
from ui.i18n import Retranslatable
from ui.tasks import Pool, TaskRunner
from ui.theme import TOUCH_TARGET_PX, set_style_property

log = logging.getLogger(__name__)

# Mark and theme state (colour) per severity.
MARKS = {"ok": ("✓", "success"), "warn": ("!", "warning"), "blocker": ("✗", "error")}


def severity(finding: Finding) -> str:
    if finding.ok:
        return "ok"
    return "blocker" if finding.blocker else "warn"


class FirstRunDialog(Retranslatable, QDialog):
    """Every finding, problems first: a mark, what was found, and the remedy under it."""

    def __init__(self, findings: list[Finding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        order = {"blocker": 0, "warn": 1, "ok": 2}
        self.findings = sorted(findings, key=lambda f: order[severity(f)])
        self.resize(720, 520)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        grid_host = QWidget(self)
        grid = QGridLayout(grid_host)
        grid.setColumnStretch(1, 1)
        self.marks: list[QLabel] = []
        for row, finding in enumerate(self.findings):
            symbol, state = MARKS[severity(finding)]
            mark = QLabel(symbol, grid_host)
            mark.setStyleSheet("font-size:16pt;")
            set_style_property(mark, "state", state)
            mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text = QLabel(grid_host)
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setText(finding.what + (f"\n→ {finding.remedy}" if not finding.ok and finding.remedy else ""))  # fmt: skip
            text.setMinimumHeight(TOUCH_TARGET_PX)
            grid.addWidget(mark, row, 0)
            grid.addWidget(text, row, 1)
            self.marks.append(mark)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        for button in self.buttons.buttons():
            button.setMinimumHeight(TOUCH_TARGET_PX)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.retranslate()

    @property
    def blocking(self) -> bool:
        return any(severity(f) == "blocker" for f in self.findings)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Station check"))
        if self.blocking:
            self.intro.setText(self.tr("This bench cannot record inspections until the problems marked ✗ are fixed."))  # fmt: skip
        else:
            self.intro.setText(self.tr("The bench works, but some things are missing (marked !). Each says what to do."))  # fmt: skip


def check_at_start(
    context: AppContext,
    runner: TaskRunner,
    parent: QWidget | None = None,
    on_shown: Callable[[FirstRunDialog], object] | None = None,
) -> None:
    """Run the checks off the UI thread; show the dialog only when one of them is not ok."""

    def show(findings: list[Finding]) -> None:
        if all(finding.ok for finding in findings):
            log.info("station check: all %d checks ok", len(findings))
            return
        dialog = FirstRunDialog(findings, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        if on_shown is not None:
            on_shown(dialog)

    runner.submit(lambda: first_run_findings(context), show,
                  lambda error: log.error("station check failed: %s", error), Pool.GENERAL)  # fmt: skip
