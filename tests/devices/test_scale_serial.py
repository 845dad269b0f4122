"""The serial scale driver against the wire-level simulator, over real ptys and TCP sockets.

Nothing here sleeps and hopes: every wait is on a condition (a callback fired, a command
reached the simulator) with a generous timeout, and no assertion is about elapsed time.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.config import ScaleConfig
from devices.scale import Weight
from devices.scale_protocols import PROTOCOLS, Reading
from devices.scale_simulator import ScaleSimulator
from devices.serial_scale import ScaleState, ScaleTimeout, SerialScale
from tests.devices.ports import assert_refused_and_reserved

WAIT = 15.0  # generous: CI machines stall; a pass never takes this long


class Recorder:
    """Collects what the driver reports, so tests wait on conditions instead of time."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.weights: list[Weight] = []
        self.stables: list[Weight] = []
        self.states: list[ScaleState] = []
        self.errors: list[Reading] = []

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_weight": lambda w: self._add(self.weights, w),
            "on_stable": lambda w: self._add(self.stables, w),
            "on_state": lambda s, _detail: self._add(self.states, s),
            "on_frame_error": lambda r: self._add(self.errors, r),
        }

    def _add(self, items: list[Any], item: Any) -> None:
        with self.cond:
            items.append(item)
            self.cond.notify_all()

    def wait(self, predicate: Callable[[], bool], what: str) -> None:
        with self.cond:
            assert self.cond.wait_for(predicate, WAIT), f"timed out waiting for {what}"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Callable[..., tuple[ScaleSimulator, SerialScale, Recorder]]]:
    made: list[tuple[ScaleSimulator, SerialScale]] = []

    def make(protocol: str, *, sim: dict[str, Any] | None = None, **driver: Any) -> Any:
        simulator = ScaleSimulator(protocol, seed=7, **(sim or {}))
        url = simulator.start()
        recorder = Recorder()
        config = ScaleConfig(
            driver="serial",
            port=url,
            protocol=protocol,
            timeout_s=driver.pop("timeout_s", 5.0),
            continuous_pattern=driver.pop("pattern", None),
        )
        scale = SerialScale(
            config, unit=simulator.unit, reconnect_max_s=0.5, **driver, **recorder.callbacks()
        )
        scale.start()
        made.append((simulator, scale))
        return simulator, scale, recorder

    yield make
    for simulator, scale in made:
        scale.stop()
        simulator.stop()


@pytest.mark.parametrize("transport", ["pty", "tcp"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_each_protocol_end_to_end(rig, protocol: str, transport: str) -> None:
    sim, scale, rec = rig(protocol, sim={"grams": 0.0, "transport": transport})
    scale.read_stable(WAIT)
    sim.place(512.0)
    weight = scale.read_stable(WAIT, fresh=True)
    assert weight.stable and weight.status == "ok"
    assert weight.grams == pytest.approx(512.0, abs=1.0)
    # The settling curve was seen: dynamic readings came before the stable one.
    assert any(w.status == "unstable" for w in rec.weights) or protocol == "toledo-8217"
    assert scale.read().grams == pytest.approx(512.0, abs=1.0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_garbage_after_power_up_and_broken_frames(rig, protocol: str) -> None:
    sim, scale, rec = rig(
        protocol,
        sim={"grams": 250.0, "transport": "tcp", "power_up_garbage": b"\x00\xff\xfe\x13\x11noise"},
    )
    assert scale.read_stable(WAIT).grams == pytest.approx(250.0, abs=1.0)
    sim.break_frames(3)
    sim.inject(b"\xff\xff\x00\r\n\x02\x02\r")
    rec.wait(lambda: len(rec.errors) >= 3, "broken frames reported")
    assert all(r.status == "error" and r.grams is None for r in rec.errors)
    sim.place(800.0)
    assert scale.read_stable(WAIT, fresh=True).grams == pytest.approx(800.0, abs=1.0)
    assert scale.state is ScaleState.CONNECTED


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_overload_and_underload(rig, protocol: str) -> None:
    sim, scale, rec = rig(protocol, sim={"grams": 100.0})
    scale.read_stable(WAIT)
    sim.set_overload()
    rec.wait(lambda: rec.weights[-1].status == "overload", "overload")
    assert not rec.weights[-1].stable
    with pytest.raises(ScaleTimeout) as timeout:
        scale.read_stable(0.5)  # never stable while overloaded: a condition, not a race
    assert timeout.value.last is not None and timeout.value.last.status == "overload"
    sim.set_overload(False)
    sim.set_underload()
    rec.wait(lambda: rec.weights[-1].status == "underload", "underload")
    sim.set_underload(False)
    assert scale.read_stable(WAIT, fresh=True).grams == pytest.approx(100.0, abs=1.0)


@pytest.mark.parametrize("policy", ["either", "both"])
@pytest.mark.parametrize("protocol", ["mt-sics", "toledo-8217"])
def test_silence_after_a_stable_reading_means_unchanged(rig, protocol: str, policy: str) -> None:
    sim, scale, rec = rig(protocol, sim={"grams": 0.0}, timeout_s=0.3, stable_policy=policy)
    sim.silent_when_stable = True
    scale.read_stable(WAIT)  # the empty pan, answered once; nothing of it left on the wire
    sim.place(420.0)
    weight = scale.read_stable(WAIT, fresh=True)
    assert weight.grams == pytest.approx(420.0, abs=1.0)
    polls = len(sim.commands)
    # 20 unanswered polls at 10 Hz is far longer than timeout_s: still the same weight.
    assert sim.wait_for_commands(polls + 20, WAIT)
    assert sim.quiet
    assert scale.state is ScaleState.CONNECTED
    assert scale.read_stable(0.0).grams == pytest.approx(420.0, abs=1.0)
    assert ScaleState.NO_ANSWER not in rec.states
    sim.place(100.0)  # the weight changes: the scale talks again
    assert scale.read_stable(WAIT, fresh=True).grams == pytest.approx(100.0, abs=1.0)


def test_silence_beyond_the_allowance_is_no_answer(rig) -> None:
    sim, scale, rec = rig("continuous", sim={"grams": 50.0}, timeout_s=0.3, silence_ok_s=0.5)
    scale.read_stable(WAIT)
    sim.set_silent()
    rec.wait(lambda: ScaleState.NO_ANSWER in rec.states, "no-answer state")
    with pytest.raises(ScaleTimeout):
        scale.read_stable(0.0)
    sim.set_silent(False)
    assert scale.read_stable(WAIT).grams == pytest.approx(50.0, abs=1.0)
    assert rec.states[-1] is ScaleState.CONNECTED


@pytest.mark.parametrize(
    ("transport", "protocol"),
    [("tcp", "mt-sics"), ("tcp", "continuous"), ("pty", "toledo-8217"), ("pty", "continuous")],
)
def test_port_vanishes_and_returns(rig, tmp_path: Path, transport: str, protocol: str) -> None:
    sim_options: dict[str, Any] = {"grams": 300.0, "transport": transport}
    if transport == "pty":  # a stable name, like /dev/serial/by-id/..., that follows the pty
        sim_options["link"] = tmp_path / "ttyScale"
    sim, scale, rec = rig(protocol, sim=sim_options)
    scale.read_stable(WAIT)
    sim.vanish()
    rec.wait(lambda: ScaleState.DISCONNECTED in rec.states, "disconnected state")
    with pytest.raises(ScaleTimeout):
        scale.read_stable(0.0)
    sim.place(700.0)
    sim.reappear()
    rec.wait(lambda: rec.states[-1] is ScaleState.CONNECTED, "reconnected")
    assert scale.read_stable(WAIT, fresh=True).grams == pytest.approx(700.0, abs=1.0)


def test_a_vanished_tcp_scale_refuses_connections_and_keeps_its_port() -> None:
    """While the scale is gone, nothing else may take its port: the reconnecting driver's own
    self-connect, or any program binding a free port, would make it fail to come back."""
    with ScaleSimulator("mt-sics", grams=300.0, transport="tcp", seed=7) as sim:
        url = sim.url
        port = int(url.rsplit(":", 1)[1])
        sim.vanish()
        assert_refused_and_reserved(port, WAIT)
        sim.reappear()
        assert sim.url == url
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
            client.sendall(b"SI\r\n")
            assert client.makefile("rb").readline().startswith(b"S S")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_zero_and_tare_reach_the_scale(rig, protocol: str) -> None:
    sim, scale, rec = rig(protocol, sim={"grams": 100.0})

    def stable_near(grams: float) -> None:
        rec.wait(
            lambda: any(w.stable and abs(w.grams - grams) <= 1.5 for w in rec.weights[-3:]),
            f"a stable {grams} g",
        )

    scale.read_stable(WAIT)
    reply = scale.zero()
    assert sim.wait_for_command("Z")
    if protocol == "mt-sics":
        assert reply is not None and reply.ok
    stable_near(0.0)
    sim.place(400.0)
    stable_near(300.0)
    scale.tare()
    assert sim.wait_for_command("T")
    stable_near(0.0)
    sim.place(450.0)
    stable_near(50.0)


@pytest.mark.parametrize(
    ("protocol", "unit"), [("toledo-8217", "kg"), ("continuous", "oz"), ("continuous", "lb")]
)
def test_units_are_converted_to_grams(rig, protocol: str, unit: str) -> None:
    _sim, scale, _rec = rig(protocol, sim={"grams": 1000.0, "unit": unit})
    weight = scale.read_stable(WAIT)
    assert weight.grams == pytest.approx(1000.0, abs=3.0)
    assert unit in (scale.last_reading.unit or "") or protocol == "toledo-8217"


def test_stable_by_consecutive_readings_when_the_scale_has_no_flag(rig) -> None:
    no_status = r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)"
    _sim, scale, rec = rig("continuous", sim={"grams": 200.0}, pattern=no_status)
    weight = scale.read_stable(WAIT)
    assert weight.grams == pytest.approx(200.0, abs=1.0)
    # Every frame said "not stable"; the stable one came after stable_readings (5) in a row.
    assert len(rec.weights) >= 5 and not any(w.stable for w in rec.weights[:4])


def test_scale_policy_ignores_consecutive_readings(rig) -> None:
    no_status = r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)"
    _sim, _scale, rec = rig(
        "continuous", sim={"grams": 200.0}, pattern=no_status, stable_policy="scale"
    )
    rec.wait(lambda: len(rec.weights) >= 10, "ten readings")
    assert not any(w.stable for w in rec.weights)


def test_missing_port_raises_with_the_port_name() -> None:
    scale = SerialScale(ScaleConfig(driver="serial", port="/dev/no-such-scale", protocol="mt-sics"))
    with pytest.raises(OSError, match="/dev/no-such-scale"):
        scale.start(require_port=True)


def test_a_tcp_port_that_reached_itself_counts_as_not_there() -> None:
    """Linux TCP self-connect: dialling a free local port can connect to itself. The driver
    must not take that for the scale (it would read its own commands back and hold the port
    the scale server needs to come back on)."""
    import socket

    from devices.serial_link import self_connected

    class Port:
        def __init__(self, sock: socket.socket) -> None:
            self._socket = sock
            self.closed = False

        def close(self) -> None:
            self.closed = True
            self._socket.close()

    looped = socket.socket()
    looped.bind(("127.0.0.1", 0))
    looped.connect(looped.getsockname())  # simultaneous open with itself
    port = Port(looped)
    assert "reached itself" in (self_connected(port) or "") and port.closed

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client = socket.create_connection(server.getsockname())
        try:
            assert self_connected(Port(client)) is None  # a real peer is fine
        finally:
            client.close()
