"""Opening a pyserial URL for any device (scale, scanner), with one guard they all need."""

from __future__ import annotations

from typing import Any

import serial


def open_serial_url(url: str, **options: Any) -> Any:
    """``serial.serial_for_url`` that refuses a TCP connection that reached itself (raised as
    ``serial.SerialException``, like any port that is not there yet)."""
    port = serial.serial_for_url(url, **options)
    problem = self_connected(port)
    if problem:
        raise serial.SerialException(problem)
    return port


def self_connected(port: Any) -> str | None:
    """For ``socket://`` ports: a description if the connection went to itself, else None.

    Linux lets a TCP connect to a local port in the ephemeral range, with nobody listening,
    succeed against itself (the kernel picks that same port as the source: a "self-connect").
    A reconnect loop that keeps dialling a vanished scale server eventually hits it, then
    reads back its own commands and, worse, holds the port the server needs to come back on.
    Such a port is closed here and treated as "not there yet".
    """
    sock = getattr(port, "_socket", None)
    if sock is None:
        return None
    try:
        mine, theirs = sock.getsockname(), sock.getpeername()
    except OSError:
        return None
    if mine != theirs:
        return None
    port.close()
    return "nothing listens there (the connection reached itself)"
