"""Demo history: back-dated days of verdicts made through the real bench services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from inspection_rules import StandardRegistry
from station.audit import verify_chain
from station.db import Database
from station.models import Inspection, Lpn, OutboxEvent, Parcel, Photo, Verdict, WeightReading
from station.photos import PhotoStore
from station.services.demo import seed_demo
from station.services.demo_history import HistoryOptions, HistorySummary

TODAY = date(2026, 11, 22)
DAYS, PER_DAY = 2, 9


@pytest.fixture
def history(db: Database, shipped_standards: dict, photos: PhotoStore) -> HistorySummary:
    registry = StandardRegistry(list(shipped_standards.values()))
    summary = seed_demo(
        db,
        rma_count=150,
        today=TODAY,
        history=HistoryOptions(registry, photos, days=DAYS, per_day=PER_DAY, rng_seed=5),
    )
    assert summary.history is not None
    return summary.history


def test_history_is_made_of_finalized_inspections(db: Database, history: HistorySummary) -> None:
    assert history.skipped == 0
    assert history.inspections == DAYS * PER_DAY
    with db.read() as session:
        inspections = session.scalars(select(Inspection)).all()
        assert len(inspections) == DAYS * PER_DAY
        assert {i.status for i in inspections} == {"finalized"}
        assert session.scalar(select(func.count()).select_from(Verdict)) == len(inspections)
        lpns = session.scalars(select(Lpn.code)).all()
        assert len(set(lpns)) == len(inspections)
        events = session.scalars(select(OutboxEvent.event_type)).all()
        # Each unit: its parcel announced on receipt, its verdict on finalize.
        assert sorted(set(events)) == ["inspection.verdict.recorded", "return.received"]
        assert events.count("inspection.verdict.recorded") == len(inspections)
        assert session.scalar(select(func.count()).select_from(Photo)) == history.photos > 0
        weights = session.scalars(select(WeightReading)).all()
        assert weights and all(w.stable for w in weights)
        assert all(i.rma_line_id is not None for i in inspections)
        assert all(i.parcel.rma_id is not None for i in inspections)
        chain = verify_chain(session)
    assert chain.ok, chain


def test_grades_are_spread(history: HistorySummary) -> None:
    assert len(history.grades) >= 3, history.grades
    assert sum(history.grades.values()) == history.inspections


def test_days_are_back_dated(db: Database, history: HistorySummary) -> None:
    assert history.days == (date(2026, 11, 20), date(2026, 11, 21))
    with db.read() as session:
        rows = session.execute(
            select(Inspection.started_at, Inspection.finished_at, Parcel.received_at).join(
                Parcel, Parcel.id == Inspection.parcel_id
            )
        ).all()
    finished_days = {finished.date() for _s, finished, _r in rows}
    assert finished_days == set(history.days)
    for started, finished, received in rows:
        assert received == started < finished
        assert (finished - started).total_seconds() <= 150


def test_history_is_opt_in(db: Database) -> None:
    summary = seed_demo(db, rma_count=20, today=TODAY)
    assert summary.history is None
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Inspection)) == 0
