"""The ``station`` command: the headless face of the same services the window uses.

Every subcommand accepts ``--data-dir`` and ``--json``. With ``--json`` a command prints one JSON
object (or one per line for per-file output) and, on failure, ``{"error": ...}`` with a non-zero
exit status. The ``gui`` subcommand is provided by ``main.py``, the only module allowed to know
both this package and the Qt UI.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from station.cli_audit import add_audit_parser, run_audit
from station.cli_commands import add_commands_parser, run_commands
from station.cli_decode import add_decode_parser, run_decode
from station.cli_devices import add_devices_parser, run_devices
from station.cli_doctor import add_doctor_parser, run_doctor
from station.cli_label import add_label_parser, run_label
from station.cli_report import add_report_parser, run_report
from station.cli_rules import RulesCommandError, add_rules_parser, run_check, run_explain
from station.cli_scale import add_scale_parser, run_scale
from station.cli_scan import add_scan_parser, run_scan
from station.cli_sync import add_sync_parser, run_sync
from station.cli_user import add_user_parser, run_user
from station.context import AppContext
from station.db import upgrade_database
from station.disk_errors import disk_full_message, is_disk_full, where_full
from station.file_modes import secure_data_dir
from station.i18n import _
from station.services.common import ServiceError
from station.services.demo_guard import DatabaseKind, DatabaseState
from station.settings import Settings, SettingsError, load_settings
from station.views import jsonable

log = logging.getLogger(__name__)

GuiRunner = Callable[[Settings], int]


class CommandError(Exception):
    """A failure to report to the user (as text, or as {"error": ...} with --json)."""


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS lets the option appear before or after the subcommand without one hiding the other.
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="data directory (default: $STATION_DATA_DIR or the platform's user data dir)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print machine-readable JSON"
    )
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="station",
        parents=[common],
        description="Returns-inspection station: bench window and headless commands.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gui = commands.add_parser("gui", parents=[common], help="open the bench window")
    gui.add_argument("--simulate", action="store_true", help="simulated scale and camera")

    db = commands.add_parser("db", parents=[common], help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", parents=[common], help="create or migrate the database")

    demo = commands.add_parser("demo", parents=[common], help="demo data")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    seed = demo_commands.add_parser("seed", parents=[common], help="seed realistic demo data")
    seed.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the database already has data",
    )
    seed.add_argument("--rmas", type=int, default=500, help="number of RMAs (default 500)")
    seed.add_argument(
        "--history-days", type=int, default=3,
        help="days of finalized inspections made through the services (default 3; 0: none)",
    )  # fmt: skip

    rma = commands.add_parser("rma", parents=[common], help="expected returns")
    rma_commands = rma.add_subparsers(dest="rma_command", required=True, metavar="ACTION")
    rma_import = rma_commands.add_parser(
        "import", parents=[common], help="import RMAs from CSV or JSON (see docs/rma-import.md)"
    )
    rma_import.add_argument("file", type=Path)
    rma_import.add_argument("--encoding", help="override encoding detection (e.g. gb18030)")

    add_scan_parser(commands, common)

    add_rules_parser(commands, common)
    add_decode_parser(commands, common)
    add_scale_parser(commands, common)
    add_devices_parser(commands, common)
    add_doctor_parser(commands, common)
    add_label_parser(commands, common)
    add_report_parser(commands, common)
    add_sync_parser(commands, common)
    add_audit_parser(commands, common)
    add_user_parser(commands, common)
    add_commands_parser(commands, common)
    return parser


def main(argv: Sequence[str] | None = None, *, gui: GuiRunner | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    as_json = getattr(args, "json", False)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    settings: Settings | None = None
    try:
        settings = load_settings(
            getattr(args, "data_dir", None), simulate=getattr(args, "simulate", None) or None
        )
        return _dispatch(args, settings, as_json, gui)
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:
        if is_disk_full(exc):  # before the rest: whatever a full disk surfaced as
            log.debug("disk full", exc_info=exc)
            folder = settings.data_dir if settings else getattr(args, "data_dir", Path.cwd())
            return _fail(disk_full_message(where_full(exc, folder)), as_json)
        if isinstance(exc, CommandError | ServiceError | SettingsError | RulesCommandError):
            return _fail(str(exc), as_json)
        if isinstance(exc, OSError):
            where = f"{exc.filename}: " if exc.filename else ""
            return _fail(f"{where}{exc.strerror or exc}", as_json)
        raise


def _reader_gone() -> int:
    """The output's reader stopped reading (``station scan … --json | head``): nothing to
    report. Later writes, and the interpreter's own flush at exit, would fail again, so stdout
    goes nowhere from here. The status is a shell's for a process ended by SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + 13  # SIGPIPE


def _fail(message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"station: error: {message}", file=sys.stderr)
    return 1


def _emit(result: dict[str, Any], text: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(jsonable(result), ensure_ascii=False))
    else:
        print(text)


def _dispatch(
    args: argparse.Namespace, settings: Settings, as_json: bool, gui: GuiRunner | None
) -> int:
    if args.command == "gui":
        if gui is None:
            raise CommandError(_("the window is started by main.py (run `station gui`)"))
        return gui(settings)
    if args.command == "db":
        secure_data_dir(settings.data_dir)
        result = upgrade_database(settings.effective_database_url, settings.backup_dir)
        _emit(
            {
                "from_revision": result.from_revision,
                "to_revision": result.to_revision,
                "backup": str(result.backup) if result.backup else None,
            },
            f"database at revision {result.to_revision}"
            + (
                f" (was {result.from_revision or 'empty'})"
                if result.from_revision != result.to_revision
                else ""
            )
            + (f"; copy kept at {result.backup}" if result.backup else ""),
            as_json,
        )
        return 0
    device_commands = {"decode": run_decode, "scale": run_scale, "devices": run_devices,
                       "doctor": run_doctor}  # fmt: skip
    if args.command in device_commands:  # devices and files: no database needed
        return device_commands[args.command](args, settings, as_json)
    if args.command == "rules" and args.rules_command == "check":
        return run_check(args, settings, as_json)  # files only: no database needed
    if args.command == "commands":
        return run_commands(args, settings, as_json)  # standard files only: no database needed
    context = AppContext.build(settings)
    try:
        if args.command == "rules":
            return run_explain(args, context, as_json)
        if args.command == "scan":
            return run_scan(args, context, as_json)
        if args.command == "label":
            return run_label(args, context, as_json)
        if args.command == "report":
            return run_report(args, context, as_json)
        if args.command == "sync":
            return run_sync(args, context, as_json)
        if args.command == "audit":
            return run_audit(args, context, as_json)
        if args.command == "user":
            return run_user(args, context, as_json)
        handler = {"demo": _demo, "rma": _rma_import}[args.command]
        return handler(context, args, as_json)
    finally:
        context.close()


def _demo(context: AppContext, args: argparse.Namespace, as_json: bool) -> int:
    from station.services.demo import database_kind, seed_demo
    from station.services.demo_history import HistoryOptions

    state = database_kind(context.db)
    if state.kind is not DatabaseKind.NEW:
        return _demo_not_seeded(state, args.if_empty, as_json)
    history = (
        HistoryOptions(context.standards, context.photos, days=args.history_days)
        if args.history_days > 0
        else None
    )
    summary = seed_demo(context.db, rma_count=args.rmas, history=history)
    text = (
        f"seeded {summary.sellers} sellers, {summary.skus} SKUs, {summary.rmas} RMAs "
        f"({summary.lines} lines), {summary.users} users\ntry scanning:\n"
        + "\n".join(f"  {kind:>12}: {code}" for kind, code in summary.sample_codes.items())
    )
    if summary.user_pins:
        text += "\nDemo users — " + ", ".join(
            f"{username}: PIN {pin}" for username, pin in summary.user_pins.items()
        )
    _emit({"seeded": True, **jsonable(summary)}, text, as_json)
    return 0


def _demo_not_seeded(state: DatabaseState, if_empty: bool, as_json: bool) -> int:
    """Nothing seeded. With ``--if-empty`` (``make run``) that is fine: the station starts on
    the data that is there. Without it, an error: the seed was asked for and cannot run."""
    error: CommandError | ServiceError
    if state.kind is DatabaseKind.DEMO:
        reason, message = "already seeded", "demo data already present"
        error = CommandError(
            _("the database already has data; demo seed only runs on an empty one")
        )
    else:  # data of its own: demo users, RMAs and events must not mix with it
        error = state.refusal()
        reason, message = "real data", str(error)
    if not if_empty:
        raise error
    _emit({"seeded": False, "reason": reason}, message, as_json)
    return 0


def _rma_import(context: AppContext, args: argparse.Namespace, as_json: bool) -> int:
    from station.services.rma_import import RmaImportFailed, import_rmas

    try:
        report = import_rmas(
            context.db, args.file, station_id=context.actor.station_id, encoding=args.encoding
        )
    except RmaImportFailed as exc:
        raise CommandError(str(exc)) from exc
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        for problem in [*report.errors, *report.warnings]:
            print(str(problem), file=sys.stderr)
        print(
            f"{args.file}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.skipped} skipped "
            f"({len(report.errors)} problem(s); encoding {report.encoding})"
        )
    return 0 if not report.errors else 3
