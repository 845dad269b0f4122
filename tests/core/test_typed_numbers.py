"""Typed numbers: the reader (any text gives a number or a refusal, never an exception), the
limits of a weight and a measurement, and the services refusing what the bench's form refuses
(the CLI and scripts call the services too)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from inspection_rules import Facts, StandardRegistry
from station.models import Finding, FindingKind, RmaLine, Sku, WeightReading
from station.services import inspections as svc
from station.services.common import InvalidState
from station.services.receiving import open_inspection, receive_parcel
from station.typed_numbers import (
    Refusal,
    judge_typed_measurement,
    judge_typed_weight,
    read_number,
    weight_allowance,
    weight_is_far,
)
from tests.factories import UPS, make_rma

# --- the reader ---------------------------------------------------------------------------


@given(st.text())
def test_any_text_is_a_finite_number_or_a_one_line_refusal(text: str) -> None:
    result = read_number(text, "Weight", "g")
    if isinstance(result, Refusal):
        assert result.message.startswith("Weight: ")
        assert "\n" not in result.message and len(result.message) < 120
    else:
        assert isinstance(result, float) and math.isfinite(result)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3), st.sampled_from(".,"))
def test_a_decimal_typed_with_a_point_or_a_comma_reads_as_itself(
    number: Decimal, point: str
) -> None:
    typed = format(number, "f").replace(".", point)
    assert read_number(typed, "Weight") == float(number)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("212,5", 212.5),
        ("212.5", 212.5),
        (" 212,5 g ", 212.5),  # the unit typed after the number
        ("212G", 212.0),
        ("２１２．５", 212.5),  # full-width, as a Chinese input method types it
        (",5", 0.5),
        ("+7", 7.0),
    ],
)
def test_what_a_person_types_as_a_number(typed: str, value: float) -> None:
    assert read_number(typed, "Weight", "g") == value


@pytest.mark.parametrize(
    "typed",
    # float() takes every one of these; none is a number a grader means.
    ["abc", "NaN", "nan", "inf", "-Infinity", "1e9", "1E3", "1_000", "1,234.5", "0x10",
     "٣", "12 kg", "", "   ", "--5", "5-"],
)  # fmt: skip
def test_what_is_not_a_typed_number(typed: str) -> None:
    result = read_number(typed, "Weight", "g")
    assert isinstance(result, Refusal), result
    if typed.strip():
        assert typed.strip() in result.message  # the message names what was typed


def test_hundreds_of_digits_are_refused_not_infinite() -> None:
    assert isinstance(read_number("9" * 400, "Weight"), Refusal)


# --- weights ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-5", "-5 g is a negative weight"),
        ("0", "0 g is an empty scale"),
        ("0,0", "0 g is an empty scale"),
        ("31000", "31000 g is over the scale's capacity of 30000 g"),
    ],
)
def test_a_typed_weight_outside_the_scale_is_refused(typed: str, words: str) -> None:
    judged = judge_typed_weight(typed, capacity_g=30_000, expected_g=210, allowance_g=40)
    assert judged.refusal is not None and words in judged.refusal
    assert judged.refusal.startswith("Weight: ")
    assert not judged.recordable


def test_a_typed_weight_is_far_by_the_standards_own_tolerance(shipped_standards) -> None:
    """Far (ask first) exactly where the verdict flags the weight out of tolerance."""
    for standard in shipped_standards.values():
        policy = standard.spec.weight
        allowance = weight_allowance(210.0, policy.tolerance_g, policy.tolerance_percent)
        if allowance is None:
            continue
        for grams in (1.0, 150.0, 169.0, 170.0, 209.0, 210.0, 249.0, 250.0, 251.0, 2100.0):
            evaluation = standard.evaluate(
                Facts(weight_g=grams, weight_stable=True, expected_weight_g=210.0)
            )
            flagged = "WEIGHT_OUT_OF_TOLERANCE" in evaluation.warnings
            assert weight_is_far(grams, 210.0, allowance) is flagged, (standard.id, grams)


def test_without_a_tolerance_a_factor_of_two_is_far() -> None:
    assert not weight_is_far(400.0, 250.0, None)
    assert weight_is_far(501.0, 250.0, None) and weight_is_far(124.0, 250.0, None)
    assert not weight_is_far(5000.0, None, None)  # nothing expected: nothing to be far from


# --- measurements -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-5", "-5 cm cannot be measured: type a value above zero"),
        ("0", "0 cm cannot be measured: type a value above zero"),
        ("600", "600 cm is more than ten times the expected 52 cm"),
        ("5", "5 cm is less than a tenth of the expected 52 cm"),
        ("NaN", "“NaN” is not a number"),
    ],
)
def test_a_measurement_that_cannot_be_is_refused(typed: str, words: str) -> None:
    judged = judge_typed_measurement(typed, field="Chest", unit="cm", expected=52, allowed=2.08)
    assert judged.refusal == f"Chest: {words}"


def test_a_measurement_far_beyond_the_tolerance_asks_first() -> None:
    def far(typed: str) -> bool:
        return judge_typed_measurement(
            typed, field="Chest", unit="cm", expected=52, allowed=2.0
        ).far

    assert not far("53,5") and not far("46")  # off-spec is a finding, not a slip
    assert far("25") and far("62")  # swapped or slipped digits


# --- the services refuse the same ---------------------------------------------------------


@pytest.fixture
def knitwear(shipped_standards) -> StandardRegistry:
    return StandardRegistry([shipped_standards["knitwear"]])


@pytest.fixture
def sweater(db, actor, knitwear, catalog):
    """An open knitwear inspection of a sweater whose spec has a 52 cm chest."""
    with db.write() as session:
        session.execute(
            update(Sku)
            .where(Sku.code == "SW-MERINO-M")
            .values(spec={"measurements": {"chest_width_cm": 52}})
        )
    make_rma(db, "RMA-1", tracking=UPS)
    parcel = receive_parcel(db, actor, UPS, "RMA-1")
    with db.read() as session:
        line_id = session.scalar(select(RmaLine.id))
    return open_inspection(db, actor, knitwear, parcel.id, line_id)


@pytest.mark.parametrize(
    ("grams", "words"),
    [
        (float("nan"), "is not a number"),
        (float("inf"), "is not a number"),
        ("abc", "“abc” is not a number"),
        (0, "0 g is an empty scale"),
        (-3, "negative weight"),
        (1e9, "over the scale's capacity of 30000 g"),
    ],
)
def test_the_service_refuses_a_weight_that_cannot_be(db, actor, sweater, grams, words) -> None:
    with pytest.raises(InvalidState, match=words):
        svc.record_weight(
            db, actor, sweater.id, grams, stable=True, device="typed", capacity_g=30_000
        )
    with db.read() as session:
        assert session.scalars(select(WeightReading)).all() == []


def test_the_service_reads_a_typed_weight_as_the_bench_does(db, actor, sweater) -> None:
    view = svc.record_weight(db, actor, sweater.id, "212,5", stable=True, device="typed")  # type: ignore[arg-type]
    assert view.weight_g == 212.5


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (float("nan"), "is not a number"),
        (-5.0, "-5 cm cannot be measured"),
        (0.0, "0 cm cannot be measured"),
        (600.0, "600 cm is more than ten times the expected 52 cm"),
    ],
)
def test_the_service_refuses_a_measurement_that_cannot_be(
    db, actor, knitwear, sweater, value, words
) -> None:
    with pytest.raises(InvalidState, match=words) as refused:
        svc.record_measurement(
            db, actor, sweater.id, "chest_width", value, "cm", standards=knitwear
        )
    assert str(refused.value).startswith("Chest width")  # the item's label names the field
    with db.read() as session:
        kinds = session.scalars(select(Finding.kind)).all()
    assert FindingKind.MEASUREMENT.value not in kinds


def test_the_service_records_an_off_spec_measurement(db, actor, knitwear, sweater) -> None:
    view = svc.record_measurement(
        db, actor, sweater.id, "chest_width", 46.0, "cm", standards=knitwear
    )
    assert view.measurements["chest_width"] == (46.0, "cm")
