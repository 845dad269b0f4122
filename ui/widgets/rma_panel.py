"""The matched RMA and its expected lines, or the blind-return prompt."""

from __future__ import annotations

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
from ui.viewmodels.bench import BenchState, BenchViewModel


class RmaPanel(QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
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
        self.blind_button = QPushButton(self.tr("Receive as blind return (Ctrl+B)"), self)
        self.blind_button.setObjectName("blindButton")
        self.blind_button.setMinimumHeight(44)
        self.blind_button.clicked.connect(vm.receive_blind)
        self.lines = QTableWidget(0, 6, self)
        self.lines.setObjectName("rmaLines")
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
        self.lines.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.itemActivated.connect(self._line_activated)
        self.hint = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.header, self.blind_label, self.blind_button, self.lines, self.hint):
            layout.addWidget(widget)
        vm.rmaChanged.connect(self._show_rma)
        vm.scanChanged.connect(self._show_scan)
        vm.stateChanged.connect(self._show_state)
        self._show_rma(None)
        self._show_state(vm.state.value)

    def _show_scan(self, scan: ScanResult | None) -> None:
        if scan is None or scan.rma is not None:
            return
        carrier = f" ({scan.carrier})" if scan.carrier else ""
        self.blind_label.setText(
            self.tr("Blind return: no RMA matches {code}{carrier}").format(
                code=scan.normalized, carrier=carrier
            )
        )

    def _show_rma(self, rma: RmaView | None) -> None:
        self.lines.setRowCount(0)
        if rma is None:
            self.header.setText(self.tr("<i>No return scanned yet.</i>"))
            return
        late = rma.outside_window(today_utc())
        deadline = (
            f"<b style='color:#b00020'>{self.tr('OUTSIDE RETURN WINDOW')} "
            f"({rma.return_deadline})</b>"
            if late
            else str(rma.return_deadline or "–")
        )
        self.header.setText(
            f"<span style='font-size:16pt'><b>{rma.number}</b></span> · {rma.seller_name} · "
            f"{rma.channel} · {self.tr('order')} {rma.order_id or '–'} · "
            f"{rma.customer_country or '–'}<br>"
            f"{self.tr('Reason')}: <b>{rma.reason_code or '–'}</b> {rma.reason_text or ''}<br>"
            f"{self.tr('Delivered')}: {rma.delivered_on or '–'} · "
            f"{self.tr('Return by')}: {deadline}"
        )
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

    def _show_state(self, state: str) -> None:
        current = BenchState(state)
        blind = current is BenchState.BLIND_PROMPT
        self.blind_label.setVisible(blind)
        self.blind_button.setVisible(blind)
        self.header.setVisible(not blind)
        self.lines.setVisible(not blind)
        self.hint.setText(
            self.tr(
                "Several units expected: select the line and press Enter, or scan the "
                "item's barcode."
            )
            if current is BenchState.CHOOSE_LINE
            else ""
        )
        if current is BenchState.CHOOSE_LINE and self.lines.rowCount():
            self.lines.setFocus()
            self.lines.selectRow(0)

    def _line_activated(self, item: QTableWidgetItem) -> None:
        if self._vm.state is BenchState.CHOOSE_LINE:
            self._vm.choose_line(uuid.UUID(item.data(Qt.ItemDataRole.UserRole)))
