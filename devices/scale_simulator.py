"""A wire-level scale simulator: speaks MT-SICS, Toledo 8217 or continuous output on a real port.

Why wire-level: the driver's hard parts (framing, resynchronising, silence, a port that
vanishes) only show up on a real file descriptor, so tests and benchmarks run the driver
against this simulator over a pseudo-terminal (``os.openpty``; the slave's path comes from
``os.ttyname``) or a loopback TCP socket (``socket://127.0.0.1:PORT``).

The weight is scriptable: ``place(grams)`` starts a settling curve (an underdamped
oscillation from the old weight to the new one: overshoot, then exponential decay), plus
uniform noise of ± ``noise_g``; the scale says "dynamic" until the swing is under half a gram
and ``min_dynamic_s`` has passed, like a real load cell filter.

Faults (all thread-safe, callable while serving): ``inject(bytes)`` garbage on the wire,
``break_frames(n)`` corrupt the next n weight frames, ``set_overload`` / ``set_underload``,
``set_motion`` (every frame flagged in motion, the value steady within ± ``noise_g``: a
vibrating bench, a fan on the pan), ``force_value`` (frames carry a value the scale should never
send, such as ``1e20`` g or ``-99999999`` kg, a scale whose range the station does not know),
``set_silent`` (answers nothing), ``silent_when_stable`` (answers once stable, then nothing
until the weight changes), ``power_up_garbage`` (sent before the first frame to a new peer),
``vanish()`` / ``reappear()``: the pty pair is closed and a new one made (with ``link`` set, a
symlink at that path follows it, like a udev /dev/serial/by-id name), or the TCP listener is
closed and opened again on the same port. The port is never given up in between
(``devices.tcp_ports``): a connect is refused, as by a device server whose port is closed, and
no other program, nor the driver's own reconnect, can take the port meanwhile.
"""

from __future__ import annotations

import logging
import math
import os
import random
import select
import socket
import threading
import time
import tty
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from devices import scale_protocols as sp
from devices.tcp_ports import listen_on, reserve_port, stop_listening

log = logging.getLogger(__name__)

Transport = Literal["pty", "tcp"]


class ScaleSimulator:
    """One simulated scale on one port, served by a background thread."""

    def __init__(
        self,
        protocol: str,
        *,
        grams: float = 0.0,
        transport: Transport = "pty",
        tcp_port: int = 0,
        link: str | Path | None = None,
        rate_hz: float = 10.0,
        unit: str | None = None,
        noise_g: float = 0.2,
        capacity_g: float = 30_000.0,
        tau_s: float = 0.12,
        oscillation_hz: float = 2.0,
        min_dynamic_s: float = 0.3,
        power_up_garbage: bytes = b"",
        seed: int | None = None,
    ) -> None:
        if protocol not in sp.PROTOCOLS:
            raise sp.ProtocolError(f"unknown scale protocol {protocol!r}")
        self.protocol = protocol
        self.transport = transport
        self.link = Path(link) if link else None
        self.rate_hz = rate_hz
        self.unit = unit or ("lb" if protocol == "toledo-8217" else "g")
        self.noise_g = noise_g
        self.capacity_g = capacity_g
        self.tau_s = tau_s
        self.oscillation_hz = oscillation_hz
        self.min_dynamic_s = min_dynamic_s
        self.power_up_garbage = power_up_garbage
        self._rng = random.Random(seed)
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # weight model
        self._from_g = self._to_g = max(0.0, grams)
        self._t0 = time.monotonic() - 10.0  # already settled
        self.zero_offset_g = 0.0
        self.tare_g = 0.0
        # faults
        self._overload = self._underload = self._silent = self._motion = False
        self._forced: float | None = None
        self.silent_when_stable = False
        self._quiet = False  # silent_when_stable: a stable frame went out, weight unchanged
        self._broken = 0
        self._outbox = bytearray()
        self._garbage_due = bool(power_up_garbage)
        # transport
        self._tcp_port = tcp_port
        self._master: int | None = None
        self._slave: int | None = None
        self._listener: socket.socket | None = None
        self._reservation: socket.socket | None = None  # holds the TCP port from start to stop
        self._client: socket.socket | None = None
        self._vanished = False
        self._inbuf = bytearray()
        self._streaming = protocol == "continuous"
        self._waiting_s = 0  # MT-SICS "S" requests waiting for a stable weight
        self.commands: list[str] = []
        self.frames_sent = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> str:
        """Open the port and serve it; returns the URL a driver opens."""
        try:
            self._open_link()
        except OSError:
            self._release_port()
            raise
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="scale-simulator", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        with self._lock:
            self._close_link()
            self._release_port()

    def __enter__(self) -> ScaleSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self.transport == "tcp":
            return f"socket://127.0.0.1:{self._tcp_port}"
        if self.link is not None:
            return str(self.link)
        if self._slave is None:
            raise RuntimeError("simulator not started")
        return os.ttyname(self._slave)

    def vanish(self) -> None:
        """The adapter is unplugged: the port disappears and open() fails until reappear()."""
        with self._lock:
            self._vanished = True
            self._close_link()

    def reappear(self) -> None:
        with self._lock:
            self._vanished = False
            self._garbage_due = bool(self.power_up_garbage)
            self._open_link()

    # ------------------------------------------------------------------ scripting

    def place(self, grams: float) -> None:
        """Put something on the pan (or take it off with 0): the reading settles on it."""
        with self._lock:
            now = time.monotonic()
            self._from_g = self._gross(now)[0]
            self._to_g = grams
            self._t0 = now
            self._quiet = False

    def remove(self) -> None:
        self.place(0.0)

    def set_weight(self, grams: float) -> None:
        """Jump to a weight that is already settled (no curve)."""
        with self._lock:
            self._from_g = self._to_g = grams
            self._t0 = time.monotonic() - 10.0
            self._quiet = False

    def inject(self, garbage: bytes) -> None:
        with self._lock:
            self._outbox += garbage

    def break_frames(self, count: int = 1) -> None:
        with self._lock:
            self._broken += count

    def set_overload(self, on: bool = True) -> None:
        with self._lock:
            self._overload, self._quiet = on, False

    def set_underload(self, on: bool = True) -> None:
        with self._lock:
            self._underload, self._quiet = on, False

    def set_motion(self, on: bool = True) -> None:
        """Flag every weight frame in motion (MT-SICS ``S D``, continuous ``US``, the Toledo
        8217 status motion bit) while the value stays where the settling curve puts it."""
        with self._lock:
            self._motion, self._quiet = on, False

    def force_value(self, grams: float | None) -> None:
        """Send ``grams`` as the value of every weight frame, past the simulator's own
        capacity check (None: back to the weight on the pan). NaN and huge values go out as
        the protocol's formatter writes them."""
        with self._lock:
            self._forced, self._quiet = grams, False

    def set_silent(self, on: bool = True) -> None:
        with self._lock:
            self._silent = on

    def wait_for_command(self, command: str, timeout: float = 10.0) -> bool:
        """Block until the scale has received ``command`` (e.g. "Z"); for tests."""
        with self._lock:
            return self._lock.wait_for(lambda: command in self.commands, timeout)

    def wait_for_commands(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` commands (polls included) have arrived; for tests."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.commands) >= count, timeout)

    @property
    def quiet(self) -> bool:
        """True while ``silent_when_stable`` keeps the scale from answering."""
        with self._lock:
            return self._quiet

    # ------------------------------------------------------------------ weight model

    def _gross(self, now: float) -> tuple[float, bool]:
        """(gross grams on the load cell, settled?) following the settling curve."""
        t = now - self._t0
        swing = (self._to_g - self._from_g) * math.exp(-t / self.tau_s)
        grams = self._to_g - swing * math.cos(2 * math.pi * self.oscillation_hz * t)
        settled = abs(swing) < 0.5 and t >= self.min_dynamic_s
        return grams, settled or self._to_g == self._from_g

    def _state(self) -> tuple[float, str]:
        """(displayed grams, status letter S/D/+/-) as the scale's firmware would report."""
        gross, settled = self._gross(time.monotonic())
        if self._forced is not None:
            return self._forced, "D" if self._motion else "S"
        if self._overload or gross > self.capacity_g:
            return gross, "+"
        shown = gross - self.zero_offset_g - self.tare_g
        if self._underload or gross - self.zero_offset_g < -50.0:
            return shown, "-"
        shown += self._rng.uniform(-self.noise_g, self.noise_g)
        return shown, "S" if settled and not self._motion else "D"

    # ------------------------------------------------------------------ frames

    def _weight_frame(self, cmd: str = "S") -> bytes | None:
        grams, status = self._state()
        if self._quiet:
            return None
        if self.protocol == "mt-sics":
            frame = sp.format_sics_weight(grams, status, self.unit, cmd)
        elif self.protocol == "toledo-8217":
            if status == "S":
                shown = grams if self._forced is not None else max(grams, 0.0)
                frame = sp.format_toledo_weight(shown, self.unit, net=self.tare_g > 0)
            else:
                frame = sp.format_toledo_status(self._toledo_bits(status))
        else:
            code = {"S": "ST", "D": "US"}.get(status, "OL")
            value = None if status in "+-" else grams
            frame = sp.format_continuous(
                value, code, self.unit, net=self.tare_g > 0, negative=status == "-"
            )
        if status == "S" and self.silent_when_stable:
            self._quiet = True
        if self._broken:
            self._broken -= 1
            cut = max(2, len(frame) // 2)
            frame = frame[:cut] + b"\xff\xfe" + frame[-3:]
        return frame

    @staticmethod
    def _toledo_bits(status: str) -> int:
        return {"D": sp.MOTION, "+": sp.OVER_CAPACITY, "-": sp.UNDER_ZERO}.get(status, 0)

    def _handle(self, command: str) -> bytes | None:
        """The scale's answer to one command (``None``: no answer)."""
        self.commands.append(command)
        self._lock.notify_all()
        if command == "Z":
            self.zero_offset_g = self._gross(time.monotonic())[0]
            self.tare_g = 0.0
            self._quiet = False
            return b"Z A\r\n" if self.protocol == "mt-sics" else None
        if command == "T":
            gross = self._gross(time.monotonic())[0]
            self.tare_g = gross - self.zero_offset_g
            self._quiet = False
            if self.protocol == "mt-sics":
                return f"T S {self.tare_g:10.2f} g\r\n".encode("ascii")
            return None
        if self.protocol == "mt-sics":
            return self._handle_sics(command)
        if self.protocol == "toledo-8217":
            if command == "W":
                return self._weight_frame()
            if command == "S":
                return sp.format_toledo_status(self._toledo_bits(self._state()[1]))
            if command == "C":
                self.tare_g = 0.0
            return None
        return None

    def _handle_sics(self, command: str) -> bytes | None:
        if command in ("SI", "SIR"):
            self._streaming = command == "SIR"
            return self._weight_frame("S")
        if command == "S":
            self._waiting_s += 1
            return None
        if command == "@":
            self._streaming, self._waiting_s, self.tare_g = False, 0, 0.0
            return b'I4 A "SIM0001"\r\n'
        return b"ES\r\n"

    def _tick(self) -> bytes:
        """What the scale sends by itself this tick: streamed frames, answers to ``S``."""
        out = bytearray()
        if self._streaming:
            frame = self._weight_frame("S")
            if frame:
                out += frame
        if self._waiting_s and self._state()[1] != "D":
            frame = self._weight_frame("S")
            if frame:
                out += frame * self._waiting_s
                self._waiting_s = 0
        return bytes(out)

    def _commands_in(self, data: bytes) -> list[str]:
        self._inbuf += data
        if self.protocol == "toledo-8217":
            commands = [chr(b) for b in self._inbuf if chr(b).isalpha()]
            self._inbuf.clear()
            return commands
        *lines, rest = bytes(self._inbuf).split(b"\n")
        self._inbuf = bytearray(rest[-64:])
        return [c for line in lines if (c := line.decode("latin-1").strip().upper())]

    # ------------------------------------------------------------------ transport

    def _open_link(self) -> None:
        if self.transport == "tcp":
            if self._reservation is None:  # the port is ours from start() to stop()
                self._reservation = reserve_port("127.0.0.1", self._tcp_port)
                self._tcp_port = self._reservation.getsockname()[1]
            self._listener = listen_on(self._reservation)
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo of our own output back to us before the driver opens
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        if self.link is not None:
            self.link.unlink(missing_ok=True)
            self.link.symlink_to(os.ttyname(slave))

    def _release_port(self) -> None:
        if self._reservation is not None:
            self._reservation.close()
            self._reservation = None

    def _close_link(self) -> None:
        for sock in (self._client, self._listener):
            if sock is not None:
                stop_listening(sock)  # the serving thread may be in select() on it
        self._client = self._listener = None
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        if self.link is not None and self.transport == "pty":
            self.link.unlink(missing_ok=True)
        self._inbuf.clear()

    def _send(self, data: bytes) -> None:
        if not data:
            return
        if self._garbage_due and self._has_peer():
            data, self._garbage_due = self.power_up_garbage + data, False
        try:
            if self._client is not None:
                self._client.sendall(data)
            elif self._master is not None:
                os.write(self._master, data)
            else:
                return
            self.frames_sent += 1
        except BlockingIOError:
            pass  # nobody reads the pty: a real scale's output is lost too
        except OSError as exc:
            log.debug("simulator send failed: %s", exc)
            self._drop_client()

    def _has_peer(self) -> bool:
        return self._client is not None or self._master is not None

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._inbuf.clear()

    def _serve(self) -> None:
        period = 1.0 / self.rate_hz
        next_tick = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                sources = [s for s in (self._master, self._listener, self._client) if s is not None]
            timeout = max(0.0, min(next_tick - time.monotonic(), period))
            try:
                ready = select.select(sources, [], [], timeout)[0] if sources else []
            except (OSError, ValueError):
                ready = []  # a source was closed by vanish() while we waited
            if not sources:
                self._stop.wait(timeout)
            with self._lock:
                self._serve_ready(ready)
                if time.monotonic() >= next_tick:
                    next_tick += period
                    if next_tick < time.monotonic():
                        next_tick = time.monotonic() + period
                    if self._outbox:
                        self._send(bytes(self._outbox))
                        self._outbox.clear()
                    if not self._silent and (self._client or self._master is not None):
                        self._send(self._tick())

    def _serve_ready(self, ready: Sequence[object]) -> None:
        if self._listener is not None and self._listener in ready:
            client, _ = self._listener.accept()
            self._drop_client()
            self._client = client
            self._garbage_due = bool(self.power_up_garbage) or self._garbage_due
        data = b""
        try:
            if self._client is not None and self._client in ready:
                data = self._client.recv(4096)
                if not data:
                    self._drop_client()
            elif self._master is not None and self._master in ready:
                data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        except OSError:  # EIO: the driver closed the slave side; wait for it to come back
            self._drop_client()
            return
        for command in self._commands_in(data):
            answer = self._handle(command)
            if answer and not self._silent:
                self._send(answer)
