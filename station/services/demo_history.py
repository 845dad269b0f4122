"""Demo history: a few back-dated days of finalized inspections, made through the real services.

Reports, the supervisor queue and the outbox relay need verdicts to show. Writing verdict rows
directly would skip exactly what makes them trustworthy (the evaluator, LPNs, the audit chain,
outbox events), so every unit here goes through ``receive_parcel`` -> ``open_inspection`` ->
``record_*`` -> ``finalize_inspection`` like a bench would.

What the simulated grader answers is driven by the standard itself, not by a per-standard
script: the planner asks the evaluator what is missing, tries each possible answer in memory,
and picks the one that keeps the unit on its target grade (drawn from a realistic mix: mostly
A/B, some C, a few D/X). Conditional items appear as earlier answers open them, so the loop
runs until nothing is missing; a new shipped standard needs no change here.

Back-dating: the services stamp "now". Afterwards the parcel's ``received_at``, the
inspection's ``started_at``/``finished_at`` and the fact rows' times are moved to the
simulated day (right after opening, so the evaluator judges the return window on that day).
Verdicts and audit events are append-only (triggers refuse UPDATE), so ``verdicts.decided_at``
and ``audit_events.occurred_at`` keep the real seeding time: reports group by
``inspections.finished_at``.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from devices.camera import SimulatedCamera
from inspection_rules import DefectFact, Facts, StandardRegistry
from inspection_rules.model import ItemType, Standard
from station.db import Database
from station.models import (
    Finding,
    Inspection,
    Lpn,
    Parcel,
    Photo,
    Rma,
    RmaStatus,
    User,
    WeightReading,
)
from station.photos import PhotoStore
from station.services.common import Actor
from station.services.facts import facts_for, get_row
from station.services.inspections import (
    evaluate_inspection,
    finalize_inspection,
    record_answer,
    record_defect,
    record_measurement,
    record_photo,
    record_weight,
)
from station.services.receiving import open_inspection, receive_parcel
from station.timeutil import today_utc

log = logging.getLogger(__name__)

# Target grade mix by position in the standard's scale (A, B, C, D, X).
TARGET_WEIGHTS = (42, 30, 17, 8, 3)
RECENT_DAYS = 10
BENCHES = ("BENCH-01", "BENCH-02")
_SEVERITY_FOR_TARGET = {2: "minor", 3: "major", 4: "critical"}
# Which defects fit a stated reason: a "defect" return usually is the maker's fault.
_RESPONSIBILITY_FOR_REASON = {
    "defect": "manufacturing",
    "damaged_in_transit": "carrier",
    "not_as_described": "manufacturing",
}
_MAX_ROUNDS = 25


@dataclass(frozen=True)
class HistoryOptions:
    """What ``seed_demo`` needs to also make history (opt-in: it costs a few seconds)."""

    standards: StandardRegistry
    photos: PhotoStore
    days: int = 3
    per_day: int = 25
    rng_seed: int | None = None  # None: derived from the demo seed


@dataclass(frozen=True)
class HistorySummary:
    inspections: int
    days: tuple[date, ...]
    grades: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    skipped: int = 0  # units that could not be finalized (logged; should stay 0)


@dataclass
class _Plan:
    """The facts the simulated grader will record, built up in memory before any write."""

    answers: dict[str, Any] = field(default_factory=dict)
    measurements: dict[str, tuple[float, str]] = field(default_factory=dict)
    defects: list[tuple[str, str | None]] = field(default_factory=list)
    photo_roles: list[str] = field(default_factory=list)
    weight_g: float | None = None

    def facts(self, base: Facts) -> Facts:
        return replace(
            base,
            answers={**base.answers, **self.answers},
            measurements={**base.measurements, **self.measurements},
            defects=base.defects + tuple(DefectFact(code, zone, "") for code, zone in self.defects),
            photo_roles=base.photo_roles | frozenset(self.photo_roles),
            weight_g=self.weight_g if self.weight_g is not None else base.weight_g,
            weight_stable=self.weight_g is not None or base.weight_stable,
        )


def seed_history(
    db: Database,
    standards: StandardRegistry,
    photos: PhotoStore,
    *,
    days: int = 3,
    per_day: int = 25,
    rng_seed: int = 20261122,
    today: date | None = None,
) -> HistorySummary:
    """Inspect ``per_day`` expected RMAs on each of the ``days`` days before ``today``.

    Past days only (``today - days`` .. ``today - 1``), so no timestamp lies in the future.
    Needs seeded sellers, SKUs and RMAs (``seed_demo``); an RMA is only received on a day
    after it was created. Returns what was made; deterministic for a seed apart from UUIDs,
    LPNs and wall-clock audit times, which the services draw themselves.
    """
    today = today or today_utc()
    rng = random.Random(rng_seed)
    graders = _grader_ids(db)
    candidates = _candidate_rmas(db)
    used: set[uuid.UUID] = set()
    day_list = tuple(today - timedelta(days=offset) for offset in range(days, 0, -1))
    grades: Counter[str] = Counter()
    photo_count = skipped = 0
    for day in day_list:
        start = datetime.combine(day, time(8), UTC)
        # Parcels arrive days, not weeks, after the RMA: prefer recent ones (fewer late returns).
        eligible = [c for c in candidates if c[1] < start and c[0] not in used]
        recent = [c for c in eligible if c[1] >= start - timedelta(days=RECENT_DAYS)]
        if len(recent) >= per_day:
            eligible = recent
        chosen = rng.sample(eligible, min(per_day, len(eligible)))
        moments = sorted(start + timedelta(seconds=rng.randrange(9 * 3600)) for _ in chosen)
        for (rma_id, _created, number, tracking, carrier), moment in zip(
            chosen, moments, strict=True
        ):
            used.add(rma_id)
            actor = Actor(station_id=rng.choice(BENCHES), user_id=rng.choice(graders))
            try:
                grade, shots = _inspect_one(
                    db, standards, photos, actor, rng, number, tracking, carrier, moment
                )
            except Exception:  # one bad unit must not lose a whole demo day
                log.exception("demo history: could not inspect %s", number)
                skipped += 1
                continue
            grades[grade] += 1
            photo_count += shots
    return HistorySummary(sum(grades.values()), day_list, dict(grades), photo_count, skipped)


def _grader_ids(db: Database) -> list[uuid.UUID | None]:
    with db.read() as session:
        ids = list(session.scalars(select(User.id).order_by(User.username)))
    return list(ids) or [None]


def _candidate_rmas(
    db: Database,
) -> list[tuple[uuid.UUID, datetime, str, str | None, str | None]]:
    """(id, created, number, first tracking number, carrier) of every RMA still expected."""
    with db.read() as session:
        rmas = session.scalars(
            select(Rma).where(Rma.status == RmaStatus.EXPECTED.value).order_by(Rma.number)
        ).all()
        rows = []
        for rma in rmas:
            first = rma.tracking_numbers[0] if rma.tracking_numbers else None
            rows.append(
                (
                    rma.id,
                    rma.created_at,
                    rma.number,
                    first.tracking_number if first else None,
                    first.carrier if first else None,
                )
            )
    return rows


def _inspect_one(
    db: Database,
    standards: StandardRegistry,
    photos: PhotoStore,
    actor: Actor,
    rng: random.Random,
    rma_number: str,
    tracking: str | None,
    carrier: str | None,
    moment: datetime,
) -> tuple[str, int]:
    """One parcel, one unit, start to verdict; returns (grade, photos taken)."""
    parcel = receive_parcel(
        db, actor, tracking or rma_number, rma_number, tracking_number=tracking, carrier=carrier
    )
    with db.read() as session:
        rma = session.scalar(select(Rma).where(Rma.number == rma_number))
        assert rma is not None
        line_id = rng.choice(rma.lines).id
    view = open_inspection(db, actor, standards, parcel.id, line_id)
    inspection_id = view.id
    with db.write() as session:  # back-date before any evaluation reads received_at
        session.execute(update(Parcel).where(Parcel.id == parcel.id).values(received_at=moment))
        session.execute(
            update(Inspection).where(Inspection.id == inspection_id).values(started_at=moment)
        )
    with db.read() as session:
        inspection = get_row(session, Inspection, inspection_id, "inspection")
        base = facts_for(session, inspection)
        standard = standards.by_hash(inspection.standard_hash)
        assert standard is not None
    plan = _plan_unit(standard, base, rng)
    shots = _record(db, actor, standards, photos, inspection_id, plan, rng)
    # Safety net: whatever the plan missed (it should be nothing) is planned again from the DB.
    for _round in range(3):
        evaluation = evaluate_inspection(db, standards, inspection_id)
        if not evaluation.missing:
            break
        with db.read() as session:
            base = facts_for(session, get_row(session, Inspection, inspection_id, "inspection"))
        extra = _plan_unit(standard, base, rng, target=None)
        shots += _record(db, actor, standards, photos, inspection_id, extra, rng)
    verdict = finalize_inspection(db, actor, standards, inspection_id)
    _backdate_facts(db, inspection_id, moment, rng)
    return verdict.grade, shots


def _plan_unit(
    standard: Standard, base: Facts, rng: random.Random, *, target: int | None = -1
) -> _Plan:
    """Answer, measure, photograph and weigh until the evaluator misses nothing."""
    scale = list(standard.grades)
    if target == -1:
        target = rng.choices(range(len(TARGET_WEIGHTS)), TARGET_WEIGHTS)[0]
    goal = min(target if target is not None else 0, len(scale) - 1)
    plan = _Plan()
    if goal >= 2:  # C and worse: a defect from the catalogue explains the grade to the seller
        _add_defect(standard, plan, base, rng, _SEVERITY_FOR_TARGET.get(goal, "critical"))
    elif goal == 1 and rng.random() < 0.35:
        _add_defect(standard, plan, base, rng, "minor")
    items = {item.code: item for item in standard.checklist}
    for _round in range(_MAX_ROUNDS):
        evaluation = standard.evaluate(plan.facts(base))
        if not evaluation.missing:
            break
        for missing in evaluation.missing:
            code = missing.code
            if code == "weight":
                plan.weight_g = _weight(base, rng, goal)
            elif code.startswith("photo:"):
                plan.photo_roles.append(code.removeprefix("photo:"))
            elif code in items and items[code].type is ItemType.MEASUREMENT:
                plan.measurements[code] = _measure(standard, code, base, rng, goal)
            elif code in items:
                plan.answers[code] = _answer(standard, items[code], plan, base, rng, goal, scale)
    return plan


def _answer(
    standard: Standard,
    item: Any,
    plan: _Plan,
    base: Facts,
    rng: random.Random,
    goal: int,
    scale: list[str],
) -> Any:
    """The answer that keeps the unit on its target grade, judged by the evaluator itself."""
    if item.type is ItemType.TEXT:
        serials = base.expected_serials
        if "serial" in item.code and serials:
            return serials[0] if rng.random() > 0.03 else serials[0][:-2] + "00"
        return "ok"
    if item.type is ItemType.YES_NO:
        candidates: list[Any] = [True, False]
    elif item.type is ItemType.SINGLE_CHOICE:
        candidates = [choice.code for choice in item.choices]
    elif item.type is ItemType.MULTI_CHOICE:
        codes = [choice.code for choice in item.choices]
        candidates = [[], *([code] for code in codes), codes]
    else:
        return "ok"
    ranked: list[tuple[int, int, Any]] = []
    for order, candidate in enumerate(candidates):
        trial = plan.facts(base)
        grade = standard.evaluate(replace(trial, answers={**trial.answers, item.code: candidate}))
        rank = scale.index(grade.grade) if grade.grade in scale else len(scale)
        ranked.append((rank, order, candidate))
    fitting = [entry for entry in ranked if entry[0] <= goal] or [min(ranked)]
    current = standard.evaluate(plan.facts(base)).grade
    current_rank = scale.index(current) if current in scale else 0
    on_goal = [entry for entry in fitting if entry[0] == goal]
    # Below the goal, sometimes reach it through this answer (wear, pilling, missing tags...).
    if on_goal and current_rank < goal and rng.random() < 0.6:
        return rng.choice(on_goal)[2]
    best = min(entry[0] for entry in fitting)
    ties = [entry for entry in fitting if entry[0] == best]
    return ties[0][2] if rng.random() < 0.85 or len(ties) == 1 else rng.choice(ties)[2]


def _add_defect(
    standard: Standard, plan: _Plan, base: Facts, rng: random.Random, severity: str
) -> None:
    catalogue = list(standard.defects)
    if not catalogue:
        return
    matching = [d for d in catalogue if d.severity == severity] or catalogue
    who = _RESPONSIBILITY_FOR_REASON.get(base.stated_reason or "")
    preferred = [d for d in matching if d.responsibility == who]
    if preferred and rng.random() < 0.75:
        matching = preferred
    defect = rng.choice(matching)
    zone = rng.choice(defect.zones) if defect.zones else None
    plan.defects.append((defect.code, zone))


def _measure(
    standard: Standard, code: str, base: Facts, rng: random.Random, goal: int
) -> tuple[float, str]:
    """A reading around the SKU spec; outside the tolerance for some worse units."""
    check = getattr(standard, "check_measurement", None)
    result = check(code, None, base.sku_spec) if check else None
    unit = (result.unit if result else None) or "cm"
    if result is None or result.expected is None:
        return round(rng.uniform(10, 60), 1), unit
    allowed = result.allowed_deviation or 1.0
    if goal >= 2 and rng.random() < 0.5:
        offset = allowed * rng.uniform(1.3, 2.5) * rng.choice((-1, 1))
    else:
        offset = allowed * rng.uniform(-0.7, 0.7)
    return round(result.expected + offset, 1), unit


def _weight(base: Facts, rng: random.Random, goal: int) -> float:
    expected = base.expected_weight_g or rng.uniform(150, 900)
    if goal >= 3 and rng.random() < 0.3:  # a part or accessory missing
        return round(expected * rng.uniform(0.6, 0.8), 1)
    return round(expected * rng.uniform(0.985, 1.02), 1)


def _record(
    db: Database,
    actor: Actor,
    standards: StandardRegistry,
    photos: PhotoStore,
    inspection_id: uuid.UUID,
    plan: _Plan,
    rng: random.Random,
) -> int:
    """Write the plan through the services; photos before defects, as a grader does."""
    for code, answer in plan.answers.items():
        record_answer(db, actor, standards, inspection_id, code, answer)
    for code, (value, unit) in plan.measurements.items():
        record_measurement(db, actor, inspection_id, code, value, unit)
    for code, zone in plan.defects:
        record_defect(db, actor, standards, inspection_id, code, zone=zone)
    for role in dict.fromkeys(plan.photo_roles):
        frame = SimulatedCamera(seed=rng.getrandbits(48)).grab()
        record_photo(db, actor, photos, inspection_id, role, data=frame.data)
    if plan.weight_g is not None:
        grams = plan.weight_g
        record_weight(
            db,
            actor,
            inspection_id,
            grams,
            stable=True,
            device="SIM-SCALE mt-sics",
            raw_frame=f"S S {grams:>10.2f} g",
        )
    return len(dict.fromkeys(plan.photo_roles))


def _backdate_facts(
    db: Database, inspection_id: uuid.UUID, started: datetime, rng: random.Random
) -> None:
    """Move the finish and every fact row into the simulated 30-150 s at the bench."""
    finished = started + timedelta(seconds=rng.randint(30, 150))
    middle = started + (finished - started) / 2
    with db.write() as session:
        session.execute(
            update(Inspection).where(Inspection.id == inspection_id).values(finished_at=finished)
        )
        for model, column in (
            (Finding, Finding.recorded_at),
            (Photo, Photo.taken_at),
            (WeightReading, WeightReading.read_at),
        ):
            session.execute(
                update(model).where(model.inspection_id == inspection_id).values({column: middle})
            )
        session.execute(
            update(Lpn).where(Lpn.inspection_id == inspection_id).values(created_at=finished)
        )
