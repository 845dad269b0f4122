"""The real bench window and its dialogs, toured as a grader meets them, for the layout and
contrast checks (tests/ui/test_layout_*.py, tests/ui/test_contrast.py).

``scripts/screenshots.py`` already drives the window (a seeded demo database, simulated
devices, keys where a grader uses keys, every state awaited with a deadline); the tour reuses
it and, at each screen, hands the window or dialog to a ``look(name, widget)`` callback:

sign-in (and a refused PIN), idle, inspecting a knitwear return, the same with a defect of each
severity recorded, the verdict, the supervisor queue (each evidence tab), the history, the
settings (each tab) and the F1 key list. The parcel is the demo's oldest knitwear return, so the
bench has a late return to warn about.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from station.context import AppContext
from station.i18n import set_language
from station.settings import Settings
from ui.theme import apply_theme

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"
WINDOW = (1280, 800)  # the bench window's default size
WRONG_PIN = "0000"

Look = Callable[[str, QWidget], None]


@functools.cache
def load_script() -> ModuleType:
    """``scripts/screenshots.py`` as a module (it is a script, not a package), loaded once."""
    spec = importlib.util.spec_from_file_location("screenshots_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def oldest_knitwear_parcel(context: AppContext) -> str:
    """The tracking number of the one-unit knitwear return delivered longest ago."""
    found = load_script().knitwear_parcels(context, oldest_delivered_first=True)
    assert found, "the demo seed has no one-unit knitwear return"
    return found[0]


def run_tour(qapp: QApplication, language: str, theme: str, look: Look) -> None:
    """Seed, build and drive the window in ``language`` and ``theme``; ``look`` at each
    screen. Leaves the application's language and look as it found them."""
    script = load_script()
    sheet, palette = qapp.styleSheet(), qapp.palette()
    apply_theme(qapp, theme)
    with tempfile.TemporaryDirectory(prefix="station-tour-") as tmp:
        settings = Settings(data_dir=Path(tmp), station_id="BENCH-07", language=language,
                            theme=theme, simulate=True, sounds=False)  # fmt: skip
        context = AppContext.build(settings)
        bench = None
        try:
            pins = script.seed(context)
            parcel = oldest_knitwear_parcel(context)
            context.devices.start()
            bench = script.Bench(qapp, context, Path(tmp), time.monotonic())
            _tour(script, bench, pins[script.SUPERVISOR], parcel, _settled(bench, look))
        finally:
            if bench is not None:
                bench.close()
            context.close()
            set_language("en")
            qapp.setStyleSheet(sheet)
            qapp.setPalette(palette)
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _settled(bench: Any, look: Look) -> Look:
    def settled_look(name: str, widget: QWidget) -> None:
        bench.settle()
        look(name, widget)

    return settled_look


def _tour(script: ModuleType, bench: Any, pin: str, parcel: str, look: Look) -> None:
    window = bench.window
    window.resize(*WINDOW)
    window.show()
    bench.reactivate()
    _sign_in(script, bench, pin, look)
    look("idle", window)

    bench.start_inspection(parcel, keyed=4, photo=True)
    look("inspecting", window)
    _record_defects(script, bench)
    look("inspecting, defects recorded", window)
    bench.finalize()
    look("verdict", window)
    _dialogs(script, bench, look)


def _sign_in(script: ModuleType, bench: Any, pin: str, look: Look) -> None:
    """The prompt as it first shows, then refusing a wrong PIN, then the right one."""
    from ui.widgets.sign_in import SignInDialog

    window, session = bench.window, bench.window.session
    session.ask_if_needed()
    script.wait_for(lambda: window.findChild(SignInDialog) is not None, "the sign-in prompt")
    dialog = window.findChild(SignInDialog)
    script.wait_for(dialog.isVisible, "the sign-in prompt to show")
    look("sign-in", dialog)
    session.sign_in(script.SUPERVISOR, WRONG_PIN)
    script.wait_for(lambda: bool(dialog.error.text()), "the wrong PIN to be refused")
    look("sign-in, PIN refused", dialog)
    bench.sign_in(script.SUPERVISOR, pin)


def _record_defects(script: ModuleType, bench: Any) -> None:
    """One defect of each severity the standard's catalogue has, through the picker."""
    picker = bench.window.form.defects
    chosen: dict[str, str] = {}
    for option in picker._options.values():
        chosen.setdefault(option.severity, option.code)
    for code in chosen.values():
        picker.select(code)
        picker.add()
    script.wait_for(lambda: len(picker.rows) == len(chosen), "the defects to be recorded")


def _dialogs(script: ModuleType, bench: Any, look: Look) -> None:
    """Each dialog as its key opens it; every tab of a dialog with tabs."""
    from ui.widgets.history_dialog import HistoryDialog
    from ui.widgets.settings_dialog import SettingsDialog
    from ui.widgets.shortcuts_help import ShortcutsHelp
    from ui.widgets.supervisor_dialog import SupervisorDialog

    supervisor = bench.open_dialog(Qt.Key.Key_F10, SupervisorDialog)
    vm = supervisor._vm
    script.wait_for(lambda: supervisor.table.rowCount() > 0, "the supervisor queue")
    kinds = {item.kind: row for row, item in reversed(list(enumerate(vm.items)))}
    for kind, row in sorted(kinds.items()):  # a dispute and a flagged verdict rule differently
        supervisor.table.selectRow(row)
        chosen = vm.items[row].inspection_id
        script.wait_for(lambda chosen=chosen: vm.evidence is not None
                        and vm.evidence.inspection_id == chosen,
                        f"the evidence of the {kind}")  # fmt: skip
        for index in range(supervisor.evidence.tabs.count()):
            supervisor.evidence.tabs.setCurrentIndex(index)
            look(f"supervisor queue, {kind}, evidence tab {index + 1}", supervisor)
    bench.close_dialog(supervisor)

    history = bench.open_dialog(Qt.Key.Key_F9, HistoryDialog)
    script.wait_for(lambda: history.table.rowCount() > 0, "the history")
    look("history", history)
    bench.close_dialog(history)

    settings = bench.open_dialog(
        Qt.Key.Key_Comma, SettingsDialog, Qt.KeyboardModifier.ControlModifier
    )
    for tabs in settings.findChildren(QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            look(f"settings, tab {index + 1}", settings)
    bench.close_dialog(settings)

    keys = bench.open_dialog(Qt.Key.Key_F1, ShortcutsHelp)
    look("keys (F1)", keys)
    bench.close_dialog(keys)
