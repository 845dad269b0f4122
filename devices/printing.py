"""Printers: the small ``Printer`` protocol, its drivers, and the test label.

Drivers only *send*; ordering, retries and persistence belong to ``devices.spooler``. Each driver
raises ``PrinterError`` with ``permanent=True`` when retrying cannot help (unknown CUPS queue,
``lp`` not installed, a PDF sent to a ZPL-only printer) so the spooler can move the job to the
failed list at once instead of retrying for hours; anything else (refused, timeout) is transient.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from devices.config import PrinterConfig
from devices.durable import make_dirs
from devices.durable import write_file as atomic_write
from devices.status import utcnow

log = logging.getLogger(__name__)

DEFAULT_ZPL_PORT = 9100
JOB_KINDS = ("zpl", "pdf")
JOB_STATES = ("queued", "sent", "failed")


class PrinterError(IOError):
    """A job could not be printed; ``permanent`` says whether retrying later can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class PrintJob:
    id: str
    printer: str
    kind: str  # "zpl" or "pdf"
    payload: bytes = field(repr=False)
    created: datetime = field(default_factory=utcnow)
    attempts: int = 0
    last_error: str | None = None
    state: str = "queued"  # "queued", "sent" or "failed"
    seq: int = 0  # submission order, kept across restarts

    def __post_init__(self) -> None:
        if self.kind not in JOB_KINDS:
            raise ValueError(f"unknown print job kind {self.kind!r} (expected zpl or pdf)")
        if self.state not in JOB_STATES:
            raise ValueError(f"unknown print job state {self.state!r}")


class Printer(Protocol):
    name: str
    driver: str

    @property
    def address(self) -> str | None: ...

    def send(self, job: PrintJob) -> None:
        """Deliver the whole job or raise ``PrinterError``."""
        ...

    def probe(self) -> None:
        """Check the printer is reachable without printing; raise ``PrinterError`` if not."""
        ...


def parse_address(address: str, default_port: int = DEFAULT_ZPL_PORT) -> tuple[str, int]:
    """``host``, ``host:port`` or ``[v6]:port`` -> (host, port); a clear error otherwise."""
    text = address.strip()
    if not text:
        raise ValueError("printer address is empty (expected host:port)")
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.lstrip(":")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    try:
        port = int(port_text) if port_text else default_port
    except ValueError:
        raise ValueError(f"printer address {address!r}: port must be a number") from None
    if not host or not 0 < port < 65536:
        raise ValueError(f"printer address {address!r} is not host:port")
    return host, port


class ZplTcpPrinter:
    """Zebra-style raw TCP (port 9100): connect, write the ZPL, close; the close ends the job."""

    driver = "zpl-tcp"

    def __init__(
        self, name: str, host: str, port: int = DEFAULT_ZPL_PORT, *, timeout_s: float = 5.0
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.connect_timeout_s = timeout_s
        self.send_timeout_s = timeout_s

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
        except OSError as exc:
            raise PrinterError(f"printer {self.address} unreachable: {_reason(exc)}") from exc

    def send(self, job: PrintJob) -> None:
        if job.kind != "zpl":
            raise PrinterError(
                f"{self.name} is a ZPL printer; it cannot print {job.kind}", permanent=True
            )
        with self._connect() as conn:
            try:
                conn.settimeout(self.send_timeout_s)
                conn.sendall(job.payload)
                conn.shutdown(socket.SHUT_WR)
            except OSError as exc:
                raise PrinterError(f"sending to {self.address} failed: {_reason(exc)}") from exc

    def probe(self) -> None:
        self._connect().close()


class CupsPrinter:
    """A CUPS queue, fed raw (``lp -d QUEUE -o raw``), so ZPL reaches the printer untouched."""

    driver = "cups"
    INSTALL_HINT = "install the CUPS client (Debian/Ubuntu: apt-get install cups-client)"
    PERMANENT_MARKERS = ("unknown", "does not exist", "not exist", "no such", "invalid")

    def __init__(self, name: str, queue: str, *, timeout_s: float = 30.0) -> None:
        self.name = name
        self.queue = queue
        self.timeout_s = timeout_s

    @property
    def address(self) -> str:
        return self.queue

    def _run(self, command: list[str], payload: bytes | None = None) -> None:
        binary = shutil.which(command[0])
        if binary is None:
            raise PrinterError(
                f"`{command[0]}` not found on PATH: {self.INSTALL_HINT}", permanent=True
            )
        try:
            done = subprocess.run(
                [binary, *command[1:]],
                input=payload,
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PrinterError(f"`{command[0]}` timed out after {self.timeout_s:g} s") from exc
        except OSError as exc:
            raise PrinterError(f"cannot run `{command[0]}`: {_reason(exc)}") from exc
        if done.returncode != 0:
            message = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            message = message or f"`{command[0]}` exited with status {done.returncode}"
            permanent = any(marker in message.lower() for marker in self.PERMANENT_MARKERS)
            raise PrinterError(message, permanent=permanent)

    def send(self, job: PrintJob) -> None:
        options = ["-o", "raw"] if job.kind == "zpl" else []
        self._run(["lp", "-d", self.queue, *options, "-t", job.id], job.payload)

    def probe(self) -> None:
        self._run(["lpstat", "-p", self.queue])


class FolderPrinter:
    """Writes each job as a file (``<id>.zpl`` / ``<id>.pdf``): hot folders, tests, no printer."""

    driver = "folder"

    def __init__(self, name: str, folder: Path | str) -> None:
        self.name = name
        self.folder = Path(folder)

    @property
    def address(self) -> str:
        return str(self.folder)

    def send(self, job: PrintJob) -> None:
        try:
            make_dirs(self.folder)
            atomic_write(self.folder / f"{job.id}.{job.kind}", job.payload)
        except OSError as exc:
            raise PrinterError(f"cannot write to {self.folder}: {_reason(exc)}") from exc

    def probe(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PrinterError(f"cannot create {self.folder}: {_reason(exc)}") from exc
        if not os.access(self.folder, os.W_OK):
            raise PrinterError(f"{self.folder} is not writable")


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    return exc.strerror or str(exc) or type(exc).__name__


def build_printer(config: PrinterConfig) -> Printer | None:
    """The driver the settings ask for (``simulated`` is built by the registry), or None."""
    if config.driver == "none":
        return None
    if config.driver == "zpl-tcp":
        if not config.address:
            raise ValueError("[printer] driver 'zpl-tcp' needs address = 'host:port'")
        host, port = parse_address(config.address)
        return ZplTcpPrinter(config.name, host, port, timeout_s=config.timeout_s)
    if config.driver == "cups":
        if not config.queue:
            raise ValueError("[printer] driver 'cups' needs queue = 'QUEUE'")
        return CupsPrinter(config.name, config.queue, timeout_s=max(config.timeout_s, 10.0))
    if config.driver == "folder":
        if not config.folder:
            raise ValueError("[printer] driver 'folder' needs folder = 'PATH'")
        return FolderPrinter(config.name, Path(config.folder).expanduser())
    raise ValueError(
        f"[printer] unknown driver {config.driver!r} (none, simulated, zpl-tcp, cups, folder)"
    )


TEST_LPN = "LPNTEST000001"


def _zpl_text(text: str) -> str:
    # ^ and ~ start ZPL commands; a station id must never be able to inject one.
    return text.replace("^", " ").replace("~", " ")


def sample_label_zpl(station_id: str, when: datetime | None = None, lpn: str = TEST_LPN) -> bytes:
    """A 2x1" (203 dpi) test label: station id, date and a Code128 of a test LPN.

    Real label content arrives with the labels issue; this exercises the whole print path.
    """
    moment = (when or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    zpl = (
        "^XA^CI28^PW406^LL203\n"
        f"^FO16,12^A0N,26,26^FDTEST {_zpl_text(station_id)}^FS\n"
        f"^FO16,44^A0N,20,20^FD{moment}^FS\n"
        f"^FO16,72^BY2^BCN,80,Y,N,N^FD{_zpl_text(lpn)}^FS\n"
        "^XZ\n"
    )
    return zpl.encode("utf-8")
