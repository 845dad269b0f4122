"""Facts the grader records from the view-model: answers, measurements, defects.

A mixin of ``BenchViewModel`` (kept apart to keep each module small). Each fact is shown at
once (the pending facts and a local evaluation), recorded on a worker, and the preview is
confirmed when the recorded inspection comes back; a refusal puts the widgets back to what is
recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from station.services import inspections
from station.typed_numbers import Judged, judge_typed_measurement

if TYPE_CHECKING:
    from inspection_rules.model import MeasurementResult
    from station.context import AppContext
    from station.views import InspectionView
    from ui.tasks import TaskRunner
    from ui.viewmodels.checklist import ItemModel, PendingFacts


class FactActions:
    """Needs the attributes below from ``BenchViewModel``."""

    _context: AppContext
    _runner: TaskRunner
    _pending: PendingFacts
    _weigh_in_flight: bool
    inspection: InspectionView | None

    if TYPE_CHECKING:

        @property
        def items(self) -> tuple[ItemModel, ...]: ...

        def check_measurement(
            self, item_code: str, value: float | None
        ) -> MeasurementResult | None: ...

        def _require_inspection(self) -> InspectionView | None: ...
        def _evaluate_locally(self) -> None: ...
        def _on_inspection(self, view: InspectionView, *, confirm: bool = True) -> None: ...
        def _on_error(self, error: BaseException) -> None: ...

    def set_answer(self, item_code: str, answer: Any) -> None:
        """Record (or, with None, clear) a checklist answer. Multiple choice: a list of codes,
        where an empty list is the answer "none of these"."""
        inspection = self._require_inspection()
        if inspection is None:
            return
        ctx = self._context
        token = self._pending.add_answer(item_code, answer)
        self._evaluate_locally()
        self._submit_fact(
            lambda: inspections.record_answer(
                ctx.db, ctx.actor, ctx.standards, inspection.id, item_code, answer
            ),
            item_code,
            token,
        )

    def record_measurement(self, item_code: str, value: float) -> None:
        inspection = self._require_inspection()
        if inspection is None:
            return
        item = next((i for i in self.items if i.code == item_code), None)
        unit = (item.unit if item else None) or ""
        ctx = self._context
        token = self._pending.add_measurement(item_code, float(value), unit)
        self._evaluate_locally()
        self._submit_fact(
            lambda: inspections.record_measurement(
                ctx.db,
                ctx.actor,
                inspection.id,
                item_code,
                float(value),
                unit,
                standards=ctx.standards,
            ),
            item_code,
            token,
        )

    def judge_measurement(self, item_code: str, text: str) -> Judged:
        """What a measurement field holds: refused (why), recordable, or far from the SKU's
        spec (ask before recording); the service refuses the same values."""
        item = next((i for i in self.items if i.code == item_code), None)
        result = self.check_measurement(item_code, None)
        return judge_typed_measurement(
            text,
            field=item.label if item is not None else item_code,
            unit=(item.unit if item is not None else None) or "",
            expected=result.expected if result is not None else None,
            allowed=result.allowed_deviation if result is not None else None,
        )

    def record_defect(
        self,
        code: str,
        *,
        zone: str | None = None,
        severity: str | None = None,
        note: str | None = None,
    ) -> None:
        """Record a defect from the catalogue; severity None takes the catalogue's."""
        inspection = self._require_inspection()
        if inspection is None:
            return
        ctx = self._context
        self._submit_fact(
            lambda: inspections.record_defect(
                ctx.db,
                ctx.actor,
                ctx.standards,
                inspection.id,
                code,
                zone=zone,
                severity=severity,
                note=note or None,
            )
        )

    def remove_defect(self, finding_id: uuid.UUID) -> None:
        inspection = self._require_inspection()
        if inspection is None:
            return
        ctx = self._context
        self._submit_fact(
            lambda: inspections.remove_defect(ctx.db, ctx.actor, inspection.id, finding_id)
        )

    def _submit_fact(
        self, work: Callable[[], InspectionView], item_code: str | None = None, token: int = 0
    ) -> None:
        def done(view: InspectionView) -> None:
            if item_code is not None:
                self._pending.settle(item_code, token)
            self._on_fact_recorded(view)

        def failed(error: BaseException) -> None:
            if item_code is not None:
                self._pending.settle(item_code, token)
            self._on_fact_failed(error)

        self._runner.submit(work, done, failed)

    def _on_fact_recorded(self, view: InspectionView) -> None:
        self._weigh_in_flight = False
        if self.inspection is None or self.inspection.id != view.id:
            return  # the bench moved on (finalized or reset) meanwhile
        self._on_inspection(view)

    def _on_fact_failed(self, error: BaseException) -> None:
        self._weigh_in_flight = False
        if self.inspection is not None:
            # Put the widgets and the preview back to what is recorded (and re-confirm it).
            self._on_inspection(self.inspection)
        self._on_error(error)
