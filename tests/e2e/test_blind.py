"""A parcel no RMA matches, received as a blind return: identified by its item's GTIN,
photographed whole, judged and recorded."""

from __future__ import annotations

import uuid

from tests.e2e import returns
from tests.e2e.grading import answer_checklist, finalize, take_photos
from tests.e2e.station import Snapshot, Station
from tests.e2e.test_inspection import PILLING_3

MAX_PHOTOS = 4


def _photo_missing(snapshot: Snapshot) -> bool:
    return any(label.startswith("Photo") for label in snapshot.get("missing") or [])


def test_blind_return_identified_by_gtin_photographed_and_finalized(station: Station) -> None:
    station.sign_in()
    sku_id, gtin = station.query("SELECT id, gtin FROM skus WHERE code = ?", (returns.SCARF_RUST,))[
        0
    ]
    station.x.scan(returns.FEDEX_12_UNKNOWN)
    station.wait(lambda s: s.get("state") == "blind_prompt",
                 f"{returns.FEDEX_12_UNKNOWN} matches no RMA: the blind-return prompt")  # fmt: skip
    station.x.key("b", "ctrl")
    opened = station.wait(lambda s: s.get("state") == "inspecting" and s.get("inspection"),
                          "Ctrl+B to receive the parcel blind and open its inspection")  # fmt: skip
    inspection = uuid.UUID(opened["inspection"]).hex

    station.x.scan(gtin)  # the item's own barcode
    station.wait_db("SELECT 1 FROM inspections WHERE id = ? AND sku_id = ?", (inspection, sku_id),
                    f"the item identified as {returns.SCARF_RUST} by its GTIN {gtin}")  # fmt: skip
    # Scan-first: with the item known, the keys go on to the first question (no mouse).
    station.wait(lambda s: (s.get("focus") or {}).get("item"),
                 "the focus on the checklist's first question once the GTIN identified the "
                 "item (a grader without a mouse goes on from there)")  # fmt: skip
    answer_checklist(station, PILLING_3, {})
    take_photos(station, 1)  # the overview: the whole item, as received
    for _ in range(MAX_PHOTOS):
        if not _photo_missing(station.now()):
            break
        take_photos(station, 1)
    finalize(station)

    parcels = station.query(
        "SELECT p.is_blind, p.rma_id, p.tracking_number FROM parcels p "
        "JOIN inspections i ON i.parcel_id = p.id WHERE i.id = ?", (inspection,))  # fmt: skip
    station.expect(parcels == [(1, None, returns.FEDEX_12_UNKNOWN)],
                   f"a blind parcel under the scanned number, found {parcels}")  # fmt: skip
    verdicts = station.query("SELECT grade FROM verdicts WHERE inspection_id = ?", (inspection,))
    station.expect(len(verdicts) == 1, f"one verdict for the blind unit, found {verdicts}")
    roles = [r for (r,) in station.query("SELECT role FROM photos WHERE inspection_id = ?",
                                         (inspection,))]  # fmt: skip
    station.expect("overview" in roles, f"an overview photo, found {roles}")
