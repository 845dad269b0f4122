"""Free text: a line edit, recorded when the grader leaves it or presses Enter."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ItemWidget


class TextItem(ItemWidget):
    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, item, parent)
        self.field = QLineEdit(self)
        self.field.setObjectName(f"text_{item.code}")
        self.field.setMinimumHeight(34)
        self.field.setPlaceholderText(item.help or item.label)
        self.field.editingFinished.connect(self.commit)
        self.field.returnPressed.connect(self._entered)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)

    def _entered(self) -> None:
        """Enter records the value and moves on to the next open item."""
        self.commit()
        self.answered.emit(self.code)

    def commit(self) -> None:
        if not self.committable():
            return
        text = self.field.text().strip() or None
        if text != (self._vm.answer(self.code) or None):
            self._vm.set_answer(self.code, text)

    def show_facts(self) -> None:
        if self.field.hasFocus():
            return  # never overwrite what the grader is typing
        answer = self._vm.answer(self.code)
        self.field.setText(str(answer) if answer is not None else "")

    def focus_target(self) -> QWidget:
        return self.field
