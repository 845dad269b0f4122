"""`station scale read` and `station scale simulate`: the scale drivers without the window.

``read`` is how a technician checks a bench scale's cabling and protocol before blaming the
station; ``simulate`` serves a simulated scale on a pseudo-terminal (or TCP) so the window,
``read`` and scripts can be tried on a machine with no scale attached.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
from typing import Any

from devices.scale import ScaleError
from devices.scale_protocols import PROTOCOLS, ProtocolError, Reading
from devices.scale_simulator import ScaleSimulator
from devices.serial_scale import ScaleTimeout, SerialScale
from station.settings import Settings


def add_scale_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    scale = commands.add_parser("scale", parents=[common], help="read or simulate a bench scale")
    actions = scale.add_subparsers(dest="scale_command", required=True, metavar="ACTION")

    read = actions.add_parser("read", parents=[common], help="wait for a stable weight")
    read.add_argument("--port", help="pyserial URL (default: [scale] port in settings)")
    read.add_argument("--protocol", choices=PROTOCOLS, help="default: [scale] protocol")
    read.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    read.add_argument("--baudrate", type=int, help="default: [scale] baudrate")
    read.add_argument("--framing", help="8N1 or 7E1 (default: [scale] framing)")
    read.add_argument("--unit", default="lb", help="Toledo 8217 unit: lb or kg (default lb)")

    sim = actions.add_parser("simulate", parents=[common], help="serve a simulated scale")
    sim.add_argument("--protocol", choices=PROTOCOLS, default="mt-sics")
    sim.add_argument("--grams", type=float, default=0.0, help="weight on the pan")
    sim.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT, not a pty")
    sim.add_argument("--unit", help="unit the scale reports (default g; lb for Toledo 8217)")


def run_scale(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    if args.scale_command == "simulate":
        return _simulate(args)
    return _read(args, settings, as_json)


def _read(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    base = settings.scale
    config = dataclasses.replace(
        base,
        driver="serial",
        port=args.port or base.port,
        protocol=args.protocol or base.protocol,
        baudrate=args.baudrate or base.baudrate,
        framing=args.framing or base.framing,
        timeout_s=args.timeout,
    )
    if not config.port:
        return _error("no scale port: pass --port or set [scale] port in settings.toml", as_json)
    try:
        scale = SerialScale(config, unit=args.unit)
        scale.start(require_port=True)
    except (ScaleError, ProtocolError) as exc:
        return _error(str(exc), as_json)
    try:
        scale.read_stable(args.timeout)
        reading = scale.last_reading
        code = 0
    except ScaleTimeout as exc:
        reading, code = exc.last_reading, 2
    finally:
        scale.stop()
    result = _result(reading, stable=code == 0)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    elif code == 0:
        print(f"{result['grams']:.2f} g (stable)")
    else:
        shown = "no reading" if reading is None else f"{result['grams']} g, {result['status']}"
        print(f"no stable weight within {args.timeout:g} s (last: {shown})", file=sys.stderr)
    return code


def _result(reading: Reading | None, *, stable: bool) -> dict[str, Any]:
    if reading is None:
        return {"grams": None, "stable": False, "status": "error", "raw": None}
    grams = None if reading.grams is None else round(reading.grams, 3)
    return {"grams": grams, "stable": stable, "status": reading.status, "raw": reading.raw}


def _error(message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"station: error: {message}", file=sys.stderr)
    return 1


def _simulate(args: argparse.Namespace) -> int:
    simulator = ScaleSimulator(
        args.protocol,
        grams=args.grams,
        transport="tcp" if args.tcp is not None else "pty",
        tcp_port=args.tcp or 0,
        unit=args.unit,
    )
    print(simulator.start(), flush=True)  # first line: the port, for scripts to read
    forever = threading.Event()
    try:
        while not forever.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0
