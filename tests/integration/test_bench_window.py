"""The whole bench window, driven like a grader with a keyboard-wedge scanner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from station.context import AppContext
from station.models import AuditEvent, Lpn, OutboxEvent, Verdict
from tests.factories import UPS, make_catalog, make_rma
from ui.app import build_bench
from ui.viewmodels.bench import BenchState
from ui.widgets.sign_in import SignInDialog


@pytest.fixture
def context(settings, general_registry) -> Iterator[AppContext]:
    ctx = AppContext.build(replace(settings, simulate=True))
    # The built-in general-merchandise standard, whatever standard files ship meanwhile.
    ctx.standards = general_registry
    make_catalog(ctx.db)
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS, price="59.00")
    yield ctx
    ctx.close()


def test_scan_to_finalize_in_the_window(qtbot, context):
    # This flow weighs with F6. The live readout's first settled weight would otherwise record
    # itself at any moment (scan-first auto-record, tested in test_bench_flows) and race the
    # "no weight yet" check below.
    context.settings = replace(
        context.settings, scale=replace(context.settings.scale, auto_record_min_g=0)
    )
    window, vm, runner = build_bench(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.scan_bar.field.hasFocus())

    scans: list[str] = []
    assert window.wedge is not None
    window.wedge.scanned.connect(scans.append)
    for char in UPS:  # a wedge scanner types fast, then Enter, as the window system delivers
        qtbot.keyClick(window.windowHandle(), char)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert scans == [UPS]  # the wedge filter took the burst as one scan
    assert "RMA-NK-000123" in window.rma_panel.header.text()

    form = window.form
    qtbot.waitUntil(lambda: bool(form.answer_widgets("condition")))
    for code, index in {"item_matches": 0, "packaging": 0, "condition": 0, "complete": 0}.items():
        qtbot.mouseClick(form.answer_widgets(code)[index], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.inspection is not None and len(vm.inspection.answers) == 4)
    assert not form.finalize_button.isEnabled()  # no weight yet
    qtbot.keyClick(window, Qt.Key.Key_F6)  # weigh
    qtbot.waitUntil(lambda: vm.inspection.weight_g is not None)
    qtbot.waitUntil(lambda: form.finalize_button.isEnabled())
    assert "Finalize will record" in form.preview.text()
    qtbot.keyClick(window, Qt.Key.Key_F12)  # finalize
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED)

    lpn = vm.verdict.lpn
    assert window.verdict_panel.grade_label.text() == "A"
    assert lpn in window.verdict_panel.lpn_label.text()
    qtbot.waitUntil(lambda: window.scan_bar.field.hasFocus())  # ready for the next parcel
    runner.wait_idle()
    with context.db.read() as session:
        assert session.scalar(select(Lpn.code)) == lpn
        assert session.scalar(select(func.count()).select_from(Verdict)) == 1
        assert (
            "inspection.verdict.recorded" in session.scalars(select(OutboxEvent.event_type)).all()
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "verdict.recorded")
            )
            == 1
        )


def test_the_bench_is_locked_until_someone_signs_in_once_users_exist(qtbot, context):
    from station.services.users import add_user

    add_user(context.db, context.actor, "admin", "Ada Admin", "admin", pin="2468")
    window, _vm, runner = build_bench(context)
    qtbot.addWidget(window)
    session = window.session
    assert session is not None
    assert window.centralWidget().isEnabled()  # before the check: a station without users
    with qtbot.waitSignal(session.signInNeeded, timeout=10_000):
        session.ask_if_needed()
    assert not window.centralWidget().isEnabled()
    assert "sign in" in window.statusBar().currentMessage().lower()
    dialog = window.findChild(SignInDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.username.setText("admin")
    dialog.pin.setText("2468")
    with qtbot.waitSignal(session.userChanged, timeout=10_000):
        dialog.sign_in_button.click()
    assert window.centralWidget().isEnabled() and context.actor.user_id is not None
    session.sign_out()
    assert not window.centralWidget().isEnabled()  # signed out: locked again
    window.session_badge.switch_button.click()
    assert any(d.isVisible() for d in window.findChildren(SignInDialog))
    runner.wait_idle()


def _type_fast(qtbot, window_handle, text: str) -> None:
    """Keys as a scanner sends them: all at once (the filter's clock sees no gap)."""
    for char in text:
        qtbot.keyClick(window_handle, char)
    qtbot.keyClick(window_handle, Qt.Key.Key_Return)


def test_signed_out_a_scan_is_ignored_and_a_pin_typed_fast_is_a_pin(qtbot, context):
    from station.services.users import add_user

    add_user(context.db, context.actor, "admin", "Ada Admin", "admin", pin="246813")
    window, vm, runner = build_bench(context)
    qtbot.addWidget(window)
    window.show()
    session = window.session
    assert session is not None
    with qtbot.waitSignal(session.signInNeeded, timeout=10_000):
        session.ask_if_needed()
    dialog = window.findChild(SignInDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.username.setFocus()
    qtbot.waitUntil(dialog.username.hasFocus)
    assert window.wedge is not None
    scans: list[str] = []
    window.wedge.scanned.connect(scans.append)
    _type_fast(qtbot, dialog.windowHandle(), "admin")  # fast: still typing, not a scan
    qtbot.waitUntil(dialog.pin.hasFocus)
    assert dialog.username.text() == "admin"
    window.wedge.scanned.emit("1Z5R89390357567127")  # a serial scanner while signed out
    qtbot.wait(50)
    runner.wait_idle()
    assert vm.state is BenchState.IDLE and vm.scan is None  # ignored, never shown
    assert "1Z5R" not in window.message.text()
    with qtbot.waitSignal(session.userChanged, timeout=10_000):
        _type_fast(qtbot, dialog.windowHandle(), "246813")
    assert scans == ["1Z5R89390357567127"]  # only the one emitted by hand
    assert vm.scan is None and vm.state is BenchState.IDLE
    runner.wait_idle()


def test_esc_clears_the_scan_field_and_the_window_keys_work_from_it(qtbot, context):
    from PySide6.QtCore import QEvent, QKeyCombination
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QLineEdit

    window, _vm, runner = build_bench(context)
    qtbot.addWidget(window)
    window.show()
    field = window.scan_bar.field
    qtbot.waitUntil(field.hasFocus)
    field.setText("RMA-N")  # what a person left there
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Escape)
    assert field.text() == ""

    ctrl_u = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_U)
    assert ctrl_u in field.yield_to  # Ctrl+U is the window's (switch user)
    # A line edit claims the editing keys of the platform's scheme (on X11, Ctrl+U deletes
    # the line) before any window shortcut sees them; the scan field gives up the window's.
    # Shown with Ctrl+A, which a line edit claims on every platform.
    ctrl_a = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_A)
    override = QEvent.Type.ShortcutOverride
    plain = QLineEdit()
    qtbot.addWidget(plain)
    claimed = QKeyEvent(override, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    claimed.ignore()
    plain.event(claimed)
    assert claimed.isAccepted()
    field.yield_to = {*field.yield_to, ctrl_a}
    yielded = QKeyEvent(override, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    yielded.ignore()
    assert field.event(yielded) is False and not yielded.isAccepted()
    runner.wait_idle()


def test_the_wheel_never_changes_a_dropdown_in_the_benchs_dialogs(qtbot, context):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QComboBox

    window, _vm, runner = build_bench(context)
    qtbot.addWidget(window)
    window.show()
    for open_dialog in (window.open_history, window.open_settings, window.open_supervisor_queue):
        dialog = open_dialog()
        assert dialog is not None
        runner.wait_idle()  # lists filled from the database
        qtbot.wait(20)
        combos = dialog.findChildren(QComboBox)
        assert combos, type(dialog).__name__
        for combo in combos:
            while combo.count() < 2:  # filled once a row is chosen: the guard is there before
                combo.addItem(f"choice {combo.count()}")
            combo.setCurrentIndex(1)
            centre = QPointF(combo.rect().center())
            wheel = QWheelEvent(
                centre, QPointF(combo.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase, False,
            )  # fmt: skip
            QApplication.sendEvent(combo, wheel)
            assert combo.currentIndex() == 1, (type(dialog).__name__, combo.objectName())
        dialog.close()
    runner.wait_idle()
