"""The live verdict preview and the Finalize gate, in the inspection form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from station.models import Verdict
from tests.ui.gadget_standard import RMA
from ui.viewmodels.bench import BenchState
from ui.widgets.inspection_form import InspectionForm
from ui.widgets.verdict_preview import VerdictPreview


@pytest.fixture
def form(qtbot, gadget_vm) -> InspectionForm:
    widget = InspectionForm(gadget_vm)
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.INSPECTING and widget.isEnabled())
    qtbot.waitUntil(lambda: bool(widget.checklist.items))
    return widget


def _click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _verdicts(ctx):
    with ctx.db.read() as session:
        return session.scalars(select(Verdict.grade)).all()


def _measure(qtbot, form, text):
    width = form.checklist.items["width"]
    width.field.setFocus()
    qtbot.keyClicks(width.field, text)
    qtbot.keyClick(width.field, Qt.Key.Key_Return)


def test_finalize_disabled_naming_what_is_missing_then_records_a_verdict(
    qtbot, form, gadget_vm, gadget_ctx
):
    button = form.finalize_button
    assert not button.isEnabled()
    for name in ("Powers on", "Accessories in the box", "Width", "Photo of the front"):
        assert name in button.toolTip() and name in form.preview.missing_label.text()
    assert "4 still needed" in button.text()
    assert form.finalize_hint.text() == (
        "Finalize needs: Powers on; Accessories in the box; Width and 1 more"
    )

    # F12 follows the same gate: refused, with the reason, and nothing recorded.
    with qtbot.waitSignal(gadget_vm.messageChanged) as signal:
        qtbot.keyClick(form, Qt.Key.Key_F12)
    assert signal.args[0] == "error" and "Width" in signal.args[1]
    assert _verdicts(gadget_ctx) == []

    _click(qtbot, form.answer_widgets("powers_on")[0])
    _click(qtbot, form.checklist.items["accessories"].none_button)
    _measure(qtbot, form, "52.4")
    assert not button.isEnabled()  # the photo is still missing
    qtbot.waitUntil(lambda: "Photo of the front" in form.finalize_hint.text())
    assert "Width" not in form.finalize_hint.text()
    _click(qtbot, form.checklist.items["front_photo"].row.take_button)
    qtbot.waitUntil(lambda: button.isEnabled())
    assert button.text() == "Finalize (F12)" and form.finalize_hint.isHidden()

    _click(qtbot, button)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.FINALIZED)
    assert _verdicts(gadget_ctx) == ["A"]


def test_preview_shows_provisional_grade_then_grade_with_its_trace(qtbot, form, gadget_vm):
    preview = form.preview
    assert isinstance(preview, VerdictPreview)
    assert "Provisional" in preview.caption.text()
    assert preview.grade_label.text() == "A"  # provisional: default grade so far

    _click(qtbot, form.answer_widgets("powers_on")[1])  # does not power on
    qtbot.waitUntil(lambda: preview.grade_label.text() == "D")
    assert "Provisional" in preview.caption.text()
    assert "Why it does not power on" in preview.missing_label.text()
    assert "rule dead matched: grade D" in preview.trace_label.text()

    _click(qtbot, form.answer_widgets("no_power_cause")[1])
    _click(qtbot, form.checklist.items["accessories"].choice_buttons[0])
    _measure(qtbot, form, "52")
    _click(qtbot, form.checklist.items["front_photo"].row.take_button)
    # Grade D asks for a defect close-up no checklist item shows: the photo panel offers it.
    qtbot.waitUntil(lambda: "defect_closeup" in form.photos.rows)
    closeup = form.photos.rows["defect_closeup"]
    assert "missing" in closeup.state_label.text()
    assert "Defect close-up" in preview.missing_label.text()
    assert "Defect close-up" in form.photos.summary.text()
    _click(qtbot, closeup.take_button)

    qtbot.waitUntil(lambda: form.finalize_button.isEnabled())
    qtbot.waitUntil(lambda: gadget_vm.evaluation_confirmed)
    assert preview.caption.text() == "Finalize will record"
    assert preview.grade_label.text() == "D"
    assert preview.missing_label.isHidden()
    text = preview.text()
    assert "refurbish" in text and "partial 50%" in text and "customer" in text
    # The verdict's codes are said in words (the trace above keeps the evaluator's own record).
    details = preview.details.text()
    assert "Refurbish" in details and "Partial refund (50%)" in details and "Customer" in details
    assert "DOES_NOT_POWER_ON" in text
    assert "rule dead matched: grade D" in preview.trace_label.text()


def test_f7_takes_the_first_missing_required_photo(qtbot, form, gadget_vm):
    qtbot.keyClick(form, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: "front" in gadget_vm.inspection.photo_roles)


def test_f12_records_a_measurement_still_being_typed_first(qtbot, form, gadget_vm, gadget_ctx):
    _click(qtbot, form.answer_widgets("powers_on")[0])
    _click(qtbot, form.checklist.items["accessories"].none_button)
    _click(qtbot, form.checklist.items["front_photo"].row.take_button)
    qtbot.waitUntil(lambda: "front" in gadget_vm.inspection.photo_roles)
    width = form.checklist.items["width"]
    width.field.setFocus()
    qtbot.keyClicks(width.field, "54")  # out of tolerance; Enter not pressed
    assert width.badge.text() == "FAIL"
    messages: list[tuple[str, str]] = []
    gadget_vm.messageChanged.connect(lambda level, text: messages.append((level, text)))
    qtbot.keyClick(form, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.FINALIZED)
    assert _verdicts(gadget_ctx) == ["C"]  # judged with the typed width
    # The field losing focus as the form hides records nothing more and raises no warning.
    form.hide()
    qtbot.wait(50)
    assert [level for level, _text in messages if level in ("warning", "error")] == []
    assert "success" in [level for level, _text in messages]
