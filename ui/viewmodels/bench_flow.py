"""Scan-first working: command barcodes, cancelling on purpose, parcels of several units or
several orders, and the weight taken when the scale settles.

A mixin of ``BenchViewModel`` (kept apart to keep each module small). A grader with a scanner
in one hand should never need the mouse: every action is a key or a scan from the command
sheet, and a scan is judged by what the bench is doing (a GTIN while choosing picks the line,
after a verdict it opens the next unit of the same parcel).
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from devices.gs1 import gtin_to_14, is_valid_gtin
from station.commands import Command, CommandKind, UnknownCommand, command_label, parse_command
from station.services.scanning import ScanKind, ScanResult, resolve_scan
from station.services.second_opinion import take_second_opinion
from station.views import RmaLineView, RmaView

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from inspection_rules import Standard
    from station.context import AppContext
    from station.services.labels import LabelPrintView
    from station.views import InspectionView, VerdictView
    from ui.tasks import TaskRunner
    from ui.viewmodels.bench import BenchState
    from ui.viewmodels.messages import Message

CANCEL_CONFIRM_S = 3.0


class ScanFirstFlow:
    """Needs the attributes below from ``BenchViewModel``."""

    state: BenchState
    scan: ScanResult | None
    rma: RmaView | None
    parcel_id: uuid.UUID | None
    inspection: InspectionView | None
    verdict: VerdictView | None
    printed_labels: list[LabelPrintView]
    _context: AppContext
    _runner: TaskRunner
    # Other open RMAs that arrived in the same parcel (one label, several orders).
    parcel_rmas: tuple[str, ...]
    _cancel_asked_at: float
    _weigh_in_flight: bool
    finalizing: bool

    if TYPE_CHECKING:
        feedback: SignalInstance
        commitRequested: SignalInstance

        def tr(self, text: str) -> str: ...
        def finalize(self) -> None: ...
        def receive_blind(self) -> None: ...
        def reprint(self, label_print_id: uuid.UUID) -> None: ...
        def choose_line(self, line_id: uuid.UUID) -> None: ...
        def cancel_inspection(self) -> None: ...
        def reset(self) -> None: ...
        def remaining_lines(self) -> list[RmaLineView]: ...
        def _message(self, level: str, text: Message) -> None: ...
        def _accept(self) -> None: ...
        def _reject(self, text: Message) -> None: ...
        def _on_error(self, error: BaseException) -> None: ...
        def _choose_or_open(self) -> None: ...
        def _open_next_line(self) -> None: ...
        def _record_weight_reading(self, weight: Any) -> None: ...
        def _lookup(self, code: str) -> None: ...
        @property
        def evaluation_grade(self) -> str | None: ...

    # --- commands ----------------------------------------------------------------------------

    def handle_command_scan(self, code: str) -> bool:
        """Run ``code`` if it is a command barcode; False when it is not one."""
        try:
            command = parse_command(code)
        except UnknownCommand as error:
            self._reject(str(error))
            return True
        if command is None:
            return False
        self.run_command(command)
        return True

    def run_command(self, command: Command) -> None:
        """The same actions as the keys; a command that does not fit the moment says why."""
        from ui.viewmodels.bench import BenchState

        kind, state = command.kind, self.state
        if kind in (CommandKind.FINALIZE, CommandKind.GRADE) and state is BenchState.INSPECTING:
            # A value still being typed is recorded first, as F12 does.
            self.commitRequested.emit()
            grade = command.grade
            if grade is not None and grade != self.evaluation_grade:
                self._reject(lambda: self._grade_mismatch(grade))
                return
            self._accept()
            self.finalize()
        elif kind is CommandKind.NEXT_UNIT and state is BenchState.FINALIZED:
            self.next_unit()  # says (and sounds) whether a unit is left
        elif kind is CommandKind.REPRINT and self.printed_labels:
            self._accept()
            self.reprint(self.printed_labels[0].id)
        elif kind is CommandKind.BLIND_RETURN and state is BenchState.BLIND_PROMPT:
            self._accept()
            self.receive_blind()
        elif kind is CommandKind.CANCEL:
            self._accept()
            self.request_cancel()
        else:
            self._reject(
                lambda: self.tr("“{command}” does not apply now").format(
                    command=command_label(command)
                )
            )

    def _grade_mismatch(self, scanned: str) -> str:
        grade = self.evaluation_grade
        if grade is None:
            return self.tr(
                "Cannot finalize as grade {grade}: the checklist is not complete"
            ).format(grade=scanned)
        return self.tr(
            "The standard gives grade {grade}, not {scanned}: check the answers, or press F12 "
            "to record grade {grade}"
        ).format(grade=grade, scanned=scanned)

    def request_cancel(self) -> None:
        """Esc or the CANCEL barcode: leave a prompt at once; an open inspection needs a second
        Esc/CANCEL within 3 s, so a stray key never throws away a half-inspected unit."""
        from ui.viewmodels.bench import BenchState

        if self.state is not BenchState.INSPECTING:
            self.reset()
            return
        now = time.monotonic()
        if now - self._cancel_asked_at <= CANCEL_CONFIRM_S:
            self._cancel_asked_at = 0.0
            self.cancel_inspection()
            return
        self._cancel_asked_at = now
        self._message(
            "warning", lambda: self.tr("Press Esc (or scan CANCEL) again to cancel this inspection")
        )

    # --- several units, several orders -------------------------------------------------------

    def next_unit(self) -> None:
        """F8 / NEXT UNIT: the next unit of this RMA, else of the next order in the same parcel,
        without rescanning the parcel."""
        from ui.viewmodels.bench import BenchState

        if self.state is not BenchState.FINALIZED or self.rma is None:
            return
        ctx, number = self._context, self.rma.number
        db, patterns = ctx.db, ctx.settings.codes
        others = self.parcel_rmas

        def work() -> tuple[ScanResult, ScanResult | None]:
            current = resolve_scan(db, number, patterns)
            if current.rma is not None and any(line.remaining for line in current.rma.lines):
                return current, None
            for other in others:
                result = resolve_scan(db, other, patterns)
                if result.rma is not None and any(line.remaining for line in result.rma.lines):
                    return current, result
            return current, None

        self._runner.submit(work, self._on_next_unit, self._on_error)

    def _on_next_unit(self, results: tuple[ScanResult, ScanResult | None]) -> None:
        current, other = results
        if other is not None and other.rma is not None:
            self._accept()
            self._switch_parcel_rma(other.rma)
            return
        self.rma = current.rma
        self.rmaChanged.emit(current.rma)  # type: ignore[attr-defined]
        if self.remaining_lines():
            self._accept()
            self._open_next_line()
        else:
            self._reject(lambda: self.tr("All units of this parcel are received"))

    def _switch_parcel_rma(self, rma: RmaView, line_id: uuid.UUID | None = None) -> None:
        """Go on with another order of the same parcel: it is received under its own RMA (so
        its refund and events are its own), tracked with the same parcel label."""
        from station.services import receiving

        ctx, scan = self._context, self.scan
        self.parcel_rmas = tuple(n for n in self.parcel_rmas if n != rma.number) + (
            (self.rma.number,) if self.rma is not None and self.rma.number != rma.number else ()
        )
        self.rma = rma
        self.rmaChanged.emit(rma)  # type: ignore[attr-defined]
        tracking = scan.normalized if scan is not None and scan.kind is ScanKind.TRACKING else None

        def work() -> uuid.UUID:
            return receiving.receive_parcel(
                ctx.db, ctx.actor, scan.normalized if scan else rma.number, rma.number,
                tracking_number=tracking, carrier=scan.carrier if scan else None,
            ).id  # fmt: skip

        def received(parcel_id: uuid.UUID) -> None:
            self.parcel_id = parcel_id
            if line_id is not None:
                self.choose_line(line_id)
            else:
                self._choose_or_open()

        self._runner.submit(work, received, self._on_error)

    def pick_unit_by_gtin(self, code: str) -> bool:
        """Scanning an item's GTIN while choosing a line, or after a verdict, opens that unit:
        from this RMA, or from another order in the same parcel."""
        from ui.viewmodels.bench import BenchState

        digits = code.strip()
        if self.state not in (BenchState.CHOOSE_LINE, BenchState.FINALIZED):
            return False
        if not (digits.isdigit() and is_valid_gtin(digits)) or self.parcel_id is None:
            return False
        if self.state is BenchState.CHOOSE_LINE:
            # The lines were just read: pick locally, at once.
            line = _line_for(self.remaining_lines(), digits)
            if line is not None:
                self._accept()
                self.choose_line(line.id)
            elif self.parcel_rmas:
                self._pick_from_orders(self.parcel_rmas, digits, None)
            else:
                self._reject(lambda: self.tr("GTIN {gtin} is not on this RMA").format(gtin=digits))
            return True
        if self.rma is None:
            return False
        # After a verdict the lines are read again (the last finalize changed them); a GTIN
        # on none of this parcel's returns is looked up like any other scan.
        self._pick_from_orders((self.rma.number, *self.parcel_rmas), digits, code)
        return True

    def _pick_from_orders(self, numbers: tuple[str, ...], gtin: str, fallback: str | None) -> None:
        ctx, current = self._context, self.rma.number if self.rma else None
        db, patterns = ctx.db, ctx.settings.codes

        def work() -> tuple[RmaView, RmaLineView] | None:
            for number in numbers:
                rma = resolve_scan(db, number, patterns).rma
                line = _line_for([ln for ln in rma.lines if ln.remaining], gtin) if rma else None
                if rma is not None and line is not None:
                    return rma, line
            return None

        def done(found: tuple[RmaView, RmaLineView] | None) -> None:
            if found is None and fallback is not None:
                self._lookup(fallback)
            elif found is None:
                self._reject(
                    lambda: self.tr("GTIN {gtin} is not on any return in this parcel").format(
                        gtin=gtin
                    )
                )
            elif found[0].number == current:
                self._accept()
                self.rma = found[0]
                self.choose_line(found[1].id)
            else:
                self._accept()
                self._switch_parcel_rma(found[0], found[1].id)

        self._runner.submit(work, done, self._on_error)

    # --- weight ------------------------------------------------------------------------------

    def offer_weight(self, weight: Any) -> None:
        """A reading from the live scale: the first settled one is recorded by itself while
        nothing is recorded yet (F6 weighs again, the typed weight overrides)."""
        from ui.viewmodels.bench import BenchState

        minimum = self._context.settings.scale.auto_record_min_g
        view = self.inspection
        if (
            minimum <= 0
            or self.state is not BenchState.INSPECTING
            or self.finalizing
            or view is None
            or view.weight_g is not None
            or self._weigh_in_flight
            or not weight.stable
            or getattr(weight, "status", "ok") != "ok"
            or weight.grams < minimum
        ):
            return
        self._weigh_in_flight = True
        self._record_weight_reading(weight)


def _line_for(lines: list[RmaLineView], gtin: str) -> RmaLineView | None:
    return next((ln for ln in lines if ln.gtin and gtin_to_14(ln.gtin) == gtin_to_14(gtin)), None)


class SecondOpinionFlow:
    """A supervisor asked for a second opinion on a disputed unit: the next grader (not the
    first) who scans its LPN inspects it again, blind, as a draft of its own. Its verdict goes
    to the supervisor only: no labels are printed and nothing is sent upstream. Esc sets it
    aside without cancelling it: it waits for the next scan of that LPN."""

    _context: AppContext
    _runner: TaskRunner
    rma: RmaView | None
    second_opinion: bool

    if TYPE_CHECKING:
        feedback: SignalInstance
        rmaChanged: SignalInstance

        def tr(self, text: str) -> str: ...
        def reset(self) -> None: ...
        def _message(self, level: str, text: Message) -> None: ...
        def _on_error(self, error: BaseException) -> None: ...
        def _on_opened(self, opened: tuple[uuid.UUID, InspectionView, Standard | None]) -> None: ...

    def _take_second_opinion(self, result: ScanResult) -> None:
        from ui.viewmodels.bench import Feedback

        inspection_id, lpn, ctx = result.second_opinion, result.normalized, self._context
        assert inspection_id is not None
        self.feedback.emit(Feedback.SCAN_ACCEPTED)
        self.rma = result.rma
        self.rmaChanged.emit(result.rma)

        def work() -> tuple[uuid.UUID, InspectionView, Standard | None]:
            view = take_second_opinion(ctx.db, ctx.actor, inspection_id)
            return view.parcel_id, view, ctx.standards.by_hash(view.standard_hash)

        def opened(opened: tuple[uuid.UUID, InspectionView, Standard | None]) -> None:
            self.second_opinion = True
            self._on_opened(opened)
            self._message(
                "info",
                lambda: self.tr(
                    "Second opinion on LPN {lpn}: inspect the unit as if for the first time "
                    "(the first grade is not shown)"
                ).format(lpn=lpn),
            )

        self._runner.submit(work, opened, self._on_error)

    def _set_second_opinion_aside(self) -> None:
        self.reset()
        self._message(
            "info",
            lambda: self.tr(
                "Second opinion set aside: it waits for the next scan of the unit's LPN"
            ),
        )
