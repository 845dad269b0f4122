"""The seller inspection report's data: a plain, frozen dataclass tree, built by the station.

It holds the standard's texts in every language the standard has, so the same data renders in
en, zh-CN or es and has one verification hash whatever the language. Codes (reason codes,
answer codes, enum values) are kept beside their words for matching and hashing; the renderer
prints only words.

The verification hash covers the recorded data. Fields marked ``NOT_HASHED`` are presentation
derived from it (reasons in words, a grade's description): their wording may improve in a later
version without every report sent before failing to verify. ``HASHED_WHEN_SET`` marks recorded
data added later (the customer's own words), hashed only where present for the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from labels.report_common import HASHED_WHEN_SET, NOT_HASHED

LocalText = Mapping[str, str]  # {"en": ..., "zh-CN": ..., "es": ...}


@dataclass(frozen=True)
class ReportHeader:
    inspection_id: str
    seller_code: str | None
    seller_name: str | None
    seller_language: str
    rma_number: str | None
    order_id: str | None
    channel: str | None
    customer_country: str | None
    stated_reason: str | None  # our reason category (``not_as_described``), shown in words
    delivered_on: date | None
    received_at: datetime
    tracking_number: str | None
    is_blind: bool
    station_id: str
    grader: str | None
    inspected_at: datetime | None
    lpn: str | None
    # The customer's own words, as the RMA was imported: printed beside the category.
    stated_reason_text: str | None = field(default=None, metadata=HASHED_WHEN_SET)


@dataclass(frozen=True)
class ReportItem:
    sku: str | None
    gtin: str | None
    title: str | None
    serial: str | None
    category: str | None


@dataclass(frozen=True)
class ReportStandard:
    id: str
    version: str
    content_hash: str
    title: LocalText


@dataclass(frozen=True)
class ReportAnswer:
    """One checklist answer; ``shown`` holds the standard's labels of the chosen choices."""

    code: str
    label: LocalText
    type: str
    value: Any
    shown: tuple[LocalText, ...] = ()


@dataclass(frozen=True)
class ReportMeasurement:
    code: str
    label: LocalText
    value: float | None
    unit: str
    expected: float | None
    allowed_deviation: float | None
    passed: bool | None


@dataclass(frozen=True)
class ReportDefect:
    code: str
    name: LocalText
    zone: str | None
    zone_name: LocalText
    severity: str
    note: str | None


@dataclass(frozen=True)
class ReportWeight:
    grams: float | None
    stable: bool
    device: str | None
    expected_g: float | None
    allowed_g: float | None
    passed: bool | None


@dataclass(frozen=True)
class ReportPhoto:
    role: str
    role_label: LocalText
    sha256: str
    file_path: str
    content_type: str
    byte_size: int
    width: int | None
    height: int | None
    taken_at: datetime


@dataclass(frozen=True)
class ReasonFact:
    """One recorded fact behind a reason, in the standard's words.

    ``kind``: ``answer`` (a question and the answer given), ``measurement`` (out of tolerance),
    ``defect``, ``stated_reason`` (``value`` is our reason category), ``weight``, ``serial``,
    ``late``, ``blind`` or ``country`` (``value`` is the ISO code).
    """

    kind: str
    label: LocalText = field(default_factory=dict)
    shown: LocalText = field(default_factory=dict)  # the chosen answer(s), as the standard says
    value: Any = None  # a plain value: yes/no, typed text, a category or country code


@dataclass(frozen=True)
class ReportReason:
    """One reason code of a verdict, with what it means in words.

    ``kind``: ``rule`` (a grading rule of the standard; ``facts`` are what made it match),
    ``defect``, ``late`` (outside the return window), ``blind`` or ``other`` (a code the
    standard does not define, e.g. one a supervisor gave).
    """

    code: str  # kept for matching; never printed
    kind: str
    facts: tuple[ReasonFact, ...] = ()
    decides_grade: bool = False  # the grading rule that gave the grade


@dataclass(frozen=True)
class ReportVerdict:
    revision: int
    supersedes_revision: int | None
    grade: str
    grade_label: LocalText  # the standard's label of the grade (hashed; see ``grade_note``)
    disposition: str
    refund_kind: str
    refund_percent: Decimal
    refund_amount: Decimal | None
    currency: str | None
    responsibility: str
    reason_codes: tuple[str, ...]
    warnings: tuple[str, ...]
    standard_hash: str
    decided_by: str | None
    decided_at: datetime
    reasons: tuple[ReportReason, ...] = field(default=(), metadata=NOT_HASHED)
    # The standard's grade label, only where the standard ties that grade to this verdict's
    # disposition alone: a label such as "sell as second" never stands next to "return to seller".
    grade_note: LocalText = field(default_factory=dict, metadata=NOT_HASHED)
    default_grade: bool = field(default=False, metadata=NOT_HASHED)  # no grading rule matched


@dataclass(frozen=True)
class ReportNote:
    """A dispute or supervisor note on the inspection (from the audit trail)."""

    at: datetime
    by: str | None
    kind: str
    text: str


@dataclass(frozen=True)
class InspectionReportData:
    header: ReportHeader
    item: ReportItem
    standard: ReportStandard
    answers: tuple[ReportAnswer, ...]
    measurements: tuple[ReportMeasurement, ...]
    defects: tuple[ReportDefect, ...]
    weight: ReportWeight
    photos: tuple[ReportPhoto, ...]
    verdicts: tuple[ReportVerdict, ...]  # every revision, oldest first
    notes: tuple[ReportNote, ...] = ()

    @property
    def current_verdict(self) -> ReportVerdict | None:
        return self.verdicts[-1] if self.verdicts else None
