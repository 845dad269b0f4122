"""general.yaml: the fallback standard, as a table of facts in, verdict out.

Every case of the built-in Python standard's table (tests/rules/test_general_merchandise.py) is
here too, with the same grade, disposition, refund and responsibility. The one change: the YAML
standard asks for the close-up photo on every D and X (also a D from missing parts and a wrong
item), so those two ported rows take the photo and ``test_every_d_and_x_needs_the_close_up``
shows the requirement.
"""

from __future__ import annotations

from datetime import date

import pytest

from inspection_rules import Facts
from tests.rules.cases import TODAY, Case, check, ids, make_facts, standard

STANDARD_ID = "general-merchandise"
BASE = {"item_matches": True, "packaging": "sealed", "condition": "new", "complete": True}
DEFECT = frozenset({"defect_closeup"})


def facts(reason: str | None = "changed_mind", photos: frozenset[str] = frozenset(), **kw):
    """As in the old table: 400 g expected, no photos unless given, customer in Germany."""
    answers = {k: kw.pop(k) for k in list(kw) if k in BASE}
    kw.setdefault("weight", 400.0)
    kw.setdefault("expected_weight", 400.0)
    return make_facts(BASE, reason=reason, photos=photos, answers=answers, **kw)


PORTED = [
    Case("new_sealed", facts(), "A", "restock", ("full", 100), "customer"),
    Case("opened", facts(packaging="opened"), "B", "restock_as_graded", ("full", 100), "customer",
         reasons=("PACKAGING_OPENED",)),
    Case("like_new", facts(condition="like_new"), "B", "restock_as_graded", ("full", 100), "customer",
         reasons=("CONDITION_LIKE_NEW",)),
    Case("used", facts(condition="used"), "C", "restock_as_graded", ("partial", 80), "customer",
         reasons=("CONDITION_USED",)),
    Case("used_incomplete", facts(condition="used", complete=False, photos=DEFECT), "D", "refurbish",
         ("partial", 30), "customer", reasons=("MISSING_PARTS",)),
    Case("damaged", facts(condition="damaged", photos=DEFECT), "D", "refurbish", ("partial", 50),
         "customer", reasons=("CONDITION_DAMAGED",)),
    Case("damaged_defect", facts("defect", condition="damaged", photos=DEFECT), "D", "repair",
         ("full", 100), "manufacturing"),
    Case("damaged_in_transit", facts("damaged_in_transit", condition="damaged", photos=DEFECT), "D",
         "refurbish", ("full", 100), "carrier"),
    Case("unusable", facts(condition="unusable", photos=DEFECT), "X", "dispose", ("none", 0),
         "customer", reasons=("CONDITION_UNUSABLE",)),
    Case("unusable_defect", facts("defect", condition="unusable", photos=DEFECT), "X",
         "return_to_seller", ("full", 100), "manufacturing"),
    Case("wrong_item", facts(item_matches=False, photos=DEFECT), "X", "quarantine", ("none", 0),
         "customer", reasons=("WRONG_ITEM",)),
    Case("new_incomplete", facts(complete=False), "B", "restock_as_graded", ("partial", 80),
         "customer", reasons=("MISSING_PARTS",)),
]  # fmt: skip

MORE = [
    # Missing parts cut 20 points off whatever the matrix gives.
    Case("like_new_incomplete", facts(condition="like_new", complete=False), "C",
         "restock_as_graded", ("partial", 60), "customer", reasons=("MISSING_PARTS",)),
    Case("opened_incomplete", facts(packaging="opened", complete=False), "C", "restock_as_graded",
         ("partial", 60), "customer"),
    Case("damaged_incomplete_defect", facts("defect", condition="damaged", complete=False,
         photos=DEFECT), "D", "repair", ("partial", 80), "manufacturing", reasons=("MISSING_PARTS",)),
    Case("damaged_incomplete_transit", facts("damaged_in_transit", condition="damaged",
         complete=False, photos=DEFECT), "D", "refurbish", ("partial", 80), "carrier"),
    Case("unusable_incomplete_defect", facts("defect", condition="unusable", complete=False,
         photos=DEFECT), "X", "return_to_seller", ("partial", 80), "manufacturing"),
    Case("unusable_incomplete_transit", facts("damaged_in_transit", condition="unusable",
         complete=False, photos=DEFECT), "X", "dispose", ("partial", 80), "carrier"),
    Case("unusable_incomplete", facts(condition="unusable", complete=False, photos=DEFECT), "X",
         "dispose", ("none", 0), "customer"),
    # A stated defect only shifts responsibility when the unit is damaged.
    Case("defect_claimed_none_found", facts("defect"), "A", "restock", ("full", 100), "customer",
         reasons=("NO_FAULT_FOUND",)),
    Case("defect_claimed_like_new", facts("defect", condition="like_new"), "B",
         "restock_as_graded", ("full", 100), "customer", reasons=("NO_FAULT_FOUND",)),
    Case("used_defect_claimed", facts("defect", condition="used"), "C", "restock_as_graded",
         ("partial", 80), "customer"),
    # Missing facts and conditional items.
    Case("damaged_without_photo", facts(condition="damaged"), "D", "refurbish", ("partial", 50),
         "customer", missing=("photo:defect_closeup",), visible=("defect_photo",)),
    Case("new_hides_defect_photo", facts(), "A", "restock", ("full", 100), "customer",
         hidden=("defect_photo",), visible=("item_matches", "notes")),
    Case("unstable_weight", facts(stable=False), "A", "restock", ("full", 100), "customer",
         missing=("weight",)),
    # Return windows by country: 14 days in the EU and the UK, 30 elsewhere.
    Case("late_de", facts(days_ago=15), "A", "restock", ("none", 0), "customer",
         reasons=("LATE_RETURN",), warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("day_14_de", facts(days_ago=14), "A", "restock", ("full", 100), "customer"),
    Case("late_gb", facts(days_ago=20, country="GB"), "A", "restock", ("none", 0), "customer",
         warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("us_day_20", facts(days_ago=20, country="US"), "A", "restock", ("full", 100), "customer"),
    Case("late_us", facts(days_ago=31, country="US"), "A", "restock", ("none", 0), "customer",
         warnings=("OUTSIDE_RETURN_WINDOW",), reasons=("LATE_RETURN",)),
    Case("shop_promise_wins", facts(days_ago=25, window=30), "A", "restock", ("full", 100),
         "customer"),
    Case("late_defect_keeps_refund", facts("defect", condition="damaged", photos=DEFECT,
         days_ago=52), "D", "repair", ("full", 100), "manufacturing",
         warnings=("OUTSIDE_RETURN_WINDOW",), not_reasons=("LATE_RETURN",)),
    Case("late_and_already_no_refund", facts(condition="unusable", photos=DEFECT, days_ago=52),
         "X", "dispose", ("none", 0), "customer", warnings=("OUTSIDE_RETURN_WINDOW",),
         not_reasons=("LATE_RETURN",)),
    # Weight: max(50 g, 10 %) either way is a warning for the supervisor, not a hold.
    Case("weight_out", facts(weight=520.0), "A", "restock", ("full", 100), "customer",
         warnings=("WEIGHT_OUT_OF_TOLERANCE",)),
    Case("weight_in", facts(weight=445.0), "A", "restock", ("full", 100), "customer"),
    # Blind returns: no match question, quarantined without refund whatever the condition.
    Case("blind", facts(blind=True, drop=("item_matches",)), "A", "quarantine", ("none", 0),
         "customer", warnings=("BLIND_RETURN",), reasons=("BLIND_RETURN",),
         hidden=("item_matches",)),
    Case("blind_item_matches_ignored", facts(blind=True, item_matches=False), "A", "quarantine",
         ("none", 0), "customer", warnings=("BLIND_RETURN",), not_reasons=("WRONG_ITEM",)),
    # Nothing but the bench says what a blind unit is: identified and photographed whole first.
    Case("blind_unidentified", facts(blind=True, identified=False, drop=("item_matches",)),
         "A", "quarantine", ("none", 0), "customer", warnings=("BLIND_RETURN",),
         missing=("item", "photo:overview")),
]  # fmt: skip

CASES = PORTED + MORE


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_general_table(case: Case) -> None:
    check(standard(STANDARD_ID), case)


def test_the_table_is_long_enough() -> None:
    assert len(CASES) >= 10 and len({case.id for case in CASES}) == len(CASES)


def test_every_d_and_x_needs_the_close_up() -> None:
    std = standard(STANDARD_ID)
    for fact in (facts(condition="used", complete=False), facts(item_matches=False)):
        result = std.evaluate(fact)
        assert result.grade in ("D", "X")
        assert [m.code for m in result.missing] == ["photo:defect_closeup"]


def test_missing_facts_are_listed_in_checklist_order() -> None:
    result = standard(STANDARD_ID).evaluate(Facts(answers={"condition": "damaged"}))
    assert not result.complete
    assert [m.code for m in result.missing] == [
        "item_matches",
        "packaging",
        "complete",
        "photo:defect_closeup",
        "weight",
    ]
    unstable = Facts(answers=BASE, weight_g=400, weight_stable=False)
    assert [m.message for m in standard(STANDARD_ID).evaluate(unstable).missing] == [
        "Stable weight reading"
    ]


def test_the_old_late_return_dates_still_hold() -> None:
    std = standard(STANDARD_ID)
    late = std.evaluate(facts(days_ago=(TODAY - date(2026, 10, 1)).days))
    assert "OUTSIDE_RETURN_WINDOW" in late.warnings and late.refund is not None
    assert late.refund.kind == "none" and "LATE_RETURN" in late.reason_codes
    on_time = std.evaluate(facts(days_ago=(TODAY - date(2026, 11, 8)).days))  # day 14: in time
    assert "OUTSIDE_RETURN_WINDOW" not in on_time.warnings


def test_the_checklist_keeps_the_codes_the_station_uses() -> None:
    std = standard(STANDARD_ID)
    assert [item.code for item in std.checklist] == [
        "item_matches",
        "packaging",
        "condition",
        "complete",
        "defect_photo",
        "notes",
    ]
    choices = {item.code: [c.code for c in item.choices] for item in std.checklist}
    assert choices["packaging"] == ["sealed", "opened", "damaged", "missing"]
    assert choices["condition"] == ["new", "like_new", "used", "damaged", "unusable"]
    assert list(std.grades) == ["A", "B", "C", "D", "X"]
    assert std.item("defect_photo") is not None and std.item("notes") is not None
    notes = std.item("notes")
    assert notes is not None and not notes.required
