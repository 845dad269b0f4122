"""The seller report in words a seller can read, in every language: never the station's codes.

Inspections are built through the real bench services and read back from the PDF with pypdf.
Every expected phrase is written out here by hand (from the standard's texts and what a seller
should read), so a wrong or missing translation, or a code printed raw, fails the test.
"""

from __future__ import annotations

import io
import re
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from inspection_rules import StandardRegistry
from station.db import Database
from station.models import Rma, RmaLine, Seller, Sku, Verdict
from station.photos import PhotoStore
from station.services import inspections as svc
from station.services.common import Actor
from station.services.receiving import open_inspection, receive_parcel
from station.services.reports import (
    inspection_report_data,
    inspection_report_pdf,
    report_data_hash,
)
from tests.factories import UPS, make_catalog, make_rma, make_user
from tests.labels.test_report_inspection import ANSWERS, _jpeg

CUSTOMER_WORDS = "Listing says 100% wool, label says wool blend"
# Codes of our enums, reasons and audit steps that a report printed before this change showed.
CODES = (
    "SIZE_OFF_SPEC", "MINOR_THREAD_OR_PILLING", "DEFECT_LOOSE_THREAD", "LOOSE_THREAD",
    "not_as_described", "return_to_seller", "restock_as_graded", "manufacturing_defect",
    "defect_closeup", "shopify", "verdict.recorded", "fact.recorded",
    "measurement.recorded", "defect.recorded", "photo.recorded", "weight.recorded",
    "parcel.received", "inspection.opened", "(BUTTON)", "(LOOSE_THREAD)",
)  # fmt: skip


@pytest.fixture
def registry(shipped_standards) -> StandardRegistry:
    return StandardRegistry(shipped_standards.values())


@pytest.fixture
def photos(data_dir: Path) -> PhotoStore:
    return PhotoStore(data_dir / "photos")


def inspect(
    db: Database,
    registry: StandardRegistry,
    photos: PhotoStore,
    *,
    chest: float = 48.0,
    reason_text: str | None = CUSTOMER_WORDS,
    actor: Actor | None = None,
) -> uuid.UUID:
    """A knitwear return "not as described": chest 48 cm (spec 52) is off-spec, grade C, return
    to seller; at 52 cm the loose thread alone gives grade B, restock as graded."""
    make_catalog(db)
    with db.write() as session:
        session.execute(
            update(Sku)
            .where(Sku.code == "SW-MERINO-M")
            .values(spec={"size": "M", "measurements": {"chest_width_cm": 52}})
        )
    make_rma(db, "RMA-1", tracking=UPS, order_id="SO-5512", reason="not_as_described")
    with db.write() as session:
        session.execute(update(Rma).values(reason_text=reason_text))
    actor = actor or make_user(db, "grader", "mei")
    parcel = receive_parcel(db, actor, UPS, "RMA-1")
    with db.read() as session:
        line_id = session.scalar(select(RmaLine.id))
    inspection = open_inspection(db, actor, registry, parcel.id, line_id)
    for code, value in {**ANSWERS, "wear": "tried_on"}.items():
        svc.record_answer(db, actor, registry, inspection.id, code, value)
    svc.record_measurement(db, actor, inspection.id, "chest_width", chest, "cm")
    svc.record_defect(db, actor, registry, inspection.id, "LOOSE_THREAD", zone="B", note="cuff")
    svc.record_weight(db, actor, inspection.id, 425.0, stable=True, device="sim")
    for index, role in enumerate(["front", "defect_closeup"]):
        svc.record_photo(db, actor, photos, inspection.id, role, data=_jpeg(index))
    svc.finalize_inspection(db, actor, registry, inspection.id)
    return inspection.id


def text_of(pdf: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces as single spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def contains(text: str, words: str, language: str) -> bool:
    """Chinese wraps anywhere, so a line break inside a phrase comes back as a space."""
    if language == "zh-CN":
        return words.replace(" ", "") in text.replace(" ", "")
    return words in text


def codes_in(text: str, registry: StandardRegistry) -> list[str]:
    """Every code found as a whole token: ours above, and the standard's check ids and answer
    codes (the ones with an underscore, which no word of a text has)."""
    spec = registry.by_id("nordknit-knitwear").spec  # type: ignore[union-attr]
    check_ids = {item.code for item in spec.checklist}
    check_ids |= {choice.code for item in spec.checklist for choice in item.choices}
    candidates = set(CODES) | {code for code in check_ids if "_" in code}
    return sorted(
        code for code in candidates if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
    )


WORDS_C = {
    "en": (
        "Return to seller", "Manufacturing defect", "Not as described",
        f"In the customer's words: “{CUSTOMER_WORDS}”", "Shopify", "Knitwear",
        "Chest width, flat (1 cm below the armholes): outside the allowed deviation",
        "Defect: Loose or untrimmed thread end", "Close-up photo of the damage",
        "Verdict recorded: grade C, return to seller",
        "Answer recorded: Signs of wear: Tried on: unfolded or creased, no wear",
    ),
    "zh-CN": (
        "退回卖家", "生产质量问题", "与描述不符", f"客户原话：“{CUSTOMER_WORDS}”", "针织服装",
        "胸宽（平铺，袖窿下 1 厘米处）：超出允许偏差", "瑕疵：线头（未剪净或松脱）",
        "记录检验结论：C 级，退回卖家", "记录回答：穿着痕迹：试穿过：已展开或有褶皱，无磨损",
    ),
    "es": (
        "Devolver al vendedor", "Defecto de fabricación", "No es como se describe",
        f"En palabras del cliente: «{CUSTOMER_WORDS}»", "Prendas de punto",
        "Ancho de pecho, en plano (1 cm bajo la sisa): fuera de la desviación permitida",
        "Defecto: Hilo suelto o sin cortar", "Veredicto registrado: grado C, devolver al vendedor",
        "Respuesta registrada: Señales de uso: Probado: desdoblado o arrugado, sin desgaste",
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-CN", "es"])
def test_off_spec_return_reads_in_words_never_codes(db, registry, photos, language):
    inspection_id = inspect(db, registry, photos)
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, language=language))
    assert codes_in(text, registry) == []
    for words in WORDS_C[language]:
        assert contains(text, words, language), words


WORDS_B = {
    "en": ("Restock as graded", "Verdict recorded: grade B, restock as graded",
           "B – like new: re-fold, trim or de-pill, resell"),
    "zh-CN": ("按等级重新上架", "记录检验结论：B 级，按等级重新上架",
              "B – 近新：重新折叠、修剪线头或去球后再售"),
    "es": ("Reponer según grado", "Veredicto registrado: grado B, reponer según grado",
           "B – casi nuevo: doblar, recortar o quitar bolitas y revender"),
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-CN", "es"])
def test_restock_as_graded_reads_in_words(db, registry, photos, language):
    inspection_id = inspect(db, registry, photos, chest=52.0)
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, language=language))
    assert codes_in(text, registry) == []
    for words in WORDS_B[language]:
        assert contains(text, words, language), words


def _revise(db: Database, inspection_id: uuid.UUID, grade: str, disposition: str) -> None:
    """A later revision with this grade and disposition (as a supervisor's ruling records)."""
    with db.write() as session:
        first = session.scalar(select(Verdict).where(Verdict.inspection_id == inspection_id))
        assert first is not None
        session.add(
            Verdict(
                inspection_id=inspection_id, revision=2, supersedes_id=first.id, grade=grade,
                disposition=disposition, refund_kind="full", refund_percent=Decimal(100),
                refund_amount=None, currency="EUR", responsibility="customer",
                reason_codes=["SUPERVISOR_REGRADE"], warnings=[], trace=[],
                standard_hash=first.standard_hash,
            )
        )  # fmt: skip


# (grade, disposition, the standard's grade label that must show, words that must not show)
AGREEMENT = [
    ("A", "restock", "A – as new, resell as new", ()),
    ("A", "quarantine", None, ("resell", "as new")),
    ("A", "dispose", None, ("resell", "as new")),
    ("B", "restock_as_graded", "B – like new: re-fold, trim or de-pill, resell", ()),
    ("B", "dispose", None, ("resell", "like new")),
    ("C", "return_to_seller", None, ("sell as second",)),
    ("D", "dispose", None, ("repair or clean first",)),
    ("X", "return_to_seller", None, ("unsellable",)),
]
DISPOSITION_WORDS = {
    "restock": "Restock as new", "quarantine": "Quarantine", "dispose": "Dispose",
    "restock_as_graded": "Restock as graded", "return_to_seller": "Return to seller",
}  # fmt: skip


@pytest.mark.parametrize(("grade", "disposition", "label", "never"), AGREEMENT)
def test_grade_text_agrees_with_the_disposition(
    db, registry, photos, grade, disposition, label, never
):
    inspection_id = inspect(db, registry, photos)
    _revise(db, inspection_id, grade, disposition)
    pdf = inspection_report_pdf(db, registry, photos, inspection_id, language="en")
    first_page = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    verdict = first_page[first_page.index("Verdict") : first_page.index("Return and receipt")]
    assert DISPOSITION_WORDS[disposition] in verdict
    if label:
        assert label in verdict
    for words in never:
        assert words not in verdict, (grade, disposition, words)


def test_chinese_grade_text_agrees_with_a_quarantine(db, registry, photos):
    inspection_id = inspect(db, registry, photos)
    _revise(db, inspection_id, "A", "quarantine")
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, language="zh-CN"))
    assert "隔离待查" in text and "可按新品再售" not in text


def test_stated_reason_without_the_customers_words_is_the_category_alone(db, registry, photos):
    inspection_id = inspect(db, registry, photos, reason_text=None)
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, language="en"))
    assert "Stated return reason Not as described" in text
    assert "customer's words" not in text and "not_as_described" not in text


def test_audit_slice_reads_when_who_and_what_in_words(db, registry, photos):
    grader = make_user(db, "grader", "mei")
    inspection_id = inspect(db, registry, photos, actor=grader)
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, language="en"))
    audit = text[text.index("Audit trail") :]
    for words in (
        "Parcel received (return RMA-1)",
        "Inspection started",
        "Answer recorded: Outer parcel as received: Intact",
        "Measured: Chest width, flat (1 cm below the armholes): 48.0 cm",
        "Defect recorded: Loose or untrimmed thread end (Zone B – back, sleeves, cuffs and "
        "sides, Minor)",
        "Photo taken: Front",
        "Photo taken: Close-up photo of the damage",
        "Weighed: 425 g (stable)",
        "Verdict recorded: grade C, return to seller",
        "Each step has a fingerprint (a SHA-256 hash) computed from the step itself and from "
        "the fingerprint of the step recorded just before it",
        # 2 (parcel, start) + 8 answers + 1 measurement + 1 defect + 2 photos + 1 weight + verdict
        "Checked when this report was made: all 16 steps still match their fingerprints",
    ):
        assert words in audit, words
    assert audit.count("Mei") >= 16  # the grader's display name on every step ...
    assert str(grader.user_id) not in audit  # ... never the user's id
    assert "{" not in audit and '"item"' not in audit  # no JSON


@pytest.mark.sqlite_only
def test_an_altered_audit_row_is_named_in_the_report(db, registry, photos, database_url):
    inspection_id = inspect(db, registry, photos)
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as con:
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
        ).fetchall():
            con.execute(f"DROP TRIGGER {name}")
        seq = con.execute(
            "SELECT seq FROM audit_events WHERE action = 'weight.recorded'"
        ).fetchone()[0]
        con.execute(
            "UPDATE audit_events SET after = ? WHERE seq = ?",
            ('{"device": "sim", "grams": 399.0, "stable": true}', seq),
        )
    text = text_of(inspection_report_pdf(db, registry, photos, inspection_id, language="en"))
    assert f"WARNING: step(s) #{seq} no longer match their fingerprints" in text
    assert "still match their fingerprints" not in text


def test_verification_hash_follows_the_recorded_data(db, registry, photos):
    """Not a constant: another verdict revision or other words of the customer change it; the
    language and the station's name (presentation) do not."""
    inspection_id = inspect(db, registry, photos)
    first = report_data_hash(inspection_report_data(db, registry, inspection_id))
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    for language in ("en", "zh-CN"):
        pdf = inspection_report_pdf(db, registry, photos, inspection_id, language=language)
        assert first in text_of(pdf)
    with db.write() as session:
        session.execute(update(Rma).values(reason_text="Wool blend, not pure wool"))
    second = report_data_hash(inspection_report_data(db, registry, inspection_id))
    assert second != first
    _revise(db, inspection_id, "B", "restock_as_graded")
    third = report_data_hash(inspection_report_data(db, registry, inspection_id))
    assert third not in (first, second)
    with db.write() as session:
        session.execute(update(Seller).values(name="Nordic Knitwear Ltd"))
    assert report_data_hash(inspection_report_data(db, registry, inspection_id)) != third
