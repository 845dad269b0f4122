"""``station scan CODE [CODE...]`` and ``station scan -``: what each code means, in input order.

Several codes, or one per line from standard input with ``-``, so a pile of labels can be
checked in one batch (``station scan - --json < labels.txt``). With ``--json`` each code gets
one JSON object on its own line, in input order; a code that cannot be resolved (e.g. empty)
gets ``{"input": ..., "error": ...}`` on its line and the exit status is 1 at the end, after
every other code was still resolved. Wiring into ``station.cli`` is done there.

In the JSON, ``valid`` is true for a valid number: its check digit holds, or - for carrier
formats that have none (Amazon, LaserShip, YunExpress, ...) - its shape is the carrier's;
``check_digit`` says which of the two it was. ``format`` names the carrier format (the ids of
the tracking_number_data set, e.g. ``fedex_34``).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from station.context import AppContext
from station.i18n import _
from station.services.common import ServiceError
from station.services.scanning import ScanResult, resolve_scan
from station.views import jsonable

STDIN = "-"


def add_scan_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    scan = commands.add_parser(
        "scan",
        parents=[common],
        help="resolve scanned codes (tracking, RMA, LPN, GTIN, GS1)",
        description="Resolve what scanned codes are and what they match. "
        "Give several codes, or '-' to read one code per line from standard input.",
    )
    scan.add_argument("codes", nargs="+", metavar="CODE", help="a scanned code, or - for stdin")


def _inputs(codes: list[str], stdin: TextIO) -> Iterator[str]:
    """The codes in input order; ``-`` expands to stdin's non-blank lines (once).

    A line that is not text in stdin's encoding is kept (as surrogate escapes, like argv does)
    so resolve_scan reports it on its own line instead of the read failing for the rest.
    """
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="surrogateescape")
    for code in codes:
        if code == STDIN:
            for line in stdin:
                line = line.rstrip("\r\n")
                if line.strip():
                    yield line
        else:
            yield code


def run_scan(
    args: argparse.Namespace, context: AppContext, as_json: bool, *, stdin: TextIO | None = None
) -> int:
    """Resolve every code; 0 when all resolved, 1 when any failed (each failure on its line)."""
    failed = False
    for code in _inputs(args.codes, stdin or sys.stdin):
        try:
            result = resolve_scan(context.db, code, context.settings.codes)
        except ServiceError as exc:
            failed = True
            if as_json:
                print(json.dumps({"input": shown(code), "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"{code!r}: error: {exc}")
            continue
        if as_json:
            print(json.dumps(scan_json(code, result), ensure_ascii=False))
        else:
            print(scan_text(result))
        sys.stdout.flush()  # one line per code as it is resolved, for pipes
    return 1 if failed else 0


def shown(code: str) -> str:
    """The input as printable text: bytes that were not UTF-8 (surrogate escapes) as ``\\xff``."""
    return code.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def scan_json(code: str, result: ScanResult) -> dict[str, Any]:
    """The JSON object for one code: the scan result plus the raw ``input`` it came from."""
    data: dict[str, Any] = {"input": code, **jsonable(result)}
    return data


def scan_text(result: ScanResult) -> str:
    lines = [f"{result.kind}: {result.normalized}"]
    if result.carrier:
        if not result.valid:
            status = _("CHECK DIGIT WRONG")
        else:
            status = "valid" if result.check_digit else _("no check digit in this format")
        operator = f" / {result.operator}" if result.operator else ""
        lines.append(f"carrier: {result.carrier}{operator} ({status})")
    elif result.valid is False:
        lines.append(_("check digit wrong"))
    if result.gs1 is not None:
        parts = [f"({ai}) {value}" for ai, value in result.gs1.elements.items()]
        lines.append("GS1: " + " ".join(parts))
    if result.message:
        lines.append(result.message)
    if result.rma is None:
        lines.append(
            _("no matching RMA")
            if result.kind != "tracking"
            else _("no matching RMA: blind return")
        )
    else:
        rma = result.rma
        lines.append(f"RMA {rma.number} · {rma.seller_name} · {rma.channel} · order {rma.order_id}")
        for line in rma.lines:
            lines.append(f"  {line.line_no}. {line.sku} {line.title or ''} × {line.qty_expected}")
    if len(result.candidates) > 1:
        lines.append("other matches: " + ", ".join(result.candidates[1:]))
    return "\n".join(lines)
