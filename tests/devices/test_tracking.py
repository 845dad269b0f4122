"""Tracking-number recognition against the public data set, not against numbers we made.

Every valid and invalid test number comes from the shipped copy of
github.com/jkeen/tracking_number_data (``devices/data/tracking_number_data/couriers``), read
here with plain ``json``, not through the loader under test. The expected carrier and format
are the file's ``courier_code`` and the entry's ``id``; where the data set itself makes two
formats fit one number, the decision is pinned in ``test_data_set_collisions``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import tracking_data
from devices.tracking import (
    S10,
    SF_EXPRESS,
    USPS,
    TrackingNumber,
    identify_all,
    identify_tracking,
    make_dhl_express,
    make_fedex_express,
    make_s10,
    make_ups,
    make_usps_impb,
)

COURIERS = (
    Path(__file__).resolve().parents[2] / "devices" / "data" / "tracking_number_data" / "couriers"
)


def format_id(entry: dict) -> str:
    """The data set's id; the few entries without one are named by their name's slug."""
    return entry.get("id") or re.sub(r"[^a-z0-9]+", "_", entry["name"].lower()).strip("_")


def published(kind: str) -> list[tuple[str, str, str, dict]]:
    """(number as printed, courier_code, format id, entry) for every test number of ``kind``."""
    rows = []
    for path in sorted(COURIERS.glob("*.json")):
        courier = json.loads(path.read_text(encoding="utf-8"))
        for entry in courier["tracking_numbers"]:
            for number in dict.fromkeys(entry["test_numbers"][kind]):
                rows.append((number, courier["courier_code"], format_id(entry), entry))
    return rows


def compact(number: str) -> str:
    return "".join(number.split()).upper()


PUBLISHED_VALID = [(n, c, f) for n, c, f, _e in published("valid")]
PUBLISHED_INVALID = [(n, c, f) for n, c, f, _e in published("invalid")]
CHECKED_FORMATS = {f for _n, _c, f, e in published("valid") if e["validation"].get("checksum")}

# Invalid test numbers of one format that are valid numbers of another format of the data set
# (worked out by hand: each passes the other format's pattern and check).
VALID_ELSEWHERE = {
    "000000000000000": "fedex_ground",  # amazon invalid; 15 zeros: GS1 mod 10 check 0
    "000000000000": "purolator_numeric",  # amazon invalid; Luhn of zeros is 0 (and FedEx 12)
    "331426749957": "purolator_numeric",  # purolator_alpha invalid; a published numeric one
}


def _ids(rows: list[tuple[str, str, str]]) -> list[str]:
    return [f"{f}:{n.strip()}" for n, _c, f in rows]


def test_the_data_set_is_there_and_large() -> None:
    # 18 courier files of release 2.0.0 (191 distinct valid numbers per format, 82 invalid).
    assert len(list(COURIERS.glob("*.json"))) == 18
    assert len(PUBLISHED_VALID) > 180 and len(PUBLISHED_INVALID) > 80


@pytest.mark.parametrize(("number", "carrier", "fmt"), PUBLISHED_VALID, ids=_ids(PUBLISHED_VALID))
def test_every_published_valid_number(number: str, carrier: str, fmt: str) -> None:
    result = identify_tracking(number)
    assert result is not None, number
    assert (result.carrier, result.format, result.valid) == (carrier, fmt, True)
    assert result.checked == (fmt in CHECKED_FORMATS)


@pytest.mark.parametrize(("number", "carrier", "fmt"), PUBLISHED_VALID, ids=_ids(PUBLISHED_VALID))
def test_valid_numbers_however_they_are_printed(number: str, carrier: str, fmt: str) -> None:
    code = compact(number)
    half = len(code) // 2
    # As the data set's own spec varies them: spaces kept, removed, two spaces in the middle;
    # and lower case, tabs and no-break spaces as a keyboard wedge or a copy-paste gives them.
    for variant in (code, code[:half] + "  " + code[half:], code.lower(), f"\t{code}\u00a0"):
        result = identify_tracking(variant)
        assert result is not None, repr(variant)
        assert (result.carrier, result.format, result.valid) == (carrier, fmt, True), variant


@pytest.mark.parametrize(
    ("number", "carrier", "fmt"), PUBLISHED_INVALID, ids=_ids(PUBLISHED_INVALID)
)
def test_every_published_invalid_number_is_refused(number: str, carrier: str, fmt: str) -> None:
    readings = identify_all(number)
    assert not [r for r in readings if r.format == fmt and r.valid], number
    best = identify_tracking(number)
    if compact(number) in VALID_ELSEWHERE:
        assert best is not None and best.valid
        assert best.format == VALID_ELSEWHERE[compact(number)]
    else:
        assert best is None or not best.valid, best


def _dhl_mod7(code: str) -> bool:
    return int(code[:-1]) % 7 == int(code[-1])


def _fedex12(code: str) -> bool:
    weights = (3, 1, 7) * 4
    return sum(int(d) * w for d, w in zip(code[:11], weights, strict=False)) % 11 % 10 == int(
        code[11]
    )


@pytest.mark.parametrize(
    ("number", "first", "second", "second_holds"),
    [
        # Old Dominion (Luhn, prefix 780) over DHL Express 11 (mod 7 passes one number in 7).
        ("78045768393", "old_dominion", "dhl_express", _dhl_mod7),
        # Purolator numeric (Luhn) over FedEx 12 where both checks hold.
        ("287809468872", "purolator_numeric", "fedex_12", _fedex12),
        ("320610804900", "purolator_numeric", "fedex_12", _fedex12),
        # Neither has a check digit: 3 letters + 9 digits is Purolator's whole format.
        (
            "JFV247545960",
            "purolator_alpha",
            "dhl_express_piece_id",
            lambda c: re.fullmatch(r"J[A-Z]{2,3}\d{9,10}", c) is not None,
        ),
        # 420 + ZIP9 + IMpb (34 digits) also fits FedEx 34; the USPS structure wins.
        (
            "4201028200009261290113185417468510",
            "usps_impb_c",
            "fedex_34",
            lambda c: (
                sum(int(d) * w for d, w in zip(c[20:33], (1, 7, 3) * 5, strict=False)) % 11 % 10
                == int(c[33])
            ),
        ),
    ],
)
def test_data_set_collisions(
    number: str, first: str, second: str, second_holds: Callable[[str], bool]
) -> None:
    assert second_holds(number)  # the other format really accepts it: a true collision
    readings = identify_all(number)
    assert [(r.format, r.valid) for r in readings[:2]] == [(first, True), (second, True)]


def test_an_s10_with_a_typo_asks_for_a_rescan() -> None:
    # CN + 11 characters also fits DHL eCommerce's loose shape (no check digit); a mistyped
    # S10 number must not pass as that.
    result = identify_tracking("CN123456786CN")
    assert result is not None and (result.carrier, result.valid) == (S10, False)
    # An S10 country code no postal operator has is not an S10 number at all.
    assert all(r.format != "s10" for r in identify_all("RB123456785XX"))


def test_short_digit_strings_that_fail_every_check_are_not_tracking_numbers() -> None:
    # Published invalid DHL/FedEx/Canada Post numbers: a GTIN, an IMEI or an order id of
    # that length fails the check nine times in ten; it is not "a carrier number, rescan".
    for code in ("3318810010", "568283610012732", "0073938000549292", "986578788856"):
        assert identify_tracking(code) is None, code
    # 20 digits and more: nothing else a bench scans is that long; report, so it is rescanned.
    wrong = identify_tracking("0307 1790 0005 2348 3742")
    assert wrong is not None and (wrong.carrier, wrong.valid) == (USPS, False)


def test_bare_digits_need_allow_ambiguous() -> None:
    assert identify_tracking("3318810025", allow_ambiguous=False) is None
    assert identify_tracking("986578788855", allow_ambiguous=False) is None
    assert identify_tracking("1Z5R89390357567127", allow_ambiguous=False) is not None
    assert identify_tracking("9405803699300124287899", allow_ambiguous=False) is not None


def test_usps_gs1_128_with_and_without_group_separator() -> None:
    impb = "9400111206206406260787"  # published with 420 + ZIP 78745 in the same file
    for code in (
        "42078745" + "\x1d" + impb,
        "42078745" + impb,
        "420787451234" + "\x1d" + impb,
        "420787451234" + impb,
        "\x1d42078745\x1d" + impb,  # leading FNC1 sent as GS
    ):
        result = identify_tracking(code)
        assert result is not None and (result.normalized, result.valid) == (impb, True), code
    assert identify_tracking("4207874\x1d" + impb) is None  # a ZIP of 4 digits is no ZIP


@pytest.mark.parametrize(
    ("country", "operator"),
    [
        ("GB", "royal_mail"),
        ("US", "usps"),
        ("CA", "canada_post"),
        ("CV", None),  # a UPU member not in our table: still S10, operator unknown
    ],
)
def test_s10_operator_from_country(country: str, operator: str | None) -> None:
    code = f"RB123456785{country}"  # published for GB, US and CV
    assert identify_tracking(code) == TrackingNumber(S10, "RB", code, True, operator, True, "s10")


def test_sf_express_keeps_its_own_rule() -> None:
    # Not in the data set: SF + 1 + 12 digits (github.com/BF-zh/Courier-Validation SF.ts).
    result = identify_tracking("SF1234567890123")
    assert result is not None
    assert (result.carrier, result.valid, result.checked) == (SF_EXPRESS, True, False)


GENERATORS: list[tuple[Callable[[random.Random], str], set[str]]] = [
    (make_ups, {"ups"}),
    (make_usps_impb, {"usps_impb_n", "usps_impb_c"}),
    (make_fedex_express, {"fedex_12"}),
    (make_dhl_express, {"dhl_express"}),
    (make_s10, {"s10"}),
    (lambda rng: make_s10(rng, "LX", "DE"), {"s10"}),
]


@pytest.mark.parametrize(("make", "formats"), GENERATORS)
def test_generators_make_numbers_the_data_set_accepts(
    make: Callable[[random.Random], str], formats: set[str]
) -> None:
    # The generators compute their check digits on their own; the data set judges them.
    rng = random.Random(20261122)
    for _ in range(300):
        code = make(rng)
        valid = {m.format.id for m in tracking_data.matches(code) if m.valid}
        assert valid & formats, code
        best = identify_tracking(code)
        assert best is not None and best.format in formats and best.normalized == code


def test_generators_with_running_serials_give_published_numbers() -> None:
    rng = random.Random(5)
    assert make_s10(rng, "RB", "GB", serial=12345678) == "RB123456785GB"
    assert make_dhl_express(rng, serial=331881002) == "3318810025"
    assert make_fedex_express(rng, serial=98657878885) == "986578788855"
    with pytest.raises(ValueError):
        make_s10(rng, serial=123456789)
    with pytest.raises(ValueError):
        make_dhl_express(rng, serial=1_000_000_000)


# --- properties --------------------------------------------------------------------------------

PROPERTY = settings(max_examples=400, deadline=None, database=None)

_LONG = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=40), st.integers(1, 3000))
_CODE_LIKE = st.text(alphabet="0123456789 \t\x1d\x00-420AZJLTBCDGMSF]", max_size=60)


@PROPERTY
@given(text=st.one_of(st.text(), _LONG, _CODE_LIKE))
def test_identify_never_raises(text: str) -> None:
    result = identify_tracking(text)
    assert result is None or isinstance(result.normalized, str)
    assert all(isinstance(r, TrackingNumber) for r in identify_all(text))


def _python(regex: str | list[str]) -> str:
    text = "".join(regex) if isinstance(regex, list) else regex
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", text)


def _strong(checksum: dict) -> bool:
    """Algorithms that catch every single-character substitution of the digits they cover.

    Not UPS/OnTrac mod 10 with weight 2 (digits 5 apart), DHL mod 7 (7 apart), S10 (remainders
    0 and 6 both give 5), FedEx mod 11 then mod 10 (remainders 0 and 10 both give 0): for those
    only the check digit itself is changed below.
    """
    if checksum["name"] in ("luhn", "mod_37_36"):
        return True
    weights = {checksum.get("odds_multiplier", 1), checksum.get("evens_multiplier", 1)}
    return checksum["name"] == "mod10" and weights <= {1, 3}


def _mutation_cases() -> list[tuple[str, str, list[int]]]:
    cases = []
    for number, _carrier, fmt, entry in published("valid"):
        checksum = entry["validation"].get("checksum")
        if not checksum:
            continue
        code = compact(number)
        match = re.fullmatch(_python(entry["regex"]), code)
        assert match is not None, code
        start, end = match.span("CheckDigit")
        if _strong(checksum):
            start = match.start("SerialNumber")
        cases.append((code, fmt, list(range(start, end))))
    return cases


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@PROPERTY
@given(
    case=st.sampled_from(_mutation_cases()),
    pick=st.integers(0, 10**6),
    shift=st.integers(1, 35),
)
def test_one_character_changed_is_never_valid_for_the_same_format(
    case: tuple[str, str, list[int]], pick: int, shift: int
) -> None:
    code, fmt, positions = case
    at = positions[pick % len(positions)]
    old = code[at]
    if old.isdigit():
        new = str((int(old) + shift % 9 + 1) % 10)
    else:  # a DPD check character: any other of 0-9A-Z
        new = _ALPHABET[(_ALPHABET.index(old) + shift) % 36]
    changed = code[:at] + new + code[at + 1 :]
    assert changed != code
    assert not [r for r in identify_all(changed) if r.format == fmt and r.valid], changed
