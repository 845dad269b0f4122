"""Barcode forms and the human-readable number they carry, built from published numbers.

The data set publishes FedEx 12- and 15-digit numbers and FedEx barcodes, but no barcode with
the number of the same parcel. So the barcodes here are built from published numbers by each
format's definition (fedex.json: the 34-digit serial is 13 digits before the check digit; the
ASTRA 32-digit barcode holds the 12-digit Express number at positions 17-28; the 96 22-digit
barcode is 96 + SCNC + service + the 14-digit serial + check), and both check digits are
verified with small algorithms written here, not with the code under test. USPS 420 + ZIP and
DPD pairs are published as such.
"""

from __future__ import annotations

import pytest

from devices.tracking import FEDEX, USPS, identify_tracking
from tests.devices.test_tracking import CHECKED_FORMATS, PUBLISHED_VALID, compact

# Used by tests/core/test_commands.py: every published number, checked or not.
CHECKED_VALID = [row for row in PUBLISHED_VALID if row[2] in CHECKED_FORMATS]
UNCHECKED = [row for row in PUBLISHED_VALID if row[2] not in CHECKED_FORMATS]

FEDEX_12 = list(dict.fromkeys(compact(n) for n, _c, f in PUBLISHED_VALID if f == "fedex_12"))
FEDEX_GROUND_15 = list(
    dict.fromkeys(compact(n) for n, _c, f in PUBLISHED_VALID if f == "fedex_ground")
)

# Leading fields of published barcodes (fedex.json), reused around another published number.
FEDEX_34_HEAD = "10019213342500010003"  # [0-8] + 14 digits + destination ZIP, 20 digits
FEDEX_GSN_HEAD = "96220015600012345671"  # 96 + SCNC + 5 + GSN(10) + 1, 20 digits
ASTRA_HEAD, ASTRA_TAIL = "3297151456010244", "2014"  # positions 1-16 and 29-32
FEDEX_96_HEAD = "9611020"  # 96 + SCNC 11 + service 020


def fedex_mod11(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def gs1_mod10(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str(-total % 10)


def fedex_34_from_12(number: str, head: str) -> str:
    serial = "00" + number[:11]
    barcode = head + serial + number[11]
    # Both checks, each by its own format's algorithm: 34-digit over the 13-digit serial
    # (weights 1,7,3...), 12-digit over its 11 digits (weights 3,1,7...).
    assert fedex_mod11(serial, (1, 7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)) == barcode[-1]
    assert fedex_mod11(number[:11], (3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)) == number[-1]
    assert len(barcode) == 34
    return barcode


def astra_from_12(number: str) -> str:
    barcode = ASTRA_HEAD + number + ASTRA_TAIL
    assert barcode[16:28] == number and len(barcode) == 32
    assert fedex_mod11(number[:11], (3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)) == number[-1]
    return barcode


def fedex_96_from_15(number: str) -> str:
    barcode = FEDEX_96_HEAD + number
    # The 22-digit check (mod 10, weight 3 on the rightmost serial digit) over its serial
    # is the 15-digit number's own check: the same digits, the same algorithm.
    assert gs1_mod10(barcode[7:21]) == barcode[21] == number[14]
    return barcode


def test_the_published_numbers_are_there() -> None:
    assert len(FEDEX_12) >= 5 and len(FEDEX_GROUND_15) >= 3


@pytest.mark.parametrize("number", FEDEX_12)
@pytest.mark.parametrize(
    ("build", "fmt"),
    [
        (lambda n: fedex_34_from_12(n, FEDEX_34_HEAD), "fedex_34"),
        (lambda n: fedex_34_from_12(n, FEDEX_GSN_HEAD), "fedex_ground_gsn"),
        (astra_from_12, "fedex_astra_32"),
    ],
    ids=["34", "gsn34", "astra32"],
)
def test_fedex_barcodes_carry_the_12_digit_number(number: str, build, fmt: str) -> None:
    barcode = build(number)
    result = identify_tracking(barcode)
    assert result is not None
    assert (result.carrier, result.format, result.valid) == (FEDEX, fmt, True)
    assert result.normalized == barcode  # what is stored and shown stays the scan
    assert {barcode, number} <= result.lookup_keys


@pytest.mark.parametrize("number", FEDEX_GROUND_15)
def test_fedex_96_barcode_carries_the_15_digit_ground_number(number: str) -> None:
    barcode = fedex_96_from_15(number)
    result = identify_tracking(barcode)
    assert result is not None and (result.format, result.valid) == ("fedex_ground_96", True)
    assert {barcode, number} <= result.lookup_keys


def test_a_wrong_barcode_offers_no_other_number() -> None:
    barcode = fedex_34_from_12(FEDEX_12[0], FEDEX_34_HEAD)
    broken = barcode[:-1] + str((int(barcode[-1]) + 1) % 10)
    result = identify_tracking(broken)
    assert result is not None and not result.valid
    assert result.lookup_keys == {broken}


@pytest.mark.parametrize(
    ("label", "impb"),
    [  # published in usps.json, each pair in the same list
        ("420787459400111206206406260787", "9400111206206406260787"),
        ("420 11213 92 6129098349792366623 8", "9261290983497923666238"),
    ],
)
def test_usps_420_zip_label_carries_the_impb(label: str, impb: str) -> None:
    result = identify_tracking(label)
    assert result is not None and (result.carrier, result.valid) == (USPS, True)
    assert result.normalized == impb
    assert {compact(label), impb} <= result.lookup_keys


def test_usps_legacy_with_and_without_its_application_identifier() -> None:
    # usps.json: AI 91 is printed only on the UCC/EAN-128 form; the number is the same.
    with_ai = identify_tracking("9101 1234 5678 9000 0000 13")
    assert with_ai is not None and "01123456789000000013" in with_ai.lookup_keys
    without = identify_tracking("7196 9010 7560 0307 7385")
    assert without is not None and "9171969010756003077385" in without.lookup_keys


def test_sscc_with_and_without_ai_00() -> None:
    result = identify_tracking("00 0123 4500 0000 0027")  # fedex.json, FedEx Ground SSCC-18
    assert result is not None and result.valid
    assert {"000123450000000027", "00000123450000000027"} <= result.lookup_keys


def test_dpd_barcode_is_stored_as_its_parcel_number() -> None:
    # dpd.json publishes the 28-character barcode and the 14 + 1 parcel number it carries.
    result = identify_tracking("00 81827 0998 0000 0200 33 350 276 C")
    assert result is not None and result.valid
    assert result.normalized == compact("09 9800 0002 0033 F")
