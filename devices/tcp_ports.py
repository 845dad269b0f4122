"""A TCP port that stays ours while nothing listens on it: for simulators that go away and come
back (a scale or printer "unplugged"), and for tests that need an address that refuses.

Why not close the listener and bind the same number again later: once closed, the port is
free. Any program asking the OS for a port may get it, and a client that keeps reconnecting
to a free local port can connect to itself (Linux "TCP self-connect") and so hold it. Either
way the device cannot come back. Instead a *reservation* socket is bound for as long as the
address must stay ours. It never listens, so a connect to the port is refused, as by a device
whose port is closed; a listener joins it on the same port while the device is "on".

The reservation is bound on its own first, so a port someone else holds is "address in use"
at once; SO_REUSEPORT is set only afterwards, so our listener can share the port while an
ordinary bind by any other program still fails. POSIX only (SO_REUSEPORT), like the pty side
of the simulators.
"""

from __future__ import annotations

import contextlib
import socket


def reserve_port(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind (never listen) ``host:port``; 0 lets the OS choose. Close it to give the port up."""
    reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        reservation.bind((host, port))
        reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    except OSError:
        reservation.close()
        raise
    return reservation


def listen_on(reservation: socket.socket, backlog: int = 1) -> socket.socket:
    """A listening socket on the reserved address (close it and the port refuses again)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Our own closed connections may linger in TIME_WAIT on this port: not a conflict.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(reservation.getsockname())
        listener.listen(backlog)
    except OSError:
        listener.close()
        raise
    return listener


def stop_listening(sock: socket.socket) -> None:
    """Close a socket another thread may be blocked on (accept, select, recv).

    ``shutdown()`` first: ``close()`` alone leaves the socket alive, still listening or
    connected, until the blocked call returns; and it wakes that call.
    """
    with contextlib.suppress(OSError):  # not connected, or already gone
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
