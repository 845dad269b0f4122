"""Licence plate numbers: generated on the bench, unique without asking a server.

``LPN`` + 10 Crockford base-32 characters (50 random bits) + 1 check character (ISO 7064
mod 37-style, Crockford's check alphabet), so a misread or mistyped LPN is caught before it is
looked up. Crockford's alphabet has no I, L, O or U, which graders confuse with 1, 0 and V.
"""

from __future__ import annotations

import re
import secrets

PREFIX = "LPN"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHECK_ALPHABET = _ALPHABET + "*~$=U"
_BODY_LENGTH = 10
_PATTERN = re.compile(rf"^{PREFIX}[{_ALPHABET}]{{{_BODY_LENGTH}}}[{re.escape(_CHECK_ALPHABET)}]$")


def _check_char(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + _ALPHABET.index(char)
    return _CHECK_ALPHABET[value % 37]


def new_lpn_code() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{PREFIX}{body}{_check_char(body)}"


def looks_like_lpn(code: str) -> bool:
    return bool(_PATTERN.match(code))


def is_valid_lpn(code: str) -> bool:
    return looks_like_lpn(code) and _check_char(code[len(PREFIX) : -1]) == code[-1]
