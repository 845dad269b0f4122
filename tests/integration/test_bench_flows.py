"""Scan-first flows through the real window: keys and scans only, counted like a grader's.

Scans arrive the way a serial scanner's do (``window.wedge.scanned``); keys go to whatever has
the focus, so a test fails if the focus is not where the grader's next key expects it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from station.commands import Command, CommandKind, encode_command
from station.context import AppContext
from station.models import LabelPrint, Verdict
from tests.factories import KNITWEAR_GRADE_A, UPS, make_catalog, make_rma
from ui.viewmodels.bench import BenchState, Feedback


@pytest.fixture
def context(settings) -> Iterator[AppContext]:
    """The shipped standards (knitwear for the sweater), simulated scale and camera."""
    ctx = AppContext.build(replace(settings, simulate=True))
    make_catalog(ctx.db)
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS, price="59.00")
    yield ctx
    ctx.close()


def test_a_knitwear_inspection_by_keys_and_scans_only_within_twelve(qtbot, context, bench):
    window, vm, grader = bench
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert vm.standard is not None and "knitwear" in vm.standard.id
    grader.answer_all(KNITWEAR_GRADE_A)
    grader.key(Qt.Key.Key_F7)  # the front photo, from the simulated camera
    qtbot.waitUntil(lambda: "front" in vm.inspection.photo_roles, timeout=5000)
    # The weight is taken by itself once the scale settles: no key for it.
    qtbot.waitUntil(lambda: vm.inspection.weight_g is not None, timeout=5000)
    qtbot.waitUntil(lambda: window.form.finalize_button.isEnabled())
    grader.key(Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=5000)

    assert vm.verdict.grade == "A"
    assert grader.actions <= 12, f"{grader.actions} keys and scans"
    # Labels printed, and the station ready for the next parcel without a click.
    qtbot.waitUntil(lambda: bool(vm.printed_labels), timeout=5000)
    qtbot.waitUntil(lambda: window.scan_bar.field.hasFocus())
    assert Feedback.SCAN_ACCEPTED in grader.feedback
    assert grader.feedback[-1] == Feedback.VERDICT_RECORDED
    with context.db.read() as session:
        assert session.scalar(select(Verdict.grade)) == "A"
        assert session.scalars(select(LabelPrint.kind)).all()


def test_a_grade_barcode_finalizes_only_when_the_standard_agrees(qtbot, context, bench):
    _window, vm, grader = bench
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    grader.answer_all(KNITWEAR_GRADE_A)
    grader.key(Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: vm.can_finalize, timeout=5000)
    messages: list[str] = []
    vm.messageChanged.connect(lambda _level, text: messages.append(text))

    grader.scan(encode_command(Command(CommandKind.GRADE, "C")))  # the grader thinks C
    assert vm.state is BenchState.INSPECTING  # nothing recorded
    assert "grade A" in messages[-1] and "C" in messages[-1]
    assert grader.feedback[-1] == Feedback.SCAN_REJECTED

    grader.scan(encode_command(Command(CommandKind.GRADE, "A")))
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=5000)
    assert vm.verdict.grade == "A"


def test_command_barcodes_cancel_twice_and_finalize(qtbot, context, bench):
    window, vm, grader = bench
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    cancel = encode_command(Command(CommandKind.CANCEL))
    grader.scan(cancel)
    assert vm.state is BenchState.INSPECTING  # one CANCEL only warns
    grader.scan(cancel)
    qtbot.waitUntil(lambda: vm.state is BenchState.IDLE)

    grader.scan("%RS:SELFDESTRUCT")
    assert grader.feedback[-1] == Feedback.SCAN_REJECTED
    assert vm.state is BenchState.IDLE

    grader.scan(UPS)  # the same parcel again (the cancelled unit is still expected)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    grader.answer_all(KNITWEAR_GRADE_A)
    grader.key(Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: vm.can_finalize, timeout=5000)
    grader.scan(encode_command(Command(CommandKind.FINALIZE)))
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=5000)
    qtbot.waitUntil(lambda: bool(vm.printed_labels), timeout=5000)
    first_prints = len(vm.printed_labels)

    grader.scan(encode_command(Command(CommandKind.REPRINT)))
    runner_idle = window._runner.wait_idle
    runner_idle()
    with context.db.read() as session:
        assert len(session.scalars(select(LabelPrint)).all()) > first_prints
