"""A bench scale on a serial port (or anything pyserial opens by URL), read on its own thread.

Why a thread and callbacks: a scale is a slow, unreliable peer (10 readings a second at best,
silent for seconds, unplugged by a knee). The reader thread owns the port, polls or listens,
and tells the rest of the station what happened through plain callables, so this module stays
Qt-free; the UI wraps the callbacks in queued signals.

Ports are pyserial URLs opened with ``serial.serial_for_url``: ``/dev/ttyUSB0``, ``COM3``,
``socket://host:port`` and ``hwgrep://VID:PID``. The URL is resolved again on every reconnect,
so a USB adapter that re-enumerates under another device name is found again by VID:PID.

Stable weight, computed by the driver on every reading. First rule, under every policy: a
reading the scale flags as in motion (MT-SICS ``D``, continuous ``US``, the Toledo 8217 status
motion bit; ``Reading.motion``) is never stable, and it breaks any run of consecutive
readings. Why: five readings within ± 2 g of each other do not make a moving load settled
when the scale itself, which sees its load cell at a far higher rate, says it is moving.

The consecutive rule: the last ``stable_readings`` readings not flagged in motion are all
within ± ``stable_delta_g`` of the newest one. It is what a scale that sends no motion flag
(a continuous pattern without a ``status`` group) is judged by. ``stable_policy`` (default
``ScaleConfig.stable_policy``) chooses how the two combine:

- ``"either"`` (default): the scale's flag where its frames carry one, the consecutive rule
  where they do not;
- ``"both"``: the consecutive rule always, and the scale's flag too where it has one (for a
  scale whose stable flag comes too early);
- ``"scale"``: the scale's flag only; a scale that sends no flag never gives a stable weight
  (so a pattern that cannot see the flag shows up at once instead of being guessed around);
- ``"consecutive"``: the consecutive rule only, the scale's stable flag neither needed nor
  enough; since a reading flagged in motion never counts, on a scale that flags motion this
  is the same as ``"both"``.

Readings outside the scale's range (``ScaleConfig.capacity_g``), overload, underload and
broken frames are never stable (``devices.scale_protocols`` makes them faults). Some scales
answer once and then stay silent until the weight changes: silence after a flag-stable reading
counts as "unchanged" (the window is treated as repeating that reading) for ``silence_ok_s``;
after that, or after ``timeout_s`` of silence otherwise, the state becomes ``no-answer`` and
the weight is stale. Nothing but broken frames (a scale sending NaN) for ``timeout_s`` makes
the weight held stale too.

States (``ScaleState``): ``stopped`` -> ``connecting`` -> ``connected`` <-> ``no-answer``;
a port error gives ``disconnected`` and the thread keeps reopening with exponential back-off
(``reconnect_min_s`` .. ``reconnect_max_s``) until ``stop()``.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import serial

from devices.config import ScaleConfig
from devices.scale import ScaleError, Weight
from devices.scale_protocols import Reading, Reply, ScaleCodec, make_codec
from devices.serial_link import open_serial_url

log = logging.getLogger(__name__)

StablePolicy = Literal["either", "scale", "consecutive", "both"]
STABLE_POLICIES: tuple[StablePolicy, ...] = ("either", "scale", "consecutive", "both")


class ScaleState(enum.StrEnum):
    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    NO_ANSWER = "no-answer"
    DISCONNECTED = "disconnected"


class ScaleTimeout(ScaleError):
    """No stable weight in time; ``last`` is the newest reading, if any, for the caller to show."""

    def __init__(self, message: str, last: Weight | None, last_reading: Reading | None) -> None:
        super().__init__(message)
        self.last = last
        self.last_reading = last_reading


_FRAMING = {
    "8N1": (serial.EIGHTBITS, serial.PARITY_NONE, serial.STOPBITS_ONE),
    "7E1": (serial.SEVENBITS, serial.PARITY_EVEN, serial.STOPBITS_ONE),
    "7O1": (serial.SEVENBITS, serial.PARITY_ODD, serial.STOPBITS_ONE),
    "8E1": (serial.EIGHTBITS, serial.PARITY_EVEN, serial.STOPBITS_ONE),
    "8N2": (serial.EIGHTBITS, serial.PARITY_NONE, serial.STOPBITS_TWO),
}


def open_port(url: str, baudrate: int = 9600, framing: str = "8N1", timeout: float = 0.05) -> Any:
    """Open a pyserial URL with the scale's framing; ScaleError naming the port if we cannot."""
    try:
        bytesize, parity, stopbits = _FRAMING[framing.upper()]
    except KeyError:
        raise ScaleError(f"unknown framing {framing!r} (one of {', '.join(_FRAMING)})") from None
    try:
        return open_serial_url(
            url,
            baudrate=baudrate,
            bytesize=bytesize,
            parity=parity,
            stopbits=stopbits,
            timeout=timeout,
            write_timeout=1.0,
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise ScaleError(f"cannot open scale port {url}: {exc}") from exc


@dataclass(frozen=True)
class _Sample:
    weight: Weight
    reading: Reading
    at: float  # time.monotonic() of arrival


class SerialScale:
    """The ``Scale`` protocol over pyserial, for MT-SICS, Toledo 8217 and continuous output."""

    def __init__(
        self,
        config: ScaleConfig,
        *,
        name: str | None = None,
        unit: str = "lb",
        stable_policy: StablePolicy | None = None,
        silence_ok_s: float = 60.0,
        reconnect_min_s: float = 0.2,
        reconnect_max_s: float = 5.0,
        on_weight: Callable[[Weight], None] | None = None,
        on_stable: Callable[[Weight], None] | None = None,
        on_state: Callable[[ScaleState, str], None] | None = None,
        on_frame_error: Callable[[Reading], None] | None = None,
    ) -> None:
        if not config.port:
            raise ScaleError("no scale port configured")
        self.config = config
        self.port_url: str = config.port
        self.name = name or f"{config.protocol}@{config.port}"
        self.unit = unit
        policy = stable_policy or config.stable_policy
        if policy not in STABLE_POLICIES:
            raise ScaleError(
                f"unknown stable policy {policy!r} (one of {', '.join(STABLE_POLICIES)})"
            )
        self.stable_policy: StablePolicy = policy
        self.silence_ok_s = silence_ok_s
        self.reconnect_min_s = reconnect_min_s
        self.reconnect_max_s = reconnect_max_s
        self.on_weight = on_weight
        self.on_stable = on_stable
        self.on_state = on_state
        self.on_frame_error = on_frame_error
        self._codec = self._new_codec()  # validates protocol and pattern now, not on the thread
        self._period = 1.0 / max(config.poll_hz, 0.1)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._commands: queue.Queue[tuple[bytes, threading.Event]] = queue.Queue()
        self._window: deque[float] = deque(maxlen=max(1, config.stable_readings))
        self._current: _Sample | None = None
        self._last_stable: Weight | None = None
        self._stable_seq = 0
        self._replies: dict[str, Reply] = {}
        self._reply_seq = 0
        self.state = ScaleState.STOPPED
        self.frame_errors = 0
        self.last_frame_error: Reading | None = None  # the newest broken frame, for a report
        self._broken_since: float | None = None  # first broken frame since the last good one

    # ------------------------------------------------------------------ lifecycle

    def start(self, *, require_port: bool = False) -> None:
        """Start the reader thread. With ``require_port`` the first open happens here and a
        missing port raises ScaleError at once (one-shot CLI use); otherwise the thread keeps
        trying in the background (a bench whose adapter is plugged in later)."""
        if self._thread is not None:
            return
        first = None
        if require_port:
            self._set_state(ScaleState.CONNECTING, self.port_url)
            try:
                first = self._open()
            except ScaleError as exc:
                self._set_state(ScaleState.DISCONNECTED, str(exc))
                raise
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(first,), name=f"scale:{self.port_url}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def __enter__(self) -> SerialScale:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ Scale protocol

    def read(self) -> Weight:
        """The newest weight (stable or not), waiting up to ``timeout_s`` for a first one."""
        if self._thread is None:
            self.start(require_port=True)
        deadline = time.monotonic() + self.config.timeout_s
        with self._cond:
            while self._current is None or self.state is not ScaleState.CONNECTED:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ScaleError(f"no reading from the scale on {self.port_url} ({self.state})")
                self._cond.wait(remaining)
            return self._current.weight

    def read_stable(self, timeout: float | None = None, *, fresh: bool = False) -> Weight:
        """Wait for a stable weight. ``fresh`` ignores a stable weight already held (use it
        right after placing an item; a frame already on the wire when it is called can still
        count, so callers that know the expected weight should check it). Raises ScaleTimeout
        carrying the last reading."""
        if self._thread is None:
            self.start(require_port=True)
        deadline = time.monotonic() + (self.config.timeout_s if timeout is None else timeout)
        with self._cond:
            seq = self._stable_seq
            while True:
                sample = self._current
                usable = sample is not None and self.state is ScaleState.CONNECTED
                if (
                    usable
                    and sample is not None
                    and sample.weight.stable
                    and (not fresh or self._stable_seq != seq)
                ):
                    return sample.weight
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ScaleTimeout(
                        f"no stable weight from {self.port_url} within the timeout ({self.state})",
                        sample.weight if sample else None,
                        sample.reading if sample else None,
                    )
                self._cond.wait(remaining)

    @property
    def last_reading(self) -> Reading | None:
        with self._cond:
            return self._current.reading if self._current else None

    def zero(self, timeout: float | None = None) -> Reply | None:
        """Zero the scale; returns the scale's reply where the protocol gives one."""
        return self._command("zero", self._codec.zero_command, timeout)

    def tare(self, timeout: float | None = None) -> Reply | None:
        return self._command("tare", self._codec.tare_command, timeout)

    def _command(self, what: str, command: bytes | None, timeout: float | None) -> Reply | None:
        if command is None:
            raise ScaleError(f"{self.config.protocol} scales have no {what} command")
        if self._thread is None or self.state not in (ScaleState.CONNECTED, ScaleState.NO_ANSWER):
            raise ScaleError(f"scale on {self.port_url} is not connected ({self.state})")
        deadline = time.monotonic() + (self.config.timeout_s if timeout is None else timeout)
        letter = command.strip().decode("ascii")
        with self._cond:
            seq = self._reply_seq
        written = threading.Event()
        self._commands.put((command, written))
        if not written.wait(max(0.0, deadline - time.monotonic())):
            raise ScaleError(f"{what} command not sent to {self.port_url}")
        if not self._codec.acknowledges:
            return None
        with self._cond:
            while True:
                reply = self._replies.get(letter)
                if reply is not None and self._reply_seq != seq:
                    if not reply.ok:
                        raise ScaleError(f"scale refused {what}: {reply.raw}")
                    return reply
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ScaleError(f"no answer to {what} from {self.port_url}")
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ reader thread

    def _new_codec(self) -> ScaleCodec:
        return make_codec(
            self.config.protocol,
            unit=self.unit,
            pattern=self.config.continuous_pattern,
            capacity_g=self.config.capacity_g,
        )

    def _open(self) -> Any:
        timeout = min(0.05, self._period / 2)
        return open_port(self.port_url, self.config.baudrate, self.config.framing, timeout)

    def _run(self, port: Any) -> None:
        backoff = self.reconnect_min_s
        while not self._stop.is_set():
            if port is None:
                self._set_state(ScaleState.CONNECTING, self.port_url)
                try:
                    port = self._open()
                except ScaleError as exc:
                    self._set_state(ScaleState.DISCONNECTED, str(exc))
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self.reconnect_max_s)
                    continue
            backoff = self.reconnect_min_s
            self._set_state(ScaleState.CONNECTED, self.port_url)
            try:
                self._serve(port)
            except (serial.SerialException, OSError) as exc:
                log.warning("scale port %s lost: %s", self.port_url, exc)
                self._set_state(ScaleState.DISCONNECTED, f"{self.port_url}: {exc}")
                self._stop.wait(backoff)
            finally:
                with contextlib.suppress(serial.SerialException, OSError):
                    port.close()
                port = None
                self._forget()
        self._set_state(ScaleState.STOPPED, "")

    def _serve(self, port: Any) -> None:
        # A fresh codec per connection: half a frame from the old link must not glue onto
        # the first frame of the new one.
        self._codec = codec = self._new_codec()
        self._broken_since = None
        poll = codec.poll_command
        next_poll = time.monotonic()
        last_rx = time.monotonic()
        while not self._stop.is_set():
            self._flush_commands(port)
            now = time.monotonic()
            if poll is not None and now >= next_poll:
                port.write(poll)
                next_poll += self._period
                if next_poll < now:
                    next_poll = now + self._period
            data = port.read(max(1, port.in_waiting))
            now = time.monotonic()
            if data:
                last_rx = now
                for frame in codec.feed(data):
                    if isinstance(frame, Reply):
                        self._on_reply(frame)
                    else:
                        self._on_reading(frame, now)
            else:
                self._on_silence(now - last_rx)

    def _flush_commands(self, port: Any) -> None:
        while True:
            try:
                command, written = self._commands.get_nowait()
            except queue.Empty:
                return
            port.write(command)
            port.flush()
            written.set()

    def _on_reply(self, reply: Reply) -> None:
        with self._cond:
            self._replies[reply.command] = reply
            self._reply_seq += 1
            self._cond.notify_all()

    def _on_reading(self, reading: Reading, now: float) -> None:
        if reading.status == "error":
            self.frame_errors += 1
            self.last_frame_error = reading
            log.info("scale %s: broken frame %r (%s)", self.port_url, reading.raw, reading.error)
            # A broken frame now and then leaves the weight held; nothing but broken frames
            # (a scale sending NaN) for longer than timeout_s makes it stale, as silence does.
            if self._broken_since is None:
                self._broken_since = now
            elif now - self._broken_since > self.config.timeout_s and self._current is not None:
                self._forget()
            self._call(self.on_frame_error, reading)
            return
        self._broken_since = None
        if reading.status == "ok" and reading.grams is None:
            return  # a Toledo status byte with no fault: nothing to show, the weight follows
        if self.state is ScaleState.NO_ANSWER:
            self._set_state(ScaleState.CONNECTED, "scale answers again")
        at_rest = reading.grams is not None and reading.status == "ok" and not reading.motion
        if at_rest and reading.grams is not None:
            self._window.append(reading.grams)
        else:  # moving, a fault, or no value: a run of readings at rest starts again
            self._window.clear()
        self._publish(reading, at_rest and self._is_stable(reading), now)

    def _is_stable(self, reading: Reading) -> bool:
        """The policy (module docstring) on a reading with a value, not flagged in motion."""
        window = self._window
        consecutive = len(window) == window.maxlen and all(
            abs(g - window[-1]) <= self.config.stable_delta_g for g in window
        )
        flagged = reading.motion is not None  # the frame says moving or at rest
        if self.stable_policy == "scale":
            return reading.stable
        if self.stable_policy == "consecutive":
            return consecutive
        if self.stable_policy == "both":
            return consecutive and (reading.stable or not flagged)
        return reading.stable if flagged else consecutive

    def _on_silence(self, silent_for: float) -> None:
        sample = self._current
        flag_stable = sample is not None and sample.reading.stable and sample.reading.status == "ok"
        if flag_stable and silent_for <= self.silence_ok_s:
            # Answered once, silent until the weight changes: the reading still holds.
            if sample is not None and not sample.weight.stable and silent_for > 2 * self._period:
                self._window.extend([sample.weight.grams] * (self._window.maxlen or 1))
                self._publish(sample.reading, True, sample.at)
            return
        limit = self.silence_ok_s if flag_stable else self.config.timeout_s
        if silent_for > limit and self.state is ScaleState.CONNECTED:
            self._set_state(ScaleState.NO_ANSWER, f"no answer for {silent_for:.1f} s")
            self._forget()

    def _publish(self, reading: Reading, stable: bool, at: float) -> None:
        grams = reading.grams if reading.grams is not None else 0.0
        weight = Weight(grams, stable, self.name, reading.raw, reading.status)
        new_stable = False
        with self._cond:
            self._current = _Sample(weight, reading, at)
            if stable:
                previous = self._last_stable
                if previous is None or abs(previous.grams - grams) > self.config.stable_delta_g:
                    new_stable = True
                    self._stable_seq += 1
                self._last_stable = weight
            else:
                self._last_stable = None
            self._cond.notify_all()
        self._call(self.on_weight, weight)
        if new_stable:
            self._call(self.on_stable, weight)

    def _forget(self) -> None:
        """The weight we held is no longer trustworthy (silence, lost port)."""
        with self._cond:
            self._current = None
            self._last_stable = None
            self._window.clear()
            self._cond.notify_all()

    def _set_state(self, state: ScaleState, detail: str) -> None:
        with self._cond:
            if state is self.state:
                return
            self.state = state
            self._cond.notify_all()
        log.info("scale %s: %s %s", self.port_url, state, detail)
        self._call(self.on_state, state, detail)

    def _call(self, callback: Callable[..., None] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:  # a listener's bug must not kill the reader thread
            log.exception("scale callback %r failed", callback)
