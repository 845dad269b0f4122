"""The documented shape of an expected return (RMA), as pydantic v2 models.

These models are the import format: the CSV and JSON readers turn each row or object into them,
and the upstream pull reuses them so every source is validated by the same rules. Every check
raises a message a warehouse clerk can act on (what is wrong with which value, and what is
expected), because the message ends up verbatim in the import report next to a line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from devices.gs1 import is_valid_gtin
from station.codes import normalize_code
from station.i18n import _


class Channel(StrEnum):
    AMAZON = "amazon"
    SHOPIFY = "shopify"
    EBAY = "ebay"
    TIKTOK_SHOP = "tiktok_shop"
    OTHER = "other"


class ReasonCode(StrEnum):
    SIZE = "size"
    DEFECT = "defect"
    NOT_AS_DESCRIBED = "not_as_described"
    COLOUR = "colour"
    CHANGED_MIND = "changed_mind"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    OTHER = "other"


# Display forms seen in seller exports, keyed by their _slug() form.
_CHANNEL_ALIASES = {
    "tiktok": Channel.TIKTOK_SHOP,
    "tik_tok": Channel.TIKTOK_SHOP,
    "tik_tok_shop": Channel.TIKTOK_SHOP,
    "amazon_marketplace": Channel.AMAZON,
}
_REASON_ALIASES = {
    "color": ReasonCode.COLOUR,
    "wrong_size": ReasonCode.SIZE,
    "defective": ReasonCode.DEFECT,
    "damaged": ReasonCode.DAMAGED_IN_TRANSIT,
    "changed_my_mind": ReasonCode.CHANGED_MIND,
    "no_longer_needed": ReasonCode.CHANGED_MIND,
}

# ISO 3166-1 alpha-2 (officially assigned codes).
_ISO_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW"""
ISO_COUNTRIES = frozenset(_ISO_COUNTRY_CODES.split())
_COUNTRY_HINTS = {"UK": "GB", "EN": "GB", "EL": "GR"}

_LIST_SEPARATORS = re.compile(r"[;|\n\r]+")
_TRACKING_SEPARATORS = re.compile(r"[;|,\n\r]+")
_INT = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"[A-Z]{3}")
_CENT = Decimal("0.01")


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


def _clip(value: Any) -> str:
    """The user's value as quoted in messages (the quote marks are part of each message)."""
    text = str(value)
    return f"{text[:40]}…" if len(text) > 40 else text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _slug(text: str) -> str:
    return re.sub(r"[\s\-./]+", "_", text.strip().lower()).strip("_")


def _text(value: Any, *, max_length: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(_('{field}: "{value}" must be text'), value=_clip(value))
    text = str(value).strip()
    if len(text) > max_length:
        raise RecordError(
            _("{field} is {length} characters long; at most {limit} fit"),
            length=len(text),
            limit=max_length,
        )
    return text


def _code(value: Any, *, max_length: int) -> str:
    code = normalize_code(_text(value, max_length=max_length * 4))
    if len(code) > max_length:
        raise RecordError(
            _('{field}: "{value}" is longer than {limit} characters'),
            value=_clip(code),
            limit=max_length,
        )
    return code


def _not_whole_number(value: Any) -> RecordError:
    return RecordError(_('{field}: "{value}" is not a whole number'), value=_clip(value))


def _not_a_number(value: Any) -> RecordError:
    return RecordError(_('{field}: "{value}" is not a number'), value=_clip(value))


def parse_int(value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise _not_whole_number(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _not_whole_number(value)
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not _INT.fullmatch(text):
            raise _not_whole_number(text)
        value = int(text)
    if value < minimum:
        raise RecordError(
            _("{field}: {number} is too small; it must be {minimum} or more"),
            number=value,
            minimum=minimum,
        )
    return value


def parse_decimal(value: Any) -> Decimal:
    """Reads ``12.50``, ``12,50`` (decimal comma), ``1.234,50`` and ``1,234.50``.

    The last of ``,`` / ``.`` is the decimal mark, the other one groups thousands.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _not_a_number(value)
    text = _NUMBER_SPACES.sub("", str(value))
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
        value=_clip(value),
    )


def split_list(value: Any, separators: re.Pattern[str]) -> list[str]:
    """A list stays a list; text is split on the separators; blanks are dropped."""
    if isinstance(value, list | tuple):
        items = [str(item).strip() for item in value if not _blank(item)]
    elif isinstance(value, str):
        items = [item.strip() for item in separators.split(value)]
    else:
        raise RecordError(_('{field}: "{value}" is not a list'), value=_clip(value))
    return [item for item in items if item]


def _choice(value: Any, enum: type[StrEnum], aliases: dict[str, Any]) -> Any:
    slug = _slug(str(value))
    for member in enum:
        if slug in (member.value, member.value.replace("_", "")):
            return member
    if slug in aliases:
        return aliases[slug]
    allowed = ", ".join(member.value for member in enum)
    raise RecordError(
        _('{field}: "{value}" is not one of: {allowed}'), value=_clip(value), allowed=allowed
    )


class RmaLineRecord(BaseModel):
    """One expected line of an RMA: which SKU, how many, and what identifies the units."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    line_no: int | None = None
    # The upstream system's id for this line (e.g. a Shopify ReturnLineItem gid): verdict
    # events carry it so the receiver can act on the line without a lookup.
    external_id: str | None = None
    sku: str
    gtin: str | None = None
    qty: int = 1
    unit_price: Decimal | None = None
    currency: str | None = None
    serials: tuple[str, ...] = ()
    expected_unit_weight_g: float | None = None

    @field_validator("line_no", mode="before")
    @classmethod
    def _line_no(cls, value: Any) -> int | None:
        return None if _blank(value) else parse_int(value, minimum=1)

    @field_validator("external_id", mode="before")
    @classmethod
    def _external_id(cls, value: Any) -> str | None:
        return None if _blank(value) else _text(value, max_length=128)

    @field_validator("sku", mode="before")
    @classmethod
    def _sku(cls, value: Any) -> str:
        if _blank(value):
            raise RecordError(_("{field} is empty; every line needs the seller's SKU code"))
        return _text(value, max_length=64)

    @field_validator("gtin", mode="before")
    @classmethod
    def _gtin(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        text = re.sub(r"[\s-]", "", str(value))
        if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", text):
            raise RecordError(
                _(
                    '{field}: "{value}" was turned into a number by the spreadsheet; '
                    "format the column as text and copy the barcode digits again"
                ),
                value=_clip(value),
            )
        if not (text.isascii() and text.isdigit()) or len(text) not in (8, 12, 13, 14):
            raise RecordError(
                _('{field}: "{value}" is not a GTIN (8, 12, 13 or 14 digits)'), value=_clip(value)
            )
        if not is_valid_gtin(text):
            raise RecordError(
                _('{field}: "{value}" has a wrong check digit; check for a typo'),
                value=_clip(value),
            )
        return text

    @field_validator("qty", mode="before")
    @classmethod
    def _qty(cls, value: Any) -> int:
        return 1 if _blank(value) else parse_int(value, minimum=1)

    @field_validator("unit_price", mode="before")
    @classmethod
    def _unit_price(cls, value: Any) -> Decimal | None:
        if _blank(value):
            return None
        price = parse_decimal(value)
        if price < 0:
            raise RecordError(_('{field}: "{value}" is negative'), value=_clip(value))
        if price != price.quantize(_CENT):
            raise RecordError(
                _(
                    '{field}: "{value}" has more than 2 decimal places; '
                    "write amounts like 1234.50 or 1234,50"
                ),
                value=_clip(value),
            )
        if price >= Decimal("1e10"):
            raise RecordError(_('{field}: "{value}" is too large'), value=_clip(value))
        return price.quantize(_CENT)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        code = str(value).strip().upper()
        if not _CURRENCY.fullmatch(code):
            raise RecordError(
                _('{field}: "{value}" is not a 3-letter currency code such as EUR'),
                value=_clip(value),
            )
        return code

    @field_validator("serials", mode="before")
    @classmethod
    def _serials(cls, value: Any) -> tuple[str, ...]:
        if _blank(value):
            return ()
        serials = split_list(value, _LIST_SEPARATORS)
        for serial in serials:
            if len(serial) > 128:
                raise RecordError(
                    _('{field}: serial "{value}" is longer than {limit} characters'),
                    value=_clip(serial),
                    limit=128,
                )
        return tuple(serials)

    @field_validator("serials")
    @classmethod
    def _serials_fit_qty(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        qty = info.data.get("qty")
        if qty is not None and len(value) > qty:
            raise RecordError(
                _("{field} lists {count} serial numbers but qty is {qty}"),
                count=len(value),
                qty=qty,
            )
        return value

    @field_validator("expected_unit_weight_g", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> float | None:
        if _blank(value):
            return None
        grams = parse_decimal(value)
        if grams <= 0:
            raise RecordError(_('{field}: "{value}" must be more than 0 grams'), value=_clip(value))
        return float(grams)


class RmaHeader(BaseModel):
    """The RMA-level fields; in a CSV they repeat on every line row of the same RMA."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rma_number: str
    seller: str
    channel: Channel
    order_id: str | None = None
    customer_ref: str | None = None
    customer_country: str | None = None
    reason_code: ReasonCode | None = None
    reason_text: str | None = None
    delivered_on: date | None = None
    return_window_days: int | None = None
    tracking_numbers: tuple[str, ...] = ()

    @field_validator("rma_number", mode="before")
    @classmethod
    def _rma_number(cls, value: Any) -> str:
        if _blank(value):
            raise RecordError(_("{field} is empty; every row needs the RMA number"))
        return _code(value, max_length=64)

    @field_validator("seller", mode="before")
    @classmethod
    def _seller(cls, value: Any) -> str:
        if _blank(value):
            raise RecordError(_("{field} is empty; every RMA needs the seller code"))
        return _text(value, max_length=32)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Channel:
        if _blank(value):
            raise RecordError(_("{field} is empty; write the sales channel, e.g. amazon"))
        return _choice(value, Channel, _CHANNEL_ALIASES)

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: Any) -> str | None:
        return None if _blank(value) else _code(value, max_length=64)

    @field_validator("customer_ref", mode="before")
    @classmethod
    def _customer_ref(cls, value: Any) -> str | None:
        return None if _blank(value) else _text(value, max_length=128)

    @field_validator("customer_country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        code = str(value).strip().upper()
        if code in _COUNTRY_HINTS:
            raise RecordError(
                _('{field}: "{value}" is not an ISO country code; use {code}'),
                value=_clip(value),
                code=_COUNTRY_HINTS[code],
            )
        if code not in ISO_COUNTRIES:
            raise RecordError(
                _('{field}: "{value}" is not a 2-letter ISO country code such as DE'),
                value=_clip(value),
            )
        return code

    @field_validator("reason_code", mode="before")
    @classmethod
    def _reason_code(cls, value: Any) -> ReasonCode | None:
        return None if _blank(value) else _choice(value, ReasonCode, _REASON_ALIASES)

    @field_validator("reason_text", mode="before")
    @classmethod
    def _reason_text(cls, value: Any) -> str | None:
        return None if _blank(value) else _text(value, max_length=1000)

    @field_validator("delivered_on", mode="before")
    @classmethod
    def _delivered_on(cls, value: Any) -> date | None:
        return None if _blank(value) else parse_date(value)

    @field_validator("return_window_days", mode="before")
    @classmethod
    def _return_window(cls, value: Any) -> int | None:
        return None if _blank(value) else parse_int(value, minimum=0)

    @field_validator("tracking_numbers", mode="before")
    @classmethod
    def _tracking(cls, value: Any) -> tuple[str, ...]:
        if _blank(value):
            return ()
        numbers: list[str] = []
        for item in split_list(value, _TRACKING_SEPARATORS):
            number = _code(item, max_length=64)
            if number and number not in numbers:
                numbers.append(number)
        return tuple(numbers)


class RmaRecord(RmaHeader):
    """A whole RMA with its lines: the unit that is imported (or skipped) as one."""

    lines: tuple[RmaLineRecord, ...]

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise RecordError(_("{field} must be a list of line objects"))
        if not value:
            raise RecordError(_("{field} is empty; an RMA needs at least one line"))
        return value

    @model_validator(mode="after")
    def _unique_line_numbers(self) -> RmaRecord:
        seen: set[int] = set()
        for number, _line in self.numbered_lines():
            if number in seen:
                # About the whole RMA, not one field: describe_errors shows it as it is.
                raise ValueError(
                    _("{column} {number} is used by more than one line").format(
                        column="line_no", number=number
                    )
                )
            seen.add(number)
        return self

    def numbered_lines(self) -> list[tuple[int, RmaLineRecord]]:
        """Lines with their effective number: the given line_no, else the position (1-based)."""
        return [
            (line.line_no if line.line_no is not None else index, line)
            for index, line in enumerate(self.lines, start=1)
        ]


Location = tuple[str | int, ...]


def describe_errors(
    error: ValidationError, label: Callable[[Location], str]
) -> list[tuple[Location, str]]:
    """Pydantic errors as ``(location, message)`` pairs, each message one translated sentence
    naming the field by its ``label`` (e.g. ``column "qty": "two" is not a whole number``).

    This is the one place pydantic errors become user-visible text: our validators raise
    ``RecordError`` (formatted here with the label); other value errors and pydantic's own
    messages are passed through after the label.
    """
    described: list[tuple[Location, str]] = []
    for item in error.errors(include_url=False):
        loc: Location = tuple(item["loc"])
        where = label(loc)
        kind = item["type"]
        cause = item.get("ctx", {}).get("error") if kind == "value_error" else None
        if isinstance(cause, RecordError):
            message = cause.message(where)
        elif kind == "missing":
            message = _("{field} is missing; it is required").format(field=where or _("the value"))
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = _("{field} must be an object with named fields").format(
                field=where or _("the value")
            )
        else:
            reason = str(cause) if cause is not None else item["msg"]
            message = _("{field}: {reason}").format(field=where, reason=reason) if where else reason
        described.append((loc, message))
    return described


def json_label(loc: Sequence[str | int]) -> str:
    """``lines[2].qty`` style path for messages about a JSON RMA object."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return _('field "{path}"').format(path=path) if path else ""
