"""Translation markers for user-visible strings produced by the Qt-free core.

The core cannot use Qt's ``tr()``; it marks strings with gettext's ``_`` so the same catalogue
tooling (xgettext/babel) can extract them. The UI shows these messages as they come back from
services, already translated for the active language.
"""

from __future__ import annotations

import gettext
from pathlib import Path

_LOCALE_DIR = Path(__file__).with_name("locale")
_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(language: str | None) -> None:
    """Switch the core's message catalogue; unknown languages fall back to English source text."""
    global _translation
    if not language:
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(
        "station", localedir=_LOCALE_DIR, languages=[language], fallback=True
    )


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    return message
