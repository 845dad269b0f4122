"""A knitwear return inspected from scan to verdict at a person's pace, and a typed weight
that is not a number."""

from __future__ import annotations

import uuid

from tests.e2e import returns
from tests.e2e.grading import answer_checklist, finalize, open_by_scan, take_photos
from tests.e2e.station import Station

# NORDKNIT's standard (inspection_rules/standards/sellers/nordknit-knitwear.yaml): "grade 3 or
# worse needs de-pilling (D)", and a D needs a close-up besides the front photo (knitwear.yaml,
# photos.by_grade). Key 3 is pilling grade 3 whether the keys count the buttons (5, 4, 3, 2, 1)
# or name the grade. Everything else as new: 1 (yes / the first choice), odour "No" (2).
PILLING_3 = {"pilling_grade": "3", "odour": "2"}
SCARF_AS_SPECIFIED = {"scarf_length": "180", "scarf_width": "30"}  # the SKU's 180 x 30 cm


def test_full_knitwear_inspection_at_a_persons_pace_records_the_standards_grade(
    station: Station,
) -> None:
    station.sign_in()
    open_by_scan(station, returns.FEDEX_12_SCARF)
    answered = answer_checklist(station, PILLING_3, SCARF_AS_SPECIFIED)
    station.expect({"pilling_grade", "scarf_length", "scarf_width"} <= set(answered),
                   f"the pilling grade and both measurements asked; asked {answered}")  # fmt: skip
    take_photos(station, 2)  # front, then the close-up the grade asks for
    inspection = uuid.UUID(finalize(station)["inspection"]).hex

    verdicts = station.query("SELECT grade FROM verdicts WHERE inspection_id = ?", (inspection,))
    station.expect(verdicts == [("D",)], f"one verdict, grade D; found {verdicts}")
    measured = dict(station.query(
        "SELECT item_code, value FROM findings WHERE inspection_id = ? AND kind = 'measurement'",
        (inspection,)))  # fmt: skip
    station.expect(measured == {"scarf_length": 180.0, "scarf_width": 30.0},
                   f"the measurements as typed; recorded {measured}")  # fmt: skip
    weights = station.query(
        "SELECT grams, stable FROM weight_readings WHERE inspection_id = ?", (inspection,)
    )
    station.expect(weights and all(stable for _g, stable in weights),
                   f"the simulated scale's stable weight recorded; found {weights}")  # fmt: skip
    roles = sorted(r for (r,) in station.query(
        "SELECT role FROM photos WHERE inspection_id = ?", (inspection,)))  # fmt: skip
    station.expect(roles == ["defect_closeup", "front"], f"two photos; found {roles}")


def test_typed_weight_abc_is_refused_and_nothing_recorded(start_station) -> None:
    # The scale records nothing by itself here (only on F6): whatever is recorded was typed.
    station = start_station("[scale]\nauto_record_min_g = 0\n")
    station.sign_in()
    opened = open_by_scan(station, returns.FEDEX_12_SCARF)
    inspection = uuid.UUID(opened["inspection"]).hex
    box = opened["widgets"].get("weight_input")
    station.expect(box, "the typed-weight box on the screen")
    station.x.click_centre(box)
    station.wait(lambda s: (s.get("focus") or {}).get("on") == "weight_input",
                 "a click on the typed-weight box to give it the focus")  # fmt: skip
    seen = station.now()["seq"]
    station.x.key("a", "ctrl")  # whatever the box holds is replaced by what is typed
    station.x.type("abc", "Enter")

    def refused_or_recorded(snapshot: dict) -> bool:
        said = snapshot.get("problems") or (snapshot.get("message") or {}).get("level") in (
            "warning", "error")  # fmt: skip
        return bool(said and snapshot["seq"] > seen) or bool(_weights(station, inspection))

    station.wait(refused_or_recorded, '"abc" + Enter refused with a message, or recorded')
    weights = _weights(station, inspection)
    station.expect(not weights, f'nothing recorded for "abc"; recorded {weights}')
    shown = station.now()
    station.expect(shown.get("problems") or shown["message"]["level"] in ("warning", "error"),
                   "the refusal said on the screen")  # fmt: skip
    station.expect(not opened.get("typed_weight"),
                   f"the typed-weight box empty when the unit opened, not "
                   f"{opened.get('typed_weight')!r} typed in for the grader")  # fmt: skip


def _weights(station: Station, inspection: str) -> list[tuple[object, ...]]:
    return station.query(
        "SELECT grams, device FROM weight_readings WHERE inspection_id = ?", (inspection,)
    )
