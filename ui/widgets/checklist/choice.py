"""Yes/no and single choice (exclusive buttons), multiple choice (toggles plus "None")."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QGridLayout, QPushButton, QWidget

from inspection_rules import ItemType
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ItemWidget, answer_button


def _columns(labels: list[str]) -> int:
    """Buttons per row: long lists and long labels wrap onto more rows instead of being
    squeezed (a push button does not wrap its text)."""
    longest = max((len(label) for label in labels), default=0)
    fit = 4 if longest <= 12 else 3 if longest <= 20 else 2 if longest <= 32 else 1
    count = len(labels)
    if count == 4 and fit >= 2:
        fit = 2 if fit < 4 else 4
    return max(1, min(count, fit))


def _same(value: Any, answer: Any) -> bool:
    # True == 1 in Python; an answer matches a button only with the same type.
    return answer is not None and type(value) is type(answer) and value == answer


class ChoiceItem(ItemWidget):
    """Yes/no or single choice: one of the buttons, or none while unanswered."""

    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, item, parent)
        options: list[tuple[str, Any]] = (
            [(self.tr("Yes"), True), (self.tr("No"), False)]
            if item.type is ItemType.YES_NO
            else [(label, code) for code, label in item.choices]
        )
        grid = QGridLayout(self)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        columns = _columns([label for label, _value in options])
        for index, (label, value) in enumerate(options):
            button = answer_button(label, self)
            button.setProperty("answer", value)
            self.group.addButton(button)
            grid.addWidget(button, index // columns, index % columns)
        self.group.buttonClicked.connect(self._clicked)

    def buttons(self) -> list[QAbstractButton]:
        return self.group.buttons()

    def _clicked(self, button: QAbstractButton) -> None:
        value = button.property("answer")
        if not _same(value, self._vm.answer(self.code)):
            self._vm.set_answer(self.code, value)

    def show_facts(self) -> None:
        answer = self._vm.answer(self.code)
        # An exclusive group cannot show "nothing chosen"; lift it while setting the state.
        self.group.setExclusive(False)
        for button in self.group.buttons():
            button.setChecked(_same(button.property("answer"), answer))
        self.group.setExclusive(True)

    def focus_target(self) -> QWidget:
        buttons = self.group.buttons()
        return buttons[0] if buttons else self


class MultiChoiceItem(ItemWidget):
    """Several choices may apply; "None of these" is an answer too (an empty list)."""

    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(vm, item, parent)
        grid = QGridLayout(self)
        self.choice_buttons: list[QPushButton] = []
        options = list(item.choices)
        columns = _columns([label for _code, label in options] + [self.tr("None of these")])
        for index, (code, label) in enumerate(options):
            button = answer_button(label, self)
            button.setProperty("answer", code)
            button.clicked.connect(self._choice_clicked)
            self.choice_buttons.append(button)
            grid.addWidget(button, index // columns, index % columns)
        self.none_button = answer_button(self.tr("None of these"), self)
        self.none_button.setObjectName(f"none_{item.code}")
        self.none_button.clicked.connect(self._none_clicked)
        index = len(options)
        grid.addWidget(self.none_button, index // columns, index % columns)

    def buttons(self) -> list[QAbstractButton]:
        return [*self.choice_buttons, self.none_button]

    def _choice_clicked(self) -> None:
        chosen = [str(b.property("answer")) for b in self.choice_buttons if b.isChecked()]
        self.none_button.setChecked(False)
        # Unticking the last choice takes the answer back; "None of these" is said explicitly.
        self._vm.set_answer(self.code, chosen or None)

    def _none_clicked(self) -> None:
        if self.none_button.isChecked():
            for button in self.choice_buttons:
                button.setChecked(False)
            self._vm.set_answer(self.code, [])
        else:
            self._vm.set_answer(self.code, None)

    def show_facts(self) -> None:
        answer = self._vm.answer(self.code)
        chosen = set(answer) if isinstance(answer, list | tuple) else set()
        for button in self.choice_buttons:
            button.setChecked(str(button.property("answer")) in chosen)
        self.none_button.setChecked(isinstance(answer, list | tuple) and not answer)

    def focus_target(self) -> QWidget:
        return self.choice_buttons[0] if self.choice_buttons else self.none_button
