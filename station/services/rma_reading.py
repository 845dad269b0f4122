"""Reading RMA files (CSV or JSON, any encoding Excel produces) into validated records.

Nothing here touches the database: the reader turns a file into ``RmaRecord`` objects, each
with the physical line where it starts, plus a list of problems with line numbers. Keeping the
physical line (not the CSV record number) matters because the clerk fixes the file in an editor
or spreadsheet, where multi-line quoted cells make the two differ.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from station.codes import normalize_code
from station.i18n import _
from station.services.rma_files import (
    MAX_FIELD_CHARS,
    MAX_JSON_DEPTH,
    RmaImportFailed,
    csv_cells_up_to_file_size,
    decode_bytes,
    read_rma_bytes,
)
from station.services.rma_json import TOO_DEEP, JsonLayoutError, json_rma_items
from station.services.rma_records import (
    RmaHeader,
    RmaLineRecord,
    RmaRecord,
    clip_value,
    describe_errors,
    json_label,
)
from station.services.rma_values import one_line

log = logging.getLogger(__name__)

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
JSON_SUFFIXES = frozenset({".json"})
DELIMITERS = (",", ";", "\t")

HEADER_FIELDS = tuple(RmaHeader.model_fields)
LINE_FIELDS = tuple(RmaLineRecord.model_fields)
REQUIRED_COLUMNS = ("rma_number", "seller", "channel", "sku")
_NUL_STAND_IN = "\uffff"  # a noncharacter: no honest text contains it

# Header spellings seen in seller exports; keys are _column_slug() forms.
COLUMN_ALIASES: dict[str, str] = {
    **{name: name for name in HEADER_FIELDS + LINE_FIELDS},
    "rma": "rma_number",
    "rma_no": "rma_number",
    "rma_id": "rma_number",
    "return_number": "rma_number",
    "seller_code": "seller",
    "sales_channel": "channel",
    "order": "order_id",
    "order_no": "order_id",
    "order_number": "order_id",
    "external_order_id": "order_id",
    "customer": "customer_ref",
    "customer_id": "customer_ref",
    "customer_reference": "customer_ref",
    "country": "customer_country",
    "country_code": "customer_country",
    "reason": "reason_code",
    "comment": "reason_text",
    "customer_comment": "reason_text",
    "delivered": "delivered_on",
    "delivery_date": "delivered_on",
    "delivered_date": "delivered_on",
    "return_window": "return_window_days",
    "tracking": "tracking_numbers",
    "tracking_no": "tracking_numbers",
    "tracking_number": "tracking_numbers",
    "line": "line_no",
    "line_id": "external_id",
    "line_external_id": "external_id",
    "return_line_item_id": "external_id",
    "line_number": "line_no",
    "sku_code": "sku",
    "seller_sku": "sku",
    "ean": "gtin",
    "upc": "gtin",
    "barcode": "gtin",
    "quantity": "qty",
    "price": "unit_price",
    "serial": "serials",
    "serial_no": "serials",
    "serial_number": "serials",
    "serial_numbers": "serials",
    "weight_g": "expected_unit_weight_g",
    "unit_weight_g": "expected_unit_weight_g",
}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __post_init__(self) -> None:
        # Messages quote the file's text (cells, headers, keys): escaped, one problem is one line.
        object.__setattr__(self, "message", one_line(self.message))


@dataclass(frozen=True)
class SourceRma:
    """A valid RMA and where it came from, so later (database) checks can name the line."""

    record: RmaRecord
    line: int
    line_rows: tuple[int, ...]


@dataclass
class ReadResult:
    format: str
    encoding: str
    rmas: list[SourceRma] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: int = 0


def read_rma_file(path: Path, encoding: str | None = None) -> ReadResult:
    """Decode, detect the format, and validate every RMA in the file."""
    data = read_rma_bytes(path)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise RmaImportFailed(
            f"{path}: "
            + _(
                "looks like an Excel workbook; "
                "in Excel use Save As > CSV UTF-8 and import that file"
            )
        )
    text, used, decode_warning = decode_bytes(data, encoding, path)
    if not text.strip():
        raise RmaImportFailed(f"{path}: " + _("file is empty"))
    suffix = path.suffix.lower()
    is_json = suffix in JSON_SUFFIXES or (
        suffix not in CSV_SUFFIXES and text.lstrip()[:1] in ("[", "{")
    )
    result = ReadResult(format="json" if is_json else "csv", encoding=used)
    if decode_warning:
        result.warnings.append(Problem(1, decode_warning))
    if is_json:
        _read_json(text, path, result)
    else:
        _read_csv(text, path, result)
    log.info(
        "read %s (%s, %s): %d valid RMAs, %d problems",
        path,
        result.format,
        used,
        len(result.rmas),
        len(result.errors),
    )
    return result


# --- CSV ----------------------------------------------------------------------------------


def _column_slug(header: str) -> str:
    slug = re.sub(r"[\s\-./]+", "_", header.strip().strip("\ufeff").lower())
    return slug.strip("_")


def sniff_delimiter(header_line: str) -> str:
    """The header line decides: the candidate that appears most often (comma on a tie)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """``(start_line, end_line, cells, error)`` per record, by physical lines.

    The csv module refuses NUL characters with an error in mid-record and then resumes inside
    the record, which can swallow the rows after it; NUL goes through as a stand-in instead,
    and comes back in the cells, where the validators refuse it by name.
    """
    has_nul = "\x00" in text
    if has_nul:
        text = text.replace("\x00", _NUL_STAND_IN)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    end = 0
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            if "end of data" in str(exc):
                message = _(
                    'a quoted value starting on this row is never closed (missing "), '
                    "so lines {start}-{end} could not be read"
                ).format(start=start, end=end)
                yield start, end, None, message
                return
            # The csv module's reason is English from the standard library; passed through.
            message = _('cannot be read ({error}); check the quotes (") on this row').format(
                error=exc
            )
            yield start, end, None, message
            continue
        end = reader.line_num
        if has_nul:
            row = [cell.replace(_NUL_STAND_IN, "\x00") for cell in row]
        yield start, end, row, ""


def _read_csv(text: str, path: Path, result: ReadResult) -> None:
    first_line = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    explicit = re.fullmatch(r'"?sep=([^"\r\n])"?\s*', first_line.strip(), flags=re.IGNORECASE)
    delimiter = explicit.group(1) if explicit else sniff_delimiter(first_line)
    columns: dict[str, int] | None = None
    labels: dict[str, str] = {}
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    # Rows that could not be read but whose RMA number is known: that whole RMA is skipped.
    dropped: dict[str, list[Problem]] = {}
    width = 0
    with csv_cells_up_to_file_size():
        for line, end, cells, error in _csv_rows(text, delimiter):
            if error:
                if columns is None:
                    message = _("header row: {problem}").format(problem=error)
                    raise RmaImportFailed(f"{path}:{line}: {message}", line=line)
                result.errors.append(Problem(line, error))
                continue
            assert cells is not None
            if not any(cell.strip() for cell in cells):
                continue
            problem = _oversized(cells, line, end)
            if columns is None:
                if problem:
                    message = _("header row: {problem}").format(problem=problem)
                    raise RmaImportFailed(f"{path}:{line}: {message}", line=line)
                if explicit and cells[0].strip().lower().startswith("sep="):
                    continue
                columns, labels = _map_header(cells, line, path, result)
                width = len(cells)
                continue
            if not problem and any(cell.strip() for cell in cells[width:]):
                problem = _(
                    "row has {cells} values but the header has {width} columns; "
                    'a value containing "{delimiter}" must be in double quotes'
                ).format(cells=len(cells), width=width, delimiter=delimiter)
            raw = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
            number = raw["rma_number"]
            key = normalize_code(number) if len(number) <= MAX_FIELD_CHARS else ""
            if problem:
                target = dropped.setdefault(key, []) if key else result.errors
                target.append(Problem(line, problem))
                continue
            if not key:
                message = _("{field} is empty; every row needs the RMA number").format(
                    field=labels["rma_number"]
                )
                result.errors.append(Problem(line, message))
                continue
            groups.setdefault(key, []).append((line, raw))
    if columns is None:
        raise RmaImportFailed(f"{path}: " + _("file is empty"))
    if not groups and not dropped and not result.errors:
        raise RmaImportFailed(f"{path}: " + _("has a header row but no data rows"))
    for key, rows_of_rma in groups.items():
        _validate_csv_rma(rows_of_rma, labels, result, dropped.pop(key, []))
    for key, problems in dropped.items():  # RMAs none of whose rows could be read
        result.skipped += 1
        result.errors.extend(Problem(p.line, _not_imported(p.message, key)) for p in problems)


def _oversized(cells: list[str], start: int, end: int) -> str:
    """Why the row is refused for a value longer than ``MAX_FIELD_CHARS`` ("" if none is)."""
    longest = max(map(len, cells), default=0)
    if longest <= MAX_FIELD_CHARS:
        return ""
    return _(
        "a value on this row is {length} characters long (lines {start}-{end}); "
        "at most {limit} fit in one cell"
    ).format(length=longest, start=start, end=end, limit=MAX_FIELD_CHARS)


def _map_header(
    cells: list[str], line: int, path: Path, result: ReadResult
) -> tuple[dict[str, int], dict[str, str]]:
    """Column positions and the header text as written (messages quote what the clerk sees)."""
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        name = COLUMN_ALIASES.get(_column_slug(cell))
        if name is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if name in columns:
            message = _('columns "{first}" and "{second}" both mean {column}; keep one').format(
                first=headers[name], second=cell.strip(), column=name
            )
            raise RmaImportFailed(f"{path}:{line}: {message}", line=line)
        columns[name] = index
        headers[name] = cell.strip()
    if "rma_number" not in columns:
        found = ", ".join(cell.strip() for cell in cells if cell.strip())
        if found:
            message = _(
                "no {column} column in the header row (found: {found}); "
                "the first row must name the columns"
            ).format(column="rma_number", found=found)
        else:
            message = _(
                "no {column} column in the header row (found: nothing); "
                "the first row must name the columns"
            ).format(column="rma_number")
        raise RmaImportFailed(f"{path}:{line}: {message}", line=line)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        message = _("required column(s) missing: {columns}").format(columns=", ".join(missing))
        raise RmaImportFailed(f"{path}:{line}: {message}", line=line)
    if ignored:
        names = ", ".join(f'"{name}"' for name in ignored)
        message = _("column(s) {names} are not used and were ignored").format(names=names)
        result.warnings.append(Problem(line, message))
    return columns, {name: _('column "{name}"').format(name=text) for name, text in headers.items()}


def _validate_csv_rma(
    rows: list[tuple[int, dict[str, str]]],
    labels: dict[str, str],
    result: ReadResult,
    unreadable: list[Problem],
) -> None:
    """Validate every row of one RMA; keep the RMA only if all its rows are good (and none of
    its rows was ``unreadable``: a return with a missing line would be received wrongly)."""
    errors: list[Problem] = list(unreadable)

    def label(loc: tuple[str | int, ...]) -> str:
        return labels.get(str(loc[0]), str(loc[0])) if loc else _("row:")

    reference: RmaHeader | None = None
    reference_line = 0
    reference_raw: dict[str, str] = {}
    first_raw = rows[0][1]
    lines: list[RmaLineRecord] = []
    numbers: dict[int, int] = {}
    for position, (line, raw) in enumerate(rows, start=1):
        header_raw = {name: raw[name] for name in HEADER_FIELDS if name in raw}
        for name, value in header_raw.items():
            # A blank RMA-level cell on a later row means "same as above".
            if not value.strip():
                header_raw[name] = first_raw.get(name, "")
        try:
            header = RmaHeader.model_validate(header_raw)
        except ValidationError as exc:
            errors.extend(Problem(line, message) for _loc, message in describe_errors(exc, label))
        else:
            if reference is None:
                reference, reference_line, reference_raw = header, line, header_raw
            else:
                for name in HEADER_FIELDS:
                    if getattr(header, name) != getattr(reference, name):
                        errors.append(
                            Problem(
                                line,
                                _(
                                    '{field} is "{value}" here but "{reference}" on line '
                                    "{line} for the same RMA"
                                ).format(
                                    field=labels[name],
                                    value=clip_value(header_raw[name].strip()),
                                    reference=clip_value(reference_raw[name].strip()),
                                    line=reference_line,
                                ),
                            )
                        )
        try:
            record_line = RmaLineRecord.model_validate(
                {name: raw[name] for name in LINE_FIELDS if name in raw}
            )
        except ValidationError as exc:
            errors.extend(Problem(line, message) for _loc, message in describe_errors(exc, label))
            continue
        number = record_line.line_no if record_line.line_no is not None else position
        if number in numbers:
            errors.append(
                Problem(
                    line,
                    _("line number {number} of this RMA is already used on line {line}").format(
                        number=number, line=numbers[number]
                    ),
                )
            )
        numbers[number] = line
        lines.append(record_line)
    rma_number = normalize_code(first_raw["rma_number"])
    if errors or reference is None:
        result.skipped += 1
        result.errors.extend(Problem(p.line, _not_imported(p.message, rma_number)) for p in errors)
        return
    try:
        record = RmaRecord.model_validate({**dict(reference), "lines": lines})
    except ValidationError as exc:  # pragma: no cover - the row checks above cover these rules
        result.skipped += 1
        result.errors.extend(
            Problem(rows[0][0], _not_imported(message, rma_number))
            for _loc, message in describe_errors(exc, label)
        )
        return
    result.rmas.append(SourceRma(record, rows[0][0], tuple(line for line, _raw in rows)))


def _not_imported(problem: str, rma_number: str) -> str:
    return _("{problem} (RMA {rma} not imported)").format(problem=problem, rma=rma_number)


# --- JSON ---------------------------------------------------------------------------------


def _read_json(text: str, path: Path, result: ReadResult) -> None:
    try:
        items = json_rma_items(text)
    except JsonLayoutError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        raise RmaImportFailed(f"{where}: {exc}", line=exc.line) from None
    if not items:
        raise RmaImportFailed(f"{path}: " + _("contains no RMAs"))
    first_seen: dict[str, int] = {}
    duplicates: set[str] = set()
    for index, (line, item) in enumerate(items, start=1):
        if item is TOO_DEEP:
            message = _(
                "item {index} of the list is nested more than {limit} levels deep; "
                "an RMA is never that deep"
            ).format(index=index, limit=MAX_JSON_DEPTH)
            result.errors.append(Problem(line, message))
            result.skipped += 1
            continue
        if not isinstance(item, dict):
            message = _("item {index} of the list is not an RMA object").format(index=index)
            result.errors.append(Problem(line, message))
            continue
        unknown = _unknown_json_keys(item)
        if unknown:
            names = ", ".join(f'"{clip_value(name)}"' for name in unknown)
            message = _("field(s) {names} are not used and were ignored").format(names=names)
            result.warnings.append(Problem(line, message))
        try:
            record = RmaRecord.model_validate(item)
        except ValidationError as exc:
            number = normalize_code(str(item.get("rma_number") or ""))
            result.skipped += 1
            for _loc, message in describe_errors(exc, json_label):
                if number:
                    message = _not_imported(message, number)
                else:
                    message = _("{problem} (RMA item {index} not imported)").format(
                        problem=message, index=index
                    )
                result.errors.append(Problem(line, message))
            continue
        number = record.rma_number
        if number in first_seen:
            duplicates.add(number)
            result.errors.append(
                Problem(
                    line,
                    _("RMA {rma} also appears on line {line}; neither was imported").format(
                        rma=number, line=first_seen[number]
                    ),
                )
            )
            continue
        first_seen[number] = line
        result.rmas.append(SourceRma(record, line, tuple(line for _line in record.lines)))
    if duplicates:
        result.skipped += len(duplicates)
        result.rmas = [rma for rma in result.rmas if rma.record.rma_number not in duplicates]


def _unknown_json_keys(item: dict[str, Any]) -> list[str]:
    unknown = [key for key in item if key not in RmaRecord.model_fields]
    lines = item.get("lines")
    for index, line in enumerate(lines if isinstance(lines, list) else []):
        if isinstance(line, dict):
            unknown += [
                f"lines[{index}].{key}" for key in line if key not in RmaLineRecord.model_fields
            ]
    return unknown
