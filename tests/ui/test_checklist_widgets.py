"""The generated checklist, one item type at a time, against the small YAML gadget standard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from devices.camera import SimulatedCamera
from station.models import Finding, FindingKind, Photo
from tests.ui.gadget_standard import RMA, gadget_context
from ui.tasks import TaskRunner
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.widgets.checklist import (
    ChecklistView,
    ChoiceItem,
    MeasurementItem,
    MultiChoiceItem,
    PhotoItem,
    TextItem,
)


@pytest.fixture
def checklist(qtbot, gadget_vm) -> ChecklistView:
    view = ChecklistView(gadget_vm)
    qtbot.addWidget(view)
    view.show()
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.INSPECTING and bool(view.items))
    return view


def _click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _db_answer(ctx, code):
    with ctx.db.read() as session:
        row = session.scalars(
            select(Finding).where(
                Finding.item_code == code, Finding.kind == FindingKind.ANSWER.value
            )
        ).one_or_none()
        return row.answer if row else None


def test_one_widget_per_item_type_and_required_items_marked(checklist):
    kinds = {code: type(widget) for code, widget in checklist.items.items()}
    assert kinds == {
        "powers_on": ChoiceItem,
        "no_power_cause": ChoiceItem,
        "accessories": MultiChoiceItem,
        "width": MeasurementItem,
        "front_photo": PhotoItem,
        "notes": TextItem,
    }
    assert checklist.items["powers_on"].title() == "Powers on *"
    assert checklist.items["notes"].title() == "Notes"  # optional
    # Each answer shows the digit that chooses it; the tooltip keeps the plain label.
    assert [b.text() for b in checklist.answer_widgets("powers_on")] == ["1  Yes", "2  No"]
    assert [b.toolTip() for b in checklist.answer_widgets("powers_on")] == ["Yes", "No"]


def test_conditional_item_shows_and_hides_with_the_answer(qtbot, checklist, gadget_vm):
    cause = checklist.items["no_power_cause"]
    assert cause.isHidden()
    yes, no = checklist.answer_widgets("powers_on")
    _click(qtbot, no)
    assert not cause.isHidden()  # at once, from the local evaluation
    qtbot.waitUntil(lambda: gadget_vm.inspection.answers.get("powers_on") is False)
    qtbot.waitUntil(lambda: gadget_vm.evaluation_confirmed)
    assert not cause.isHidden()
    _click(qtbot, yes)
    assert cause.isHidden()
    qtbot.waitUntil(lambda: gadget_vm.inspection.answers.get("powers_on") is True)
    qtbot.waitUntil(lambda: gadget_vm.evaluation_confirmed)
    assert cause.isHidden() and no.isChecked() is False and yes.isChecked()


def test_measurement_badge_while_typing_then_recorded_on_enter(
    qtbot, checklist, gadget_vm, gadget_ctx
):
    width = checklist.items["width"]
    assert isinstance(width, MeasurementItem)
    assert width.unit_label.text() == "cm"
    assert "expected 52 ± 1 cm" in width.expected_label.text()
    qtbot.keyClicks(width.field, "52.6")
    assert width.badge.text() == "PASS"
    assert gadget_vm.measurement("width") is None  # typing alone records nothing
    width.field.clear()
    qtbot.keyClicks(width.field, "53,5")  # a decimal comma is fine
    assert width.badge.text() == "FAIL"
    assert "(+1.5)" in width.expected_label.text()
    qtbot.keyClick(width.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: gadget_vm.inspection.measurements.get("width") == (53.5, "cm"))
    with gadget_ctx.db.read() as session:
        values = session.scalars(
            select(Finding.value).where(Finding.kind == FindingKind.MEASUREMENT.value)
        ).all()
    assert values == [53.5]
    width.field.clear()
    qtbot.keyClicks(width.field, "abc")
    assert width.badge.text() == "Not a number"


def test_multi_choice_answers_are_lists_and_none_is_an_answer(
    qtbot, checklist, gadget_vm, gadget_ctx
):
    accessories = checklist.items["accessories"]
    assert isinstance(accessories, MultiChoiceItem)
    cable, case, manual = accessories.choice_buttons
    _click(qtbot, cable)
    _click(qtbot, manual)
    qtbot.waitUntil(lambda: gadget_vm.inspection.answers.get("accessories") == ["cable", "manual"])
    assert not case.isChecked()
    assert _db_answer(gadget_ctx, "accessories") == ["cable", "manual"]
    _click(qtbot, accessories.none_button)
    assert not cable.isChecked() and not manual.isChecked()
    qtbot.waitUntil(lambda: gadget_vm.inspection.answers.get("accessories") == [])
    assert _db_answer(gadget_ctx, "accessories") == []
    assert "accessories" not in {m.code for m in gadget_vm.evaluation.missing}
    _click(qtbot, accessories.none_button)  # untick "None": unanswered again
    qtbot.waitUntil(lambda: "accessories" not in gadget_vm.inspection.answers)
    assert _db_answer(gadget_ctx, "accessories") is None


def test_text_is_recorded_when_editing_finishes(qtbot, checklist, gadget_vm):
    notes = checklist.items["notes"]
    assert isinstance(notes, TextItem)
    qtbot.keyClicks(notes.field, "Box dented")
    qtbot.keyClick(notes.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: gadget_vm.inspection.answers.get("notes") == "Box dented")


def test_photo_step_with_camera_and_with_a_file(
    qtbot, checklist, gadget_vm, gadget_ctx, tmp_path, monkeypatch
):
    photo = checklist.items["front_photo"]
    assert isinstance(photo, PhotoItem)
    assert "missing" in photo.row.state_label.text()
    assert photo.row.take_button.isEnabled()  # the simulated bench has a camera
    _click(qtbot, photo.row.take_button)
    qtbot.waitUntil(lambda: "front" in gadget_vm.inspection.photo_roles)
    assert "taken" in photo.row.state_label.text()

    picked = tmp_path / "front.png"
    picked.write_bytes(SimulatedCamera(seed=3).grab().data)
    monkeypatch.setattr("ui.widgets.checklist.photo.choose_photo_file", lambda _parent: picked)
    _click(qtbot, photo.row.file_button)
    qtbot.waitUntil(lambda: _photo_count(gadget_ctx) == 2)


def _photo_count(ctx) -> int:
    with ctx.db.read() as session:
        return len(session.scalars(select(Photo).where(Photo.role == "front")).all())


def test_labels_in_the_station_language(qtbot, settings, tmp_path: Path):
    context = gadget_context(settings, tmp_path / "standards", language="zh-CN")
    runner = TaskRunner()
    try:
        vm = BenchViewModel(context, runner)
        view = ChecklistView(vm)
        qtbot.addWidget(view)
        vm.submit_scan(RMA)
        qtbot.waitUntil(lambda: bool(view.items))
        assert view.items["powers_on"].title() == "能开机 *"
        assert [b.toolTip() for b in view.answer_widgets("accessories")][:3] == [
            "线缆",
            "保护套",
            "说明书",
        ]
        assert vm.zone_label("screen") == "屏幕"
    finally:
        runner.wait_idle()
        context.close()
