"""Scanning as a USB keyboard-wedge scanner types: 3-8 ms between keys, Shift pressed and
released around every capital letter, Enter at the end; through the X server, into the
real window."""

from __future__ import annotations

from tests.e2e import returns
from tests.e2e.screen import blind_prompt_pixels
from tests.e2e.station import Snapshot, Station

OPENED = ("inspecting", "choose_line")


def _scanned(station: Station, code: str) -> tuple[int, Snapshot]:
    """Scan ``code``; wait until the bench has done something with it (opened a return or
    said no return matches)."""
    before = station.now()["seq"]
    station.x.scan(code)
    after = station.wait(lambda s: s["seq"] > before and s.get("state") in (*OPENED, "blind_prompt"),
                         f"the bench to open a return, or say none matches, for {code}")  # fmt: skip
    return before, after


def _parcels_of(station: Station, rma_number: str) -> list[tuple[object, ...]]:
    return station.query(
        "SELECT p.scanned_code, p.tracking_number, p.carrier, p.is_blind FROM parcels p "
        "JOIN rmas r ON r.id = p.rma_id WHERE r.number = ?", (rma_number,))  # fmt: skip


def test_rma_number_with_capitals_scanned_opens_the_rma_and_leaves_nothing_behind(
    station: Station,
) -> None:
    station.sign_in()
    before, after = _scanned(station, returns.RMA_CAPITALS)
    seen = station.since(before)
    station.expect(after["state"] in OPENED and after.get("rma") == returns.RMA_CAPITALS,
                   f"{returns.RMA_CAPITALS} opened; the bench is {after['state']} on "
                   f"{after.get('rma')}, the scan field holding {after['scan_field']!r}")  # fmt: skip
    parcels = _parcels_of(station, returns.RMA_CAPITALS)
    station.expect(len(parcels) == 1, f"one parcel received for the RMA, found {parcels}")
    drafts = station.query(
        "SELECT i.status FROM inspections i JOIN parcels p ON p.id = i.parcel_id "
        "JOIN rmas r ON r.id = p.rma_id WHERE r.number = ?", (returns.RMA_CAPITALS,))  # fmt: skip
    station.expect(drafts == [("draft",)], f"one inspection draft, found {drafts}")
    left = [s["scan_field"] for s in seen if s.get("scan_field")]
    station.expect(not left, f"nothing of the scan in the scan field, but it showed {left}")
    blind = [s["message"]["text"] for s in seen if s.get("state") == "blind_prompt"]
    station.expect(not blind, f"no blind-return prompt, but the bench said {blind}")
    shot = station.screenshot("opened")
    station.expect(blind_prompt_pixels(shot) == 0, f"no blind-return orange on the screen ({shot})")


def test_esc_clears_the_scan_field(station: Station) -> None:
    station.sign_in()
    station.x.type("RMA-NK")  # a person starts typing a code by hand
    station.wait(lambda s: s.get("scan_field") == "RMA-NK", "the typed text in the scan field")
    station.x.key("Esc")
    station.wait(lambda s: s.get("scan_field") == "", "Esc to clear the scan field")


def test_ups_tracking_number_scanned_opens_its_rma(station: Station) -> None:
    station.sign_in()
    _before, after = _scanned(station, returns.UPS)
    station.expect(after.get("rma") == returns.RMA_CAPITALS,
                   f"the UPS number to open {returns.RMA_CAPITALS}; the bench is "
                   f"{after['state']}, the scan field holding {after['scan_field']!r}")  # fmt: skip
    parcels = _parcels_of(station, returns.RMA_CAPITALS)
    station.expect(parcels == [(returns.UPS, returns.UPS, "ups", 0)],
                   f"the parcel received with its UPS number, found {parcels}")  # fmt: skip


def test_fedex_barcode_finds_the_rma_stored_under_the_printed_number(station: Station) -> None:
    station.sign_in()
    _before, after = _scanned(station, returns.FEDEX_34)
    station.expect(after.get("rma") == returns.RMA_FEDEX_BARCODE,
                   f"the 34-digit FedEx barcode to open {returns.RMA_FEDEX_BARCODE}, stored "
                   f"under {returns.FEDEX_34_PRINTED}; the bench is {after['state']}, saying "
                   f"{after['message']['text']!r}")  # fmt: skip
    parcels = _parcels_of(station, returns.RMA_FEDEX_BARCODE)
    station.expect(len(parcels) == 1 and parcels[0][2] == "fedex" and not parcels[0][3],
                   f"one FedEx parcel received for the RMA, found {parcels}")  # fmt: skip
