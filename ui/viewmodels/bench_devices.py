"""The bench's devices from the view-model: weighing, photos from the camera or a file.

A mixin of ``BenchViewModel`` (kept apart to keep each module small). Device reads run on the
general pool, never on the main thread, and a photo that fails the quality gate is not
recorded: the grader gets the reason as the prompt to retake it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices.camera import CameraError, check_quality
from station.services import inspections
from station.services import labels as label_service
from ui.tasks import Pool

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from station.context import AppContext
    from station.services.labels import LabelPrintView
    from station.views import InspectionView, VerdictView
    from ui.tasks import TaskRunner
    from ui.viewmodels.messages import Message


class PhotoRejected(ValueError):
    """A camera still that failed the quality gate; the message is the grader's prompt."""


class DeviceActions:
    """Needs the attributes below from ``BenchViewModel``."""

    _context: AppContext
    _runner: TaskRunner
    verdict: VerdictView | None
    printed_labels: list[LabelPrintView]

    if TYPE_CHECKING:
        labelsChanged: SignalInstance

        def tr(self, text: str) -> str: ...
        def offer_weight(self, weight: Any) -> None: ...
        def _require_inspection(self) -> InspectionView | None: ...
        def _message(self, level: str, text: Message) -> None: ...
        def _on_error(self, error: BaseException) -> None: ...
        def _on_fact_recorded(self, view: InspectionView) -> None: ...
        def _on_fact_failed(self, error: BaseException) -> None: ...
        def _submit_fact(
            self, work: Callable[[], InspectionView], item_code: str | None = None, token: int = 0
        ) -> None: ...

    def weigh(self) -> None:
        inspection = self._require_inspection()
        scale = self._context.devices.scale
        if inspection is None:
            return
        if scale is None:
            self._message(
                "warning", lambda: self.tr("No scale configured: type the weight instead")
            )
            return
        self._runner.submit(scale.read, self._record_weight_reading, self._on_error, Pool.GENERAL)

    def peek_scale(
        self, on_weight: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        """Read the scale for display only (nothing recorded), off the main thread."""
        scale = self._context.devices.scale
        if scale is None:
            return

        def shown(weight: Any) -> None:
            on_weight(weight)
            self.offer_weight(weight)

        self._runner.submit(scale.read, shown, on_error, Pool.GENERAL)

    def enter_weight(self, grams: float) -> None:
        from devices.scale import Weight

        self._record_weight_reading(Weight(grams, True, "typed-by-grader"))

    def take_photo(self, role: str) -> None:
        """Grab a still and record it, unless it fails the quality gate: then nothing is
        recorded and the grader gets the prompt (e.g. "Photo is blurry: ...") as an error."""
        inspection = self._require_inspection()
        camera = self._context.devices.camera
        if inspection is None:
            return
        if camera is None:
            self._message(
                "warning", lambda: self.tr("No camera configured: add a photo file instead")
            )
            return
        ctx = self._context

        def work() -> InspectionView:
            frame = camera.grab()
            report = check_quality(frame.data, ctx.settings.camera)
            if not report.ok:
                raise PhotoRejected("; ".join(report.problems))
            return inspections.record_photo(
                ctx.db, ctx.actor, ctx.photos, inspection.id, role, data=frame.data
            )

        self._runner.submit(work, self._on_fact_recorded, self._on_fact_failed, Pool.GENERAL)

    def add_photo_file(self, path: Path, role: str) -> None:
        """Record a photo file. It is checked too, but a poor file is kept with a warning: the
        grader chose it on purpose (a phone close-up, the only photo there is) and cannot
        retake it from here, so refusing would lose evidence rather than improve it."""
        inspection = self._require_inspection()
        if inspection is None:
            return
        ctx = self._context

        def work() -> tuple[InspectionView, list[str]]:
            view = inspections.record_photo(
                ctx.db, ctx.actor, ctx.photos, inspection.id, role, path=path
            )
            try:
                problems = check_quality(path.read_bytes(), ctx.settings.camera).problems
            except (OSError, CameraError):
                problems = []
            return view, problems

        def done(result: tuple[InspectionView, list[str]]) -> None:
            view, problems = result
            self._on_fact_recorded(view)
            if problems:
                self._message(
                    "warning",
                    lambda: self.tr("Photo added, but check it: {problems}").format(
                        problems="; ".join(problems)
                    ),
                )

        self._runner.submit(work, done, self._on_fact_failed)

    def _record_weight_reading(self, weight: Any) -> None:
        inspection = self._require_inspection()
        if inspection is None:
            return
        ctx = self._context
        self._submit_fact(
            lambda: inspections.record_weight(
                ctx.db,
                ctx.actor,
                inspection.id,
                weight.grams,
                stable=weight.stable,
                device=weight.device,
                raw_frame=weight.raw_frame,
            )
        )

    def _issue_labels(self, kinds: tuple[str, ...], **target: uuid.UUID) -> None:
        """Render, spool and record the configured labels; the spooler prints on its own."""
        if not kinds:
            return
        ctx = self._context
        self._runner.submit(
            lambda: label_service.issue_labels(
                ctx.db, ctx.actor, ctx.standards, ctx.settings.labels, ctx.devices.spooler,
                kinds=kinds, **target,
            ),
            self._on_labels, self._on_error,
        )  # fmt: skip

    def reprint(self, label_print_id: uuid.UUID) -> None:
        ctx = self._context

        def work() -> list[LabelPrintView]:
            label_service.reprint_label(
                ctx.db, ctx.actor, ctx.standards, ctx.devices.spooler, label_print_id
            )
            inspection_id = self.verdict.inspection_id if self.verdict else None
            return label_service.labels_for(ctx.db, inspection_id) if inspection_id else []

        def done(labels: list[LabelPrintView]) -> None:
            self.printed_labels = labels
            self.labelsChanged.emit(labels)
            self._message("info", lambda: self.tr("Label sent to the printer again"))

        self._runner.submit(work, done, self._on_error)

    def _on_labels(self, issued: list[LabelPrintView]) -> None:
        if self.verdict is not None and all(v.kind != "receipt" for v in issued):
            # The verdict panel lists them; the message line keeps "Verdict recorded: ...".
            self.printed_labels = issued
            self.labelsChanged.emit(issued)
        else:
            self._message("info", lambda: self.tr("Receipt label sent to the printer"))
