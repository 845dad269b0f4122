"""Carriers added for "what a code means": published numbers and one-character corruptions.

Every number below is a published test number from github.com/jkeen/tracking_number_data,
couriers/{fedex,dpd,amazon,canadapost,ontrac,lasership,dhl,yunexpress}.json (spaces removed),
except the SF Express shape (github.com/BF-zh/Courier-Validation, src/pattern/SF.ts).
"""

from __future__ import annotations

import pytest

from devices.tracking import (
    AMAZON,
    CANADA_POST,
    DHL,
    DPD,
    FEDEX,
    LASERSHIP,
    ONTRAC,
    SF_EXPRESS,
    USPS,
    YUNEXPRESS,
    identify_tracking,
)
from devices.tracking_formats import make_dpd, mod37_36_check

CHECKED_VALID: list[tuple[str, str, str]] = [
    # (code, carrier, normalized)
    ("041441760228964", FEDEX, "041441760228964"),  # FedEx Ground 15
    ("568283610012000", FEDEX, "568283610012000"),
    ("568283610012734", FEDEX, "568283610012734"),
    ("9611020987654312345672", FEDEX, "9611020987654312345672"),  # Ground 96 (22)
    ("9622001900000000000000776632517510", FEDEX, "9622001900000000000000776632517510"),
    ("9632001560123456789900794808390594", FEDEX, "9632001560123456789900794808390594"),
    ("1001921334250001000300779017972697", FEDEX, "1001921334250001000300779017972697"),
    ("1002297871540001000300790695517286", FEDEX, "1002297871540001000300790695517286"),
    ("61299998820821171811", FEDEX, "61299998820821171811"),  # SmartPost without 92
    ("09980000020033F", DPD, "09980000020033F"),
    ("09980000020034D", DPD, "09980000020034D"),
    # 28-char DPD barcode: normalised to the 14-digit parcel number + its check character.
    ("008182709980000020033350276C", DPD, "09980000020033F"),
    ("008182709980000020045327276N", DPD, "09980000020045" + mod37_36_check("09980000020045")),
    ("0073938000549297", CANADA_POST, "0073938000549297"),
    ("C11031500001879", ONTRAC, "C11031500001879"),
    ("C10999911320231", ONTRAC, "C10999911320231"),
    ("C11121552953069", ONTRAC, "C11121552953069"),
    ("D10011354453707", ONTRAC, "D10011354453707"),
    ("D10011345983010", ONTRAC, "D10011345983010"),
    ("D10011342332145", ONTRAC, "D10011342332145"),
    ("73891051146", DHL, "73891051146"),  # DHL Express 11 digits
]

CHECKED_INVALID: list[tuple[str, str]] = [
    ("568283610012732", FEDEX),
    ("9600000000000000000001", FEDEX),
    ("9622001560001234567100794808390595", FEDEX),
    ("1001901781990001000300617767839438", FEDEX),
    ("09980000020033D", DPD),
    ("008182709980000020033350276A", DPD),
    ("0073938000549292", CANADA_POST),
    ("C10000000000000", ONTRAC),
    ("C11031500001889", ONTRAC),
    ("D10011345983012", ONTRAC),
    ("D10011342332144", ONTRAC),
]

UNCHECKED: list[tuple[str, str]] = [
    ("TBA000000000000", AMAZON),
    ("TBA502887274000", AMAZON),
    ("LX17635036", LASERSHIP),
    ("1LS717793482164", LASERSHIP),
    ("1LS724505321754", LASERSHIP),
    ("1LS7119013618127-1", LASERSHIP),
    ("YT2229521272164446", YUNEXPRESS),
    ("GM2951173225174494", DHL),
    ("JJD0099999999", DHL),
    ("JVGL0999999990", DHL),
    ("SF1234567890123", SF_EXPRESS),
]


@pytest.mark.parametrize(("code", "carrier", "normalized"), CHECKED_VALID)
def test_published_valid(code: str, carrier: str, normalized: str) -> None:
    result = identify_tracking(code)
    assert result is not None, code
    assert (result.carrier, result.valid, result.checked) == (carrier, True, True)
    assert result.normalized == normalized


@pytest.mark.parametrize(("code", "carrier"), CHECKED_INVALID)
def test_published_invalid_are_reported_not_accepted(code: str, carrier: str) -> None:
    result = identify_tracking(code)
    assert result is not None, code
    assert (result.carrier, result.valid) == (carrier, False)


def _bump(ch: str) -> str:
    return str((int(ch) + 1) % 10) if ch.isdigit() else chr((ord(ch) - 64) % 26 + 65)


@pytest.mark.parametrize(("code", "carrier", "normalized"), CHECKED_VALID)
def test_one_character_off_is_not_valid(code: str, carrier: str, normalized: str) -> None:
    # Change the check character, then a serial digit near the end (FedEx 34-digit checks
    # cover only the 13-digit serial). Bare-digit formats that are only claimed when valid
    # (11, 20, 28 digits) may then be unrecognised: also fine.
    for at in (len(code) - 1, len(code) - 4):
        corrupted = code[:at] + _bump(code[at]) + code[at + 1 :]
        result = identify_tracking(corrupted)
        if result is not None and result.carrier == carrier:
            assert not result.valid, corrupted


@pytest.mark.parametrize(("code", "carrier"), UNCHECKED)
def test_formats_without_check_digit(code: str, carrier: str) -> None:
    result = identify_tracking(code)
    assert result is not None, code
    assert (result.carrier, result.valid, result.checked) == (carrier, True, False)


@pytest.mark.parametrize(
    "code",
    ["TBA50288727400A", "TBB000000000000", "LA17635036", "YT123456789012345", "XJD0099999998"],
)
def test_published_non_matches(code: str) -> None:
    result = identify_tracking(code)
    assert result is None or result.carrier not in {AMAZON, LASERSHIP, YUNEXPRESS}, code


def test_fifteen_digits_fedex_first_then_dpd() -> None:
    # A DPD parcel number whose check character is a digit and fails the FedEx check.
    for n in range(200):
        code = make_dpd(f"{n:014d}")
        if code[-1].isdigit():
            result = identify_tracking(code)
            assert result is not None and result.valid
            assert result.carrier in {FEDEX, DPD}
    assert identify_tracking("568283610012000", allow_ambiguous=False) is None


def test_smartpost_with_92_stays_usps_impb() -> None:
    # FedEx SmartPost numbers with their 92 prefix are IMpb numbers delivered by USPS.
    result = identify_tracking("9261292700768711948021")
    assert result is not None and (result.carrier, result.valid) == (USPS, True)


def test_mod37_36_and_make_dpd() -> None:
    assert mod37_36_check("09980000020033") == "F"
    assert make_dpd("09980000020034") == "09980000020034D"
    with pytest.raises(ValueError):
        make_dpd("123")
