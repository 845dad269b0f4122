"""settings.toml written by save_settings reads back exactly, atomically, and only when valid."""

from __future__ import annotations

import errno
import os
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from devices.config import CameraConfig, CodePatterns, PrinterConfig, ScaleConfig, ScannerConfig
from labels.config import LabelsConfig
from station.settings import (
    SETTINGS_FILE,
    Settings,
    SettingsError,
    find_problems,
    load_settings,
    save_settings,
    validate_settings,
)
from station.sync.config import SyncConfig


def _everything_changed(data_dir: Path) -> Settings:
    standards = (data_dir.parent / "seller-standards").resolve()
    standards.mkdir(exist_ok=True)
    return Settings(
        data_dir=data_dir,
        database_url="sqlite:////var/lib/station/other.sqlite3",
        site_id="AMS2",
        station_id="BENCH-42",
        language="zh-CN",
        theme="dark",
        sounds=False,
        stall_log_ms=40,
        idle_sign_out_s=0,
        standards_dirs=(standards,),
        scanner=ScannerConfig(prefix="]C1", serial_port="/dev/ttyACM0", wedge_min_length=6),
        scale=ScaleConfig(
            driver="serial",
            port="socket://10.0.0.5:4001",
            protocol="toledo-8217",
            framing="7E1",
            poll_hz=5,
            timeout_s=2.5,
        ),
        camera=CameraConfig(driver="opencv", source="rtsp://cam.local/stream", decode=False),
        printer=PrinterConfig(driver="zpl-tcp", address="10.0.0.31:9100", retry_s=7.5),
        codes=CodePatterns(rma=r"^R-\d{6}$"),
        labels=LabelsConfig(
            on_finalize=("lpn",),
            on_blind_receipt=(),
            format="pdf",
            dpi=300,
            route_size="100x50",
            printer="labels",
        ),
        sync=SyncConfig(
            relay_enabled=False,
            max_attempts=12,
            pull_url="https://wms.example/rmas",
            pull_token="t0ken",
        ),
    )


def test_round_trip_with_every_section_changed(data_dir: Path) -> None:
    settings = _everything_changed(data_dir)
    path = save_settings(settings)

    assert path == data_dir / SETTINGS_FILE
    assert load_settings(data_dir) == settings
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert written["scale"]["poll_hz"] == 5.0 and isinstance(written["scale"]["poll_hz"], float)
    assert written["labels"]["on_blind_receipt"] == []
    assert "data_dir" not in written


def test_only_changes_and_existing_keys_are_written(data_dir: Path) -> None:
    path = data_dir / SETTINGS_FILE
    path.write_text('site_id = "WH1"\n\n[scale]\nbaudrate = 9600\n', encoding="utf-8")
    settings = load_settings(data_dir)

    save_settings(replace(settings, theme="dark"))

    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "site_id": "WH1",  # the default, but the file had it: kept
        "theme": "dark",
        "scale": {"baudrate": 9600},
    }
    assert load_settings(data_dir) == replace(settings, theme="dark")


def test_runtime_overrides_in_the_settings_are_ordinary_values(data_dir: Path) -> None:
    """save_settings writes what it is given: a None (the default) is simply absent."""
    path = data_dir / SETTINGS_FILE
    path.write_text('[printer]\ndriver = "folder"\nfolder = "/srv/labels"\n', encoding="utf-8")
    settings = load_settings(data_dir)

    save_settings(replace(settings, printer=replace(settings.printer, driver="none", folder=None)))

    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"printer": {"driver": "none"}}


def test_a_failed_replace_keeps_the_old_file(data_dir: Path, monkeypatch) -> None:
    path = data_dir / SETTINGS_FILE
    path.write_text('language = "es"\n', encoding="utf-8")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(SettingsError) as raised:
        save_settings(Settings(data_dir=data_dir, language="zh-CN"))

    assert str(path) in str(raised.value) and "No space left" in str(raised.value)
    assert path.read_text(encoding="utf-8") == 'language = "es"\n'
    assert sorted(p.name for p in data_dir.iterdir()) == [SETTINGS_FILE]  # no temp file left


def test_a_folder_that_cannot_be_written_is_a_settings_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")

    with pytest.raises(SettingsError) as raised:
        save_settings(Settings(data_dir=blocker / "data", language="es"))

    assert str(blocker / "data" / SETTINGS_FILE) in str(raised.value)


def test_validation_names_each_bad_setting(data_dir: Path) -> None:
    bad = Settings(
        data_dir=data_dir,
        language="fr",
        theme="neon",
        stall_log_ms=-5,
        scale=ScaleConfig(driver="serial", port=None, timeout_s=-1.0),
        printer=PrinterConfig(driver="zpl-tcp", address="10.0.0.31:notaport"),
        labels=LabelsConfig(on_finalize=("lpn", "sticker")),
    )

    problems = {problem.key: problem.message for problem in find_problems(bad)}
    messages = validate_settings(bad)

    assert set(problems) == {"language", "theme", "stall_log_ms", "scale.port", "scale.timeout_s",
                             "printer.address", "labels.on_finalize"}  # fmt: skip
    assert "'fr'" in problems["language"] and "zh-CN" in problems["language"]
    assert "'neon'" in problems["theme"]
    assert "negative" in problems["stall_log_ms"]
    assert "more than 0" in problems["scale.timeout_s"]
    assert "10.0.0.31:notaport" in problems["printer.address"]
    assert "sticker" in problems["labels.on_finalize"]
    assert "[printer] address: '10.0.0.31:notaport' is not host:port" in " | ".join(messages)
    assert validate_settings(_everything_changed(data_dir)) == []


def test_wrong_types_are_reported_not_crashed_on(data_dir: Path) -> None:
    bad = Settings(data_dir=data_dir, scale=ScaleConfig(baudrate="fast"))  # type: ignore[arg-type]

    assert [p.key for p in find_problems(bad)] == ["scale.baudrate"]


def test_invalid_settings_are_not_saved(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match="theme"):
        save_settings(Settings(data_dir=data_dir, theme="neon"))

    assert not (data_dir / SETTINGS_FILE).exists()
