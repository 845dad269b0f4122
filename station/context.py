"""The application context: built once (by main.py or the CLI) and passed down.

Nothing else in the station constructs engines, stores or device handles; services receive
what they need from here as arguments.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from devices.registry import DeviceSet, build_devices
from inspection_rules import StandardRegistry
from station.db import Database, UpgradeResult, upgrade_database
from station.file_modes import secure_data_dir
from station.i18n import set_language
from station.photos import PhotoStore
from station.services.common import Actor
from station.settings import Settings
from station.standards import StandardsLoad, load_registry

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    standards: StandardRegistry
    photos: PhotoStore
    devices: DeviceSet
    actor: Actor
    upgrade: UpgradeResult | None = None
    standards_load: StandardsLoad | None = None

    @classmethod
    def build(cls, settings: Settings, *, migrate: bool = True) -> AppContext:
        secure_data_dir(settings.data_dir)  # 0700: it holds secrets (station.file_modes)
        set_language(settings.language)
        upgrade = None
        if migrate:
            upgrade = upgrade_database(settings.effective_database_url, settings.backup_dir)
        db = Database.open(settings.effective_database_url)
        standards_load = load_registry(db, settings.standards_dirs, station_id=settings.station_id)
        return cls(
            settings=settings,
            db=db,
            standards=standards_load.registry,
            standards_load=standards_load,
            photos=PhotoStore(settings.photo_dir),
            devices=build_devices(
                simulate=settings.simulate,
                scanner=settings.scanner,
                scale=settings.scale,
                camera=settings.camera,
                printer=settings.printer,
                spool_dir=settings.data_dir / "spool",
            ),
            actor=Actor(station_id=settings.station_id, site_id=settings.site_id),
            upgrade=upgrade,
        )

    def close(self) -> None:
        self.devices.close()
        self.db.dispose()
