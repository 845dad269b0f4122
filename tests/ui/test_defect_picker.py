"""The defect picker: catalogue, zones and severities from the standard; add and remove;
names and zones in the language in force."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from station.models import Finding, FindingKind
from tests.ui.gadget_standard import RMA
from ui.viewmodels.bench import BenchState
from ui.widgets.defect_picker import DefectPicker


def _defects(ctx):
    with ctx.db.read() as session:
        rows = session.scalars(
            select(Finding)
            .where(Finding.kind == FindingKind.DEFECT.value)
            .order_by(Finding.recorded_at)
        ).all()
        return [(f.item_code, f.zone, f.severity, f.note) for f in rows]


def test_pick_add_and_remove_defects(qtbot, gadget_vm, gadget_ctx):
    picker = DefectPicker(gadget_vm)
    qtbot.addWidget(picker)
    assert picker.isHidden()
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.INSPECTING)
    qtbot.waitUntil(lambda: picker.code_combo.count() == 2)
    assert not picker.isHidden()
    assert [picker.code_combo.itemText(i) for i in range(2)] == [
        "Scratch (default minor)",
        "Cracked screen (default major)",
    ]
    # The first defect is preselected with its zones and its default severity.
    assert [picker.zone_combo.itemText(i) for i in range(2)] == ["Body", "Screen"]
    assert picker.current_severity() == "minor"

    picker.select("CRACK")
    assert picker.zone_combo.count() == 1 and picker.zone_combo.currentData() == "screen"
    assert picker.current_severity() == "major"
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(picker.rows) == 1)
    assert "Cracked screen" in picker.rows[0].label.text()
    assert "Screen" in picker.rows[0].label.text()

    picker.select("SCRATCH", zone="body", severity="major")
    qtbot.keyClicks(picker.note_field, "deep, on the back")
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(picker.rows) == 2)
    assert picker.note_field.text() == ""
    assert _defects(gadget_ctx) == [
        ("CRACK", "screen", "major", None),
        ("SCRATCH", "body", "major", "deep, on the back"),
    ]

    qtbot.mouseClick(picker.rows[0].remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(picker.rows) == 1)
    assert picker.rows[0].code == "SCRATCH"
    assert _defects(gadget_ctx) == [("SCRATCH", "body", "major", "deep, on the back")]


def test_picker_hidden_for_a_standard_without_catalogue(qtbot, vm):
    picker = DefectPicker(vm)
    qtbot.addWidget(picker)
    vm.submit_scan("RMA-NK-000123")
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and vm.inspection is not None)
    assert picker.isHidden() and picker.code_combo.count() == 0


def _switch(switcher, vm, language: str) -> None:
    """Switch as the window does (the view-model hears of it, then every widget)."""
    switcher.switch(language)
    vm.set_language(language)
    for _ in range(3):
        QCoreApplication.sendPostedEvents()
        QApplication.processEvents()


def test_a_language_switch_names_defects_and_zones_from_the_standard(qtbot, gadget_vm, switcher):
    """The gadget standard (tests/ui/gadget_standard.py) names its defects and zones in
    English and Chinese; after a switch the picker shows the Chinese ones, for the choices,
    the zone of the chosen defect and the defects already recorded, and keeps the choice."""
    picker = DefectPicker(gadget_vm)
    qtbot.addWidget(picker)
    gadget_vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: picker.code_combo.count() == 2)
    picker.select("SCRATCH", zone="body", severity="minor")
    picker.add()
    qtbot.waitUntil(lambda: len(picker.rows) == 1)
    picker.select("SCRATCH", zone="screen")

    _switch(switcher, gadget_vm, "zh-CN")
    texts = [picker.code_combo.itemText(i) for i in range(picker.code_combo.count())]
    assert "划痕" in texts[0] and "屏幕破裂" in texts[1], texts
    assert "Scratch" not in " ".join(texts)
    assert [picker.zone_combo.itemText(i) for i in range(2)] == ["机身", "屏幕"]
    assert picker.code_combo.currentData() == "SCRATCH"
    assert picker.zone_combo.currentData() == "screen"
    row = picker.rows[0].label.text()
    assert "划痕" in row and "机身" in row and "Scratch" not in row and "Body" not in row
    # A long name may be cut short in its box: the tooltip has it whole, in Chinese too.
    assert picker.code_combo.toolTip() == picker.code_combo.currentText()
    assert picker.zone_combo.toolTip() == "屏幕"

    _switch(switcher, gadget_vm, "en")
    assert picker.code_combo.itemText(1) == "Cracked screen (default major)"
    assert picker.zone_combo.currentText() == "Screen"
    assert "Scratch" in picker.rows[0].label.text() and "Body" in picker.rows[0].label.text()
