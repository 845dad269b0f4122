"""The bench view-model: the scan → inspect → finalize flow, with no widgets in it.

Every user action becomes a service call on the task runner; results come back as signals the
widgets bind to. Widgets never touch the context, the database or a device directly.
"""

from __future__ import annotations

import logging
import uuid
from enum import StrEnum

from PySide6.QtCore import QObject, QTimer, Signal

from devices.camera import LiveCamera
from inspection_rules import Evaluation, Standard
from station.context import AppContext
from station.i18n import current_language
from station.services import inspections, receiving
from station.services import labels as label_service
from station.services.common import ServiceError
from station.services.labels import LabelPrintView
from station.services.scanning import ScanKind, ScanResult, resolve_scan
from station.views import InspectionView, RmaLineView, RmaView, VerdictView
from ui.tasks import TaskRunner
from ui.viewmodels.bench_devices import DeviceActions
from ui.viewmodels.bench_facts import FactActions
from ui.viewmodels.bench_flow import ScanFirstFlow, SecondOpinionFlow
from ui.viewmodels.bench_units import UnitFlow
from ui.viewmodels.checklist import ItemModel, PendingFacts, items_of
from ui.viewmodels.inspection_readout import InspectionReadout
from ui.viewmodels.messages import Message, RememberedMessage

log = logging.getLogger(__name__)


class BenchState(StrEnum):
    IDLE = "idle"
    CHOOSE_LINE = "choose_line"
    CHOOSE_RMA = "choose_rma"  # a product on several open returns: pick this parcel's
    BLIND_PROMPT = "blind_prompt"
    INSPECTING = "inspecting"
    FINALIZED = "finalized"


class Feedback(StrEnum):
    """What the grader should notice without looking: each has its own sound and colour."""

    SCAN_ACCEPTED = "scan_accepted"
    SCAN_REJECTED = "scan_rejected"
    VERDICT_RECORDED = "verdict_recorded"


class BenchViewModel(
    QObject,
    InspectionReadout,
    ScanFirstFlow,
    UnitFlow,
    SecondOpinionFlow,
    DeviceActions,
    FactActions,
    RememberedMessage,
):
    stateChanged = Signal(str)
    # A Feedback value, for sounds and flashes.
    feedback = Signal(str)
    rmaChanged = Signal(object)
    # The open RMAs a scanned product is on (tuple[RmaView, ...]), to pick from.
    candidatesChanged = Signal(object)
    # The catalogue's SKUs (list[CatalogueItem]), to pick a blind return's item from.
    catalogueChanged = Signal(object)
    scanChanged = Signal(object)
    # The inspection as the services last returned it (None when none is open).
    inspectionChanged = Signal(object)
    # The latest evaluation: first a local one (instant, facts in flight included), then the
    # services' own once every recorded fact is back (``evaluation_confirmed``).
    evaluationChanged = Signal(object)
    verdictChanged = Signal(object)
    labelsChanged = Signal(object)
    messageChanged = Signal(str, str)
    # Before a scanned FINALIZE: widgets record what is typed but not yet recorded.
    commitRequested = Signal()

    def __init__(self, context: AppContext, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._context = context
        self._runner = runner
        self.state = BenchState.IDLE
        self.scan: ScanResult | None = None
        self.rma: RmaView | None = None
        self.parcel_id: uuid.UUID | None = None
        self.inspection: InspectionView | None = None
        self.verdict: VerdictView | None = None
        self.printed_labels: list[LabelPrintView] = []
        self.evaluation: Evaluation | None = None
        self.evaluation_confirmed = False
        self._standard: Standard | None = None
        self._items: tuple[ItemModel, ...] = ()
        self._pending = PendingFacts()
        self.parcel_rmas: tuple[str, ...] = ()
        self.rma_candidates: tuple[RmaView, ...] = ()
        self._over_receipt_line: uuid.UUID | None = None
        self._cancel_asked_at = 0.0
        self._weigh_in_flight = False
        self.finalizing = False
        self.second_opinion = False

    # --- derived -------------------------------------------------------------------------

    @property
    def language(self) -> str:
        return current_language()

    @property
    def evaluation_grade(self) -> str | None:
        evaluation = self.evaluation
        return evaluation.grade if evaluation is not None and evaluation.complete else None

    @property
    def inspecting(self) -> bool:
        return self.state is BenchState.INSPECTING

    @property
    def has_scale(self) -> bool:
        return self._context.devices.scale is not None

    @property
    def has_camera(self) -> bool:
        return self._context.devices.camera is not None

    @property
    def live_camera(self) -> LiveCamera | None:
        """The camera's streaming side (for the preview), if the bench camera streams."""
        camera = getattr(self._context.devices.camera, "inner", self._context.devices.camera)
        return camera if isinstance(camera, LiveCamera) else None

    def remaining_lines(self) -> list[RmaLineView]:
        return [line for line in (self.rma.lines if self.rma else ()) if line.remaining > 0]

    # --- actions ---------------------------------------------------------------------------

    def submit_scan(self, code: str) -> None:
        code = code.strip()
        if not code or self.handle_command_scan(code) or self.pick_unit_by_gtin(code):
            return
        if self.state is BenchState.INSPECTING and self.needs_item:
            self.identify_item(code)  # a blind return's item: its GTIN or SKU
            return
        if self.state is BenchState.INSPECTING:
            # A stray scan must never throw away the unit on the bench.
            self._reject(
                lambda: self.tr("An inspection is open: finalize it, or press Esc twice to cancel it, "
                        "before scanning the next parcel"),
            )  # fmt: skip
            return
        self._lookup(code)

    def _lookup(self, code: str) -> None:
        db, patterns = self._context.db, self._context.settings.codes
        self._runner.submit(lambda: resolve_scan(db, code, patterns), self._on_scan, self._on_error)

    def receive_blind(self) -> None:
        if self.state is not BenchState.BLIND_PROMPT or self.scan is None:
            return
        scan = self.scan
        ctx = self._context

        def work() -> tuple[uuid.UUID, InspectionView, Standard | None]:
            parcel = receiving.receive_parcel(
                ctx.db,
                ctx.actor,
                scan.normalized,
                tracking_number=scan.normalized if scan.kind is ScanKind.TRACKING else None,
                carrier=scan.carrier,
            )
            view = receiving.open_inspection(ctx.db, ctx.actor, ctx.standards, parcel.id)
            if ctx.settings.labels.on_blind_receipt:
                # The parcel gets its receipt label at once, so it can be found again.
                label_service.issue_labels(
                    ctx.db,
                    ctx.actor,
                    ctx.standards,
                    ctx.settings.labels,
                    ctx.devices.spooler,
                    kinds=ctx.settings.labels.on_blind_receipt,
                    parcel_id=parcel.id,
                )
            return parcel.id, view, ctx.standards.by_hash(view.standard_hash)

        def opened(result: tuple[uuid.UUID, InspectionView, Standard | None]) -> None:
            self._on_opened(result)
            if ctx.settings.labels.on_blind_receipt:
                # The receipt label was printed: shown, and Ctrl+P / REPRINT prints it again.
                db, parcel_id = ctx.db, result[0]
                self._runner.submit(
                    lambda: label_service.labels_for(db, parcel_id=parcel_id),
                    self._show_receipt_labels,
                    self._on_error,
                )

        self._runner.submit(work, opened, self._on_error)

    def _show_receipt_labels(self, labels: list[LabelPrintView]) -> None:
        if self.inspection is not None:  # still this blind parcel's unit on the bench
            self.printed_labels = labels
            self.labelsChanged.emit(labels)

    def finalize(self) -> None:
        """Record the verdict; refused here (saying what is missing) while facts are missing,
        so the button, F12 and Ctrl+Enter all follow the same gate."""
        inspection = self._require_inspection()
        if inspection is None:
            return
        if not self.can_finalize:
            missing = self.missing_labels()
            self._message(
                "error",
                lambda: (
                    self.tr("Cannot finalize, still missing: {names}").format(
                        names="; ".join(missing)
                    )
                    if missing
                    else self.tr("Cannot finalize yet: the facts are still being checked")
                ),
            )
            return
        ctx = self._context
        # From here the facts are closed: a late scale reading is not recorded any more.
        self.finalizing = True

        def failed(error: BaseException) -> None:
            self.finalizing = False
            self._on_error(error)

        self._runner.submit(
            lambda: inspections.finalize_inspection(
                ctx.db, ctx.actor, ctx.standards, inspection.id
            ),
            self._on_finalized,
            failed,
        )

    def cancel_inspection(self) -> None:
        """Set the open inspection aside (it stays in the database as cancelled)."""
        inspection = self.inspection
        if inspection is None or self.state is not BenchState.INSPECTING:
            return
        if self.second_opinion:
            self._set_second_opinion_aside()
            return
        ctx = self._context

        def work() -> None:
            inspections.cancel_inspection(
                ctx.db, ctx.actor, inspection.id, "cancelled at the bench"
            )

        def done(_result: None) -> None:
            self.reset()
            self._message(
                "info", lambda: self.tr("Inspection cancelled; ready for the next parcel")
            )

        self._runner.submit(work, done, self._on_error)

    def reset(self) -> None:
        self.scan = self.rma = self.inspection = self.verdict = self.evaluation = None
        self.parcel_id = None
        self.parcel_rmas = ()
        self.rma_candidates = ()
        self._over_receipt_line = None
        self._cancel_asked_at = 0.0
        self._standard = None
        self.second_opinion = False
        self._pending.clear()
        self.scanChanged.emit(None)
        self.rmaChanged.emit(None)
        self.inspectionChanged.emit(None)
        self.evaluationChanged.emit(None)
        self.verdictChanged.emit(None)
        self._set_state(BenchState.IDLE)

    # --- results ---------------------------------------------------------------------------

    def _on_scan(self, result: ScanResult) -> None:
        self.reset()
        self._message("info", "")  # the last parcel's news is not this one's
        self.scan = result
        self.scanChanged.emit(result)
        if result.second_opinion is not None:
            self._take_second_opinion(result)
            return
        if result.message:
            self._message("warning", result.message)
        if result.rma is None:
            if result.kind is ScanKind.GTIN and len(result.candidates) > 1:
                self._choose_rma(result)
                return
            if result.kind is ScanKind.LPN:
                return
            self._blind_or_resume(result)
            return
        self.feedback.emit(Feedback.SCAN_ACCEPTED)
        if result.kind in (ScanKind.TRACKING, ScanKind.ORDER) and len(result.candidates) > 1:
            # One parcel, several orders: the others follow on F8 or by scanning their items.
            self.parcel_rmas = tuple(n for n in result.candidates if n != result.rma.number)
            self._message(
                "info",
                lambda: self.tr("This parcel holds {count} returns: {numbers}").format(
                    count=len(result.candidates), numbers=", ".join(result.candidates)
                ),
            )
        self.rma = result.rma
        self.rmaChanged.emit(result.rma)
        if result.kind is ScanKind.LPN:
            self._message(
                "info",
                lambda: self.tr("This unit was already inspected (LPN {lpn})").format(
                    lpn=result.normalized
                ),
            )
            return
        self._receive_rma_parcel(result)

    def _on_opened(self, opened: tuple[uuid.UUID, InspectionView, Standard | None]) -> None:
        self.parcel_id, view, self._standard = opened
        self._weigh_in_flight = False
        self._cancel_asked_at = 0.0
        self._items = items_of(self._standard, self.language)
        self._pending.clear()
        self.evaluation = None
        self.verdict = None
        self.verdictChanged.emit(None)
        simulated = self._context.devices.simulated_scale
        if simulated is not None:
            simulated.place(view.expected_weight_g or 350.0)
        # Fill the form while it is still hidden, then show it on the next turn of the event
        # loop: two halves of ~20 ms each instead of one ~45 ms stall at every scan.
        self._on_inspection(view, confirm=False)
        QTimer.singleShot(0, self, lambda: self._show_opened(view.id))

    def _show_opened(self, inspection_id: uuid.UUID) -> None:
        if self.inspection is not None and self.inspection.id == inspection_id:
            self._set_state(BenchState.INSPECTING)
            # After the form is laid out and painted: a worker evaluating at the same time
            # would take the GIL from the main thread in the middle of it.
            QTimer.singleShot(0, self, lambda: self._confirm_evaluation(inspection_id))

    def _on_inspection(self, view: InspectionView, *, confirm: bool = True) -> None:
        self.inspection = view
        self.inspectionChanged.emit(view)
        self._evaluate_locally()
        if confirm:
            self._confirm_evaluation(view.id)

    def _confirm_evaluation(self, inspection_id: uuid.UUID) -> None:
        """The services' own evaluation of what is recorded (the local one is shown first)."""
        ctx = self._context
        self._runner.submit(
            lambda: (
                inspection_id,
                inspections.evaluate_inspection(ctx.db, ctx.standards, inspection_id),
            ),
            self._on_evaluation,
            self._on_error,
        )

    def _on_evaluation(self, result: tuple[uuid.UUID, Evaluation]) -> None:
        inspection_id, evaluation = result
        if self.inspection is None or self.inspection.id != inspection_id or self._pending:
            return  # stale: another inspection, or newer facts are on their way
        unchanged = evaluation == self.evaluation
        self.evaluation = evaluation
        self.evaluation_confirmed = True
        if not unchanged:  # the usual case: the local evaluation was right; nothing to redraw
            self.evaluationChanged.emit(evaluation)

    def _evaluate_locally(self) -> None:
        """Instant feedback: the evaluator is pure and fast, so run it here on every change."""
        standard, facts = self.standard, self.facts()
        if standard is None or facts is None:
            return
        try:
            evaluation = standard.evaluate(facts)
        except Exception:  # the services' evaluation still arrives and decides
            log.exception("local evaluation failed")
            return
        self.evaluation = evaluation
        self.evaluation_confirmed = False
        self.evaluationChanged.emit(evaluation)

    def _on_finalized(self, verdict: VerdictView) -> None:
        self.finalizing = False
        self.printed_labels = []
        self.labelsChanged.emit([])
        second_opinion, self.second_opinion = self.second_opinion, False
        if not second_opinion:  # the unit keeps its labels; a second opinion informs a ruling
            self._issue_labels(
                self._context.settings.labels.on_finalize, inspection_id=verdict.inspection_id
            )
        self.verdict = verdict
        self.inspection = None
        self.evaluation = None
        self._standard = None
        self._pending.clear()
        self.verdictChanged.emit(verdict)
        self.inspectionChanged.emit(None)
        self._set_state(BenchState.FINALIZED)
        self.feedback.emit(Feedback.VERDICT_RECORDED)
        if second_opinion:
            self._message(
                "success",
                lambda: self.tr(
                    "Second opinion recorded: grade {grade}. It goes to the supervisor who "
                    "rules on the dispute; the unit keeps LPN {lpn}"
                ).format(grade=verdict.grade, lpn=verdict.lpn),
            )
            return
        self._message(
            "success",
            lambda: self.tr("Verdict recorded: grade {grade}, LPN {lpn}").format(
                grade=verdict.grade, lpn=verdict.lpn
            ),
        )
        if self.rma is not None:
            db, number, patterns = self._context.db, self.rma.number, self._context.settings.codes
            self._runner.submit(
                lambda: resolve_scan(db, number, patterns), self._on_rma_refreshed, self._on_error
            )

    def _on_rma_refreshed(self, result: ScanResult) -> None:
        self.rma = result.rma
        self.rmaChanged.emit(result.rma)

    def _on_error(self, error: BaseException) -> None:
        if isinstance(error, ServiceError | ValueError | OSError):
            self._message("error", str(error))
        else:
            log.error("unexpected error in bench action", exc_info=error)
            self._message("error", lambda: self.tr("Unexpected error: {error}").format(error=error))

    # --- helpers ---------------------------------------------------------------------------

    def _require_inspection(self) -> InspectionView | None:
        if self.inspection is None or self.state is not BenchState.INSPECTING:
            self._message("warning", lambda: self.tr("Scan a return first"))
            return None
        return self.inspection

    def _set_state(self, state: BenchState) -> None:
        self.state = state
        self.stateChanged.emit(state.value)

    def _message(self, level: str, text: Message) -> None:
        """Say ``text``: given as a way to say it (``lambda: self.tr(...)``), it is said again in
        the new language after a switch; a plain str (a service's refusal, already in the
        grader's language) stays as it is."""
        self._say(level, text if callable(text) else lambda: text)

    def _accept(self) -> None:
        self.feedback.emit(Feedback.SCAN_ACCEPTED)

    def _reject(self, text: Message) -> None:
        self.feedback.emit(Feedback.SCAN_REJECTED)
        self._message("warning", text)

    def set_language(self, language: str) -> None:
        """After a language switch: the checklist's texts come from the standard in the new
        language, so the items are rebuilt and the widgets shown again."""
        if self._standard is not None:
            self._items = items_of(self._standard, language)
        self.inspectionChanged.emit(self.inspection)
        self.evaluationChanged.emit(self.evaluation)
