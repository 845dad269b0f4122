"""Licence plate numbers: generated on the bench, unique without asking a server.

``LPN`` + 10 Crockford base-32 characters (50 random bits) + 1 check character, so a misread
or mistyped LPN is caught before it is looked up. Crockford's alphabet has no I, L, O or U,
which graders confuse with 1, 0 and V.

The check character is ISO 7064-style mod 37 over the body read as a base-32 number, drawn from
Crockford's check alphabet: the 32 symbols above plus ``*~$=U`` for the values 32-36. Those five
are unsafe on a label: ``~`` is ZPL's command prefix (a reprint would send a printer command),
``*`` is Code 39's start/stop character and, with ``$`` and ``=``, looks like punctuation to a
grader reading the number aloud; ``U`` is left out of Crockford's own alphabet.

Why keep the algorithm and draw again, rather than a new check scheme with a version marker:

- LPNs printed before this change are on parcels and in databases. With the same algorithm,
  every one of them still validates exactly as before, and nothing has to tell old from new
  (a version marker would be one more character to print, scan and type, and one more way to
  misread an LPN).
- A new LPN is drawn until its check value falls below 32 (about 5 draws in 37 are redrawn), so
  its check character is one of the 32 safe symbols. That costs 0.2 bits of the 50 random ones
  and keeps the check's strength: 37 is prime and larger than the alphabet, so any single
  changed character and any swap of two adjacent different characters changes the value mod 37
  (a swap of ``a`` and ``b`` at position k changes it by ``(a - b) * 31 * 32**k``; no factor is
  a multiple of 37).

The format accepted when reading stays the legacy one (check character from all 37 symbols), so
old labels still scan; only what is generated is narrower.
"""

from __future__ import annotations

import random
import re
import secrets

PREFIX = "LPN"
# Crockford's base-32 symbols: what a new LPN is made of, check character included.
SAFE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford's check symbols for the values 32-36; accepted when reading old LPNs, never generated.
LEGACY_CHECK_SYMBOLS = "*~$=U"
_CHECK_ALPHABET = SAFE_ALPHABET + LEGACY_CHECK_SYMBOLS
_MODULUS = 37
_BODY_LENGTH = 10
_PATTERN = re.compile(
    rf"^{PREFIX}[{SAFE_ALPHABET}]{{{_BODY_LENGTH}}}[{re.escape(_CHECK_ALPHABET)}]$"
)
_SYSTEM_RANDOM = secrets.SystemRandom()


def _check_value(body: str) -> int:
    value = 0
    for char in body:
        value = value * 32 + SAFE_ALPHABET.index(char)
    return value % _MODULUS


def _check_char(body: str) -> str:
    return _CHECK_ALPHABET[_check_value(body)]


def new_lpn_code(rng: random.Random | None = None) -> str:
    """A new LPN whose every character is one of ``SAFE_ALPHABET`` (after the prefix).

    ``rng`` is for tests that need a reproducible sequence; the bench uses the system's
    cryptographic source, so LPNs cannot be guessed from one another.
    """
    source = rng or _SYSTEM_RANDOM
    while True:
        body = "".join(source.choice(SAFE_ALPHABET) for _ in range(_BODY_LENGTH))
        value = _check_value(body)
        if value < len(SAFE_ALPHABET):
            return f"{PREFIX}{body}{SAFE_ALPHABET[value]}"


def looks_like_lpn(code: str) -> bool:
    """The station's LPN format, old check characters included (they are still on parcels)."""
    return bool(_PATTERN.match(code))


def is_valid_lpn(code: str) -> bool:
    """The format and the check character agree (old LPNs with ``*~$=U`` checks included)."""
    return looks_like_lpn(code) and _check_char(code[len(PREFIX) : -1]) == code[-1]
