"""`station devices list` and `station devices test-print`: what the bench's devices are doing.

Builds the device set from settings without starting background threads, probes each device
once (printer: TCP connect or ``lpstat -p``; scale/scanner: open the port; camera: open the
source) and prints one line, or one JSON object per line, per device. ``test-print`` sends the
test label straight to the printer (no spool) so a failure is reported here and now.
``add_print_parser``/``run_print`` offer the same as ``station print test`` once cli.py wires them.
"""

from __future__ import annotations

import argparse
import json
import uuid
from typing import Any

from devices.printing import PrinterError, PrintJob, sample_label_zpl
from devices.registry import DeviceSet, build_devices
from station.settings import Settings


def add_devices_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    devices = commands.add_parser(
        "devices", parents=[common], help="scanner, scale, camera, printer"
    )
    actions = devices.add_subparsers(dest="devices_command", required=True, metavar="ACTION")
    actions.add_parser("list", parents=[common], help="probe every device and show its state")
    test = actions.add_parser("test-print", parents=[common], help="print the test label")
    test.add_argument("--printer", help="printer name (default: the configured printer)")


def add_print_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    """``station print test [--printer NAME]`` (dispatch ``"print"`` to ``run_print``)."""
    printing = commands.add_parser("print", parents=[common], help="printing")
    actions = printing.add_subparsers(dest="print_command", required=True, metavar="ACTION")
    test = actions.add_parser("test", parents=[common], help="print the test label")
    test.add_argument("--printer", help="printer name (default: the configured printer)")


def _build(settings: Settings) -> DeviceSet:
    return build_devices(
        simulate=settings.simulate,
        scanner=settings.scanner,
        scale=settings.scale,
        camera=settings.camera,
        printer=settings.printer,
        use_spooler=False,
    )


def run_devices(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    if args.devices_command == "test-print":
        return run_print(args, settings, as_json)
    devices = _build(settings)
    try:
        statuses = devices.probe()
    finally:
        devices.close()
    for status in statuses:
        if as_json:
            print(json.dumps(status.as_dict(), ensure_ascii=False))
        else:
            state = "ok" if status.connected else f"DOWN: {status.error}"
            where = status.address or "-"
            print(f"{status.kind:<8} {status.driver:<10} {where:<28} {state}")
    return 0


def run_print(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    devices = _build(settings)
    try:
        printer = devices.printer
        wanted = getattr(args, "printer", None)
        if printer is None or (wanted and wanted != printer.name):
            error = devices.status("printer").error or "no printer"
            message = f"no printer named {wanted!r}" if wanted and printer else error
            return _report({"ok": False, "error": message}, as_json)
        job = PrintJob(uuid.uuid4().hex, printer.name, "zpl", sample_label_zpl(settings.station_id))
        try:
            printer.send(job)
        except PrinterError as exc:
            return _report({"ok": False, "printer": printer.name, "error": str(exc)}, as_json)
        return _report(
            {"ok": True, "printer": printer.name, "address": printer.address, "job": job.id},
            as_json,
        )
    finally:
        devices.close()


def _report(result: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    elif result["ok"]:
        print(f"test label sent to {result['printer']} ({result['address']})")
    else:
        print(f"station: error: {result['error']}")
    return 0 if result["ok"] else 1
