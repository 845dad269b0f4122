"""Carrier tracking numbers: recognise a scanned code, check it, and know its other forms.

A returns bench scans the label of every parcel it opens. Knowing the carrier and whether the
check digit is right lets the station say "check digit wrong, rescan" instead of silently
booking a blind return; knowing which human-readable number a barcode carries lets a FedEx
34-digit barcode find the RMA that upstream stored under the 12-digit number on the label.

The formats come from the public data set tracking_number_data, loaded by
``devices.tracking_data`` (which says why the JSON and not the PyPI package). This module adds
the station's policy on top:

- which reading wins when a code fits several formats (``_PRECEDENCE``, ``_rank``);
- which failing readings are still reported (so the grader is asked to rescan) and which are
  dropped (a bare digit string that fails every check is more likely a GTIN or an order id);
- ``normalized`` and ``lookup_keys`` for barcode forms (``_printed_forms``);
- the S10 postal operator as one of our lowercase codes;
- SF Express, which the data set lacks: ``SF`` + one digit or letter + 12 digits, from
  github.com/BF-zh/Courier-Validation, src/pattern/SF.ts (no check digit).

The ``make_*`` generators (demo data) compute their check digits here, independently of the
data set, so the tests can check the generators against it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping

from devices import tracking_data as data
from devices.gs1 import gs1_check_digit
from devices.tracking_base import (
    AMAZON,
    CANADA_POST,
    DHL,
    DPD,
    FEDEX,
    GS,
    LASERSHIP,
    ONTRAC,
    S10,
    SF_EXPRESS,
    UPS,
    USPS,
    YUNEXPRESS,
    TrackingNumber,
)

__all__ = [
    "AMAZON",
    "CANADA_POST",
    "DHL",
    "DPD",
    "FEDEX",
    "GS",
    "LASERSHIP",
    "ONTRAC",
    "S10",
    "S10_CARRIERS",
    "S10_OPERATORS",
    "SF_EXPRESS",
    "UPS",
    "UPU_S10",
    "USPS",
    "YUNEXPRESS",
    "TrackingNumber",
    "dhl_express_check_digit",
    "fedex_express_check_digit",
    "identify_all",
    "identify_tracking",
    "make_dhl_express",
    "make_fedex_express",
    "make_s10",
    "make_ups",
    "make_usps_impb",
    "s10_check_digit",
    "ups_check_digit",
]

# Kept for demo data (``station.services.demo`` stores these as the carrier of S10 numbers).
UPU_S10 = "upu_s10"

# The S10 country suffix names the postal operator that issued the number. This short table is
# what the demo data uses; ``S10_OPERATORS`` is the fuller one recognition reports. Whether a
# country code exists at all is the data set's ``Courier`` table (191 UPU members).
S10_CARRIERS = {
    "GB": "royal_mail",
    "CN": "china_post",
    "FR": "la_poste",
    "DE": "deutsche_post",
    "US": USPS,
    "JP": "japan_post",
}
S10_OPERATORS = {
    **S10_CARRIERS,
    "CA": CANADA_POST,
    "NL": "postnl",
    "BE": "bpost",
    "ES": "correos",
    "IT": "poste_italiane",
    "AU": "australia_post",
    "HK": "hongkong_post",
    "SG": "singpost",
    "KR": "korea_post",
    "TW": "chunghwa_post",
    "CH": "swiss_post",
    "AT": "austrian_post",
    "SE": "postnord",
    "DK": "postnord",
    "PL": "poczta_polska",
    "IE": "an_post",
    "NZ": "nz_post",
    "IN": "india_post",
}

# Where formats overlap, these come first, in this order; the rest keep the data set's order.
_PRECEDENCE = (
    # A 420 + ZIP9 + 22-digit IMpb label is 34 digits and also fits FedEx 34's loose shape
    # ([0-8] + 33 digits); the 420 prefix, a ZIP and a 9x IMpb with its own check are specific.
    "usps_impb_c",
    "usps_impb_n",
    "usps_legacy",
    # Data-set collisions, decided by its own test numbers (tests/devices/test_tracking.py,
    # test_data_set_collisions):
    # 78045768393 is an Old Dominion number that also passes DHL Express's mod 7 (1 in 7 do);
    # 287809468872 and 320610804900 are Purolator numbers that pass the FedEx 12 check;
    # JFV247545960 is a Purolator number of the DHL piece-ID shape (neither has a check digit).
    "old_dominion",
    "old_dominion_guaranteed_shipment",
    "purolator_numeric",
    "purolator_alpha",
    # 15 digits: FedEx Ground before a DPD parcel number whose check character is a digit
    # (both checked; FedEx Ground is the commoner label at a US bench).
    "fedex_ground",
)
# So broad that any other format the code fits, even with a failing check, is the better
# reading: two letters + 10-39 letters/digits, any 14 digits. An S10 number with a typo
# ("CN123456786CN") must ask for a rescan, not pass as a DHL eCommerce number.
_LOOSE = frozenset({"dhl_ecommerce", "dhl_ecommerce_14"})
# A bare digit string this long is a tracking number even when its check fails (reported, so
# the grader rescans); shorter ones that fail are dropped: GTINs, order ids and IMEIs are
# 8-19 digits and would otherwise be reported as carriers' numbers with a wrong check digit.
_MARKED_DIGITS = 20

_SF_EXPRESS = re.compile(r"SF[0-9A-Z]\d{12}")
_ZIP_ROUTING = re.compile(r"420(\d{5}|\d{9})")


# --- recognition ----------------------------------------------------------------------------


def identify_tracking(code: str, *, allow_ambiguous: bool = True) -> TrackingNumber | None:
    """The best reading of ``code`` as a tracking number, or None (see ``identify_all``)."""
    found = identify_all(code, allow_ambiguous=allow_ambiguous)
    return found[0] if found else None


def identify_all(code: str, *, allow_ambiguous: bool = True) -> list[TrackingNumber]:
    """Every reading of ``code`` as a tracking number, best first.

    Valid readings with a verified check digit come first, then valid readings of formats
    without one, then readings whose check fails; ``_PRECEDENCE`` orders each group. Readings
    whose check fails are kept only for "marked" codes (a letter, or ``_MARKED_DIGITS`` or
    more digits), so the UI can ask for a rescan. Bare digit strings are ambiguous (12 digits
    are also a UPC-A GTIN, and about one in ten passes the FedEx check by chance); callers
    that can look a code up as a GTIN first (``station.services.scanning``) should, and
    ``allow_ambiguous=False`` drops every reading of an unmarked code.
    """
    code = data.compact(code)
    if code.startswith(GS):  # some scanners send the leading FNC1 of a GS1-128 symbol as GS
        code = code[1:]
    if not code:
        return []
    marked = not code.isdigit() or len(code) >= _MARKED_DIGITS
    if not marked and not allow_ambiguous:
        return []
    # A required lookup that finds nothing (an S10 country code no postal operator has) means
    # the code is not of that format at all: unlike a wrong check digit, no rescan fixes it.
    readings = [_reading(m) for m in _matches(code) if m.known and (m.valid or marked)]
    if _SF_EXPRESS.fullmatch(code):
        keys = frozenset((code,))
        readings.append(
            TrackingNumber(SF_EXPRESS, None, code, True, None, False, "sf_express", keys)
        )
    if len(readings) > 1:
        readings.sort(key=_rank)
    return readings


def _matches(code: str) -> list[data.Match]:
    """The data set's matches; a USPS GS1-128 label with its GS separator is split there."""
    if GS not in code:
        return data.matches_compact(code)
    routing, _sep, impb = code.partition(GS)
    if GS in impb or not _ZIP_ROUTING.fullmatch(routing):
        return []
    found = [m for m in data.matches_compact(routing + impb) if m.format.courier_code == USPS]
    return [m for m in found if _routing(m.groups) == routing]


def _rank(reading: TrackingNumber) -> tuple[int, int]:
    if reading.format in _LOOSE:
        tier = 3
    elif not reading.valid:
        tier = 2
    else:
        tier = 0 if reading.checked else 1
    try:
        order = _PRECEDENCE.index(reading.format or "")
    except ValueError:
        order = len(_PRECEDENCE)
    return tier, order


def _routing(groups: Mapping[str, str]) -> str:
    """``420`` + ZIP5 [+ 4] ahead of an IMpb, or ``""``."""
    keys = ("RoutingApplicationId", "DestinationZip", "DestinationZipPlus4")
    return "".join(groups.get(k, "") for k in keys) if "RoutingApplicationId" in groups else ""


def _reading(match: data.Match) -> TrackingNumber:
    fmt, groups, code = match.format, match.groups, match.code
    normalized = code[len(_routing(groups)) :]
    if fmt.id == "dpd":
        # ZIP(7) + parcel number(14) + service(3) + country(3) + check: stored and printed as
        # the parcel number with its own check character.
        parcel = groups["SerialNumber"][7:21]
        normalized = parcel + data.mod_37_36_character(parcel)
    operator = S10_OPERATORS.get(groups.get("CountryCode", "")) if fmt.id == "s10" else None
    keys = {code, normalized, *_printed_forms(match, normalized)}
    return TrackingNumber(
        fmt.courier_code,
        groups.get("ServiceType"),
        normalized,
        match.valid,
        operator,
        match.checked,
        fmt.id,
        frozenset(keys),
    )


def _printed_forms(match: data.Match, normalized: str) -> Iterable[str]:
    """Other numbers of the same parcel that this code carries, each valid in its own format.

    Barcodes carry the human-readable number (the data set's definitions say where); upstream
    systems store whichever they were given. A derived number is offered only if the data
    set's own definition of that number accepts it.
    """
    fid, groups = match.format.id, match.groups
    if not match.valid:
        return ()
    if fid in ("fedex_34", "fedex_ground_gsn", "fedex_astra_32"):
        # The last 11 serial digits and the check digit: the 12-digit number. The 13-digit
        # serial's weights end in FedEx 12's (3,1,7...); its two extra leading digits are
        # zeros on these labels, so the check digit is the same (and is verified below).
        return _if_valid("fedex_12", groups["SerialNumber"][-11:] + groups["CheckDigit"])
    if fid == "fedex_ground_96":
        # 96 + SCNC + service + 14-digit serial + check: the 15-digit FedEx Ground number.
        return _if_valid("fedex_ground", groups["SerialNumber"] + groups["CheckDigit"])
    if fid == "fedex_ground_sscc_18":
        return ("00" + normalized,)  # the SSCC as a GS1 element string: AI 00 + SSCC
    if fid == "usps_legacy":
        # AI 91 is printed only on the UCC/EAN-128 form (data set glossary): both forms.
        return (normalized[2:],) if "ApplicationIdentifier" in groups else ("91" + normalized,)
    return ()


def _if_valid(format_id: str, number: str) -> tuple[str, ...]:
    match = data.format_by_id(format_id).match(number)
    return (number,) if match is not None and match.valid else ()


# --- check digits for the generators (independent of the data set) ---------------------------

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# FedEx Express weights 1,3,7 repeating from the rightmost body digit, written left to right.
_FEDEX_WEIGHTS = (3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _ups_value(ch: str) -> int:
    # UPS maps letters onto digits in a cycle: A=2 ... H=9, I=0, J=1, K=2 ... (ASCII - 3) mod 10.
    return int(ch) if ch.isdigit() else (ord(ch) - 3) % 10


def ups_check_digit(body: str) -> str:
    """Check digit over the 15 characters after ``1Z``: odd positions x1, even positions x2."""
    total = sum(_ups_value(ch) * (2 if i % 2 else 1) for i, ch in enumerate(body))
    return str((10 - total % 10) % 10)


def s10_check_digit(serial8: str) -> str:
    """UPU S10 check digit: weights 8,6,4,2,3,5,9,7; 11 - sum mod 11, where 10 -> 0, 11 -> 5."""
    check = 11 - sum(int(d) * w for d, w in zip(serial8, _S10_WEIGHTS, strict=True)) % 11
    return {10: "0", 11: "5"}.get(check, str(check))


def fedex_express_check_digit(body11: str) -> str:
    """FedEx Express 12-digit check digit: weighted sum mod 11, then mod 10."""
    total = sum(int(d) * w for d, w in zip(body11, _FEDEX_WEIGHTS, strict=True))
    return str(total % 11 % 10)


def dhl_express_check_digit(body9: str) -> str:
    """DHL Express waybill check digit: the 9-digit body as a number, mod 7.

    Weak by design: changing one digit by 7 (0<->7, 1<->8, 2<->9) is not detected.
    """
    return str(int(body9) % 7)


# --- generators for demo data ----------------------------------------------------------------

UPS_SERVICES = ("03", "90", "02", "01", "12", "13")  # Ground, Returns, 2nd Day, NDA, 3 Day, Saver
# IMpb channel (91-95 is the application identifier) and the Mailer ID it goes with
# (USPS Publication 199): 92 = commercial, 9-digit MID (starts with 9); 93 = commercial, 6-digit
# MID (0-8); 94 = online/vendor label, either MID. Service type codes: 001 Priority Mail,
# 055 Priority Mail Express, 612 Parcel Select... (any 3 digits pass the format).
USPS_IMPB_SHAPES = (("94", "001", 9), ("94", "055", 6), ("92", "612", 9), ("93", "612", 6))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_ups(
    rng: random.Random,
    *,
    shipper: str | None = None,
    service: str | None = None,
    package: int | None = None,
) -> str:
    """A valid UPS number; pass ``shipper`` (6 chars) and a running ``package`` for uniqueness.

    Return labels are issued on the seller's own UPS account, so real numbers on one
    seller's returns share the shipper part; only the 7-digit package part varies.
    """
    shipper = shipper or "".join(rng.choice(_ALNUM) for _ in range(6))
    service = service or rng.choice(UPS_SERVICES)
    package_part = f"{package:07d}" if package is not None else _digits(rng, 7)
    if len(shipper) != 6 or len(service) != 2 or len(package_part) != 7:
        raise ValueError("UPS shipper has 6 characters, service 2, package at most 7 digits")
    body = (shipper + service + package_part).upper()
    return "1Z" + body + ups_check_digit(body)


def make_usps_impb(rng: random.Random) -> str:
    """A valid 22-digit USPS IMpb: channel + service type + Mailer ID + serial + check digit."""
    channel, service, mid_length = rng.choice(USPS_IMPB_SHAPES)
    mid = ("9" + _digits(rng, 8)) if mid_length == 9 else rng.choice("12345678") + _digits(rng, 5)
    body = channel + service + mid
    body += _digits(rng, 21 - len(body))
    return body + gs1_check_digit(body)


def make_fedex_express(rng: random.Random, *, serial: int | None = None) -> str:
    """A valid 12-digit FedEx Express number; ``serial`` is the 11-digit body if given.

    Random ones start with 7-9: a number starting 0-5 that also passes Luhn is read as
    Purolator (the data set's own test numbers make that call; see ``_PRECEDENCE``).
    """
    body = f"{serial:011d}" if serial is not None else rng.choice("789") + _digits(rng, 10)
    if len(body) != 11:
        raise ValueError(f"FedEx Express serial has at most 11 digits, got {serial}")
    return body + fedex_express_check_digit(body)


def make_dhl_express(rng: random.Random, *, serial: int | None = None) -> str:
    """A valid 10-digit DHL Express waybill; ``serial`` is the 9-digit body if given."""
    body = f"{serial:09d}" if serial is not None else rng.choice("123456789") + _digits(rng, 8)
    if len(body) != 9:
        raise ValueError(f"DHL Express serial has at most 9 digits, got {serial}")
    return body + dhl_express_check_digit(body)


def make_s10(
    rng: random.Random, service: str = "RB", country: str = "GB", *, serial: int | None = None
) -> str:
    """A valid UPU S10 item identifier; ``serial`` is the 8-digit serial if given.

    Postal operators hand out S10 serials from ranges, so a running ``serial`` is both
    realistic and the way to keep demo numbers unique (8 digits collide quickly at random).
    """
    digits = f"{serial:08d}" if serial is not None else _digits(rng, 8)
    if len(digits) != 8 or len(service) != 2 or len(country) != 2:
        raise ValueError("S10 needs a 2-letter service, at most 8 serial digits, 2-letter country")
    return service.upper() + digits + s10_check_digit(digits) + country.upper()
