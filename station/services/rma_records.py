"""The documented shape of an expected return (RMA), as pydantic v2 models.

These models are the import format: the CSV and JSON readers turn each row or object into them,
and the upstream pull reuses them so every source is validated by the same rules. Every check
raises a message a warehouse clerk can act on (what is wrong with which value, and what is
expected), because the message ends up verbatim in the import report next to a line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
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
from station.i18n import _
from station.services.rma_values import (
    CENT,
    CURRENCY_CODE,
    LIST_SEPARATORS,
    MAX_LINE_NO,
    MAX_QTY,
    MAX_RETURN_WINDOW_DAYS,
    MAX_UNIT_PRICE,
    MAX_UNIT_WEIGHT_G,
    TRACKING_SEPARATORS,
    RecordError,
    choice_value,
    clip_value,
    code_value,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    split_list,
    storable,
    text_value,
)


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


# Display forms seen in seller exports, keyed by their slug_text() form.
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
        return None if is_blank(value) else parse_int(value, minimum=1, maximum=MAX_LINE_NO)

    @field_validator("external_id", mode="before")
    @classmethod
    def _external_id(cls, value: Any) -> str | None:
        return None if is_blank(value) else text_value(value, max_length=128)

    @field_validator("sku", mode="before")
    @classmethod
    def _sku(cls, value: Any) -> str:
        if is_blank(value):
            raise RecordError(_("{field} is empty; every line needs the seller's SKU code"))
        return text_value(value, max_length=64)

    @field_validator("gtin", mode="before")
    @classmethod
    def _gtin(cls, value: Any) -> str | None:
        if is_blank(value):
            return None
        text = re.sub(r"[\s-]", "", str(value))
        if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", text):
            raise RecordError(
                _(
                    '{field}: "{value}" was turned into a number by the spreadsheet; '
                    "format the column as text and copy the barcode digits again"
                ),
                value=clip_value(value),
            )
        if not (text.isascii() and text.isdigit()) or len(text) not in (8, 12, 13, 14):
            raise RecordError(
                _('{field}: "{value}" is not a GTIN (8, 12, 13 or 14 digits)'),
                value=clip_value(value),
            )
        if not is_valid_gtin(text):
            raise RecordError(
                _('{field}: "{value}" has a wrong check digit; check for a typo'),
                value=clip_value(value),
            )
        return text

    @field_validator("qty", mode="before")
    @classmethod
    def _qty(cls, value: Any) -> int:
        return 1 if is_blank(value) else parse_int(value, minimum=1, maximum=MAX_QTY)

    @field_validator("unit_price", mode="before")
    @classmethod
    def _unit_price(cls, value: Any) -> Decimal | None:
        if is_blank(value):
            return None
        price = parse_decimal(value)
        if price < 0:
            raise RecordError(_('{field}: "{value}" is negative'), value=clip_value(value))
        if price >= MAX_UNIT_PRICE:  # before quantize(), which fails on huge numbers
            raise RecordError(_('{field}: "{value}" is too large'), value=clip_value(value))
        if price != price.quantize(CENT):
            raise RecordError(
                _(
                    '{field}: "{value}" has more than 2 decimal places; '
                    "write amounts like 1234.50 or 1234,50"
                ),
                value=clip_value(value),
            )
        return price.quantize(CENT)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> str | None:
        if is_blank(value):
            return None
        code = str(value).strip().upper()
        if not CURRENCY_CODE.fullmatch(code):
            raise RecordError(
                _('{field}: "{value}" is not a 3-letter currency code such as EUR'),
                value=clip_value(value),
            )
        return code

    @field_validator("serials", mode="before")
    @classmethod
    def _serials(cls, value: Any) -> tuple[str, ...]:
        if is_blank(value):
            return ()
        serials = split_list(value, LIST_SEPARATORS)
        for serial in serials:
            storable(serial)
            if len(serial) > 128:
                raise RecordError(
                    _('{field}: serial "{value}" is longer than {limit} characters'),
                    value=clip_value(serial),
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
        if is_blank(value):
            return None
        grams = parse_decimal(value)
        if grams <= 0:
            raise RecordError(
                _('{field}: "{value}" must be more than 0 grams'), value=clip_value(value)
            )
        if grams > MAX_UNIT_WEIGHT_G:
            raise RecordError(_('{field}: "{value}" is too large'), value=clip_value(value))
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
        if is_blank(value):
            raise RecordError(_("{field} is empty; every row needs the RMA number"))
        return code_value(value, max_length=64)

    @field_validator("seller", mode="before")
    @classmethod
    def _seller(cls, value: Any) -> str:
        if is_blank(value):
            raise RecordError(_("{field} is empty; every RMA needs the seller code"))
        return text_value(value, max_length=32)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Channel:
        if is_blank(value):
            raise RecordError(_("{field} is empty; write the sales channel, e.g. amazon"))
        return choice_value(value, Channel, _CHANNEL_ALIASES)

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: Any) -> str | None:
        return None if is_blank(value) else code_value(value, max_length=64)

    @field_validator("customer_ref", mode="before")
    @classmethod
    def _customer_ref(cls, value: Any) -> str | None:
        return None if is_blank(value) else text_value(value, max_length=128)

    @field_validator("customer_country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str | None:
        if is_blank(value):
            return None
        code = str(value).strip().upper()
        if code in _COUNTRY_HINTS:
            raise RecordError(
                _('{field}: "{value}" is not an ISO country code; use {code}'),
                value=clip_value(value),
                code=_COUNTRY_HINTS[code],
            )
        if code not in ISO_COUNTRIES:
            raise RecordError(
                _('{field}: "{value}" is not a 2-letter ISO country code such as DE'),
                value=clip_value(value),
            )
        return code

    @field_validator("reason_code", mode="before")
    @classmethod
    def _reason_code(cls, value: Any) -> ReasonCode | None:
        return None if is_blank(value) else choice_value(value, ReasonCode, _REASON_ALIASES)

    @field_validator("reason_text", mode="before")
    @classmethod
    def _reason_text(cls, value: Any) -> str | None:
        return None if is_blank(value) else text_value(value, max_length=1000)

    @field_validator("delivered_on", mode="before")
    @classmethod
    def _delivered_on(cls, value: Any) -> date | None:
        return None if is_blank(value) else parse_date(value)

    @field_validator("return_window_days", mode="before")
    @classmethod
    def _return_window(cls, value: Any) -> int | None:
        if is_blank(value):
            return None
        return parse_int(value, minimum=0, maximum=MAX_RETURN_WINDOW_DAYS)

    @field_validator("tracking_numbers", mode="before")
    @classmethod
    def _tracking(cls, value: Any) -> tuple[str, ...]:
        if is_blank(value):
            return ()
        numbers: list[str] = []
        for item in split_list(value, TRACKING_SEPARATORS):
            number = code_value(item, max_length=64)
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
