"""The station's data model (SQLAlchemy 2.x typed ORM); import models from here."""

from station.models.base import Base, new_id
from station.models.catalog import Role, Seller, Sku, User
from station.models.inspection import (
    Finding,
    FindingKind,
    Inspection,
    InspectionStatus,
    Lpn,
    Photo,
    Verdict,
    WeightReading,
)
from station.models.labels import LabelPrint
from station.models.ledger import AuditEvent, DeliveryState, OutboxEvent
from station.models.returns import Parcel, Rma, RmaLine, RmaStatus, RmaTracking
from station.models.standards import StandardVersion

__all__ = [
    "AuditEvent",
    "Base",
    "DeliveryState",
    "Finding",
    "FindingKind",
    "Inspection",
    "InspectionStatus",
    "LabelPrint",
    "Lpn",
    "OutboxEvent",
    "Parcel",
    "Photo",
    "Rma",
    "RmaLine",
    "RmaStatus",
    "RmaTracking",
    "Role",
    "Seller",
    "Sku",
    "StandardVersion",
    "User",
    "Verdict",
    "WeightReading",
    "new_id",
]
