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
