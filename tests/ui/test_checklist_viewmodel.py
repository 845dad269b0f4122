"""The view-model's checklist API against the small YAML gadget standard."""

from __future__ import annotations

from sqlalchemy import select

from station.models import Finding, FindingKind, Verdict
from tests.ui.gadget_standard import RMA
from ui.viewmodels.bench import BenchState


def _open(qtbot, vm):
    vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and vm.evaluation is not None)


def _settled(qtbot, vm):
    qtbot.waitUntil(lambda: not vm.facts_pending and vm.evaluation_confirmed)


def test_items_come_from_the_standard_in_the_station_language(qtbot, gadget_vm):
    _open(qtbot, gadget_vm)
    items = {item.code: item for item in gadget_vm.items}
    assert list(items) == [
        "powers_on",
        "no_power_cause",
        "accessories",
        "width",
        "front_photo",
        "notes",
    ]
    assert items["no_power_cause"].conditional and items["width"].unit == "cm"
    assert items["accessories"].choices[0] == ("cable", "Cable")
    assert gadget_vm.standard is not None and gadget_vm.standard.id == "ui-gadget"
    assert "no_power_cause" not in gadget_vm.visible_items
    assert {o.code: o.zones for o in gadget_vm.defect_options} == {
        "SCRATCH": (("body", "Body"), ("screen", "Screen")),
        "CRACK": (("screen", "Screen"),),
    }


def test_an_answer_updates_visibility_at_once_then_the_services_confirm(qtbot, gadget_vm):
    _open(qtbot, gadget_vm)
    gadget_vm.set_answer("powers_on", False)
    # Local evaluation: no round trip needed to show the conditional item.
    assert gadget_vm.facts_pending and not gadget_vm.evaluation_confirmed
    assert gadget_vm.answer("powers_on") is False
    assert "no_power_cause" in gadget_vm.visible_items
    _settled(qtbot, gadget_vm)
    assert gadget_vm.inspection.answers == {"powers_on": False}
    assert "no_power_cause" in gadget_vm.visible_items
    gadget_vm.set_answer("powers_on", True)
    _settled(qtbot, gadget_vm)
    assert "no_power_cause" not in gadget_vm.visible_items


def test_measurement_checked_locally_and_recorded(qtbot, gadget_vm, gadget_ctx):
    _open(qtbot, gadget_vm)
    inside = gadget_vm.check_measurement("width", 52.8)
    outside = gadget_vm.check_measurement("width", 53.5)
    assert inside.passed and inside.expected == 52.0 and inside.allowed_deviation == 1.0
    assert outside.passed is False
    gadget_vm.record_measurement("width", 53.5)
    _settled(qtbot, gadget_vm)
    assert gadget_vm.measurement("width") == 53.5
    assert gadget_vm.evaluation.grade == "C"  # wrong_size
    with gadget_ctx.db.read() as session:
        row = session.scalars(
            select(Finding).where(Finding.kind == FindingKind.MEASUREMENT.value)
        ).one()
        assert (row.item_code, row.value, row.unit) == ("width", 53.5, "cm")


def test_defects_recorded_with_catalogue_severity_and_removed(qtbot, gadget_vm, gadget_ctx):
    _open(qtbot, gadget_vm)
    gadget_vm.record_defect("CRACK", zone="screen")
    qtbot.waitUntil(lambda: len(gadget_vm.inspection.defects) == 1)
    defect = gadget_vm.inspection.defects[0]
    assert (defect.code, defect.zone, defect.severity) == ("CRACK", "screen", "major")
    _settled(qtbot, gadget_vm)
    assert gadget_vm.evaluation.grade == "D"
    gadget_vm.remove_defect(defect.id)
    qtbot.waitUntil(lambda: not gadget_vm.inspection.defects)
    with gadget_ctx.db.read() as session:
        assert not session.scalars(
            select(Finding).where(Finding.kind == FindingKind.DEFECT.value)
        ).all()


def test_a_refused_fact_is_reported_and_taken_back(qtbot, gadget_vm):
    _open(qtbot, gadget_vm)
    with qtbot.waitSignal(
        gadget_vm.messageChanged, check_params_cb=lambda level, _t: level == "error"
    ):
        gadget_vm.set_answer("no_power_cause", "exploded")  # not a choice: the service says no
    qtbot.waitUntil(lambda: not gadget_vm.facts_pending)
    assert gadget_vm.answer("no_power_cause") is None


def test_photo_requirements_follow_the_grade(qtbot, gadget_vm):
    _open(qtbot, gadget_vm)
    assert [(r.role, r.required, r.taken) for r in gadget_vm.photo_requirements()] == [
        ("front", True, False)
    ]
    gadget_vm.set_answer("powers_on", False)  # grade D needs a defect close-up
    roles = {r.role: r for r in gadget_vm.photo_requirements()}
    assert roles["defect_closeup"].required and roles["defect_closeup"].item_code is None
    assert "Photo: Defect close-up" in gadget_vm.missing_labels()


def test_finalize_is_refused_in_the_view_model_while_facts_are_missing(
    qtbot, gadget_vm, gadget_ctx
):
    _open(qtbot, gadget_vm)
    assert not gadget_vm.can_finalize
    with qtbot.waitSignal(gadget_vm.messageChanged) as signal:
        gadget_vm.finalize()
    level, text = signal.args
    assert level == "error" and "still missing" in text and "Width" in text
    for code, value in {"powers_on": True, "accessories": []}.items():
        gadget_vm.set_answer(code, value)
    gadget_vm.record_measurement("width", 52.0)
    gadget_vm.take_photo("front")
    qtbot.waitUntil(lambda: gadget_vm.can_finalize and gadget_vm.evaluation_confirmed)
    gadget_vm.finalize()
    qtbot.waitUntil(lambda: gadget_vm.state is BenchState.FINALIZED)
    with gadget_ctx.db.read() as session:
        assert session.scalar(select(Verdict.grade)) == "A"
        answer = session.scalars(select(Finding).where(Finding.item_code == "accessories")).one()
        assert answer.answer == []  # "none of these" is an answer
