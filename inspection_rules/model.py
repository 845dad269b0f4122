"""The evaluator's interface: facts in; grade, disposition, refund, trace and what is missing out.

Everything here is plain, immutable data so an evaluation is a pure function that tests can
drive with tables of facts and that the station can replay later to explain a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from inspection_rules.schema import DefectSpec, StandardSpec


class ItemType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    MEASUREMENT = "measurement"
    PHOTO = "photo"
    TEXT = "text"


class Disposition(StrEnum):
    RESTOCK = "restock"
    RESTOCK_AS_GRADED = "restock_as_graded"
    REPAIR = "repair"
    REFURBISH = "refurbish"
    RETURN_TO_SELLER = "return_to_seller"
    DISPOSE = "dispose"
    QUARANTINE = "quarantine"


# Shopify's return-line dispositionType for each of ours.
SHOPIFY_DISPOSITION: Mapping[Disposition, str] = {
    Disposition.RESTOCK: "RESTOCKED",
    Disposition.RESTOCK_AS_GRADED: "RESTOCKED",
    Disposition.REPAIR: "PROCESSING_REQUIRED",
    Disposition.REFURBISH: "PROCESSING_REQUIRED",
    Disposition.RETURN_TO_SELLER: "NOT_RESTOCKED",
    Disposition.DISPOSE: "NOT_RESTOCKED",
    Disposition.QUARANTINE: "PROCESSING_REQUIRED",
}


class Responsibility(StrEnum):
    CUSTOMER = "customer"
    CARRIER = "carrier"
    MANUFACTURING = "manufacturing"
    WAREHOUSE = "warehouse"


class RefundKind(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True)
class Choice:
    code: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    type: ItemType
    label: Mapping[str, str]
    required: bool = True
    choices: tuple[Choice, ...] = ()
    unit: str | None = None
    photo_role: str | None = None

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["en"]


@dataclass(frozen=True)
class DefectFact:
    code: str
    zone: str | None = None
    severity: str = ""  # empty: the severity the standard's defect catalogue gives the code


@dataclass(frozen=True)
class Facts:
    """What the bench recorded about one unit, plus what the RMA says about it."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    measurements: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    defects: tuple[DefectFact, ...] = ()
    photo_roles: frozenset[str] = frozenset()
    weight_g: float | None = None
    weight_stable: bool = False
    expected_weight_g: float | None = None
    stated_reason: str | None = None
    delivered_on: date | None = None
    return_window_days: int | None = None
    inspected_on: date | None = None
    is_blind: bool = False
    # A blind return's item was identified at the bench (a scanned GTIN or SKU, or a typed
    # description): without an RMA nothing else says what the unit is.
    item_identified: bool = False
    # The SKU's size / measurement spec, e.g. {"measurements": {"chest_width_cm": 52}}.
    sku_spec: Mapping[str, Any] = field(default_factory=dict)
    customer_country: str | None = None
    expected_serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissingFact:
    code: str
    message: str


@dataclass(frozen=True)
class TraceStep:
    rule: str
    detail: str


@dataclass(frozen=True)
class Refund:
    kind: RefundKind
    percent: Decimal

    @classmethod
    def full(cls) -> Refund:
        return cls(RefundKind.FULL, Decimal(100))

    @classmethod
    def none(cls) -> Refund:
        return cls(RefundKind.NONE, Decimal(0))

    @classmethod
    def partial(cls, percent: int | Decimal) -> Refund:
        return cls(RefundKind.PARTIAL, Decimal(percent))


@dataclass(frozen=True)
class MeasurementResult:
    code: str
    value: float | None
    unit: str
    expected: float | None
    allowed_deviation: float | None
    passed: bool | None  # None: no value yet, or the SKU spec has no expected value

    @property
    def deviation(self) -> float | None:
        if self.value is None or self.expected is None:
            return None
        return self.value - self.expected


@dataclass(frozen=True)
class Evaluation:
    grade: str | None
    disposition: Disposition | None
    refund: Refund | None
    responsibility: Responsibility | None
    reason_codes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    missing: tuple[MissingFact, ...] = ()
    measurements: tuple[MeasurementResult, ...] = ()
    visible_items: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        return not self.missing and self.grade is not None

    upstream: str | None = None  # the standard's mapping (e.g. Shopify dispositionType)

    @property
    def upstream_disposition(self) -> str | None:
        if self.upstream:
            return self.upstream
        return SHOPIFY_DISPOSITION[self.disposition] if self.disposition else None


class Standard(Protocol):
    """An inspection standard: the checklist the bench shows and the rules that grade it."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def title(self) -> Mapping[str, str]: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def grades(self) -> Sequence[str]: ...
    @property
    def checklist(self) -> Sequence[ChecklistItem]: ...
    @property
    def seller(self) -> str | None: ...
    @property
    def category(self) -> str: ...
    @property
    def defects(self) -> Sequence[DefectSpec]: ...
    @property
    def spec(self) -> StandardSpec: ...

    def evaluate(self, facts: Facts) -> Evaluation: ...
    def required_photos(self, grade: str | None) -> list[str]: ...
    def check_measurement(
        self, code: str, value: float | None, sku_spec: Mapping[str, Any]
    ) -> MeasurementResult | None: ...
