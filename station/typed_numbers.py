"""Numbers a person types at the bench (a weight, a measurement): read strictly, judged before
they are recorded.

Why a reader of our own, and not ``float()`` or Babel: ``float()`` also takes "nan", "inf",
"1e9", "1_000" and Arabic-Indic digits, none of which a grader means as a weight; Babel's
``parse_decimal`` ties "," and "." to the locale ("212.5" read as Spanish is 2125, "212,5" read
as English is 2125), while a grader's keyboard habits are not the station's language. Here "."
and "," are both a decimal point (nobody groups the digits of a weight), full-width digits from
a Chinese input method count as digits (NFKC), the unit may be typed after the number, and
anything else is a refusal that names the field and what was typed: never an exception.

The limits, and why:

* A weight is more than 0 g and at most the scale's capacity (``[scale] capacity_g``): 0 g is an
  empty pan, a negative weight an unzeroed scale, and a scale cannot show more than its range.
* A typed weight outside the standard's weight tolerance (the same allowance the verdict uses to
  flag "weight out of tolerance") is far from the expected weight and asks for confirmation;
  a standard without a weight tolerance uses a factor of two (a unit missing its accessories is
  lighter, but not half; a slipped digit is ten times off).
* A measurement is more than 0 and within a factor of ten of the SKU's spec value: a dropped or
  extra digit, a misplaced decimal point (5.2 or 520 for 52 cm), and no garment shrinks or
  stretches that far. Beyond three times the standard's tolerance it is far from the spec and
  asks for confirmation: the band between the tolerance and three times it is what the
  measurement is there to find (a shrunk jumper is FAIL), and asking there would cost a key on
  every off-spec unit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from station.i18n import _

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
# A typed text quoted back in a message is cut to this length (a pasted paragraph is no number).
_QUOTE_CHARS = 24
# See the module's docstring for each limit.
NO_TOLERANCE_RATIO = 2.0
ABSURD_RATIO = 10.0
FAR_TOLERANCES = 3.0


@dataclass(frozen=True)
class Refusal:
    """Why a typed text is not a number that may be recorded (one line, translated)."""

    message: str


@dataclass(frozen=True)
class Judged:
    """What to do with a typed value: refuse it, record it, or ask first (``far``)."""

    value: float | None = None
    refusal: str | None = None
    far: bool = False

    @property
    def recordable(self) -> bool:
        return self.refusal is None and self.value is not None


def show_number(value: float) -> str:
    """A number as a person reads it back: 212.5, 1000000000, not 2.125e+02 or 1e+09."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e12:
        return f"{value:.6g}"
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _quote(text: str) -> str:
    shown = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)
    return shown if len(shown) <= _QUOTE_CHARS else shown[: _QUOTE_CHARS - 1] + "…"


def read_number(text: str, field: str, unit: str = "") -> float | Refusal:
    """The number a person typed, or why it is not one. ``unit`` may follow the number
    ("212,5 g"); any other text, "nan", "inf", exponents and digit grouping are refused."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if unit and typed[-len(unit) :].casefold() == unit.casefold():
        typed = typed[: -len(unit)].rstrip()
    if not typed:
        return Refusal(_("{field}: type a number").format(field=field))
    if _NUMBER.fullmatch(typed) is None:
        return Refusal(
            _("{field}: “{typed}” is not a number").format(field=field, typed=_quote(text.strip()))
        )
    value = float(typed.replace(",", "."))
    if not math.isfinite(value):  # hundreds of digits overflow to inf
        return Refusal(
            _("{field}: “{typed}” is too large").format(field=field, typed=_quote(text.strip()))
        )
    return value


def weight_refusal(grams: float, capacity_g: float | None, field: str | None = None) -> str | None:
    """Why ``grams`` cannot be recorded as a weight, or None when it can."""
    name = field or _("Weight")
    if not math.isfinite(grams):
        return _("{field}: {value} is not a number").format(field=name, value=grams)
    value = show_number(grams)
    if grams < 0:
        return _("{field}: {value} g is a negative weight: zero the scale").format(
            field=name, value=value
        )
    if grams == 0:
        return _("{field}: 0 g is an empty scale: put the unit on it, or type its weight").format(
            field=name
        )
    if capacity_g is not None and grams > capacity_g:
        return _("{field}: {value} g is over the scale's capacity of {capacity} g").format(
            field=name, value=value, capacity=show_number(capacity_g)
        )
    return None


def weight_allowance(
    expected_g: float | None, tolerance_g: float | None, tolerance_percent: float | None
) -> float | None:
    """The deviation from the expected weight the standard allows (as the evaluator computes
    it for "weight out of tolerance"); None when the standard gives no tolerance."""
    if not expected_g:
        return None
    allowed = [
        t
        for t in (
            tolerance_g,
            expected_g * tolerance_percent / 100 if tolerance_percent is not None else None,
        )
        if t is not None
    ]
    return max(allowed) if allowed else None


def weight_is_far(grams: float, expected_g: float | None, allowance_g: float | None) -> bool:
    """Whether a typed weight is far enough from the expected one to ask first."""
    if not expected_g or expected_g <= 0:
        return False
    if allowance_g is not None:
        return abs(grams - expected_g) > allowance_g
    return grams > expected_g * NO_TOLERANCE_RATIO or grams < expected_g / NO_TOLERANCE_RATIO


def measurement_refusal(value: float, field: str, unit: str, expected: float | None) -> str | None:
    """Why ``value`` cannot be recorded as a measurement, or None when it can."""
    if not math.isfinite(value):
        return _("{field}: {value} is not a number").format(field=field, value=value)
    shown = show_number(value)
    if value <= 0:
        return _("{field}: {value} {unit} cannot be measured: type a value above zero").format(
            field=field, value=shown, unit=unit
        )
    if expected is not None and expected > 0:
        spec = show_number(expected)
        if value > expected * ABSURD_RATIO:
            return _(
                "{field}: {value} {unit} is more than ten times the expected {expected} {unit}"
            ).format(field=field, value=shown, unit=unit, expected=spec)
        if value < expected / ABSURD_RATIO:
            return _(
                "{field}: {value} {unit} is less than a tenth of the expected {expected} {unit}"
            ).format(field=field, value=shown, unit=unit, expected=spec)
    return None


def measurement_is_far(value: float, expected: float | None, allowed: float | None) -> bool:
    """Whether a measurement is far enough from the spec to ask first (module docstring)."""
    if expected is None or not allowed:
        return False
    return abs(value - expected) > FAR_TOLERANCES * allowed + 1e-9


def judge_typed_weight(
    text: str,
    *,
    capacity_g: float | None,
    expected_g: float | None,
    allowance_g: float | None,
    field: str | None = None,
) -> Judged:
    """A typed weight: refused, recordable, or recordable once confirmed (``far``)."""
    name = field or _("Weight")
    read = read_number(text, name, "g")
    if isinstance(read, Refusal):
        return Judged(refusal=read.message)
    refusal = weight_refusal(read, capacity_g, name)
    if refusal is not None:
        return Judged(value=read, refusal=refusal)
    return Judged(value=read, far=weight_is_far(read, expected_g, allowance_g))


def judge_typed_measurement(
    text: str, *, field: str, unit: str, expected: float | None, allowed: float | None
) -> Judged:
    """A typed measurement: refused, recordable, or recordable once confirmed (``far``)."""
    read = read_number(text, field, unit)
    if isinstance(read, Refusal):
        return Judged(refusal=read.message)
    refusal = measurement_refusal(read, field, unit, expected)
    if refusal is not None:
        return Judged(value=read, refusal=refusal)
    return Judged(value=read, far=measurement_is_far(read, expected, allowed))
