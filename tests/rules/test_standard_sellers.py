"""The three seller standards: what each overrides, and that the rest of its base still holds.

Each table runs against the seller's merged standard. Where a seller overrides its base, a
``contrast`` test shows the same facts judged differently by the base.
"""

from __future__ import annotations

import pytest

from tests.rules.cases import ALL_PHOTOS, Case, check, defect, standard
from tests.rules.test_standard_electronics import SERIAL
from tests.rules.test_standard_electronics import unit as voltiq_unit
from tests.rules.test_standard_footwear import pair
from tests.rules.test_standard_knitwear import JUMPER_M_NO_TOLERANCE, TO_SPEC, knit

# --- NORDKNIT -------------------------------------------------------------------------------

NORDKNIT = [
    Case("pilling_4_is_a_second", knit(pilling_grade="4"), "C", "restock_as_graded",
         ("partial", 80), "customer", reasons=("PILLING_MODERATE",),
         not_reasons=("MINOR_THREAD_OR_PILLING",)),
    Case("pilling_3_needs_de_pilling", knit(pilling_grade="3"), "D", "refurbish",
         ("partial", 50), "customer", reasons=("PILLING_SEVERE",)),
    Case("pilling_5", knit(), "A", "restock", ("full", 100), "customer"),
    Case("loose_thread_stays_in_tier_1", knit("defect", defects=(defect("LOOSE_THREAD", "A"),)),
         "B", "restock_as_graded", ("partial", 90), "manufacturing", reasons=("MINOR_THREAD",)),
    Case("gb_day_20_in_time", knit(country="GB", days_ago=20), "A", "restock", ("full", 100),
         "customer"),
    Case("gb_day_31_late", knit(country="GB", days_ago=31), "A", "restock", ("none", 0),
         "customer", reasons=("LATE_RETURN",), warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("de_day_20_late", knit(country="DE", days_ago=20), "A", "restock", ("none", 0),
         "customer", warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("size_exchange", knit("size", measured=TO_SPEC), "A", "restock", ("full", 100),
         "customer", reasons=("SIZE_EXCHANGE",)),
    Case("off_spec", knit("size", sku=JUMPER_M_NO_TOLERANCE,
         measured={**TO_SPEC, "body_length": 71}), "C", "return_to_seller", ("full", 100),
         "manufacturing", reasons=("SIZE_OFF_SPEC",)),
    Case("hole_at_seam", knit("defect", defects=(defect("HOLE_AT_SEAM", "B"),)), "D", "repair",
         ("full", 100), "manufacturing"),
    Case("odour_type_asked", knit(odour=True), "C", "restock_as_graded", ("partial", 80),
         "customer", missing=("odour_type",), visible=("odour_type",)),
    Case("wrong_item", knit(item_matches=False), "X", "quarantine", ("none", 0), "customer"),
    Case("blind", knit(blind=True, drop=("item_matches",)), "A", "quarantine", ("none", 0),
         "customer", warnings=("BLIND_RETURN",), hidden=("item_matches",)),
]  # fmt: skip

# --- VOLTIQ ---------------------------------------------------------------------------------

VOLTIQ = [
    Case("sealed", voltiq_unit(sealed=True), "A", "restock", ("full", 100), "customer"),
    Case("opened_unused_restocks_as_new", voltiq_unit(), "A", "restock", ("full", 100),
         "customer", reasons=("UNUSED_RESTOCK_AS_NEW",)),
    Case("opened_and_tried", voltiq_unit(usage="light"), "B", "restock_as_graded",
         ("full", 100), "customer", reasons=("OPENED_AND_TRIED",)),
    Case("unused_but_scratched", voltiq_unit(defects=(defect("SCRATCH_S", "C"),)), "B",
         "restock_as_graded", ("full", 100), "customer", reasons=("MINOR_COSMETIC",)),
    Case("unused_but_cable_missing", voltiq_unit(accessories_complete=False,
         missing_accessories=["cable"]), "C", "restock_as_graded", ("partial", 80), "customer"),
    Case("serial_mismatch_quarantines", voltiq_unit(serial_number="ABP0000000001"), "A",
         "quarantine", ("full", 100), "customer", warnings=("SERIAL_MISMATCH",)),
    Case("serial_not_on_the_rma_sealed", voltiq_unit(sealed=True, serial_number="XYZ"), "A",
         "quarantine", ("full", 100), "customer", warnings=("SERIAL_MISMATCH",)),
    Case("dead_goes_to_refurbishment", voltiq_unit("defect", powers_on=False), "D", "refurbish",
         ("full", 100), "manufacturing", reasons=("DOES_NOT_POWER_ON",)),
    Case("dead_pixels_refurbished", voltiq_unit("defect", defects=(defect("DEAD_PIXEL", "A"),)),
         "D", "refurbish", ("full", 100), "manufacturing"),
    Case("critical_fault_recycled", voltiq_unit("defect",
         defects=(defect("LOOSE_PART", None, "critical"),)), "X", "dispose", ("full", 100),
         "manufacturing"),
    Case("swollen_battery", voltiq_unit("defect", battery_hazard=True), "X", "dispose",
         ("full", 100), "manufacturing"),
    Case("customer_damage_unchanged", voltiq_unit(defects=(defect("SCRATCH_L", "A"),)), "D",
         "refurbish", ("partial", 50), "customer"),
    Case("sealed_but_light", voltiq_unit(sealed=True, weight=80.0), "X", "quarantine",
         ("none", 0), "customer", warnings=("WEIGHT_OUT_OF_TOLERANCE",)),
    Case("blind", voltiq_unit(blind=True, drop=("item_matches",), serials=()), "A", "quarantine",
         ("none", 0), "customer", warnings=("BLIND_RETURN",)),
    Case("late_es", voltiq_unit(country="ES", days_ago=15), "A", "restock", ("none", 0),
         "customer", warnings=("OUTSIDE_RETURN_WINDOW",)),
]  # fmt: skip

# --- TRITTFEST ------------------------------------------------------------------------------

TRITTFEST = [
    Case("pristine", pair(), "A", "restock", ("full", 100), "customer"),
    Case("box_damaged_caps_at_b", pair(shoe_box="damaged"), "B", "restock_as_graded",
         ("full", 100), "customer", reasons=("SHOE_BOX_DAMAGED",), visible=("packaging_photo",)),
    Case("box_damaged_size_return", pair("size", shoe_box="damaged"), "B", "restock_as_graded",
         ("full", 100), "customer", not_reasons=("SIZE_EXCHANGE",)),
    Case("box_damaged_and_worn", pair(shoe_box="damaged", worn_outdoors=True), "C",
         "restock_as_graded", ("partial", 70), "customer"),
    Case("box_missing_is_a_second", pair(shoe_box="missing"), "C", "restock_as_graded",
         ("partial", 70), "customer", reasons=("SHOE_BOX_MISSING",)),
    Case("box_photo_always", pair(photos=ALL_PHOTOS - {"packaging"}), "A", "restock",
         ("full", 100), "customer", missing=("photo:packaging",)),
    Case("size_exchange", pair("size"), "A", "restock", ("full", 100), "customer",
         reasons=("SIZE_EXCHANGE",)),
    Case("tried_on", pair(sole_wear="light"), "B", "restock_as_graded", ("full", 100),
         "customer"),
    Case("mixed_pair", pair(pair_matches=False), "X", "quarantine", ("none", 0), "customer"),
    Case("sole_separating", pair("defect", defects=(defect("SOLE_SEPARATION"),)), "D",
         "return_to_seller", ("full", 100), "manufacturing"),
    Case("late_de", pair(days_ago=15, sole_wear="light"), "B", "restock_as_graded", ("none", 0),
         "customer", warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("blind", pair(blind=True, drop=("item_matches", "size_matches_order")), "A",
         "quarantine", ("none", 0), "customer", warnings=("BLIND_RETURN",)),
]  # fmt: skip

TABLES = {"nordknit-knitwear": NORDKNIT, "voltiq-electronics": VOLTIQ,
          "trittfest-footwear": TRITTFEST}  # fmt: skip
ROWS = [(sid, case) for sid, cases in TABLES.items() for case in cases]


@pytest.mark.parametrize(("standard_id", "case"), ROWS, ids=[f"{s}-{c.id}" for s, c in ROWS])
def test_seller_tables(standard_id: str, case: Case) -> None:
    check(standard(standard_id), case)


def test_the_tables_are_long_enough() -> None:
    for cases in TABLES.values():
        assert len(cases) >= 10 and len({case.id for case in cases}) == len(cases)


def test_sellers_extend_their_base() -> None:
    bases = {"nordknit-knitwear": ("knitwear", "NORDKNIT"),
             "voltiq-electronics": ("consumer-electronics", "VOLTIQ"),
             "trittfest-footwear": ("footwear", "TRITTFEST")}  # fmt: skip
    for sid, (base_id, seller) in bases.items():
        std, base = standard(sid), standard(base_id)
        assert std.spec.extends == base_id and std.seller == seller
        assert std.category == base.category
        assert [i.code for i in std.checklist] == [i.code for i in base.checklist]
        assert std.content_hash != base.content_hash


@pytest.mark.parametrize(
    ("seller_id", "base_id", "fact"),
    [
        ("nordknit-knitwear", "knitwear", knit(pilling_grade="4")),
        ("nordknit-knitwear", "knitwear", knit(country="GB", days_ago=20)),
        ("voltiq-electronics", "consumer-electronics", voltiq_unit()),
        ("voltiq-electronics", "consumer-electronics", voltiq_unit(serial_number="NOT-ON-RMA")),
        ("voltiq-electronics", "consumer-electronics", voltiq_unit("defect", powers_on=False)),
        ("trittfest-footwear", "footwear", pair(shoe_box="damaged")),
        ("trittfest-footwear", "footwear", pair(shoe_box="missing")),
    ],
    ids=["nk-pilling", "nk-gb-window", "vq-unused", "vq-serial", "vq-dead", "tf-box", "tf-nobox"],
)
def test_each_override_changes_the_verdict(seller_id: str, base_id: str, fact) -> None:
    mine, theirs = standard(seller_id).evaluate(fact), standard(base_id).evaluate(fact)
    assert (mine.grade, mine.disposition, mine.refund) != (
        theirs.grade,
        theirs.disposition,
        theirs.refund,
    )


def test_voltiq_serial_matching_ignores_case() -> None:
    result = standard("voltiq-electronics").evaluate(voltiq_unit(serial_number=SERIAL.lower()))
    assert "SERIAL_MISMATCH" not in result.warnings and result.disposition == "restock"
