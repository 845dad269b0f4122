"""``station label LPN``: render any label of an inspected unit to a file or a printer."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

from devices.printing import PrinterError, PrintJob
from devices.registry import build_devices
from labels.api import LABEL_KINDS, LABEL_SIZES
from station.i18n import _
from station.services.common import ServiceError
from station.services.labels import render_for_lpn


def add_label_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    label = commands.add_parser("label", parents=[common], help="print or write a unit's label")
    label.add_argument("lpn", help="the unit's LPN")
    label.add_argument("--kind", choices=LABEL_KINDS, default="lpn")
    label.add_argument("--format", choices=("zpl", "pdf"), default="zpl")
    label.add_argument("--size", choices=LABEL_SIZES, default="4x6")
    label.add_argument("--dpi", type=int, choices=(203, 300), default=203)
    target = label.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="write the label to this file")
    target.add_argument("--printer", help="send it to this printer (from settings)")


def run_label(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    payload = render_for_lpn(
        context.db, context.actor, context.standards, args.lpn, args.kind,
        size=args.size, fmt=args.format, dpi=args.dpi,
    )  # fmt: skip
    result: dict[str, Any] = {"lpn": args.lpn.upper(), "kind": args.kind, "size": args.size,
                              "format": args.format, "bytes": len(payload)}  # fmt: skip
    if args.out is not None:
        args.out.write_bytes(payload)
        result["out"] = str(args.out)
    else:
        settings = context.settings
        if settings.printer.name != args.printer:
            raise ServiceError(
                _("no printer named {name} (configured: {configured})").format(
                    name=args.printer, configured=settings.printer.name
                )
            )
        devices = build_devices(
            printer=settings.printer, simulate=settings.simulate, use_spooler=False
        )
        try:
            printer = devices.printer
            if printer is None:
                raise ServiceError(_("printer {name} is not configured").format(name=args.printer))
            job = PrintJob(uuid.uuid4().hex, printer.name, args.format, payload)
            try:
                printer.send(job)
            except PrinterError as exc:
                raise ServiceError(f"{args.printer}: {exc}") from exc
        finally:
            devices.close()
        result["printer"] = args.printer
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        where = result.get("out") or result.get("printer")
        print(f"{args.kind} label for {result['lpn']} ({args.size}, {args.format}) -> {where}")
    return 0
