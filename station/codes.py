"""Scanned-code normalisation, shared by every lookup so a code matches however it was typed."""

from __future__ import annotations

import re

# AIM symbology identifiers a scanner may prefix (e.g. "]C1" GS1-128, "]E0" EAN-13, "]d2").
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
# Whitespace, but not the ASCII separators \x1c-\x1f: Python counts them as whitespace, and
# GS (\x1d) is the FNC1 separator inside GS1 element strings.
_SPACES = re.compile(r"[^\S\x1c-\x1f]+|[\u00a0\u3000]+")
GS = "\x1d"


def strip_aim_prefix(code: str) -> tuple[str | None, str]:
    match = _AIM_PREFIX.match(code)
    if match:
        return match.group(0), code[match.end() :]
    return None, code


def normalize_code(code: str) -> str:
    """Trimmed, case-folded to upper case, whitespace removed, AIM prefix dropped.

    GS1 group separators survive because they carry meaning inside GS1 element strings.
    """
    _aim, body = strip_aim_prefix(code.strip())
    body = _SPACES.sub("", body)
    return body.upper()
