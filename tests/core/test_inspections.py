"""Receiving, recording facts and finalizing: the bench's core path against a real SQLite file."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from devices.camera import SimulatedCamera
from inspection_rules import StandardRegistry
from station.audit import verify_chain
from station.db import Database
from station.lpn import is_valid_lpn
from station.models import (
    AuditEvent,
    Inspection,
    Lpn,
    OutboxEvent,
    Rma,
    RmaLine,
    Verdict,
)
from station.photos import PhotoError, PhotoStore
from station.services import inspections as svc
from station.services.common import Actor, FinalizeRefused, InvalidState
from station.services.facts import get_inspection
from station.services.receiving import identify_item, open_inspection, receive_parcel
from tests.factories import UPS, make_rma

GOOD_ANSWERS = {
    "item_matches": True,
    "packaging": "opened",
    "condition": "like_new",
    "complete": True,
}


def _open(db: Database, actor: Actor, standards: StandardRegistry, number: str = "RMA-1"):
    parcel = receive_parcel(db, actor, UPS, number)
    with db.read() as session:
        line_id = session.scalar(
            select(RmaLine.id).join(Rma).where(Rma.number == number).order_by(RmaLine.line_no)
        )
    return open_inspection(db, actor, standards, parcel.id, line_id)


def _answer_all(db, actor, standards, inspection_id, answers=GOOD_ANSWERS, grams=421.0):
    for code, value in answers.items():
        svc.record_answer(db, actor, standards, inspection_id, code, value)
    if grams is not None:
        svc.record_weight(
            db,
            actor,
            inspection_id,
            grams,
            stable=True,
            device="sim",
            raw_frame=f"S S {grams:.2f} g",
        )


VERDICT = "inspection.verdict.recorded"


def _count_verdict_events(db: Database) -> int:
    """Verdict events only: receiving a parcel announces itself too (return.received)."""
    with db.read() as session:
        return session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type == VERDICT)
        )


def _count(db: Database, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_finalize_records_verdict_lpn_audit_and_outbox_together(db, actor, standards, catalog):
    make_rma(db, "RMA-1", tracking=UPS, price="89.90")
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id)

    verdict = svc.finalize_inspection(db, actor, standards, inspection.id)

    assert verdict.grade == "B"
    assert verdict.disposition == "restock_as_graded"
    assert verdict.upstream_disposition == "RESTOCKED"
    assert verdict.refund_kind == "full"
    assert verdict.refund_amount == Decimal("89.90")
    assert is_valid_lpn(verdict.lpn)
    with db.read() as session:
        stored = session.scalar(select(Verdict).where(Verdict.inspection_id == inspection.id))
        assert (
            stored is not None
            and stored.standard_hash == standards.for_item(None, None).content_hash
        )
        assert (
            session.scalar(select(Lpn.code).where(Lpn.inspection_id == inspection.id))
            == verdict.lpn
        )
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions[0] == "parcel.received" and actions[-1] == "verdict.recorded"
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.event_type == VERDICT))
        assert event.event_type == "inspection.verdict.recorded"
        assert event.state == "pending"
        data = event.payload["data"]
        assert data["lpn"] == verdict.lpn and data["rma"] == "RMA-1"
        assert data["refund"] == {
            "kind": "full",
            "percent": "100",
            "amount": "89.90",
            "currency": "EUR",
        }
        assert data["shopify_disposition_type"] == "RESTOCKED"
        line = session.scalar(select(RmaLine))
        assert line.qty_received == 1
        assert session.scalar(select(Rma.status)) == "received"
        assert session.get(Inspection, inspection.id).status == "finalized"
        assert verify_chain(session).ok


def test_finalize_refuses_and_names_what_is_missing(db, actor, standards, catalog):
    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    svc.record_answer(db, actor, standards, inspection.id, "condition", "used")

    with pytest.raises(FinalizeRefused) as refused:
        svc.finalize_inspection(db, actor, standards, inspection.id)

    codes = {code for code, _message in refused.value.missing}
    assert codes == {"item_matches", "packaging", "complete", "weight"}
    assert "Packaging" in str(refused.value) and "Weight reading" in str(refused.value)
    assert _count(db, Verdict) == 0 and _count(db, Lpn) == 0 and _count_verdict_events(db) == 0


def test_damaged_item_needs_a_defect_photo(db, actor, standards, catalog, photos):
    make_rma(db, "RMA-1", reason="defect")
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id, {**GOOD_ANSWERS, "condition": "damaged"})
    with pytest.raises(FinalizeRefused) as refused:
        svc.finalize_inspection(db, actor, standards, inspection.id)
    assert [code for code, _ in refused.value.missing] == ["photo:defect_closeup"]

    frame = SimulatedCamera(seed=1).grab()
    svc.record_photo(db, actor, photos, inspection.id, "defect_closeup", data=frame.data)
    verdict = svc.finalize_inspection(db, actor, standards, inspection.id)

    assert (verdict.grade, verdict.disposition, verdict.responsibility) == (
        "D",
        "repair",
        "manufacturing",
    )
    with db.read() as session:
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.event_type == VERDICT))
        [photo] = event.payload["data"]["photos"]
        assert photo["role"] == "defect_closeup"
    with db.read() as session:
        stored = session.scalar(select(Inspection)).photos[0]
        assert photos.verify(stored.file_path, stored.sha256)


def test_failure_after_verdict_insert_leaves_nothing(db, actor, standards, catalog, monkeypatch):
    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id)
    audit_before = _count(db, AuditEvent)

    def explode(session, inspection):
        assert session.scalar(select(func.count()).select_from(Verdict)) == 1  # it was inserted
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(svc, "allocate_lpn", explode)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        svc.finalize_inspection(db, actor, standards, inspection.id)

    assert _count(db, Verdict) == 0
    assert _count(db, Lpn) == 0
    assert _count_verdict_events(db) == 0
    assert _count(db, AuditEvent) == audit_before
    with db.read() as session:
        assert session.get(Inspection, inspection.id).status == "draft"
        assert session.scalar(select(RmaLine.qty_received)) == 0


def test_two_threads_finalize_different_units_without_lock_errors(db, actor, standards, catalog):
    ids = []
    for n in range(6):
        make_rma(db, f"RMA-{n}")
        inspection = _open(db, actor, standards, f"RMA-{n}")
        _answer_all(db, actor, standards, inspection.id)
        ids.append(inspection.id)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(chunk: list[uuid.UUID]) -> None:
        # Each thread opens its own engine, as a second process (or bench tool) would.
        own = Database.open(db.engine.url.render_as_string(hide_password=False))
        try:
            barrier.wait()
            for inspection_id in chunk:
                svc.finalize_inspection(own, actor, standards, inspection_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=work, args=(ids[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert _count(db, Verdict) == 6 and _count(db, Lpn) == 6 and _count_verdict_events(db) == 6
    with db.read() as session:
        assert verify_chain(session).ok


def test_finalized_inspection_cannot_change(db, actor, standards, catalog):
    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id)
    svc.finalize_inspection(db, actor, standards, inspection.id)

    with pytest.raises(InvalidState, match="revision"):
        svc.record_answer(db, actor, standards, inspection.id, "condition", "used")
    with pytest.raises(InvalidState):
        svc.finalize_inspection(db, actor, standards, inspection.id)
    # The database itself refuses to edit a verdict, whatever the code does.
    with pytest.raises(DBAPIError, match="append-only"), db.write() as session:
        session.execute(text("UPDATE verdicts SET grade = 'A'"))
    with pytest.raises(DBAPIError, match="append-only"), db.write() as session:
        session.execute(text("DELETE FROM audit_events"))


def test_answers_are_validated_against_the_checklist(db, actor, standards, catalog):
    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    with pytest.raises(InvalidState, match="not a valid answer"):
        svc.record_answer(db, actor, standards, inspection.id, "condition", "shiny")
    with pytest.raises(InvalidState, match="Unknown checklist item"):
        svc.record_answer(db, actor, standards, inspection.id, "colour_ok", True)
    view = svc.record_answer(db, actor, standards, inspection.id, "condition", "used")
    view = svc.record_answer(db, actor, standards, inspection.id, "condition", "new")
    assert view.answers == {"condition": "new"}  # replaced, not appended


def test_multi_unit_line_and_blind_return(db, actor, standards, catalog, photos):
    make_rma(db, "RMA-2", skus=(("SW-MERINO-M", 2),))
    parcel = receive_parcel(db, actor, "RMA-2", "rma-2")
    with db.read() as session:
        line_id = session.scalar(select(RmaLine.id))
    for _unit in range(2):
        inspection = open_inspection(db, actor, standards, parcel.id, line_id)
        _answer_all(db, actor, standards, inspection.id)
        svc.finalize_inspection(db, actor, standards, inspection.id)
    with db.read() as session:
        assert session.scalar(select(RmaLine.qty_received)) == 2
        assert session.scalar(select(Rma.status)) == "received"

    blind = receive_parcel(db, actor, "9400111899223817582548")
    assert blind.is_blind and blind.rma_number is None
    with pytest.raises(InvalidState):
        open_inspection(db, actor, standards, parcel.id)  # an RMA parcel needs a line
    inspection = open_inspection(db, actor, standards, blind.id)
    answers = {k: v for k, v in GOOD_ANSWERS.items() if k != "item_matches"}
    _answer_all(db, actor, standards, inspection.id, answers, grams=300)
    # No RMA says what the unit is: it is identified and photographed whole first.
    with pytest.raises(FinalizeRefused) as refused:
        svc.finalize_inspection(db, actor, standards, inspection.id)
    assert {code for code, _message in refused.value.missing} == {"item", "photo:overview"}
    identify_item(db, actor, inspection.id, catalog["SW-MERINO-M"])
    png = SimulatedCamera(seed=4).grab().data
    svc.record_photo(db, actor, photos, inspection.id, "overview", data=png)
    verdict = svc.finalize_inspection(db, actor, standards, inspection.id)
    assert verdict.disposition == "quarantine" and verdict.refund_kind == "none"
    assert "BLIND_RETURN" in verdict.warnings and verdict.refund_amount is None


def test_corrupt_photo_is_refused_and_nothing_is_linked(db, actor, standards, catalog, photos):
    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    png = SimulatedCamera(seed=2).grab().data
    with pytest.raises(PhotoError, match="truncated"):
        svc.record_photo(db, actor, photos, inspection.id, "front", data=png[: len(png) // 2])
    with pytest.raises(PhotoError, match="not a PNG or JPEG"):
        svc.record_photo(db, actor, photos, inspection.id, "front", data=b"hello")
    view = get_inspection(db, inspection.id)
    assert view.photo_roles == ()
    assert not list(photos.root.rglob("*.png"))


def test_photo_store_is_content_addressed(tmp_path):
    store = PhotoStore(tmp_path / "photos")
    png = SimulatedCamera(seed=3).grab().data
    first = store.store(png)
    second = store.store(png)
    assert first == second
    assert first.relative_path.endswith(f"{first.sha256}.png")
    assert (first.width, first.height) == (320, 240)
    (tmp_path / "photos" / first.relative_path).write_bytes(png + b"tampered")
    assert not store.verify(first.relative_path, first.sha256)


def test_defects_and_measurements_reach_the_facts_and_the_audit(db, actor, standards, catalog):
    from station.services.facts import facts_for

    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    svc.record_defect(db, actor, standards, inspection.id, "PILLING", zone="A", severity="minor")
    svc.record_measurement(db, actor, inspection.id, "chest_width", 53.5, "cm")
    with db.read() as session:
        facts = facts_for(session, session.get(Inspection, inspection.id))
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == str(inspection.id))
        ).all()
    assert [(d.code, d.zone, d.severity) for d in facts.defects] == [("PILLING", "A", "minor")]
    assert facts.measurements == {"chest_width": (53.5, "cm")}
    assert actions[-2:] == ["defect.recorded", "measurement.recorded"]
    with pytest.raises(InvalidState, match="negative weight"):
        svc.record_weight(db, actor, inspection.id, -3, stable=True, device="sim")
