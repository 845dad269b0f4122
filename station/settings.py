"""The station's settings: one declared, typed place.

Resolution order for the data dir: explicit ``--data-dir``, then ``STATION_DATA_DIR``, then the
platform's user data dir. Optional ``settings.toml`` in the data dir overrides the defaults below;
unknown keys are an error that names the file, so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from devices.config import CameraConfig, CodePatterns, PrinterConfig, ScaleConfig, ScannerConfig
from labels.config import LabelsConfig
from station.sync.config import SyncConfig

APP_NAME = "returns-station"
SETTINGS_FILE = "settings.toml"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None
    site_id: str = "WH1"
    station_id: str = field(default_factory=lambda: socket.gethostname().split(".")[0][:32])
    language: str = "en"
    simulate: bool = False
    # The bench's look: "light" or "dark"; sounds for scan accepted/rejected and verdict recorded.
    theme: str = "light"
    sounds: bool = True
    # Debug: log any main-thread stall longer than this many ms, with its stack (0: off).
    stall_log_ms: int = 0
    # Sign the bench's user out after this many seconds without input (0: never).
    idle_sign_out_s: int = 300
    # Extra folders of standard files (seller standards agreed on site), besides the shipped ones.
    standards_dirs: tuple[Path, ...] = ()
    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    scale: ScaleConfig = field(default_factory=ScaleConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    codes: CodePatterns = field(default_factory=CodePatterns)
    labels: LabelsConfig = field(default_factory=LabelsConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'station.sqlite3'}"

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"


def default_data_dir() -> Path:
    env = os.environ.get("STATION_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False))


def load_settings(data_dir: Path | str | None = None, **overrides: Any) -> Settings:
    directory = Path(data_dir).expanduser() if data_dir else default_data_dir()
    settings = Settings(data_dir=directory)
    settings_file = directory / SETTINGS_FILE
    if settings_file.exists():
        settings = replace(settings, **_read_settings_file(settings_file))
    if os.environ.get("STATION_DATABASE_URL"):
        settings = replace(settings, database_url=os.environ["STATION_DATABASE_URL"])
    clean = {key: value for key, value in overrides.items() if value is not None}
    return replace(settings, **clean)


SECTIONS: dict[str, type] = {
    "scanner": ScannerConfig,
    "scale": ScaleConfig,
    "camera": CameraConfig,
    "printer": PrinterConfig,
    "codes": CodePatterns,
    "labels": LabelsConfig,
    "sync": SyncConfig,
}


def _section(path: Path, name: str, value: Any, section_type: type) -> Any:
    if not isinstance(value, dict):
        raise SettingsError(f"{path}: [{name}] must be a table of settings")
    known = {f.name: f for f in fields(section_type)}
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) in [{name}]: {', '.join(unknown)}")
    value = {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
    return section_type(**value)


def _read_settings_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    known = {f.name for f in fields(Settings)} - {"data_dir"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    for name, section_type in SECTIONS.items():
        if name in data:
            data[name] = _section(path, name, data[name], section_type)
    if "standards_dirs" in data:
        data["standards_dirs"] = tuple(
            (path.parent / Path(entry)).resolve() for entry in data["standards_dirs"]
        )
    return data
