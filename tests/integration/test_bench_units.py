"""Which unit is on the bench, in the window: F8 takes the next line not yet received and never
a finished one, one unit more than expected needs Enter twice, the open line stands out, a
product on several open returns is picked from a list, a rescanned parcel resumes its draft,
and closing the window with a unit on the bench asks first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from station.models import AuditEvent, Inspection, RmaLine, Verdict
from tests.factories import KNITWEAR_GRADE_A, UPS, make_rma
from tests.integration.test_bench_flows_more import WAIT_MS, context, inspect_grade_a
from ui.viewmodels.bench import BenchState, Feedback

THREE_LINES = (("SW-MERINO-M", 1), ("SW-MERINO-M", 1), ("SW-MERINO-M", 1))
# The same bench and the same grade-A unit as the other scan-first flows.
_finish_unit = inspect_grade_a
__all__ = ["context"]


def _verdict_lines(context) -> list[int]:
    with context.db.read() as session:
        return [
            line_no
            for (line_no,) in session.execute(
                select(RmaLine.line_no)
                .select_from(Verdict)
                .join(Inspection, Verdict.inspection_id == Inspection.id)
                .join(RmaLine, RmaLine.id == Inspection.rma_line_id)
                .order_by(Inspection.finished_at)
            )
        ]


def test_f8_takes_the_next_line_not_yet_received_and_never_a_finished_one(qtbot, context, bench):
    window, vm, grader = bench
    make_rma(context.db, "RMA-NK-000400", order_id="ORD-400", skus=THREE_LINES)
    grader.scan("ORD-400")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE, timeout=WAIT_MS)
    lines = window.rma_panel.lines
    assert lines.currentRow() == 0
    grader.key(Qt.Key.Key_Return)  # the selected line: the first one with a unit left
    _finish_unit(qtbot, vm, grader)
    for expected_line in (2, 3):
        grader.key(Qt.Key.Key_F8)  # no choosing: the next line not yet received opens
        qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
        assert vm.inspection is not None
        open_line = next(ln for ln in vm.rma.lines if ln.id == vm.inspection.rma_line_id)
        assert open_line.line_no == expected_line
        marked = lines.item(expected_line - 1, 0)
        assert marked.text().startswith("▶") and marked.font().bold()  # the open line
        assert not lines.item(0, 0).text().startswith("▶")
        _finish_unit(qtbot, vm, grader)
    assert _verdict_lines(context) == [1, 2, 3]
    grader.key(Qt.Key.Key_F8)  # nothing left: refused, never line 1 again
    qtbot.waitUntil(lambda: grader.feedback[-1] == Feedback.SCAN_REJECTED, timeout=WAIT_MS)
    assert vm.state is BenchState.FINALIZED and _verdict_lines(context) == [1, 2, 3]


def test_choosing_selects_the_first_open_line_and_one_more_needs_enter_twice(qtbot, context, bench):
    window, vm, grader = bench
    make_rma(context.db, "RMA-NK-000401", order_id="ORD-401", skus=THREE_LINES)
    grader.scan("ORD-401")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE, timeout=WAIT_MS)
    grader.key(Qt.Key.Key_Return)  # line 1
    _finish_unit(qtbot, vm, grader)
    grader.key(Qt.Key.Key_Escape)  # back to idle; the parcel is scanned again
    grader.scan("ORD-401")
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_LINE, timeout=WAIT_MS)
    assert window.rma_panel.lines.currentRow() == 1  # line 1 is finished: line 2 selected

    # A single-unit return, received; this parcel holds one more sweater.
    grader.key(Qt.Key.Key_Escape)
    grader.scan(UPS)
    _finish_unit(qtbot, vm, grader)
    grader.key(Qt.Key.Key_Escape)
    grader.scan(UPS)
    qtbot.waitUntil(lambda: "received already" in window.message.text(), timeout=WAIT_MS)
    assert vm.state is BenchState.CHOOSE_LINE
    grader.key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Enter again" in window.message.text(), timeout=WAIT_MS)
    assert vm.state is BenchState.CHOOSE_LINE and vm.inspection is None
    grader.key(Qt.Key.Key_Return)  # yes: one more than expected
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    with context.db.read() as session:
        afters = session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "inspection.opened")
        ).all()
    assert sum(1 for after in afters if after.get("over_receipt")) == 1


def test_a_product_on_several_open_returns_is_picked_from_a_list(qtbot, context, bench):
    window, vm, grader = bench
    make_rma(context.db, "RMA-NK-000402", order_id="ORD-402")
    make_rma(context.db, "RMA-NK-000403", order_id="ORD-403")
    grader.scan(context.gtins["SW-MERINO-M"])  # on three open returns
    qtbot.waitUntil(lambda: vm.state is BenchState.CHOOSE_RMA, timeout=WAIT_MS)
    table = window.rma_panel.candidates
    shown = {table.item(row, 0).text() for row in range(table.rowCount())}
    assert shown == {"RMA-NK-000123", "RMA-NK-000402", "RMA-NK-000403"}
    assert table.hasFocus() and table.isVisible()
    target = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "RMA-NK-000403")
    table.selectRow(target)
    grader.key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    assert vm.rma is not None and vm.rma.number == "RMA-NK-000403"


def test_a_rescanned_parcel_resumes_its_draft_instead_of_a_second_one(qtbot, context, bench):
    window, vm, grader = bench
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    first = vm.inspection.id
    grader.answer("item_matches", KNITWEAR_GRADE_A["item_matches"])
    vm.reset()  # as after a restart: the bench forgot; the draft is in the database
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    assert vm.inspection.id == first
    assert vm.answer("item_matches") == KNITWEAR_GRADE_A["item_matches"]
    assert "Resumed" in window.message.text()
    with context.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Inspection)) == 1


class _WindowSystemClose:
    """A close from the window system (the title bar's ×, Alt+F4)."""

    def __init__(self) -> None:
        self.ignored = False

    def spontaneous(self) -> bool:
        return True

    def ignore(self) -> None:
        self.ignored = True


def test_closing_the_window_with_a_unit_on_the_bench_asks_first(qtbot, context, bench):
    window, vm, grader = bench
    grader.scan(UPS)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING, timeout=WAIT_MS)
    event = _WindowSystemClose()
    window.closeEvent(event)  # type: ignore[arg-type]
    assert event.ignored
    box = window.findChild(QMessageBox, "confirmClose")
    assert box is not None and box.isVisible()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    assert window.isVisible() and vm.state is BenchState.INSPECTING
