"""A parcel with three units: F8 after each verdict goes on to a unit not yet received."""

from __future__ import annotations

import uuid

from tests.e2e import returns
from tests.e2e.grading import answer_checklist, finalize, take_photos
from tests.e2e.station import Station
from tests.e2e.test_inspection import PILLING_3


def _open_unit(station: Station, after: str) -> str:
    """Wait for the next unit's inspection, picking the line with Enter when the bench asks
    which one (the line it offers); returns the inspection's id."""
    snap = station.wait(lambda s: s.get("state") in ("inspecting", "choose_line"),
                        f"{after}: the next unit opened, or its line offered")  # fmt: skip
    if snap["state"] == "choose_line":
        station.x.key("Enter")
    opened = station.wait(lambda s: s.get("state") == "inspecting" and (s.get("focus") or {}).get("item"),
                          f"{after}: an inspection open, focus on its first question")  # fmt: skip
    return uuid.UUID(opened["inspection"]).hex


def _line_of(station: Station, inspection: str) -> str:
    return str(
        station.query("SELECT rma_line_id FROM inspections WHERE id = ?", (inspection,))[0][0]
    )


def test_f8_opens_each_unit_not_yet_received_never_a_finished_one(station: Station) -> None:
    station.sign_in()
    lines = {str(line_id) for (line_id,) in station.query(
        "SELECT l.id FROM rma_lines l JOIN rmas r ON r.id = l.rma_id WHERE r.number = ?",
        (returns.RMA_THREE_UNITS,))}  # fmt: skip
    station.expect(len(lines) == 3, f"three lines on {returns.RMA_THREE_UNITS}, found {lines}")
    station.x.scan(returns.FEDEX_12_THREE)
    finished: list[str] = []
    for unit in range(3):
        after = "the parcel scanned" if unit == 0 else f"F8 after verdict {unit}"
        inspection = _open_unit(station, after)
        line = _line_of(station, inspection)
        station.expect(line not in finished,
                       f"{after}: a line not yet received, but it opened {line}, finished "
                       f"already ({finished})")  # fmt: skip
        answer_checklist(station, PILLING_3, {})
        take_photos(station, 2)
        finalize(station)
        finished.append(line)
        if unit < 2:
            station.x.key("F8")

    verdicts = station.query(
        "SELECT i.rma_line_id FROM verdicts v JOIN inspections i ON i.id = v.inspection_id "
        "JOIN rma_lines l ON l.id = i.rma_line_id JOIN rmas r ON r.id = l.rma_id "
        "WHERE r.number = ?", (returns.RMA_THREE_UNITS,))  # fmt: skip
    station.expect(sorted(str(v) for (v,) in verdicts) == sorted(lines),
                   f"three verdicts, one per line; found {verdicts} for lines {lines}")  # fmt: skip
