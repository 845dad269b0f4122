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
from station.typed_numbers import Judged, judge_typed_weight, weight_allowance
from ui.tasks import Pool

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from inspection_rules import Standard
    from station.context import AppContext
    from station.services.labels import LabelPrintView
    from station.views import InspectionView, VerdictView
    from ui.tasks import TaskRunner
    from ui.viewmodels.messages import Message


# The device name a typed weight is recorded under (the supervisor sees it was typed).
TYPED_DEVICE = "typed-by-grader"


class PhotoRejected(ValueError):
    """A camera still that failed the quality gate; the message is the grader's prompt."""


class DeviceActions:
    """Needs the attributes below from ``BenchViewModel``."""

    _context: AppContext
    _runner: TaskRunner
    verdict: VerdictView | None
    printed_labels: list[LabelPrintView]
    inspection: InspectionView | None
    parcel_id: uuid.UUID | None

    if TYPE_CHECKING:
        labelsChanged: SignalInstance

        @property
        def standard(self) -> Standard | None: ...

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
        self._runner.submit(scale.read, self._record_read_weight, self._on_error, Pool.GENERAL)

    def _record_read_weight(self, weight: Any) -> None:
        """F6: a scale fault (overload, underload, a broken frame) is said, never recorded as a
        weight; a reading in motion is recorded as unstable (the verdict waits for a stable
        one)."""
        status = getattr(weight, "status", "ok")
        if status != "ok":
            names = {
                "overload": self.tr("overload: the weight is over the scale's capacity"),
                "underload": self.tr("underload: zero the scale"),
            }
            said = names.get(status, self.tr("no usable reading"))
            self._message(
                "error", lambda: self.tr("The scale reports {problem}").format(problem=said)
            )
            return
        self._record_weight_reading(weight)

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
        """Record a weight the grader typed (checked again by the service: a wrong one is
        refused there with the same words as ``judge_typed_weight``)."""
        from devices.scale import Weight

        self._record_weight_reading(Weight(grams, True, TYPED_DEVICE))

    def judge_typed_weight(self, text: str) -> Judged:
        """What the typed-weight box holds: refused (why), recordable, or far from the
        expected weight by the standard's own weight tolerance (ask before recording)."""
        view, standard = self.inspection, self.standard
        expected = view.expected_weight_g if view is not None else None
        policy = standard.spec.weight if standard is not None else None
        allowance = (
            weight_allowance(expected, policy.tolerance_g, policy.tolerance_percent)
            if policy is not None
            else None
        )
        return judge_typed_weight(
            text,
            capacity_g=self._context.settings.scale.capacity_g,
            expected_g=expected,
            allowance_g=allowance,
        )

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
                capacity_g=ctx.settings.scale.capacity_g,
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
            if self.verdict is not None:
                return label_service.labels_for(ctx.db, self.verdict.inspection_id)
            parcel_id = self.parcel_id  # no verdict yet: a blind parcel's receipt label
            return label_service.labels_for(ctx.db, parcel_id=parcel_id) if parcel_id else []

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
