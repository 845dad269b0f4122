"""Number keys mean what they say, the focused question stays in view, a new unit starts at the
top, and the mouse wheel scrolls the page instead of changing a dropdown.

Against the shipped standards (the seller's knitwear standard, whose ISO 12945 pilling grades
are listed 5 to 1) for a sweater, in a form smaller than its checklist, keys sent through the window as the window system
delivers them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QVBoxLayout, QWidget
from sqlalchemy import select

from station.context import AppContext
from station.models import Finding
from tests.factories import KNITWEAR_GRADE_A, UPS, make_catalog, make_rma
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.widgets.inspection_form import InspectionForm


@pytest.fixture
def context(settings) -> Iterator[AppContext]:
    """The shipped standards (knitwear for the sweater), simulated scale and camera."""
    ctx = AppContext.build(replace(settings, simulate=True))
    make_catalog(ctx.db)
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS)
    make_rma(ctx.db, "RMA-NK-000124")
    yield ctx
    ctx.close()


@pytest.fixture
def form(qtbot, vm: BenchViewModel) -> Iterator[InspectionForm]:
    """The form in a window that shows it only while inspecting, as the bench window does
    (hidden between units, its layout is not redone until it shows the next one)."""
    window = QWidget()
    qtbot.addWidget(window)
    widget = InspectionForm(vm, window)
    QVBoxLayout(window).addWidget(widget)
    vm.stateChanged.connect(lambda state: widget.setVisible(state == BenchState.INSPECTING))
    window.resize(1000, 420)  # shorter than the checklist: it scrolls
    window.show()
    window.activateWindow()
    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and widget.isEnabled())
    assert vm.standard is not None and "knitwear" in vm.standard.id
    qtbot.waitUntil(lambda: bool(widget.answer_widgets("pilling_grade")))
    yield widget  # the window lives as long as the test


def focused_item(form: InspectionForm) -> str | None:
    widget: QWidget | None = QApplication.focusWidget()
    while widget is not None and not widget.objectName().startswith("item_"):
        widget = widget.parentWidget()
    return widget.objectName().removeprefix("item_") if widget is not None else None


def in_view(form: InspectionForm, widget: QWidget) -> bool:
    viewport = form.scroll_area.viewport()
    top = widget.mapTo(viewport, QPoint(0, 0)).y()
    return top >= 0 and top + widget.height() <= viewport.height()


def press(form: InspectionForm, key: Qt.Key) -> None:
    QTest.keyClick(form.window().windowHandle(), key)


def shown_key(button: QAbstractButton) -> Qt.Key:
    """The digit key an answer button shows in front of its label ("5  5 – no pilling")."""
    return Qt.Key(Qt.Key.Key_0 + int(button.text().split()[0]))


# --- number keys ---------------------------------------------------------------------------


def test_key_4_on_the_pilling_scale_is_grade_4(qtbot, form, vm, context, runner) -> None:
    pilling = form.checklist.items["pilling_grade"]
    buttons = form.answer_widgets("pilling_grade")
    # The grader sees each grade's key, and it is the grade (ISO 12945-4: 5 = no pilling).
    assert [b.text().split("  ")[0] for b in buttons] == ["5", "4", "3", "2", "1"]
    assert buttons[0].text() == "5  5 – no pilling"
    pilling.focus_target().setFocus()
    qtbot.waitUntil(lambda: focused_item(form) == "pilling_grade")
    press(form, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: vm.inspection.answers.get("pilling_grade") is not None)
    assert vm.answer("pilling_grade") == "4"
    runner.wait_idle()
    with context.db.read() as session:
        recorded = session.scalar(
            select(Finding.answer).where(Finding.item_code == "pilling_grade")
        )
    assert recorded == "4"


def test_other_questions_keep_their_order(qtbot, form, vm) -> None:
    buttons = form.answer_widgets("parcel_condition")
    assert [b.text().split("  ")[0] for b in buttons] == ["1", "2", "3", "4"]
    form.checklist.items["parcel_condition"].focus_target().setFocus()
    qtbot.waitUntil(lambda: focused_item(form) == "parcel_condition")
    press(form, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: vm.answer("parcel_condition") == "torn")


@pytest.mark.parametrize(
    ("values", "zero_taken", "keys"),
    [
        (["5", "4", "3", "2", "1"], False, [5, 4, 3, 2, 1]),
        (["0", "1", "2"], False, [0, 1, 2]),
        (["0", "1", "2"], True, [1, 2, 3]),  # 0 is "None of these" there
        (["1", "2", "x"], False, [1, 2, 3]),  # not every option a number: by order
        (["1", "1"], False, [1, 2]),
        (["10", "20"], False, [1, 2]),
        ([True, False], False, [1, 2]),  # yes/no: Yes = 1, No = 2
    ],
)
def test_answer_keys(values, zero_taken, keys) -> None:
    from ui.widgets.checklist.choice import answer_keys

    assert answer_keys(values, zero_taken=zero_taken) == keys


# --- focus ---------------------------------------------------------------------------------


def test_the_focused_question_stays_in_view_down_the_checklist(qtbot, form, vm) -> None:
    form.focus_first()
    qtbot.waitUntil(lambda: focused_item(form) == "item_matches")
    visited = []
    for code, answer in KNITWEAR_GRADE_A.items():
        qtbot.waitUntil(lambda code=code: focused_item(form) == code)
        item = form.checklist.items[code]
        qtbot.waitUntil(lambda item=item: in_view(form, item))
        visited.append(code)
        button = next(b for b in form.answer_widgets(code) if b.property("answer") == answer)
        press(form, shown_key(button))
        qtbot.waitUntil(lambda code=code, answer=answer: vm.answer(code) == answer)
    assert visited == list(KNITWEAR_GRADE_A)
    assert form.scroll_area.verticalScrollBar().value() > 0  # it did have to scroll


def test_a_new_unit_starts_at_the_top_with_the_first_question(qtbot, form, vm) -> None:
    bar = form.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())  # the grader was at the bottom of the last unit
    assert bar.value() > 0
    vm.cancel_inspection()
    qtbot.waitUntil(lambda: vm.state is BenchState.IDLE)
    vm.submit_scan("RMA-NK-000124")
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and vm.rma.number.endswith("124"))
    form.focus_first()  # as the window does when an inspection opens
    qtbot.waitUntil(lambda: focused_item(form) == "item_matches")
    assert bar.value() == 0
    assert in_view(form, form.checklist.items["item_matches"])


# --- the wheel -----------------------------------------------------------------------------


def test_the_wheel_over_a_dropdown_scrolls_the_page(qtbot, form, vm) -> None:
    combo: QComboBox = form.defects.code_combo
    qtbot.waitUntil(lambda: combo.isVisible() and combo.count() > 2)
    form.scroll_area.ensureWidgetVisible(combo)
    combo.setCurrentIndex(combo.count() - 1)
    bar = form.scroll_area.verticalScrollBar()
    before_value, before_scroll = combo.currentIndex(), bar.value()
    assert before_scroll > 0 and in_view(form, combo)
    focused_before = QApplication.focusWidget()
    centre = combo.mapTo(form.window(), combo.rect().center())
    # Under the pointer, one notch up: Qt would give it to the dropdown as "previous value".
    QTest.wheelEvent(form.window().windowHandle(), centre, QPoint(0, 120))
    qtbot.waitUntil(lambda: bar.value() < before_scroll)
    assert combo.currentIndex() == before_value
    assert QApplication.focusWidget() is focused_before  # nor did it take the focus


def test_the_photo_role_dropdown_is_guarded_too(qtbot, form) -> None:
    combo = form.photos.extra_role
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert form.wheel_guard.guard(form) >= 3  # defect, zone and photo role dropdowns
