"""footwear.yaml: the base footwear standard, as a table.

Units are demo SKUs: a pair of trail runners in EU 42 weighing 840 g.
"""

from __future__ import annotations

import pytest

from tests.rules.cases import ALL_PHOTOS, Case, check, defect, ids, make_facts, standard

STANDARD_ID = "footwear"
BASE = {
    "item_matches": True,
    "parcel_condition": "intact",
    "shoe_box": "intact",
    "pair_matches": True,
    "size_matches_order": True,
    "sole_wear": "none",
    "worn_outdoors": False,
    "creasing": "none",
    "insole_marks": False,
    "odour": False,
}
TRAIL_42 = {"size_eu": 42, "size_us": 9, "colour": "Graphite", "insole_length_mm": 270}


def pair(reason: str | None = "changed_mind", **kw):
    answers = {k: kw.pop(k) for k in list(kw) if k in BASE}
    kw.setdefault("weight", 840.0)
    kw.setdefault("expected_weight", 840.0)
    return make_facts(BASE, reason=reason, answers=answers, sku_spec=TRAIL_42, **kw)


CASES = [
    Case("pristine", pair(), "A", "restock", ("full", 100), "customer",
         hidden=("damage_photo", "packaging_photo")),
    Case("size_exchange", pair("size"), "A", "restock", ("full", 100), "customer",
         reasons=("SIZE_EXCHANGE",)),
    Case("tried_on_indoors", pair("size", sole_wear="light"), "B", "restock_as_graded",
         ("full", 100), "customer", reasons=("TRIED_ON",), not_reasons=("SIZE_EXCHANGE",)),
    Case("light_creases", pair(creasing="light"), "B", "restock_as_graded", ("full", 100),
         "customer"),
    Case("worn_outdoors", pair(worn_outdoors=True, sole_wear="light"), "C", "restock_as_graded",
         ("partial", 70), "customer", reasons=("WORN_OUTDOORS",)),
    Case("visible_sole_wear", pair(sole_wear="visible"), "C", "restock_as_graded",
         ("partial", 70), "customer"),
    Case("deep_creases", pair(creasing="deep"), "C", "restock_as_graded", ("partial", 70),
         "customer", reasons=("DEEP_CREASING",)),
    Case("insole_marks", pair(insole_marks=True), "C", "restock_as_graded", ("partial", 70),
         "customer"),
    Case("odour", pair(odour=True), "C", "restock_as_graded", ("partial", 70), "customer"),
    Case("heavy_wear", pair(sole_wear="heavy", worn_outdoors=True), "D", "refurbish",
         ("partial", 50), "customer", reasons=("HEAVY_WEAR",)),
    # Pair and size: held for the supervisor (a swap, or a mis-pick at dispatch).
    Case("mixed_pair", pair("size", pair_matches=False), "X", "quarantine", ("none", 0),
         "customer", reasons=("PAIR_MISMATCH",)),
    Case("size_differs_from_order", pair("size", size_matches_order=False), "X", "quarantine",
         ("none", 0), "customer", reasons=("SIZE_DIFFERS_FROM_ORDER",)),
    # Defects.
    Case("sole_separating", pair("defect", defects=(defect("SOLE_SEPARATION"),)), "D",
         "return_to_seller", ("full", 100), "manufacturing", visible=("damage_photo",)),
    Case("sole_separating_on_worn_shoes", pair("defect", worn_outdoors=True,
         defects=(defect("SOLE_SEPARATION"),)), "D", "return_to_seller", ("full", 100),
         "manufacturing"),
    Case("glue_mark", pair(defects=(defect("GLUE_MARK", "A"),)), "B", "restock_as_graded",
         ("full", 100), "manufacturing", reasons=("MINOR_DEFECT", "DEFECT_GLUE_MARK")),
    Case("scuffed_and_worn", pair(worn_outdoors=True, defects=(defect("SCUFF", "A"),)), "C",
         "restock_as_graded", ("partial", 70), "customer"),
    Case("crushed_in_a_crushed_parcel", pair("damaged_in_transit", parcel_condition="crushed",
         shoe_box="damaged", defects=(defect("CRUSHED"),)), "D", "refurbish", ("full", 100),
         "carrier", visible=("packaging_photo", "damage_photo")),
    Case("crushed_in_an_intact_parcel", pair("damaged_in_transit", defects=(defect("CRUSHED"),)),
         "D", "refurbish", ("partial", 50), "customer"),
    Case("mould", pair(defects=(defect("MOULD", "C"),)), "X", "dispose", ("none", 0), "customer",
         reasons=("CRITICAL_DEFECT",)),
    # Boxes: in the base standard a damaged box costs nothing but a photo; a missing one is B.
    Case("box_damaged", pair(shoe_box="damaged"), "A", "restock", ("full", 100), "customer",
         visible=("packaging_photo",)),
    Case("box_damaged_no_photo", pair(shoe_box="damaged", photos=ALL_PHOTOS - {"packaging"}),
         "A", "restock", ("full", 100), "customer", missing=("photo:packaging",)),
    Case("box_missing", pair(shoe_box="missing"), "B", "restock_as_graded", ("full", 100),
         "customer", reasons=("SHOE_BOX_MISSING",)),
    Case("not_answered", pair(drop=("pair_matches", "sole_wear")), "A", "restock", ("full", 100),
         "customer", missing=("pair_matches", "sole_wear")),
    # Modifiers.
    Case("late_fr", pair(country="FR", days_ago=16, worn_outdoors=True), "C",
         "restock_as_graded", ("none", 0), "customer", reasons=("LATE_RETURN",),
         warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("au_day_25", pair(country="AU", days_ago=25), "A", "restock", ("full", 100), "customer"),
    Case("one_shoe_missing_by_weight", pair(weight=420.0), "A", "restock", ("full", 100),
         "customer", warnings=("WEIGHT_OUT_OF_TOLERANCE",)),
    Case("weight_within_8_percent", pair(weight=900.0), "A", "restock", ("full", 100),
         "customer"),
    Case("wrong_item", pair(item_matches=False), "X", "quarantine", ("none", 0), "customer"),
    Case("blind", pair(blind=True, drop=("item_matches", "size_matches_order")), "A",
         "quarantine", ("none", 0), "customer", warnings=("BLIND_RETURN",),
         hidden=("item_matches", "size_matches_order")),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_footwear_table(case: Case) -> None:
    check(standard(STANDARD_ID), case)


def test_the_table_is_long_enough() -> None:
    assert len(CASES) >= 10 and len({case.id for case in CASES}) == len(CASES)
