"""The inspection-standard file format, as pydantic models.

A standard is YAML a seller and the warehouse can read and sign. These models are the schema:
unknown keys are errors (``extra="forbid"``), so a typo never silently switches a rule off.
Cross-references (conditions naming checklist items, grades used but not defined, matrix gaps)
are checked in ``validation``; the loader maps every error back to ``file:line:col``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from inspection_rules.model import Disposition, ItemType, Responsibility

LocalText = dict[str, str]
SEVERITIES = ("minor", "major", "critical")
Severity = Literal["minor", "major", "critical"]
ShopifyDisposition = Literal["RESTOCKED", "PROCESSING_REQUIRED", "NOT_RESTOCKED", "MISSING"]
REQUIRED_LANGUAGES = ("en", "zh-CN")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- conditions ----------------------------------------------------------------------------


class DefectMatch(Strict):
    """Matches when at least one recorded defect fits every field given."""

    code: str | None = None
    codes: tuple[str, ...] | None = None
    zone: str | None = None
    severity: Severity | None = None
    severity_at_least: Severity | None = None
    responsibility: Responsibility | None = None


CONDITION_HEADS = (
    "all", "any", "not_", "answer", "defect", "no_defects", "measurement",
    "any_measurement_out_of_tolerance", "stated_reason", "weight_out_of_tolerance",
    "serial_mismatch", "late_return", "customer_country", "blind_return", "sku_has_measurement",
)  # fmt: skip
ANSWER_TESTS = ("equals", "in_", "not_in", "at_least", "at_most", "is_set", "includes")


class Condition(Strict):
    """One test, or a combination. Written as a small mapping, e.g.::

    when: {answer: powers_on, equals: false}
    when: {all: [{defect: {severity_at_least: major}}, {stated_reason: [defect]}]}
    """

    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    # answer tests
    answer: str | None = None
    equals: str | int | float | bool | None = None
    in_: tuple[str | int | float | bool, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str | int | float | bool, ...] | None = None
    at_least: float | None = None
    at_most: float | None = None
    is_set: bool | None = None
    includes: str | None = None  # multiple-choice answer contains this choice
    # other facts
    defect: DefectMatch | None = None
    no_defects: Literal[True] | None = None
    measurement: str | None = None
    out_of_tolerance: bool | None = None
    any_measurement_out_of_tolerance: bool | None = None
    stated_reason: tuple[str, ...] | None = None
    weight_out_of_tolerance: bool | None = None
    serial_mismatch: bool | None = None
    late_return: bool | None = None
    customer_country: tuple[str, ...] | None = None
    # No RMA matched the parcel (visibility of "matches the RMA" questions, blind-only rules).
    blind_return: bool | None = None
    # The SKU's spec has a value under ``measurements`` for this key (e.g. chest_width_cm):
    # ask for a measurement only where the SKU can be measured against something.
    sku_has_measurement: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        heads = [name for name in CONDITION_HEADS if getattr(self, name) is not None]
        if len(heads) != 1:
            shown = ", ".join(h.rstrip("_") for h in heads) or "none"
            raise ValueError(
                f"a condition needs exactly one test (all, any, not, answer, defect, no_defects, "
                f"measurement, any_measurement_out_of_tolerance, stated_reason, "
                f"weight_out_of_tolerance, serial_mismatch, late_return, customer_country, "
                f"blind_return, sku_has_measurement); "
                f"found: {shown}"
            )
        tests = [name for name in ANSWER_TESTS if getattr(self, name) is not None]
        if heads[0] == "answer" and len(tests) != 1:
            raise ValueError(
                "an answer condition needs exactly one of equals, in, not_in, at_least, "
                "at_most, is_set, includes"
            )
        if heads[0] != "answer" and tests:
            raise ValueError(f"{tests[0].rstrip('_')} only goes with answer")
        if heads[0] == "measurement" and self.out_of_tolerance is None:
            raise ValueError("a measurement condition needs out_of_tolerance: true or false")
        if heads[0] != "measurement" and self.out_of_tolerance is not None:
            raise ValueError("out_of_tolerance only goes with measurement")
        return self

    def item_references(self) -> list[str]:
        """Checklist item codes this condition reads (for cross-reference checks)."""
        refs = [ref for ref in (self.answer, self.measurement) if ref]
        for child in (*(self.all or ()), *(self.any or ()), *((self.not_,) if self.not_ else ())):
            refs.extend(child.item_references())
        return refs

    def defect_references(self) -> list[str]:
        refs: list[str] = []
        if self.defect:
            refs.extend(c for c in (self.defect.code, *(self.defect.codes or ())) if c)
        for child in (*(self.all or ()), *(self.any or ()), *((self.not_,) if self.not_ else ())):
            refs.extend(child.defect_references())
        return refs


# --- checklist and catalogue -------------------------------------------------------------


class ChoiceSpec(Strict):
    code: str
    label: LocalText


class Tolerance(Strict):
    absolute: float | None = Field(default=None, ge=0)
    percent: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _some(self) -> Tolerance:
        if self.absolute is None and self.percent is None:
            raise ValueError("a tolerance needs absolute, percent or both")
        return self


class ItemSpec(Strict):
    code: str
    type: ItemType
    label: LocalText
    help: LocalText | None = None
    required: bool = True
    when: Condition | None = None
    choices: tuple[ChoiceSpec, ...] = ()
    # measurement
    unit: str | None = None
    spec_key: str | None = None  # key under the SKU spec's "measurements"
    tolerance: Tolerance | None = None
    # photo
    role: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> ItemSpec:
        choice_types = (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE)
        if self.type in choice_types and not self.choices:
            raise ValueError(f"a {self.type.value} item needs choices")
        if self.type not in choice_types and self.choices:
            raise ValueError(
                f"choices only go with single_choice or multi_choice, not {self.type.value}"
            )
        if self.type is ItemType.MEASUREMENT and not (
            self.unit and self.spec_key and self.tolerance
        ):
            raise ValueError("a measurement item needs unit, spec_key and tolerance")
        if self.type is ItemType.PHOTO and not self.role:
            raise ValueError("a photo item needs a role (front, back, label, defect_closeup, ...)")
        return self


class DefectSpec(Strict):
    code: str
    name: LocalText
    zones: tuple[str, ...] = ()
    severity: Severity
    responsibility: Responsibility


class WeightPolicy(Strict):
    required: bool = True
    tolerance_g: float | None = Field(default=None, ge=0)
    tolerance_percent: float | None = Field(default=None, ge=0)
    # What a miss means: a warning for the supervisor queue, or hold the unit.
    on_miss: Literal["warn", "quarantine"] = "warn"


class GradeSpec(Strict):
    code: str
    label: LocalText


class GradingRule(Strict):
    id: str
    when: Condition
    grade: str
    reason: str | None = None
    # Optional outcome overrides for a tier (e.g. "minor pilling: keep, small partial refund").
    disposition: Disposition | None = None
    refund: RefundSpec | None = None


class ResponsibilityRule(Strict):
    id: str
    when: Condition
    responsibility: Responsibility


def _canonical_percent(value: Decimal) -> Decimal:
    """50, 50.0 and 50.00 are the same refund: store one form so they hash the same."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


Percent = Annotated[Decimal, Field(gt=0, lt=100), AfterValidator(_canonical_percent)]


class PartialRefund(Strict):
    partial: Percent


RefundSpec = Literal["full", "none"] | PartialRefund
GradingRule.model_rebuild()


class OutcomeSpec(Strict):
    grade: str
    responsibility: Responsibility | Literal["any"] = "any"
    stated_reason: tuple[str, ...] | None = None
    disposition: Disposition
    refund: RefundSpec
    shopify: ShopifyDisposition | None = None


class PhotoPolicy(Strict):
    always: tuple[str, ...] = ()
    by_grade: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # A blind return has no RMA to say what it is: a photo of the whole item is the record.
    blind: tuple[str, ...] = ("overview",)


class LatePolicy(Strict):
    refund: RefundSpec = "none"
    applies_to: tuple[Responsibility, ...] = (Responsibility.CUSTOMER,)
    reason: str = "LATE_RETURN"


class ReturnWindowPolicy(Strict):
    default_days: int = Field(ge=0)
    countries: dict[str, int] = Field(default_factory=dict)
    late: LatePolicy = LatePolicy()

    @field_validator("countries")
    @classmethod
    def _iso_codes(cls, value: dict[str, int]) -> dict[str, int]:
        for code, days in value.items():
            if len(code) != 2 or not code.isupper():
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code")
            if days < 0:
                raise ValueError(f"return window for {code} is negative")
        return value


class SerialPolicy(Strict):
    item: str  # the text item holding the serial read off the unit
    on_mismatch: Literal["warn", "quarantine"] = "warn"


class StandardSpec(Strict):
    """A standard file as written. With ``extends``, missing sections come from the base."""

    id: str
    version: str
    title: LocalText
    category: str
    seller: str | None = None
    extends: str | None = None
    languages: tuple[str, ...] = REQUIRED_LANGUAGES
    references: tuple[str, ...] = ()
    checklist: tuple[ItemSpec, ...] = ()
    defects: tuple[DefectSpec, ...] = ()
    zones: dict[str, LocalText] = Field(default_factory=dict)
    weight: WeightPolicy = WeightPolicy()
    grades: tuple[GradeSpec, ...] = ()
    grading: tuple[GradingRule, ...] = ()
    default_grade: str
    responsibility: tuple[ResponsibilityRule, ...] = ()
    outcomes: tuple[OutcomeSpec, ...] = ()
    photos: PhotoPolicy = PhotoPolicy()
    return_window: ReturnWindowPolicy
    serial: SerialPolicy | None = None


def refund_parts(spec: RefundSpec) -> tuple[str, Decimal]:
    if isinstance(spec, PartialRefund):
        return "partial", spec.partial
    return spec, Decimal(100 if spec == "full" else 0)


def canonical_content(spec: StandardSpec) -> dict[str, Any]:
    """The merged standard as plain JSON-able data: what is hashed and stored by hash."""
    return spec.model_dump(mode="json", by_alias=True, exclude_none=True)
