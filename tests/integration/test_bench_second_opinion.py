"""A second opinion at the bench: a supervisor asks for one on a disputed unit, and the next
grader (not the first) who scans the unit's LPN inspects it again, blind, by keys and scans."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from station.context import AppContext
from station.models import Inspection, LabelPrint
from station.services.disputes import open_dispute
from station.services.second_opinion import request_second_opinion
from tests.factories import UPS, make_catalog, make_rma, make_user
from tests.integration.test_bench_flows_more import WAIT_MS, inspect_grade_a
from ui.viewmodels.bench import BenchState


@pytest.fixture
def context(settings) -> Iterator[AppContext]:
    ctx = AppContext.build(replace(settings, simulate=True))
    make_catalog(ctx.db)
    make_rma(ctx.db, "RMA-NK-000123", tracking=UPS, price="59.00")
    yield ctx
    ctx.close()


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
