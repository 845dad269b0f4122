"""``station commands sheet``: print the sheet of command barcodes taped to each bench.

The grades on it are those of the standards this station loads (the shipped ones and
``standards_dirs``), read from the files: printing a sheet needs no database, so it works on
any machine with the station's settings. The texts are in the bench's language unless
``--language`` asks for another; the station's own language is restored afterwards.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from inspection_rules import StandardRegistry
from inspection_rules.loader import SHIPPED_DIR, load_standards
from station.commands import (
    Command,
    CommandKind,
    command_hint,
    command_label,
    encode_command,
    registry_grades,
    standard_commands,
)
from station.i18n import (
    LANGUAGES,
    UnknownLanguage,
    _,
    current_language,
    normalize_language,
    set_language,
)
from station.services.common import ServiceError
from station.settings import Settings

log = logging.getLogger(__name__)


def add_commands_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "commands", parents=[common], help="barcodes that give the bench its commands"
    )
    actions = parser.add_subparsers(dest="commands_command", required=True, metavar="ACTION")
    sheet = actions.add_parser(
        "sheet",
        parents=[common],
        help="write the one-page PDF of command barcodes for a bench",
        description="Finalize, next unit, reprint, blind return, cancel and one barcode per "
        "grade of the loaded standards, on one A4 page. Print it at actual size (100 %).",
    )
    sheet.add_argument("--out", type=Path, required=True, help="PDF file to write")
    sheet.add_argument(
        "--language",
        help=f"language of the texts ({', '.join(LANGUAGES)}; default: the station's)",
    )


def run_commands(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    if args.commands_command != "sheet":
        raise ServiceError(_("unknown commands action {name}").format(name=args.commands_command))
    try:
        language = normalize_language(args.language or settings.language)
    except UnknownLanguage as exc:
        raise ServiceError(str(exc)) from exc
    loaded = load_standards([SHIPPED_DIR, *settings.standards_dirs])
    for problem in loaded.problems:
        log.warning("standard refused: %s", problem)
    if not loaded.standards:
        raise ServiceError(_("No valid inspection standard could be loaded: no grades to print"))
    grades = registry_grades(StandardRegistry(loaded.standards.values()))
    try:
        commands = standard_commands(grades)
    except ValueError as exc:  # a grade code that cannot ride in a payload
        raise ServiceError(str(exc)) from exc
    pdf = command_sheet_pdf(commands, language)
    args.out.write_bytes(pdf)
    result = {
        "path": str(args.out),
        "language": language,
        "grades": grades,
        "payloads": [encode_command(command) for command in commands],
        "bytes": len(pdf),
    }
    print(json.dumps(result, ensure_ascii=False) if as_json else str(args.out))
    return 0


def command_sheet_pdf(commands: list[Command], language: str) -> bytes:
    """The sheet for ``commands`` with every text in ``language``.

    Switches the process-wide language while the texts are looked up: meant for the command
    line, not for a window whose other texts would briefly follow the switch.
    """
    # Here, not at the top: ReportLab is not loaded by a station's start (``station gui``
    # parses the same command line).
    from labels.command_sheet import SheetDoesNotFit, SheetSection, render_command_sheet

    previous = current_language()
    set_language(language)
    try:
        actions = [_entry(c) for c in commands if c.kind is not CommandKind.GRADE]
        grades = [_entry(c) for c in commands if c.kind is CommandKind.GRADE]
        sections = [SheetSection(_("Actions"), actions, 2), SheetSection(_("Grades"), grades, 3)]
        title = _("Bench commands")
        instructions = _(
            "Scan a barcode on this sheet to give the bench that command, as if you had "
            "pressed its key. Keep the sheet within reach of the scanner, and print it at "
            "actual size (100 %, not 'fit to page') so the bars stay wide enough to scan."
        )
    finally:
        set_language(previous)
    try:
        return render_command_sheet(
            sections, title=title, instructions=instructions, language=language
        )
    except SheetDoesNotFit as exc:
        raise ServiceError(
            _("The command sheet does not fit on one page: {reason}").format(reason=exc)
        ) from exc


def _entry(command: Command) -> tuple[str, str, str]:
    return encode_command(command), command_label(command), command_hint(command)
