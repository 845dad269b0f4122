"""A carrier barcode finds the RMA stored under the number printed for humans on the same label.

Through ``resolve_scan`` and a real SQLite database: upstream stored the 12-digit FedEx
number, the 15-digit FedEx Ground number, the IMpb or the SSCC; the grader's scanner reads the
barcode. The barcodes are built from published numbers (see tests/devices/
test_tracking_formats.py, which checks both check digits of each pair independently).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station.services.scanning import ScanError, ScanKind, resolve_scan
from tests.devices.test_tracking_formats import (
    FEDEX_12,
    FEDEX_34_HEAD,
    FEDEX_GROUND_15,
    FEDEX_GSN_HEAD,
    astra_from_12,
    fedex_34_from_12,
    fedex_96_from_15,
)
from tests.factories import make_rma

EXPRESS = FEDEX_12[0]  # 986578788855, fedex.json
GROUND = FEDEX_GROUND_15[0]  # 041441760228964, fedex.json
IMPB = "9400111206206406260787"  # usps.json, published with its 420 + ZIP form below
SSCC = "000123450000000027"  # fedex.json, FedEx Ground SSCC-18


@pytest.fixture
def rmas(db, catalog):
    make_rma(db, "RMA-NK-000301", tracking=EXPRESS)
    make_rma(db, "RMA-NK-000302", tracking=GROUND)
    make_rma(db, "RMA-NK-000303", tracking=IMPB)
    make_rma(db, "RMA-NK-000304", tracking="00" + SSCC)  # registered as a GS1 element string
    return catalog


@pytest.mark.parametrize(
    ("barcode", "fmt"),
    [
        (fedex_34_from_12(EXPRESS, FEDEX_34_HEAD), "fedex_34"),
        (fedex_34_from_12(EXPRESS, FEDEX_GSN_HEAD), "fedex_ground_gsn"),
        (astra_from_12(EXPRESS), "fedex_astra_32"),
    ],
    ids=["34", "gsn34", "astra32"],
)
def test_fedex_barcode_finds_the_12_digit_number(db, rmas, barcode: str, fmt: str) -> None:
    result = resolve_scan(db, barcode)
    assert result.kind is ScanKind.TRACKING
    assert result.rma is not None and result.rma.number == "RMA-NK-000301"
    assert (result.carrier, result.format, result.valid) == ("fedex", fmt, True)


def test_fedex_96_barcode_finds_the_15_digit_ground_number(db, rmas) -> None:
    result = resolve_scan(db, fedex_96_from_15(GROUND))
    assert result.rma is not None and result.rma.number == "RMA-NK-000302"
    assert result.format == "fedex_ground_96"


@pytest.mark.parametrize("label", ["420787459400111206206406260787", "]C1420787451234\x1d" + IMPB])
def test_usps_420_zip_label_finds_the_impb(db, rmas, label: str) -> None:
    result = resolve_scan(db, label)
    assert result.rma is not None and result.rma.number == "RMA-NK-000303"
    assert (result.carrier, result.normalized) == ("usps", IMPB)


@pytest.mark.parametrize("scan", [SSCC, "00" + SSCC, "]C100" + SSCC, "00 0123 4500 0000 0027"])
def test_sscc_finds_the_rma_stored_under_it(db, rmas, scan: str) -> None:
    result = resolve_scan(db, scan)
    assert result.rma is not None and result.rma.number == "RMA-NK-000304", scan


def test_sscc_stored_bare_is_found_by_the_gs1_form_too(db, catalog) -> None:
    make_rma(db, "RMA-NK-000305", tracking=SSCC)
    for scan in (SSCC, "00" + SSCC):
        result = resolve_scan(db, scan)
        assert result.rma is not None and result.rma.number == "RMA-NK-000305", scan


def test_an_ambiguous_code_is_reported_as_what_upstream_stored(db, catalog) -> None:
    # usps.json: a 420 + ZIP9 + IMpb label that FedEx 34's loose shape also accepts; its
    # last 12 digits pass the FedEx 12 check. Stored as that FedEx number, it is found, and
    # reported as FedEx; unstored, the USPS reading comes first.
    label = "4201028200009261290113185417468510"
    alone = resolve_scan(db, label)
    assert (alone.carrier, alone.format, alone.rma) == ("usps", "usps_impb_c", None)
    make_rma(db, "RMA-NK-000306", tracking=label[-12:])
    found = resolve_scan(db, label)
    assert found.rma is not None and found.rma.number == "RMA-NK-000306"
    assert (found.carrier, found.format) == ("fedex", "fedex_34")


def test_barcode_without_a_stored_parcel_is_a_blind_return_with_its_carrier(db, rmas) -> None:
    other = "799531274483"  # another published FedEx 12
    result = resolve_scan(db, fedex_34_from_12(other, FEDEX_34_HEAD))
    assert result.kind is ScanKind.TRACKING and result.rma is None
    assert (result.carrier, result.valid, result.check_digit) == ("fedex", True, True)


def test_valid_and_check_digit_in_the_result(db, rmas) -> None:
    amazon = resolve_scan(db, "TBA502887274000")  # amazon.json: no check digit
    assert (amazon.carrier, amazon.valid, amazon.check_digit) == ("amazon", True, False)
    ups = resolve_scan(db, "1Z5R89390357567127")
    assert (ups.valid, ups.check_digit) == (True, True)
    wrong = resolve_scan(db, "1Z5R89390357567128")
    assert (wrong.valid, wrong.check_digit) == (False, True)
    assert wrong.message and "check digit" in wrong.message  # the bench asks for a rescan


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.one_of(
        st.text(),
        st.text(alphabet="0123456789 \x1d\x00]C1420-#AZ", max_size=60),
        st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=30), st.integers(1, 2000)),
    )
)
def test_resolve_scan_never_raises_on_arbitrary_text(db, rmas, text: str) -> None:
    try:
        result = resolve_scan(db, text)
    except ScanError as error:  # an empty scan: a clear one-line error, on purpose
        assert str(error) and "\n" not in str(error)
        return
    assert isinstance(result.kind, ScanKind)
