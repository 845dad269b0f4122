"""RMA import from CSV/JSON: encodings, line numbers in reports, idempotent upserts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from station.audit import verify_chain
from station.db import Database
from station.models import AuditEvent, Inspection, Parcel, Rma, RmaLine, Seller, Sku
from station.services.rma_import import (
    ImportReport,
    RmaImportFailed,
    RmaLineRecord,
    RmaRecord,
    import_rmas,
)
from station.services.rma_reading import sniff_delimiter

STATION = "BENCH-T1"
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "resources" / "sample_data"

HEADER = (
    "rma_number,seller,channel,order_id,customer_ref,customer_country,reason_code,reason_text,"
    "delivered_on,return_window_days,tracking_numbers,line_no,sku,gtin,qty,unit_price,currency,"
    "serials"
)
GOOD_ROWS = [
    "rma-1001,NORDKNIT,TikTok Shop,ord 5001,CUST-1,DE,size,Too small,2024-03-01,30,"
    '1Z999AA10123456784;jd014600006281234567,1,NK-SWT-M,,1,"49,90",EUR,',
    "rma-1001,NORDKNIT,TikTok Shop,ord 5001,CUST-1,DE,size,Too small,2024-03-01,30,"
    "1Z999AA10123456784;jd014600006281234567,2,NK-SCF-01,4012345000023,2,19.50,eur,",
    "RMA-1002,VOLTEDGE,amazon,,CUST-2,GB,defect,Does not charge,2024/03/05,14,,,VE-PB-10K,,2,"
    "25.00,GBP,SN-1;SN-2",
]
GOOD_CSV = "\n".join([HEADER, *GOOD_ROWS]) + "\n"


@pytest.fixture
def catalog(db: Database) -> None:
    """Two sellers and their SKUs, as the seller set-up would have created them."""
    with db.write() as session:
        nordknit = Seller(code="NORDKNIT", name="Nordknit", default_currency="EUR")
        voltedge = Seller(code="VOLTEDGE", name="VoltEdge", default_currency="GBP")
        session.add_all([nordknit, voltedge])
        session.flush()
        session.add_all(
            [
                Sku(
                    seller_id=nordknit.id,
                    code="NK-SWT-M",
                    gtin="4012345000016",
                    title="Merino sweater M",
                    category="knitwear",
                ),
                Sku(
                    seller_id=nordknit.id,
                    code="NK-SCF-01",
                    gtin="4012345000023",
                    title="Scarf",
                    category="knitwear",
                ),
                Sku(
                    seller_id=voltedge.id,
                    code="VE-PB-10K",
                    gtin="4012345000030",
                    title="Power bank 10k",
                    category="electronics",
                ),
            ]
        )


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(db: Database, number: str) -> Rma | None:
    with db.read() as session:
        return session.scalar(
            select(Rma)
            .where(Rma.number == number)
            .options(selectinload(Rma.lines), selectinload(Rma.tracking_numbers))
        )


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def lines_of(report: ImportReport) -> list[int]:
    return [error.line for error in report.errors]


# --- good files -----------------------------------------------------------------------------


@pytest.mark.usefixtures("catalog")
def test_good_utf8_csv_is_imported_normalised(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "rmas.csv", GOOD_CSV)
    report = import_rmas(db, path, station_id=STATION)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged, report.skipped) == (2, 0, 0, 0)
    assert report.encoding == "utf-8"
    rma = load(db, "RMA-1001")
    assert rma is not None
    assert rma.channel == "tiktok_shop"
    assert rma.external_order_id == "ORD5001"
    assert rma.customer_country == "DE"
    assert rma.reason_code == "size"
    assert rma.delivered_on.isoformat() == "2024-03-01"
    assert rma.return_window_days == 30
    assert sorted(t.tracking_number for t in rma.tracking_numbers) == [
        "1Z999AA10123456784",
        "JD014600006281234567",
    ]
    first, second = rma.lines
    assert (first.line_no, first.sku_code, first.qty_expected) == (1, "NK-SWT-M", 1)
    assert first.sku_id is not None
    assert first.gtin == "4012345000016"  # filled from the catalogue
    assert first.unit_price == Decimal("49.90")  # decimal comma
    assert (second.gtin, second.qty_expected, second.currency) == ("4012345000023", 2, "EUR")
    other = load(db, "RMA-1002")
    assert other is not None
    assert other.delivered_on.isoformat() == "2024-03-05"  # YYYY/MM/DD accepted
    assert other.lines[0].line_no == 1
    assert other.lines[0].serials == ["SN-1", "SN-2"]
    with db.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions == ["rma.imported", "rma.imported"]
        assert verify_chain(session).ok


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings_are_detected(db: Database, tmp_path: Path, encoding: str) -> None:
    text = GOOD_CSV.replace("Too small", '"Trop petit, désolé"')
    report = import_rmas(db, write(tmp_path, "rmas.csv", text, encoding), station_id=STATION)
    assert report.errors == []
    assert report.encoding == encoding
    assert report.created == 2
    rma = load(db, "RMA-1001")
    assert rma is not None and rma.reason_text == "Trop petit, désolé"


@pytest.mark.usefixtures("catalog")
def test_excel_unicode_text_is_utf16_and_tab_delimited(db: Database, tmp_path: Path) -> None:
    rows = [HEADER.replace(",", "\t")]
    rows.append(
        "RMA-1101\tNORDKNIT\tshopify\t\t\tFR\tcolour\tLa couleur ne va pas\t2024-04-02\t30\t"
        "\t\tNK-SWT-M\t\t1\t59,00\tEUR\t"
    )
    path = write(tmp_path, "export.txt", "\r\n".join(rows) + "\r\n", "utf-16")
    report = import_rmas(db, path, station_id=STATION)
    assert report.errors == []
    assert (report.encoding, report.created) == ("utf-16", 1)
    rma = load(db, "RMA-1101")
    assert rma is not None and rma.lines[0].unit_price == Decimal("59.00")


@pytest.mark.usefixtures("catalog")
def test_gb18030_chinese_reason_texts_round_trip(db: Database, tmp_path: Path) -> None:
    texts = ["尺码偏小，要换大一号", "颜色与图片不符（偏深）", "不想要了𠀀"]
    rows = [HEADER]
    for index, text in enumerate(texts, start=1):
        rows.append(
            f"CN-{index},NORDKNIT,tiktok_shop,,买家{index},CN,other,{text},2024-05-0{index},7,"
            f"SF14{index}0000000,,NK-SWT-M,,1,199.00,CNY,"
        )
    path = write(tmp_path, "rmas-cn.csv", "\r\n".join(rows) + "\r\n", "gb18030")
    report = import_rmas(db, path, station_id=STATION)
    assert report.errors == []
    assert (report.encoding, report.created) == ("gb18030", 3)
    for index, text in enumerate(texts, start=1):
        rma = load(db, f"CN-{index}")
        assert rma is not None
        assert rma.reason_text == text
        assert rma.customer_ref == f"买家{index}"


@pytest.mark.usefixtures("catalog")
def test_semicolon_delimited_european_excel(db: Database, tmp_path: Path) -> None:
    text = (
        "RMA Number;Seller;Channel;Country;Reason;Delivered On;Tracking Numbers;SKU;Quantity;"
        "Price;Currency\r\n"
        'RMA-1201;nordknit;Shopify;NL;Changed mind;2024-06-01;"3SABC1234567|3SABC7654321";'
        "NK-SCF-01;1;1.234,50;EUR\r\n"
    )
    path = write(tmp_path, "rmas.csv", text, "cp1252")
    report = import_rmas(db, path, station_id=STATION)
    assert report.errors == []
    assert report.created == 1
    rma = load(db, "RMA-1201")
    assert rma is not None
    assert rma.reason_code == "changed_mind"
    assert rma.lines[0].unit_price == Decimal("1234.50")
    assert len(rma.tracking_numbers) == 2


@pytest.mark.usefixtures("catalog")
def test_excel_sep_line_and_blank_lines_before_header(db: Database, tmp_path: Path) -> None:
    text = "sep=;\r\n\r\nRMA;Seller;Channel;SKU;Qty\r\nRMA-1301;NORDKNIT;amazon;NK-SWT-M;x\r\n"
    report = import_rmas(db, write(tmp_path, "rmas.csv", text), station_id=STATION)
    assert [str(error) for error in report.errors] == [
        f'{tmp_path / "rmas.csv"}:4: column "Qty": "x" is not a whole number '
        "(RMA RMA-1301 not imported)"
    ]


def test_delimiter_sniffing() -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a,b;c,d") == ","
    assert sniff_delimiter("rma_number") == ","


@pytest.mark.usefixtures("catalog")
def test_encoding_override_beats_detection(db: Database, tmp_path: Path) -> None:
    # "Müller" in cp1252 also happens to be valid GB18030, so detection picks GB18030.
    csv_text = "\n".join([HEADER, GOOD_ROWS[2].replace("CUST-2", "Müller")]) + "\n"
    path = write(tmp_path, "rmas.csv", csv_text, "cp1252")
    detected = import_rmas(db, path, station_id=STATION)
    assert detected.encoding == "gb18030"
    report = import_rmas(db, path, station_id=STATION, encoding="cp1252")
    assert (report.encoding, report.updated) == ("cp1252", 1)
    rma = load(db, "RMA-1002")
    assert rma is not None and rma.customer_ref == "Müller"


JSON_RMAS = [
    {
        "rma_number": "js-1",
        "seller": "NORDKNIT",
        "channel": "ebay",
        "order_id": "12-34567-89012",
        "customer_country": "AT",
        "reason_code": "not_as_described",
        "reason_text": "Farbe anders als auf dem Foto",
        "delivered_on": "2024-02-10",
        "return_window_days": 30,
        "tracking_numbers": ["00340434161234567890"],
        "lines": [
            {"sku": "NK-SWT-M", "qty": 1, "unit_price": 59.9, "currency": "EUR"},
            {"sku": "NK-SCF-01", "gtin": "4012345000023", "qty": 1, "unit_price": "19,90"},
        ],
    },
    {
        "rma_number": "JS-2",
        "seller": "VOLTEDGE",
        "channel": "Amazon",
        "lines": [{"sku": "VE-PB-10K", "serials": ["PB-0001"]}],
    },
]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("shape", ["list", "envelope"])
def test_good_json_both_shapes(db: Database, tmp_path: Path, shape: str) -> None:
    document = JSON_RMAS if shape == "list" else {"exported_at": "2024-06-01", "rmas": JSON_RMAS}
    path = write(tmp_path, "rmas.json", json.dumps(document, ensure_ascii=False, indent=2))
    report = import_rmas(db, path, station_id=STATION)
    assert report.errors == []
    assert report.format == "json"
    assert report.created == 2
    rma = load(db, "JS-1")
    assert rma is not None
    assert rma.external_order_id == "12-34567-89012"
    assert [line.unit_price for line in rma.lines] == [Decimal("59.90"), Decimal("19.90")]
    other = load(db, "JS-2")
    assert other is not None and other.lines[0].serials == ["PB-0001"]


@pytest.mark.usefixtures("catalog")
def test_json_is_sniffed_without_extension(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "download", "\n  " + json.dumps(JSON_RMAS))
    report = import_rmas(db, path, station_id=STATION)
    assert (report.format, report.created) == ("json", 2)


@pytest.mark.usefixtures("catalog")
def test_upstream_line_ids_are_kept_and_an_added_one_updates_the_line(
    db: Database, tmp_path: Path
) -> None:
    document = json.loads(json.dumps(JSON_RMAS))
    document[0]["lines"][0]["external_id"] = "gid://shopify/ReturnLineItem/11"
    import_rmas(db, write(tmp_path, "a.json", json.dumps(document)), station_id=STATION)
    rma = load(db, "JS-1")
    assert rma is not None
    assert [line.external_id for line in rma.lines] == ["gid://shopify/ReturnLineItem/11", None]

    document[0]["lines"][1]["external_id"] = "gid://shopify/ReturnLineItem/12"
    report = import_rmas(db, write(tmp_path, "b.json", json.dumps(document)), station_id=STATION)
    assert (report.updated, report.unchanged) == (1, 1)
    again = load(db, "JS-1")
    assert again is not None
    assert [line.external_id for line in again.lines] == [
        "gid://shopify/ReturnLineItem/11", "gid://shopify/ReturnLineItem/12",
    ]  # fmt: skip
    assert [line.id for line in again.lines] == [line.id for line in rma.lines]


# --- bad and mixed files -------------------------------------------------------------------


@pytest.mark.usefixtures("catalog")
def test_mixed_csv_keeps_good_rmas_and_reports_bad_rows(db: Database, tmp_path: Path) -> None:
    def row(number: str, **changes: str) -> str:
        values = {
            "rma_number": number,
            "seller": "NORDKNIT",
            "channel": "amazon",
            "delivered_on": "2024-03-01",
            "sku": "NK-SWT-M",
            "gtin": "",
            "qty": "1",
        }
        values.update(changes)
        return ",".join(values.values())

    text = "\n".join(
        [
            "rma_number,seller,channel,delivered_on,sku,gtin,qty",  # 1
            row("RMA-2001"),  # 2 good
            row("RMA-2002", qty="two"),  # 3 bad qty
            row("RMA-2002", sku="NK-SCF-01"),  # 4 good row of a bad RMA
            row("RMA-2003", channel="walmart"),  # 5 bad channel
            row("RMA-2004", gtin="4012345000017"),  # 6 bad check digit
            row("RMA-2005"),  # 7
            row("RMA-2005", channel="ebay", sku="NK-SCF-01"),  # 8 disagrees with line 7
            row(""),  # 9 no RMA number
            row("RMA-2006", seller="NOSUCH"),  # 10 unknown seller
            row("RMA-2007", seller="VOLTEDGE", sku="VE-PB-10K"),  # 11 good
            row("RMA-2008", delivered_on="03/05/2024"),  # 12 bad date
        ]
    )
    path = write(tmp_path, "mixed.csv", text + "\n")
    report = import_rmas(db, path, station_id=STATION)

    assert lines_of(report) == [3, 5, 6, 8, 9, 10, 12]
    messages = {error.line: str(error) for error in report.errors}
    assert messages[3] == (
        f'{path}:3: column "qty": "two" is not a whole number (RMA RMA-2002 not imported)'
    )
    assert '"walmart" is not one of: amazon, shopify, ebay, tiktok_shop, other' in messages[5]
    assert "wrong check digit" in messages[6]
    assert 'column "channel" is "ebay" here but "amazon" on line 7' in messages[8]
    assert "RMA-2005 not imported" in messages[8]
    assert 'column "rma_number" is empty' in messages[9]
    assert 'seller "NOSUCH" is not set up' in messages[10]
    assert "YYYY-MM-DD" in messages[12]
    assert (report.created, report.skipped) == (2, 6)
    assert load(db, "RMA-2001") is not None
    assert load(db, "RMA-2007") is not None
    for number in ["RMA-2002", "RMA-2003", "RMA-2004", "RMA-2005", "RMA-2006", "RMA-2008"]:
        assert load(db, number) is None
    assert count(db, RmaLine) == 2


@pytest.mark.usefixtures("catalog")
def test_multiline_quoted_cells_keep_physical_line_numbers(db: Database, tmp_path: Path) -> None:
    text = (
        "rma_number,seller,channel,reason_text,sku,qty\r\n"  # 1
        'RMA-3001,NORDKNIT,amazon,"Line one\nline two",NK-SWT-M,1\r\n'  # 2-3
        "RMA-3002,NORDKNIT,amazon,short,NK-SWT-M,0\r\n"  # 4
        'RMA-3003,NORDKNIT,amazon,"a\nb\nc",NK-SWT-M,x\r\n'  # 5-7
        "\r\n"  # 8 blank
        "RMA-3004,NORDKNIT,amazon,ok,NK-SWT-M,1\r\n"  # 9
        "RMA-3005,NORDKNIT,amazon,ok,NK-SWT-M,1,extra\r\n"  # 10
    )
    path = write(tmp_path, "multi.csv", text)
    report = import_rmas(db, path, station_id=STATION)
    assert lines_of(report) == [4, 5, 10]
    assert "too small; it must be 1 or more" in report.errors[0].message
    assert "must be in double quotes" in report.errors[2].message
    assert report.created == 2
    rma = load(db, "RMA-3001")
    assert rma is not None and rma.reason_text == "Line one\nline two"


@pytest.mark.usefixtures("catalog")
def test_a_row_with_too_many_values_skips_its_whole_rma(db: Database, tmp_path: Path) -> None:
    """Its other row is good, but a return with a missing line would be received wrongly."""
    text = (
        "rma_number,seller,channel,sku,qty\n"  # 1
        "RMA-3201,NORDKNIT,amazon,NK-SWT-M,1\n"  # 2
        "RMA-3202,NORDKNIT,amazon,NK-SWT-M,1\n"  # 3 good row of a bad RMA
        "RMA-3202,NORDKNIT,amazon,NK-SCF-01,1,49,90\n"  # 4 unquoted decimal comma
    )
    path = write(tmp_path, "wide.csv", text)
    report = import_rmas(db, path, station_id=STATION)
    assert [str(error) for error in report.errors] == [
        f"{path}:4: row has 7 values but the header has 5 columns; a value containing "
        '"," must be in double quotes (RMA RMA-3202 not imported)'
    ]
    assert (report.created, report.skipped) == (1, 1)
    assert load(db, "RMA-3202") is None


@pytest.mark.usefixtures("catalog")
def test_unclosed_quote_is_reported_at_its_row(db: Database, tmp_path: Path) -> None:
    text = (
        "rma_number,seller,channel,reason_text,sku\n"
        "RMA-3101,NORDKNIT,amazon,fine,NK-SWT-M\n"
        'RMA-3102,NORDKNIT,amazon,"never closed,NK-SWT-M\n'
        "RMA-3103,NORDKNIT,amazon,lost,NK-SWT-M\n"
    )
    report = import_rmas(db, write(tmp_path, "q.csv", text), station_id=STATION)
    assert lines_of(report) == [3]
    assert "never closed" in report.errors[0].message
    assert report.created == 1


@pytest.mark.usefixtures("catalog")
def test_bad_json_objects_are_reported_at_their_start_line(db: Database, tmp_path: Path) -> None:
    text = """[
  {"rma_number": "J-1", "seller": "NORDKNIT", "channel": "amazon",
   "lines": [{"sku": "NK-SWT-M"}]},
  {
    "rma_number": "J-2", "seller": "NORDKNIT", "channel": "amazon",
    "lines": [{"sku": "NK-SWT-M"}, {"sku": "NK-SCF-01", "qty": "many"}]
  },
  {"rma_number": "J-3", "seller": "NORDKNIT", "channel": "amazon", "lines": []},
  "not an object",
  {"rma_number": "j-1", "seller": "NORDKNIT", "channel": "amazon",
   "lines": [{"sku": "NK-SWT-M", "colour": "red"}]},
  {"rma_number": "J-4", "seller": "VOLTEDGE", "channel": "shopify",
   "lines": [{"sku": "VE-PB-10K"}]}
]
"""
    path = write(tmp_path, "bad.json", text)
    report = import_rmas(db, path, station_id=STATION)
    assert lines_of(report) == [4, 8, 9, 10]
    assert str(report.errors[0]) == (
        f'{path}:4: field "lines[1].qty": "many" is not a whole number (RMA J-2 not imported)'
    )
    assert "needs at least one line" in report.errors[1].message
    assert "not an RMA object" in report.errors[2].message
    assert "also appears on line 2" in report.errors[3].message
    assert [str(w) for w in report.warnings] == [
        f'{path}:10: field(s) "lines[0].colour" are not used and were ignored'
    ]
    assert report.created == 1
    assert load(db, "J-4") is not None
    assert load(db, "J-1") is None  # ambiguous: the same RMA twice


@pytest.mark.usefixtures("catalog")
def test_malformed_json_is_one_error_at_decoder_position(db: Database, tmp_path: Path) -> None:
    text = '[\n  {"rma_number": "J-1",\n   "seller" "NORDKNIT"}\n]\n'
    with pytest.raises(RmaImportFailed) as failure:
        import_rmas(db, write(tmp_path, "broken.json", text), station_id=STATION)
    assert failure.value.line == 3
    assert ":3:13: not valid JSON" in str(failure.value)
    assert count(db, Rma) == 0


class _MarkingCatalogue(dict[str, str]):
    """A "language" that wraps every catalogue lookup in << >>, showing what went through it."""

    def get(self, message: str, default: object = None) -> str:
        return "<<" + message + ">>"


@pytest.mark.usefixtures("catalog")
def test_problems_are_translated_through_the_catalogue(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("station.i18n._messages", _MarkingCatalogue())
    text = (
        "rma_number,seller,channel,sku,qty,colour\n"
        "RMA-5001,NORDKNIT,amazon,NK-SWT-M,two,red\n"
        "RMA-5002,NOSUCH,amazon,NK-SWT-M,1,red\n"
    )
    path = write(tmp_path, "rmas.csv", text)
    report = import_rmas(db, path, station_id=STATION)

    # The sentence, the column label and the "not imported" wrapper are each looked up, and
    # the data (column name, value, RMA number) is filled in after translation.
    assert [str(error) for error in report.errors] == [
        f'{path}:2: <<<<<<column "qty">>: "two" is not a whole number>> '
        "(RMA RMA-5001 not imported)>>",
        f'{path}:3: <<seller "NOSUCH" is not set up on this station; known sellers are '
        "NORDKNIT, VOLTEDGE (RMA RMA-5002 not imported)>>",
    ]
    assert [str(warning) for warning in report.warnings] == [
        f'{path}:1: <<column(s) "colour" are not used and were ignored>>'
    ]
    broken = write(tmp_path, "broken.json", '[{"rma_number": "J-1"} {}]')
    with pytest.raises(RmaImportFailed) as failure:
        import_rmas(db, broken, station_id=STATION)
    assert (
        str(failure.value)
        == f"{broken}:1:24: <<not valid JSON: expected ',' or ']', found \"{{\">>"
    )


# --- idempotency and updates ---------------------------------------------------------------


@pytest.mark.usefixtures("catalog")
def test_importing_twice_creates_no_duplicates(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "rmas.csv", GOOD_CSV)
    import_rmas(db, path, station_id=STATION)
    again = import_rmas(db, path, station_id=STATION)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(db, Rma) == 2
    assert count(db, RmaLine) == 3
    assert count(db, AuditEvent) == 2


@pytest.mark.usefixtures("catalog")
def test_changed_file_updates_in_place(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "rmas.csv", GOOD_CSV)
    import_rmas(db, path, station_id=STATION)
    before = load(db, "RMA-1001")
    assert before is not None
    changed = "\n".join(
        [
            HEADER,
            GOOD_ROWS[0].replace(";jd014600006281234567", "").replace(',1,"49', ',3,"49'),
            GOOD_ROWS[2],
        ]
    )
    report = import_rmas(db, write(tmp_path, "rmas-v2.csv", changed), station_id=STATION)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    after = load(db, "RMA-1001")
    assert after is not None
    assert after.id == before.id
    assert [(line.line_no, line.qty_expected) for line in after.lines] == [(1, 3)]
    assert after.lines[0].id == before.lines[0].id  # line kept, only changed
    assert [t.tracking_number for t in after.tracking_numbers] == ["1Z999AA10123456784"]
    with db.read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "rma.updated"))
        assert event is not None and event.entity_id == str(after.id)
        assert event.before is not None and len(event.before["lines"]) == 2
        assert event.after is not None and event.after["source"] == "rmas-v2.csv:2"


@pytest.mark.usefixtures("catalog")
def test_change_after_inspection_is_a_conflict(db: Database, tmp_path: Path) -> None:
    import_rmas(db, write(tmp_path, "rmas.csv", GOOD_CSV), station_id=STATION)
    with db.write() as session:
        rma = session.scalar(select(Rma).where(Rma.number == "RMA-1001"))
        assert rma is not None
        parcel = Parcel(station_id=STATION, scanned_code="1Z999AA10123456784", rma_id=rma.id)
        session.add(parcel)
        session.flush()
        session.add(
            Inspection(
                parcel_id=parcel.id,
                rma_line_id=rma.lines[0].id,
                station_id=STATION,
                standard_id="general",
                standard_version="1",
                standard_hash="0" * 64,
            )
        )
    changed = GOOD_CSV.replace("Too small", "Too big")
    path = write(tmp_path, "rmas-v2.csv", changed)
    report = import_rmas(db, path, station_id=STATION)
    assert [str(error) for error in report.errors] == [
        f"{path}:2: RMA RMA-1001 already has inspections; not changed"
    ]
    assert (report.updated, report.unchanged, report.conflicts, report.skipped) == (0, 1, 1, 1)
    rma = load(db, "RMA-1001")
    assert rma is not None and rma.reason_text == "Too small"
    assert report.to_json()["errors"] == [str(report.errors[0])]


@pytest.mark.usefixtures("catalog")
def test_same_number_for_another_seller_is_a_conflict(db: Database, tmp_path: Path) -> None:
    import_rmas(db, write(tmp_path, "a.csv", GOOD_CSV), station_id=STATION)
    text = "rma_number,seller,channel,sku\nRMA-1002,NORDKNIT,amazon,NK-SWT-M\n"
    report = import_rmas(db, write(tmp_path, "b.csv", text), station_id=STATION)
    assert [error.message for error in report.errors] == [
        "RMA RMA-1002 already exists for seller VOLTEDGE; not changed"
    ]
    rma = load(db, "RMA-1002")
    assert rma is not None and rma.lines[0].sku_code == "VE-PB-10K"


@pytest.mark.usefixtures("catalog")
def test_small_batches_import_everything(db: Database, tmp_path: Path) -> None:
    rows = [HEADER] + [
        f"B-{n},NORDKNIT,amazon,,,,,,,,,{line},NK-SWT-M,,1,,," for n in range(7) for line in (1, 2)
    ]
    path = write(tmp_path, "batch.csv", "\n".join(rows))
    report = import_rmas(db, path, station_id=STATION, batch_size=3)
    assert report.created == 7
    assert count(db, RmaLine) == 14
    with db.read() as session:
        assert verify_chain(session).ok


@pytest.mark.usefixtures("catalog")
def test_unknown_sku_is_a_warning_and_the_line_is_kept(db: Database, tmp_path: Path) -> None:
    text = "rma_number,seller,channel,sku,colour\nRMA-4001,NORDKNIT,amazon,NK-NEW-1,red\n"
    path = write(tmp_path, "rmas.csv", text)
    report = import_rmas(db, path, station_id=STATION)
    assert report.errors == []
    assert [w.line for w in report.warnings] == [1, 2]
    assert '"colour"' in report.warnings[0].message
    rma = load(db, "RMA-4001")
    assert rma is not None and rma.lines[0].sku_id is None


# --- file-level failures -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "file is empty"),
        ("blank.csv", b"\xef\xbb\xbf  \r\n\r\n", "file is empty"),
        ("header.csv", (HEADER + "\r\n").encode(), "header row but no data rows"),
        ("nocol.csv", b"order_id,sku\n1,A\n", "no rma_number column"),
        ("noseller.csv", b"rma,channel,sku\nR1,amazon,A\n", "missing: seller"),
        ("book.xlsx", b"PK\x03\x04rest-of-zip", "Excel workbook"),
        ("empty.json", b"[]", "contains no RMAs"),
        ("other.json", b'{"items": []}', 'object with an "rmas" list'),
    ],
)
def test_file_level_failures(
    db: Database, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RmaImportFailed, match=expected):
        import_rmas(db, path, station_id=STATION)


def test_missing_file_and_directory(db: Database, tmp_path: Path) -> None:
    with pytest.raises(RmaImportFailed, match="file not found"):
        import_rmas(db, tmp_path / "nope.csv", station_id=STATION)
    with pytest.raises(RmaImportFailed, match="is a folder"):
        import_rmas(db, tmp_path, station_id=STATION)


def test_bad_encoding_override(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "rmas.csv", GOOD_CSV.replace("Too small", "尺码"), "gb18030")
    with pytest.raises(RmaImportFailed, match="not valid utf-8"):
        import_rmas(db, path, station_id=STATION, encoding="utf-8")
    with pytest.raises(RmaImportFailed, match="unknown encoding"):
        import_rmas(db, path, station_id=STATION, encoding="klingon")


# --- the documented models and the sample files ---------------------------------------------


def test_records_are_the_documented_format() -> None:
    record = RmaRecord.model_validate(
        {
            "rma_number": " rma 77 ",
            "seller": "NORDKNIT",
            "channel": "TikTok Shop",
            "tracking_numbers": "a1;A1|b2",
            "lines": [{"sku": "X", "qty": "2", "serials": "S1;S2"}],
        }
    )
    assert record.rma_number == "RMA77"
    assert record.channel == "tiktok_shop"
    assert record.tracking_numbers == ("A1", "B2")
    assert record.lines[0] == RmaLineRecord(sku="X", qty=2, serials=("S1", "S2"))
    assert record.numbered_lines()[0][0] == 1


@pytest.fixture
def demo(db: Database) -> None:
    """The demo sellers and SKUs the sample files are written for."""
    from station.services.demo import seed_demo

    seed_demo(db, rma_count=5)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("rmas-sample.csv", "utf-8-sig"),
        ("rmas-sample-gb18030.csv", "gb18030"),
        ("rmas-sample.json", "utf-8"),
    ],
)
def test_sample_files_import_cleanly(db: Database, name: str, encoding: str) -> None:
    report = import_rmas(db, SAMPLE_DIR / name, station_id=STATION)
    assert report.errors == []
    assert report.warnings == []  # SKU codes and GTINs match the demo catalogue
    assert report.encoding == encoding
    assert report.created > 0
    again = import_rmas(db, SAMPLE_DIR / name, station_id=STATION)
    assert again.unchanged == report.created
