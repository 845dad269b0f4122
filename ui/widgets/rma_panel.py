"""The matched RMA and its expected lines, or the blind-return prompt."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import Qt
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
from station.views import RmaView
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX, current_theme, message_colour
from ui.viewmodels.bench import BenchState, BenchViewModel


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
        self.lines = QTableWidget(0, 6, self)
        self.lines.setObjectName("rmaLines")
        self.lines.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.itemActivated.connect(self._line_activated)
        self.hint = QLabel(self)
        self.hint.setObjectName("rmaHint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.header, self.blind_label, self.blind_button, self.lines, self.hint):
            layout.addWidget(widget)
        vm.rmaChanged.connect(self._show_rma)
        vm.scanChanged.connect(self._show_scan)
        vm.stateChanged.connect(self._show_state)
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
        self.retranslate()  # the late-return warning is rich text in the theme's error colour

    def retranslate(self) -> None:
        self.blind_button.setText(self.tr("Receive as blind return (Ctrl+B)"))
        self.lines.setHorizontalHeaderLabels(
            [
                self.tr("Line"),
                self.tr("SKU"),
                self.tr("Item"),
                self.tr("GTIN"),
                self.tr("Expected"),
                self.tr("Received"),
            ]
        )
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
                str(line.qty_expected),
                str(line.qty_received),
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(line.id))
                if line.remaining == 0:
                    item.setForeground(Qt.GlobalColor.gray)
                self.lines.setItem(row, column, item)
        self.lines.resizeColumnsToContents()

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
        blind = current is BenchState.BLIND_PROMPT
        self.blind_label.setVisible(blind)
        self.blind_button.setVisible(blind)
        self.header.setVisible(not blind)
        self.lines.setVisible(not blind)
        self._show_hint()
        if current is BenchState.CHOOSE_LINE and self.lines.rowCount():
            self.lines.setFocus()
            self.lines.selectRow(0)

    def _show_hint(self) -> None:
        self.hint.setText(
            self.tr(
                "Several units expected: select the line and press Enter, or scan the "
                "item's barcode."
            )
            if self._state is BenchState.CHOOSE_LINE
            else ""
        )

    def _line_activated(self, item: QTableWidgetItem) -> None:
        if self._vm.state is BenchState.CHOOSE_LINE:
            self._vm.choose_line(uuid.UUID(item.data(Qt.ItemDataRole.UserRole)))
