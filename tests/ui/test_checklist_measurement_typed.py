"""Measurements a grader cannot get wrong by accident: what cannot be a measurement is refused
with the reason (and stays to be corrected), a value far from the spec is asked about by
keyboard first, and the service refuses the same values when the form is bypassed.

The gadget's width spec is 52 cm ± 1 (tests/ui/gadget_standard.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest
from sqlalchemy import select

from station.context import AppContext
from station.models import Finding, FindingKind
from tests.ui.gadget_standard import RMA
from ui.tasks import TaskRunner
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.widgets.checklist import ChecklistView, MeasurementItem


@pytest.fixture
def checklist(qtbot, gadget_vm: BenchViewModel) -> ChecklistView:
    view = ChecklistView(gadget_vm)
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.INSPECTING and bool(view.items))
    return view


@pytest.fixture
def width(checklist: ChecklistView) -> MeasurementItem:
    item = checklist.items["width"]
    assert isinstance(item, MeasurementItem)
    return item


def measured(context: AppContext) -> list[float | None]:
    with context.db.read() as session:
        return list(
            session.scalars(
                select(Finding.value).where(Finding.kind == FindingKind.MEASUREMENT.value)
            )
        )


def settle(qtbot, runner: TaskRunner) -> None:
    runner.wait_idle()
    qtbot.wait(20)
    runner.wait_idle()


def type_value(qtbot, width: MeasurementItem, text: str) -> None:
    width.field.setFocus()
    width.field.selectAll()
    qtbot.keyClicks(width.field, text)
    qtbot.keyClick(width.field, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("abc", "“abc” is not a number"),
        ("-5", "-5 cm cannot be measured"),
        ("0", "0 cm cannot be measured"),
        ("NaN", "“NaN” is not a number"),
        ("1e9", "“1e9” is not a number"),
        ("600", "600 cm is more than ten times the expected 52 cm"),
        ("5", "5 cm is less than a tenth of the expected 52 cm"),
    ],
)
def test_a_measurement_that_cannot_be_is_refused_and_kept(
    qtbot, checklist, width, gadget_vm, gadget_ctx, runner, typed, named
) -> None:
    type_value(qtbot, width, typed)
    settle(qtbot, runner)
    assert measured(gadget_ctx) == []
    assert width.problem.isVisible()
    assert width.problem.text().startswith(f"Width: {named}")
    assert width.field.hasFocus()  # Enter did not move on past a refused value
    # Leaving the field records nothing either, and what was typed stays to be corrected,
    # even when the form is redrawn by another answer.
    checklist.items["powers_on"].focus_target().setFocus()
    gadget_vm.set_answer("powers_on", True)
    qtbot.waitUntil(lambda: gadget_vm.inspection.answers.get("powers_on") is True)
    settle(qtbot, runner)
    assert measured(gadget_ctx) == []
    assert width.field.text() == typed
    assert width.problem.isVisible()


def test_a_far_measurement_is_recorded_on_enter_again(
    qtbot, checklist, width, gadget_vm, gadget_ctx, runner
) -> None:
    type_value(qtbot, width, "60")  # 8 cm over: far beyond three times the 1 cm tolerance
    settle(qtbot, runner)
    assert measured(gadget_ctx) == []
    question = width.problem.text()
    assert "60 cm" in question and "52 cm" in question and "Enter again" in question
    assert width.field.hasFocus()
    qtbot.keyClick(width.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: measured(gadget_ctx) == [60.0])
    assert not width.problem.isVisible()
    assert not width.field.hasFocus()  # confirmed: the focus moved on


def test_leaving_a_far_measurement_does_not_record_it(
    qtbot, checklist, width, gadget_ctx, runner
) -> None:
    width.field.setFocus()
    qtbot.keyClicks(width.field, "60")
    checklist.items["powers_on"].focus_target().setFocus()  # the field loses the focus
    settle(qtbot, runner)
    assert measured(gadget_ctx) == []
    assert "Enter again" in width.problem.text()


def test_esc_withdraws_the_question_not_the_inspection(
    qtbot, checklist, width, gadget_vm, gadget_ctx, runner
) -> None:
    window_esc: list[bool] = []
    QShortcut(QKeySequence("Escape"), checklist).activated.connect(lambda: window_esc.append(1))
    type_value(qtbot, width, "60")
    qtbot.waitUntil(lambda: width.problem.isVisible())
    QTest.keyClick(checklist.windowHandle(), Qt.Key.Key_Escape)
    assert window_esc == []
    assert not width.problem.isVisible()
    assert width.field.text() == "60" and width.field.selectedText() == "60"
    settle(qtbot, runner)
    assert measured(gadget_ctx) == []
    qtbot.keyClicks(width.field, "52,4")
    qtbot.keyClick(width.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: measured(gadget_ctx) == [52.4])


def test_the_field_is_empty_at_each_new_unit(
    qtbot, checklist, width, gadget_vm, gadget_ctx, runner
) -> None:
    type_value(qtbot, width, "abc")
    assert width.field.text() == "abc"
    gadget_vm.cancel_inspection()
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.IDLE)
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.INSPECTING)
    assert checklist.items["width"] is width  # the same widgets serve the next unit
    assert width.field.text() == ""
    assert not width.problem.isVisible()


def test_the_service_refusal_reaches_the_grader(qtbot, gadget_vm, gadget_ctx, runner) -> None:
    """Bypassing the form's check, the service refuses the same value, and the bench says so
    and takes the value back."""
    messages: list[tuple[str, str]] = []
    gadget_vm.messageChanged.connect(lambda level, text: messages.append((level, text)))
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.INSPECTING)
    gadget_vm.record_measurement("width", 600.0)
    qtbot.waitUntil(lambda: bool(messages) and messages[-1][0] == "error")
    assert messages[-1][1] == "Width: 600 cm is more than ten times the expected 52 cm"
    settle(qtbot, runner)
    assert measured(gadget_ctx) == []
    assert gadget_vm.measurement("width") is None
