"""``station rules check`` and ``station rules explain``: standards from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from inspection_rules.facts_io import (
    FactsError,
    evaluation_to_json,
    explain_text,
    facts_from_json,
    facts_to_json,
)
from inspection_rules.loader import SHIPPED_DIR, load_standards
from station.i18n import _
from station.settings import Settings
from station.timeutil import today_utc


class RulesCommandError(Exception):
    pass


def add_rules_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    rules = commands.add_parser("rules", parents=[common], help="inspection standards")
    actions = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", parents=[common], help="validate standard files (default: shipped + configured)"
    )
    check.add_argument("paths", nargs="*", type=Path, help="files or folders of *.yaml")
    explain = actions.add_parser(
        "explain", parents=[common], help="show how a verdict follows from facts"
    )
    target = explain.add_mutually_exclusive_group(required=True)
    target.add_argument("--inspection", type=uuid.UUID, help="re-evaluate a past inspection")
    target.add_argument(
        "--standard", help="a standard id (or content hash) for a hypothetical case"
    )
    explain.add_argument("--facts", type=Path, help="JSON file with the facts (with --standard)")


def run_check(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    # Shipped standards always load first so a seller file checked on its own finds its base;
    # a file given here with a shipped id replaces the shipped one (as a site folder would).
    paths = [SHIPPED_DIR, *(args.paths or settings.standards_dirs)]
    result = load_standards(paths)
    if as_json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "files": [str(path) for path in result.files],
                    "standards": [
                        {"id": s.id, "version": s.version, "hash": s.content_hash}
                        for s in result.standards.values()
                    ],
                    "problems": [str(problem) for problem in result.problems],
                    **({} if result.ok else {"error": _("invalid standard files")}),
                },
                ensure_ascii=False,
            )
        )
    else:
        for problem in result.problems:  # diagnostics: stderr, as compilers do
            print(problem, file=sys.stderr)
        for standard_id, replacement, replaced in result.overrides:
            print(
                _("{id}: {new} replaces {old}").format(
                    id=standard_id, new=replacement, old=replaced
                )
            )
        bad_files = len({problem.file for problem in result.problems})
        print(
            _("{valid} standard(s) valid in {files} file(s); {problems} problem(s) in {bad} file(s)")
            .format(valid=len(result.standards), files=len(result.files),
                    problems=len(result.problems), bad=bad_files)
        )  # fmt: skip
    return 0 if result.ok and result.files else 1


def run_explain(args: argparse.Namespace, context: Any, as_json: bool) -> int:
    from station.services.explain import explain_inspection

    if args.inspection is not None:
        explanation = explain_inspection(context.db, context.standards, args.inspection)
        payload = {
            "inspection": str(explanation.inspection_id),
            "standard": {
                "id": explanation.standard_id,
                "version": explanation.standard_version,
                "hash": explanation.standard_hash,
            },
            "facts": facts_to_json(explanation.facts),
            "result": evaluation_to_json(explanation.evaluation),
            "recorded": {
                "grade": explanation.recorded_grade,
                "disposition": explanation.recorded_disposition,
                "reproduced": explanation.agrees_with_record,
            },
        }
        header = (
            f"inspection {explanation.inspection_id}\n"
            f"standard {explanation.standard_id} {explanation.standard_version} "
            f"({explanation.standard_hash[:12]})"
        )
        evaluation = explanation.evaluation
        if explanation.recorded_grade is not None:
            header += "\n" + _("recorded verdict: grade {grade}, {disposition} ({same})").format(
                grade=explanation.recorded_grade,
                disposition=explanation.recorded_disposition,
                same=_("reproduced") if explanation.agrees_with_record else _("DIFFERS"),
            )
    else:
        if args.facts is None:
            raise RulesCommandError(_("--standard needs --facts FILE.json"))
        standard = context.standards.by_id(args.standard) or context.standards.by_hash(
            args.standard
        )
        if standard is None:
            known = ", ".join(sorted(s.id for s in context.standards.standards))
            raise RulesCommandError(
                _("no standard {id} (loaded: {known})").format(id=args.standard, known=known)
            )
        try:
            data = json.loads(args.facts.read_text(encoding="utf-8"))
            facts = facts_from_json(data, today=today_utc())
        except json.JSONDecodeError as exc:
            raise RulesCommandError(f"{args.facts}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
        except FactsError as exc:
            raise RulesCommandError(f"{args.facts}: {exc}") from None
        evaluation = standard.evaluate(facts)
        payload = {
            "standard": {
                "id": standard.id,
                "version": standard.version,
                "hash": standard.content_hash,
            },
            "facts": facts_to_json(facts),
            "result": evaluation_to_json(evaluation),
        }
        header = f"standard {standard.id} {standard.version} ({standard.content_hash[:12]})"
    if as_json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(header)
        print(explain_text(evaluation))
    return 0
