"""Build the Qt application around an application context and run the bench window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from station.context import AppContext
from station.settings import Settings
from ui.tasks import TaskRunner
from ui.viewmodels.bench import BenchViewModel
from ui.widgets.bench_window import BenchWindow

log = logging.getLogger(__name__)


def build_bench(context: AppContext) -> tuple[BenchWindow, BenchViewModel, TaskRunner]:
    runner = TaskRunner()
    vm = BenchViewModel(context, runner)
    window = BenchWindow(vm, runner, context.settings.station_id)
    # The window owns the view-model and the runner: they live and die together.
    vm.setParent(window)
    runner.setParent(window)
    return window, vm, runner


def run_bench(settings: Settings) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Returns Station")
    context = AppContext.build(settings)
    if context.upgrade and context.upgrade.backup:
        log.warning("database migrated; previous copy at %s", context.upgrade.backup)
    try:
        window, _vm, _runner = build_bench(context)
        window.show()
        return int(app.exec())
    finally:
        context.close()
