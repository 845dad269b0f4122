"""``station audit verify`` and ``station audit export``: check the tamper-evident trail, or hand a
slice of it to a seller or an auditor who wants to check it themselves.

Exit status 2 means the chain is broken (as ``station sync status`` uses 2 for dead letters), so
a cron job or a monitoring check can tell a broken trail from a command that failed (1). An
export still writes its slice when the chain is broken: the slice is the evidence.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from station.audit import ChainCheck, verify_chain
from station.audit_export import (
    SliceSummary,
    chain_summary,
    iter_audit_slice,
    write_csv,
    write_json,
)
from station.file_modes import open_private_text
from station.i18n import _
from station.services.common import InvalidState, ServiceError

log = logging.getLogger(__name__)

BROKEN = 2


def add_audit_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit", parents=[common], help="verify or export the hash-chained audit trail"
    )
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    actions.add_parser(
        "verify",
        parents=[common],
        help="check every event's hash and link (exit 2 if the trail is broken)",
    )
    export = actions.add_parser(
        "export",
        parents=[common],
        help="write a slice of the trail with its hashes (JSON or CSV)",
        description="Export audit events with every field, prev_hash and hash included; the "
        "JSON form adds the verification result of the whole chain. Filters combine.",
    )
    export.add_argument("--entity-id", help="events about this entity id")
    export.add_argument(
        "--inspection",
        dest="inspection_id",
        metavar="ID",
        help="events of this inspection, its verdicts, parcel, labels and disputes",
    )
    export.add_argument("--since", type=date.fromisoformat, help="first UTC day (YYYY-MM-DD)")
    export.add_argument("--until", type=date.fromisoformat, help="last UTC day (YYYY-MM-DD)")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")


def run_audit(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    if args.audit_command == "verify":
        with context.db.read() as session:
            check = verify_chain(session)
        _print(chain_summary(check), check.describe(), as_json)
        return 0 if check.ok else BROKEN
    if args.audit_command == "export":
        return _export(args, context, as_json)
    raise ServiceError(_("unknown audit action {name}").format(name=args.audit_command))


def _export(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    inspection_id = _inspection_id(args.inspection_id)
    filters = {
        "inspection_id": str(inspection_id) if inspection_id else None,
        "entity_id": args.entity_id,
        "since": args.since.isoformat() if args.since else None,
        "until": args.until.isoformat() if args.until else None,
    }
    output: Path | None = args.output
    # One read transaction: the chain check and the slice see the same snapshot.
    with context.db.read() as session:
        check = verify_chain(session)
        records = iter_audit_slice(
            session, inspection_id=inspection_id, entity_id=args.entity_id,
            since=args.since, until=args.until,
        )  # fmt: skip
        if output is None:
            summary = _write(sys.stdout, args.format, records, check, filters)
        else:
            # Written beside the target, then renamed: a failed export leaves no half file.
            # 0600: the trail names users and endpoints (station.file_modes).
            partial = output.with_name(output.name + ".part")
            try:
                with open_private_text(partial) as out:
                    summary = _write(out, args.format, records, check, filters)
                os.replace(partial, output)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
    result = {
        "path": str(output) if output else None,
        "format": args.format,
        "slice": summary.as_json(),
        "chain": chain_summary(check),
    }
    text = (
        _("{count} events exported to {path}; {chain}")
        if output
        else _("{count} events exported; {chain}")
    ).format(count=summary.count, path=output, chain=check.describe())
    if output is not None:
        _print(result, text, as_json)
    else:  # standard output holds the export itself
        print(text, file=sys.stderr)
    log.info("audit export: %s events, chain ok=%s", summary.count, check.ok)
    return 0 if check.ok else BROKEN


def _write(
    out: TextIO, fmt: str, records: Any, check: ChainCheck, filters: dict[str, Any]
) -> SliceSummary:
    if fmt == "csv":
        return write_csv(out, records)
    return write_json(out, records, check, filters)


def _inspection_id(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidState(
            _("{value} is not an inspection id (a UUID)").format(value=value)
        ) from exc


def _print(result: dict[str, Any], text: str, as_json: bool) -> None:
    print(json.dumps(result, ensure_ascii=False) if as_json else text)
