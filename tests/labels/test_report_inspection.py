"""The seller inspection report, from an inspection built through the real bench services."""

from __future__ import annotations

import argparse
import io
import re
import uuid
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from inspection_rules import StandardRegistry
from labels.locale.report import LANGUAGES, MESSAGES
from labels.report_common import missing_keys
from station.audit_export import audit_slice
from station.db import Database
from station.models import RmaLine, Seller, Sku, Verdict
from station.photos import PhotoStore
from station.services import inspections as svc
from station.services.common import Actor
from station.services.receiving import open_inspection, receive_parcel
from station.services.reports import (
    inspection_report_data,
    inspection_report_pdf,
    report_data_hash,
)
from tests.factories import UPS, make_catalog, make_rma

ANSWERS = {
    "item_matches": True,
    "parcel_condition": "intact",
    "packaging": "original",
    "tags_attached": True,
    "wear": "tried_on",
    "pilling_grade": "5",
    "colour_vs_listing": "matches",
    "odour": False,
}
CHEST_ZH = "胸宽（平铺，袖窿下 1 厘米处）"
PILLING_ZH = "起球等级（ISO 12945 目测评级）"


@pytest.fixture
def registry(shipped_standards) -> StandardRegistry:
    return StandardRegistry(shipped_standards.values())


@pytest.fixture
def photos(data_dir: Path) -> PhotoStore:
    return PhotoStore(data_dir / "photos")


def _jpeg(seed: int, width: int = 640, height: int = 480) -> bytes:
    """A photo-like JPEG: smooth gradients, shapes and mild noise (not incompressible noise)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, width, dtype=np.float32)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    plane = np.zeros((height, width), np.float32)
    base = np.stack([plane + x * 200 + y * 40, plane + y * 180 + 30, plane + (1 - x) * 150], -1)
    image = np.clip(base + rng.normal(0, 6, (height, width, 3)), 0, 255).astype(np.uint8)
    for _ in range(6):
        center = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.circle(image, center, int(rng.integers(10, width // 5)), color, -1)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return encoded.tobytes()


def build_inspection(
    db: Database,
    registry: StandardRegistry,
    photos: PhotoStore,
    *,
    photo_count: int = 2,
    photo_size: tuple[int, int] = (640, 480),
    language: str = "en",
) -> uuid.UUID:
    """A finalized knitwear inspection: answers, a failed measurement, a defect, weight, photos."""
    make_catalog(db)
    with db.write() as session:
        session.execute(
            update(Sku)
            .where(Sku.code == "SW-MERINO-M")
            .values(spec={"size": "M", "measurements": {"chest_width_cm": 52}})
        )
        session.execute(update(Seller).values(language=language, name="北欧针织 Nordic Knit"))
    make_rma(db, "RMA-1", tracking=UPS, order_id="SO-5512")
    actor = Actor(station_id="BENCH-T1")
    parcel = receive_parcel(db, actor, UPS, "RMA-1")
    with db.read() as session:
        line_id = session.scalar(select(RmaLine.id))
    inspection = open_inspection(db, actor, registry, parcel.id, line_id)
    for code, value in ANSWERS.items():
        svc.record_answer(db, actor, registry, inspection.id, code, value)
    svc.record_measurement(db, actor, inspection.id, "chest_width", 48.0, "cm")
    svc.record_defect(db, actor, registry, inspection.id, "LOOSE_THREAD", zone="B", note="cuff")
    svc.record_weight(db, actor, inspection.id, 425.0, stable=True, device="sim")
    roles = ["front", "defect_closeup", "packaging", "label"]
    for index in range(photo_count):
        svc.record_photo(
            db,
            actor,
            photos,
            inspection.id,
            roles[index % len(roles)],
            data=_jpeg(index, *photo_size),
        )
    svc.finalize_inspection(db, actor, registry, inspection.id)
    return inspection.id


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _image_count(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for name in xobjects:
            if xobjects[name].get_object()["/Subtype"] == "/Image":
                names.add(xobjects[name].get_object().indirect_reference.idnum)
    return len(names)


def test_every_language_has_every_key():
    assert missing_keys() == {}
    assert set(LANGUAGES) == {"en", "zh-CN", "es"} <= set(MESSAGES)
    for language in LANGUAGES:  # placeholders must match, or format() fails in one language
        for key, text in MESSAGES["en"].items():
            assert set(re.findall(r"{(\w+)}", MESSAGES[language][key])) == set(
                re.findall(r"{(\w+)}", text)
            ), (language, key)


def test_english_report_has_header_item_verdict_checklist_and_measurements(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos)
    data = inspection_report_data(db, registry, inspection_id)
    pdf = inspection_report_pdf(db, registry, photos, inspection_id, language="en")

    text = _text(pdf)
    assert pdf.startswith(b"%PDF")
    for expected in [
        "Seller inspection report",
        "RMA-1",
        "SO-5512",
        "Shopify",
        "DE",
        "BENCH-T1",
        "SW-MERINO-M",
        "Merino crew-neck sweater",
        data.item.gtin,
        "Chest width",
        "FAIL",
        "Loose or untrimmed thread end",
        "nordknit-knitwear",
        data.standard.version,
        "Tried on",
        "425 g",
        "420 g",
    ]:
        assert expected in text, expected
    verdict = data.current_verdict
    assert verdict is not None and verdict.grade in text
    assert verdict.standard_hash[:32] in text.replace("\n", "")
    assert "北欧针织" in text  # Chinese seller name in an English report still comes back as text
    assert [m.passed for m in data.measurements] == [False]
    assert data.measurements[0].expected == 52 and data.measurements[0].allowed_deviation
    # The unit's audit slice, each row with the start of its chain hash.
    with db.read() as session:
        trail = audit_slice(session, inspection_id=inspection_id)
    assert [e["action"] for e in trail][:2] == ["parcel.received", "inspection.opened"]
    assert trail[-1]["action"] == "verdict.recorded"
    flat = text.replace("\n", "")
    assert "Audit trail" in text and "verdict.recorded" not in text
    assert "Verdict recorded: grade C, return to seller" in flat
    for event in (trail[0], trail[-1]):
        assert f"#{event['seq']}" in flat and event["hash"][:16] in flat


def test_chinese_report_is_extractable_text(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos, language="zh-CN")
    pdf = inspection_report_pdf(db, registry, photos, inspection_id)  # seller's language

    text = _text(pdf)
    assert "卖家检验报告" in text
    assert "等级" in text  # the grade heading
    assert CHEST_ZH in text.replace("\n", "")
    assert PILLING_ZH in text.replace("\n", "")
    assert "不合格" in text  # the failed measurement
    assert "SW-MERINO-M" in text


def test_spanish_report_strings(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos)
    pdf = inspection_report_pdf(db, registry, photos, inspection_id, language="es")
    text = " ".join(_text(pdf).split())
    assert "Informe de inspección para el vendedor" in text
    assert "Ancho de pecho" in text
    assert "FUERA DE TOLERANCIA" in text
    assert "Hash de verificación" in text


def test_footer_hash_on_every_page_equals_the_data_hash(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos, photo_count=6)
    data = inspection_report_data(db, registry, inspection_id)
    digest = report_data_hash(data)
    pdf = inspection_report_pdf(db, registry, photos, inspection_id, language="zh-CN")

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert digest in page.extract_text()
    assert reader.metadata is not None and reader.metadata.subject == f"sha256:{digest}"
    # Same data, same hash, whatever the language; recomputing later gives the same value.
    assert report_data_hash(inspection_report_data(db, registry, inspection_id)) == digest


def test_photos_are_embedded_with_role_and_hash(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos, photo_count=3)
    data = inspection_report_data(db, registry, inspection_id)
    pdf = inspection_report_pdf(db, registry, photos, inspection_id, language="en")

    assert _image_count(pdf) == 3
    text = _text(pdf).replace("\n", "")
    for photo in data.photos:
        assert photo.sha256[:32] in text and photo.sha256[32:] in text
    # Roles in words (the standard's label where it has one), never the role codes.
    for words in ("Front", "Close-up photo of the damage", "Photo of the damaged parcel"):
        assert words in text, words
    assert "defect_closeup" not in text and "(front)" not in text


def test_twelve_large_photos_stay_small(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos, photo_count=12, photo_size=(2400, 1800))
    pdf = inspection_report_pdf(db, registry, photos, inspection_id)

    assert len(pdf) < 3_000_000
    reader = PdfReader(io.BytesIO(pdf))
    assert 2 <= len(reader.pages) <= 8
    assert _image_count(pdf) == 12


def test_missing_photo_file_is_reported_not_fatal(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos, photo_count=2)
    data = inspection_report_data(db, registry, inspection_id)
    photos.path_of(data.photos[0].file_path).unlink()
    text = _text(inspection_report_pdf(db, registry, photos, inspection_id, language="en"))
    assert "Photo file missing" in text


def test_revisions_are_listed_oldest_first(db, registry, photos):
    inspection_id = build_inspection(db, registry, photos)
    with db.write() as session:
        first = session.scalar(select(Verdict).where(Verdict.inspection_id == inspection_id))
        assert first is not None
        session.add(
            Verdict(
                inspection_id=inspection_id,
                revision=2,
                supersedes_id=first.id,
                grade="C",
                disposition="return_to_seller",
                refund_kind="partial",
                refund_percent=Decimal("50"),
                refund_amount=Decimal("44.95"),
                currency="EUR",
                responsibility="customer",
                reason_codes=["SUPERVISOR_REGRADE"],
                warnings=[],
                trace=[],
                standard_hash=first.standard_hash,
            )
        )
    data = inspection_report_data(db, registry, inspection_id)
    assert [v.revision for v in data.verdicts] == [1, 2]
    assert data.verdicts[1].supersedes_revision == 1

    pdf = inspection_report_pdf(db, registry, photos, inspection_id, language="en")
    text = " ".join(_text(pdf).split())
    assert "superseded by revision 2" in text
    assert "Other reason: Supervisor regrade" in text and "SUPERVISOR_REGRADE" not in text
    assert "Partial refund: 50 %" in text
    assert "Return to seller" in text


def test_cli_writes_the_report(db, registry, photos, tmp_path, capsys):
    from station.cli_report import add_report_parser, run_report

    inspection_id = build_inspection(db, registry, photos)
    parser = argparse.ArgumentParser()
    add_report_parser(
        parser.add_subparsers(dest="command"), argparse.ArgumentParser(add_help=False)
    )
    out = tmp_path / "F.pdf"
    args = parser.parse_args(
        ["report", "inspection", str(inspection_id), "--lang", "zh-CN", "--out", str(out)]
    )
    settings = argparse.Namespace(
        station_id="BENCH-T1", station_name="Bench 3", warehouse="LAX-1 Los Angeles"
    )
    context = argparse.Namespace(db=db, standards=registry, photos=photos, settings=settings)

    assert run_report(args, context, as_json=True) == 0  # type: ignore[arg-type]

    assert out.read_bytes().startswith(b"%PDF")
    assert "卖家检验报告" in _text(out.read_bytes())
    assert "Bench 3 · LAX-1 Los Angeles" in _text(out.read_bytes())  # this bench, by its name
    assert '"verification_hash"' in capsys.readouterr().out
