"""Receiving: a parcel is opened at the bench, and each unit in it gets an inspection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from inspection_rules import StandardRegistry
from station.audit import audit_action
from station.codes import normalize_code
from station.db import Database
from station.i18n import _
from station.models import Inspection, Parcel, Rma, RmaLine
from station.outbox import add_outbox_event
from station.services.common import Actor, InvalidState, NotFound
from station.services.events import RETURN_RECEIVED, return_received_payload
from station.services.facts import get_row, inspection_view
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


def open_inspection(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    parcel_id: uuid.UUID,
    rma_line_id: uuid.UUID | None = None,
) -> InspectionView:
    """Start examining one physical unit, pinned to the standard version in force now."""
    with db.write() as session:
        parcel = get_row(session, Parcel, parcel_id, _("parcel"))
        line = None
        if rma_line_id is not None:
            line = get_row(session, RmaLine, rma_line_id, _("RMA line"))
            if line.rma_id != parcel.rma_id:
                raise InvalidState(_("That RMA line does not belong to this parcel's RMA"))
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
            },
        )
        return inspection_view(session, inspection)
