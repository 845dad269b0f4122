"""Keeping the catalogues complete: extract every marked string, merge, and check.

``python scripts/i18n.py update`` runs :func:`update_catalogues` after strings change;
translators then fill in the empty entries. ``tests/core/test_catalogues.py`` runs
:func:`catalogue_problems` for every language, so a string added without its translations (or
a translation that lost a ``{placeholder}``) fails the build instead of reaching a grader in
English halfway through a Chinese screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from station.i18n import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, catalogue_path

REPO = Path(__file__).resolve().parent.parent
# Where marked strings live: the core's _()/N_() and the window's tr().
SOURCE_DIRS = ("station", "ui")
KEYWORDS: dict[str, None] = {"_": None, "N_": None, "tr": None}
TEMPLATE = LOCALE_DIR / "station.pot"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Problem:
    language: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{catalogue_path(self.language).name}: {self.what}: {self.msgid!r}"


def extract_template(repo: Path = REPO) -> Catalog:
    """Every marked string in the source, with where it is used (for translators' context)."""
    template = Catalog(project="returns-station", fuzzy=False)
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            repo / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            if not message:
                continue
            template.add(
                message,
                locations=[(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def update_catalogues(repo: Path = REPO) -> dict[str, int]:
    """Write the template and merge it into each language's catalogue; returns how many
    entries each language still lacks. Existing translations are kept; strings no longer in
    the source are dropped (gettext would keep them as obsolete comments: noise here)."""
    template = extract_template(repo)
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as handle:
        write_po(handle, template, omit_header=False, sort_output=True, width=100)
    missing: dict[str, int] = {}
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        path = catalogue_path(language)
        locale = language.replace("-", "_")
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="returns-station")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, width=100, include_previous=False)
        missing[language] = sum(1 for m in catalog if m.id and not m.string)
    return missing


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def catalogue_problems(language: str, messages: Iterable[str]) -> list[Problem]:
    """What is wrong with one language's catalogue for the given source messages: missing,
    empty or fuzzy entries, and translations whose ``{placeholders}`` differ from the source
    (``.format`` would raise KeyError, or silently drop a value, at the grader's bench)."""
    path = catalogue_path(language)
    if not path.exists():
        return [Problem(language, "", f"catalogue {path} is missing")]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.replace("-", "_"), abort_invalid=True)
    problems: list[Problem] = []
    for msgid in sorted(set(messages)):
        entry = catalog.get(msgid)
        if entry is None:
            problems.append(Problem(language, msgid, "no entry"))
        elif not entry.string:
            problems.append(Problem(language, msgid, "not translated"))
        elif entry.fuzzy:
            problems.append(Problem(language, msgid, "marked fuzzy"))
        elif placeholders(str(entry.string)) != placeholders(msgid):
            problems.append(Problem(language, msgid, "placeholders differ"))
    return problems
