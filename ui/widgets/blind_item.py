"""A blind return's item: what it is (scanned, picked or typed) and its receipt label.

With no RMA nothing but the grader says what the unit is, so the verdict waits for it
(``inspection_rules`` lists it as missing). A scanner types the GTIN or SKU into the field (or
the bench takes the scan wherever the focus is); the list completes SKU codes and titles as
the grader types; anything else typed is kept as a description.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QVBoxLayout, QWidget

from station.services.labels import LabelPrintView
from station.services.receiving import CatalogueItem
from station.views import InspectionView
from ui.i18n import Retranslatable
from ui.theme import TOUCH_TARGET_PX
from ui.viewmodels.bench import BenchViewModel

SEPARATOR = " · "


class BlindItemBox(Retranslatable, QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._inspection: InspectionView | None = None
        self._labels: list[LabelPrintView] = []
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.field = QLineEdit(self)
        self.field.setObjectName("blindItemField")
        self.field.setMinimumHeight(TOUCH_TARGET_PX)
        self._choices = QStringListModel(self)
        completer = QCompleter(self._choices, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        self.identified = QLabel(self)
        self.identified.setObjectName("blindItemIdentified")
        self.identified.setWordWrap(True)
        self.receipt = QLabel(self)
        self.receipt.setObjectName("blindReceiptLabel")
        self.receipt.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.prompt, self.field, self.identified, self.receipt):
            layout.addWidget(widget)
        self.field.returnPressed.connect(self._submit)
        vm.inspectionChanged.connect(self._show_inspection)
        vm.labelsChanged.connect(self._show_labels)
        vm.catalogueChanged.connect(self._show_catalogue)
        self._catalogue_asked = False
        self.retranslate()

    def retranslate(self) -> None:
        self.prompt.setText(
            self.tr("What is the item? Scan its GTIN or SKU, pick it from the list as you "
                    "type, or type what it is; then Enter.")
        )  # fmt: skip
        self.field.setPlaceholderText(self.tr("GTIN, SKU or a description"))
        self._show_inspection(self._inspection)
        self._show_labels(self._labels)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._catalogue_asked:  # once, when first needed: not at every start
            self._catalogue_asked = True
            self._vm.load_catalogue()
        super().showEvent(event)

    def _show_catalogue(self, items: list[CatalogueItem]) -> None:
        self._choices.setStringList([f"{i.code}{SEPARATOR}{i.title}" for i in items])

    def _submit(self) -> None:
        text = self.field.text().strip()
        # A line picked from the list is "CODE · title": the code identifies the SKU.
        code = text.split(SEPARATOR, 1)[0] if SEPARATOR in text else text
        if code:
            self._vm.identify_item(code)

    def _show_inspection(self, view: InspectionView | None) -> None:
        if view is None or view.id != getattr(self._inspection, "id", None):
            self.field.clear()
        self._inspection = view
        named = view.identified_as if view is not None else None
        self.identified.setText(
            self.tr("Identified as: {item}").format(item=named) if named else ""
        )
        self.identified.setVisible(bool(named))

    def _show_labels(self, labels: list[LabelPrintView]) -> None:
        self._labels = list(labels)
        receipt = next((label for label in labels if label.kind == "receipt"), None)
        self.receipt.setText(
            self.tr("Receipt label {code} printed: Ctrl+P prints it again").format(
                code=receipt.code
            )
            if receipt is not None
            else ""
        )
        self.receipt.setVisible(receipt is not None)

    def focus_field(self) -> None:
        self.field.setFocus()
