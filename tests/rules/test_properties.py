"""Properties of every shipped standard, on generated fact sets.

Totality: every complete fact set (every item answered from its own choices, every photo taken,
a stable weight) gets exactly one grade the standard defines, a disposition, a refund and a
responsibility, and nothing is reported missing.

Monotonicity: recording one more defect (any catalogue code, zone and severity) never gives a
better grade; grades are ordered best -> worst as the standard lists them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspection_rules.model import (
    DefectFact,
    Disposition,
    Facts,
    ItemType,
    RefundKind,
    Responsibility,
)
from inspection_rules.schema import SEVERITIES, ItemSpec, StandardSpec
from station.services.demo_catalog import _sku_definitions
from tests.rules import (
    test_standard_electronics,
    test_standard_footwear,
    test_standard_general,
    test_standard_knitwear,
)
from tests.rules.cases import TODAY, shipped, standard
from tests.rules.test_shipped_standards import IDS

# Each property runs in well under 2 s per standard.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

COUNTRIES = ("DE", "FR", "ES", "IT", "PL", "GB", "IE", "US", "CA", "AU", "JP", "CH", None)
REASONS = ("size", "changed_mind", "not_as_described", "colour", "defect", "damaged_in_transit",
           None)  # fmt: skip
SERIALS = ("ABP2611040127", "PCA2610220031", "K752609150212")
TEXTS = (*SERIALS, "abp2611040127 ", "UNREADABLE-1", "see photo")
# Clean units per category (the tables' baselines). Drawn facts start from one and change each
# answer with probability 1/4: uniformly random answers are nearly always C or worse, and would
# leave the better grades (where a defect can do harm) almost untested.
BASELINES: dict[str, tuple[dict[str, Any], ...]] = {
    "general": (test_standard_general.BASE,),
    "knitwear": (test_standard_knitwear.BASE,),
    "electronics": (test_standard_electronics.SEALED, test_standard_electronics.OPENED),
    "footwear": (test_standard_footwear.BASE,),
}
# Codes a general-merchandise bench may still record (its catalogue is empty).
LOOSE_CODES = ("PILLING", "SCRATCH", "STAIN", "HOLE")


def _sku_specs(category: str) -> list[dict[str, Any]]:
    demo = [spec for *_rest, spec in _sku_definitions(category)] if category in (
        "knitwear", "electronics", "footwear") else []  # fmt: skip
    # A SKU without a spec, and (for knitwear) specs without their own tolerance.
    extra: list[dict[str, Any]] = [{}]
    extra += [{k: v for k, v in spec.items() if k != "tolerance_pct"} for spec in demo[:3]]
    return demo + extra


def _answer(item: ItemSpec) -> st.SearchStrategy[Any]:
    codes = [choice.code for choice in item.choices]
    if item.type is ItemType.YES_NO:
        return st.booleans()
    if item.type is ItemType.SINGLE_CHOICE:
        return st.sampled_from(codes)
    if item.type is ItemType.MULTI_CHOICE:
        return st.lists(st.sampled_from(codes), unique=True)
    return st.sampled_from(TEXTS)  # text: never empty, so a complete answer


def _defects(spec: StandardSpec) -> st.SearchStrategy[DefectFact]:
    if not spec.defects:
        return st.builds(
            DefectFact,
            st.sampled_from(LOOSE_CODES),
            st.sampled_from(("A", "B", "C", None)),
            st.sampled_from(SEVERITIES),
        )
    return st.sampled_from(spec.defects).flatmap(
        lambda d: st.builds(
            DefectFact,
            st.just(d.code),
            st.sampled_from((*d.zones, None) if d.zones else (None,)),
            st.sampled_from(SEVERITIES),
        )
    )


def _photo_roles(spec: StandardSpec) -> frozenset[str]:
    roles = {item.role for item in spec.checklist if item.type is ItemType.PHOTO and item.role}
    roles |= set(spec.photos.always)
    roles |= {role for grade in spec.photos.by_grade.values() for role in grade}
    return frozenset(roles)


@st.composite
def complete_facts(draw: st.DrawFn, spec: StandardSpec) -> Facts:
    sku = draw(st.sampled_from(_sku_specs(spec.category)))
    baseline = draw(st.sampled_from(BASELINES[spec.category]))
    answers: dict[str, Any] = {}
    measurements: dict[str, tuple[float, str]] = {}
    for item in spec.checklist:
        if item.type is ItemType.PHOTO:
            continue
        if item.type is ItemType.MEASUREMENT:
            expected = (sku.get("measurements") or {}).get(item.spec_key)
            centre = float(expected) if isinstance(expected, int | float) else 50.0
            value = draw(st.just(centre) | st.floats(centre * 0.8, centre * 1.2, allow_nan=False))
            measurements[item.code] = (round(value, 1), item.unit or "")
            continue
        keep = item.code in baseline and draw(st.sampled_from((True, True, True, False)))
        answers[item.code] = baseline[item.code] if keep else draw(_answer(item))
    blind = draw(st.sampled_from((False, False, False, True)))  # one in four is blind
    expected_weight = draw(st.sampled_from((None, 85.0, 118.0, 460.0, 840.0, 1320.0)))
    centre = expected_weight or 500.0
    return Facts(
        answers=answers,
        measurements=measurements,
        defects=tuple(draw(st.lists(_defects(spec), max_size=4))),
        # A complete blind unit is identified and photographed whole.
        photo_roles=_photo_roles(spec) | ({"overview"} if blind else set()),
        weight_g=draw(st.floats(centre * 0.5, centre * 1.5, allow_nan=False)),
        weight_stable=True,
        expected_weight_g=expected_weight,
        stated_reason=None if blind else draw(st.sampled_from(REASONS)),
        delivered_on=None if blind else TODAY - timedelta(days=draw(st.integers(0, 60))),
        return_window_days=draw(st.sampled_from((None, 14, 30, 60))),
        inspected_on=TODAY,
        is_blind=blind,
        item_identified=blind,
        sku_spec=sku,
        customer_country=None if blind else draw(st.sampled_from(COUNTRIES)),
        expected_serials=draw(st.sampled_from(((), SERIALS[:1], SERIALS))),
    )


@pytest.mark.parametrize("standard_id", IDS)
@PROPERTY
@given(data=st.data())
def test_every_complete_fact_set_gets_exactly_one_verdict(standard_id: str, data) -> None:
    std = standard(standard_id)
    facts = data.draw(complete_facts(std.spec), label="facts")
    result = std.evaluate(facts)
    assert result.missing == (), [m.code for m in result.missing]
    assert result.complete
    assert result.grade in std.grades
    assert result.disposition in set(Disposition)
    assert result.responsibility in set(Responsibility)
    refund = result.refund
    assert refund is not None
    assert {
        RefundKind.FULL: refund.percent == 100,
        RefundKind.NONE: refund.percent == 0,
        RefundKind.PARTIAL: Decimal(0) < refund.percent < 100,
    }[refund.kind]
    if facts.is_blind:
        assert result.disposition is Disposition.QUARANTINE and refund.kind is RefundKind.NONE
    assert std.evaluate(facts) == result, "the same facts always give the same verdict"
    if facts.is_blind:  # the same unit unidentified, or without its overview: never complete
        unnamed = replace(facts, item_identified=False)
        assert "item" in {m.code for m in std.evaluate(unnamed).missing}
        unseen = replace(facts, photo_roles=facts.photo_roles - {"overview"})
        assert "photo:overview" in {m.code for m in std.evaluate(unseen).missing}


@pytest.mark.parametrize("standard_id", IDS)
@PROPERTY
@given(data=st.data())
def test_adding_a_defect_never_improves_the_grade(standard_id: str, data) -> None:
    std = standard(standard_id)
    facts = data.draw(complete_facts(std.spec), label="facts")
    extra = data.draw(_defects(std.spec), label="extra defect")
    at = data.draw(st.integers(0, len(facts.defects)), label="position")
    more = replace(facts, defects=(*facts.defects[:at], extra, *facts.defects[at:]))
    before, after = std.evaluate(facts).grade, std.evaluate(more).grade
    order = list(std.grades)
    assert before is not None and after is not None
    assert order.index(after) >= order.index(before), f"{before} -> {after} adding {extra}"


def test_every_shipped_standard_is_covered() -> None:
    assert set(IDS) == set(shipped())
