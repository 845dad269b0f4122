"""History: recent verdicts listed; labels reprinted and reports written off the UI thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from sqlalchemy import func, select

from station.context import AppContext
from station.models import LabelPrint
from station.services.demo import seed_demo
from station.services.demo_history import HistoryOptions
from station.settings import Settings
from station.timeutil import today_utc
from ui.viewmodels.history import HistoryViewModel
from ui.widgets.history_dialog import HistoryDialog


@pytest.fixture
def history_context(tmp_path):
    context = AppContext.build(Settings(data_dir=tmp_path / "data", station_id="B9", simulate=True))
    summary = seed_demo(
        context.db, rma_count=40,
        history=HistoryOptions(context.standards, context.photos, days=1, per_day=4),
    )  # fmt: skip
    assert summary.history is not None and summary.history.inspections > 0
    yield context
    context.close()


def test_history_lists_reprints_and_writes_reports(qtbot, history_context, runner, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    vm = HistoryViewModel(history_context, runner)
    dialog = HistoryDialog(vm)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0)
    row = dialog.selected()
    assert row is not None and row.lpn.startswith("LPN")

    qtbot.mouseClick(dialog.reprint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "label(s) sent" in dialog.status.text(), timeout=10_000)
    with history_context.db.read() as session:
        assert session.scalar(
            select(func.count()).select_from(LabelPrint)
            .where(LabelPrint.inspection_id == row.inspection_id)
        ) > 0  # fmt: skip

    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=15_000)
    with open(opened[0], "rb") as handle:
        assert handle.read(4) == b"%PDF"

    progress: list[tuple[int, int]] = []
    vm.progressChanged.connect(lambda done, total: progress.append((done, total)))
    dialog.day.setDate(dialog.day.date().fromString(
        (today_utc() - timedelta(days=1)).isoformat(), "yyyy-MM-dd"))  # fmt: skip
    qtbot.mouseClick(dialog.daily_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=20_000)
    assert "daily-" in opened[1] and progress and progress[-1][0] == progress[-1][1]


def test_reports_are_in_the_sellers_language_unless_another_is_chosen(
    qtbot, history_context, runner
):
    vm = HistoryViewModel(history_context, runner)
    dialog = HistoryDialog(vm)
    qtbot.addWidget(dialog)
    assert dialog.language.currentText() == "The seller's language"
    assert dialog.report_language() is None  # the services then take the seller's
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    assert dialog.report_language() == "es"
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0)  # the first refresh, done
