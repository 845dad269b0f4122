"""Printers and the spooler against real parts: a TCP simulator on loopback, real folders."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from devices.printer_simulator import PrinterSimulator
from devices.printing import (
    CupsPrinter,
    FolderPrinter,
    PrinterError,
    PrintJob,
    ZplTcpPrinter,
    parse_address,
    sample_label_zpl,
)
from devices.spooler import Spooler
from tests.devices.ports import assert_refused_and_reserved

TIMEOUT = 10.0


class JobEvents:
    """Collects spooler job changes; waits on a condition, never sleeps."""

    def __init__(self, spooler: Spooler) -> None:
        self.seen: list[PrintJob] = []
        self._cond = threading.Condition()
        spooler.add_job_listener(self._on_job)

    def _on_job(self, job: PrintJob) -> None:
        with self._cond:
            self.seen.append(job)
            self._cond.notify_all()

    def wait(self, predicate, timeout: float = TIMEOUT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: any(predicate(j) for j in self.seen), timeout)


@pytest.fixture
def simulator():
    sim = PrinterSimulator().start()
    yield sim
    sim.close()


def test_parse_address():
    assert parse_address("10.0.0.5") == ("10.0.0.5", 9100)
    assert parse_address("zebra:6101") == ("zebra", 6101)
    with pytest.raises(ValueError, match="port"):
        parse_address("zebra:abc")


def test_test_label_is_zpl_with_station_and_code128():
    label = sample_label_zpl("BENCH^7", lpn="LPNTEST000001").decode()
    assert label.startswith("^XA") and label.rstrip().endswith("^XZ")
    assert "BENCH 7" in label  # a caret in the station id cannot start a ZPL command
    assert "^BCN" in label and "^FDLPNTEST000001^FS" in label


def test_zpl_tcp_printer_delivers_bytes(simulator):
    printer = ZplTcpPrinter("labels", "127.0.0.1", simulator.port, timeout_s=5)
    payload = sample_label_zpl("T1")
    printer.send(PrintJob("j1", "labels", "zpl", payload))
    assert simulator.wait_for_jobs(1, TIMEOUT)
    assert simulator.jobs == [payload]
    printer.probe()  # an empty connection is not a job
    with pytest.raises(PrinterError) as info:
        printer.send(PrintJob("j2", "labels", "pdf", b"%PDF-1.4"))
    assert info.value.permanent


def test_spooler_printer_down_then_up_delivers_exactly_once(tmp_path: Path):
    sim = PrinterSimulator().start()
    port = sim.port
    sim.stop()  # printer off
    printer = ZplTcpPrinter("labels", "127.0.0.1", port, timeout_s=2)
    spooler = Spooler(tmp_path / "spool", {"labels": printer}, retry_s=0.05, max_attempts=10_000)
    events = JobEvents(spooler)
    health: list[tuple[bool, str | None]] = []
    spooler.add_printer_listener(lambda _n, ok, err: health.append((ok, err)))
    payload = sample_label_zpl("T1") + bytes(range(256))  # binary-safe
    spooler.start()
    try:
        job = spooler.submit("zpl", payload)
        assert events.wait(lambda j: j.id == job.id and j.attempts >= 2 and j.state == "queued")
        current = spooler.get(job.id)
        assert current is not None and current.state == "queued" and current.last_error
        assert health and health[-1][0] is False
        sim.start()  # printer on, same port
        assert sim.port == port
        assert events.wait(lambda j: j.id == job.id and j.state == "sent")
        assert sim.wait_for_jobs(1, TIMEOUT)
    finally:
        spooler.stop()
        sim.close()
    assert sim.jobs == [payload]
    assert spooler.jobs() == [] and list((tmp_path / "spool").iterdir()) == []
    assert health[-1] == (True, None)


def test_a_printer_switched_off_keeps_its_port_and_refuses_connections():
    """While the printer is off, nothing else may take its port: a spooler retrying a free
    local port can connect to itself, and any program may be given it; either way the printer
    could not come back on its address."""
    with PrinterSimulator() as sim:
        port = sim.port
        sim.stop()
        assert_refused_and_reserved(port, TIMEOUT)
        sim.start()
        assert sim.port == port
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            client.sendall(b"^XA^FDback^FS^XZ")
        assert sim.wait_for_jobs(1, TIMEOUT) and sim.jobs == [b"^XA^FDback^FS^XZ"]


def test_spooler_sends_in_order(tmp_path: Path, simulator):
    printer = ZplTcpPrinter("labels", "127.0.0.1", simulator.port)
    spooler = Spooler(tmp_path / "spool", {"labels": printer}, retry_s=0.05)
    payloads = [f"^XA^FD{n}^FS^XZ".encode() for n in range(5)]
    for payload in payloads:
        spooler.submit("zpl", payload)
    spooler.start()
    try:
        assert simulator.wait_for_jobs(5, TIMEOUT)
    finally:
        spooler.stop()
    assert simulator.jobs == payloads


def test_queued_job_survives_a_spooler_restart(tmp_path: Path, simulator):
    folder = tmp_path / "spool"
    printer = ZplTcpPrinter("labels", "127.0.0.1", simulator.port)
    first = Spooler(folder, {"labels": printer})
    job = first.submit("zpl", b"^XA^FDkept^FS^XZ")  # never started: the station "stopped"
    assert sorted(p.suffix for p in folder.iterdir()) == [".bin", ".json"]

    second = Spooler(folder, {"labels": printer})
    restored = second.get(job.id)
    assert restored is not None and restored.state == "queued"
    assert restored.payload == b"^XA^FDkept^FS^XZ" and restored.created == job.created
    second.start()
    try:
        assert simulator.wait_for_jobs(1, TIMEOUT)
    finally:
        second.stop()
    assert simulator.jobs == [b"^XA^FDkept^FS^XZ"]


def test_folder_printer_writes_files(tmp_path: Path):
    out = tmp_path / "out"
    spooler = Spooler(tmp_path / "spool", {"office": FolderPrinter("office", out)})
    events = JobEvents(spooler)
    pdf = spooler.submit("pdf", b"%PDF-1.4 fake")
    zpl = spooler.submit("zpl", b"^XA^XZ")
    spooler.start()
    try:
        assert events.wait(lambda j: j.id == zpl.id and j.state == "sent")
    finally:
        spooler.stop()
    assert (out / f"{pdf.id}.pdf").read_bytes() == b"%PDF-1.4 fake"
    assert (out / f"{zpl.id}.zpl").read_bytes() == b"^XA^XZ"


def test_cups_without_lp_fails_at_once_with_install_hint(tmp_path: Path, monkeypatch):
    """Missing ``lp`` is permanent (a person must install it): the job goes to failed at once."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    printer = CupsPrinter("labels", "zebra1")
    with pytest.raises(PrinterError, match="cups-client") as info:
        printer.probe()
    assert info.value.permanent
    spooler = Spooler(tmp_path / "spool", {"labels": printer}, retry_s=0.05)
    events = JobEvents(spooler)
    job = spooler.submit("zpl", b"^XA^XZ")
    spooler.start()
    try:
        assert events.wait(lambda j: j.id == job.id and j.state == "failed")
    finally:
        spooler.stop()
    failed = spooler.failed()
    assert [j.id for j in failed] == [job.id]
    assert failed[0].attempts == 1 and "lp" in (failed[0].last_error or "")


def test_cups_unknown_queue_is_permanent(tmp_path: Path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_lp = bin_dir / "lp"
    fake_lp.write_text("#!/bin/sh\necho 'lp: Error - unknown printer zebra9' >&2\nexit 1\n")
    fake_lp.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(PrinterError, match="unknown") as info:
        CupsPrinter("labels", "zebra9").send(PrintJob("j", "labels", "zpl", b"^XA^XZ"))
    assert info.value.permanent


def test_after_max_attempts_a_job_fails_then_retry_and_cancel(tmp_path: Path):
    sim = PrinterSimulator().start()
    port = sim.port
    sim.stop()
    printer = ZplTcpPrinter("labels", "127.0.0.1", port, timeout_s=2)
    spooler = Spooler(tmp_path / "spool", {"labels": printer}, retry_s=0.01, max_attempts=2)
    events = JobEvents(spooler)
    first = spooler.submit("zpl", b"^XA^FD1^FS^XZ")
    second = spooler.submit("zpl", b"^XA^FD2^FS^XZ")
    spooler.start()
    try:
        assert events.wait(lambda j: j.id == second.id and j.state == "failed")
        assert {j.id for j in spooler.failed()} == {first.id, second.id}
        assert all(j.attempts == 2 for j in spooler.failed())

        spooler.cancel(second.id)
        assert spooler.get(second.id) is None
        assert not (tmp_path / "spool" / f"{second.id}.bin").exists()

        sim.start()
        spooler.retry(first.id)
        assert events.wait(lambda j: j.id == first.id and j.state == "sent")
        assert sim.wait_for_jobs(1, TIMEOUT)
    finally:
        spooler.stop()
        sim.stop()
    assert sim.jobs == [b"^XA^FD1^FS^XZ"]
    assert spooler.jobs() == []
