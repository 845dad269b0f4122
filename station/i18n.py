"""One message catalogue per language for everything a person reads: core and window alike.

The core marks strings with gettext's ``_`` (and ``N_`` where the text is translated later,
when shown); the window uses Qt's ``tr()``, which ``ui.i18n`` routes here, so a grader's
language is one catalogue, one switch and one completeness test. Catalogues are the ``.po``
files in ``station/locale``, read with Babel when a language is chosen: no compile step, so a
fresh clone and a translator's edit both work as they are.

Standards and reports carry their own texts in every language they support (``{"en": ...,
"zh-CN": ...}``); this module only covers the station's own strings.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).with_name("locale")
SOURCE_LANGUAGE = "en"
# Shown in the language picker in their own language, so anyone can find theirs.
LANGUAGES: dict[str, str] = {"en": "English", "zh-CN": "简体中文", "es": "Español"}
_ALIASES = {"zh": "zh-CN", "zh_cn": "zh-CN", "zh-hans": "zh-CN", "zh_hans": "zh-CN"}

# Pseudo-language for tests and layout checks: every translated string comes out accented,
# a third longer (German-length) and bracketed, so an untranslated or clipped text shows.
PSEUDO_LANGUAGE = "x-pseudo"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
_PSEUDO_KEEP = re.compile(r"(\{[^{}]*\}|<[^>]+>|&\w+;|%\(\w+\)[sd]|%[sd]|\n)")
_PSEUDO_ACCENTS = str.maketrans("aeiouAEIOUcnsyCNSY", "áéíóúÁÉÍÓÚçñšýÇÑŠÝ")

_lock = threading.Lock()
_language = SOURCE_LANGUAGE
_messages: dict[str, str] = {}
_cache: dict[str, dict[str, str]] = {}


class UnknownLanguage(ValueError):
    pass


def normalize_language(tag: str | None) -> str:
    """``zh_CN``, ``zh-Hans``, ``es-MX`` and friends to one of :data:`LANGUAGES`."""
    if not tag:
        return SOURCE_LANGUAGE
    clean = tag.strip()
    if clean in LANGUAGES or clean == PSEUDO_LANGUAGE:
        return clean
    lowered = clean.lower().replace(" ", "")
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    base = lowered.replace("_", "-").split("-")[0]
    if base == "zh":
        return "zh-CN"
    if base in LANGUAGES:
        return base
    raise UnknownLanguage(
        _("Unknown language {language!r}: choose one of {choices}").format(
            language=tag, choices=", ".join(LANGUAGES)
        )
    )


def catalogue_path(language: str) -> Path:
    """``station/locale/zh_CN.po`` for ``zh-CN`` (gettext's file naming)."""
    return LOCALE_DIR / f"{language.replace('-', '_')}.po"


def load_catalogue(language: str) -> dict[str, str]:
    """The translated entries of one language's catalogue (untranslated and fuzzy ones are
    left out, so they show the English source rather than a guess)."""
    if language in (SOURCE_LANGUAGE, PSEUDO_LANGUAGE):
        return {}
    cached = _cache.get(language)
    if cached is not None:
        return cached
    path = catalogue_path(language)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.replace("-", "_"), abort_invalid=True)
    messages: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string
        text = string if isinstance(string, str) else (string[0] if string else "")
        if text:
            messages[msgid] = text
    _cache[language] = messages
    return messages


def set_language(language: str | None) -> str:
    """Switch every later ``_()`` (and, through ``ui.i18n``, every ``tr()``) to a language.

    Returns the language in force. A missing or broken catalogue is logged and leaves the
    English source text in force rather than stopping the station.
    """
    global _language, _messages
    try:
        code = normalize_language(language)
    except UnknownLanguage:
        log.warning("unknown language %r; using English", language)
        code = SOURCE_LANGUAGE
    try:
        messages = load_catalogue(code)
    except Exception as error:
        log.error("cannot read the %s catalogue %s: %s", code, catalogue_path(code), error)
        code, messages = SOURCE_LANGUAGE, {}
    with _lock:
        _language, _messages = code, messages
    return code


def current_language() -> str:
    return _language


def pseudo(message: str) -> str:
    """The pseudo-language form: placeholders, markup and line breaks kept as they are."""
    parts = _PSEUDO_KEEP.split(message)
    out = [part if _PSEUDO_KEEP.fullmatch(part) else part.translate(_PSEUDO_ACCENTS)
           for part in parts]  # fmt: skip
    padding = "~" * max(1, len(message) // 3)
    return f"{PSEUDO_OPEN}{''.join(out)}{padding}{PSEUDO_CLOSE}"


def lookup(message: str) -> str | None:
    """The active language's translation, or None when it has none (the caller decides the
    fallback: Qt tries its own catalogues next, ``_`` shows the source)."""
    if _language == PSEUDO_LANGUAGE:
        return pseudo(message) if message else None
    return _messages.get(message)


def _(message: str) -> str:
    if _language == PSEUDO_LANGUAGE:
        return pseudo(message) if message else message
    return _messages.get(message, message)


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (translated when shown)."""
    return message
