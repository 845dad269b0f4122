"""Labels issued through the service: spooled to a real (simulated) printer, recorded, reprinted."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from devices.printer_simulator import PrinterSimulator
from devices.printing import ZplTcpPrinter
from devices.spooler import Spooler
from labels.config import LabelsConfig
from station.models import AuditEvent, LabelPrint, Lpn, OutboxEvent
from station.services import inspections as svc
from station.services.labels import issue_labels, labels_for, reprint_label
from station.services.receiving import open_inspection, receive_parcel
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all, _open
from tests.factories import make_rma


@pytest.fixture
def printer_sim():
    simulator = PrinterSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def spooler(tmp_path, printer_sim):
    host, port = printer_sim.address.split(":")
    spool = Spooler(tmp_path / "spool", {"labels": ZplTcpPrinter("labels", host, int(port))},
                    retry_s=0.05)  # fmt: skip
    spool.start()
    yield spool
    spool.stop()


def _finalized(db, actor, standards):
    make_rma(db, "RMA-1")
    inspection = _open(db, actor, standards)
    _answer_all(db, actor, standards, inspection.id, GOOD_ANSWERS)
    return svc.finalize_inspection(db, actor, standards, inspection.id)


def test_finalized_unit_labels_reach_the_printer_and_are_recorded(
    db, actor, standards, catalog, spooler, printer_sim
):
    verdict = _finalized(db, actor, standards)
    issued = issue_labels(db, actor, standards, LabelsConfig(), spooler,
                          kinds=("lpn", "route"), inspection_id=verdict.inspection_id)  # fmt: skip
    assert [view.kind for view in issued] == ["lpn", "route"]
    assert printer_sim.wait_for_jobs(2, timeout=10)
    sent = printer_sim.jobs
    assert [hashlib.sha256(job).hexdigest() for job in sent] == [v.payload_sha256 for v in issued]
    # An LPN whose check character is "~" travels hex-escaped (^FH) in ZPL.
    assert verdict.lpn.replace("~", "_7E").encode() in sent[0] and b"^XA" in sent[0]
    with db.read() as session:
        assert session.scalar(select(Lpn.print_count)) == 1
        assert session.scalar(select(func.count()).select_from(LabelPrint)) == 2
        events = session.scalars(
            select(OutboxEvent.event_type).where(OutboxEvent.event_type == "label.printed")
        ).all()
        assert len(events) == 2
        assert session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "label.printed")
        ) == 2  # fmt: skip


def test_a_reprint_is_the_same_label(db, actor, standards, catalog, spooler, printer_sim):
    verdict = _finalized(db, actor, standards)
    [original] = issue_labels(db, actor, standards, LabelsConfig(), spooler,
                              kinds=("relabel",), inspection_id=verdict.inspection_id)  # fmt: skip
    reprint, payload = reprint_label(db, actor, standards, spooler, original.id)
    assert payload.startswith(b"^XA")
    assert reprint.payload_sha256 == original.payload_sha256
    assert reprint.reprint_of == original.id and reprint.size == original.size
    assert printer_sim.wait_for_jobs(2, timeout=10)
    assert printer_sim.jobs[0] == printer_sim.jobs[1]
    assert [v.id for v in labels_for(db, verdict.inspection_id)] == [original.id, reprint.id]
    # PDF labels (office printers, files) reprint byte for byte as well.
    [pdf] = issue_labels(db, actor, standards, LabelsConfig(format="pdf"), None,
                         kinds=("route",), inspection_id=verdict.inspection_id)  # fmt: skip
    pdf_again, pdf_bytes = reprint_label(db, actor, standards, None, pdf.id)
    assert pdf_bytes.startswith(b"%PDF") and pdf_again.payload_sha256 == pdf.payload_sha256


def test_a_blind_parcel_gets_a_receipt_label(db, actor, standards, catalog):
    parcel = receive_parcel(db, actor, "1Z999AA10123456784", tracking_number="1Z999AA10123456784")
    [receipt] = issue_labels(db, actor, standards, LabelsConfig(), None, kinds=("receipt",),
                             parcel_id=parcel.id)  # fmt: skip
    assert receipt.code.startswith("RCV") and receipt.job_id is None
    inspection = open_inspection(db, actor, standards, parcel.id)
    with pytest.raises(Exception, match="verdict"):
        issue_labels(db, actor, standards, LabelsConfig(), None, kinds=("lpn",),
                     inspection_id=inspection.id)  # fmt: skip
