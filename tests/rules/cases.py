"""Shared pieces for the tables of the shipped standards: load them once, one row per case.

A ``Case`` states what a seller, a grader and a supervisor would check on a verdict: grade,
disposition, refund, responsibility, the reason codes and warnings, what is still missing, and
which conditional checklist items are shown or hidden. ``check`` asserts all of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from inspection_rules.loader import SHIPPED_DIR, load_standards
from inspection_rules.model import DefectFact, Evaluation, Facts
from inspection_rules.standard import CompiledStandard

TODAY = date(2026, 11, 22)
# Every photo role the shipped standards ask for: a case takes them all unless it says otherwise.
ALL_PHOTOS = frozenset({"front", "back", "label", "defect_closeup", "packaging", "serial_plate"})


@cache
def shipped() -> Mapping[str, CompiledStandard]:
    result = load_standards([SHIPPED_DIR])
    assert result.ok, "\n".join(str(problem) for problem in result.problems)
    return result.standards


def standard(standard_id: str) -> CompiledStandard:
    return shipped()[standard_id]


def defect(code: str, zone: str | None = None, severity: str | None = None) -> DefectFact:
    """A recorded defect; without a severity it takes the catalogue's (as the bench does)."""
    return DefectFact(code, zone, severity or "")


def make_facts(
    base_answers: Mapping[str, Any],
    *,
    reason: str | None = "changed_mind",
    defects: tuple[DefectFact, ...] = (),
    photos: frozenset[str] = ALL_PHOTOS,
    measured: Mapping[str, float] | None = None,
    weight: float | None = 500.0,
    expected_weight: float | None = 500.0,
    stable: bool = True,
    country: str | None = "DE",
    days_ago: int = 7,
    window: int | None = None,
    blind: bool = False,
    identified: bool = True,
    sku_spec: Mapping[str, Any] | None = None,
    serials: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
    answers: Mapping[str, Any] | None = None,
) -> Facts:
    """Facts for one unit: the standard's baseline answers, changed by ``answers``."""
    merged = {**base_answers, **(answers or {})}
    for code in drop:
        merged.pop(code, None)
    return Facts(
        answers=merged,
        measurements={code: (value, "cm") for code, value in (measured or {}).items()},
        defects=defects,
        # A blind return is photographed whole (the "overview" every standard asks of one).
        photo_roles=photos | {"overview"} if blind and identified else photos,
        weight_g=weight,
        weight_stable=stable,
        expected_weight_g=expected_weight,
        stated_reason=None if blind else reason,
        delivered_on=None if blind else TODAY - timedelta(days=days_ago),
        return_window_days=window,
        inspected_on=TODAY,
        is_blind=blind,
        item_identified=blind and identified,
        sku_spec=dict(sku_spec or {}),
        customer_country=None if blind else country,
        expected_serials=serials,
    )


@dataclass(frozen=True)
class Case:
    id: str
    facts: Facts
    grade: str
    disposition: str
    refund: tuple[str, int]  # ("full", 100), ("partial", 90), ("none", 0)
    responsibility: str
    reasons: tuple[str, ...] = ()  # must all be among the reason codes
    warnings: tuple[str, ...] = ()  # exactly these warnings, in this order
    missing: tuple[str, ...] = ()  # exactly these missing facts, in this order
    visible: tuple[str, ...] = ()  # checklist items that must be shown
    hidden: tuple[str, ...] = ()  # checklist items that must not be shown
    not_reasons: tuple[str, ...] = ()  # reason codes that must not appear


def check(std: CompiledStandard, case: Case) -> Evaluation:
    result = std.evaluate(case.facts)
    got = (
        result.grade,
        result.disposition,
        (result.refund.kind, result.refund.percent) if result.refund else None,
        result.responsibility,
    )
    want = (
        case.grade,
        case.disposition,
        (case.refund[0], Decimal(case.refund[1])),
        case.responsibility,
    )
    trace = "\n".join(f"  {step.rule}: {step.detail}" for step in result.trace)
    assert got == want, f"{case.id}: got {got}, want {want}\n{trace}"
    for code in case.reasons:
        assert code in result.reason_codes, f"{case.id}: {code} not in {result.reason_codes}"
    for code in case.not_reasons:
        assert code not in result.reason_codes, f"{case.id}: {code} in {result.reason_codes}"
    assert result.warnings == case.warnings, f"{case.id}: warnings {result.warnings}"
    assert tuple(m.code for m in result.missing) == case.missing, (
        f"{case.id}: missing {[m.code for m in result.missing]}"
    )
    assert result.complete == (not case.missing)
    for code in case.visible:
        assert code in result.visible_items, f"{case.id}: {code} should be shown"
    for code in case.hidden:
        assert code not in result.visible_items, f"{case.id}: {code} should be hidden"
    assert result.trace, "every verdict explains itself"
    return result


def ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]
