"""The station on a seller report is named as people know it ("Bench 3 · LAX-1 Los Angeles").

An inspection row records only its station's id (a host name by default); the bench's settings
give that id a name and a warehouse. Only this bench knows its own name, so another bench's
inspections keep their id.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspection_rules import StandardRegistry
from station.photos import PhotoStore
from station.services.common import Actor
from station.services.reports import inspection_report_pdf
from station.settings import Settings, find_problems, load_settings, save_settings
from tests.labels.test_report_words import inspect, text_of

BENCH = Actor(station_id="BENCH-T1")  # nobody signed in: the audit shows the station


@pytest.fixture
def registry(shipped_standards) -> StandardRegistry:
    return StandardRegistry(shipped_standards.values())


@pytest.fixture
def photos(data_dir: Path) -> PhotoStore:
    return PhotoStore(data_dir / "photos")


def _station_line(text: str) -> str:
    start = text.index("Station ") + len("Station ")
    return text[start : text.index(" Grader", start)]


def test_settings_name_the_bench_and_its_warehouse(tmp_path):
    defaults = Settings(data_dir=tmp_path)
    assert (defaults.station_name, defaults.warehouse) == ("", "")
    (tmp_path / "settings.toml").write_text(
        'station_id = "BENCH-T1"\nstation_name = "Bench 3"\nwarehouse = "LAX-1 Los Angeles"\n',
        encoding="utf-8",
    )
    loaded = load_settings(tmp_path)
    assert (loaded.station_name, loaded.warehouse) == ("Bench 3", "LAX-1 Los Angeles")
    assert find_problems(loaded) == []
    save_settings(loaded)
    assert load_settings(tmp_path) == loaded


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("station_name", "Bench\n3"),
        ("station_name", "   "),
        ("station_name", "B" * 65),
        ("warehouse", "LAX-1\tLos Angeles"),
        ("warehouse", "W" * 65),
    ],
)
def test_names_that_cannot_be_printed_are_refused(tmp_path, key, value):
    settings = Settings(data_dir=tmp_path, station_id="BENCH-T1", **{key: value})
    assert [problem.key for problem in find_problems(settings)] == [key]


def test_names_at_the_limit_are_fine(tmp_path):
    settings = Settings(data_dir=tmp_path, station_name="B" * 64, warehouse="深圳 1 号仓")
    assert find_problems(settings) == []


def test_report_names_this_bench_and_its_warehouse(db, registry, photos, tmp_path):
    inspection_id = inspect(db, registry, photos, actor=BENCH)
    here = Settings(
        data_dir=tmp_path,
        station_id="BENCH-T1",
        station_name="Bench 3",
        warehouse="LAX-1 Los Angeles",
    )
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, station=here))
    assert _station_line(text) == "Bench 3 · LAX-1 Los Angeles"
    # Steps nobody was signed in for are the station's: named the same way.
    audit = text[text.index("Audit trail") :]
    assert "Bench 3 · LAX-1 Los Angeles Inspection started" in audit


def test_without_a_name_the_station_id_stands_for_it(db, registry, photos, tmp_path):
    inspection_id = inspect(db, registry, photos, actor=BENCH)
    only_warehouse = Settings(data_dir=tmp_path, station_id="BENCH-T1", warehouse="LAX-1")
    text = text_of(
        inspection_report_pdf(db, registry, photos, inspection_id, station=only_warehouse)
    )
    assert _station_line(text) == "BENCH-T1 · LAX-1"


def test_another_benchs_inspection_keeps_its_id(db, registry, photos, tmp_path):
    inspection_id = inspect(db, registry, photos, actor=BENCH)
    elsewhere = Settings(
        data_dir=tmp_path, station_id="BENCH-T2", station_name="Bench 4", warehouse="LAX-1"
    )
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, station=elsewhere))
    assert _station_line(text) == "BENCH-T1"
    assert "Bench 4" not in text
