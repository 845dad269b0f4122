"""The built-in standard as a table: facts in, verdict out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspection_rules import Facts, GeneralMerchandiseStandard

STANDARD = GeneralMerchandiseStandard()
BASE = {"item_matches": True, "packaging": "sealed", "condition": "new", "complete": True}
TODAY = date(2026, 11, 22)


def facts(stated_reason: str = "changed_mind", photos: frozenset[str] = frozenset(), **changes):
    weight = changes.pop("weight", 400.0)
    extra = {key: changes.pop(key) for key in ("delivered_on", "is_blind") if key in changes}
    return Facts(
        answers={**BASE, **changes},
        photo_roles=photos,
        weight_g=weight,
        weight_stable=True,
        expected_weight_g=400.0,
        stated_reason=stated_reason,
        delivered_on=extra.get("delivered_on", date(2026, 11, 15)),
        return_window_days=14,
        inspected_on=TODAY,
        is_blind=extra.get("is_blind", False),
    )


DEFECT = frozenset({"defect_closeup"})

CASES = [
    # (facts, grade, disposition, refund kind, percent, responsibility)
    (facts(), "A", "restock", "full", 100, "customer"),
    (facts(packaging="opened"), "B", "restock_as_graded", "full", 100, "customer"),
    (facts(condition="like_new"), "B", "restock_as_graded", "full", 100, "customer"),
    (facts(condition="used"), "C", "restock_as_graded", "partial", 80, "customer"),
    (facts(condition="used", complete=False), "D", "refurbish", "partial", 30, "customer"),
    (facts(condition="damaged", photos=DEFECT), "D", "refurbish", "partial", 50, "customer"),
    (
        facts("defect", condition="damaged", photos=DEFECT),
        "D",
        "repair",
        "full",
        100,
        "manufacturing",
    ),
    (
        facts("damaged_in_transit", condition="damaged", photos=DEFECT),
        "D",
        "refurbish",
        "full",
        100,
        "carrier",
    ),
    (facts(condition="unusable", photos=DEFECT), "X", "dispose", "none", 0, "customer"),
    (
        facts("defect", condition="unusable", photos=DEFECT),
        "X",
        "return_to_seller",
        "full",
        100,
        "manufacturing",
    ),
    (facts(item_matches=False), "X", "quarantine", "none", 0, "customer"),
    (facts(complete=False), "B", "restock_as_graded", "partial", 80, "customer"),
]


@pytest.mark.parametrize(("fact", "grade", "disposition", "kind", "percent", "who"), CASES)
def test_grading_table(fact, grade, disposition, kind, percent, who):
    result = STANDARD.evaluate(fact)
    assert result.missing == ()
    assert (
        result.grade,
        result.disposition,
        result.refund.kind,
        result.refund.percent,
        result.responsibility,
    ) == (grade, disposition, kind, Decimal(percent), who)
    assert result.trace, "every verdict explains itself"


def test_late_return_loses_the_customer_refund_but_not_a_defect_refund():
    late = facts(delivered_on=date(2026, 10, 1))
    result = STANDARD.evaluate(late)
    assert "OUTSIDE_RETURN_WINDOW" in result.warnings and result.refund.kind == "none"
    assert "LATE_RETURN" in result.reason_codes
    defect = STANDARD.evaluate(
        facts("defect", condition="damaged", photos=DEFECT, delivered_on=date(2026, 10, 1))
    )
    assert "OUTSIDE_RETURN_WINDOW" in defect.warnings and defect.refund.kind == "full"
    on_time = STANDARD.evaluate(facts(delivered_on=date(2026, 11, 8)))  # day 14: still in time
    assert "OUTSIDE_RETURN_WINDOW" not in on_time.warnings


def test_weight_out_of_tolerance_is_a_warning():
    assert "WEIGHT_OUT_OF_TOLERANCE" in STANDARD.evaluate(facts(weight=520.0)).warnings
    assert "WEIGHT_OUT_OF_TOLERANCE" not in STANDARD.evaluate(facts(weight=445.0)).warnings


def test_missing_facts_are_listed():
    result = STANDARD.evaluate(Facts(answers={"condition": "damaged"}))
    assert result.grade is None and not result.complete
    assert [m.code for m in result.missing] == [
        "item_matches",
        "packaging",
        "complete",
        "photo:defect_closeup",
        "weight",
    ]
    unstable = Facts(answers=BASE, weight_g=400, weight_stable=False)
    assert [m.message for m in STANDARD.evaluate(unstable).missing] == ["Stable weight reading"]


def test_blind_returns_need_no_match_answer_and_are_quarantined():
    blind = Facts(
        answers={k: v for k, v in BASE.items() if k != "item_matches"},
        weight_g=100,
        weight_stable=True,
        is_blind=True,
    )
    result = STANDARD.evaluate(blind)
    assert result.complete and result.disposition == "quarantine"
    assert result.refund.kind == "none" and "BLIND_RETURN" in result.warnings


def test_content_hash_is_stable_and_sensitive():
    from inspection_rules import general_merchandise as gm

    first = STANDARD.content_hash
    assert first == GeneralMerchandiseStandard().content_hash and len(first) == 64
    original = gm.DEFINITION["rules"]["weight_tolerance"]["grams"]
    try:
        gm.DEFINITION["rules"]["weight_tolerance"]["grams"] = original + 1
        assert GeneralMerchandiseStandard().content_hash != first
    finally:
        gm.DEFINITION["rules"]["weight_tolerance"]["grams"] = original
