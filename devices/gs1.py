"""GS1 check digits and GTIN helpers (pure Python, no station imports).

GTINs reach the station in several lengths for the same product: a UPC-A label scans as 12
digits, the same code in an EAN-13 symbol scans as 13 digits with a leading 0, and shipping
cases carry GTIN-14. Comparing them safely means padding to 14 digits first (``gtin_to_14``).
The same mod-10 check digit (weights 3,1 from the right) protects GTINs, SSCCs and USPS IMpb
tracking numbers, so it lives here once.
"""

from __future__ import annotations

GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def _require_digits(text: str, what: str) -> None:
    # str.isdigit() accepts superscripts and other Unicode digits; a barcode holds ASCII only.
    if not text or not (text.isascii() and text.isdigit()):
        raise ValueError(f"{what} must be ASCII digits, got {text!r}")


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for ``body`` (everything except the check digit).

    Weights alternate 3,1 starting with 3 on the rightmost body digit, which makes the
    result independent of left zero-padding: the reason GTIN-12 and GTIN-13 can be compared.
    """
    _require_digits(body, "GS1 body")
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(code: str) -> bool:
    """True for a GTIN-8/12/13/14 made of digits whose last digit is the right check digit."""
    if len(code) not in GTIN_LENGTHS or not (code.isascii() and code.isdigit()):
        return False
    return gs1_check_digit(code[:-1]) == code[-1]


def gtin_to_14(code: str) -> str:
    """Left-pad a GTIN to 14 digits so UPC-A ``036000291452`` equals EAN-13 ``0036000291452``.

    The check digit is not verified here (use ``is_valid_gtin``); only shape is, because
    padding a code of the wrong length would silently make two different codes compare equal.
    """
    _require_digits(code, "GTIN")
    if len(code) not in GTIN_LENGTHS:
        raise ValueError(f"a GTIN has 8, 12, 13 or 14 digits, got {len(code)}: {code!r}")
    return code.zfill(14)


def make_gtin13(body12: str) -> str:
    """A GTIN-13 (EAN-13) from its first 12 digits (company prefix + item reference)."""
    _require_digits(body12, "GTIN-13 body")
    if len(body12) != 12:
        raise ValueError(f"a GTIN-13 body has 12 digits, got {len(body12)}: {body12!r}")
    return body12 + gs1_check_digit(body12)
