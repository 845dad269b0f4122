"""Every string a person reads is translatable, and every catalogue translates all of them.

Two halves: the catalogues are complete for the strings marked in the source (a new string
without its Chinese and Spanish fails here, as does a translation that lost a placeholder);
and the source marks what it shows (a literal handed to ``setText`` or a message, or a ``tr``
the extractor cannot see, fails here too).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.i18n import LANGUAGES, SOURCE_LANGUAGE, _, load_catalogue, set_language
from station.i18n_tools import REPO, catalogue_problems, extract_template, placeholders

TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
# Calls that put text in front of a person, and which argument is the text.
SHOWN_ARG = {
    "setText": 0, "setWindowTitle": 0, "setToolTip": 0, "setPlaceholderText": 0,
    "setTitle": 0, "showMessage": 0, "addTab": 1, "setTabText": 1, "addItem": 0,
    "QLabel": 0, "QPushButton": 0, "QGroupBox": 0, "QCheckBox": 0, "QRadioButton": 0,
    "_message": 1, "_reject": 0,
}  # fmt: skip
WORDS = re.compile(r"[A-Za-z]{3,}")
TRANSLATORS = {"tr", "_", "N_"}


@pytest.fixture(scope="module")
def messages() -> list[str]:
    return [str(message.id) for message in extract_template() if message.id]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated_with_the_same_placeholders(language, messages):
    problems = catalogue_problems(language, messages)
    assert not problems, "\n".join(map(str, problems[:40])) + (
        f"\n... {len(problems)} in all: run scripts/i18n.py update, then translate"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalogue_is_used_when_its_language_is_chosen(language, messages):
    catalogue = load_catalogue(language)
    sample = next(m for m in messages if m in catalogue and catalogue[m] != m)
    set_language(language)
    assert _(sample) == catalogue[sample] != sample
    set_language("en")
    assert _(sample) == sample


def test_the_extractor_sees_tr_and_underscore_calls(messages):
    # Strings known to be shown, one from the window and one from the services.
    assert "Finalize (F12)" in messages
    assert any(placeholders(m) == {"{number}"} and "RMA" in m for m in messages)


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((REPO / folder).rglob("*.py"))


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _has_words(node: ast.AST) -> bool:
    """A literal (or f-string) with words in it, outside any translator call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _has_words(node.left) or _has_words(node.right)
    return False


def _problems(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(REPO)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and _call_name(inner) in TRANSLATORS:
                    yield f"{where}:{inner.lineno}: tr/_ inside an f-string is not extracted"
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "tr" and not (
            node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield f"{where}:{node.lineno}: tr() needs a literal string the extractor can read"
        index = SHOWN_ARG.get(name)
        if index is not None and len(node.args) > index and _has_words(node.args[index]):
            yield f"{where}:{node.lineno}: {name}() shows untranslated text"


def test_the_window_marks_every_string_it_shows():
    problems = [p for path in _python_files("ui") for p in _problems(path)]
    assert not problems, "\n".join(problems)


def test_the_lint_catches_an_unmarked_label_and_a_hidden_tr(tmp_path, monkeypatch):
    sample = tmp_path / "ui" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "label.setText('Scan the parcel')\n"
        "label.setText(self.tr('Scan the parcel'))\n"
        "label.setText(f\"{self.tr('Weight')}: 3 g\")\n"
        "button = QPushButton(name)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    problems = list(_problems(sample))
    assert len(problems) == 2
    assert "sample.py:1: setText() shows untranslated text" in problems[0]
    assert "f-string" in problems[1]
