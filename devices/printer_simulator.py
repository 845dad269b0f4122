"""A raw-TCP label printer on 127.0.0.1 that keeps every job it receives.

It stands in for a Zebra on port 9100 in tests and under ``--simulate``: a job is everything a
client writes before closing its connection (empty connections, e.g. health probes, are not
jobs). ``stop()`` closes the listening socket so clients get "connection refused", and
``start()`` listens on the *same* port again: "printer off, then on" without changing settings.
The port stays reserved while the printer is off (``devices.tcp_ports``), so no other program
and no reconnecting client can take it meanwhile; ``close()`` (or leaving the ``with`` block,
or dropping the simulator) gives it up.
"""

from __future__ import annotations

import logging
import socket
import threading
import weakref

from devices.printing import ZplTcpPrinter
from devices.tcp_ports import listen_on, reserve_port, stop_listening

log = logging.getLogger(__name__)


class PrinterSimulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port  # 0 = an ephemeral port, fixed at the first start()
        self._asked_port = port
        self._jobs: list[bytes] = []
        self._changed = threading.Condition()
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._reservation: socket.socket | None = None  # the port, from first start to close
        self._release: weakref.finalize | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def jobs(self) -> list[bytes]:
        with self._changed:
            return list(self._jobs)

    def start(self) -> PrinterSimulator:
        if self._server is not None:
            return self
        if self._reservation is None:
            self._reservation = reserve_port(self.host, self.port)
            self.port = self._reservation.getsockname()[1]
            # Closed quietly when the simulator is dropped without close() ("printer gone").
            self._release = weakref.finalize(self, self._reservation.close)
        server = listen_on(self._reservation, backlog=8)
        self._server = server
        self._thread = threading.Thread(
            target=self._accept_loop, args=(server,), name=f"printer-sim-{self.port}", daemon=True
        )
        self._thread.start()
        log.debug("printer simulator listening on %s", self.address)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        stop_listening(server)  # wakes the blocked accept(); the port stays reserved
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        """Stop and give the port up (a later start() binds the port asked for again, or a
        new one if that was 0)."""
        self.stop()
        if self._release is not None:
            self._release()
        self._reservation = self._release = None
        self.port = self._asked_port

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` jobs arrived (tests use this, never sleeps)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._jobs) >= count, timeout=timeout)

    def _accept_loop(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _peer = server.accept()
            except OSError:
                return  # stopped
            # One connection at a time, as a Zebra printer on port 9100 does: jobs are stored in
            # the order they were sent (a thread per connection could record them out of order).
            self._receive(conn)

    def _receive(self, conn: socket.socket) -> None:
        chunks: list[bytes] = []
        with conn:
            conn.settimeout(30)
            try:
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
            except OSError as exc:
                log.warning("printer simulator: connection dropped: %s", exc)
                return
        data = b"".join(chunks)
        if not data:
            return
        with self._changed:
            self._jobs.append(data)
            self._changed.notify_all()

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class SimulatedPrinter(ZplTcpPrinter):
    """The ``simulated`` printer driver: a real ZPL-over-TCP client talking to a simulator.

    Going through a socket (rather than a list in memory) means ``--simulate`` exercises the same
    code path as a Zebra on the bench. The simulator starts on first use, so building a device
    set costs nothing, and ``close()`` stops it.
    """

    driver = "simulated"

    def __init__(self, name: str = "labels", *, timeout_s: float = 5.0) -> None:
        self.simulator = PrinterSimulator()
        super().__init__(name, self.simulator.host, 0, timeout_s=timeout_s)

    def _connect(self) -> socket.socket:
        if not self.simulator.running:
            self.simulator.start()
            self.port = self.simulator.port
        return super()._connect()

    def close(self) -> None:
        self.simulator.close()
