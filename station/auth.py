"""PIN and password hashing, the PIN policy, and the idle timer for signing out.

Why scrypt: a bench PIN is short (4-6 digits), so whoever copies the database could try every
PIN offline. A memory-hard KDF makes each guess cost ~16 MiB and tens of milliseconds, a
random salt per user makes every user's hash a separate search, and the clear PIN is never
stored or logged. ``hashlib.scrypt`` is in the standard library, so the station needs no
native dependency for it.

The stored form names its own parameters (``scrypt$n$r$p$salt$hash``), so the cost can be
raised later without breaking existing hashes: verification reads them back from the string.
Nothing in this module imports Qt, so the window and the command line share it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable

from station.i18n import _
from station.services.common import ServiceError

log = logging.getLogger(__name__)

SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# Upper bounds accepted when reading a stored hash: a corrupted (or planted) row must not make
# verification allocate gigabytes or run for minutes.
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16

MIN_PIN_DIGITS = 4
MIN_PASSWORD_CHARS = 8
GENERATED_PIN_DIGITS = 6

# Sign the bench out after this long without input (the window will read it; seconds).
DEFAULT_IDLE_SIGN_OUT_S = 300


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL refuses scrypt above its default 32 MiB unless told the memory it may use.
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of ``pin`` as ``scrypt$n$r$p$salt$hash`` (base64): safe to store."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_pin(pin: str, stored: str | None) -> bool:
    """True when ``pin`` matches ``stored``; False for a wrong PIN and for any malformed value.

    Never raises on bad data: a damaged row must read as "wrong PIN", not crash sign-in. The
    comparison is constant-time so the time taken does not tell how much of the key matched.
    """
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    try:
        actual = _scrypt(pin, salt, n, r, p, len(expected))
    except (ValueError, MemoryError, UnicodeError) as exc:
        log.warning("stored PIN hash could not be checked: %s", exc)
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str | None) -> bool:
    """True when ``stored`` was made with other (older) parameters than today's."""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (SCRYPT_N, SCRYPT_R, SCRYPT_P)


def _parse(stored: str | None) -> tuple[int, int, int, bytes, bytes] | None:
    if not isinstance(stored, str):
        return None
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    power_of_two = n > 1 and n & (n - 1) == 0
    if not (power_of_two and n <= _MAX_N and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        return None
    if not salt or len(key) < 16:
        return None
    return n, r, p, salt, key


def validate_pin(pin: str) -> None:
    """Refuse a PIN or password too weak to protect a bench account (:class:`ServiceError`).

    All digits: a PIN, at least ``MIN_PIN_DIGITS`` long (the lockout limits guessing). Anything
    else: a password, at least ``MIN_PASSWORD_CHARS`` characters.
    """
    if not pin or not pin.strip():
        raise ServiceError(_("the PIN must not be empty or only spaces"))
    if pin.isascii() and pin.isdigit():
        if len(pin) < MIN_PIN_DIGITS:
            raise ServiceError(
                _("a PIN needs at least {n} digits").format(n=MIN_PIN_DIGITS)
            )  # fmt: skip
        return
    if len(pin) < MIN_PASSWORD_CHARS:
        raise ServiceError(
            _("a password needs at least {n} characters (or use a PIN of at least {d} digits)")
            .format(n=MIN_PASSWORD_CHARS, d=MIN_PIN_DIGITS)
        )  # fmt: skip


def generate_pin(digits: int = GENERATED_PIN_DIGITS) -> str:
    """A random PIN from the operating system's CSPRNG (``secrets``), zero-padded."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


class IdleTimer:
    """How long the bench has been idle, for signing out an unattended station.

    Qt-free so it can be tested with an injected clock; the window calls :meth:`touch` on
    input and polls :meth:`expired`. Uses a monotonic clock so a wall-clock change (NTP,
    daylight saving) neither signs everyone out nor keeps a session alive.
    """

    def __init__(
        self,
        timeout_s: float = DEFAULT_IDLE_SIGN_OUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("idle timeout must be positive")
        self.timeout_s = timeout_s
        self._clock = clock
        self._last = clock()

    def touch(self) -> None:
        """Record activity now: the countdown starts again."""
        self._last = self._clock()

    def remaining_s(self) -> float:
        """Seconds until the timer expires (0 once it has)."""
        return max(0.0, self.timeout_s - (self._clock() - self._last))

    def expired(self) -> bool:
        return self._clock() - self._last >= self.timeout_s
