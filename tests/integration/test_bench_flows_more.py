"""More scan-first flows: several units in one parcel, several orders in one parcel, a blind
return, switching the language while a unit is on the bench, and a second opinion taken by
scanning a disputed unit's LPN."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from station.commands import Command, CommandKind, encode_command
from station.context import AppContext
from station.i18n import load_catalogue
from station.models import Inspection, LabelPrint, Parcel, Rma, Verdict
from station.services.disputes import open_dispute
from station.services.second_opinion import request_second_opinion
from tests.factories import KNITWEAR_GRADE_A, UPS, make_catalog, make_rma, make_user
from ui.viewmodels.bench import BenchState, Feedback
from ui.widgets.checklist import MultiChoiceItem

WAIT_MS = 8_000


@pytest.fixture
def context(settings) -> Iterator[AppContext]:
    ctx = AppContext.build(replace(settings, simulate=True))
    ctx.gtins = make_catalog(ctx.db)  # type: ignore[attr-defined]
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS, price="59.00")
    yield ctx
    ctx.close()


def inspect_grade_a(qtbot, vm, grader) -> None:
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    grader.answer_all(KNITWEAR_GRADE_A)
    grader.key(Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: vm.can_finalize, timeout=WAIT_MS)
    grader.key(Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=WAIT_MS)


def verdicts_per_rma(context) -> dict[str, int]:
    with context.db.read() as session:
        rows = session.execute(
            select(Rma.number, func.count(Verdict.id))
            .select_from(Verdict)
            .join(Inspection, Verdict.inspection_id == Inspection.id)
            .join(Parcel, Inspection.parcel_id == Parcel.id)
            .join(Rma, Parcel.rma_id == Rma.id)
            .group_by(Rma.number)
        ).all()
    return {number: count for number, count in rows}


def test_a_parcel_of_two_units_goes_on_with_f8_without_rescanning(qtbot, context, bench):
    window, vm, grader = bench
    make_rma(context.db, "RMA-NK-000300", order_id="ORD-300", skus=(("SW-MERINO-M", 2),))
    grader.scan("ORD-300")
    inspect_grade_a(qtbot, vm, grader)
    first_widget = window.form.checklist.item_widget("item_matches")
    grader.key(Qt.Key.Key_F8)  # the second sweater of the same parcel
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    # Same standard: the checklist's widgets are reused (not rebuilt), showing the new
    # unit's facts: nothing answered yet.
    assert window.form.checklist.item_widget("item_matches") is first_widget
    assert not any(b.isChecked() for b in window.form.answer_widgets("item_matches"))
    inspect_grade_a(qtbot, vm, grader)
    assert grader.actions == 2 * 11  # one scan for the parcel, 10 keys per unit and F8

    messages: list[str] = []
    vm.messageChanged.connect(lambda _level, text: messages.append(text))
    grader.scan(encode_command(Command(CommandKind.NEXT_UNIT)))
    # Nothing left: said (and sounded), not silently ignored.
    qtbot.waitUntil(lambda: grader.feedback[-1] == Feedback.SCAN_REJECTED, timeout=WAIT_MS)
    assert "received" in messages[-1]
    assert verdicts_per_rma(context) == {"RMA-NK-000300": 2}


def test_a_parcel_holding_two_orders_goes_on_by_scanning_the_next_item(qtbot, context, bench):
    _window, vm, grader = bench
    make_rma(context.db, "RMA-NK-000301", tracking=UPS, price="49.00")  # same box, 2nd order
    messages: list[str] = []
    vm.messageChanged.connect(lambda _level, text: messages.append(text))
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    assert any("RMA-NK-000123" in m and "RMA-NK-000301" in m for m in messages)
    first = vm.rma.number
    inspect_grade_a(qtbot, vm, grader)

    grader.scan(context.gtins["SW-MERINO-M"])  # the next item out of the box
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    assert vm.rma.number != first
    inspect_grade_a(qtbot, vm, grader)
    assert verdicts_per_rma(context) == {"RMA-NK-000123": 1, "RMA-NK-000301": 1}


def _receipt_prints(context) -> int:
    with context.db.read() as session:
        return session.scalar(
            select(func.count()).select_from(LabelPrint).where(LabelPrint.kind == "receipt")
        )


def test_a_blind_return_by_keys_and_scans(qtbot, context, bench):
    window, vm, grader = bench
    grader.scan("PARCEL-WITHOUT-RMA-7")
    qtbot.waitUntil(lambda: vm.state is BenchState.BLIND_PROMPT, timeout=WAIT_MS)
    assert grader.feedback[-1] == Feedback.SCAN_REJECTED
    grader.scan(encode_command(Command(CommandKind.BLIND_RETURN)))
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    # What the item is comes first: the item field has the focus, the verdict waits for it.
    item_field = window.rma_panel.blind_item.field
    qtbot.waitUntil(item_field.hasFocus, timeout=WAIT_MS)
    assert vm.needs_item and not vm.can_finalize
    qtbot.waitUntil(lambda: "Receipt label" in window.rma_panel.blind_item.receipt.text())
    grader.key(Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # reprint it
    qtbot.waitUntil(lambda: _receipt_prints(context) == 2, timeout=WAIT_MS)
    assert "Receipt label" in window.rma_panel.blind_item.receipt.text()  # still shown
    grader.scan(context.gtins["EB-PRO-2"])  # the item's own barcode
    qtbot.waitUntil(lambda: not vm.needs_item, timeout=WAIT_MS)
    assert "EB-PRO-2" in window.rma_panel.blind_item.identified.text()
    qtbot.waitUntil(lambda: grader.focused_item() is not None, timeout=WAIT_MS)
    # Whatever the blind standard asks: the first answer of each question, "none" for lists.
    for _ in range(30):
        code = grader.focused_item()
        if code is None:
            break
        widget = window.form.checklist.item_widget(code)
        grader.key(Qt.Key.Key_0 if isinstance(widget, MultiChoiceItem) else Qt.Key.Key_1)
        qtbot.waitUntil(lambda c=code: vm.answer(c) is not None, timeout=WAIT_MS)
    assert not window.form.checklist.open_codes()
    while any(p.required and not p.taken for p in vm.photo_requirements()):
        taken = len(vm.inspection.photo_roles)
        grader.key(Qt.Key.Key_F7)
        qtbot.waitUntil(lambda t=taken: len(vm.inspection.photo_roles) > t, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: vm.can_finalize, timeout=WAIT_MS)
    grader.key(Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: vm.state is BenchState.FINALIZED, timeout=WAIT_MS)
    with context.db.read() as session:
        parcel = session.scalars(select(Parcel).where(Parcel.is_blind)).one()
        assert parcel.scanned_code == "PARCEL-WITHOUT-RMA-7"
        inspection = session.scalars(select(Inspection)).one()
        assert inspection.sku_id is not None
        assert "overview" in {photo.role for photo in inspection.photos}


def test_switching_language_at_runtime_with_a_unit_on_the_bench(qtbot, context, bench):
    window, vm, grader = bench
    switcher = window.language
    assert switcher is not None
    english_title = window.windowTitle()
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    item = window.form.checklist.item_widget("item_matches")
    assert item is not None and item.title().startswith("Item matches")
    grader.scan(UPS)  # a stray scan while inspecting: refused, and the message line says why
    refused = (
        "An inspection is open: finalize it, or press Esc twice to cancel it, "
        "before scanning the next parcel"
    )
    assert window.message.text() == refused

    switcher.switch("zh-CN")
    qtbot.waitUntil(lambda: window.windowTitle() != english_title)
    zh = load_catalogue("zh-CN")
    assert window.windowTitle().startswith(zh["Returns inspection — station {station}"][:4])
    assert window.form.weigh_button.text() == zh["Weigh (F6)"]
    assert window.message.text() == zh[refused]  # said again in the new language
    # The standard's own texts follow: the checklist is rebuilt in Chinese, answers kept.
    zh_label = vm.standard.spec.checklist[0].label["zh-CN"]
    qtbot.waitUntil(
        lambda: window.form.checklist.item_widget("item_matches").title().startswith(zh_label)
    )
    grader.answer("item_matches", True)

    switcher.switch("es")
    es = load_catalogue("es")
    qtbot.waitUntil(lambda: window.form.weigh_button.text() == es["Weigh (F6)"])
    es_label = vm.standard.spec.checklist[0].label["es"]
    qtbot.waitUntil(
        lambda: window.form.checklist.item_widget("item_matches").title().startswith(es_label)
    )
    assert vm.answer("item_matches") is True  # nothing the grader did was lost
    buttons = window.form.answer_widgets("item_matches")
    assert buttons[0].isChecked() and buttons[0].toolTip() == es["Yes"]

    switcher.switch("en")
    qtbot.waitUntil(lambda: window.windowTitle() == english_title)


def labels_of(context: AppContext, inspection_id: object) -> int:
    with context.db.read() as session:
        return session.scalar(
            select(func.count()).select_from(LabelPrint)
            .where(LabelPrint.inspection_id == inspection_id)
        ) or 0  # fmt: skip


def test_a_second_opinion_is_taken_by_scanning_the_lpn_and_prints_nothing(qtbot, context, bench):
    window, vm, grader = bench
    first, second = make_user(context.db, "grader", "ana"), make_user(context.db, "grader", "ben")
    context.actor = first  # signed in, as the session would set it
    grader.scan(UPS)
    inspect_grade_a(qtbot, vm, grader)
    original, lpn = vm.verdict.inspection_id, vm.verdict.lpn
    qtbot.waitUntil(lambda: labels_of(context, original) > 0, timeout=WAIT_MS)

    supervisor = make_user(context.db, "supervisor")
    dispute = open_dispute(context.db, supervisor, original, "Seller says it was unworn")
    again = request_second_opinion(context.db, supervisor, dispute.id, dispute.version)

    grader.scan(lpn)  # the first grader: refused, and nothing opens
    qtbot.waitUntil(lambda: "different grader" in window.message.text(), timeout=WAIT_MS)
    assert vm.state is not BenchState.INSPECTING

    context.actor = second
    grader.scan(lpn)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    assert vm.second_opinion and vm.inspection is not None and vm.inspection.id == again
    assert vm.inspection.answers == {}  # blind: nothing of the first inspection
    assert "Second opinion on LPN" in window.message.text()
    inspect_grade_a(qtbot, vm, grader)

    assert "Second opinion recorded" in window.message.text()
    assert vm.verdict.lpn == lpn  # the unit keeps its LPN
    with context.db.read() as session:
        given = session.get(Inspection, again)
        assert given is not None and given.status == "finalized"
        assert given.grader_id == second.user_id
    vm._runner.wait_idle()
    assert labels_of(context, again) == 0 and vm.printed_labels == []  # no new labels
    assert not vm.second_opinion  # the next scan is an ordinary one again
