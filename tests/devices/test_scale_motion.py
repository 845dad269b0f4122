"""A scale in motion is never stable; a value outside the scale's range is a fault.

The real driver against the wire-level simulator over pseudo-terminals (``os.openpty``). The
simulator runs at 50 Hz here so a run of readings takes a fraction of a second; every wait is
on a condition (so many readings arrived), never on elapsed time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devices.config import ScaleConfig
from devices.scale_protocols import PROTOCOLS
from devices.scale_simulator import ScaleSimulator
from devices.serial_scale import STABLE_POLICIES, ScaleTimeout, SerialScale
from tests.devices.test_scale_serial import WAIT, Recorder

RATE_HZ = 50.0
# The consecutive rule would fire after 5 readings within ± 2 g; this many is well past it.
READINGS = 20
NO_STATUS = r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)"  # sees the value, not ST/US


Rig = Callable[..., tuple[ScaleSimulator, SerialScale, Recorder]]


@pytest.fixture
def rig() -> Iterator[Rig]:
    made: list[tuple[ScaleSimulator, SerialScale]] = []

    def make(
        protocol: str,
        *,
        policy: str = "either",
        grams: float = 500.0,
        motion: bool = False,
        unit: str | None = None,
        **config: Any,
    ) -> tuple[ScaleSimulator, SerialScale, Recorder]:
        simulator = ScaleSimulator(protocol, grams=grams, rate_hz=RATE_HZ, unit=unit, seed=11)
        simulator.set_motion(motion)  # before the first frame: it never sends one at rest
        url = simulator.start()
        seen = Recorder()
        scale = SerialScale(
            ScaleConfig(driver="serial", port=url, protocol=protocol, poll_hz=RATE_HZ, **config),
            unit=simulator.unit,
            stable_policy=policy,  # type: ignore[arg-type]
            **seen.callbacks(),
        )
        scale.start()
        made.append((simulator, scale))
        return simulator, scale, seen

    yield make
    for simulator, scale in made:
        scale.stop()
        simulator.stop()


@pytest.mark.parametrize("policy", STABLE_POLICIES)
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_scale_in_motion_is_never_stable(rig: Rig, protocol: str, policy: str) -> None:
    sim, scale, seen = rig(protocol, policy=policy, motion=True)
    seen.wait(lambda: len(seen.weights) >= READINGS, f"{READINGS} readings")
    weights = seen.weights[:READINGS]
    assert not any(w.stable for w in weights)
    assert {w.status for w in weights} == {"unstable"}
    if protocol != "toledo-8217":  # the 8217's motion frame is a status byte, without a value
        # The values held still: the consecutive rule alone would have called them stable.
        grams = [w.grams for w in weights]
        assert max(grams) - min(grams) <= 2.0 and min(grams) > 495.0
    with pytest.raises(ScaleTimeout):
        scale.read_stable(0.0)
    # Not a driver that never says stable: once the scale stops flagging motion, it is.
    sim.set_motion(False)
    assert scale.read_stable(WAIT).grams == pytest.approx(500.0, abs=1.0)


@pytest.mark.parametrize("policy", ["either", "both", "consecutive"])
def test_a_scale_with_no_motion_flag_is_stable_by_consecutive_readings(
    rig: Rig, policy: str
) -> None:
    # The indicator sends US lines, but the site's pattern cannot see the status: the frames
    # carry no flag, so five readings within ± 2 g decide.
    _sim, scale, seen = rig("continuous", policy=policy, motion=True, continuous_pattern=NO_STATUS)
    weight = scale.read_stable(WAIT)
    assert weight.stable and weight.status == "ok"
    assert weight.grams == pytest.approx(500.0, abs=1.0)
    assert not any(w.stable for w in seen.weights[:4])  # not before five readings


def test_the_scale_policy_never_guesses_for_a_scale_with_no_flag(rig: Rig) -> None:
    _sim, _scale, seen = rig("continuous", policy="scale", continuous_pattern=NO_STATUS)
    seen.wait(lambda: len(seen.weights) >= READINGS, f"{READINGS} readings")
    assert not any(w.stable for w in seen.weights)
    assert {w.status for w in seen.weights} == {"ok"}  # good values, just no claim of rest


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_value_above_the_capacity_is_an_overload(rig: Rig, protocol: str) -> None:
    # A scale rated above what the station was told (or firmware that does not check): the
    # simulator sends 1e20 g with its status "at rest".
    sim, scale, seen = rig(protocol)
    scale.read_stable(WAIT)
    sim.force_value(1e20)
    seen.wait(lambda: seen.weights[-1].status == "overload", "an overload")
    mark = len(seen.weights)
    seen.wait(lambda: len(seen.weights) >= mark + READINGS, "more readings")
    assert {w.status for w in seen.weights[mark:]} == {"overload"}
    assert not any(w.stable for w in seen.weights[mark:])
    with pytest.raises(ScaleTimeout) as timeout:
        scale.read_stable(0.0)
    assert timeout.value.last is not None and timeout.value.last.status == "overload"


@pytest.mark.parametrize("protocol", ["mt-sics", "continuous"])
def test_a_value_below_minus_the_capacity_is_an_underload(rig: Rig, protocol: str) -> None:
    sim, scale, seen = rig(protocol, unit="kg")
    scale.read_stable(WAIT)
    sim.force_value(-99_999_999_000.0)  # "S S -99999999.00 kg"
    seen.wait(lambda: seen.weights[-1].status == "underload", "an underload")
    assert not seen.weights[-1].stable
    assert "-99999999" in (seen.weights[-1].raw_frame or "")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_value_that_is_not_a_number_is_a_broken_frame(rig: Rig, protocol: str) -> None:
    sim, scale, seen = rig(protocol, timeout_s=0.3)
    scale.read_stable(WAIT)
    sim.force_value(math.nan)
    # Nothing but broken frames for longer than timeout_s: the weight held is stale, dropped.
    seen.wait(lambda: scale.last_reading is None, "the held weight dropped")
    assert len(seen.errors) >= 2 and all(r.grams is None for r in seen.errors)
    assert "nan" in seen.errors[-1].raw.lower()
    with pytest.raises(ScaleTimeout):
        scale.read_stable(0.0)
    sim.force_value(None)  # and the scale recovers when it sends weights again
    assert scale.read_stable(WAIT, fresh=True).grams == pytest.approx(500.0, abs=1.0)


def test_the_configured_capacity_bounds_the_readings(rig: Rig) -> None:
    sim, scale, seen = rig("mt-sics", grams=1500.0, capacity_g=2000.0)
    assert scale.read_stable(WAIT).grams == pytest.approx(1500.0, abs=1.0)
    sim.place(2500.0)  # within the simulated balance's own range, beyond the configured one
    seen.wait(lambda: seen.weights[-1].status == "overload", "an overload")
    with pytest.raises(ScaleTimeout):
        scale.read_stable(0.0)
