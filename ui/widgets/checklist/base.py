"""What every checklist item widget shares: a titled box bound to one item of the view-model."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.i18n import Retranslatable
from ui.theme import set_style_property
from ui.viewmodels.bench import BenchViewModel
from ui.viewmodels.checklist import ItemModel

# Touch-screen and gloved-hand targets (Apple's and Google's guidance: 44-48 px).
TOUCH_HEIGHT = 44
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def key_digit(event: QKeyEvent) -> int | None:
    """The digit of a plain (or keypad) digit key press, else None."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if modifiers != Qt.KeyboardModifier.NoModifier:
        return None
    key = event.key()
    return key - Qt.Key.Key_0 if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 else None


def answer_button(text: str, parent: QWidget) -> QPushButton:
    """A checkable push button: the whole button is the target (a radio only takes clicks on
    its dot and text), big enough for a gloved hand or a touch screen."""
    button = QPushButton(text, parent)
    button.setCheckable(True)
    button.setMinimumHeight(TOUCH_HEIGHT)
    # Share the row's width rather than push the form wider than the window; the full text
    # stays in the tooltip should a narrow window clip it.
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    button.setToolTip(text)
    # Checked answers read as chosen from a metre away: the theme colours :checked buttons.
    return button


class ItemWidget(Retranslatable, QGroupBox):
    """One checklist item. Subclasses build their inputs and implement ``show_facts``.

    ``answered`` is emitted when the grader has given this item's answer by key (a digit on a
    choice, Enter in a field), so the checklist can move the focus on to the next open item.
    """

    answered = Signal(str)

    def __init__(self, vm: BenchViewModel, item: ItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.item = item
        self.setObjectName(f"item_{item.code}")
        # The question as a wrapping label, not the box's own title: a group box title never
        # wraps, and a long question (in Spanish, say) pushed the checklist wider than its
        # column. Subclasses lay out their inputs in ``body``.
        self.heading = QLabel(item.label + (" *" if item.required else ""), self)
        self.heading.setObjectName("itemHeading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.body = QWidget(self)
        outer = QVBoxLayout(self)
        outer.addWidget(self.heading)
        outer.addWidget(self.body)
        self.retranslate()

    def title(self) -> str:
        return self.heading.text()

    def setTitle(self, title: str) -> None:
        self.heading.setText(title)

    def retranslate(self) -> None:
        # The label and help come from the standard in the bench's language (the checklist is
        # rebuilt when it changes); only the station's own words are translated here.
        tips = [self.item.help] if self.item.help else []
        if self.item.required:
            tips.append(self.tr("Required"))
        if self.item.conditional:
            tips.append(self.tr("Asked because of an earlier answer"))
        self.setToolTip("\n".join(tips))

    @property
    def code(self) -> str:
        return self.item.code

    def show_facts(self) -> None:
        """Show what the view-model holds for this item (recorded or in flight)."""

    def commit(self) -> None:
        """Record what has been typed but not yet recorded (Finalize calls this first)."""

    def reset(self) -> None:
        """A new unit under the same standard reuses the widgets: forget what was typed for
        the last one and not recorded (``show_facts`` then shows the new unit's facts)."""

    def committable(self) -> bool:
        """Whether a typed value should be recorded now: not when the field loses focus
        because the form is being hidden (inspection finalized) or the window closes."""
        return self.isVisible() and self._vm.inspecting

    def set_missing(self, missing: bool) -> None:
        set_style_property(self, "state", "missing" if missing else None)

    def focus_target(self) -> QWidget:
        return self
