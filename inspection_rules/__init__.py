"""Inspection standards as data and the pure evaluator (facts -> findings, grade, disposition)."""

from collections.abc import Callable, Iterable

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
    """Which standard applies to a unit, and every known version by content hash.

    Choice order for a unit: the seller's own standard for the SKU's category, then the
    warehouse's base standard for that category, then the default (general merchandise).
    Versions no longer loaded from files are fetched from ``archive`` (the database) by hash.
    """

    def __init__(
        self,
        standards: Iterable[Standard] = (),
        *,
        archive: Callable[[str], Standard | None] | None = None,
        default_id: str = "general-merchandise",
    ) -> None:
        loaded = list(standards)
        if not loaded:
            raise ValueError("a standard registry needs at least one valid standard")
        self._by_id = {standard.id: standard for standard in loaded}
        self._by_hash = {standard.content_hash: standard for standard in loaded}
        self._archive = archive
        self._default_id = default_id

    @property
    def standards(self) -> list[Standard]:
        return list(self._by_id.values())

    def by_id(self, standard_id: str) -> Standard | None:
        return self._by_id.get(standard_id)

    def for_item(self, seller_code: str | None, category: str | None) -> Standard:
        def pick(seller: str | None) -> Standard | None:
            return next(
                (
                    s for s in self._by_id.values()
                    if s.seller == seller and category is not None and s.category == category
                ),
                None,
            )  # fmt: skip

        chosen = (pick(seller_code) if seller_code else None) or pick(None)
        if chosen is None:
            chosen = self._by_id.get(self._default_id) or next(iter(self._by_id.values()))
        return chosen

    def by_hash(self, content_hash: str) -> Standard | None:
        found = self._by_hash.get(content_hash)
        if found is None and self._archive is not None:
            found = self._archive(content_hash)
            if found is not None:
                self._by_hash[content_hash] = found
        return found
