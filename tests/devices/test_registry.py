"""Device registry: simulated devices, unreachable printers, missing drivers, the CLI listing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from devices.config import CameraConfig, PrinterConfig, ScaleConfig
from devices.printer_simulator import PrinterSimulator
from devices.registry import KINDS, build_devices
from devices.status import DeviceStatus
from main import cli


def test_simulated_devices_report_connected(tmp_path: Path):
    devices = build_devices(simulate=True, spool_dir=tmp_path / "spool")
    try:
        statuses = devices.probe()
        assert [s.kind for s in statuses] == list(KINDS)
        assert all(s.connected and s.error is None for s in statuses), statuses
        assert {s.driver for s in statuses} == {"simulated"}
        assert devices.simulated_scale is not None
        devices.simulated_scale.place(250)
        assert devices.scale is not None and devices.scale.read().grams > 0
        assert devices.status("scale").last_reading.endswith("g")  # type: ignore[union-attr]
    finally:
        devices.close()


def test_status_listener_hears_changes_from_the_spooler_thread(tmp_path: Path):
    devices = build_devices(simulate=True, spool_dir=tmp_path / "spool")
    heard: list[DeviceStatus] = []
    sent = threading.Event()
    devices.add_status_listener(heard.append)
    assert devices.spooler is not None
    devices.spooler.add_job_listener(lambda job: job.state == "sent" and sent.set())
    devices.spooler.start()
    try:
        devices.spooler.submit("zpl", b"^XA^XZ")
        assert sent.wait(10)
    finally:
        devices.close()
    assert any(s.kind == "printer" and s.last_reading == "1 queued, 0 failed" for s in heard)


def test_unreachable_printer_is_reported_not_raised():
    sim = PrinterSimulator().start()
    address = sim.address
    sim.stop()
    printer = PrinterConfig(driver="zpl-tcp", address=address, timeout_s=2)
    devices = build_devices(printer=printer, use_spooler=False)
    try:
        status = devices.probe()[KINDS.index("printer")]
    finally:
        devices.close()
    assert status.driver == "zpl-tcp" and status.address == address
    assert status.connected is False and "unreachable" in (status.error or "")


def test_missing_real_drivers_become_unavailable_statuses(monkeypatch):
    import devices.registry as registry

    monkeypatch.setattr(registry, "SERIAL_SCALE_DRIVER", ("devices.no_such_scale", "Nope"))
    monkeypatch.setattr(registry, "OPENCV_CAMERA_DRIVER", ("devices.no_such_camera", "Nope"))
    devices = build_devices(
        scale=ScaleConfig(driver="serial", port="/dev/ttyUSB9"),
        camera=CameraConfig(driver="opencv", source="0"),
        use_spooler=False,
    )
    statuses = {s.kind: s for s in devices.probe()}
    assert devices.scale is None and devices.camera is None
    for kind in ("scale", "camera"):
        assert not statuses[kind].connected
        assert (statuses[kind].error or "").startswith("driver unavailable: devices.no_such_")
    assert statuses["printer"].driver == "none"


def test_bad_printer_settings_are_a_status_error():
    devices = build_devices(printer=PrinterConfig(driver="zpl-tcp"), use_spooler=False)
    status = devices.status("printer")
    assert not status.connected and "address" in (status.error or "")


def test_cli_devices_list_json_with_a_stopped_printer(tmp_path: Path, capsys):
    sim = PrinterSimulator().start()
    address = sim.address
    sim.stop()
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(
        f'[printer]\ndriver = "zpl-tcp"\naddress = "{address}"\ntimeout_s = 2\n',
        encoding="utf-8",
    )
    code = cli(["devices", "list", "--json", "--data-dir", str(data)])
    out, _ = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [row["kind"] for row in rows] == list(KINDS)
    printer = rows[KINDS.index("printer")]
    assert printer["driver"] == "zpl-tcp" and printer["address"] == address
    assert printer["connected"] is False and printer["error"]


def test_cli_test_print_reaches_the_simulator(tmp_path: Path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    with PrinterSimulator() as sim:
        (data / "settings.toml").write_text(
            f'station_id = "BENCH-9"\n[printer]\ndriver = "zpl-tcp"\naddress = "{sim.address}"\n',
            encoding="utf-8",
        )
        code = cli(["devices", "test-print", "--json", "--data-dir", str(data)])
        out, _ = capsys.readouterr()
        assert code == 0 and json.loads(out)["ok"] is True
        assert sim.wait_for_jobs(1, 10)
        assert b"BENCH-9" in sim.jobs[0]
    code = cli(["devices", "test-print", "--json", "--data-dir", str(data)])
    out, _ = capsys.readouterr()
    assert code == 1 and "unreachable" in json.loads(out)["error"]
