"""Keyboard-wedge scanners: tell a scanner's key burst from a person typing (Qt-free).

A wedge scanner "types" its code as key presses a few milliseconds apart, then Enter or Tab.
People are slower: ``ScannerConfig.wedge_max_interkey_ms`` (50 ms) separates the two, and a
burst shorter than ``wedge_min_length`` is never a scan. The parser is a pure state machine fed
``(timestamp_ms, key)``; keys are a single character ("A"), a key name ("Enter", "Tab",
"Backspace"...) or an Alt-numpad code ("Alt+0029", or its digits one by one as "Alt+0",
"Alt+0", "Alt+2", "Alt+9"), which is how scanners on Windows type the GS1 group separator.

A scanner types as a keyboard does: it presses and releases **Shift around every capital
letter** (or toggles Caps Lock), and holds Alt through an Alt-numpad code. Those modifier keys
(``MODIFIER_KEYS``) are part of a burst: they neither end it nor count as characters, so
``RMA-NK-104669`` scanned with Shift around each capital stays one scan.

Because the first keys of a burst cannot be told from typing until the next key arrives, the
parser *holds* candidate keys; the caller delivers them late (``released``) once they turn
out to be typing, or drops them when they complete a scan. ``ui/wedge_filter.py`` does that
for the whole Qt application. The same code clean-up (prefix/suffix, AIM identifier, GS) serves
serial scanners through ``clean_code``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from devices.config import ScannerConfig

GS = "\x1d"
# AIM symbology identifier: "]" + code character + modifier, e.g. ]C1 (GS1-128), ]E0 (EAN-13),
# ]d2 (GS1 DataMatrix), ]Q3 (GS1 QR).
AIM_ID = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_ALT_CODE = re.compile(r"^Alt\+(\d+)$")
TERMINATORS = {"enter": {"Enter"}, "tab": {"Tab"}, "either": {"Enter", "Tab"}}
_KEY_ALIASES = {"Return": "Enter", "KP_Enter": "Enter"}
# Keys a scanner presses around the characters it types: part of a burst, never a character.
MODIFIER_KEYS = frozenset(
    {"Shift", "CapsLock", "Control", "Alt", "AltGr", "Meta", "NumLock", "ScrollLock"}
)


@dataclass(frozen=True)
class ScanEvent:
    text: str
    symbology_id: str | None = None
    source: str = "wedge"


class KeyFate(Enum):
    HELD = "held"  # kept by the parser for now: do not deliver it yet
    PASS = "pass"  # deliver it (after ``released``)
    CONSUMED = "consumed"  # part of a completed scan: drop it


@dataclass(frozen=True)
class WedgeStep:
    """What to do after one key: deliver ``released`` (held keys that proved to be typing,
    in order) first, then apply ``fate`` to this key; ``scan`` is a completed scan."""

    fate: KeyFate
    released: tuple[str, ...] = ()
    scan: ScanEvent | None = None


def clean_code(raw: str, config: ScannerConfig, source: str = "wedge") -> ScanEvent:
    """Strip the configured prefix/suffix, split off an AIM identifier, keep GS separators."""
    text = raw.replace("<GS>", GS)
    if config.prefix and text.startswith(config.prefix):
        text = text[len(config.prefix) :]
    if config.suffix and text.endswith(config.suffix):
        text = text[: -len(config.suffix)]
    symbology = None
    match = AIM_ID.match(text)
    if match:
        symbology, text = match.group(0), text[match.end() :]
    return ScanEvent(text, symbology, source)


@dataclass
class _Burst:
    keys: list[str] = field(default_factory=list)  # as fed, for release
    chars: list[str] = field(default_factory=list)  # the characters they typed
    alt_digits: str = ""  # an Alt-numpad code being typed digit by digit
    last_ms: float = 0.0


class WedgeParser:
    def __init__(self, config: ScannerConfig | None = None) -> None:
        self.config = config or ScannerConfig()
        self.terminators = TERMINATORS.get(self.config.terminator, TERMINATORS["either"])
        self._burst = _Burst()

    @property
    def holding(self) -> bool:
        return bool(self._burst.keys)

    def feed(self, timestamp_ms: float, key: str) -> WedgeStep:
        key = _KEY_ALIASES.get(key, key)
        released: tuple[str, ...] = ()
        burst = self._burst
        if burst.keys and timestamp_ms - burst.last_ms > self.config.wedge_max_interkey_ms:
            released = self._release()  # too slow: what was held was typing
            burst = self._burst
        if key in MODIFIER_KEYS:
            # Shift around a capital, Caps Lock, Alt held for an Alt code: the burst goes on.
            # Not a key of the burst either: the next character is timed from the last one.
            return WedgeStep(KeyFate.PASS, released)
        char = self._char_of(key, burst)
        if key in self.terminators and burst.keys:
            if len(burst.chars) >= self.config.wedge_min_length:
                raw = "".join(burst.chars)
                self._burst = _Burst()
                return WedgeStep(KeyFate.CONSUMED, released, clean_code(raw, self.config))
            return WedgeStep(KeyFate.PASS, released + self._release())
        if char is None:  # a special key, or a terminator with nothing held
            return WedgeStep(KeyFate.PASS, released + self._release())
        burst.keys.append(key)
        burst.chars.extend(char)
        burst.last_ms = timestamp_ms
        return WedgeStep(KeyFate.HELD, released)

    def flush(self, now_ms: float) -> tuple[str, ...]:
        """Called when no key came for a while: held keys are typing; deliver them."""
        if self._burst.keys and now_ms - self._burst.last_ms >= self.config.wedge_max_interkey_ms:
            return self._release()
        return ()

    def _release(self) -> tuple[str, ...]:
        keys = tuple(self._burst.keys)
        self._burst = _Burst()
        return keys

    @staticmethod
    def _char_of(key: str, burst: _Burst) -> str | None:
        """The characters ``key`` adds to a burst ('' for an Alt digit still being typed)."""
        if len(key) == 1:
            if burst.alt_digits:
                burst.alt_digits = ""
            return key
        match = _ALT_CODE.match(key)
        if match is None:
            return None
        digits = match.group(1)
        if len(digits) == 1:  # one keypad digit with Alt held down
            burst.alt_digits += digits
            if len(burst.alt_digits) < 4:
                return ""
            digits, burst.alt_digits = burst.alt_digits, ""
        return chr(int(digits)) if int(digits) < 0x110000 else ""


def parse_keys(
    events: list[tuple[float, str]], config: ScannerConfig | None = None
) -> list[ScanEvent]:
    """The scans in a recorded key sequence (for tests and diagnostics)."""
    parser = WedgeParser(config)
    return [step.scan for ts, key in events if (step := parser.feed(ts, key)).scan is not None]
