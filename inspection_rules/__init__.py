"""Inspection standards as data and the pure evaluator (facts -> findings, grade, disposition)."""

from inspection_rules.general_merchandise import GeneralMerchandiseStandard
from inspection_rules.model import (
    ChecklistItem,
    Choice,
    DefectFact,
    Disposition,
    Evaluation,
    Facts,
    ItemType,
    MissingFact,
    Refund,
    RefundKind,
    Responsibility,
    Standard,
    TraceStep,
)

__all__ = [
    "ChecklistItem",
    "Choice",
    "DefectFact",
    "Disposition",
    "Evaluation",
    "Facts",
    "GeneralMerchandiseStandard",
    "ItemType",
    "MissingFact",
    "Refund",
    "RefundKind",
    "Responsibility",
    "Standard",
    "StandardRegistry",
    "TraceStep",
]


class StandardRegistry:
    """Which standard applies to a seller's category. Only the built-in one exists so far."""

    def __init__(self, fallback: Standard | None = None) -> None:
        self._fallback: Standard = fallback or GeneralMerchandiseStandard()

    def for_item(self, seller_code: str | None, category: str | None) -> Standard:
        return self._fallback

    def by_hash(self, content_hash: str) -> Standard | None:
        return self._fallback if self._fallback.content_hash == content_hash else None
