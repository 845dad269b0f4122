from __future__ import annotations

from pathlib import Path

import pytest

from inspection_rules import StandardRegistry
from station.db import Database
from station.photos import PhotoStore
from station.services.common import Actor
from tests.factories import make_catalog


@pytest.fixture
def actor() -> Actor:
    return Actor(station_id="BENCH-T1", site_id="WH-TEST")


@pytest.fixture
def standards(general_registry: StandardRegistry) -> StandardRegistry:
    return general_registry


@pytest.fixture
def photos(data_dir: Path) -> PhotoStore:
    return PhotoStore(data_dir / "photos")


@pytest.fixture
def catalog(db: Database) -> dict[str, str]:
    return make_catalog(db)
