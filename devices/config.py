"""Device settings: which driver, which port, which thresholds. Plain data, no Qt, no I/O.

The station's ``settings.toml`` has one section per device ([scanner], [scale], [camera],
[printer]); ``station.settings`` reads them into these dataclasses, rejecting unknown keys.
``driver = "simulated"`` selects the simulator beside each real driver; ``"none"`` means the
bench has no such device (the grader types the weight, adds photo files, ...).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScannerConfig:
    # Keyboard wedge: a burst with keys closer than this (ms) is a scan, not typing.
    wedge_max_interkey_ms: int = 50
    wedge_min_length: int = 4
    terminator: str = "either"  # "enter", "tab" or "either"
    prefix: str = ""  # characters the scanner is programmed to send first (stripped)
    suffix: str = ""  # ... and last, before the terminator (stripped)
    # Serial (USB-CDC) scanner: a pyserial URL, e.g. /dev/ttyACM0 or hwgrep://0c2e:0b61.
    serial_port: str | None = None
    serial_baudrate: int = 9600


@dataclass(frozen=True)
class ScaleConfig:
    driver: str = "none"  # "none", "simulated" or "serial"
    port: str | None = (
        None  # pyserial URL: /dev/ttyUSB0, COM3, socket://host:port, hwgrep://VID:PID
    )
    protocol: str = "mt-sics"  # "mt-sics", "toledo-8217" or "continuous"
    baudrate: int = 9600
    framing: str = "8N1"  # data bits, parity, stop bits; Toledo 8217 scales are usually 7E1
    poll_hz: float = 10.0
    # When a reading is stable. A reading the scale flags as in motion (MT-SICS "D",
    # continuous "US", the Toledo 8217 motion bit) never is, under any policy. The
    # consecutive rule: the last stable_readings readings not flagged in motion all lie within
    # ± stable_delta_g of the newest. Policies (devices/serial_scale.py says more):
    #   "either"      the scale's flag where its frames carry one (MT-SICS, Toledo 8217, a
    #                 continuous pattern with a status group), the consecutive rule where not;
    #   "both"        the consecutive rule, and the scale's flag too where it has one (a scale
    #                 whose stable flag comes too early);
    #   "scale"       the scale's flag only: a scale with no flag never gives a stable weight;
    #   "consecutive" the consecutive rule only (on a scale that flags motion: as "both").
    stable_policy: str = "either"
    stable_readings: int = 5
    stable_delta_g: float = 2.0
    timeout_s: float = 5.0
    # The scale's capacity (its range, from the data plate): a reading or a typed weight above
    # it, or below minus it, is a fault, never a weight (as is a value that is not a number).
    capacity_g: float = 30_000.0
    # Record the first stable reading of at least this many grams by itself once an inspection
    # is open (the grader places the item and moves on; F6 weighs again). 0: only on F6.
    auto_record_min_g: float = 5.0
    # Continuous-output frames: a regular expression with named groups status, sign, value, unit.
    # The status group says ST (at rest), US (in motion) or OL (out of range); without one, or
    # with another word, frames carry no motion flag: stability is the consecutive rule's.
    continuous_pattern: str | None = None


@dataclass(frozen=True)
class CameraConfig:
    driver: str = "none"  # "none", "simulated" or "opencv"
    # OpenCV source: a device index ("0"), a video file, an image folder or an RTSP/HTTP URL.
    source: str | None = None
    preview_fps: float = 10.0
    preview_width: int = 640
    # Quality gates for stills: variance of the Laplacian below this is "blurry"; mean
    # brightness (0-255) outside [dark, bright] is "too dark" / "too bright".
    blur_threshold: float = 100.0
    dark_threshold: float = 40.0
    bright_threshold: float = 215.0
    decode: bool = True  # decode barcodes in preview frames


@dataclass(frozen=True)
class PrinterConfig:
    name: str = "labels"
    driver: str = "none"  # "none", "simulated", "zpl-tcp", "cups" or "folder"
    address: str | None = None  # host:port for zpl-tcp (port 9100 by default)
    queue: str | None = None  # CUPS queue for "cups" (sent raw for ZPL)
    folder: str | None = None  # for "folder": where PDF/ZPL files are written
    retry_s: float = 5.0
    timeout_s: float = 5.0


@dataclass(frozen=True)
class CodePatterns:
    """What the warehouse's own codes look like (regular expressions on the normalised code)."""

    rma: str = r"^RMA-[A-Z0-9]{2,8}-\d{4,10}$"
    lpn: str = r"^LPN[0-9A-HJKMNP-TV-Z]{10}[0-9A-HJKMNP-TV-Z*~$=U]$"
