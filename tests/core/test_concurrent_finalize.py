"""Several benches on one database finalize units of the same RMA line at the same moment.

Each bench is its own ``Database`` (its own engine and connections), as separate PCs are. On
PostgreSQL their transactions really overlap; on SQLite they queue on the file lock. Either way
every acknowledged verdict must be counted on the line: a read-modify-write of the counter in
Python loses units here (it gave 2 verdicts and ``qty_received = 1`` on PostgreSQL).
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from station.db import Database
from station.models import Inspection, Rma, RmaLine, Verdict
from station.services import inspections as svc
from station.services.common import Actor, InvalidState
from station.services.receiving import open_inspection, receive_parcel
from tests.core.test_inspections import GOOD_ANSWERS, _answer_all
from tests.factories import make_rma

BENCHES = 6


def _bench(number: int) -> Actor:
    return Actor(station_id=f"BENCH-{number}", site_id="WH-TEST")


def _drafts(db, standards, units: int) -> list[uuid.UUID]:
    """One unit of the line opened and fully answered at each of ``units`` benches."""
    make_rma(db, "RMA-MANY", skus=(("SW-MERINO-M", units),))
    parcel = receive_parcel(db, _bench(0), "RMA-MANY", "rma-many")
    with db.read() as session:
        line_id = session.scalar(select(RmaLine.id))
    drafts = []
    for number in range(units):
        inspection = open_inspection(db, _bench(number), standards, parcel.id, line_id)
        _answer_all(db, _bench(number), standards, inspection.id, GOOD_ANSWERS)
        drafts.append(inspection.id)
    return drafts


def _finalize_at_once(database_url, standards, inspection_ids) -> list[object]:
    """Finalizes each id on its own bench, all released by one barrier; returns the outcomes
    (a verdict view or the exception raised)."""
    benches = [Database.open(database_url) for _ in inspection_ids]
    outcomes: list[object] = [None] * len(inspection_ids)
    start = threading.Barrier(len(inspection_ids))

    def finalize(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = svc.finalize_inspection(
                benches[index], _bench(index), standards, inspection_ids[index]
            )
        except Exception as error:  # the test reports what each bench got
            outcomes[index] = error

    threads = [threading.Thread(target=finalize, args=(i,)) for i in range(len(benches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for bench in benches:
        bench.dispose()
    return outcomes


def test_units_of_one_line_finalized_at_once_are_all_counted(db, database_url, standards, catalog):
    drafts = _drafts(db, standards, BENCHES)

    outcomes = _finalize_at_once(database_url, standards, drafts)

    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert not failures, failures
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Verdict)) == BENCHES
        assert session.scalar(select(RmaLine.qty_received)) == BENCHES
        assert session.scalar(select(Rma.status)) == "received"


def test_one_unit_finalized_at_two_benches_at_once_gets_one_verdict(
    db, database_url, standards, catalog
):
    (draft,) = _drafts(db, standards, 1)

    outcomes = _finalize_at_once(database_url, standards, [draft, draft])

    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidState), outcomes
    assert "finalized" in str(errors[0])
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Verdict)) == 1
        assert session.scalar(select(RmaLine.qty_received)) == 1
        assert session.get(Inspection, draft).status == "finalized"
