"""Which unit is on the bench: a rescanned parcel resumes its draft, F8 takes the next unit not
yet received, one more unit than expected needs a yes, a product on several open returns is
picked from a list, and a blind return's item is identified.

A mixin of ``BenchViewModel`` (kept apart to keep each module small). The services decide
(``station.services.receiving``: a draft is resumed, an over-receipt refused unless
confirmed); this decides what the grader is asked, and in which order.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from station.services import receiving
from station.services.scanning import ScanKind, ScanResult, resolve_scan
from station.views import InspectionView, RmaLineView, RmaView

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from inspection_rules import Standard
    from station.context import AppContext
    from ui.tasks import TaskRunner
    from ui.viewmodels.bench import BenchState
    from ui.viewmodels.messages import Message

Opened = tuple[uuid.UUID, InspectionView, "Standard | None"]


class UnitFlow:
    """Needs the attributes below from ``BenchViewModel``."""

    state: BenchState
    scan: ScanResult | None
    rma: RmaView | None
    parcel_id: uuid.UUID | None
    inspection: InspectionView | None
    _context: AppContext
    _runner: TaskRunner
    # RMAs a scanned product is on, when it is on several open ones (CHOOSE_RMA).
    rma_candidates: tuple[RmaView, ...]
    # A finished line the grader chose once: choosing it again receives one more than expected.
    _over_receipt_line: uuid.UUID | None

    if TYPE_CHECKING:
        feedback: SignalInstance
        rmaChanged: SignalInstance
        candidatesChanged: SignalInstance
        catalogueChanged: SignalInstance

        def tr(self, text: str) -> str: ...
        def remaining_lines(self) -> list[RmaLineView]: ...
        def _message(self, level: str, text: Message) -> None: ...
        def _accept(self) -> None: ...
        def _reject(self, text: Message) -> None: ...
        def _on_error(self, error: BaseException) -> None: ...
        def _on_opened(self, opened: Opened) -> None: ...
        def _on_inspection(self, view: InspectionView, *, confirm: bool = True) -> None: ...
        def _set_state(self, state: BenchState) -> None: ...
        def _lookup(self, code: str) -> None: ...

    # --- a parcel scanned: resume, receive, or say all is received ---------------------------

    def _receive_rma_parcel(self, result: ScanResult) -> None:
        """The scanned parcel's RMA matched: this bench's unfinished unit of it comes back
        first; else the parcel is received and its unit opened (or chosen)."""
        assert result.rma is not None
        ctx, rma_number = self._context, result.rma.number
        tracking = result.normalized if result.kind is ScanKind.TRACKING else None
        has_remaining = bool(self.remaining_lines())

        def work() -> tuple[Opened | None, uuid.UUID | None]:
            draft = receiving.resume_draft(ctx.db, ctx.actor, rma_number=rma_number)
            if draft is not None:
                return self._opened(draft), None
            if not has_remaining:
                return None, None  # nothing to receive until the grader confirms one more
            parcel = receiving.receive_parcel(
                ctx.db, ctx.actor, result.normalized, rma_number,
                tracking_number=tracking, carrier=result.carrier,
            )  # fmt: skip
            return None, parcel.id

        self._runner.submit(work, self._on_rma_parcel, self._on_error)

    def _on_rma_parcel(self, outcome: tuple[Opened | None, uuid.UUID | None]) -> None:
        from ui.viewmodels.bench import BenchState

        opened, parcel_id = outcome
        if opened is not None:
            self._resumed(opened)
            return
        if parcel_id is not None:
            self.parcel_id = parcel_id
            self._choose_or_open()
            return
        number = self.rma.number if self.rma else ""
        self._set_state(BenchState.CHOOSE_LINE)
        self._message(
            "warning",
            lambda: self.tr(
                "Every unit of RMA {rma} has been received already. If this parcel holds one "
                "more, select its line and press Enter twice"
            ).format(rma=number),
        )

    def _resumed(self, opened: Opened) -> None:
        self._on_opened(opened)
        self._message("info", lambda: self.tr("Resumed the unfinished inspection of this unit"))

    def _opened(self, view: InspectionView) -> Opened:
        """Called on the worker: the standard version may need the database."""
        return view.parcel_id, view, self._context.standards.by_hash(view.standard_hash)

    def _blind_or_resume(self, result: ScanResult) -> None:
        """No RMA matched: a blind parcel this bench began under the same code resumes;
        otherwise the bench offers to receive it as a blind return."""
        from ui.viewmodels.bench import BenchState, Feedback

        ctx, code = self._context, result.normalized

        def work() -> Opened | None:
            draft = receiving.resume_draft(ctx.db, ctx.actor, scanned_code=code)
            return self._opened(draft) if draft is not None else None

        def done(opened: Opened | None) -> None:
            if opened is not None:
                self.feedback.emit(Feedback.SCAN_ACCEPTED)
                self._resumed(opened)
            else:
                self.feedback.emit(Feedback.SCAN_REJECTED)
                self._set_state(BenchState.BLIND_PROMPT)

        self._runner.submit(work, done, self._on_error)

    # --- choosing the unit --------------------------------------------------------------------

    def _choose_or_open(self) -> None:
        from ui.viewmodels.bench import BenchState

        remaining = self.remaining_lines()
        if len(remaining) == 1 and self.parcel_id is not None:
            self._open_inspection(self.parcel_id, remaining[0].id)
        else:
            self._over_receipt_line = None
            self._set_state(BenchState.CHOOSE_LINE)

    def _open_next_line(self) -> None:
        """F8 / NEXT UNIT: the first line (in line order) with a unit not yet received; a
        finished line is never opened again this way."""
        remaining = sorted(self.remaining_lines(), key=lambda line: line.line_no)
        if not remaining:
            self._reject(lambda: self.tr("All units of this parcel are received"))
        elif self.parcel_id is not None:
            self._open_inspection(self.parcel_id, remaining[0].id)

    def choose_line(self, line_id: uuid.UUID) -> None:
        """A line picked while choosing: a line with units left opens; a finished line asks
        first, and opens one more than expected when chosen again."""
        line = next((ln for ln in (self.rma.lines if self.rma else ()) if ln.id == line_id), None)
        if line is None:
            return
        if line.remaining > 0:
            self._over_receipt_line = None
            if self.parcel_id is not None:
                self._open_inspection(self.parcel_id, line_id)
            return
        if self._over_receipt_line != line_id:
            self._over_receipt_line = line_id
            self._reject(
                lambda: self.tr(
                    "Line {line}: all {count} expected units are received. Press Enter again "
                    "to receive one more than expected, or Esc"
                ).format(line=line.line_no, count=line.qty_expected)
            )
            return
        self._over_receipt_line = None
        self._accept()
        self._receive_over(line_id)

    def _receive_over(self, line_id: uuid.UUID) -> None:
        """One more unit than expected, confirmed: the parcel is received now if it was not."""
        ctx, scan, rma = self._context, self.scan, self.rma
        parcel_id = self.parcel_id
        assert rma is not None

        def work() -> Opened:
            nonlocal parcel_id
            if parcel_id is None:
                parcel_id = receiving.receive_parcel(
                    ctx.db, ctx.actor, scan.normalized if scan else rma.number, rma.number,
                    tracking_number=scan.normalized
                    if scan is not None and scan.kind is ScanKind.TRACKING else None,
                    carrier=scan.carrier if scan else None,
                ).id  # fmt: skip
            view = receiving.open_inspection(
                ctx.db, ctx.actor, ctx.standards, parcel_id, line_id, over_receipt=True
            )
            return self._opened(view)

        self._runner.submit(work, self._on_opened, self._on_error)

    def _open_inspection(self, parcel_id: uuid.UUID, line_id: uuid.UUID | None) -> None:
        ctx = self._context

        def work() -> Opened:
            view = receiving.open_inspection(ctx.db, ctx.actor, ctx.standards, parcel_id, line_id)
            return self._opened(view)

        self._runner.submit(work, self._on_opened, self._on_error)

    # --- a product on several open returns -----------------------------------------------------

    def _choose_rma(self, result: ScanResult) -> None:
        """A product's GTIN names no single return: list the open RMAs it is on, to pick the
        one this parcel is (or scan the return label instead)."""
        from ui.viewmodels.bench import BenchState

        ctx, numbers = self._context, result.candidates

        def work() -> tuple[RmaView, ...]:
            found = (resolve_scan(ctx.db, n, ctx.settings.codes).rma for n in numbers)
            return tuple(rma for rma in found if rma is not None)

        def done(rmas: tuple[RmaView, ...]) -> None:
            self.rma_candidates = rmas
            self.candidatesChanged.emit(rmas)
            self._set_state(BenchState.CHOOSE_RMA)
            self._message(
                "warning",
                lambda: self.tr(
                    "This product is on {count} open returns: pick this parcel's return and "
                    "press Enter, or scan the return label"
                ).format(count=len(rmas)),
            )

        self._runner.submit(work, done, self._on_error)

    def choose_rma(self, number: str) -> None:
        from ui.viewmodels.bench import BenchState

        if self.state is BenchState.CHOOSE_RMA:
            self._accept()
            self._lookup(number)

    # --- a blind return's item ------------------------------------------------------------------

    @property
    def needs_item(self) -> bool:
        """A blind return whose item is not identified yet."""
        view = self.inspection
        facts = view.facts if view is not None else None
        return facts is not None and facts.is_blind and not facts.item_identified

    def identify_item(self, text: str) -> None:
        """A scanned GTIN or SKU, or what the grader typed: what the blind return's item is."""
        view = self.inspection
        if view is None or not text.strip():
            return
        ctx = self._context
        self._runner.submit(
            lambda: receiving.identify_item(ctx.db, ctx.actor, view.id, text),
            self._on_identified,
            self._on_error,
        )

    def load_catalogue(self) -> None:
        """The SKUs to pick a blind return's item from (``catalogueChanged``)."""
        db = self._context.db
        self._runner.submit(
            lambda: receiving.catalogue_items(db), self.catalogueChanged.emit, self._on_error
        )

    def _on_identified(self, view: InspectionView) -> None:
        if self.inspection is None or self.inspection.id != view.id:
            return
        self._accept()
        self._on_inspection(view)
