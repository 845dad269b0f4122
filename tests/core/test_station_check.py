"""The station check: a real data dir, real database, simulated devices, faked system gaps."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from devices.config import PrinterConfig, ScaleConfig
from station import cli
from station.services import station_check
from station.services.station_check import Finding, blockers, check_station, run_checks
from station.settings import Settings

CORE = ("data_dir", "disk_space", "database", "standards", "camera", "scale", "printer")
SYSTEM = ("zbar", "cjk_font", "sound")


def _by_key(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.key: finding for finding in findings}


def test_simulated_bench_in_a_migrated_data_dir_is_ready(settings: Settings) -> None:
    findings = check_station(replace(settings, simulate=True))

    assert [f.key for f in findings] == [*CORE, *SYSTEM]
    found = _by_key(findings)
    for key in CORE:
        assert found[key].ok, found[key]
    for key in ("camera", "scale", "printer"):
        assert "simulated" in found[key].what
    assert str(settings.data_dir) in found["data_dir"].what
    for finding in findings:  # whatever this machine lacks is a warning with a remedy
        assert finding.what
        assert finding.ok or (not finding.blocker and finding.remedy)
    assert blockers(findings) == []


def test_a_fresh_data_dir_has_no_database_and_it_is_not_created(data_dir: Path) -> None:
    found = _by_key(check_station(Settings(data_dir=data_dir, simulate=True)))

    assert not found["database"].ok and found["database"].blocker
    assert "station db upgrade" in found["database"].remedy
    assert not (data_dir / "station.sqlite3").exists()


def test_an_unmigrated_database_is_a_blocker(data_dir: Path) -> None:
    sqlite3.connect(data_dir / "station.sqlite3").close()  # an empty SQLite file

    found = _by_key(check_station(Settings(data_dir=data_dir, simulate=True)))

    assert not found["database"].ok and found["database"].blocker
    assert "revision" in found["database"].what


def test_unwritable_data_dir_and_low_disk_space_block(tmp_path: Path, settings: Settings) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")

    found = _by_key(check_station(Settings(data_dir=blocked / "data"), min_free_mb=1))
    assert not found["data_dir"].ok and found["data_dir"].blocker
    assert "STATION_DATA_DIR" in found["data_dir"].remedy

    found = _by_key(check_station(settings, min_free_mb=10**12))
    assert not found["disk_space"].ok and found["disk_space"].blocker


def test_a_refused_printer_port_names_host_and_port(settings: Settings, refused_port: int) -> None:
    address = f"127.0.0.1:{refused_port}"
    printer = PrinterConfig(driver="zpl-tcp", address=address, timeout_s=2)

    found = _by_key(check_station(replace(settings, printer=printer)))

    assert not found["printer"].ok and not found["printer"].blocker
    assert address in found["printer"].what
    assert found["printer"].remedy


def test_a_missing_scale_port_is_named(settings: Settings, tmp_path: Path) -> None:
    port = str(tmp_path / "ttyUSB9")
    scale = ScaleConfig(driver="serial", port=port, timeout_s=0.5)

    found = _by_key(check_station(replace(settings, scale=scale)))

    assert not found["scale"].ok and port in found["scale"].what


def test_unconfigured_devices_are_fine_and_say_so(settings: Settings) -> None:
    found = _by_key(check_station(settings))  # no settings.toml: every driver is "none"

    for key in ("camera", "scale", "printer"):
        assert found[key].ok and "not configured" in found[key].what


def test_libzbar_absent_is_a_warning_with_the_package(monkeypatch, settings: Settings) -> None:
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)  # the import now fails
    monkeypatch.setattr(station_check, "_is_linux", lambda: True)

    found = _by_key(check_station(settings))

    assert not found["zbar"].ok and not found["zbar"].blocker
    assert found["zbar"].remedy == "sudo apt-get install libzbar0"
    assert blockers(list(found.values())) == []


def test_cjk_font_and_sound_gaps_name_their_packages(monkeypatch) -> None:
    monkeypatch.setattr(station_check, "_is_linux", lambda: True)
    monkeypatch.setattr(station_check.shutil, "which", lambda name: None)
    monkeypatch.setattr(station_check, "find_library", lambda name: None)

    font = station_check.check_cjk_font()
    sound = station_check.check_sound(enabled=True)

    assert not font.ok and "fonts-noto-cjk" in font.remedy
    assert not sound.ok and "libpulse0" in sound.remedy
    assert station_check.check_sound(enabled=False).ok


def test_fc_list_output_decides_the_font_finding(monkeypatch, tmp_path: Path) -> None:
    fake = tmp_path / "fc-list"
    fake.write_text("#!/bin/sh\necho 'Noto Sans CJK SC,Noto Sans CJK SC Regular'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(station_check, "_is_linux", lambda: True)
    monkeypatch.setattr(station_check.shutil, "which", lambda name: str(fake))

    found = station_check.check_cjk_font()

    assert found.ok and found.what.endswith("Noto Sans CJK SC")


def test_a_check_that_hangs_becomes_a_finding() -> None:
    release = threading.Event()

    def hangs() -> Finding:
        release.wait(10)
        return Finding("slow", True, "late")

    try:
        findings = run_checks(
            [("quick", lambda: Finding("quick", True, "ok")), ("slow", hangs)], 0.2
        )
    finally:
        release.set()

    assert findings[0].ok
    assert findings[1].key == "slow" and not findings[1].ok and "0.2 s" in findings[1].what


@pytest.mark.sqlite_only
def test_station_doctor_json(settings: Settings, capsys) -> None:
    code = cli.main(["doctor", "--simulate", "--json", "--data-dir", str(settings.data_dir)])

    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] is True
    keys = [finding["key"] for finding in report["findings"]]
    assert keys == [*CORE, *SYSTEM]
    assert all(f["ok"] for f in report["findings"] if f["key"] in CORE)


def test_station_doctor_fails_on_a_blocker(data_dir: Path, capsys) -> None:
    code = cli.main(["doctor", "--data-dir", str(data_dir)])

    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "station db upgrade" in out
