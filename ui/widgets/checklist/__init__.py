"""The checklist, generated from the inspection's standard: one widget per item type.

Items the standard's conditions hide right now are hidden here too; the view-model
re-evaluates after every change, so an answer shows or hides the items that depend on it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QVBoxLayout, QWidget

from inspection_rules import Evaluation, ItemType
from station.views import InspectionView
from ui.i18n import Retranslatable
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ItemWidget
from ui.widgets.checklist.choice import ChoiceItem, MultiChoiceItem
from ui.widgets.checklist.measurement import MeasurementItem
from ui.widgets.checklist.photo import PhotoItem, PhotoRow, choose_photo_file
from ui.widgets.checklist.text import TextItem

WIDGETS: dict[ItemType, type[ItemWidget]] = {
    ItemType.YES_NO: ChoiceItem,
    ItemType.SINGLE_CHOICE: ChoiceItem,
    ItemType.MULTI_CHOICE: MultiChoiceItem,
    ItemType.MEASUREMENT: MeasurementItem,
    ItemType.PHOTO: PhotoItem,
    ItemType.TEXT: TextItem,
}

__all__ = [
    "ChecklistView",
    "ChoiceItem",
    "ItemWidget",
    "MeasurementItem",
    "MultiChoiceItem",
    "PhotoItem",
    "PhotoRow",
    "TextItem",
    "choose_photo_file",
    "make_item_widget",
]


def make_item_widget(vm: BenchViewModel, item: ItemModel, parent: QWidget) -> ItemWidget:
    return WIDGETS.get(item.type, TextItem)(vm, item, parent)


class ChecklistView(Retranslatable, QWidget):
    """Keyboard order: an answer given by key moves the focus to the next item still open
    (after this one, then from the top); when none is left, ``completed`` tells the form."""

    completed = Signal()

    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._built_for: object = None
        self._built_items: object = None
        self.items: dict[str, ItemWidget] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.empty_label = QLabel(self)
        self.empty_label.hide()
        self._layout.addWidget(self.empty_label)
        self.retranslate()
        vm.inspectionChanged.connect(self._show_inspection)
        vm.evaluationChanged.connect(self._show_evaluation)

    def retranslate(self) -> None:
        self.empty_label.setText(self.tr("This standard has no checklist."))

    def item_widget(self, code: str) -> ItemWidget | None:
        return self.items.get(code)

    def answer_widgets(self, code: str) -> list[QAbstractButton]:
        widget = self.items.get(code)
        if isinstance(widget, ChoiceItem | MultiChoiceItem):
            return widget.buttons()
        return []

    def visible_codes(self) -> list[str]:
        return [code for code, widget in self.items.items() if not widget.isHidden()]

    def commit(self) -> None:
        """Record values typed but not yet recorded (a field still has the focus)."""
        for widget in self.items.values():
            if not widget.isHidden():
                widget.commit()

    def focus_first(self) -> bool:
        """Focus the first open item (else the first item); False when there is none."""
        target = self._next_open(None) or next(
            (w for w in self.items.values() if not w.isHidden()), None
        )
        if target is None:
            return False
        target.focus_target().setFocus()
        return True

    def open_codes(self) -> list[str]:
        """Visible items the evaluation still misses, in checklist order."""
        evaluation = self._vm.evaluation
        missing = {m.code for m in evaluation.missing} if evaluation else set()
        return [
            code
            for code, widget in self.items.items()
            if not widget.isHidden()
            and (code in missing or f"photo:{widget.item.photo_role}" in missing)
        ]

    def _next_open(self, after: str | None) -> ItemWidget | None:
        codes = list(self.items)
        open_codes = self.open_codes()
        start = codes.index(after) + 1 if after in codes else 0
        ordered = [c for c in codes[start:] if c in open_codes] + [
            c for c in codes[:start] if c in open_codes
        ]
        return self.items[ordered[0]] if ordered else None

    def focus_next(self, after: str) -> None:
        target = self._next_open(after)
        if target is None:
            self.completed.emit()
        else:
            target.focus_target().setFocus()

    def _build(self, items: tuple[ItemModel, ...]) -> None:
        for widget in self.items.values():
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.items = {}
        for item in items:
            widget = make_item_widget(self._vm, item, self)
            widget.answered.connect(self.focus_next)
            self.items[item.code] = widget
            self._layout.addWidget(widget)
        self.empty_label.setVisible(False)

    def _show_inspection(self, view: InspectionView | None) -> None:
        if view is None:
            self._built_for = None  # the widgets stay, hidden with the form, for the next unit
            return
        kept = False
        if self._built_items != self._vm.items:
            # Another standard, or the same after a language switch (new item texts): new
            # widgets, keeping the grader's place. The next unit under the same standard
            # reuses these (building them is most of the main thread's work at a scan).
            focus = QApplication.focusWidget()
            kept = self._built_for == view.id and focus is not None and self.isAncestorOf(focus)
            self._built_items = self._vm.items
            self._build(self._vm.items)
            self._built_for = None
        if self._built_for != view.id:
            self._built_for = view.id
            for widget in self.items.values():
                widget.reset()
            self.empty_label.setVisible(not self.items)
            self._show_evaluation(self._vm.evaluation)
        for widget in self.items.values():
            widget.show_facts()
        if kept:
            self.focus_first()

    def _show_evaluation(self, evaluation: Evaluation | None) -> None:
        visible = self._vm.visible_items
        missing = {m.code for m in evaluation.missing} if evaluation else set()
        for code, widget in self.items.items():
            widget.setHidden(code not in visible)
            role = widget.item.photo_role
            widget.set_missing(code in missing or (role is not None and f"photo:{role}" in missing))
            if isinstance(widget, PhotoItem):
                widget.show_facts()
