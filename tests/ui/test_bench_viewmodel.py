"""The bench view-model drives the services off the main thread and reports by signals."""

from __future__ import annotations

import random

from sqlalchemy import select

from devices.tracking import make_s10
from station.models import Lpn, Verdict
from tests.factories import UPS
from ui.viewmodels.bench import BenchState

ANSWERS = {"item_matches": True, "packaging": "opened", "condition": "like_new", "complete": True}


def _answer(qtbot, vm, answers=ANSWERS):
    for code, value in answers.items():
        vm.set_answer(code, value)
    qtbot.waitUntil(lambda: vm.inspection is not None and vm.inspection.answers == answers)


def test_scan_weigh_finalize(qtbot, vm, context):
    states: list[str] = []
    vm.stateChanged.connect(states.append)
    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert vm.rma.number == "RMA-NK-000123"
    qtbot.waitUntil(lambda: vm.evaluation is not None)
    assert {m.code for m in vm.evaluation.missing} >= {"condition", "weight"}

    _answer(qtbot, vm)
    vm.weigh()
    qtbot.waitUntil(lambda: vm.inspection.weight_g is not None)
    assert abs(vm.inspection.weight_g - 420) < 1  # the simulated scale holds the expected unit
    qtbot.waitUntil(lambda: vm.evaluation is not None and vm.evaluation.complete)

    with qtbot.waitSignal(vm.verdictChanged, timeout=5000) as signal:
        vm.finalize()
    verdict = signal.args[0]
    assert vm.state is BenchState.FINALIZED and verdict.grade == "B"
    with context.db.read() as session:
        assert session.scalar(select(Lpn.code)) == verdict.lpn
        assert session.scalar(select(Verdict.grade)) == "B"
    assert states[-1] == "finalized" and "inspecting" in states


def test_refusal_is_reported_not_raised(qtbot, vm):
    vm.submit_scan("rma-nk-000123")
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    with qtbot.waitSignal(
        vm.messageChanged, timeout=5000, check_params_cb=lambda level, _text: level == "error"
    ) as signal:
        vm.finalize()
    assert "still missing" in signal.args[1] and vm.state is BenchState.INSPECTING


def test_unmatched_tracking_prompts_for_a_blind_return(qtbot, vm):
    vm.submit_scan(make_s10(random.Random(9), country="CN"))
    qtbot.waitUntil(lambda: vm.state is BenchState.BLIND_PROMPT)
    assert vm.rma is None and (vm.scan.carrier, vm.scan.operator) == ("s10", "china_post")
    vm.receive_blind()
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert vm.inspection.rma_number is None
    assert "item_matches" not in {m.code for m in _evaluated(qtbot, vm).missing}


def _evaluated(qtbot, vm):
    qtbot.waitUntil(lambda: vm.evaluation is not None)
    return vm.evaluation


def test_several_lines_wait_for_a_choice_and_the_item_barcode_picks_it(qtbot, vm, context):
    vm.submit_scan("RMA-NK-000200")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE)
    vm.submit_scan(context.gtins["EB-PRO-2"])
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert vm.inspection.sku == "EB-PRO-2"


def test_next_unit_of_a_multi_line_rma(qtbot, vm, context):
    vm.submit_scan("RMA-NK-000200")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE)
    vm.choose_line(vm.rma.lines[0].id)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    _answer(qtbot, vm)
    vm.enter_weight(415.0)
    qtbot.waitUntil(lambda: vm.inspection.weight_g == 415.0)
    vm.finalize()
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED)
    qtbot.waitUntil(lambda: [line.remaining for line in vm.rma.lines] == [0, 1])
    vm.next_unit()
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    assert vm.inspection.sku == "EB-PRO-2"  # the only line left opens by itself


def test_a_stray_scan_never_discards_the_open_inspection(qtbot, vm, context):

    from station.models import Inspection

    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    opened = vm.inspection.id
    with qtbot.waitSignal(vm.messageChanged, timeout=5000) as signal:
        vm.submit_scan("RMA-NK-000200")
    assert "inspection is open" in signal.args[1]
    assert vm.state is BenchState.INSPECTING and vm.inspection.id == opened

    vm.cancel_inspection()
    qtbot.waitUntil(lambda: vm.state is BenchState.IDLE)
    with context.db.read() as session:
        assert session.get(Inspection, opened).status == "cancelled"
    vm.submit_scan("RMA-NK-000200")  # now the next parcel is welcome
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE)


def test_finalize_queues_the_configured_labels(qtbot, vm, context):
    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    _answer(qtbot, vm)
    vm.enter_weight(420.0)
    qtbot.waitUntil(lambda: vm.inspection is not None and vm.inspection.weight_g == 420.0)
    with qtbot.waitSignal(vm.labelsChanged, timeout=10_000,
                          check_params_cb=lambda labels: len(labels) == 2):  # fmt: skip
        vm.finalize()
    assert [label.kind for label in vm.printed_labels] == ["lpn", "route"]  # the defaults
    spooler = context.devices.spooler
    qtbot.waitUntil(lambda: len(spooler.jobs()) == 2)
    payloads = [job.payload.decode() for job in spooler.jobs()]
    assert all(p.startswith("^XA") and p.rstrip().endswith("^XZ") for p in payloads)
    # An LPN whose check character is "~" travels hex-escaped (^FH) in ZPL.
    assert any(vm.verdict.lpn.replace("~", "_7E") in p for p in payloads)

    vm.reprint(vm.printed_labels[0].id)
    qtbot.waitUntil(lambda: len(vm.printed_labels) == 3)
    assert vm.printed_labels[2].reprint_of == vm.printed_labels[0].id
    assert vm.printed_labels[2].payload_sha256 == vm.printed_labels[0].payload_sha256


def test_f6_never_records_a_scale_fault_as_a_weight(qtbot, vm, context, monkeypatch):
    from devices.scale import Weight

    vm.submit_scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    scale = context.devices.scale
    assert scale is not None
    messages: list[str] = []
    vm.messageChanged.connect(lambda _level, text: messages.append(text))
    for status in ("overload", "underload", "error"):
        monkeypatch.setattr(scale, "read", lambda s=status: Weight(0.0, False, "scale", status=s))
        vm.weigh()
        qtbot.waitUntil(lambda: bool(messages) and "scale reports" in messages[-1])
        messages.clear()
    vm._runner.wait_idle()
    assert vm.inspection is not None and vm.inspection.weight_g is None  # nothing recorded
