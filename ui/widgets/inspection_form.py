"""The inspection: the standard's checklist, defects and photos on the left; weight, the live
verdict preview and Finalize on the right.

Everything is generated from the inspection's standard, so a new standard needs no new
widgets. Facts are sent as they are given; the preview shows what the verdict would be and
what is still missing, and Finalize stays disabled (naming what is missing) until complete.

The typed-weight box starts empty for every unit (the expected weight is never typed for the
grader); what it holds is judged by ``station.typed_numbers`` before anything is recorded. The
focused question is kept in view as the focus moves down the checklist, each unit starts at the
top, and the wheel scrolls the page rather than change a dropdown (``ui.widgets.wheel_guard``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspection_rules import Evaluation
from station.typed_numbers import show_number
from station.views import InspectionView
from ui.i18n import Retranslatable
from ui.icons import themed_icon
from ui.theme import set_style_property
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.widgets.camera_preview import CameraPreview
from ui.widgets.checklist import ChecklistView
from ui.widgets.checklist.base import TOUCH_HEIGHT, ItemWidget
from ui.widgets.checklist.typed_field import ProblemLine, TypedField
from ui.widgets.defect_picker import DefectPicker
from ui.widgets.photo_panel import PhotoPanel
from ui.widgets.scale_readout import ScaleReadout
from ui.widgets.verdict_preview import VerdictPreview
from ui.widgets.wheel_guard import WheelGuard

SIDE_WIDTH = 360
HINT_ITEMS = 3  # the hint names a few; the tooltip and the preview list them all
# Room kept above and below the focused question when it is scrolled into view (px).
FOCUS_MARGIN = 12


class InspectionForm(Retranslatable, QWidget):
    def __init__(self, vm: BenchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.checklist = ChecklistView(vm, self)
        self.defects = DefectPicker(vm, self)
        self.photos = PhotoPanel(vm, self)
        self.camera_preview = CameraPreview(vm.live_camera, self)

        self.weight_label = QLabel(self)
        self.weight_label.setObjectName("weightLabel")
        self.weight_label.setWordWrap(True)
        self.weigh_button = QPushButton(self)
        self.weigh_button.setObjectName("weighButton")
        self.weigh_button.setMinimumHeight(TOUCH_HEIGHT)
        self.weigh_button.clicked.connect(vm.weigh)
        self._weight_input_for: object = None
        self.weight_input = TypedField(self)
        self.weight_input.setObjectName("typedWeight")
        self.weight_input.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.weight_input.setMinimumHeight(TOUCH_HEIGHT)
        self.weight_input.returnPressed.connect(self._use_typed_weight)
        self.weight_problem = ProblemLine("typedWeightProblem", self)
        self.weight_input.withdrawn.connect(self.weight_problem.clear_text)
        self.weight_input.textEdited.connect(lambda _text: self.weight_problem.clear_text())
        self.use_weight_button = QPushButton(self)
        self.use_weight_button.setMinimumHeight(TOUCH_HEIGHT)
        self.use_weight_button.clicked.connect(self._use_typed_weight)
        weight_box = QGroupBox(self)
        self.weight_box = weight_box
        weight_grid = QGridLayout(weight_box)
        self.scale_readout = ScaleReadout(vm, weight_box)
        weight_grid.addWidget(self.scale_readout, 0, 0, 1, 3)
        weight_grid.addWidget(self.weight_label, 1, 0, 1, 3)
        weight_grid.addWidget(self.weigh_button, 2, 0)
        weight_grid.addWidget(self.weight_input, 2, 1)
        weight_grid.addWidget(self.use_weight_button, 2, 2)
        weight_grid.addWidget(self.weight_problem, 3, 0, 1, 3)

        self.preview = VerdictPreview(vm, self)
        self.finalize_button = QPushButton(self)
        self.finalize_button.setObjectName("finalizeButton")
        self.finalize_button.setMinimumHeight(52)
        # Enter on the focused button finalizes (outside dialogs buttons ignore Enter otherwise).
        self.finalize_button.setAutoDefault(True)
        self.finalize_button.clicked.connect(self._finalize)
        self.finalize_hint = QLabel(self)
        self.finalize_hint.setObjectName("finalizeHint")
        self.finalize_hint.setWordWrap(True)
        set_style_property(self.finalize_hint, "state", "missing")

        # A long checklist scrolls instead of squeezing its rows until they cannot be clicked.
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 8, 0)
        content_layout.addWidget(self.checklist)
        content_layout.addWidget(self.defects)
        content_layout.addWidget(self.photos)
        content_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.scroll_area = scroll

        side = QWidget(self)
        side.setFixedWidth(SIDE_WIDTH)
        side.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        # The live picture sits at the top of the side column, always in view while the
        # checklist scrolls to its photo steps (F7 takes the next photo from anywhere).
        side_layout.addWidget(self.camera_preview, 0, Qt.AlignmentFlag.AlignHCenter)
        side_layout.addWidget(weight_box)
        preview_scroll = QScrollArea(side)
        preview_scroll.setWidgetResizable(True)
        preview_scroll.setFrameShape(QFrame.Shape.NoFrame)
        preview_scroll.setWidget(self.preview)
        side_layout.addWidget(preview_scroll, 1)
        side_layout.addWidget(self.finalize_hint)
        side_layout.addWidget(self.finalize_button)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(side)

        for key, slot in (
            ("F6", vm.weigh),
            ("F7", self._take_next_photo),
            ("F12", self._finalize),
            ("Ctrl+Return", self._finalize),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)

        vm.inspectionChanged.connect(self._show_inspection)
        vm.evaluationChanged.connect(self._show_evaluation)
        vm.stateChanged.connect(self._show_state)
        # The focus moves by key (an answer moves it on) without Qt scrolling to it.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.wheel_guard = WheelGuard(self)
        self.wheel_guard.guard(self)
        vm.commitRequested.connect(self.checklist.commit)
        self.checklist.completed.connect(self._checklist_completed)
        self.setEnabled(False)
        # Holds the focus between the last answer and Finalize, so F6/F7/F12 keep working.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.retranslate()
        self.restyle()

    def restyle(self) -> None:
        self.weigh_button.setIcon(themed_icon(self, "weigh"))
        self.finalize_button.setIcon(themed_icon(self, "finalize"))

    def retranslate(self) -> None:
        self.weigh_button.setText(self.tr("Weigh (F6)"))
        self.use_weight_button.setText(self.tr("Use typed"))
        self.weight_input.setPlaceholderText(self.tr("type g"))
        self.weight_box.setTitle(self.tr("Weight"))
        self._show_inspection(self._vm.inspection)
        self._show_evaluation(self._vm.evaluation)

    # --- for the window and tests ------------------------------------------------------------

    def answer_widgets(self, item_code: str) -> list[QAbstractButton]:
        return self.checklist.answer_widgets(item_code)

    def focus_first(self) -> None:
        if not self.checklist.focus_first():
            self.setFocus()

    def show_focused(self) -> None:
        """Scroll the focused question (else the focused widget) into view, once the layout
        has placed what the last answer showed or hid."""
        focus = QApplication.focusWidget()
        content = self.scroll_area.widget()
        if focus is None or content is None or not content.isAncestorOf(focus):
            return
        target: QWidget = focus
        parent: QWidget | None = focus
        while parent is not None and parent is not content:
            if isinstance(parent, ItemWidget):
                target = parent
                break
            parent = parent.parentWidget()
        if target.height() > self.scroll_area.viewport().height():
            target = focus  # a question taller than the page: its focused answer at least
        self.scroll_area.ensureWidgetVisible(target, 0, FOCUS_MARGIN)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        content = self.scroll_area.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            # After the pending layout requests: an answer may have just shown or hidden the
            # questions above the one the focus moves to.
            QTimer.singleShot(0, self, self.show_focused)

    # --- actions ---------------------------------------------------------------------------

    def _finalize(self) -> None:
        # F12 while a measurement is still being typed: record it first (the database queue
        # keeps the order), so the verdict is judged on what the grader sees.
        self.checklist.commit()
        # The view-model refuses (and says what is missing) unless the facts are complete, so
        # F12 and Ctrl+Enter follow the same gate as the button.
        self._vm.finalize()

    def _checklist_completed(self) -> None:
        """Every question answered: Finalize takes the focus when it can (Enter finalizes);
        until then the form holds it, so F7 (photo) and F6 (weigh) are the next keys."""
        if self.finalize_button.isEnabled():
            self.finalize_button.setFocus()
        else:
            self.setFocus()

    def _take_next_photo(self) -> None:
        self._vm.take_photo(self.photos.next_role())

    def _use_typed_weight(self) -> None:
        """Enter or "Use typed": record the typed weight if it may be one. Refused: the
        reason under the box, the text kept to correct. Far from the expected weight: asked
        first, and Enter on the same text again records it (Esc withdraws the question)."""
        judged = self._vm.judge_typed_weight(self.weight_input.text())
        if judged.refusal is not None or judged.value is None:
            self.weight_input.withdraw()
            self.weight_problem.say("error", judged.refusal or "")
            self.weight_input.setFocus()
            return
        if judged.far and not self.weight_input.confirmed():
            self.weight_input.ask()
            view = self._vm.inspection
            expected = view.expected_weight_g if view is not None else None
            self.weight_problem.say(
                "warning",
                self.tr(
                    "{value} g is far from the expected {expected} g: press Enter again to "
                    "record it, Esc to correct it"
                ).format(value=show_number(judged.value), expected=show_number(expected or 0)),
            )
            self.weight_input.setFocus()
            return
        self.weight_input.withdraw()
        self.weight_problem.clear_text()
        self._vm.enter_weight(judged.value)

    # --- showing ---------------------------------------------------------------------------

    def _show_state(self, state: str) -> None:
        self.setEnabled(state == BenchState.INSPECTING)
        self._show_evaluation(self._vm.evaluation)

    def _show_inspection(self, view: InspectionView | None) -> None:
        if view is None:
            self.weight_label.setText(self.tr("No weight yet"))
            return
        if view.id != self._weight_input_for:
            # A new unit: an empty typed-weight box (never the expected weight, which would be
            # recorded as typed by anyone pressing Enter), and the checklist from the top.
            self._weight_input_for = view.id
            self.weight_input.clear()
            self.weight_input.withdraw()
            self.weight_problem.clear_text()
            self.scroll_area.verticalScrollBar().setValue(0)
        expected = (
            self.tr(" (expected {g:.0f} g)").format(g=view.expected_weight_g)
            if view.expected_weight_g
            else ""
        )
        if view.weight_g is None:
            self.weight_label.setText(self.tr("No weight yet") + expected)
        else:
            stable = "" if view.weight_stable else self.tr(" UNSTABLE")
            self.weight_label.setText(f"<b>{view.weight_g:.1f} g</b>{stable}{expected}")

    def _show_evaluation(self, evaluation: Evaluation | None) -> None:
        ready = self._vm.can_finalize
        was_ready = self.finalize_button.isEnabled()
        self.finalize_button.setEnabled(ready)
        # The last photo or the weight just arrived: Enter finalizes now, unless the grader is
        # typing somewhere (a note, a measurement).
        typing = isinstance(QApplication.focusWidget(), QLineEdit | QAbstractSpinBox)
        if ready and not was_ready and not typing and not self.checklist.open_codes():
            self.finalize_button.setFocus()
        if ready or evaluation is None:
            self.finalize_button.setText(self.tr("Finalize (F12)"))
            self.finalize_button.setToolTip("")
            self.finalize_hint.setText("")
            self.finalize_hint.setVisible(False)
            return
        missing = self._vm.missing_labels()
        names = "; ".join(missing)
        self.finalize_button.setText(
            self.tr("Finalize (F12) — {count} still needed").format(count=len(missing))
        )
        self.finalize_button.setToolTip(self.tr("Still needed: {names}").format(names=names))
        shown = "; ".join(missing[:HINT_ITEMS])
        if len(missing) > HINT_ITEMS:
            shown += " " + self.tr("and {count} more").format(count=len(missing) - HINT_ITEMS)
        self.finalize_hint.setText(self.tr("Finalize needs: {names}").format(names=shown))
        self.finalize_hint.setVisible(True)
