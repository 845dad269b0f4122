"""GS1 check digits and GTIN normalisation against published example codes."""

from __future__ import annotations

import random

import pytest

from devices.gs1 import gs1_check_digit, gtin_to_14, is_valid_gtin, make_gtin13

# Published examples: Wikipedia "Universal Product Code" (036000291452), "International Article
# Number" (4006381333931, 5901234123457, EAN-8 96385074), ISBN-13 9780306406157, and the GS1
# General Specifications GTIN-14 example 10012345678902.
VALID_GTINS = [
    "036000291452",
    "4006381333931",
    "5901234123457",
    "96385074",
    "9780306406157",
    "10012345678902",
]


@pytest.mark.parametrize("code", VALID_GTINS)
def test_published_gtins_are_valid(code: str) -> None:
    assert is_valid_gtin(code)
    assert gs1_check_digit(code[:-1]) == code[-1]


@pytest.mark.parametrize("code", VALID_GTINS)
def test_one_digit_corruption_fails(code: str) -> None:
    # Every single-digit change is caught by mod 10 with weights 3,1 (3 and 1 are prime to 10).
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                corrupted = code[:position] + digit + code[position + 1 :]
                assert not is_valid_gtin(corrupted), corrupted


@pytest.mark.parametrize(
    "code",
    [
        "",
        "03600029145",
        "0360002914521",
        "03600029145A",
        "036000291452 ",
        "123456789012345",
        "03600029145²",
    ],
)
def test_wrong_shapes_are_invalid(code: str) -> None:
    assert not is_valid_gtin(code)


def test_gtin12_and_gtin13_with_leading_zero_compare_equal() -> None:
    assert gtin_to_14("036000291452") == gtin_to_14("0036000291452") == "00036000291452"
    assert gtin_to_14("96385074") == "00000096385074"
    assert gtin_to_14("10012345678902") == "10012345678902"
    # Padding keeps the check digit valid: weights are anchored at the right.
    assert is_valid_gtin(gtin_to_14("036000291452"))


@pytest.mark.parametrize("code", ["", "12345", "0360002914ab", "123456789012345"])
def test_gtin_to_14_rejects_non_gtin_shapes(code: str) -> None:
    with pytest.raises(ValueError):
        gtin_to_14(code)


def test_make_gtin13() -> None:
    assert make_gtin13("400638133393") == "4006381333931"
    rng = random.Random(7)
    for _ in range(300):
        body = "".join(rng.choice("0123456789") for _ in range(12))
        assert is_valid_gtin(make_gtin13(body))
    with pytest.raises(ValueError):
        make_gtin13("40063813339")
    with pytest.raises(ValueError):
        make_gtin13("40063813339X")


def test_check_digit_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        gs1_check_digit("12A4")
