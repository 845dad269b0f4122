"""What a switched-off network device looks like from outside, for the simulators' tests."""

from __future__ import annotations

import errno
import socket

import pytest


def assert_refused_and_reserved(port: int, timeout: float) -> None:
    """Connections to ``port`` are refused, and no other socket can bind it: the device can
    come back on its own address (devices.tcp_ports)."""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
    with socket.socket() as other, pytest.raises(OSError) as taken:
        other.bind(("127.0.0.1", port))
    assert taken.value.errno == errno.EADDRINUSE
