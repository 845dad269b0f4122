"""The station's settings: one declared, typed place.

Resolution order for the data dir: explicit ``--data-dir``, then ``STATION_DATA_DIR``, then the
platform's user data dir. Optional ``settings.toml`` in the data dir overrides the defaults below;
unknown keys are an error that names the file, so a typo never silently does nothing.
"""

from __future__ import annotations

import logging
import math
import os
import re
import socket
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import UnionType
from typing import Any, NamedTuple, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

import tomli_w
from platformdirs import user_data_dir

from devices.config import CameraConfig, CodePatterns, PrinterConfig, ScaleConfig, ScannerConfig
from devices.durable import make_dirs, write_file
from labels.config import LabelsConfig
from station.i18n import LANGUAGES, UnknownLanguage, _, normalize_language
from station.sync.config import SyncConfig

log = logging.getLogger(__name__)

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
    # What people call this bench and its warehouse ("Bench 3", "LAX-1 Los Angeles"), printed on
    # seller reports instead of a host name. An empty station_name means the station_id.
    station_name: str = ""
    warehouse: str = ""
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
    settings = file_settings(directory)
    if os.environ.get("STATION_DATABASE_URL"):
        settings = replace(settings, database_url=os.environ["STATION_DATABASE_URL"])
    clean = {key: value for key, value in overrides.items() if value is not None}
    return replace(settings, **clean)


def file_settings(data_dir: Path | str) -> Settings:
    """The defaults plus ``settings.toml`` alone: no environment, no command-line overrides.

    What an editor (the settings dialog) starts from, so saving never writes a runtime override
    such as ``--simulate`` or ``STATION_DATABASE_URL`` into the file.
    """
    directory = Path(data_dir).expanduser()
    settings = Settings(data_dir=directory)
    settings_file = directory / SETTINGS_FILE
    if settings_file.exists():
        settings = replace(settings, **_read_settings_file(settings_file))
    return settings


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


# --- validating ------------------------------------------------------------------------------

THEMES = ("light", "dark")
SCALE_DRIVERS = ("none", "simulated", "serial")
CAMERA_DRIVERS = ("none", "simulated", "opencv")
PRINTER_DRIVERS = ("none", "simulated", "zpl-tcp", "cups", "folder")
TERMINATORS = ("enter", "tab", "either")
LABEL_FORMATS = ("zpl", "pdf")
LABEL_DPIS = (203, 300)
# Numbers that must be above zero; every other number must merely not be negative.
POSITIVE = frozenset({
    "scanner.wedge_max_interkey_ms", "scanner.wedge_min_length", "scanner.serial_baudrate",
    "scale.baudrate", "scale.poll_hz", "scale.stable_readings", "scale.timeout_s",
    "scale.capacity_g",
    "camera.preview_fps", "camera.preview_width", "printer.retry_s", "printer.timeout_s",
    "sync.relay_interval_s", "sync.request_timeout_s", "sync.relay_workers",
    "sync.relay_batch_size", "sync.max_backoff_s", "sync.max_attempts", "sync.retention_days",
    "sync.pull_page_size",
})  # fmt: skip


class SettingProblem(NamedTuple):
    """One thing wrong with one setting; ``key`` is ``"language"`` or ``"printer.address"``."""

    key: str
    message: str

    def __str__(self) -> str:
        section, _dot, name = self.key.rpartition(".")
        where = f"[{section}] {name}" if section else name
        return f"{where}: {self.message}"


def validate_settings(settings: Settings) -> list[str]:
    """Every problem as one translated line naming the setting (empty: the settings are fine)."""
    return [str(problem) for problem in find_problems(settings)]


class _Problems(list[SettingProblem]):
    def add(self, key: str, message: str) -> None:
        self.append(SettingProblem(key, message))

    def choice(self, key: str, value: object, choices: Sequence[object]) -> None:
        if value not in choices:
            self.add(key, _("unknown value {value!r}: choose one of {choices}").format(
                value=value, choices=", ".join(str(c) for c in choices)))  # fmt: skip

    def needs(self, key: str, value: str | None, message: str) -> None:
        if not (value or "").strip():
            self.add(key, message)


def find_problems(settings: Settings) -> list[SettingProblem]:
    """The problems keyed by setting, so an editor can show each one next to its field."""
    problems = _Problems()
    if not _types_and_ranges(problems, settings, Settings, ""):
        return problems  # the rules below assume the right types
    try:
        normalize_language(settings.language)  # "zh_CN" and friends are fine, as at start
    except UnknownLanguage:
        problems.add("language", _("unknown language {value!r}: choose one of {choices}").format(
            value=settings.language, choices=", ".join(LANGUAGES)))  # fmt: skip
    problems.choice("theme", settings.theme, THEMES)
    problems.needs("site_id", settings.site_id, _("must not be empty"))
    problems.needs("station_id", settings.station_id, _("must not be empty"))
    for key in ("station_name", "warehouse"):
        _name_problems(problems, key, getattr(settings, key))
    problems.choice("scanner.terminator", settings.scanner.terminator, TERMINATORS)
    _scale_problems(problems, settings.scale)
    camera = settings.camera
    problems.choice("camera.driver", camera.driver, CAMERA_DRIVERS)
    if camera.driver == "opencv":
        problems.needs("camera.source", camera.source, _("the opencv driver needs a source (a device index such as 0, a file or a URL)"))  # fmt: skip
    if not camera.dark_threshold < camera.bright_threshold <= 255:
        problems.add("camera.bright_threshold", _("must be above the dark threshold and at most 255"))  # fmt: skip
    _printer_problems(problems, settings.printer)
    _label_problems(problems, settings)
    sync = settings.sync
    if sync.max_backoff_s < sync.base_backoff_s:
        problems.add("sync.max_backoff_s", _("must not be below base_backoff_s"))
    for key in ("pull_url", "dispute_pull_url"):
        url = getattr(sync, key)
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            problems.add(f"sync.{key}", _("not an http(s) URL: {value!r}").format(value=url))
    for key in ("rma", "lpn"):
        try:
            re.compile(getattr(settings.codes, key))
        except re.error as exc:
            problems.add(f"codes.{key}", _("not a valid regular expression: {error}").format(error=exc))  # fmt: skip
    return problems


NAME_MAX_LENGTH = 64  # fits the station field of a seller report on one or two lines


def _name_problems(problems: _Problems, key: str, value: str) -> None:
    """A name people read on a report: one line, not only spaces, not longer than a column."""
    if value and not value.strip():
        problems.add(key, _("must not be only spaces: leave it empty instead"))
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        problems.add(key, _("must be one line of text"))
    elif len(value) > NAME_MAX_LENGTH:
        problems.add(key, _("at most {count} characters").format(count=NAME_MAX_LENGTH))


def _types_and_ranges(problems: _Problems, obj: object, cls: type, prefix: str) -> bool:
    """Type and sign of every value (sections included); False when a type is wrong."""
    types_ok = True
    hints = get_type_hints(cls)
    for spec in fields(cls):
        key, value, hint = f"{prefix}{spec.name}", getattr(obj, spec.name), hints[spec.name]
        if spec.name in SECTIONS and prefix == "":
            section_ok = _types_and_ranges(problems, value, SECTIONS[spec.name], f"{spec.name}.")
            types_ok = types_ok and section_ok
        elif not _conforms(value, hint):
            types_ok = False
            problems.add(key, _("expected {expected}, not {value!r}").format(
                expected=_type_name(hint), value=value))  # fmt: skip
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if key in POSITIVE and value <= 0:
                problems.add(key, _("must be more than 0"))
            elif value < 0:
                problems.add(key, _("must not be negative"))
    return types_ok


def _conforms(value: Any, hint: Any) -> bool:
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        return any(_conforms(value, arg) for arg in get_args(hint))
    if hint is type(None):
        return value is None
    if origin is tuple:
        item = get_args(hint)[0]
        return isinstance(value, tuple) and all(_conforms(v, item) for v in value)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return not isinstance(hint, type) or isinstance(value, hint)


def _type_name(hint: Any) -> str:
    names = {int: _("a whole number"), float: _("a number"), str: _("text"),
             bool: _("true or false"), Path: _("a folder")}  # fmt: skip
    args = [a for a in get_args(hint) if a is not type(None)]
    if get_origin(hint) is tuple:
        return _("a list")
    return names.get(args[0] if len(args) == 1 else hint, str(hint))


def _scale_problems(problems: _Problems, scale: ScaleConfig) -> None:
    from devices.scale_protocols import PROTOCOLS, ProtocolError, make_codec
    from devices.serial_scale import _FRAMING, STABLE_POLICIES  # what the serial driver takes

    problems.choice("scale.driver", scale.driver, SCALE_DRIVERS)
    if scale.driver == "serial":
        problems.needs("scale.port", scale.port, _("the serial driver needs a port (e.g. /dev/ttyUSB0, COM3 or socket://host:port)"))  # fmt: skip
    problems.choice("scale.protocol", scale.protocol, PROTOCOLS)
    problems.choice("scale.framing", scale.framing.upper(), tuple(_FRAMING))
    problems.choice("scale.stable_policy", scale.stable_policy, STABLE_POLICIES)
    for key in ("capacity_g", "stable_delta_g"):  # TOML spells inf and nan; a range is neither
        if not math.isfinite(getattr(scale, key)):
            problems.add(f"scale.{key}", _("must be a finite number"))
    if scale.protocol == "continuous":
        try:
            codec = make_codec("continuous", pattern=scale.continuous_pattern)
        except ProtocolError as exc:
            problems.add("scale.continuous_pattern", _("not a usable pattern: {error}").format(error=exc))  # fmt: skip
        else:
            if scale.stable_policy == "scale" and not codec.flags_motion:
                problems.add("scale.stable_policy", _('a continuous pattern without a status group never flags a weight stable, so "scale" never gives one: choose "either" or "consecutive"'))  # fmt: skip


def _printer_problems(problems: _Problems, printer: PrinterConfig) -> None:
    from devices.printing import parse_address

    problems.choice("printer.driver", printer.driver, PRINTER_DRIVERS)
    problems.needs("printer.name", printer.name, _("must not be empty"))
    if printer.driver == "zpl-tcp" or printer.address:
        try:
            parse_address(printer.address or "")
        except ValueError:
            problems.add("printer.address", _("{value!r} is not host:port (e.g. 10.0.0.31:9100)").format(
                value=printer.address or ""))  # fmt: skip
    if printer.driver == "cups":
        problems.needs("printer.queue", printer.queue, _("the cups driver needs a queue name"))
    if printer.driver == "folder":
        problems.needs("printer.folder", printer.folder, _("the folder driver needs a folder"))


def _label_problems(problems: _Problems, settings: Settings) -> None:
    from labels.api import LABEL_KINDS, LABEL_SIZES

    labels = settings.labels
    problems.choice("labels.format", labels.format, LABEL_FORMATS)
    problems.choice("labels.dpi", labels.dpi, LABEL_DPIS)
    for kind in LABEL_KINDS:
        problems.choice(f"labels.{kind}_size", labels.size_for(kind), LABEL_SIZES)
    for key in ("on_finalize", "on_blind_receipt"):
        unknown = [kind for kind in getattr(labels, key) if kind not in LABEL_KINDS]
        if unknown:
            problems.add(f"labels.{key}", _("unknown label kind(s) {kinds}: choose from {choices}").format(
                kinds=", ".join(unknown), choices=", ".join(LABEL_KINDS)))  # fmt: skip
    if labels.printer is not None and labels.printer != settings.printer.name:
        problems.add("labels.printer", _("no printer named {value!r} in [printer] (it is called {name!r})").format(
            value=labels.printer, name=settings.printer.name))  # fmt: skip


# --- saving ----------------------------------------------------------------------------------


def save_settings(settings: Settings, path: Path | str | None = None) -> Path:
    """Write ``settings.toml`` so that ``load_settings`` gives ``settings`` back exactly.

    Only values that differ from the defaults, plus every key the file already had, are
    written: the file stays a short list of what this bench changed. The file is replaced
    atomically and durably (temporary file, fsync, rename, fsync of the folder), private to
    this user (0600), so a full disk or a read-only folder raises SettingsError naming the file
    and leaves the old one as it was, and a power cut cannot undo a save. Comments are not kept.
    """
    target = Path(path) if path is not None else settings.data_dir / SETTINGS_FILE
    problems = validate_settings(settings)
    if problems:
        raise SettingsError(f"{target}: " + "; ".join(problems))
    existing: dict[str, Any] = {}
    if target.exists():
        try:
            existing = tomllib.loads(target.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{target}: {exc}") from exc
    document = _document(settings, existing, target)
    text = tomli_w.dumps(document)
    try:
        make_dirs(target.parent, 0o700)
        write_file(target, text.encode("utf-8"))  # 0600, and still there after a power cut
    except OSError as exc:
        raise SettingsError(
            _("{path}: cannot save the settings: {error}").format(
                path=target, error=exc.strerror or exc
            )
        ) from exc
    log.info("settings saved to %s", target)
    return target


def _document(settings: Settings, existing: dict[str, Any], target: Path) -> dict[str, Any]:
    defaults = Settings(data_dir=settings.data_dir)
    hints = get_type_hints(Settings)
    document: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for spec in fields(Settings):
        name = spec.name
        if name == "data_dir":
            continue  # where the file lives, never in it
        value = getattr(settings, name)
        if name in SECTIONS:
            previous = existing.get(name)
            table = _table(
                value, getattr(defaults, name), previous if isinstance(previous, dict) else {}
            )
            if table or name in existing:
                tables[name] = table
        elif (
            name == "standards_dirs"
            and name in existing
            and value == tuple((target.parent / Path(entry)).resolve() for entry in existing[name])
        ):
            document[name] = list(existing[name])  # unchanged: keep relative entries relative
        elif value != getattr(defaults, name) or name in existing:
            converted = _toml_value(value, hints[name])
            if converted is not None:
                document[name] = converted
    document.update(tables)  # tables after plain keys, as TOML requires
    return document


def _table(value: Any, default: Any, previous: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(type(value))
    table: dict[str, Any] = {}
    for spec in fields(value):
        current = getattr(value, spec.name)
        if current != getattr(default, spec.name) or spec.name in previous:
            converted = _toml_value(current, hints[spec.name])
            if converted is not None:
                table[spec.name] = converted
    return table


def _toml_value(value: Any, hint: Any) -> Any:
    """TOML has no None (absent means the default, which is None wherever None is allowed),
    no tuples and no paths; a float setting is written as a float so it reads back as one."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return [str(item) if isinstance(item, Path) else item for item in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and float in (*get_args(hint), hint):
        return float(value)
    return value
