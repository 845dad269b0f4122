"""Carrier tracking-number formats: recognise a scanned code and check its check digit.

A returns bench scans the label of every parcel it opens. Knowing the carrier and whether the
check digit is right lets the station say "check digit wrong, rescan" instead of silently
booking a blind return, and lets demo data and tests use numbers real carriers would accept.

Recognised (input already upper-cased with whitespace removed, see ``station.codes``):

- UPS ``1Z`` + 6-char shipper + 2-char service + 7-char package + check digit (18 chars).
- USPS IMpb, 20-22 digits (and the 26-digit long form) starting 91-95, bare or inside the
  GS1-128 element string ``420`` + ZIP5/ZIP9 [+ GS] + IMpb that sits on the label.
- UPU S10 ``RB123456785GB`` (international post). Carrier ``s10``; the issuing postal operator
  (Royal Mail, China Post, La Poste, Canada Post, ...) from the country suffix is ``operator``.
- DHL Express waybill, 10 bare digits (mod 7).
- FedEx Express, 12 bare digits (weights 1,3,7 mod 11), only on request; see ``identify_tracking``.
- Everything in ``devices.tracking_formats``: FedEx Ground 15/22/34, FedEx Express 34, FedEx
  SmartPost 20, DPD 14+1 and 28, Amazon Logistics, Canada Post 16, OnTrac, LaserShip, DHL
  11-digit/eCommerce/piece IDs, YunExpress, SF Express.

Not recognised: bare 18-digit SSCCs (read as GS1 element strings by ``devices.gs1_strings``),
USPS 20-digit legacy numbers that do not start 91-95, 4PX / Yanwen / Cainiao own formats (no
documented format found; their S10 numbers are recognised as ``s10``).
"""

from __future__ import annotations

import random
import re

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
from devices.tracking_formats import identify_digits, identify_marked

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
# what the demo data uses; ``S10_OPERATORS`` is the fuller one recognition reports.
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

_UPS = re.compile(r"1Z([0-9A-Z]{6})([0-9A-Z]{2})([0-9A-Z]{7})([0-9A-Z])")
_S10 = re.compile(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})")
_IMPB = re.compile(r"9[1-5](?:\d{18,20}|\d{24})")
_GS1_420 = re.compile(r"420(\d{5}|\d{9})" + GS + r"(\d+)")
_DIGITS = re.compile(r"\d+")

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# FedEx Express weights 1,3,7 repeating from the rightmost body digit, written left to right.
_FEDEX_WEIGHTS = (3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- check digits ---------------------------------------------------------------------------


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


# --- recognition ----------------------------------------------------------------------------


def identify_tracking(code: str, *, allow_ambiguous: bool = True) -> TrackingNumber | None:
    """The carrier format ``code`` has, with ``valid`` telling whether its check digit holds.

    Formats with a marker (``1Z``, S10 letters, ``9x``/``420`` IMpb prefixes) are returned
    even with a wrong check digit, so the UI can ask for a rescan. Bare digit strings are
    ambiguous and governed by ``allow_ambiguous``:

    - 12 digits are also the length of a UPC-A GTIN, and about one UPC-A in ten passes the
      FedEx check by chance. They are called FedEx only when ``allow_ambiguous`` is True AND
      the FedEx check passes; a 12-digit code with a failing check is returned as None (most
      likely a GTIN), so a mistyped FedEx number is not reported as such. Callers that can
      look the code up as a GTIN first (``station.services.scanning``) should do so.
    - 10 digits are taken as a DHL Express waybill (valid or not) only when
      ``allow_ambiguous`` is True; pass False to recognise marked formats only.
    - Other bare lengths (11, 15, 16, 20, 28) follow ``tracking_formats.identify_digits``,
      also only with ``allow_ambiguous``. FedEx ``96``/``100`` 22- and 34-digit numbers and
      the lettered formats of ``tracking_formats.identify_marked`` count as marked.
    """
    code = code.upper()
    if code.startswith(GS):  # some scanners send the leading FNC1 of a GS1-128 symbol as GS
        code = code[1:]

    if match := _UPS.fullmatch(code):
        body = code[2:17]
        return TrackingNumber(UPS, match.group(2), code, ups_check_digit(body) == code[17])

    if match := _S10.fullmatch(code):
        service, serial, check, country = match.groups()
        operator = S10_OPERATORS.get(country)
        return TrackingNumber(S10, service, code, s10_check_digit(serial) == check, operator)

    if code.startswith("420"):
        return _identify_gs1_420(code)
    if _IMPB.fullmatch(code):
        return _impb(code)
    if code and (marked := identify_marked(code)) is not None:
        return marked

    if not allow_ambiguous or not _DIGITS.fullmatch(code):
        return None
    if len(code) == 10:
        return TrackingNumber(DHL, "express", code, dhl_express_check_digit(code[:9]) == code[9])
    if len(code) == 12:
        if fedex_express_check_digit(code[:11]) == code[11]:
            return TrackingNumber(FEDEX, "express", code, True)
        return None
    return identify_digits(code)


def _impb(impb: str) -> TrackingNumber:
    # IMpb: 2-digit channel application identifier (91-95), then the 3-digit service type code.
    return TrackingNumber(USPS, impb[2:5], impb, gs1_check_digit(impb[:-1]) == impb[-1])


def _identify_gs1_420(code: str) -> TrackingNumber | None:
    """USPS label barcode: AI 420 + destination ZIP (5 or 9 digits) [+ GS] + AI 9x IMpb.

    With the GS separator the split is explicit. Without it (``station.codes.normalize_code``
    and many keyboard wedges drop it) the ZIP length is inferred: a 20-22 digit IMpb after
    ZIP5 and ZIP9 gives distinct total lengths; only ZIP5 + 26-digit and ZIP9 + 22-digit IMpb
    collide (34 digits), and then the split whose check digit holds wins, ZIP9 on a tie.
    """
    if GS in code:
        match = _GS1_420.fullmatch(code)
        if match is None or not _IMPB.fullmatch(match.group(2)):
            return None
        return _impb(match.group(2))
    if not _DIGITS.fullmatch(code):
        return None
    candidates = [_impb(code[3 + n :]) for n in (9, 5) if _IMPB.fullmatch(code[3 + n :])]
    if not candidates:
        return None
    return next((c for c in candidates if c.valid), candidates[0])


# --- generators for demo data and tests ------------------------------------------------------

UPS_SERVICES = ("03", "90", "02", "01", "12", "13")  # Ground, Returns, 2nd Day, NDA, 3 Day, Saver
USPS_PREFIXES = ("9400", "9405", "9205", "9361")


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
    """A valid 22-digit USPS IMpb (the number printed under the label barcode)."""
    body = rng.choice(USPS_PREFIXES) + _digits(rng, 17)
    return body + gs1_check_digit(body)


def make_fedex_express(rng: random.Random, *, serial: int | None = None) -> str:
    """A valid 12-digit FedEx Express number; ``serial`` is the 11-digit body if given."""
    body = f"{serial:011d}" if serial is not None else rng.choice("4789") + _digits(rng, 10)
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
