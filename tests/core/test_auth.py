"""PIN hashing (scrypt, self-describing, salted) and the PIN policy."""

from __future__ import annotations

import base64
import hashlib

import pytest

from station.auth import (
    KEY_BYTES,
    SALT_BYTES,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    generate_pin,
    hash_pin,
    needs_rehash,
    validate_pin,
    verify_pin,
)
from station.services.common import ServiceError


def test_hash_names_its_parameters_and_never_holds_the_pin() -> None:
    stored = hash_pin("482913")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", SCRYPT_N, SCRYPT_R, SCRYPT_P)
    assert (SCRYPT_N, SCRYPT_R, SCRYPT_P) == (2**14, 8, 1)
    assert len(base64.b64decode(salt)) == SALT_BYTES == 16
    assert len(base64.b64decode(key)) == KEY_BYTES == 32
    assert "482913" not in stored
    # The key is scrypt over the PIN with the stored salt: anyone can re-derive it.
    expected = hashlib.scrypt(
        b"482913", salt=base64.b64decode(salt), n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    assert base64.b64decode(key) == expected
    assert len(stored) <= 255  # fits users.pin_hash


def test_verify_right_and_wrong() -> None:
    stored = hash_pin("482913")
    assert verify_pin("482913", stored)
    assert not verify_pin("482914", stored)
    assert not verify_pin("", stored)
    assert not verify_pin("482913 ", stored)


def test_password_with_non_ascii_characters() -> None:
    stored = hash_pin("Grüße aus 東京")
    assert verify_pin("Grüße aus 東京", stored)
    assert not verify_pin("Grusse aus 東京", stored)


def test_salts_differ_so_equal_pins_hash_differently() -> None:
    first, second = hash_pin("1234"), hash_pin("1234")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_pin("1234", first) and verify_pin("1234", second)


def test_older_parameters_still_verify_and_ask_for_a_rehash() -> None:
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(b"2468", salt=salt, n=2**10, r=8, p=1, dklen=32)
    stored = (
        f"scrypt${2**10}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    )
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert needs_rehash(stored)
    assert not needs_rehash(hash_pin("2468"))


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "1234",
        "scrypt",
        "bcrypt$16384$8$1$c2FsdA==$a2V5",
        "scrypt$16384$8$1$c2FsdA==",  # no key
        "scrypt$abc$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$1000$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",  # n not a power of two
        f"scrypt${2**30}$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",  # would eat 128 GiB
        "scrypt$16384$0$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$16384$8$1$not base64!$a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$16384$8$1$$a2V5a2V5a2V5a2V5a2V5a2V5",  # empty salt
        "scrypt$16384$8$1$c2FsdHNhbHRzYWx0$a2V5",  # key too short
        "scrypt$16384$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5$extra",
    ],
)
def test_malformed_stored_values_are_false_not_errors(stored: str | None) -> None:
    assert verify_pin("1234", stored) is False


def test_a_tampered_hash_fails() -> None:
    stored = hash_pin("1234")
    parts = stored.split("$")
    key = bytearray(base64.b64decode(parts[5]))
    key[0] ^= 1
    parts[5] = base64.b64encode(bytes(key)).decode()
    assert not verify_pin("1234", "$".join(parts))


@pytest.mark.parametrize("pin", ["1234", "000000", "12345678901", "correct horse", "abcdefgh"])
def test_policy_accepts(pin: str) -> None:
    validate_pin(pin)


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("", "empty"),
        ("    ", "empty"),
        ("\t\n", "empty"),
        ("123", "at least 4 digits"),
        ("abc123", "at least 8 characters"),
        ("１２３４", "at least 8 characters"),  # full-width digits are not a PIN
    ],
)
def test_policy_refuses_with_a_clear_message(pin: str, says: str) -> None:
    with pytest.raises(ServiceError, match=says):
        validate_pin(pin)


def test_generated_pins_are_six_digits_and_pass_the_policy() -> None:
    pins = {generate_pin() for _ in range(50)}
    assert all(len(pin) == 6 and pin.isdigit() for pin in pins)
    assert len(pins) > 40  # random, not a constant
    for pin in pins:
        validate_pin(pin)
