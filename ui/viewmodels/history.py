"""History: recent verdicts, their labels reprinted, their reports (re)created — off the UI thread."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from station.context import AppContext
from station.services import labels as label_service
from station.services.history import HistoryRow, recent_inspections
from ui.tasks import TaskRunner
from ui.viewmodels.messages import RememberedMessage


class HistoryViewModel(RememberedMessage, QObject):
    rowsChanged = Signal(object)
    progressChanged = Signal(int, int)
    reportReady = Signal(str)
    messageChanged = Signal(str, str)

    def __init__(self, context: AppContext, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._context = context
        self._runner = runner
        self.rows: list[HistoryRow] = []

    @property
    def report_dir(self) -> Path:
        return self._context.settings.data_dir / "reports"

    def refresh(self) -> None:
        db = self._context.db
        self._runner.submit(lambda: recent_inspections(db), self._on_rows, self._on_error)

    def reprint_labels(self, inspection_id: uuid.UUID) -> None:
        """Every label printed for the unit, again; the configured ones if none was printed."""
        ctx = self._context

        def work() -> int:
            printed = label_service.labels_for(ctx.db, inspection_id)
            originals = [label for label in printed if label.reprint_of is None]
            for label in originals:
                label_service.reprint_label(ctx.db, ctx.actor, ctx.standards,
                                            ctx.devices.spooler, label.id)  # fmt: skip
            if not originals:
                label_service.issue_labels(
                    ctx.db,
                    ctx.actor,
                    ctx.standards,
                    ctx.settings.labels,
                    ctx.devices.spooler,
                    kinds=ctx.settings.labels.on_finalize,
                    inspection_id=inspection_id,
                )
            return max(1, len(originals))

        def done(count: int) -> None:
            self._say("info", lambda: self.tr("{n} label(s) sent to the printer").format(n=count))
            self.refresh()

        self._runner.submit(work, done, self._on_error)

    def inspection_report(self, row: HistoryRow, language: str | None = None) -> None:
        ctx = self._context
        target = self.report_dir / f"inspection-{row.lpn}{'-' + language if language else ''}.pdf"

        def work() -> str:
            # ReportLab loads on this worker (and is preloaded after start): not on the start.
            from station.services.reports import inspection_report_pdf

            pdf = inspection_report_pdf(ctx.db, ctx.standards, ctx.photos, row.inspection_id,
                                        language=language, station=ctx.settings)  # fmt: skip
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
            return str(target)

        self._runner.submit(work, self.reportReady.emit, self._on_error)

    def daily_report(self, seller_code: str, day: date, language: str | None = None) -> None:
        """``language`` None: the seller's, as for the inspection report."""
        ctx = self._context
        suffix = f"-{language}" if language else ""
        target = self.report_dir / f"daily-{seller_code}-{day.isoformat()}{suffix}.pdf"

        def work() -> str:
            from station.services.daily_report import daily_report_pdf

            pdf = daily_report_pdf(ctx.db, seller_code, day, language=language,
                                   progress=self.progressChanged.emit)  # fmt: skip
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
            return str(target)

        self._runner.submit(work, self.reportReady.emit, self._on_error)

    def _on_rows(self, rows: list[HistoryRow]) -> None:
        self.rows = rows
        self.rowsChanged.emit(rows)

    def _on_error(self, error: BaseException) -> None:
        text = str(error)  # a service's refusal, already in the user's language
        self._say("error", lambda: text)
