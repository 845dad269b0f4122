"""``station report inspection ID [--lang L] [--out F.pdf]`` and ``station report daily ...``.

Wiring into ``station.cli`` is done there: ``add_report_parser(commands, common)`` builds the
``report`` parser and ``run_report(args, context, as_json)`` runs it. ``daily`` is the daily
report's action: it calls ``station.services.daily_report.daily_report_pdf`` (the daily-report
work); were that module missing, the action fails with a clear message instead of a crash.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from station.context import AppContext
from station.i18n import _
from station.services.common import InvalidState
from station.timeutil import today_utc


def add_report_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    report = commands.add_parser("report", parents=[common], help="write seller reports (PDF)")
    actions = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")

    inspection = actions.add_parser(
        "inspection",
        parents=[common],
        help="the seller inspection report of one inspection",
        description="Write the seller inspection report (PDF) of one inspection, by default in "
        "the seller's language; its footer carries the verification hash of the report data.",
    )
    inspection.add_argument("inspection_id", metavar="ID", help="inspection id (UUID)")
    inspection.add_argument(
        "--lang", dest="language", help="report language: en, zh-CN, es (default: the seller's)"
    )
    inspection.add_argument(
        "--out", type=Path, help="output file (default: inspection-<ID>.pdf in the current dir)"
    )
    register_daily(actions, common)


def register_daily(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """The ``daily`` action's arguments (the daily-report work may extend them here)."""
    daily = actions.add_parser("daily", parents=[common], help="the daily report of a seller")
    daily.add_argument("--seller", help="seller code")
    daily.add_argument("--date", type=date.fromisoformat, help="day (YYYY-MM-DD, default: today)")
    daily.add_argument(
        "--to", dest="date_to", type=date.fromisoformat, help="last day of a period (YYYY-MM-DD)"
    )
    daily.add_argument("--lang", dest="language", help="report language (default: the seller's)")
    daily.add_argument("--out", type=Path, help="output file")


def run_report(args: argparse.Namespace, context: AppContext, as_json: bool) -> int:
    if args.report_command == "inspection":
        return _inspection(args, context, as_json)
    if args.report_command == "daily":
        return _daily(args, context, as_json)
    raise InvalidState(_("Unknown report {name}").format(name=args.report_command))


def _inspection(args: argparse.Namespace, context: AppContext, as_json: bool) -> int:
    from station.services import reports  # ReportLab: loaded by the report, not by every start

    try:
        inspection_id = uuid.UUID(args.inspection_id)
    except ValueError as exc:
        raise InvalidState(
            _("{value} is not an inspection id (a UUID)").format(value=args.inspection_id)
        ) from exc
    data = reports.inspection_report_data(context.db, context.standards, inspection_id)
    pdf = reports.inspection_report_pdf(
        context.db, context.standards, context.photos, inspection_id, language=args.language,
        station=context.settings,
    )  # fmt: skip
    out: Path = args.out or Path(f"inspection-{inspection_id}.pdf")
    out.write_bytes(pdf)
    result = {
        "path": str(out),
        "bytes": len(pdf),
        "inspection_id": str(inspection_id),
        "language": args.language or data.header.seller_language,
        "verification_hash": reports.report_data_hash(data),
        "photos": len(data.photos),
    }
    _print(
        result, f"{out}: {len(pdf)} bytes; verification hash {result['verification_hash']}", as_json
    )
    return 0


def _daily(args: argparse.Namespace, context: AppContext, as_json: bool) -> int:
    """Delegates to the daily-report service (``station.services.daily_report``)."""
    from station.services.daily_report import daily_report_pdf

    if not args.seller:
        raise InvalidState(_("The daily report needs --seller CODE"))
    day = args.date or today_utc()

    def progress(done: int, total: int) -> None:
        # On stderr, so --json output on stdout stays one clean object.
        if total:
            end = "\n" if done >= total else ""
            print(f"\r{_('rendering')} {done}/{total}", end=end, file=sys.stderr, flush=True)

    pdf = daily_report_pdf(
        context.db, args.seller, day, args.date_to, language=args.language,
        progress=progress,
    )  # fmt: skip
    out: Path = args.out or Path(f"daily-{args.seller}-{day.isoformat()}.pdf")
    out.write_bytes(pdf)
    _print({"path": str(out), "bytes": len(pdf)}, f"{out}: {len(pdf)} bytes", as_json)
    return 0


def _print(result: dict[str, Any], text: str, as_json: bool) -> None:
    print(json.dumps(result, ensure_ascii=False) if as_json else text)
