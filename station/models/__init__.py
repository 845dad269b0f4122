"""The station's data model (SQLAlchemy 2.x typed ORM); import models from here."""

from station.models.base import Base, new_id
from station.models.catalog import DemoCredential, Role, Seller, Sku, User
from station.models.disputes import Dispute, DisputeSource, DisputeState, VerdictReview
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
from station.models.sync import (
    DeliveryStatus,
    OutboxDelivery,
    RmaUpstreamChange,
    SyncCursor,
    WebhookEndpoint,
)

__all__ = [
    "AuditEvent",
    "Base",
    "DeliveryState",
    "DeliveryStatus",
    "DemoCredential",
    "Dispute",
    "DisputeSource",
    "DisputeState",
    "Finding",
    "FindingKind",
    "Inspection",
    "InspectionStatus",
    "LabelPrint",
    "Lpn",
    "OutboxDelivery",
    "OutboxEvent",
    "Parcel",
    "Photo",
    "Rma",
    "RmaLine",
    "RmaStatus",
    "RmaTracking",
    "RmaUpstreamChange",
    "Role",
    "Seller",
    "Sku",
    "StandardVersion",
    "SyncCursor",
    "User",
    "Verdict",
    "VerdictReview",
    "WebhookEndpoint",
    "WeightReading",
    "new_id",
]
