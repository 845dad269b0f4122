"""How one value of an RMA file (a CSV cell or a JSON value) becomes a typed value.

Split from ``rma_records`` (the models) so each stays readable. Every failure is a
``RecordError``: an already translated sentence a warehouse clerk can act on, with the field
name filled in later by ``rma_records.describe_errors``. Numbers have upper bounds so that an
absurd value is reported on its row instead of failing the database write of a whole batch.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from station.codes import normalize_code
from station.i18n import _

LIST_SEPARATORS = re.compile(r"[;|\n\r]+")
TRACKING_SEPARATORS = re.compile(r"[;|,\n\r]+")
_INT = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
CENT = Decimal("0.01")
# Upper bounds for numbers, so a typo (or an attack) is reported on its row instead of failing
# the database write of a whole batch (SQLite and PostgreSQL integers are 64/32 bits).
MAX_QTY = 1_000_000
MAX_LINE_NO = 1_000_000
MAX_RETURN_WINDOW_DAYS = 3650
MAX_UNIT_PRICE = Decimal("1e10")  # Numeric(12, 2)
MAX_UNIT_WEIGHT_G = 1_000_000  # one tonne
_MAX_NUMBER_CHARS = 64  # longer text is never a number; int() of 4,300+ digits even raises
# Shown escaped in messages, so one problem stays one line; refused in stored text (PostgreSQL
# text cannot hold NUL, and no database driver can encode a lone UTF-16 surrogate).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


class RecordError(ValueError):
    """A validation message that names the field it is about.

    ``template`` is an already translated whole sentence with a ``{field}`` placeholder; the
    field is only known where pydantic's error location is turned into a label (``column "SKU"``
    or ``field "lines[0].sku"``), so ``describe_errors`` formats it there, once, after
    translation. ``params`` fill the template's other placeholders.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(self.message(""))

    def message(self, field: str) -> str:
        return self.template.format(field=field or _("the value"), **self.params)


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``, ``\\x00``), so
    a message quoting a file's text stays one line of the report."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def clip_value(value: Any) -> str:
    """The user's value as quoted in messages (the quote marks are part of each message):
    at most 40 characters, control characters escaped so a message stays on one line."""
    text = str(value)
    return one_line(f"{text[:40]}…" if len(text) > 40 else text)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def slug_text(text: str) -> str:
    return re.sub(r"[\s\-./]+", "_", text.strip().lower()).strip("_")


def text_value(value: Any, *, max_length: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(_('{field}: "{value}" must be text'), value=clip_value(value))
    text = storable(str(value).strip())
    if len(text) > max_length:
        raise RecordError(
            _("{field} is {length} characters long; at most {limit} fit"),
            length=len(text),
            limit=max_length,
        )
    return text


def storable(text: str) -> str:
    if bad := _UNSTORABLE.search(text):
        raise RecordError(
            _('{field}: "{value}" contains a character that cannot be stored ({character})'),
            value=clip_value(text),
            character=repr(bad.group())[1:-1],
        )
    return text


def code_value(value: Any, *, max_length: int) -> str:
    code = normalize_code(text_value(value, max_length=max_length * 4))
    if len(code) > max_length:
        raise RecordError(
            _('{field}: "{value}" is longer than {limit} characters'),
            value=clip_value(code),
            limit=max_length,
        )
    return code


def _not_whole_number(value: Any) -> RecordError:
    return RecordError(_('{field}: "{value}" is not a whole number'), value=clip_value(value))


def _not_a_number(value: Any) -> RecordError:
    return RecordError(_('{field}: "{value}" is not a number'), value=clip_value(value))


def parse_int(value: Any, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise _not_whole_number(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _not_whole_number(value)
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_NUMBER_CHARS or not _INT.fullmatch(text):
            raise _not_whole_number(text)
        value = int(text)
    if value < minimum:
        raise RecordError(
            _("{field}: {number} is too small; it must be {minimum} or more"),
            number=value,
            minimum=minimum,
        )
    if value > maximum:
        raise RecordError(
            _("{field}: {number} is too large; it must be {maximum} or less"),
            number=clip_value(value),
            maximum=maximum,
        )
    return value


def parse_decimal(value: Any) -> Decimal:
    """Reads ``12.50``, ``12,50`` (decimal comma), ``1.234,50`` and ``1,234.50``.

    The last of ``,`` / ``.`` is the decimal mark, the other one groups thousands.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _not_a_number(value)
    text = _NUMBER_SPACES.sub("", str(value))
    if len(text) > _MAX_NUMBER_CHARS:
        raise _not_a_number(value)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _not_a_number(value) from None
    if not number.is_finite():
        raise _not_a_number(value)
    return number


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.fullmatch(str(value).strip())
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise RecordError(
        _('{field}: "{value}" is not a date; write it as YYYY-MM-DD, e.g. 2024-03-31'),
        value=clip_value(value),
    )


def split_list(value: Any, separators: re.Pattern[str]) -> list[str]:
    """A list stays a list; text is split on the separators; blanks are dropped."""
    if isinstance(value, list | tuple):
        items = [str(item).strip() for item in value if not is_blank(item)]
    elif isinstance(value, str):
        items = [item.strip() for item in separators.split(value)]
    else:
        raise RecordError(_('{field}: "{value}" is not a list'), value=clip_value(value))
    return [item for item in items if item]


def choice_value(value: Any, enum: type[StrEnum], aliases: dict[str, Any]) -> Any:
    slug = slug_text(str(value))
    for member in enum:
        if slug in (member.value, member.value.replace("_", "")):
            return member
    if slug in aliases:
        return aliases[slug]
    allowed = ", ".join(member.value for member in enum)
    raise RecordError(
        _('{field}: "{value}" is not one of: {allowed}'), value=clip_value(value), allowed=allowed
    )
