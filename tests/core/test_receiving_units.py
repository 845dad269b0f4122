"""Which unit is on the bench, decided by the services: a rescanned parcel resumes this bench's
draft (never another bench's), one unit more than expected needs a yes, and a blind return's
item is identified by a scanned GTIN or SKU or by the grader's words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from station.models import AuditEvent, Inspection, Parcel, RmaLine
from station.services import inspections as svc
from station.services.common import Actor, InvalidState
from station.services.receiving import (
    OverReceipt,
    catalogue_items,
    identify_item,
    open_inspection,
    receive_parcel,
    resume_draft,
)
from tests.factories import make_rma

GOOD_ANSWERS = {
    "item_matches": True,
    "packaging": "opened",
    "condition": "like_new",
    "complete": True,
}


def _line_id(db, number: str):
    with db.read() as session:
        return session.scalar(
            select(RmaLine.id).join(RmaLine.rma).where(RmaLine.rma.has(number=number))
        )


def _finalize(db, actor, standards, inspection_id) -> None:
    for code, value in GOOD_ANSWERS.items():
        svc.record_answer(db, actor, standards, inspection_id, code, value)
    svc.record_weight(db, actor, inspection_id, 421.0, stable=True, device="sim")
    svc.finalize_inspection(db, actor, standards, inspection_id)


def _actions(db, entity_id) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_id == str(entity_id))
                .order_by(AuditEvent.seq)
            )
        )


def test_a_rescanned_parcel_resumes_this_benchs_draft_and_never_anothers(
    db, actor, standards, catalog
):
    make_rma(db, "RMA-7")
    parcel = receive_parcel(db, actor, "RMA-7", "RMA-7")
    first = open_inspection(db, actor, standards, parcel.id, _line_id(db, "RMA-7"))
    svc.record_answer(db, actor, standards, first.id, "packaging", "opened")

    resumed = resume_draft(db, actor, rma_number="rma-7")
    assert resumed is not None and resumed.id == first.id
    assert resumed.answers == {"packaging": "opened"}  # what was recorded comes back
    # Opening the line again (a new parcel row, say) gives the same draft, not a second one.
    again = open_inspection(
        db, actor, standards, receive_parcel(db, actor, "RMA-7", "RMA-7").id, _line_id(db, "RMA-7")
    )
    assert again.id == first.id
    with db.read() as session:
        assert len(session.scalars(select(Inspection.id)).all()) == 1
    assert "inspection.resumed" in _actions(db, first.id)

    other_bench = Actor(station_id="BENCH-T2", site_id="WH-TEST")
    assert resume_draft(db, other_bench, rma_number="RMA-7") is None
    assert resume_draft(db, actor, rma_number="RMA-404") is None


def test_one_more_unit_than_expected_needs_a_yes_and_is_audited(db, actor, standards, catalog):
    make_rma(db, "RMA-8")
    parcel = receive_parcel(db, actor, "RMA-8", "RMA-8")
    line = _line_id(db, "RMA-8")
    unit = open_inspection(db, actor, standards, parcel.id, line)
    _finalize(db, actor, standards, unit.id)

    with pytest.raises(OverReceipt, match="all 1 expected units are received"):
        open_inspection(db, actor, standards, parcel.id, line)
    extra = open_inspection(db, actor, standards, parcel.id, line, over_receipt=True)
    assert extra.id != unit.id
    with db.read() as session:
        opened = session.scalar(
            select(AuditEvent.after).where(
                AuditEvent.entity_id == str(extra.id), AuditEvent.action == "inspection.opened"
            )
        )
    assert opened["over_receipt"] is True


def test_a_blind_item_is_identified_by_gtin_sku_or_words(db, actor, standards, catalog):
    def blind_unit(code: str):
        parcel = receive_parcel(db, actor, code)
        return open_inspection(db, actor, standards, parcel.id)

    by_gtin = blind_unit("BLIND-1")
    assert by_gtin.facts is not None and not by_gtin.facts.item_identified
    view = identify_item(db, actor, by_gtin.id, catalog["EB-PRO-2"])
    assert view.identified_as == "EB-PRO-2 · Wireless earbuds Pro 2"
    assert view.facts is not None and view.facts.item_identified

    by_sku = identify_item(db, actor, blind_unit("BLIND-2").id, "sw-merino-m")
    assert by_sku.identified_as == "SW-MERINO-M · Merino crew-neck sweater, M"

    words = identify_item(db, actor, blind_unit("BLIND-3").id, "  grey  wool scarf ")
    assert words.identified_as == "grey wool scarf"
    with pytest.raises(InvalidState, match="at least 3 characters"):
        identify_item(db, actor, blind_unit("BLIND-4").id, "x ")
    assert "inspection.item_identified" in _actions(db, words.id)

    make_rma(db, "RMA-9")
    known = open_inspection(
        db, actor, standards, receive_parcel(db, actor, "RMA-9", "RMA-9").id, _line_id(db, "RMA-9")
    )
    with pytest.raises(InvalidState, match="has an RMA"):
        identify_item(db, actor, known.id, "scarf")


def test_a_rescanned_blind_parcel_resumes_its_draft(db, actor, standards, catalog):
    parcel = receive_parcel(db, actor, "9400111899223817582548")
    draft = open_inspection(db, actor, standards, parcel.id)
    resumed = resume_draft(db, actor, scanned_code="9400111899223817582548")
    assert resumed is not None and resumed.id == draft.id
    # An RMA parcel scanned under the same code is not a blind draft.
    with db.read() as session:
        assert session.scalar(select(Parcel.is_blind).where(Parcel.id == parcel.id))
    assert resume_draft(db, actor, scanned_code="SOMETHING-ELSE") is None


def test_the_catalogue_to_pick_a_blind_item_from(db, catalog):
    items = catalogue_items(db)
    assert [(i.code, i.seller) for i in items] == [
        ("EB-PRO-2", "NORDKNIT"),
        ("SW-MERINO-M", "NORDKNIT"),
    ]
