"""Steps several widget tests take to get a unit to a verdict, written once."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from station.context import AppContext
from station.models import Rma, RmaLine
from station.services import inspections as svc
from station.services.common import Actor
from station.services.receiving import open_inspection, receive_parcel
from ui.viewmodels.bench import BenchState, BenchViewModel

SAMPLE_PHOTOS = Path(__file__).resolve().parents[2] / "resources" / "sample_photos"
# A unit the general-merchandise standard grades A.
GENERAL_GRADE_A = {
    "item_matches": True,
    "packaging": "sealed",
    "condition": "new",
    "complete": True,
}


def finalize_with_photos(
    ctx: AppContext, grader: Actor, number: str, code: str, grams: float = 420.0
) -> uuid.UUID:
    """A unit received, inspected (two photos, a weight) and finalized through the services;
    returns its inspection id."""
    parcel = receive_parcel(ctx.db, grader, code, number)
    with ctx.db.read() as session:
        line_id = session.scalar(select(RmaLine.id).join(Rma).where(Rma.number == number))
    inspection = open_inspection(ctx.db, grader, ctx.standards, parcel.id, line_id)
    for item, value in {"item_matches": True, "packaging": "opened", "condition": "like_new",
                        "complete": True}.items():  # fmt: skip
        svc.record_answer(ctx.db, grader, ctx.standards, inspection.id, item, value)
    svc.record_weight(ctx.db, grader, inspection.id, grams, stable=True, device="sim")
    for photo in sorted(SAMPLE_PHOTOS.glob("*.jpg"))[:2]:
        svc.record_photo(ctx.db, grader, ctx.photos, inspection.id, "overview", path=photo)
    return svc.finalize_inspection(ctx.db, grader, ctx.standards, inspection.id).inspection_id


def finalize_grade_a_in_the_view_model(qtbot, vm: BenchViewModel, code: str) -> None:
    """Scan ``code``, answer the general standard for grade A, type 420 g and finalize."""
    vm.submit_scan(code)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING)
    for item, value in GENERAL_GRADE_A.items():
        vm.set_answer(item, value)
    vm.enter_weight(420)
    qtbot.waitUntil(lambda: vm.inspection is not None and vm.inspection.weight_g == 420)
    vm.finalize()
