"""Which devices this bench has, and how each one is doing.

Settings pick each driver (``build_devices``); ``simulate=True`` is the ``make run`` shortcut
that gives a simulator for everything. Every device reports a ``DeviceStatus``; the registry
keeps the latest per device kind and tells listeners when one changes (from whatever thread
noticed), which ``ui/`` re-emits as Qt signals.

Real drivers written elsewhere (serial scale, OpenCV camera, serial scanner) are imported inside
small factories: a module that is missing or broken becomes "driver unavailable: <reason>" in the
status, never a crash. Optional hooks the registry uses when a driver object has them:
``start()``, ``close()``, ``probe()`` (raise on failure) and
``set_status_callback(cb)`` with ``cb(connected: bool, error: str | None, last_reading: str | None)``.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from devices.camera import Camera, Frame, SimulatedCamera
from devices.config import CameraConfig, PrinterConfig, ScaleConfig, ScannerConfig
from devices.printer_simulator import SimulatedPrinter
from devices.printing import Printer, PrinterError, PrintJob, build_printer
from devices.scale import Scale, SimulatedScale, Weight
from devices.spooler import Spooler
from devices.status import DeviceStatus, utcnow

log = logging.getLogger(__name__)

KINDS = ("scanner", "camera", "scale", "printer")
StatusListener = Callable[[DeviceStatus], None]

# Where the registry looks for drivers that other modules provide: (module, class).
SERIAL_SCALE_DRIVER = ("devices.serial_scale", "SerialScale")
OPENCV_CAMERA_DRIVER = ("devices.camera_opencv", "OpenCVCamera")
SERIAL_SCANNER_DRIVER = ("devices.serial_scanner", "SerialScanner")


class DriverUnavailable(RuntimeError):
    pass


def _load_driver(spec: tuple[str, str], config: object) -> Any:
    """Import ``module.Class`` and build it with the device's config section.

    ``OpenCVCamera`` takes ``(source, config)``; the others take ``(config)``.
    """
    module_name, class_name = spec
    try:
        module = importlib.import_module(module_name)
        driver_class = getattr(module, class_name)
        if isinstance(config, CameraConfig):
            return driver_class(config.source, config)
        return driver_class(config)
    except Exception as exc:  # ImportError, AttributeError, a constructor that fails ...
        raise DriverUnavailable(f"driver unavailable: {module_name}.{class_name}: {exc}") from exc


class MonitoredScale:
    """Wraps any ``Scale`` so every read updates the scale's status (reading or error)."""

    def __init__(self, inner: Scale, report: Callable[..., None]) -> None:
        self.inner = inner
        self.name = inner.name
        self._report = report

    def read(self) -> Weight:
        try:
            weight = self.inner.read()
        except Exception as exc:
            self._report(connected=False, error=str(exc) or type(exc).__name__)
            raise
        suffix = "" if weight.stable else " (unstable)"
        self._report(connected=True, error=None, last_reading=f"{weight.grams:.1f} g{suffix}")
        return weight


class MonitoredCamera:
    """Wraps any ``Camera`` so every grab updates the camera's status."""

    def __init__(self, inner: Camera, report: Callable[..., None]) -> None:
        self.inner = inner
        self.name = inner.name
        self._report = report

    def grab(self) -> Frame:
        try:
            frame = self.inner.grab()
        except Exception as exc:
            self._report(connected=False, error=str(exc) or type(exc).__name__)
            raise
        self._report(connected=True, error=None, last_reading=f"{frame.width}x{frame.height}")
        return frame

    def __getattr__(self, name: str) -> Any:
        # Live-camera extras (start, stop, add_preview_listener, probe) pass straight through.
        return getattr(self.inner, name)


class DeviceSet:
    """The bench's devices plus their latest statuses; built once, passed down by the context."""

    def __init__(
        self,
        scale: Scale | None = None,
        camera: Camera | None = None,
        scanner: Any | None = None,
        printer: Printer | None = None,
        spooler: Spooler | None = None,
        statuses: dict[str, DeviceStatus] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._statuses: dict[str, DeviceStatus] = dict(statuses or {})
        for kind in KINDS:
            self._statuses.setdefault(kind, DeviceStatus(kind, "", "none", False, "not configured"))
        self._listeners: list[StatusListener] = []
        self.scale: Scale | None = MonitoredScale(scale, self._reporter("scale")) if scale else None
        self.camera: Camera | None = (
            MonitoredCamera(camera, self._reporter("camera")) if camera else None
        )
        self.scanner = scanner
        self.printer = printer
        self.spooler = spooler
        for kind, driver in (("scale", scale), ("camera", camera), ("scanner", scanner)):
            hook = getattr(driver, "set_status_callback", None)
            if callable(hook):
                hook(self._reporter(kind))
            elif driver is not None and hasattr(driver, "on_state") and driver.on_state is None:
                # devices.serial_scale.SerialScale: on_state(state, message) from its thread.
                driver.on_state = self._state_reporter(kind)
        if spooler is not None:
            spooler.add_printer_listener(self._on_printer)
            spooler.add_job_listener(self._on_job)
            self._on_job(None)

    # --- compatibility with the bench view-model ------------------------------------------

    @property
    def simulated_scale(self) -> SimulatedScale | None:
        inner = self.scale.inner if isinstance(self.scale, MonitoredScale) else self.scale
        return inner if isinstance(inner, SimulatedScale) else None

    # --- statuses --------------------------------------------------------------------------

    def statuses(self) -> list[DeviceStatus]:
        with self._lock:
            return [self._statuses[kind] for kind in KINDS]

    def status(self, kind: str) -> DeviceStatus:
        with self._lock:
            return self._statuses[kind]

    def add_status_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def remove_status_listener(self, listener: StatusListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def update(self, kind: str, **changes: Any) -> DeviceStatus:
        """Record a change (any thread); listeners hear it only when something visible changed."""
        with self._lock:
            old = self._statuses[kind]
            new = replace(old, **changes, updated_at=utcnow())
            self._statuses[kind] = new
        visible = (new.connected, new.error, new.last_reading) != (
            old.connected,
            old.error,
            old.last_reading,
        )
        if visible:
            for listener in list(self._listeners):
                try:
                    listener(new)
                except Exception:
                    log.exception("device status listener failed")
        return new

    def _reporter(self, kind: str) -> Callable[..., None]:
        def report(
            connected: bool, error: str | None = None, last_reading: str | None = None
        ) -> None:
            changes: dict[str, Any] = {"connected": connected, "error": error}
            if last_reading is not None:
                changes["last_reading"] = last_reading
            self.update(kind, **changes)

        return report

    def _state_reporter(self, kind: str) -> Callable[[Any, str], None]:
        def report(state: Any, message: str) -> None:
            connected = str(state) == "connected"
            self.update(
                kind, connected=connected, error=None if connected else message or str(state)
            )

        return report

    def _on_printer(self, _name: str, ok: bool, error: str | None) -> None:
        self.update("printer", connected=ok, error=error)

    def _on_job(self, _job: PrintJob | None) -> None:
        if self.spooler is None:
            return
        jobs = self.spooler.jobs()
        queued = sum(job.state == "queued" for job in jobs)
        failed = sum(job.state == "failed" for job in jobs)
        self.update("printer", last_reading=f"{queued} queued, {failed} failed")

    # --- lifecycle and probing -------------------------------------------------------------

    def probe(self) -> list[DeviceStatus]:
        """Actively check every configured device (may block for timeouts: not on the UI thread)."""
        for kind in KINDS:
            status = self.status(kind)
            if status.driver == "none" or (status.error and status.error.startswith("driver unav")):
                continue
            try:
                self._probe(kind, status)
            except Exception as exc:
                self.update(kind, connected=False, error=str(exc) or type(exc).__name__)
            else:
                self.update(kind, connected=True, error=None)
        return self.statuses()

    def _probe(self, kind: str, status: DeviceStatus) -> None:
        driver = {"scale": self.scale, "camera": self.camera, "scanner": self.scanner}.get(kind)
        inner: Any = getattr(driver, "inner", driver)
        if kind == "printer":
            if self.printer is None:
                raise PrinterError("no printer driver")
            self.printer.probe()
        elif callable(getattr(inner, "probe", None)):
            inner.probe()
        elif status.driver == "simulated" or (kind == "scanner" and status.driver == "wedge"):
            return
        elif kind in ("scale", "scanner") and status.address:
            probe_serial_port(status.address)
        elif kind == "camera" and status.address:
            probe_camera_source(status.address)

    def start(self) -> None:
        """Start drivers' threads and the spooler, then probe once in the background."""
        for driver in (self._inner(self.scale), self._inner(self.camera), self.scanner):
            starter = getattr(driver, "start", None)
            if callable(starter):
                try:
                    starter()
                except Exception as exc:
                    log.exception("device start failed")
                    kind = next(k for k in KINDS if self._driver_of(k) is driver)
                    self.update(kind, connected=False, error=str(exc))
        if self.spooler is not None:
            self.spooler.start()
        threading.Thread(target=self.probe, name="device-probe", daemon=True).start()

    def close(self) -> None:
        if self.spooler is not None:
            self.spooler.stop()
        for driver in (
            self._inner(self.scale),
            self._inner(self.camera),
            self.scanner,
            self.printer,
        ):
            closer = getattr(driver, "close", None) or getattr(driver, "stop", None)
            if callable(closer):
                try:
                    closer()
                except Exception:
                    log.exception("device close failed")

    def _driver_of(self, kind: str) -> Any:
        return {
            "scale": self._inner(self.scale),
            "camera": self._inner(self.camera),
            "scanner": self.scanner,
            "printer": self.printer,
        }[kind]

    @staticmethod
    def _inner(driver: Any) -> Any:
        return getattr(driver, "inner", driver)


def probe_serial_port(url: str, baudrate: int = 9600) -> None:
    """Open and close a pyserial URL: proves the port exists and is free, reads nothing."""
    import serial  # pyserial; imported here so a bench without serial devices never needs it

    port = serial.serial_for_url(url, baudrate=baudrate, timeout=1, do_not_open=True)
    try:
        port.open()
    finally:
        port.close()


def probe_camera_source(source: str) -> None:
    """Open an OpenCV source (index, file or URL) and read one frame."""
    try:
        import cv2
    except ImportError as exc:
        raise DriverUnavailable(f"OpenCV not installed ({exc})") from exc
    capture = cv2.VideoCapture(int(source) if source.isdigit() else source)
    try:
        if not capture.isOpened():
            raise OSError(f"cannot open camera source {source!r}")
        ok, _frame = capture.read()
        if not ok:
            raise OSError(f"camera source {source!r} gave no frame")
    finally:
        capture.release()


# --- building --------------------------------------------------------------------------------


def build_devices(
    *,
    simulate: bool = False,
    scanner: ScannerConfig | None = None,
    scale: ScaleConfig | None = None,
    camera: CameraConfig | None = None,
    printer: PrinterConfig | None = None,
    spool_dir: Path | str | None = None,
    use_spooler: bool = True,
) -> DeviceSet:
    """Build what the settings ask for; ``simulate`` makes every device a simulator.

    Nothing is started here (``DeviceSet.start()`` does that), so the CLI can build and probe
    without background threads. ``spool_dir`` should be in the station's data dir so queued
    labels survive a restart; without it a temporary folder is used (and a warning logged).
    """
    scanner = scanner or ScannerConfig()
    scale = scale or ScaleConfig()
    camera = camera or CameraConfig()
    printer = printer or PrinterConfig()
    statuses: dict[str, DeviceStatus] = {}

    scanner_driver, statuses["scanner"] = _build_scanner(scanner, simulate)
    scale_driver, statuses["scale"] = _build_with(
        "scale", scale.driver, scale.port, simulate, SimulatedScale, SERIAL_SCALE_DRIVER, scale
    )
    camera_driver, statuses["camera"] = _build_with(
        "camera",
        camera.driver,
        camera.source,
        simulate,
        # The simulator plays the sample photos (or the configured folder) with the same
        # preview and quality settings a real camera would use.
        lambda: SimulatedCamera(
            config=camera, folder=Path(camera.source) if camera.source else None
        ),
        OPENCV_CAMERA_DRIVER,
        camera,
    )
    printer_driver, statuses["printer"] = _build_printer(printer, simulate)

    spooler = None
    if printer_driver is not None and use_spooler:
        if spool_dir is None:
            spool_dir = tempfile.mkdtemp(prefix="station-spool-")
            log.warning("no spool folder configured: print jobs kept in %s only", spool_dir)
        spooler = Spooler(spool_dir, {printer_driver.name: printer_driver}, retry_s=printer.retry_s)
    return DeviceSet(
        scale=scale_driver,
        camera=camera_driver,
        scanner=scanner_driver,
        printer=printer_driver,
        spooler=spooler,
        statuses=statuses,
    )


def _build_with(
    kind: str,
    driver: str,
    address: str | None,
    simulate: bool,
    simulator: Callable[[], Any] | None,
    real: tuple[str, str],
    config: object,
) -> tuple[Any, DeviceStatus]:
    if simulator is not None and (simulate or driver == "simulated"):
        device = simulator()
        return device, DeviceStatus(kind, device.name, "simulated", True)
    if driver == "none":
        return None, DeviceStatus(kind, "", "none", False, "not configured", address=address)
    try:
        device = _load_driver(real, config)
    except DriverUnavailable as exc:
        log.warning("%s: %s", kind, exc)
        return None, DeviceStatus(kind, real[1], driver, False, str(exc), address=address)
    name = getattr(device, "name", real[1])
    return device, DeviceStatus(kind, name, driver, False, "not checked yet", address=address)


def _build_scanner(config: ScannerConfig, simulate: bool) -> tuple[Any, DeviceStatus]:
    if simulate:
        return None, DeviceStatus("scanner", "keyboard", "simulated", True)
    if not config.serial_port:
        # A keyboard wedge is just a keyboard: nothing to open, nothing that can be checked.
        return None, DeviceStatus("scanner", "keyboard", "wedge", True)
    return _build_with(
        "scanner",
        "serial",
        config.serial_port,
        False,
        None,  # a serial scanner has no simulator: simulate mode uses the keyboard wedge
        SERIAL_SCANNER_DRIVER,
        config,
    )


def _build_printer(config: PrinterConfig, simulate: bool) -> tuple[Printer | None, DeviceStatus]:
    if simulate or config.driver == "simulated":
        sim = SimulatedPrinter(config.name, timeout_s=config.timeout_s)
        return sim, DeviceStatus("printer", config.name, "simulated", True, address="127.0.0.1")
    address = config.address or config.queue or config.folder
    try:
        printer = build_printer(config)
    except ValueError as exc:
        return None, DeviceStatus(
            "printer", config.name, config.driver, False, str(exc), address=address
        )
    if printer is None:
        return None, DeviceStatus("printer", "", "none", False, "not configured")
    return printer, DeviceStatus(
        "printer", printer.name, printer.driver, False, "not checked yet", address=printer.address
    )
