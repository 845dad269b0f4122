"""What every device reports about itself, so the bench can show one strip and one CLI table.

A plain frozen dataclass: drivers report from their own threads, the registry keeps the latest
one per device, and ``ui/`` re-emits it as a Qt signal. Nothing here talks to hardware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DeviceStatus:
    kind: str  # "scanner", "camera", "scale" or "printer"
    name: str
    driver: str  # "simulated", "zpl-tcp", "serial", "none", ...
    connected: bool
    error: str | None = None
    last_reading: str | None = None
    updated_at: datetime = field(default_factory=utcnow)
    # Where the device is (port, address, queue, folder, source), for people fixing it.
    address: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "driver": self.driver,
            "address": self.address,
            "connected": self.connected,
            "error": self.error,
            "last_reading": self.last_reading,
            "updated_at": self.updated_at.isoformat(),
        }
