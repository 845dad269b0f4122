"""Wire codecs for bench scales: MT-SICS, Toledo 8217 and continuous output.

Pure functions of bytes in, readings out: no Qt, no I/O, no clocks. The serial driver
(``devices.serial_scale``) and the simulator (``devices.scale_simulator``) share them, so the
simulator cannot drift from what the driver understands, and every quirk is unit-testable with
a table of frames.

A codec is fed whatever bytes arrived (``feed``) and returns the complete frames it found, as
``Reading`` (a weight or a weight status) or ``Reply`` (an answer to zero/tare/reset). Scales
spit garbage after power-up and lose bytes on noisy lines, so codecs never raise on input: a
frame they cannot make sense of comes back as a ``Reading`` with ``status="error"`` and the
parser resynchronises on the next frame terminator.

Motion is a property of the frame, not a guess (``Reading.motion``): ``True`` when the scale
flags the weight as moving (MT-SICS ``D``, continuous ``US``, the Toledo 8217 status motion
bit), ``False`` when it flags it at rest (MT-SICS ``S``, continuous ``ST``, a Toledo weight
frame, which the 8217 only sends at rest), ``None`` when the frame carries no such flag (a
continuous pattern without a ``status`` group, or with a status the codec does not know). A
reading flagged in motion is never stable, whatever the driver's policy; only frames with no
flag leave stability to the driver's consecutive-readings rule. ``ScaleCodec.flags_motion``
says whether a codec, as configured, can flag motion at all.

A value outside the scale's range is a fault, not a reading: above ``capacity_g`` is
``overload``, below minus ``capacity_g`` is ``underload``, a value that is not a finite number
is ``error``; the weight of such a frame is dropped (``grams`` None) and it is never stable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["ok", "unstable", "overload", "underload", "error"]

PROTOCOLS = ("mt-sics", "toledo-8217", "continuous")

GRAMS_PER_UNIT: dict[str, float] = {
    "mg": 0.001,
    "g": 1.0,
    "kg": 1000.0,
    "lb": 453.59237,
    "oz": 28.349523125,
}

# A line longer than this without a terminator is noise: drop it and wait for the next one.
MAX_FRAME = 256


class ProtocolError(ValueError):
    """An unknown protocol name or an invalid continuous-output pattern (a settings mistake)."""


def to_grams(value: float, unit: str) -> float:
    """Convert a scale's value to grams; raises KeyError for units we do not know."""
    return value * GRAMS_PER_UNIT[unit.strip().lower()]


def from_grams(grams: float, unit: str) -> float:
    return grams / GRAMS_PER_UNIT[unit.strip().lower()]


@dataclass(frozen=True)
class Reading:
    """One weight frame. ``grams`` is None when the frame carries no usable weight
    (overload, Toledo motion status, a broken frame).

    ``stable`` is the scale's own claim that the weight is at rest; ``motion`` is the scale's
    motion flag (None: the frame has none). The claim cannot contradict the flag: a reading
    flagged in motion, or whose status is not ``ok``, is never stable, even if built so.
    """

    grams: float | None
    stable: bool
    status: Status
    unit: str | None
    raw: str
    net: bool = False  # the value is net of a tare
    error: str | None = None  # why a frame was rejected, for status "error"
    motion: bool | None = None  # the scale flags it moving (True), at rest (False), or neither

    def __post_init__(self) -> None:
        if self.stable and (self.motion or self.status != "ok"):
            object.__setattr__(self, "stable", False)  # frozen: the one place it is set


@dataclass(frozen=True)
class Reply:
    """The scale's answer to a command (``Z``, ``T``, ``@``): ``ok`` False when refused."""

    command: str
    ok: bool
    raw: str
    grams: float | None = None


Frame = Reading | Reply


def _error(raw: str, why: str) -> Reading:
    return Reading(None, False, "error", None, raw, error=why)


def out_of_range(grams: float, capacity_g: float | None) -> Status | None:
    """The fault a value is (``overload``, ``underload``, ``error``), or None when in range.

    Why here and not in the window: a scale that sends ``1e20`` or ``-99999999 kg`` has not
    weighed anything, and every consumer (the live readout, auto-record, ``station scale
    read``) must see a fault rather than a number it might record."""
    if not math.isfinite(grams):
        return "error"
    if capacity_g is not None and grams > capacity_g:
        return "overload"
    if capacity_g is not None and grams < -capacity_g:
        return "underload"
    return None


def bounded(reading: Reading, capacity_g: float | None) -> Reading:
    """``reading`` as a fault when its value is outside the scale's range, else unchanged."""
    if reading.grams is None:
        return reading
    fault = out_of_range(reading.grams, capacity_g)
    if fault is None:
        return reading
    why = "not a finite number" if fault == "error" else f"outside ± {capacity_g:g} g"
    return Reading(
        None, False, fault, reading.unit, reading.raw, reading.net,
        f"value {reading.grams:g} g is {why}", reading.motion,
    )  # fmt: skip


@dataclass
class _LineSplitter:
    """Cut a byte stream into frames at ``terminator``; overlong junk is dropped as one error."""

    terminator: bytes
    buffer: bytearray = field(default_factory=bytearray)

    def split(self, data: bytes) -> list[bytes]:
        self.buffer += data
        frames: list[bytes] = []
        while True:
            end = self.buffer.find(self.terminator)
            if end < 0:
                if len(self.buffer) > MAX_FRAME:
                    frames.append(bytes(self.buffer))  # reported as an error by the caller
                    self.buffer.clear()
                return frames
            frames.append(bytes(self.buffer[:end]))
            del self.buffer[: end + len(self.terminator)]


def _text(frame: bytes) -> str:
    # latin-1 never fails: garbage stays visible in logs instead of raising.
    return frame.decode("latin-1").strip("\r\n\x00")


class ScaleCodec:
    """What every protocol offers the driver. ``None`` commands mean "the protocol has none".

    ``feed`` cuts the stream into frames, parses each (``_parse``) and bounds its value by
    ``capacity_g`` (None: only non-finite values are faults), so no protocol can forget to.
    """

    name = "base"
    poll_command: bytes | None = None
    zero_command: bytes | None = None
    tare_command: bytes | None = None
    reset_command: bytes | None = None
    # Whether zero/tare are answered with a Reply the driver can wait for.
    acknowledges: bool = False
    # Whether this codec, as configured, can read a motion flag off the wire at all.
    flags_motion: bool = True
    _lines: _LineSplitter
    capacity_g: float | None = None

    def feed(self, data: bytes) -> list[Frame]:
        frames: list[Frame] = []
        for chunk in self._lines.split(data):
            if not chunk.strip():
                continue
            frame = self._parse(chunk)
            frames.append(bounded(frame, self.capacity_g) if isinstance(frame, Reading) else frame)
        return frames

    def _parse(self, chunk: bytes) -> Frame:
        raise NotImplementedError


# --------------------------------------------------------------------------- MT-SICS

# ASCII: a control character inside a value is a broken frame, not a space.
_SICS_WEIGHT = re.compile(
    r"(?P<cmd>SIR|SI|S)\s+(?P<status>[SDI+\-])(?:\s+(?P<value>[+\-]?\ *\d+(?:\.\d*)?)\s*(?P<unit>[A-Za-z]+))?\s*$",
    re.ASCII,
)
_SICS_REPLY = re.compile(r"(?P<cmd>Z|T|@|I4)\s+(?P<status>[ASIL+\-])(?P<rest>.*)$")
_SICS_ERROR = re.compile(r"(?P<code>ES|ET|EL)\s*$")


class MtSicsCodec(ScaleCodec):
    """Mettler Toledo MT-SICS level 0: ``SI`` polls, ``Z``/``T``/``@`` answered with a status."""

    name = "mt-sics"
    poll_command = b"SI\r\n"
    zero_command = b"Z\r\n"
    tare_command = b"T\r\n"
    reset_command = b"@\r\n"
    acknowledges = True

    def __init__(self, capacity_g: float | None = None) -> None:
        self._lines = _LineSplitter(b"\n")
        self.capacity_g = capacity_g

    def _parse(self, chunk: bytes) -> Frame:
        frame = self.parse(_text(chunk))
        tare = frame.grams if isinstance(frame, Reply) else None
        if tare is not None and out_of_range(tare, self.capacity_g):
            return _error(frame.raw, f"tare {tare:g} g is outside the scale's range")
        return frame

    @staticmethod
    def parse(line: str) -> Frame:
        # search, not match: bytes of power-up noise may precede the first real frame.
        weight = _SICS_WEIGHT.search(line)
        if weight:
            return _sics_weight(line[weight.start() :], weight)
        reply = _SICS_REPLY.search(line)
        if reply:
            cmd = "@" if reply["cmd"] == "I4" else reply["cmd"]
            grams = None
            if cmd == "T" and reply["status"] == "S":
                parts = reply["rest"].split()
                try:
                    grams = to_grams(float(parts[0]), parts[1])
                except (IndexError, ValueError, KeyError):
                    return _error(line, "tare reply without a weight")
            return Reply(cmd, reply["status"] in "AS", line, grams)
        error = _SICS_ERROR.search(line)
        if error:
            why = {"ES": "syntax error", "ET": "transmission error", "EL": "logical error"}
            return _error(line, f"scale reports {error['code']} ({why[error['code']]})")
        return _error(line, "not an MT-SICS frame")


def _sics_weight(line: str, m: re.Match[str]) -> Reading:
    status = m["status"]
    if status == "+":
        return Reading(None, False, "overload", None, line)
    if status == "-":
        return Reading(None, False, "underload", None, line)
    if status == "I":
        return Reading(None, False, "unstable", None, line)  # busy: no value yet
    if m["value"] is None:
        return _error(line, "weight frame without a value")
    unit = m["unit"]
    try:
        value = float(m["value"].replace(" ", ""))
    except ValueError:  # the pattern should make this impossible; a codec never raises
        return _error(line, f"not a number: {m['value']!r}")
    try:
        grams = to_grams(value, unit)
    except KeyError:
        return _error(line, f"unknown unit {unit!r}")
    stable = status == "S"  # "D" (dynamic): the balance flags the weight in motion
    return Reading(grams, stable, "ok" if stable else "unstable", unit, line, motion=not stable)


def format_sics_weight(grams: float, status: str, unit: str = "g", cmd: str = "S") -> bytes:
    """``S S     100.00 g``: the value right-aligned in 10 characters, as the balance sends it."""
    if status in "+-I":
        return f"{cmd} {status}\r\n".encode("ascii")
    value = from_grams(grams, unit)
    return f"{cmd} {status} {value:10.2f} {unit}\r\n".encode("ascii")


# --------------------------------------------------------------------------- Toledo 8217

STX = b"\x02"
MOTION, OVER_CAPACITY, UNDER_ZERO, OUTSIDE_ZERO_RANGE, CENTER_OF_ZERO = 1, 2, 4, 8, 16
_TOLEDO_WEIGHT = re.compile(r"^\s*(?P<value>\d+(?:\.\d*)?|\.\d+)(?P<net>N?)\s*$")


class Toledo8217Codec(ScaleCodec):
    """Toledo 8217: poll with ``W``; ``<STX>weight[N]<CR>`` when stable, else
    ``<STX>?<status byte><CR>`` (bit0 motion, bit1 over capacity, bit2 under zero).

    The frames carry no unit: it is a property of the scale (lb on US shipping scales, kg
    elsewhere), so the driver passes it in.
    """

    name = "toledo-8217"
    poll_command = b"W"
    zero_command = b"Z"
    tare_command = b"T"
    status_command = b"S"
    acknowledges = False

    def __init__(self, unit: str = "lb", capacity_g: float | None = None) -> None:
        if unit.lower() not in GRAMS_PER_UNIT:
            raise ProtocolError(f"unknown unit {unit!r}")
        self.unit = unit.lower()
        self.capacity_g = capacity_g
        self._lines = _LineSplitter(b"\r")

    def _parse(self, chunk: bytes) -> Reading:
        return self.parse(chunk)

    def parse(self, frame: bytes) -> Reading:
        start = frame.rfind(STX)  # noise before the last STX is power-up garbage
        if start < 0:
            return _error(_text(frame), "no STX in Toledo frame")
        raw = _text(frame[start:])
        body = frame[start + 1 :]
        if body.startswith(b"?"):
            if len(body) != 2:
                return _error(raw, "status frame must be one byte")
            return _toledo_status(body[1], raw)
        m = _TOLEDO_WEIGHT.match(body.decode("latin-1"))
        if not m:
            return _error(raw, "not a Toledo weight")
        grams = to_grams(float(m["value"]), self.unit)
        # The 8217 answers W with a weight only at rest (in motion it sends a status frame).
        return Reading(grams, True, "ok", self.unit, raw, net=bool(m["net"]), motion=False)


def _toledo_status(byte: int, raw: str) -> Reading:
    motion = bool(byte & MOTION)
    if byte & OVER_CAPACITY:
        return Reading(None, False, "overload", None, raw, motion=motion)
    if byte & UNDER_ZERO:
        return Reading(None, False, "underload", None, raw, motion=motion)
    if motion:
        return Reading(None, False, "unstable", None, raw, motion=True)
    # A status with no fault bit: the scale is settled; the next W gives the weight.
    return Reading(None, True, "ok", None, raw, motion=False)


def format_toledo_weight(grams: float, unit: str = "lb", net: bool = False) -> bytes:
    return STX + f"{from_grams(grams, unit):06.3f}{'N' if net else ''}\r".encode("ascii")


def format_toledo_status(bits: int) -> bytes:
    # Bit 6 set keeps the byte printable, as many 8217 scales do; parsers look at bits 0-4.
    return STX + b"?" + bytes([0x40 | (bits & 0x1F)]) + b"\r"


# --------------------------------------------------------------------------- continuous

DEFAULT_CONTINUOUS_PATTERN = (
    r"(?P<status>ST|US|OL|QT)\s*,\s*(?:(?P<mode>GS|NT|TR)\s*,\s*)?"
    r"(?P<sign>[+\-])?\s*(?P<value>\d+(?:\.\d*)?)?\s*(?P<unit>[A-Za-z]+)?\s*$"
)


class ContinuousCodec(ScaleCodec):
    """A&D / CAS style streaming indicators: ``ST,GS,+00123.45 g`` lines, sent unasked.

    ``pattern`` is a regular expression with named groups ``status``, ``sign``, ``value`` and
    ``unit`` (``mode`` optional: NT means net). Sites with odd OEM indicators set it in
    ``ScaleConfig.continuous_pattern`` instead of waiting for a code change.

    The ``status`` group carries the scale's motion flag: ``ST`` at rest, ``US`` in motion
    (never stable), ``OL`` out of range. Without a ``status`` group (``flags_motion`` False),
    or with a status other than those, the frame carries no flag: it is not stable by itself,
    and stability comes from the driver's consecutive-readings rule.
    """

    name = "continuous"
    zero_command = b"Z\r\n"
    tare_command = b"T\r\n"
    acknowledges = False

    def __init__(
        self, pattern: str | None = None, default_unit: str = "g", capacity_g: float | None = None
    ) -> None:
        try:
            self.pattern = re.compile(pattern or DEFAULT_CONTINUOUS_PATTERN)
        except re.error as exc:
            raise ProtocolError(f"invalid continuous_pattern: {exc}") from exc
        if "value" not in self.pattern.groupindex:
            raise ProtocolError("continuous_pattern needs a named group 'value'")
        self.default_unit = default_unit
        self.capacity_g = capacity_g
        self.flags_motion = "status" in self.pattern.groupindex
        self._lines = _LineSplitter(b"\n")

    def _parse(self, chunk: bytes) -> Reading:
        return self.parse(_text(chunk))

    def parse(self, line: str) -> Reading:
        m = self.pattern.search(line)
        if not m:
            return _error(line, "frame does not match the continuous pattern")
        line = line[m.start() :]
        groups = m.groupdict()
        status = (groups.get("status") or "").upper()
        sign = groups.get("sign") or "+"
        if status == "OL":
            return Reading(None, False, "underload" if sign == "-" else "overload", None, line)
        if not groups.get("value"):
            return _error(line, "frame without a value")
        unit = groups.get("unit") or self.default_unit
        try:
            value = float(groups["value"])
        except ValueError:
            return _error(line, f"not a number: {groups['value']!r}")
        try:
            grams = to_grams(value, unit)
        except KeyError:
            return _error(line, f"unknown unit {unit!r}")
        if sign == "-":
            grams = -grams
        motion = {"ST": False, "US": True}.get(status)  # anything else: no flag
        net = (groups.get("mode") or "").upper() == "NT"
        # A frame with no flag is a good value the scale makes no claim about ("ok", not
        # stable): whether it is at rest is the driver's consecutive rule to decide.
        status_word: Status = "unstable" if motion else "ok"
        return Reading(grams, motion is False, status_word, unit, line, net=net, motion=motion)


def format_continuous(
    grams: float | None, status: str, unit: str = "g", net: bool = False, negative: bool = False
) -> bytes:
    mode = "NT" if net else "GS"
    if grams is None:  # overload / underload: the indicator shows dashes, the value is junk
        return f"OL,{mode},{'-' if negative else '+'}99999.99 {unit}\r\n".encode("ascii")
    value = from_grams(abs(grams), unit)
    sign = "-" if grams < 0 else "+"
    return f"{status},{mode},{sign}{value:08.2f} {unit}\r\n".encode("ascii")


def make_codec(
    protocol: str,
    *,
    unit: str = "lb",
    pattern: str | None = None,
    capacity_g: float | None = None,
) -> ScaleCodec:
    """The codec for a protocol name from settings or the command line.

    ``unit`` matters only for Toledo 8217, whose frames do not carry one; ``capacity_g``
    bounds every reading (None: only values that are not finite numbers are faults).
    """
    if protocol == "mt-sics":
        return MtSicsCodec(capacity_g)
    if protocol == "toledo-8217":
        return Toledo8217Codec(unit, capacity_g)
    if protocol == "continuous":
        return ContinuousCodec(pattern, capacity_g=capacity_g)
    raise ProtocolError(f"unknown scale protocol {protocol!r} (one of {', '.join(PROTOCOLS)})")
