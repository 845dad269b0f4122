"""Serial (USB-CDC) barcode scanners: a reader thread per port, one callback per code.

Scanners in USB-CDC mode appear as a serial port and send each code as a line (CR, LF or
CRLF). Ports are pyserial URLs, so ``hwgrep://0c2e:0b61`` finds the scanner by USB id wherever
it enumerates. A scanner that is unplugged (or a port that vanishes) is reopened every
``reconnect_s`` until it is back: graders unplug scanners to move them between benches.
Codes get the same clean-up as wedge scans (prefix/suffix, AIM identifier, GS separator).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from devices.config import ScannerConfig
from devices.wedge import ScanEvent, clean_code

log = logging.getLogger(__name__)

ScanCallback = Callable[[ScanEvent], None]
StatusCallback = Callable[..., None]


def _open_port(url: str, baudrate: int) -> Any:
    # pyserial, imported here so a bench without serial devices never needs it
    from devices.serial_link import open_serial_url

    return open_serial_url(url, baudrate=baudrate, timeout=0.2)


class SerialScanner:
    """Reads codes from ``config.serial_port``; ``start()`` runs the thread, ``close()`` ends it."""

    def __init__(
        self,
        config: ScannerConfig,
        callback: ScanCallback | None = None,
        *,
        reconnect_s: float = 1.0,
        opener: Callable[[str, int], Any] = _open_port,
    ) -> None:
        if not config.serial_port:
            raise ValueError("a serial scanner needs ScannerConfig.serial_port")
        self.config = config
        self.port_url: str = config.serial_port
        self.name = f"serial-scanner:{self.port_url}"
        self.reconnect_s = reconnect_s
        self.connected = False
        self.opens = 0
        self._open = opener
        self._listeners: list[ScanCallback] = [callback] if callback else []
        self._status_callback: StatusCallback | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: Any = None

    def add_listener(self, callback: ScanCallback) -> None:
        self._listeners.append(callback)

    def set_status_callback(self, callback: StatusCallback) -> None:
        """The registry's hook: ``callback(connected=, error=, last_reading=)``."""
        self._status_callback = callback

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
        self._close_port()

    stop = close

    def probe(self) -> None:
        """Open and close the port (raises if it is missing or busy)."""
        if self.connected:
            return
        self._open(self.port_url, self.config.serial_baudrate).close()

    # --- reader thread -----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._port = self._open(self.port_url, self.config.serial_baudrate)
            except Exception as exc:  # SerialException, OSError: not there (yet)
                self._report(False, f"{self.port_url}: {exc}")
                self._stop.wait(self.reconnect_s)
                continue
            self.opens += 1
            self._report(True, None)
            try:
                self._read_lines(self._port)
            except Exception as exc:  # the port vanished under us
                log.warning("scanner %s disconnected: %s", self.port_url, exc)
                self._report(False, f"{self.port_url}: {exc}")
            finally:
                self._close_port()
            self._stop.wait(self.reconnect_s)

    def _read_lines(self, port: Any) -> None:
        pending = b""
        while not self._stop.is_set():
            chunk = port.read(port.in_waiting or 1)
            if not chunk:
                continue
            pending += chunk
            *lines, pending = pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            for line in lines:
                text = line.decode("latin-1").strip(" \t")
                if text:
                    self._emit(clean_code(text, self.config, source="serial"))

    def _emit(self, event: ScanEvent) -> None:
        if self._status_callback is not None:
            self._status_callback(connected=True, error=None, last_reading=event.text)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("scanner listener failed")

    def _report(self, connected: bool, error: str | None) -> None:
        self.connected = connected
        if self._status_callback is not None:
            try:
                self._status_callback(connected=connected, error=error)
            except Exception:
                log.exception("scanner status callback failed")

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:
                log.debug("closing %s failed", self.port_url, exc_info=True)


def start_serial_scanner(config: ScannerConfig, callback: ScanCallback) -> SerialScanner | None:
    """The registry hook: a running scanner when ``config.serial_port`` is set, else None."""
    if not config.serial_port:
        return None
    scanner = SerialScanner(config, callback)
    scanner.start()
    return scanner
