"""Finding texts that escaped translation, with the pseudo-language (``x-pseudo``).

Under the pseudo-language every translated string is bracketed ⟦...⟧ and a third longer, so a
widget text with words outside the brackets was either never marked for translation or not
set again when the language switched. Data (numbers, codes, names from the database) is
passed as ``allowed`` by the test that knows what it put there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from station.i18n import PSEUDO_CLOSE, PSEUDO_OPEN

# Innermost first: a translated sentence may hold a translated value ("⟦Wéíght ⟦420 g⟧⟧").
_BRACKETED = re.compile(f"{PSEUDO_OPEN}[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}")
_TAGS = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z]{2,}")


def widget_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a person can read under ``root`` (hidden ones included:
    they show later, and must have been retranslated too)."""
    found: list[tuple[str, str]] = [(f"{type(root).__name__} title", root.windowTitle())]
    for widget in [root, *root.findChildren(QWidget)]:
        name = f"{type(widget).__name__}#{widget.objectName() or '?'}"
        if isinstance(widget, QLabel | QAbstractButton):
            found.append((name, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        elif isinstance(widget, QLineEdit):
            found.append((f"{name} placeholder", widget.placeholderText()))
        elif isinstance(widget, QComboBox):
            found.extend((f"{name} item", widget.itemText(i)) for i in range(widget.count()))
        elif isinstance(widget, QTabWidget):
            found.extend((f"{name} tab", widget.tabText(i)) for i in range(widget.count()))
        if widget.toolTip():
            found.append((f"{name} tooltip", widget.toolTip()))
    return [(where, text) for where, text in found if text]


def untranslated(root: QWidget, allowed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Texts with words outside any pseudo-translated part (after removing ``allowed`` data)."""
    allowed_words = sorted({a for a in allowed if a}, key=len, reverse=True)
    problems = []
    for where, text in widget_texts(root):
        rest = text
        while (stripped := _BRACKETED.sub(" ", rest)) != rest:
            rest = stripped
        rest = _TAGS.sub(" ", rest)
        for word in allowed_words:
            rest = rest.replace(word, " ")
        if _WORD.search(rest):
            problems.append((where, text))
    return problems
