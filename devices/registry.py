"""Which devices this bench has: settings pick real drivers or simulators."""

from __future__ import annotations

from dataclasses import dataclass

from devices.camera import Camera, SimulatedCamera
from devices.scale import Scale, SimulatedScale


@dataclass
class DeviceSet:
    scale: Scale | None = None
    camera: Camera | None = None

    @property
    def simulated_scale(self) -> SimulatedScale | None:
        return self.scale if isinstance(self.scale, SimulatedScale) else None


def build_devices(*, simulate: bool) -> DeviceSet:
    if simulate:
        return DeviceSet(scale=SimulatedScale(), camera=SimulatedCamera())
    # Real drivers are configured in the devices issue; until then a bench without
    # --simulate records weights typed by hand and photos from files.
    return DeviceSet()
