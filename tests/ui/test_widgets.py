"""One widget and its view-model at a time."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.factories import UPS
from tests.ui.steps import finalize_grade_a_in_the_view_model
from ui.viewmodels.bench import BenchState
from ui.widgets.inspection_form import InspectionForm
from ui.widgets.rma_panel import RmaPanel
from ui.widgets.scan_bar import ScanBar
from ui.widgets.verdict_panel import VerdictPanel


def test_scan_bar_submits_on_enter_and_shows_the_state(qtbot, vm):
    bar = ScanBar(vm)
    qtbot.addWidget(bar)
    assert bar.state_label.text() == "Ready to scan"
    qtbot.keyClicks(bar.field, UPS)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.field.text() == ""  # cleared for the next scan at once
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert bar.state_label.text() == "Inspecting"


def test_rma_panel_lists_lines_and_blind_prompt(qtbot, vm):
    panel = RmaPanel(vm)
    qtbot.addWidget(panel)
    panel.show()
    vm.submit_scan("RMA-NK-000200")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE)
    assert panel.lines.rowCount() == 2
    assert panel.lines.item(1, 1).text() == "EB-PRO-2"
    assert "RMA-NK-000200" in panel.header.text()
    vm.submit_scan("LD123456789XX")  # nothing matches
    qtbot.waitUntil(lambda: vm.state is BenchState.BLIND_PROMPT)
    assert panel.blind_label.isVisible() and not panel.lines.isVisible()
    assert "Blind return" in panel.blind_label.text()


def test_inspection_form_is_built_from_the_checklist_and_records_answers(qtbot, vm):
    form = InspectionForm(vm)
    qtbot.addWidget(form)
    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and form.isEnabled())
    qtbot.waitUntil(lambda: bool(form.answer_widgets("condition")))
    # Each answer is its label, behind the digit key that answers it (the tooltip: the label).
    buttons = form.answer_widgets("condition")
    labels = [button.toolTip() for button in buttons]
    assert labels == ["New, unused", "Like new", "Used, visible wear", "Damaged", "Unusable"]
    assert [b.text() for b in buttons] == [f"{i}  {label}" for i, label in enumerate(labels, 1)]
    qtbot.mouseClick(form.answer_widgets("condition")[2], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.inspection.answers.get("condition") == "used")
    assert form.answer_widgets("condition")[2].isChecked()
    qtbot.waitUntil(lambda: "Still needed" in form.preview.text())
    assert "Packaging" in form.preview.text()
    assert not form.finalize_button.isEnabled()
    assert "Packaging" in form.finalize_button.toolTip()
    qtbot.mouseClick(form.weigh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "g</b>" in form.weight_label.text())


def test_inspection_form_shows_answers_given_elsewhere(qtbot, vm):
    """Answers recorded through the view-model (e.g. by a scanner macro) show as chosen."""
    form = InspectionForm(vm)
    qtbot.addWidget(form)
    vm.submit_scan(UPS)
    # The form is filled while hidden, then shown: answers are taken once it is inspecting.
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    qtbot.waitUntil(lambda: bool(form.answer_widgets("packaging")))
    vm.set_answer("packaging", "opened")
    qtbot.waitUntil(lambda: vm.inspection.answers.get("packaging") == "opened")
    assert [b.isChecked() for b in form.answer_widgets("packaging")] == [False, True, False, False]
    assert not form.defects.isVisibleTo(form)  # the built-in standard has no defect catalogue


def test_verdict_panel_shows_grade_and_lpn(qtbot, vm):
    panel = VerdictPanel(vm)
    qtbot.addWidget(panel)
    assert panel.grade_label.text() == ""
    finalize_grade_a_in_the_view_model(qtbot, vm, UPS)
    qtbot.waitUntil(lambda: vm.verdict is not None)
    assert panel.grade_label.text() == "A"
    assert vm.verdict.lpn in panel.lpn_label.text()
    assert "Restock as new" in panel.details.text()  # the disposition's name, not its code
    assert vm.verdict.upstream_disposition in panel.details.toolTip()


def test_verdict_panel_lists_printed_labels_with_reprint_buttons(qtbot, vm):
    panel = VerdictPanel(vm)
    qtbot.addWidget(panel)
    finalize_grade_a_in_the_view_model(qtbot, vm, UPS)
    qtbot.waitUntil(lambda: len(panel.reprint_buttons) == 2)
    assert "Route tag" in panel.reprint_buttons[1].text()
    qtbot.mouseClick(panel.reprint_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.reprint_buttons) == 3)
