"""GS1 element strings (GS1-128, GS1 DataMatrix/QR): what the AIs on a label say, via ``biip``.

A returned unit or its parcel may carry a GS1 string instead of a bare code: an SSCC (AI 00)
on a pallet or parcel label, or a GTIN (01) with lot (10), serial (21) and expiry (17) on a
product's DataMatrix. Reading it lets the station match the GTIN, keep the lot/serial as
evidence, and treat an SSCC as a parcel identifier. ``biip`` knows every AI's length and
format and checks GTIN/SSCC check digits, so we do not keep our own AI table.

Bare digit strings are only taken as GS1 when they cannot be mistaken for something else:
a GS1 AIM symbology identifier (``]C1``, ``]d2``, ``]Q3``, ...), a GS separator, a
parenthesised human-readable form ``(01)...``, or a leading fixed-length AI 00/01/02 (each
ends in a check digit). Otherwise "4006381333931" (an EAN-13) would read as AI 400.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

GS = "\x1d"
# AIM symbology identifiers that announce GS1 data (ISO/IEC 15424; GS1 General Specs 5.4).
GS1_AIM_PREFIXES = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})
# Fixed-length leading AIs and their total length (AI + digits incl. check digit).
_FIXED_LEADING_AIS = {"00": 20, "01": 16, "02": 16}


@dataclass(frozen=True)
class Gs1Data:
    """An interpreted GS1 element string.

    ``elements`` maps each AI to its value in scan order (a repeated AI keeps the last).
    ``ship_to_postal`` is AI 420's postal code, or AI 421's postal code after its 3-digit
    ISO country (kept in ``ship_to_country``).
    """

    elements: dict[str, str] = field(default_factory=dict)
    gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    ship_to_postal: str | None = None
    ship_to_country: str | None = None
    symbology: str | None = None


def _split_aim(text: str) -> tuple[str | None, str]:
    if len(text) >= 3 and text[0] == "]":
        return text[:3], text[3:]
    return None, text


def _leading_fixed_ai(body: str) -> bool:
    length = _FIXED_LEADING_AIS.get(body[:2])
    return length is not None and len(body) >= length and body[:length].isdigit()


def interpret_gs1(code: str) -> tuple[Gs1Data | None, str | None]:
    """``(data, None)`` for a valid GS1 string; ``(None, reason)`` when it is GS1-shaped but
    wrong (bad check digit, impossible date, unknown AI); ``(None, None)`` when it is not a
    GS1 element string at all, so the caller can try other interpretations.
    """
    text = code.strip()
    aim, body = _split_aim(text)
    body = body.lstrip(GS)  # a leading FNC1 sent as GS
    if not body:
        return None, None
    hri = body.startswith("(")
    announced = (aim in GS1_AIM_PREFIXES) or GS in body or hri
    if not announced and not _leading_fixed_ai(body):
        return None, None
    # Imported here, not at the top: biip builds its tables of GS1 prefixes as it loads
    # (~0.14 s), which a station's start need not wait for (``ui.app`` preloads it after).
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    try:
        message = GS1Message.parse_hri(body) if hri else GS1Message.parse(body)
    except ParseError as exc:
        return None, f"not a valid GS1 element string: {exc}"
    elements: dict[str, str] = {}
    for element in message.element_strings:
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error:
            return None, f"AI ({element.ai.ai}): {error}"
        elements[element.ai.ai] = element.value
    expiry = next((e.date for e in message.element_strings if e.ai.ai == "17"), None)
    postal, country = elements.get("420"), None
    if "421" in elements:
        country, postal = elements["421"][:3], elements["421"][3:]
    return (
        Gs1Data(
            elements=elements,
            gtin=elements.get("01") or elements.get("02"),
            sscc=elements.get("00"),
            lot=elements.get("10"),
            serial=elements.get("21"),
            expiry=expiry,
            ship_to_postal=postal,
            ship_to_country=country,
            symbology=aim,
        ),
        None,
    )
