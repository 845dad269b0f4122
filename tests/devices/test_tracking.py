"""Tracking-number recognition against published numbers, corruptions and generated samples."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from devices.gs1 import gs1_check_digit, is_valid_gtin
from devices.tracking import (
    DHL,
    FEDEX,
    GS,
    S10,
    UPS,
    USPS,
    TrackingNumber,
    dhl_express_check_digit,
    fedex_express_check_digit,
    identify_tracking,
    make_dhl_express,
    make_fedex_express,
    make_s10,
    make_ups,
    make_usps_impb,
    s10_check_digit,
)

# Valid and invalid test numbers from github.com/jkeen/tracking_number_data, couriers/ups.json,
# usps.json, fedex.json ("FedEx Express (12)"), dhl.json ("DHL Express") and s10.json, plus
# the UPS example 1Z999AA10123456784 from UPS developer documentation.
PUBLISHED_VALID: list[tuple[str, str]] = [
    ("1Z999AA10123456784", UPS),
    ("1Z5R89390357567127", UPS),
    ("1Z879E930346834440", UPS),
    ("1Z410E7W0392751591", UPS),
    ("1Z8V92A70367203024", UPS),
    ("9505511069605048600624", USPS),
    ("9101123456789000000013", USPS),
    ("9400111201080805483016", USPS),
    ("9361289878700317633795", USPS),
    ("9405803699300124287899", USPS),
    ("92748931507708513018050063", USPS),
    ("986578788855", FEDEX),
    ("477179081230", FEDEX),
    ("799531274483", FEDEX),
    ("790535312317", FEDEX),
    ("974367662710", FEDEX),
    ("3318810025", DHL),
    ("8487135506", DHL),
    ("1099255990", DHL),
    ("3821724944", DHL),
    ("3318810036", DHL),
    ("3318810014", DHL),
    ("RB123456785GB", S10),
    ("RB123456785US", S10),
    ("RB123456785CV", S10),
]

# Same sources: shape right, check digit wrong.
PUBLISHED_INVALID: list[tuple[str, str]] = [
    ("1Z1111111111111111", UPS),
    ("9200000000000000000000", USPS),
    ("3318810010", DHL),
    ("3318810034", DHL),
    ("3318810011", DHL),
    ("RB123456786US", S10),
]


@pytest.mark.parametrize(("code", "carrier"), PUBLISHED_VALID)
def test_published_valid_numbers(code: str, carrier: str) -> None:
    result = identify_tracking(code)
    assert result is not None
    assert (result.carrier, result.normalized, result.valid) == (carrier, code, True)


@pytest.mark.parametrize(("code", "carrier"), PUBLISHED_INVALID)
def test_published_invalid_numbers_keep_their_carrier(code: str, carrier: str) -> None:
    result = identify_tracking(code)
    assert result is not None
    assert (result.carrier, result.valid) == (carrier, False)


def _bump(ch: str) -> str:
    return str((int(ch) + 1) % 10) if ch.isdigit() else ch


def _corruptions(code: str) -> list[str]:
    """The check digit changed, and one serial digit (past any prefix that names the format)."""
    check_at = len(code) - 3 if code[-1].isalpha() else len(code) - 1
    serial_at = 2 if code[:2].isalpha() or code.startswith("1Z") else len(code) // 2
    out = []
    for i in (check_at, serial_at):
        out.append(code[:i] + _bump(code[i]) + code[i + 1 :])
    return out


@pytest.mark.parametrize(("code", "carrier"), PUBLISHED_VALID)
def test_one_character_corruption_fails(code: str, carrier: str) -> None:
    for corrupted in _corruptions(code):
        assert corrupted != code
        result = identify_tracking(corrupted)
        if carrier == FEDEX:
            # A bare 12-digit code with a failing FedEx check is not called FedEx at all.
            assert result is None, corrupted
        else:
            assert result is not None, corrupted
            assert (result.carrier, result.valid) == (carrier, False), corrupted


def test_ups_service_and_letter_mapping() -> None:
    result = identify_tracking("1Z999AA10123456784")
    assert result == TrackingNumber(UPS, "01", "1Z999AA10123456784", True)
    # A letter in the check position is the right shape with a wrong check digit.
    assert identify_tracking("1Z999AA1012345678A") == TrackingNumber(
        UPS, "01", "1Z999AA1012345678A", False
    )


def test_usps_gs1_128_with_and_without_group_separator() -> None:
    impb = "9400111201080805483016"
    for code in (
        "42022153" + GS + impb,  # ZIP5 with separator
        "42022153" + impb,  # separator dropped by the wedge or normalisation
        "420221531234" + GS + impb,  # ZIP9
        "420221531234" + impb,
        GS + "42022153" + GS + impb,  # leading FNC1 sent as GS
    ):
        assert identify_tracking(code) == TrackingNumber(USPS, "001", impb, True), repr(code)
    # Published 420 + ZIP forms (tracking_number_data, usps.json).
    assert identify_tracking("420221539101026837331000039521") == TrackingNumber(
        USPS, "010", "9101026837331000039521", True
    )
    assert identify_tracking("4201002334249200190132607600833457") == TrackingNumber(
        USPS, "001", "9200190132607600833457", True
    )
    wrong = identify_tracking("4201028200009261290113185417468511")
    assert wrong is not None and not wrong.valid
    # 34 digits without GS: ZIP5 + 26-digit IMpb and ZIP9 + 22-digit IMpb; the check decides.
    long_form = "92748931507708513018050063"
    assert identify_tracking("42022153" + long_form) == TrackingNumber(USPS, "748", long_form, True)
    assert identify_tracking("420221531234" + impb) == TrackingNumber(USPS, "001", impb, True)
    # Not a USPS routing code: ZIP of the wrong length, or no IMpb after it.
    assert identify_tracking("4202215" + GS + impb) is None
    assert identify_tracking("420000000000000000000000000000") is None


def test_fedex_12_digits_are_ambiguous_with_upc_a() -> None:
    rng = random.Random(3)
    while True:
        body = "".join(rng.choice("0123456789") for _ in range(11))
        code = body + gs1_check_digit(body)
        if fedex_express_check_digit(body) == code[-1]:
            break
    assert is_valid_gtin(code)
    fedex = identify_tracking(code)
    assert fedex is not None and fedex.carrier == FEDEX
    assert identify_tracking(code, allow_ambiguous=False) is None
    # The published UPC-A example fails the FedEx check, so it is not a tracking number.
    assert identify_tracking("036000291452") is None


def test_bare_digits_need_allow_ambiguous() -> None:
    assert identify_tracking("3318810025", allow_ambiguous=False) is None
    assert identify_tracking("986578788855", allow_ambiguous=False) is None
    # Marked formats do not depend on it.
    assert identify_tracking("1Z999AA10123456784", allow_ambiguous=False) is not None
    assert identify_tracking("RB123456785GB", allow_ambiguous=False) is not None


@pytest.mark.parametrize(
    ("country", "operator"),
    [
        ("GB", "royal_mail"),
        ("CN", "china_post"),
        ("FR", "la_poste"),
        ("DE", "deutsche_post"),
        ("US", "usps"),
        ("JP", "japan_post"),
        ("CA", "canada_post"),
        ("ES", "correos"),
        ("CV", None),  # an operator not in the table: still S10, operator unknown
    ],
)
def test_s10_carrier_is_s10_with_operator_from_country(country: str, operator: str | None) -> None:
    code = make_s10(random.Random(1), "CP", country)
    assert identify_tracking(code) == TrackingNumber(S10, "CP", code, True, operator)


def test_s10_check_digit_special_cases() -> None:
    # 11 - (sum mod 11): 10 becomes 0 and 11 becomes 5 (UPU S10 standard).
    assert s10_check_digit("12345678") == "5"  # weighted sum 204: remainder 6, 11 - 6 = 5
    assert s10_check_digit("00000015") == "5"  # weighted sum 44: remainder 0, 11 -> 5
    assert s10_check_digit("00000008") == "0"  # weighted sum 56: remainder 1, 10 -> 0
    assert {s10_check_digit(f"{n:08d}") for n in range(2000)} <= set("0123456789")


@pytest.mark.parametrize(
    "code",
    [
        "",
        "HELLO",
        "1Z999AA1012345678",  # 17 characters
        "73891051146" + "0",  # 12 digits failing the FedEx check: most likely a UPC-A
        "61299998820821171812",  # 20 digits, not 91-95, failing the SmartPost check
        "RB12345678GB",  # S10 with one digit missing
        "RMA-NK-104233",
    ],
)
def test_unrecognised_codes(code: str) -> None:
    assert identify_tracking(code) is None


def test_lower_case_input_is_accepted() -> None:
    result = identify_tracking("rb123456785gb")
    assert result is not None and result.normalized == "RB123456785GB"


GENERATORS: list[tuple[Callable[[random.Random], str], set[str]]] = [
    (make_ups, {UPS}),
    (make_usps_impb, {USPS}),
    (make_fedex_express, {FEDEX}),
    (make_dhl_express, {DHL}),
    (make_s10, {S10}),
    (lambda rng: make_s10(rng, "EM", "JP"), {S10}),
]


@pytest.mark.parametrize(("make", "carriers"), GENERATORS)
def test_generators_round_trip(make: Callable[[random.Random], str], carriers: set[str]) -> None:
    rng = random.Random(20261122)
    for _ in range(400):
        code = make(rng)
        result = identify_tracking(code)
        assert result is not None, code
        assert result.carrier in carriers and result.valid, code
        assert result.normalized == code
        wrong_check = code[:-3] + _bump(code[-3]) + code[-2:] if code[-1].isalpha() else None
        wrong_check = wrong_check or code[:-1] + _bump(code[-1])
        corrupted = identify_tracking(wrong_check)
        assert corrupted is None or not corrupted.valid, wrong_check


def test_generators_with_running_serials() -> None:
    rng = random.Random(5)
    assert make_s10(rng, "RB", "GB", serial=12345678) == "RB123456785GB"
    assert make_dhl_express(rng, serial=331881002) == "3318810025"
    assert make_fedex_express(rng, serial=98657878885) == "986578788855"
    ups = make_ups(rng, shipper="999AA1", service="01", package=123456)
    assert ups.startswith("1Z999AA1010123456")
    assert identify_tracking(ups) == TrackingNumber(UPS, "01", ups, True)
    assert dhl_express_check_digit("331881002") == "5"
    with pytest.raises(ValueError):
        make_s10(rng, serial=123456789)
    with pytest.raises(ValueError):
        make_dhl_express(rng, serial=1_000_000_000)


def test_usps_generator_uses_known_prefixes() -> None:
    rng = random.Random(11)
    prefixes = {make_usps_impb(rng)[:4] for _ in range(200)}
    assert prefixes <= {"9400", "9405", "9205", "9361"}
    assert len(prefixes) > 1
