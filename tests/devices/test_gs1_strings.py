"""GS1 element strings through biip: SSCC, GTIN + lot/serial/expiry, separators, AIM prefixes."""

from __future__ import annotations

from datetime import date

import pytest

from devices.gs1 import gs1_check_digit
from devices.gs1_strings import interpret_gs1

SSCC = "106141411234567897"  # GS1 General Specifications example; check digit 7
GTIN = "06141411234562"


def test_sscc_with_check_digit() -> None:
    assert gs1_check_digit(SSCC[:-1]) == SSCC[-1]
    data, reason = interpret_gs1("00" + SSCC)
    assert reason is None and data is not None
    assert data.sscc == SSCC and data.gtin is None and data.elements == {"00": SSCC}
    bad = SSCC[:-1] + "2"
    data, reason = interpret_gs1("]C100" + bad)
    assert data is None and reason and "check digit" in reason


@pytest.mark.parametrize(
    "code",
    [
        "01" + GTIN + "17260630" + "10LOT42\x1d" + "21SN-9",  # separator after variable lot
        "]C101" + GTIN + "17260630" + "10LOT42\x1d" + "21SN-9",
        "]d201" + GTIN + "17260630" + "10LOT42\x1d" + "21SN-9",
        "]Q3\x1d01" + GTIN + "17260630" + "10LOT42\x1d" + "21SN-9",  # leading FNC1 as GS
        "(01)" + GTIN + "(17)260630(10)LOT42(21)SN-9",  # human-readable form
    ],
)
def test_gtin_lot_serial_expiry(code: str) -> None:
    data, reason = interpret_gs1(code)
    assert reason is None and data is not None, reason
    assert (data.gtin, data.lot, data.serial, data.expiry) == (
        GTIN,
        "LOT42",
        "SN-9",
        date(2026, 6, 30),
    )


def test_without_separator_variable_field_must_be_last() -> None:
    data, _reason = interpret_gs1("01" + GTIN + "17260630" + "10LOT42")
    assert data is not None and data.lot == "LOT42" and data.serial is None
    # Without GS the lot swallows what follows: "LOT4221SN-9" is one lot number.
    data, _reason = interpret_gs1("01" + GTIN + "10LOT4221SN9")
    assert data is not None and data.lot == "LOT4221SN9"


def test_ship_to_postal_codes() -> None:
    data, _ = interpret_gs1("]C1420" + "90210" + "\x1d" + "00" + SSCC)
    assert data is not None and data.ship_to_postal == "90210" and data.sscc == SSCC
    data, _ = interpret_gs1("]C1421" + "276" + "10115")
    assert data is not None
    assert (data.ship_to_country, data.ship_to_postal) == ("276", "10115")


@pytest.mark.parametrize("code", ["4006381333931", "1Z999AA10123456784", "HELLO", "", "   "])
def test_not_gs1(code: str) -> None:
    assert interpret_gs1(code) == (None, None)


def test_invalid_gs1_has_a_reason() -> None:
    data, reason = interpret_gs1("01" + GTIN[:-1] + "3")  # wrong GTIN check digit
    assert data is None and reason
    data, reason = interpret_gs1("01" + GTIN + "17260631")  # 31 June
    assert data is None and reason
