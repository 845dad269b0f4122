"""electronics.yaml: the base consumer-electronics standard, as a table.

Units are demo SKUs: AirBeat Pro earbuds, boxed 118 g, serials ``ABP...``.
"""

from __future__ import annotations

import pytest

from tests.rules.cases import ALL_PHOTOS, Case, check, defect, ids, make_facts, standard

STANDARD_ID = "consumer-electronics"
SERIAL = "ABP2611040127"
FUNCTIONS = ("charging", "buttons", "display", "audio", "connectivity")
SEALED = {
    "item_matches": True,
    "parcel_condition": "intact",
    "factory_seal": True,
    "retail_box": "good",
    "battery_hazard": False,
    "serial_number": SERIAL,
}
OPENED = {
    **SEALED,
    "factory_seal": False,
    "usage": "unused",
    "powers_on": True,
    "charging": "pass",
    "buttons": "pass",
    "display": "na",
    "audio": "pass",
    "connectivity": "pass",
    "accessories_complete": True,
}
EARBUDS = {"has_serial": True, "model": "AB-PRO-BLK"}


def unit(reason: str | None = "changed_mind", *, sealed: bool = False, **kw):
    answers = {k: kw.pop(k) for k in list(kw) if k in OPENED or k == "missing_accessories"}
    kw.setdefault("weight", 118.0)
    kw.setdefault("expected_weight", 118.0)
    kw.setdefault("serials", (SERIAL,))
    base = SEALED if sealed else OPENED
    return make_facts(base, reason=reason, answers=answers, sku_spec=EARBUDS, **kw)


CASES = [
    # Sealed boxes are weighed, not opened.
    Case("sealed", unit(sealed=True), "A", "restock", ("full", 100), "customer",
         hidden=("usage", "powers_on", "charging", "accessories_complete")),
    Case("sealed_but_light", unit(sealed=True, weight=80.0), "X", "quarantine", ("none", 0),
         "customer", reasons=("SEALED_BOX_WEIGHT_MISMATCH",),
         warnings=("WEIGHT_OUT_OF_TOLERANCE",)),
    Case("opened_unused", unit(), "B", "restock_as_graded", ("full", 100), "customer",
         reasons=("OPENED",), visible=FUNCTIONS),
    Case("opened_used", unit(usage="used"), "C", "restock_as_graded", ("partial", 80),
         "customer", reasons=("USED",)),
    Case("no_fault_found", unit("defect", usage="light"), "B", "restock_as_graded",
         ("full", 100), "customer", reasons=("NO_FAULT_FOUND",)),
    # Functional checks, shown only when the unit powers on.
    Case("dead", unit("defect", powers_on=False), "D", "return_to_seller", ("full", 100),
         "manufacturing", reasons=("DOES_NOT_POWER_ON",), hidden=FUNCTIONS),
    Case("does_not_charge", unit("defect", charging="fail"), "D", "return_to_seller",
         ("full", 100), "manufacturing", reasons=("FUNCTION_FAILED",)),
    Case("functions_not_checked", unit(drop=FUNCTIONS), "B", "restock_as_graded", ("full", 100),
         "customer", missing=FUNCTIONS),
    Case("dead_pixels", unit("defect", defects=(defect("DEAD_PIXEL", "A"),)), "D",
         "return_to_seller", ("full", 100), "manufacturing", visible=("damage_photo",)),
    # Scratches by length and zone.
    Case("scratch_5mm_zone_b_is_minor", unit(defects=(defect("SCRATCH_S", "B"),)), "B",
         "restock_as_graded", ("full", 100), "customer", reasons=("MINOR_COSMETIC",)),
    Case("scratch_5mm_on_the_screen", unit(defects=(defect("SCRATCH_S", "A"),)), "C",
         "restock_as_graded", ("partial", 80), "customer", reasons=("SCRATCH_MODERATE",)),
    Case("scratch_8mm_zone_c", unit(defects=(defect("SCRATCH_M", "C"),)), "B",
         "restock_as_graded", ("full", 100), "customer"),
    Case("scratch_8mm_zone_b", unit(defects=(defect("SCRATCH_M", "B"),)), "C",
         "restock_as_graded", ("partial", 80), "customer"),
    Case("scratch_over_10mm_zone_c", unit(defects=(defect("SCRATCH_L", "C"),)), "C",
         "restock_as_graded", ("partial", 80), "customer"),
    Case("scratch_over_10mm_on_the_screen_is_major", unit(defects=(defect("SCRATCH_L", "A"),)),
         "D", "refurbish", ("partial", 50), "customer", reasons=("SCRATCH_MAJOR",)),
    # Damage and who answers for it.
    Case("cracked_in_a_crushed_parcel", unit("damaged_in_transit", parcel_condition="crushed",
         defects=(defect("CRACK_SCREEN", "A"),)), "D", "refurbish", ("full", 100), "carrier",
         visible=("parcel_photo",)),
    Case("cracked_in_an_intact_parcel", unit("damaged_in_transit",
         defects=(defect("CRACK_SCREEN", "A"),)), "D", "refurbish", ("partial", 50), "customer"),
    Case("liquid_damage", unit("defect", powers_on=False, defects=(defect("LIQUID_DAMAGE"),)),
         "X", "dispose", ("none", 0), "customer", reasons=("CRITICAL_DEFECT",)),
    Case("swollen_battery", unit("defect", battery_hazard=True), "X", "dispose", ("full", 100),
         "manufacturing", reasons=("BATTERY_HAZARD",)),
    # Accessories: the missing list only when something is missing.
    Case("cable_missing", unit(accessories_complete=False, missing_accessories=["cable"]), "C",
         "restock_as_graded", ("partial", 80), "customer", reasons=("ACCESSORIES_MISSING",),
         visible=("missing_accessories",)),
    Case("charging_case_missing", unit(accessories_complete=False,
         missing_accessories=["charging_case", "ear_tips"]), "D", "refurbish", ("partial", 50),
         "customer", reasons=("MAIN_PART_MISSING",)),
    Case("complete_hides_the_missing_list", unit(), "B", "restock_as_graded", ("full", 100),
         "customer", hidden=("missing_accessories",)),
    Case("retail_box_missing", unit(sealed=True, retail_box="missing"), "B",
         "restock_as_graded", ("full", 100), "customer", reasons=("RETAIL_BOX_MISSING",)),
    # Serial numbers: compared with the RMA's, case and spaces ignored; a mismatch warns.
    Case("serial_mismatch_warns", unit(serial_number="ABP0000000001"), "B", "restock_as_graded",
         ("full", 100), "customer", warnings=("SERIAL_MISMATCH",)),
    Case("serial_matches_loosely", unit(serial_number=f" {SERIAL.lower()} "), "B",
         "restock_as_graded", ("full", 100), "customer"),
    Case("serial_not_read", unit(drop=("serial_number",),
         photos=ALL_PHOTOS - {"serial_plate"}), "B", "restock_as_graded", ("full", 100),
         "customer", missing=("serial_number", "photo:serial_plate")),
    Case("used_without_closeup", unit(usage="used", photos=ALL_PHOTOS - {"defect_closeup"}), "C",
         "restock_as_graded", ("partial", 80), "customer", missing=("photo:defect_closeup",)),
    # Modifiers.
    Case("late_fr", unit(country="FR", days_ago=16), "B", "restock_as_graded", ("none", 0),
         "customer", reasons=("LATE_RETURN",), warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("late_us_defect_keeps_refund", unit("defect", country="US", days_ago=40,
         charging="fail"), "D", "return_to_seller", ("full", 100), "manufacturing",
         warnings=("OUTSIDE_RETURN_WINDOW",)),
    Case("opened_weight_off_only_warns", unit(weight=60.0), "B", "restock_as_graded",
         ("full", 100), "customer", warnings=("WEIGHT_OUT_OF_TOLERANCE",)),
    Case("wrong_item", unit(item_matches=False), "X", "quarantine", ("none", 0), "customer"),
    Case("blind", unit(blind=True, drop=("item_matches",), serials=()), "B", "quarantine",
         ("none", 0), "customer", warnings=("BLIND_RETURN",), hidden=("item_matches",)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_electronics_table(case: Case) -> None:
    check(standard(STANDARD_ID), case)


def test_the_table_is_long_enough() -> None:
    assert len(CASES) >= 10 and len({case.id for case in CASES}) == len(CASES)


def test_the_serial_item_is_a_text_item_with_a_photo() -> None:
    std = standard(STANDARD_ID)
    assert std.spec.serial is not None and std.spec.serial.item == "serial_number"
    item = std.item("serial_number")
    assert item is not None and item.type == "text" and item.required
    photo = std.item("serial_photo")
    assert photo is not None and photo.role == "serial_plate" and photo.when is None
