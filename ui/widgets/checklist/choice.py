"""Yes/no and single choice (exclusive buttons), multiple choice (toggles plus "None").

Digit keys answer: on a numeric scale (every option's value a number 0-9, such as ISO 12945's
pilling grades 5 to 1) key 4 is the option whose value is 4, wherever the standard lists it;
on any other question key N is the Nth option. Each button shows its key, and carries it as
the ``key`` property for scripts that drive the bench by keys.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QGridLayout, QPushButton, QWidget

from inspection_rules import ItemType
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel
from ui.widgets.checklist.base import ENTER_KEYS, ItemWidget, answer_button, key_digit


def _columns(labels: list[str]) -> int:
    """Buttons per row: long lists and long labels wrap onto more rows instead of being
    squeezed (a push button does not wrap its text). Widths are counted with the key digit in
    front, and a CJK character counts double (it is about two Latin letters wide)."""
    longest = max((_width(keyed(0, label)) for label in labels), default=0)
    fit = 4 if longest <= 12 else 3 if longest <= 17 else 2 if longest <= 30 else 1
    count = len(labels)
    if count == 4 and fit >= 2:
        fit = 2 if fit < 4 else 4
    return max(1, min(count, fit))


def _width(text: str) -> int:
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def keyed(key: int | None, label: str) -> str:
    """A button's text with the digit that chooses it ("1  Yes"); no digit, the label only."""
    return f"{key}  {label}" if key is not None else label


_DIGIT = re.compile(r"[0-9]", re.ASCII)


def _digit_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 9 else None
    if isinstance(value, str) and _DIGIT.fullmatch(value.strip()):
        return int(value)
    return None


def answer_keys(values: Sequence[Any], *, zero_taken: bool = False) -> list[int | None]:
    """The digit key of each option, in the options' order.

    A numeric scale keeps its own numbers: every value a single digit, no two alike (and not
    0 where 0 already means "None of these"). Otherwise the options are keyed 1-9 in order
    and a tenth option has no key.
    """
    digits = [_digit_value(value) for value in values]
    numeric = (
        bool(values)
        and all(d is not None for d in digits)
        and len(set(digits)) == len(digits)
        and not (zero_taken and 0 in digits)
    )
    if numeric:
        return digits
    return [index + 1 if index < 9 else None for index in range(len(values))]


def _same(value: Any, answer: Any) -> bool:
    # True == 1 in Python; an answer matches a button only with the same type.
    return answer is not None and type(value) is type(answer) and value == answer


class ChoiceItem(ItemWidget):
    """Yes/no or single choice: one of the buttons, or none while unanswered.

    Keys: the digit shown on a button chooses it (Yes = 1, No = 2; on a numeric scale the
    option's own number) and moves on to the next open item; Enter on an answered item moves
    on too.
    """

    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        self.group: QButtonGroup | None = None
        self.keys: list[int | None] = []
        super().__init__(vm, item, parent)
        values: list[Any] = (
            [True, False] if item.type is ItemType.YES_NO else [code for code, _ in item.choices]
        )
        self.keys = answer_keys(values)
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        columns = _columns(self._labels())
        for index, (value, key) in enumerate(zip(values, self.keys, strict=True)):
            button = answer_button("", self)
            button.setProperty("answer", value)
            button.setProperty("key", key)
            self.group.addButton(button, index)
            grid.addWidget(button, index // columns, index % columns)
        self.group.buttonClicked.connect(self._clicked)
        self.retranslate()

    def _labels(self) -> list[str]:
        if self.item.type is ItemType.YES_NO:
            return [self.tr("Yes"), self.tr("No")]
        return [label for _code, label in self.item.choices]

    def retranslate(self) -> None:
        super().retranslate()
        if self.group is None:
            return
        for button, key, label in zip(self.group.buttons(), self.keys, self._labels(), strict=True):
            button.setText(keyed(key, label))
            button.setToolTip(label)

    def buttons(self) -> list[QAbstractButton]:
        return self.group.buttons() if self.group else []

    def keyPressEvent(self, event: QKeyEvent) -> None:
        digit = key_digit(event)
        button = _button_for(self.buttons(), self.keys, digit)
        if button is not None:
            button.setChecked(True)
            self._clicked(button)
            self.answered.emit(self.code)
            return
        if event.key() in ENTER_KEYS and self._vm.answer(self.code) is not None:
            self.answered.emit(self.code)
            return
        super().keyPressEvent(event)

    def _clicked(self, button: QAbstractButton) -> None:
        value = button.property("answer")
        if not _same(value, self._vm.answer(self.code)):
            self._vm.set_answer(self.code, value)

    def show_facts(self) -> None:
        answer = self._vm.answer(self.code)
        if self.group is None:
            return
        # An exclusive group cannot show "nothing chosen"; lift it while setting the state.
        self.group.setExclusive(False)
        for button in self.group.buttons():
            button.setChecked(_same(button.property("answer"), answer))
        self.group.setExclusive(True)

    def focus_target(self) -> QWidget:
        buttons = self.buttons()
        checked = next((b for b in buttons if b.isChecked()), None)
        return checked or (buttons[0] if buttons else self)


class MultiChoiceItem(ItemWidget):
    """Several choices may apply; "None of these" is an answer too (an empty list).

    Keys: the digit shown on a choice toggles it, 0 is "None of these", Enter moves on.
    """

    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        self.choice_buttons: list[QPushButton] = []
        self.none_button: QPushButton | None = None
        self.keys: list[int | None] = []
        super().__init__(vm, item, parent)
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        options = list(item.choices)
        self.keys = answer_keys([code for code, _label in options], zero_taken=True)
        columns = _columns([label for _code, label in options] + [self.tr("None of these")])
        for index, (code, _label) in enumerate(options):
            button = answer_button("", self)
            button.setProperty("answer", code)
            button.setProperty("key", self.keys[index])
            button.clicked.connect(self._choice_clicked)
            self.choice_buttons.append(button)
            grid.addWidget(button, index // columns, index % columns)
        self.none_button = answer_button("", self)
        self.none_button.setObjectName(f"none_{item.code}")
        self.none_button.setProperty("key", 0)
        self.none_button.clicked.connect(self._none_clicked)
        index = len(options)
        grid.addWidget(self.none_button, index // columns, index % columns)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        if self.none_button is None:
            return  # still being built
        for button, key, (_code, label) in zip(
            self.choice_buttons, self.keys, self.item.choices, strict=True
        ):
            button.setText(keyed(key, label))
            button.setToolTip(label)
        none = self.tr("None of these")
        self.none_button.setText(f"0  {none}")
        self.none_button.setToolTip(none)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        digit = key_digit(event)
        if digit == 0 and self.none_button is not None:
            self.none_button.setChecked(True)
            self._none_clicked()
            self.answered.emit(self.code)
            return
        button = _button_for(self.choice_buttons, self.keys, digit)
        if button is not None:
            button.setChecked(not button.isChecked())
            self._choice_clicked()
            return
        if event.key() in ENTER_KEYS and self._vm.answer(self.code) is not None:
            self.answered.emit(self.code)
            return
        super().keyPressEvent(event)

    def buttons(self) -> list[QAbstractButton]:
        return [*self.choice_buttons, *([self.none_button] if self.none_button else [])]

    def _choice_clicked(self) -> None:
        chosen = [str(b.property("answer")) for b in self.choice_buttons if b.isChecked()]
        if self.none_button is not None:
            self.none_button.setChecked(False)
        # Unticking the last choice takes the answer back; "None of these" is said explicitly.
        self._vm.set_answer(self.code, chosen or None)

    def _none_clicked(self) -> None:
        if self.none_button is not None and self.none_button.isChecked():
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
        if self.none_button is not None:
            self.none_button.setChecked(isinstance(answer, list | tuple) and not answer)

    def focus_target(self) -> QWidget:
        buttons = self.buttons()
        return buttons[0] if buttons else self


def _button_for(
    buttons: Sequence[QAbstractButton], keys: Sequence[int | None], digit: int | None
) -> QAbstractButton | None:
    """The button whose key is ``digit`` (None: no such key, or not a digit)."""
    if digit is None:
        return None
    return next((b for b, key in zip(buttons, keys, strict=False) if key == digit), None)
