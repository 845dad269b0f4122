"""Render the bench window's main screens to PNG files (offscreen), for the README and review.

Usage: python scripts/screenshots.py OUT_DIR [--language en|zh-CN|es] [--theme light|dark]

Seeds a throw-away demo database (a few RMAs, one day of history, one open dispute), builds the
real window (``ui.app.build_bench``, simulated devices), signs the demo supervisor in through the
session view-model, and drives the bench like a grader: keys for the scan, the first answers,
the photo and Finalize; view-model calls for the rest of the checklist. Each state is awaited
with a deadline, never a blind sleep, so a slow machine only makes the run slower and a broken
window fails loudly instead of photographing the wrong state.

Screens (``SHOTS``): the idle bench, a knitwear inspection in progress, its verdict, the
supervisor queue with the dispute's evidence, the history, the settings dialog, the F1 key list,
and the next inspection switched to Chinese and to the dark theme. Only OUT_DIR is written to.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from inspection_rules.model import ItemType
from station.context import AppContext
from station.i18n import LANGUAGES, current_language, set_language
from station.models import Rma, RmaLine, RmaTracking, Sku, Verdict
from station.services.demo import seed_demo
from station.services.demo_history import HistoryOptions
from station.services.disputes import open_dispute
from station.services.station_check import check_cjk_font
from station.services.users import sign_in
from station.settings import Settings
from ui.app import build_bench
from ui.tasks import TaskRunner
from ui.theme import THEMES, apply_theme
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.viewmodels.supervisor import SupervisorViewModel
from ui.widgets.history_dialog import HistoryDialog
from ui.widgets.shortcuts_help import ShortcutsHelp
from ui.widgets.sign_in import SignInDialog
from ui.widgets.supervisor_dialog import SupervisorDialog

WINDOW_SIZE = (1280, 800)
SUPERVISOR = "supervisor1"  # a demo user (station.services.demo._USERS)
TIMEOUT_S = 20.0

#: Every file a full run writes, in order (06 only while ui/widgets/settings_dialog.py exists).
SHOTS = (
    "01-idle.png",
    "02-inspecting.png",
    "03-verdict.png",
    "04-supervisor-queue.png",
    "05-history.png",
    "06-settings.png",
    "07-keys.png",
    "08-bench-zh-CN.png",
    "09-bench-dark.png",
)
#: The shots of the main window (WINDOW_SIZE); the others are dialogs, at their own size.
WINDOW_SHOTS = ("01-idle.png", "02-inspecting.png", "03-verdict.png", "08-bench-zh-CN.png",
                "09-bench-dark.png")  # fmt: skip

W = TypeVar("W", bound=QWidget)


class ScreenshotError(RuntimeError):
    """The window did not reach a state in time: the message says which."""


def wait_for(condition: Callable[[], object], what: str, timeout: float = TIMEOUT_S) -> None:
    """Let Qt run (results arrive as queued signals) until ``condition`` holds or time is up."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ScreenshotError(f"timed out after {timeout:.0f} s waiting for {what}")
        QTest.qWait(20)


def _has_focus_in(widget: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and widget.isAncestorOf(focused)


def cjk_font_note() -> str | None:
    """What to install when Chinese would show as boxes (None: a CJK font is there)."""
    finding = check_cjk_font()
    if finding.ok:
        return None
    return (f"note: {finding.what}. 08-bench-zh-CN.png is still saved, but its Chinese text "
            f"needs a CJK font to be readable: {finding.remedy}")  # fmt: skip


# --- demo data ------------------------------------------------------------------------------


def seed(context: AppContext) -> dict[str, str]:
    """A small demo: RMAs to scan, one day of verdicts (history, and a verdict the standard may
    flag), and a dispute on the lowest grade so the queue has a dispute to show. Returns the
    demo users' PINs."""
    summary = seed_demo(
        context.db, rma_count=60,
        history=HistoryOptions(context.standards, context.photos, days=1, per_day=6),
    )  # fmt: skip
    pins = summary.user_pins
    actor = sign_in(context.db, context.actor, SUPERVISOR, pins[SUPERVISOR]).actor
    with context.db.read() as session:
        disputed = session.execute(
            select(Verdict.inspection_id, Verdict.grade).order_by(Verdict.grade.desc()).limit(1)
        ).first()
    if disputed is not None:
        open_dispute(context.db, actor, disputed.inspection_id,
                     f"Seller disagrees with grade {disputed.grade}: the customer says the item "
                     f"was unused and complete", requested_outcome={"grade": "A"})  # fmt: skip
    return pins


def knitwear_parcels(context: AppContext, *, oldest_delivered_first: bool = False) -> list[str]:
    """Tracking numbers of expected one-unit knitwear returns (sweaters, scarves, beanies), by
    RMA number or, for a late return, the one delivered longest ago first."""
    with context.db.read() as session:
        single = (
            select(RmaLine.rma_id).group_by(RmaLine.rma_id)
            .having(func.count(RmaLine.id) == 1, func.sum(RmaLine.qty_expected) == 1)
        )  # fmt: skip
        rows = session.scalars(
            select(RmaTracking.tracking_number)
            .join(Rma, Rma.id == RmaTracking.rma_id)
            .join(RmaLine, RmaLine.rma_id == Rma.id)
            .join(Sku, Sku.id == RmaLine.sku_id)
            .where(Rma.status == "expected", Sku.category == "knitwear", Rma.id.in_(single))
            .order_by(
                *((Rma.delivered_on,) if oldest_delivered_first else ()), Rma.number
            )
        )  # fmt: skip
        return list(dict.fromkeys(rows))


def answer_the_rest(vm: BenchViewModel, runner: TaskRunner) -> None:
    """Answer whatever the standard still asks, as a careful grader with a clean unit would."""
    for _round in range(8):  # answers can reveal conditional items: go round until complete
        for item in vm.items:
            if item.code not in vm.visible_items:
                continue
            if vm.answer(item.code) is not None or vm.measurement(item.code) is not None:
                continue
            if item.type is ItemType.YES_NO:
                vm.set_answer(item.code, not item.code.startswith(("odour", "worn", "stain")))
            elif item.type is ItemType.SINGLE_CHOICE:
                vm.set_answer(item.code, item.choices[0][0])
            elif item.type is ItemType.MULTI_CHOICE:
                vm.set_answer(item.code, [])
            elif item.type is ItemType.MEASUREMENT:
                check = vm.check_measurement(item.code, None)
                vm.record_measurement(item.code, check.expected if check and check.expected
                                      else 50.0)  # fmt: skip
            elif item.type is ItemType.TEXT and item.required:
                vm.set_answer(item.code, "as listed")
        taken = set(vm.inspection.photo_roles) if vm.inspection else set()
        for requirement in vm.photo_requirements():
            if not requirement.taken and requirement.role not in taken:
                vm.take_photo(requirement.role)
        wait_for(lambda: not runner.busy and not vm.facts_pending and vm.evaluation_confirmed,
                 "the answers to be recorded")  # fmt: skip
        if vm.can_finalize:
            return
    raise ScreenshotError("could not complete the checklist: " + "; ".join(vm.missing_labels()))


# --- driving the window ---------------------------------------------------------------------


class Bench:
    """The real window, driven by keys where a grader uses keys, and photographed."""

    def __init__(self, app: QApplication, context: AppContext, out: Path, started: float) -> None:
        self.app, self.context, self.out, self.started = app, context, out, started
        self.window, self.vm, self.runner = build_bench(context)
        self.made: list[Path] = []

    # --- waiting and saving ---

    def settle(self) -> None:
        """Let pending work, layouts and repaints finish before a grab."""
        wait_for(lambda: not self.runner.busy, "background work to finish")
        for _ in range(3):
            self.app.processEvents()
            QTest.qWait(30)

    def save(self, widget: QWidget, name: str) -> None:
        self.settle()
        path = self.out / name
        if not widget.grab().save(str(path)):
            raise ScreenshotError(f"could not write {path}")
        self.made.append(path)
        size = widget.size()
        print(f"  {name}  {size.width()}x{size.height()}  {path.stat().st_size // 1024} KB  "
              f"at {time.monotonic() - self.started:.1f} s")  # fmt: skip

    def reactivate(self) -> None:
        """A window manager gives the activation back to the window when a dialog closes; the
        offscreen platform does not, so do what it would (the window's shortcuts need it)."""
        self.window.activateWindow()
        wait_for(self.window.isActiveWindow, "the window to be active")

    # --- a grader's actions ---

    def sign_in(self, username: str, pin: str) -> None:
        """As at the bench: the lock appears once users exist, the session view-model checks
        the PIN, and the prompt closes itself."""
        window, session = self.window, self.window.session
        if session is None:
            return
        session.ask_if_needed()
        wait_for(lambda: window.findChild(SignInDialog) is not None, "the sign-in prompt")
        session.sign_in(username, pin)
        wait_for(lambda: session.user is not None, f"{username} to be signed in")
        wait_for(lambda: not any(d.isVisible() for d in window.findChildren(SignInDialog)),
                 "the sign-in prompt to close")  # fmt: skip
        wait_for(window.scan_bar.isEnabled, "the bench to unlock")
        self.reactivate()

    def key(self, key: Qt.Key) -> None:
        """A key as the grader presses it: to whatever has the focus in the window."""
        QTest.keyClick(QApplication.focusWidget() or self.window, key)

    def scan(self, code: str) -> None:
        """A wedge scanner types the code into the focused scan field, then Enter."""
        field, vm = self.window.scan_bar.field, self.vm
        wait_for(field.hasFocus, "the scan field to have the focus")
        QTest.keyClicks(field, code)
        QTest.keyClick(field, Qt.Key.Key_Return)
        wait_for(lambda: vm.state is BenchState.INSPECTING and vm.evaluation is not None,
                 f"the inspection of {code} to open")  # fmt: skip

    def start_inspection(self, code: str, keyed: int, photo: bool) -> None:
        """Scan; answer ``keyed`` questions with digit 1 at a grader's pace (the focus moves on
        by itself, the answers are recorded behind); let the scale's first settled weight
        record itself; with ``photo``, take the first required photo with F7."""
        window, vm = self.window, self.vm
        self.scan(code)
        wait_for(lambda: _has_focus_in(window.form), "the first question to take the focus")
        for _ in range(keyed):
            before = QApplication.focusWidget()
            self.key(Qt.Key.Key_1)
            wait_for(lambda: QApplication.focusWidget() is not before,  # noqa: B023 (called now)
                     "the focus to move to the next question")  # fmt: skip
        wait_for(lambda: vm.inspection is not None and len(vm.inspection.answers) >= keyed,
                 f"{keyed} keyed answers to be recorded")  # fmt: skip
        wait_for(lambda: vm.inspection is not None and vm.inspection.weight_g is not None,
                 "the scale's first settled weight")  # fmt: skip
        if photo:
            taken = len(vm.inspection.photo_roles) if vm.inspection else 0
            QTest.keyClick(window, Qt.Key.Key_F7)
            wait_for(lambda: vm.inspection is not None
                     and len(vm.inspection.photo_roles) > taken, "the F7 photo")  # fmt: skip

    def finalize(self) -> None:
        answer_the_rest(self.vm, self.runner)
        self.key(Qt.Key.Key_F12)
        wait_for(lambda: self.vm.state is BenchState.FINALIZED, "the verdict")
        wait_for(lambda: bool(self.vm.printed_labels), "the labels to be queued")

    def open_dialog(
        self, key: Qt.Key, kind: type[W],
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> W:  # fmt: skip
        """Press the window's key for a dialog and wait for it to open."""
        QTest.keyClick(self.window, key, modifier)
        wait_for(lambda: self.window.findChild(kind) is not None, f"{kind.__name__} to open")
        dialog = self.window.findChild(kind)
        assert dialog is not None
        return dialog

    def close_dialog(self, dialog: QWidget) -> None:
        dialog.close()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # WA_DeleteOnClose
        self.reactivate()

    # --- the dialogs ---

    def supervisor_queue(self) -> None:
        """F10 with the dispute selected: its evidence (photos, measurements, trace, history)
        on the right, and a reason typed, which enables the rulings."""
        dialog = self.open_dialog(Qt.Key.Key_F10, SupervisorDialog)
        vm = self.window.findChild(SupervisorViewModel)
        assert vm is not None
        wait_for(lambda: dialog.table.rowCount() > 0, "the supervisor queue to fill")
        row = next((i for i, item in enumerate(vm.items) if item.kind == "dispute"), 0)
        dialog.table.selectRow(row)
        chosen = vm.items[row]
        wait_for(lambda: vm.evidence is not None and vm.evidence.inspection_id
                 == chosen.inspection_id, "the evidence of the selected unit")  # fmt: skip
        dialog.reason.setPlainText("Checked the photos and the weight against the listing.")
        self.save(dialog, "04-supervisor-queue.png")
        self.close_dialog(dialog)

    def history(self) -> None:
        dialog = self.open_dialog(Qt.Key.Key_F9, HistoryDialog)
        wait_for(lambda: dialog.table.rowCount() > 0, "the history to fill")
        self.save(dialog, "05-history.png")
        self.close_dialog(dialog)

    def settings(self) -> None:
        """Ctrl+, (skipped, and said, only where the settings dialog does not exist)."""
        try:
            from ui.widgets.settings_dialog import SettingsDialog
        except ImportError:
            print("  06-settings.png  skipped: there is no ui/widgets/settings_dialog.py")
            return
        dialog = self.open_dialog(
            Qt.Key.Key_Comma, SettingsDialog, Qt.KeyboardModifier.ControlModifier
        )
        self.save(dialog, "06-settings.png")
        self.close_dialog(dialog)

    def keys(self) -> None:
        dialog = self.open_dialog(Qt.Key.Key_F1, ShortcutsHelp)
        dialog.adjustSize()
        self.save(dialog, "07-keys.png")
        self.close_dialog(dialog)

    # --- the whole tour ---

    def tour(self, pin: str, parcels: list[str], language: str) -> None:
        window = self.window
        window.resize(*WINDOW_SIZE)
        window.show()
        self.reactivate()
        self.sign_in(SUPERVISOR, pin)
        self.save(window, "01-idle.png")

        self.start_inspection(parcels[0], keyed=4, photo=True)
        self.save(window, "02-inspecting.png")
        self.finalize()
        self.save(window, "03-verdict.png")

        self.supervisor_queue()
        self.history()
        self.settings()
        self.keys()

        # The next parcel, half done, switched to Chinese, then back and to the dark theme.
        self.start_inspection(parcels[1], keyed=3, photo=False)
        switcher = window.language
        assert switcher is not None
        switcher.switch("zh-CN")
        self.save(window, "08-bench-zh-CN.png")
        switcher.switch(language)
        apply_theme(self.app, "dark")
        self.save(window, "09-bench-dark.png")

    def close(self) -> None:
        if self.window.session is not None:
            self.window.session.sign_out()  # stops the idle sign-out timer
        self.runner.wait_idle()
        self.window.close()
        self.window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def take_screenshots(out: Path, language: str = "en", theme: str = "light") -> list[Path]:
    """Write the screenshots into ``out`` and return their paths. Leaves the application as it
    found it (language, theme), so it can run inside another Qt program or a test."""
    started = time.monotonic()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    previous_language = current_language()
    previous_style, previous_palette = app.styleSheet(), app.palette()
    out.mkdir(parents=True, exist_ok=True)
    apply_theme(app, theme)
    with tempfile.TemporaryDirectory(prefix="station-screenshots-") as tmp:
        settings = Settings(data_dir=Path(tmp), station_id="BENCH-07", language=language,
                            theme=theme, simulate=True, sounds=False)  # fmt: skip
        context = AppContext.build(settings)
        bench: Bench | None = None
        try:
            pins = seed(context)
            parcels = knitwear_parcels(context)
            if len(parcels) < 2:
                raise ScreenshotError("the demo seed has fewer than two knitwear parcels")
            context.devices.start()  # the simulators and the print spooler, as `station gui`
            bench = Bench(app, context, out, started)
            bench.tour(pins[SUPERVISOR], parcels, language)
        finally:
            if bench is not None:
                bench.close()
            context.close()  # the devices (simulators, spooler), then the database
            set_language(previous_language)
            app.setStyleSheet(previous_style)
            app.setPalette(previous_palette)
    return bench.made if bench is not None else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("--language", choices=tuple(LANGUAGES), default="en")
    parser.add_argument("--theme", choices=THEMES, default="light")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    note = cjk_font_note()
    if note:
        print(note)
    started = time.monotonic()
    print(f"screenshots ({args.language}, {args.theme}) into {args.out_dir}:")
    made = take_screenshots(args.out_dir, args.language, args.theme)
    print(f"{len(made)} screenshots in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
