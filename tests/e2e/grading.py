"""A grader at the bench: answers whatever question has the focus, takes photos, finalizes,
reading the screen (the probe) before each key as a person looks before pressing."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tests.e2e.station import Snapshot, Station

MAX_ITEMS = 30  # more questions than any standard has: a focus that never leaves is a bug


def _focused_item(snapshot: Snapshot) -> str | None:
    focus = snapshot.get("focus") or {}
    return focus.get("item")


def open_by_scan(station: Station, code: str) -> Snapshot:
    """Scan a parcel's label and wait for its inspection, focus on the first question."""
    station.x.scan(code)
    return station.wait(lambda s: s.get("state") == "inspecting" and _focused_item(s),
                        f"{code} scanned: an inspection open, focus on its first question")  # fmt: skip


def answer_checklist(
    station: Station, keys: Mapping[str, str], typed: Mapping[str, str], default_key: str = "1"
) -> list[str]:
    """Answer item after item until the focus leaves the checklist: ``keys[code]`` is the key
    for a choice (``default_key`` otherwise), ``typed[code]`` is typed and Enter pressed.
    Returns the item codes in the order the focus took them."""
    answered: list[str] = []
    for _ in range(MAX_ITEMS):
        code = _focused_item(station.now())
        if code is None:
            return answered
        station.expect(code not in answered, f"the focus went back to {code}, answered already")
        if code in typed:
            station.x.type(typed[code], "Enter")
        else:
            station.x.key(keys.get(code, default_key))
        answered.append(code)
        station.wait(_moved_from(code), f"the focus to move on from {code} once answered")
    raise AssertionError(f"the checklist never ended: {answered}" + station.describe())


def _moved_from(code: str) -> Callable[[Snapshot], bool]:
    return lambda snapshot: _focused_item(snapshot) != code


def _more_photos_than(count: int) -> Callable[[Snapshot], bool]:
    return lambda snapshot: len(snapshot.get("photos") or []) > count


def take_photos(station: Station, count: int) -> None:
    """F7 ``count`` times, each time waiting for the photo to be recorded."""
    for _ in range(count):
        before = len(station.now().get("photos") or [])
        station.x.key("F7")
        station.wait(_more_photos_than(before), "F7 to record the next required photo")


def finalize(station: Station) -> Snapshot:
    """Once the bench says nothing is missing (the Finalize button enabled), F12."""
    station.wait(lambda s: s.get("can_finalize"), "the inspection complete (Finalize enabled)")
    inspection = station.now().get("inspection")
    station.x.key("F12")
    station.wait(lambda s: s.get("state") == "finalized", "F12 to record the verdict")
    return {"inspection": inspection}
