"""`station scale read` and `station scale simulate`: the scale drivers without the window.

``read`` is how a technician checks a bench scale's cabling and protocol before blaming the
station; ``simulate`` serves a simulated scale on a pseudo-terminal (or TCP) so the window,
``read`` and scripts can be tried on a machine with no scale attached.

``read`` reports what the driver decided, never more: ``stable`` is true only for a weight the
driver called stable, whose status is then ``ok`` (a weight flagged in motion or outside the
scale's range never is), and the exit code is 2 when no stable weight came within the timeout.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import threading
from typing import Any

from devices.scale import ScaleError, Weight
from devices.scale_protocols import PROTOCOLS, ProtocolError, Reading
from devices.scale_simulator import ScaleSimulator
from devices.serial_scale import STABLE_POLICIES, ScaleTimeout, SerialScale
from station.i18n import _
from station.settings import Settings


def _capacity(text: str) -> float:
    """``--capacity``: grams, a finite number above zero (argparse turns the error into one
    line naming the option)."""
    try:
        grams = float(text)
    except ValueError:
        grams = math.nan
    if not math.isfinite(grams) or grams <= 0:
        raise argparse.ArgumentTypeError(
            _("{value!r} is not a capacity in grams (a number above 0)").format(value=text)
        )
    return grams


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
    read.add_argument(
        "--capacity", type=_capacity, metavar="G",
        help="the scale's range in grams: a value beyond ± G is a fault (default: [scale] capacity_g)",
    )  # fmt: skip
    read.add_argument(
        "--policy", choices=STABLE_POLICIES,
        help="when a weight is stable (default: [scale] stable_policy; see devices/config.py)",
    )  # fmt: skip

    sim = actions.add_parser("simulate", parents=[common], help="serve a simulated scale")
    sim.add_argument("--protocol", choices=PROTOCOLS, default="mt-sics")
    sim.add_argument("--grams", type=float, default=0.0, help="weight on the pan")
    sim.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT, not a pty")
    sim.add_argument("--unit", help="unit the scale reports (default g; lb for Toledo 8217)")
    sim.add_argument(
        "--motion", action="store_true", help="flag every frame in motion: it never settles"
    )


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
        capacity_g=args.capacity or base.capacity_g,
        stable_policy=args.policy or base.stable_policy,
    )
    if not config.port:
        return _error("no scale port: pass --port or set [scale] port in settings.toml", as_json)
    try:
        scale = SerialScale(config, unit=args.unit)
        scale.start(require_port=True)
    except (ScaleError, ProtocolError) as exc:
        return _error(str(exc), as_json)
    try:
        weight: Weight | None = scale.read_stable(args.timeout)
        code = 0
    except ScaleTimeout as exc:
        weight, code = exc.last, 2
    finally:
        scale.stop()
    result = _result(weight, scale.last_frame_error)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    elif code == 0:
        print(f"{result['grams']:.2f} g (stable)")
    else:
        shown = "no reading" if result["raw"] is None else result["status"]
        if result["grams"] is not None:
            shown = f"{result['grams']} g, {shown}"
        if result.get("error"):
            shown = f"{shown}: {result['error']}"
        print(f"no stable weight within {args.timeout:g} s (last: {shown})", file=sys.stderr)
    return code


def _result(weight: Weight | None, broken: Reading | None) -> dict[str, Any]:
    """The JSON line, from one Weight only: the stable flag, the status and the value all
    come from the same frame (reading ``last_reading`` afterwards could pair a stable weight
    with a newer frame's status). A weight outside the range has no value."""
    if weight is None:
        if broken is None:
            return {"grams": None, "stable": False, "status": "error", "raw": None}
        return {"grams": None, "stable": False, "status": "error", "raw": broken.raw,
                "error": broken.error}  # fmt: skip
    valued = weight.status in ("ok", "unstable")
    return {
        "grams": round(weight.grams, 3) if valued else None,
        "stable": weight.stable and weight.status == "ok",
        "status": weight.status,
        "raw": weight.raw_frame,
    }


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
    simulator.set_motion(args.motion)
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
