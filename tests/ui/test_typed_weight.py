"""The typed-weight box: empty for every unit, wrong weights refused with a message naming the
field and the value (and kept to be corrected), far ones asked about by keyboard first.

The unit's expected weight is 210 g, as in issue 13 where "abc" + Enter recorded 210.0 g; the
bench's scale is configured with a 6 kg capacity (not the default), so the limit is the
settings' own. Only weights typed by the grader are counted (the simulated scale may record
its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest
from sqlalchemy import select, update

from station.context import AppContext
from station.models import RmaLine, WeightReading
from station.settings import Settings
from tests.factories import UPS, make_rma
from ui.tasks import TaskRunner
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.widgets.inspection_form import InspectionForm

EXPECTED_G = 210.0
TYPED_DEVICE = "typed-by-grader"  # how the bench records a weight the grader typed
CAPACITY_G = 6000.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, scale=replace(settings.scale, capacity_g=CAPACITY_G))


@pytest.fixture
def form(qtbot, vm: BenchViewModel, context: AppContext) -> Iterator[InspectionForm]:
    with context.db.write() as session:
        session.execute(update(RmaLine).values(expected_unit_weight_g=EXPECTED_G))
    widget = InspectionForm(vm)
    qtbot.addWidget(widget)
    widget.show()
    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and widget.isEnabled())
    yield widget


def typed_weights(context: AppContext) -> list[float]:
    with context.db.read() as session:
        return list(
            session.scalars(
                select(WeightReading.grams)
                .where(WeightReading.device == TYPED_DEVICE)
                .order_by(WeightReading.read_at)
            )
        )


def settle(qtbot, runner: TaskRunner) -> None:
    """Let every recording the bench started finish and come back."""
    runner.wait_idle()
    qtbot.wait(20)
    runner.wait_idle()


def type_weight(qtbot, form: InspectionForm, text: str) -> None:
    form.weight_input.setFocus()
    form.weight_input.selectAll()
    qtbot.keyClicks(form.weight_input, text)
    qtbot.keyClick(form.weight_input, Qt.Key.Key_Return)


def test_the_box_starts_empty_for_every_unit(qtbot, form, vm, context, runner) -> None:
    assert form.weight_input.text() == ""
    qtbot.keyClicks(form.weight_input, "333")
    vm.cancel_inspection()
    qtbot.waitUntil(lambda: vm.state is BenchState.IDLE)
    make_rma(context.db, "RMA-NK-000124")
    with context.db.write() as session:
        session.execute(update(RmaLine).values(expected_unit_weight_g=EXPECTED_G))
    vm.submit_scan("RMA-NK-000124")
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and vm.rma.number == "RMA-NK-000124")
    assert form.weight_input.text() == ""
    # Enter in the empty box records nothing (it used to record the expected weight).
    type_weight(qtbot, form, "")
    settle(qtbot, runner)
    assert typed_weights(context) == []
    assert "Weight: type a number" in form.weight_problem.text()


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("abc", "“abc” is not a number"),
        ("-5", "-5 g is a negative weight"),
        ("0", "0 g is an empty scale"),
        ("1e9", "“1e9” is not a number"),
        ("NaN", "“NaN” is not a number"),
        ("6000,5", "6000.5 g is over the scale's capacity of 6000 g"),
    ],
)
def test_a_weight_that_cannot_be_is_refused_and_kept(
    qtbot, form, context, runner, typed, named
) -> None:
    type_weight(qtbot, form, typed)
    qtbot.mouseClick(form.use_weight_button, Qt.MouseButton.LeftButton)  # "Use typed" too
    settle(qtbot, runner)
    assert typed_weights(context) == []  # nothing recorded, not even the expected 210 g
    assert form.weight_problem.isVisible()
    assert form.weight_problem.text().startswith(f"Weight: {named}")
    assert form.weight_input.text() == typed  # kept, to be corrected
    assert form.weight_input.hasFocus()
    form.weight_input.selectAll()
    qtbot.keyClicks(form.weight_input, "212")
    assert not form.weight_problem.isVisible()  # the message was about the old text
    qtbot.keyClick(form.weight_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: typed_weights(context) == [212.0])


def test_a_decimal_comma_is_a_decimal_point(qtbot, form, vm, context) -> None:
    type_weight(qtbot, form, "212,5")
    qtbot.waitUntil(lambda: typed_weights(context) == [212.5])
    qtbot.waitUntil(lambda: vm.inspection.weight_g == 212.5)
    assert not form.weight_problem.isVisible()


def test_a_far_weight_is_recorded_on_enter_again(qtbot, form, context, runner) -> None:
    type_weight(qtbot, form, "2100")
    settle(qtbot, runner)
    assert typed_weights(context) == []
    question = form.weight_problem.text()
    assert "2100 g" in question and "210 g" in question and "Enter again" in question
    qtbot.keyClick(form.weight_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: typed_weights(context) == [2100.0])
    assert not form.weight_problem.isVisible()


def test_esc_withdraws_the_question_and_not_the_inspection(qtbot, form, vm, context, runner):
    """Esc is the window's shortcut (twice cancels the inspection); while the box asks, the
    box takes it. Sent through the window, as the window system delivers it."""
    window_esc: list[bool] = []
    QShortcut(QKeySequence("Escape"), form).activated.connect(lambda: window_esc.append(True))
    form.activateWindow()
    type_weight(qtbot, form, "2100")
    qtbot.waitUntil(lambda: form.weight_input.hasFocus() and form.weight_problem.isVisible())
    QTest.keyClick(form.windowHandle(), Qt.Key.Key_Escape)
    assert window_esc == []
    assert not form.weight_problem.isVisible()
    assert form.weight_input.text() == "2100"  # kept, selected, to be typed over
    assert form.weight_input.selectedText() == "2100"
    QTest.keyClick(form.windowHandle(), Qt.Key.Key_Return)  # the question again, not a record
    settle(qtbot, runner)
    assert typed_weights(context) == []
    assert "Enter again" in form.weight_problem.text()
    qtbot.keyClicks(form.weight_input, "215")
    qtbot.keyClick(form.weight_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: typed_weights(context) == [215.0])
    # With no question open, Esc is the window's again.
    QTest.keyClick(form.windowHandle(), Qt.Key.Key_Escape)
    assert window_esc == [True]
    assert vm.state is BenchState.INSPECTING
