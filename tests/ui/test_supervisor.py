"""Supervisor queue dialog and evidence view (pytest-qt, offscreen), against a real database:
overdue first, evidence shown, a reason required, a revision saved, a conflict explained."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from station.context import AppContext
from station.models import Verdict
from station.services.common import Actor
from station.services.disputes import open_dispute, resolve_dispute
from station.services.evidence import gather_evidence
from station.timeutil import utcnow
from tests.factories import UPS, make_user
from tests.ui.steps import finalize_with_photos
from ui.viewmodels.supervisor import SupervisorViewModel
from ui.widgets.evidence_view import EvidenceView
from ui.widgets.supervisor_dialog import SupervisorDialog

REASON = "Seller photos show the mark was there before shipping"


@pytest.fixture
def queue_ctx(context: AppContext):
    people = {
        "grader": make_user(context.db, "grader"),
        "supervisor": make_user(context.db, "supervisor"),
        "supervisor2": make_user(context.db, "supervisor", "supervisor2"),
    }
    fresh = finalize_with_photos(context, people["grader"], "RMA-NK-000123", UPS)
    late = finalize_with_photos(context, people["grader"], "RMA-NK-000200", "RMA-NK-000200")
    disputes = {
        "late": open_dispute(
            context.db, people["supervisor"], late, REASON, now=utcnow() - timedelta(days=10)
        ),
        "fresh": open_dispute(context.db, people["supervisor"], fresh, REASON),
    }
    return context, people, disputes


def _dialog(qtbot, ctx, runner, actor: Actor) -> SupervisorDialog:
    vm = SupervisorViewModel(ctx, runner, lambda: actor)
    dialog = SupervisorDialog(vm)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    return dialog


def test_overdue_first_evidence_shown_reason_required_then_revised(qtbot, queue_ctx, runner):
    ctx, people, disputes = queue_ctx
    dialog = _dialog(qtbot, ctx, runner, people["supervisor"])
    assert "OVERDUE" in dialog.table.item(0, 0).text()
    assert "OVERDUE" not in dialog.table.item(1, 0).text()
    assert dialog.selected().id == disputes["late"].id
    qtbot.waitUntil(lambda: dialog.new_grade.count() > 0, timeout=10_000)
    assert len(dialog.evidence.images) == 2 and all(i.loaded for i in dialog.evidence.images)
    assert "LPN" in dialog.evidence.summary.text()

    assert not dialog.revise_button.isEnabled()  # no reason yet
    dialog.reason.setPlainText(REASON)
    assert dialog.revise_button.isEnabled() and dialog.uphold_button.isEnabled()
    dialog.new_grade.setCurrentText("A")
    dialog.refund.setValue(100)
    qtbot.mouseClick(dialog.revise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "revised" in dialog.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    with ctx.db.read() as session:
        revision = session.scalar(select(Verdict).where(Verdict.revision == 2))
        assert revision is not None and revision.grade == "A"
        assert revision.inspection_id == disputes["late"].inspection_id
        assert revision.decided_by_id == people["supervisor"].user_id


def test_a_second_supervisor_gets_a_clear_conflict(qtbot, queue_ctx, runner):
    ctx, people, disputes = queue_ctx
    dialog = _dialog(qtbot, ctx, runner, people["supervisor2"])
    late = disputes["late"]
    resolve_dispute(ctx.db, people["supervisor"], ctx.standards, late.id,
                    expected_version=late.version, reason=REASON)  # fmt: skip
    dialog.reason.setPlainText("I think the grade stands as it is")
    qtbot.mouseClick(dialog.uphold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already resolved" in dialog.status.text(), timeout=10_000)
    assert "Supervisor" in dialog.status.text()  # who won
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)  # queue refreshed


def test_a_grader_is_refused_by_the_service(qtbot, queue_ctx, runner):
    ctx, people, _disputes = queue_ctx
    dialog = _dialog(qtbot, ctx, runner, people["grader"])
    dialog.reason.setPlainText(REASON)
    qtbot.mouseClick(dialog.uphold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "may not" in dialog.status.text(), timeout=10_000)
    assert dialog.table.rowCount() == 2  # nothing resolved


def test_a_second_opinion_is_asked_for_once_and_waits_for_the_units_lpn(qtbot, queue_ctx, runner):
    from station.models import Dispute
    from station.services.scanning import resolve_scan

    ctx, people, disputes = queue_ctx
    dialog = _dialog(qtbot, ctx, runner, people["supervisor"])
    qtbot.waitUntil(lambda: dialog.new_grade.count() > 0, timeout=10_000)  # evidence loaded
    assert dialog.second_opinion_button.isEnabled()  # no reason needed to ask
    qtbot.mouseClick(dialog.second_opinion_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Second opinion asked for" in dialog.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not dialog.second_opinion_button.isEnabled(), timeout=10_000)
    with ctx.db.read() as session:
        again = session.get(Dispute, disputes["late"].id).second_opinion_inspection_id
    assert again is not None
    lpn = dialog._vm.evidence.report.header.lpn
    assert resolve_scan(ctx.db, lpn).second_opinion == again  # a bench scan finds it
    assert dialog.table.rowCount() == 2  # still to be ruled on


def test_filters_narrow_the_queue(qtbot, queue_ctx, runner):
    ctx, people, _disputes = queue_ctx
    dialog = _dialog(qtbot, ctx, runner, people["supervisor"])
    dialog.min_age.setValue(48)
    qtbot.mouseClick(dialog.filter_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    dialog.min_age.setValue(0)
    dialog.grader.setText("someone-else")
    qtbot.mouseClick(dialog.filter_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=10_000)


def test_evidence_view_zooms_and_marks_a_missing_photo(qtbot, queue_ctx):
    ctx, _people, disputes = queue_ctx
    evidence = gather_evidence(ctx.db, ctx.standards, ctx.photos, disputes["fresh"].inspection_id)
    evidence.photos[1].path.unlink()  # the file vanished from the photo store
    evidence = gather_evidence(ctx.db, ctx.standards, ctx.photos, disputes["fresh"].inspection_id)
    view = EvidenceView()
    qtbot.addWidget(view)
    view.show_evidence(evidence)
    first, second = view.images
    assert first.loaded and not second.loaded and not evidence.photos[1].present
    before = first.transform().m11()
    first.zoom_by(2.0)
    assert first.transform().m11() == pytest.approx(before * 2.0)
    assert "420" in view.weight.text()
    assert view.history.count() >= 2  # the verdict and the dispute
    assert view.trace.count() > 0
