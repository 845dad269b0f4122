"""Scan resolution for every kind of code a grader may scan."""

from __future__ import annotations

import pytest

from station.services import inspections as svc
from station.services.receiving import open_inspection, receive_parcel
from station.services.scanning import ScanError, ScanKind, resolve_scan
from tests.factories import UPS, make_rma

USPS = "9405803699300124287899"  # tracking_number_data usps.json, USPS IMpb N


@pytest.fixture
def rmas(db, catalog):
    make_rma(db, "RMA-NK-000123", tracking=UPS, order_id="#1043")
    make_rma(
        db,
        "RMA-NK-000124",
        order_id="114-1234567-1234567",
        skus=(("EB-PRO-2", 1), ("SW-MERINO-M", 1)),
    )
    return catalog


def test_rma_number_matches_however_it_was_typed(db, rmas):
    result = resolve_scan(db, "  rma-nk-000123 \n")
    assert result.kind is ScanKind.RMA
    assert result.normalized == "RMA-NK-000123"
    assert result.rma is not None and result.rma.number == "RMA-NK-000123"
    assert result.rma.seller_code == "NORDKNIT"
    assert [line.sku for line in result.rma.lines] == ["SW-MERINO-M"]


def test_tracking_number_with_spaces_and_aim_prefix(db, rmas):
    result = resolve_scan(db, "]C0" + "1z 999 aa1 0123 4567 84")
    assert result.kind is ScanKind.TRACKING
    assert result.carrier == "ups" and result.valid is True
    assert result.rma is not None and result.rma.number == "RMA-NK-000123"


def test_order_ids(db, rmas):
    assert resolve_scan(db, "114-1234567-1234567").rma.number == "RMA-NK-000124"
    shopify = resolve_scan(db, "1043")
    assert shopify.kind is ScanKind.ORDER and shopify.rma.number == "RMA-NK-000123"


def test_gtin_matches_only_a_single_open_rma(db, rmas):
    earbuds = rmas["EB-PRO-2"]
    result = resolve_scan(db, earbuds)
    assert result.kind is ScanKind.GTIN and result.rma.number == "RMA-NK-000124"
    sweater = resolve_scan(db, rmas["SW-MERINO-M"])
    assert sweater.kind is ScanKind.GTIN
    assert sweater.rma is None and set(sweater.candidates) == {"RMA-NK-000123", "RMA-NK-000124"}
    # EAN-13 stored, GTIN-14 scanned (leading zero): the same number.
    assert resolve_scan(db, "0" + earbuds).rma.number == "RMA-NK-000124"


def test_lpn_after_finalize(db, rmas, actor, standards):
    parcel = receive_parcel(db, actor, UPS, "RMA-NK-000123")
    rma = resolve_scan(db, "RMA-NK-000123").rma
    inspection = open_inspection(db, actor, standards, parcel.id, rma.lines[0].id)
    for code, value in {
        "item_matches": True,
        "packaging": "sealed",
        "condition": "new",
        "complete": True,
    }.items():
        svc.record_answer(db, actor, standards, inspection.id, code, value)
    svc.record_weight(db, actor, inspection.id, 420, stable=True, device="sim")
    lpn = svc.finalize_inspection(db, actor, standards, inspection.id).lpn

    result = resolve_scan(db, lpn.lower())
    assert result.kind is ScanKind.LPN and result.rma.number == "RMA-NK-000123"
    assert result.rma.lines[0].qty_received == 1
    corrupted = lpn[:-1] + ("0" if lpn[-1] != "0" else "1")
    bad = resolve_scan(db, corrupted)
    assert bad.kind is ScanKind.LPN and bad.valid is False and bad.rma is None


def test_unmatched_tracking_is_a_blind_return_with_its_carrier(db, rmas):
    result = resolve_scan(db, "RB123456785GB")  # tracking_number_data s10.json
    assert result.kind is ScanKind.TRACKING and result.rma is None
    assert result.carrier == "s10" and result.operator == "royal_mail" and result.valid is True
    usps = resolve_scan(db, "420 90210 " + USPS)  # GS1-128 form: AI 420 + ZIP, then IMpb
    assert usps.kind is ScanKind.TRACKING and usps.normalized == USPS
    assert usps.carrier == "usps" and usps.valid is True
    with_separator = resolve_scan(db, "]C1420" + "90210" + "\x1d" + USPS)  # as a scanner sends it
    assert with_separator.normalized == USPS and with_separator.valid is True


def test_wrong_check_digit_is_reported(db, rmas):
    result = resolve_scan(db, UPS[:-1] + "5")
    assert result.kind is ScanKind.TRACKING and result.valid is False
    assert result.message and "check digit" in result.message


def test_unknown_and_empty(db, rmas):
    result = resolve_scan(db, "HELLO WORLD")
    assert result.kind is ScanKind.UNKNOWN and result.normalized == "HELLOWORLD"
    assert result.rma is None
    with pytest.raises(ScanError):
        resolve_scan(db, "   ")
