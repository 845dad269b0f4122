"""Receiving: a parcel is opened at the bench, and each unit in it gets an inspection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from devices.gs1 import is_valid_gtin
from inspection_rules import StandardRegistry
from station.audit import audit_action
from station.codes import normalize_code
from station.db import Database
from station.i18n import _
from station.models import Inspection, InspectionStatus, Parcel, Rma, RmaLine, Seller, Sku
from station.outbox import add_outbox_event
from station.services.common import Actor, InvalidState, NotFound
from station.services.events import RETURN_RECEIVED, return_received_payload
from station.services.facts import draft_inspection, get_row, inspection_view
from station.services.scanning import gtin_variants
from station.views import InspectionView


@dataclass(frozen=True)
class ParcelView:
    id: uuid.UUID
    rma_number: str | None
    is_blind: bool


def receive_parcel(
    db: Database,
    actor: Actor,
    scanned_code: str,
    rma_number: str | None = None,
    *,
    tracking_number: str | None = None,
    carrier: str | None = None,
) -> ParcelView:
    """Record that a parcel was opened at this bench, matched to an RMA or as a blind return."""
    with db.write() as session:
        rma = None
        if rma_number is not None:
            rma = session.scalar(select(Rma).where(Rma.number == normalize_code(rma_number)))
            if rma is None:
                raise NotFound(_("RMA {number} not found").format(number=rma_number))
        parcel = Parcel(
            station_id=actor.station_id,
            received_by_id=actor.user_id,
            scanned_code=scanned_code.strip()[:128],
            tracking_number=tracking_number,
            carrier=carrier,
            rma_id=rma.id if rma else None,
            is_blind=rma is None,
        )
        session.add(parcel)
        session.flush()
        audit_action(
            session,
            actor,
            action="parcel.received",
            entity_type="parcel",
            entity_id=parcel.id,
            after={
                "rma": rma.number if rma else None,
                "blind": parcel.is_blind,
                "scanned": parcel.scanned_code,
            },
        )
        # Same transaction as the parcel row: upstream learns of every arrival, blind ones too.
        add_outbox_event(
            session,
            event_type=RETURN_RECEIVED,
            aggregate_type="parcel",
            aggregate_id=parcel.id,
            payload=return_received_payload(actor, parcel, rma),
        )
        return ParcelView(parcel.id, rma.number if rma else None, parcel.is_blind)


class OverReceipt(InvalidState):
    """Every expected unit of the line is received: one more needs the grader's yes."""


def open_inspection(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    parcel_id: uuid.UUID,
    rma_line_id: uuid.UUID | None = None,
    *,
    over_receipt: bool = False,
) -> InspectionView:
    """Start examining one physical unit, pinned to the standard version in force now.

    The unit this bench already began on the line (a draft left by a closed window or a
    crash) is resumed rather than started twice. A line whose expected units are all received
    is refused with ``OverReceipt`` unless ``over_receipt`` says the grader confirmed one more
    than expected (audited as such).
    """
    with db.write() as session:
        parcel = get_row(session, Parcel, parcel_id, _("parcel"))
        line = None
        if rma_line_id is not None:
            line = get_row(session, RmaLine, rma_line_id, _("RMA line"))
            if line.rma_id != parcel.rma_id:
                raise InvalidState(_("That RMA line does not belong to this parcel's RMA"))
            draft = _open_draft(session, actor, RmaLine.id == line.id)
            if draft is not None:
                return _resume(session, actor, draft)
            if line.qty_received >= line.qty_expected and not over_receipt:
                raise OverReceipt(
                    _("Line {line}: all {count} expected units are received already").format(
                        line=line.line_no, count=line.qty_expected
                    )
                )
        elif parcel.rma_id is not None:
            raise InvalidState(_("Choose which RMA line this unit is"))
        sku = line.sku if line else None
        standard = standards.for_item(
            parcel.rma.seller.code if parcel.rma else None, sku.category if sku else None
        )
        inspection = Inspection(
            parcel_id=parcel.id,
            rma_line_id=line.id if line else None,
            sku_id=sku.id if sku else None,
            grader_id=actor.user_id,
            station_id=actor.station_id,
            standard_id=standard.id,
            standard_version=standard.version,
            standard_hash=standard.content_hash,
        )
        session.add(inspection)
        session.flush()
        audit_action(
            session,
            actor,
            action="inspection.opened",
            entity_type="inspection",
            entity_id=inspection.id,
            after={
                "parcel": str(parcel.id),
                "rma_line": str(line.id) if line else None,
                "standard": standard.id,
                "standard_hash": standard.content_hash,
                **({"over_receipt": True} if line is not None and over_receipt else {}),
            },
        )
        return inspection_view(session, inspection)


def resume_draft(
    db: Database, actor: Actor, *, rma_number: str | None = None, scanned_code: str | None = None
) -> InspectionView | None:
    """The unit this bench began and did not finish for a rescanned parcel: a draft on one of
    the RMA's lines, or on a blind parcel received under the same scanned code. None: there is
    nothing to resume, and the scan is received as a new parcel."""
    if rma_number is None and scanned_code is None:
        return None
    with db.write() as session:
        if rma_number is not None:
            where = Rma.number == normalize_code(rma_number)
        else:
            code = (scanned_code or "").strip()[:128]
            where = and_(Parcel.scanned_code == code, Parcel.is_blind.is_(True))
        draft = _open_draft(session, actor, where)
        return _resume(session, actor, draft) if draft is not None else None


def _open_draft(session: Session, actor: Actor, where: ColumnElement[bool]) -> Inspection | None:
    """This station's newest unfinished first inspection matching ``where`` (on its RMA line,
    RMA or parcel). Another bench's draft is that bench's unit, never taken over here."""
    query = (
        select(Inspection)
        .join(Parcel, Parcel.id == Inspection.parcel_id)
        .outerjoin(RmaLine, RmaLine.id == Inspection.rma_line_id)
        .outerjoin(Rma, Rma.id == RmaLine.rma_id)
        .where(
            where,
            Inspection.status == InspectionStatus.DRAFT.value,
            Inspection.second_opinion_for_id.is_(None),
            Inspection.station_id == actor.station_id,
        )
        .order_by(Inspection.started_at.desc())
        .limit(1)
    )
    return session.scalar(query)


def _resume(session: Session, actor: Actor, inspection: Inspection) -> InspectionView:
    audit_action(
        session,
        actor,
        action="inspection.resumed",
        entity_type="inspection",
        entity_id=inspection.id,
        after={"grader": str(actor.user_id) if actor.user_id else None},
    )
    return inspection_view(session, inspection)


def identify_item(
    db: Database, actor: Actor, inspection_id: uuid.UUID, text: str
) -> InspectionView:
    """Say what a blind return's item is: a scanned GTIN or SKU code links the catalogue's
    SKU; anything else the grader types (at least 3 characters) is kept as its description.

    Raises ``InvalidState`` for an inspection with an RMA (its item is known) and for text
    too short to describe anything.
    """
    typed = " ".join(text.split())
    with db.write() as session:
        inspection = draft_inspection(session, inspection_id)
        if not inspection.parcel.is_blind:
            raise InvalidState(_("This unit has an RMA: its item is known"))
        sku = _sku_for(session, normalize_code(typed))
        if sku is None and len(typed) < 3:
            raise InvalidState(
                _("Scan the item's GTIN or SKU, or type what it is (at least 3 characters)")
            )
        before = {"sku": str(inspection.sku_id) if inspection.sku_id else None,
                  "description": inspection.item_description}  # fmt: skip
        inspection.sku_id = sku.id if sku is not None else None
        inspection.item_description = None if sku is not None else typed[:200]
        audit_action(
            session,
            actor,
            action="inspection.item_identified",
            entity_type="inspection",
            entity_id=inspection.id,
            before=before,
            after={"sku": sku.code if sku else None, "description": inspection.item_description},
        )
        return inspection_view(session, inspection)


def _sku_for(session: Session, code: str) -> Sku | None:
    """The one SKU a scanned GTIN or typed SKU code names (None: unknown, or several sellers
    use the code, when only the GTIN can tell which)."""
    if code.isdigit() and len(code) in (8, 12, 13, 14) and is_valid_gtin(code):
        found = session.scalars(select(Sku).where(Sku.gtin.in_(gtin_variants(code)))).all()
    else:
        found = session.scalars(select(Sku).where(func.upper(Sku.code) == code)).all()
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class CatalogueItem:
    """A SKU as the grader picks it for a blind return."""

    code: str
    title: str
    seller: str


def catalogue_items(db: Database) -> list[CatalogueItem]:
    """Every SKU the station knows, to pick a blind return's item from by code or title."""
    with db.read() as session:
        rows = session.execute(
            select(Sku.code, Sku.title, Seller.code)
            .join(Seller, Seller.id == Sku.seller_id)
            .order_by(Sku.code)
        ).all()
    return [CatalogueItem(code, title, seller) for code, title, seller in rows]
