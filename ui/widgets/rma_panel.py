"""The matched RMA and its expected lines, or the blind-return prompt."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.services.scanning import ScanResult
from station.timeutil import today_utc
from station.views import InspectionView, RmaView
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, current_theme, message_colour, text_colour
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.widgets.blind_item import BlindItemBox


def _fit_columns(table: QTableWidget, stretch: int) -> None:
    """Every column as wide as its contents and the one with words (the item, the seller)
    takes the rest: the table fits the panel, no column is cut off at its right edge."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()  # the line number is a column of its own
    table.setWordWrap(True)


def _italic(markup: str) -> str:
    return f"<i>{markup}</i>"


class RmaPanel(Retranslatable, QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._rma: RmaView | None = None
        self._scan: ScanResult | None = None
        self._state = vm.state
        self.header = QLabel(self)
        self.header.setObjectName("rmaHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.blind_label = QLabel(self)
        self.blind_label.setObjectName("blindLabel")
        self.blind_label.setWordWrap(True)
        self.blind_label.setStyleSheet(
            "background:#b35900; color:white; font-size:18pt; font-weight:bold; padding:12px;"
        )
        self.blind_button = QPushButton(self)
        self.blind_button.setObjectName("blindButton")
        self.blind_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.blind_button.clicked.connect(vm.receive_blind)
        self.lines = QTableWidget(0, 5, self)
        self.lines.setObjectName("rmaLines")
        _fit_columns(self.lines, stretch=2)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.itemActivated.connect(self._line_activated)
        self._open_line: uuid.UUID | None = None
        # A product on several open returns: the grader picks this parcel's (CHOOSE_RMA).
        self.candidates = QTableWidget(0, 5, self)
        self.candidates.setObjectName("rmaCandidates")
        _fit_columns(self.candidates, stretch=1)
        self.candidates.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.candidates.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.candidates.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.candidates.itemActivated.connect(self._candidate_activated)
        self.blind_item = BlindItemBox(vm, self)
        self.hint = QLabel(self)
        self.hint.setObjectName("rmaHint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.header, self.blind_label, self.blind_button, self.blind_item, self.lines,
            self.candidates, self.hint,
        ):  # fmt: skip
            layout.addWidget(widget)
        vm.rmaChanged.connect(self._show_rma)
        vm.scanChanged.connect(self._show_scan)
        vm.stateChanged.connect(self._show_state)
        vm.inspectionChanged.connect(self._show_open_line)
        vm.candidatesChanged.connect(self._show_candidates)
        self._show_rma(None)
        self._show_state(vm.state.value)
        self.retranslate()

    def _reason_name(self, code: str | None) -> str:
        """The import's reason codes (station.services.rma_records.ReasonCode) in words;
        a code from elsewhere is shown as it came."""
        names = {
            "size": self.tr("size"),
            "defect": self.tr("defect"),
            "not_as_described": self.tr("not as described"),
            "colour": self.tr("colour"),
            "changed_mind": self.tr("changed mind"),
            "damaged_in_transit": self.tr("damaged in transit"),
            "other": self.tr("other"),
        }
        return names.get(code or "", code or "–")

    def restyle(self) -> None:
        self._show_rma(self._rma)  # finished lines take the new theme's muted colour
        self.retranslate()  # the late-return warning is rich text in the theme's error colour

    def retranslate(self) -> None:
        self.blind_button.setText(self.tr("Receive as blind return (Ctrl+B)"))
        self.lines.setHorizontalHeaderLabels(
            [
                self.tr("Line"),
                self.tr("SKU"),
                self.tr("Item"),
                self.tr("GTIN"),
                self.tr("Received"),
            ]
        )
        self.candidates.setHorizontalHeaderLabels(
            [self.tr("RMA"), self.tr("Seller"), self.tr("Order"), self.tr("Country"),
             self.tr("Expected")]
        )  # fmt: skip
        self._show_header()
        self._show_blind_text()
        self._show_hint()

    def _show_scan(self, scan: ScanResult | None) -> None:
        if scan is None or scan.rma is not None:
            return
        self._scan = scan
        self._show_blind_text()

    def _show_blind_text(self) -> None:
        scan = self._scan
        if scan is None:
            self.blind_label.clear()
        elif scan.carrier:
            self.blind_label.setText(
                self.tr("Blind return: no RMA matches {code} ({carrier})").format(
                    code=scan.normalized, carrier=scan.carrier
                )
            )
        else:
            self.blind_label.setText(
                self.tr("Blind return: no RMA matches {code}").format(code=scan.normalized)
            )

    def _show_rma(self, rma: RmaView | None) -> None:
        self._rma = rma
        self.lines.setRowCount(0)
        self._show_header()
        if rma is None:
            return
        self.lines.setRowCount(len(rma.lines))
        for row, line in enumerate(rma.lines):
            values = [
                str(line.line_no),
                line.sku,
                line.title or "",
                line.gtin or "",
                # "received / expected": one narrow column leaves the item's title room.
                f"{line.qty_received} / {line.qty_expected}",
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(line.id))
                if line.remaining == 0:  # finished: the theme's muted text, still readable
                    item.setForeground(QColor(text_colour("muted_text")))
                self.lines.setItem(row, column, item)
        self._mark_open_line()

    def _show_open_line(self, view: InspectionView | None) -> None:
        line_id = view.rma_line_id if view is not None else None
        if line_id != self._open_line:
            self._open_line = line_id
            self._mark_open_line()

    def _mark_open_line(self) -> None:
        """The line of the unit on the bench stands out: bold, tinted, and marked ▶."""
        tint = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        tint.setAlpha(70)
        for row in range(self.lines.rowCount()):
            first = self.lines.item(row, 0)
            if first is None:
                continue
            is_open = first.data(Qt.ItemDataRole.UserRole) == str(self._open_line)
            number = first.text().removeprefix("▶ ")
            first.setText(f"▶ {number}" if is_open else number)
            for column in range(self.lines.columnCount()):
                item = self.lines.item(row, column)
                if item is None:
                    continue
                font = item.font()
                font.setBold(is_open)
                item.setFont(font)
                item.setBackground(QBrush(tint) if is_open else QBrush())

    def _show_candidates(self, rmas: tuple[RmaView, ...]) -> None:
        self.candidates.setRowCount(len(rmas))
        for row, rma in enumerate(rmas):
            expected = ", ".join(f"{ln.sku} ×{ln.remaining}" for ln in rma.lines if ln.remaining)
            values = [rma.number, rma.seller_name or "–", rma.order_id or "–",
                      rma.customer_country or "–", expected]  # fmt: skip
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, rma.number)
                self.candidates.setItem(row, column, item)

    def _candidate_activated(self, item: QTableWidgetItem) -> None:
        self._vm.choose_rma(str(item.data(Qt.ItemDataRole.UserRole)))

    def _show_header(self) -> None:
        """The RMA's facts, one translated sentence per line (Chinese orders them its own way)."""
        rma = self._rma
        if rma is None:
            nothing = html.escape(self.tr("No return scanned yet."))
            self.header.setText(_italic(nothing))
            return
        esc = html.escape
        deadline = esc(str(rma.return_deadline or "–"))
        if rma.outside_window(today_utc()):
            late = self.tr("OUTSIDE RETURN WINDOW ({deadline})").format(deadline=deadline)
            # Rich text cannot take the theme's property colours: the theme's error colour.
            deadline = f"<b style='color:{message_colour(current_theme(), 'error')}'>{late}</b>"
        first = self.tr("{rma} · {seller} · {channel} · order {order} · {country}").format(
            rma=f"<span style='font-size:16pt'><b>{esc(rma.number)}</b></span>",
            seller=esc(rma.seller_name or "–"),
            channel=esc(rma.channel or "–"),
            order=esc(rma.order_id or "–"),
            country=esc(rma.customer_country or "–"),
        )
        reason = self.tr("Reason: {code} {text}").format(
            code=f"<b>{esc(self._reason_name(rma.reason_code))}</b>",
            text=esc(rma.reason_text or ""),
        )
        dates = self.tr("Delivered: {delivered} · Return by: {deadline}").format(
            delivered=esc(str(rma.delivered_on or "–")), deadline=deadline
        )
        self.header.setText(f"{first}<br>{reason}<br>{dates}")

    def _show_state(self, state: str) -> None:
        current = BenchState(state)
        self._state = current
        prompt = current is BenchState.BLIND_PROMPT
        choosing_rma = current is BenchState.CHOOSE_RMA
        blind_unit = current is BenchState.INSPECTING and self._vm.rma is None
        self.blind_label.setVisible(prompt or blind_unit)
        self.blind_button.setVisible(prompt)
        self.blind_item.setVisible(blind_unit)
        self.header.setVisible(not (prompt or blind_unit or choosing_rma))
        self.lines.setVisible(not (prompt or blind_unit or choosing_rma))
        self.candidates.setVisible(choosing_rma)
        self._show_hint()
        if current is BenchState.CHOOSE_LINE and self.lines.rowCount():
            self.lines.setFocus()
            self.lines.selectRow(self._first_open_row())
        if choosing_rma and self.candidates.rowCount():
            self.candidates.setFocus()
            self.candidates.selectRow(0)

    def _first_open_row(self) -> int:
        """The first line with a unit left: Enter on the selection never reopens a finished
        line by accident (a finished one asks first)."""
        lines = self._rma.lines if self._rma is not None else ()
        return next((row for row, line in enumerate(lines) if line.remaining > 0), 0)

    def _show_hint(self) -> None:
        hints = {
            BenchState.CHOOSE_LINE: self.tr(
                "Several units expected: select the line and press Enter, or scan the "
                "item's barcode."
            ),
            BenchState.CHOOSE_RMA: self.tr(
                "Select this parcel's return and press Enter, or scan its return label."
            ),
        }
        self.hint.setText(hints.get(self._state, ""))

    def _line_activated(self, item: QTableWidgetItem) -> None:
        if self._vm.state is BenchState.CHOOSE_LINE:
            self._vm.choose_line(uuid.UUID(item.data(Qt.ItemDataRole.UserRole)))
