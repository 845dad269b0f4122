"""Facts and evaluations as JSON: for ``station rules explain`` and for hypothetical cases.

A supervisor or a seller can write a case as a small JSON file and see what the standard
decides and why, without a parcel on the bench.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inspection_rules.model import DefectFact, Evaluation, Facts


class FactsError(ValueError):
    pass


class _Defect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    zone: str | None = None
    severity: str | None = None


class _FactsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = Field(default_factory=dict)
    measurements: dict[str, float | tuple[float, str]] = Field(default_factory=dict)
    defects: list[_Defect] = Field(default_factory=list)
    photos: list[str] = Field(default_factory=list)
    weight_g: float | None = None
    weight_stable: bool = True
    expected_weight_g: float | None = None
    stated_reason: str | None = None
    delivered_on: date | None = None
    inspected_on: date | None = None
    return_window_days: int | None = None
    customer_country: str | None = None
    sku_spec: dict[str, Any] = Field(default_factory=dict)
    expected_serials: list[str] = Field(default_factory=list)
    blind: bool = False
    item_identified: bool = False


def facts_from_json(data: Any, *, today: date) -> Facts:
    try:
        parsed = _FactsInput.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'facts'}: {error['msg']}"
            for error in exc.errors()
        )
        raise FactsError(problems) from None
    return Facts(
        answers=parsed.answers,
        measurements={
            code: value if isinstance(value, tuple) else (float(value), "")
            for code, value in parsed.measurements.items()
        },
        defects=tuple(DefectFact(d.code, d.zone, d.severity or "") for d in parsed.defects),
        photo_roles=frozenset(parsed.photos),
        weight_g=parsed.weight_g,
        weight_stable=parsed.weight_stable,
        expected_weight_g=parsed.expected_weight_g,
        stated_reason=parsed.stated_reason,
        delivered_on=parsed.delivered_on,
        return_window_days=parsed.return_window_days,
        inspected_on=parsed.inspected_on or today,
        is_blind=parsed.blind,
        item_identified=parsed.item_identified,
        sku_spec=parsed.sku_spec,
        customer_country=parsed.customer_country,
        expected_serials=tuple(parsed.expected_serials),
    )


def facts_to_json(facts: Facts) -> dict[str, Any]:
    return {
        "answers": dict(facts.answers),
        "measurements": {code: list(value) for code, value in facts.measurements.items()},
        "defects": [
            {"code": d.code, "zone": d.zone, "severity": d.severity} for d in facts.defects
        ],
        "photos": sorted(facts.photo_roles),
        "weight_g": facts.weight_g,
        "weight_stable": facts.weight_stable,
        "expected_weight_g": facts.expected_weight_g,
        "stated_reason": facts.stated_reason,
        "delivered_on": facts.delivered_on.isoformat() if facts.delivered_on else None,
        "inspected_on": facts.inspected_on.isoformat() if facts.inspected_on else None,
        "return_window_days": facts.return_window_days,
        "customer_country": facts.customer_country,
        "sku_spec": dict(facts.sku_spec),
        "expected_serials": list(facts.expected_serials),
        "blind": facts.is_blind,
        "item_identified": facts.item_identified,
    }


def evaluation_to_json(evaluation: Evaluation) -> dict[str, Any]:
    refund = evaluation.refund
    return {
        "grade": evaluation.grade,
        "disposition": evaluation.disposition.value if evaluation.disposition else None,
        "upstream_disposition": evaluation.upstream_disposition,
        "refund": {"kind": refund.kind.value, "percent": str(refund.percent)} if refund else None,
        "responsibility": evaluation.responsibility.value if evaluation.responsibility else None,
        "reason_codes": list(evaluation.reason_codes),
        "warnings": list(evaluation.warnings),
        "trace": [{"rule": step.rule, "detail": step.detail} for step in evaluation.trace],
        "missing": [{"code": m.code, "message": m.message} for m in evaluation.missing],
        "complete": evaluation.complete,
        "measurements": [
            {
                "code": m.code,
                "value": m.value,
                "unit": m.unit,
                "expected": m.expected,
                "allowed_deviation": m.allowed_deviation,
                "passed": m.passed,
            }
            for m in evaluation.measurements
        ],
    }


def explain_text(evaluation: Evaluation) -> str:
    """The same explanation as readable lines, for a supervisor at a terminal."""
    lines = []
    if evaluation.grade is not None and evaluation.refund and evaluation.disposition:
        lines.append(
            f"grade {evaluation.grade} -> {evaluation.disposition.value} "
            f"({evaluation.upstream_disposition}), refund {evaluation.refund.kind.value} "
            f"{evaluation.refund.percent}%, responsibility "
            f"{evaluation.responsibility.value if evaluation.responsibility else '-'}"
        )
    lines.append("why:")
    lines.extend(
        f"  {n}. [{step.rule}] {step.detail}" for n, step in enumerate(evaluation.trace, 1)
    )
    if evaluation.warnings:
        lines.append("warnings: " + ", ".join(evaluation.warnings))
    if evaluation.reason_codes:
        lines.append("reasons: " + ", ".join(evaluation.reason_codes))
    if evaluation.missing:
        lines.append("still missing: " + "; ".join(m.message for m in evaluation.missing))
    return "\n".join(lines)
