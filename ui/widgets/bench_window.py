"""The bench window: scan bar on top, the return on the left, inspection and verdict right."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from devices.registry import DeviceSet
from station.commands import Command, CommandKind
from ui.device_bridge import DeviceBridge
from ui.feedback import SoundFeedback
from ui.i18n import LanguageSwitcher, Retranslatable
from ui.tasks import TaskRunner
from ui.theme import set_style_property
from ui.viewmodels.bench import BenchState, BenchViewModel
from ui.viewmodels.history import HistoryViewModel
from ui.viewmodels.session import SessionViewModel
from ui.viewmodels.settings import SettingsViewModel
from ui.viewmodels.supervisor import SupervisorViewModel
from ui.viewmodels.sync import SyncViewModel
from ui.wedge_filter import WedgeFilter
from ui.widgets.device_strip import DeviceStrip
from ui.widgets.history_dialog import HistoryDialog
from ui.widgets.inspection_form import InspectionForm
from ui.widgets.rma_panel import RmaPanel
from ui.widgets.scan_bar import ScanBar
from ui.widgets.settings_dialog import SettingsDialog
from ui.widgets.shortcuts_help import ShortcutsHelp
from ui.widgets.sign_in import SessionBadge, SignInDialog
from ui.widgets.supervisor_dialog import SupervisorDialog
from ui.widgets.sync_indicator import SyncIndicator
from ui.widgets.verdict_panel import VerdictPanel

RMA_WIDTH = 420
IDLE_LAYOUT_DELAY_MS = 300
RMA_WIDTH_CHOOSING = 540


class BenchWindow(Retranslatable, QMainWindow):
    def __init__(
        self,
        vm: BenchViewModel,
        runner: TaskRunner,
        station_id: str,
        devices: DeviceSet | None = None,
        history: HistoryViewModel | None = None,
        sync: SyncViewModel | None = None,
        supervisor: SupervisorViewModel | None = None,
        session: SessionViewModel | None = None,
    ) -> None:
        super().__init__()
        self._vm = vm
        self._runner = runner
        self._station_id = station_id
        self.scan_bar = ScanBar(vm, self)
        self.rma_panel = RmaPanel(vm, self)
        self.form = InspectionForm(vm, self)
        self.verdict_panel = VerdictPanel(vm, self)
        self.message = QLabel(self)
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(32)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.form, 1)
        right_layout.addWidget(self.verdict_panel)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.rma_panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([RMA_WIDTH, 860])
        self.splitter = splitter
        self.idle_hint = QLabel(right)
        self.idle_hint.setObjectName("idleHint")
        self.idle_hint.setWordWrap(True)
        self.idle_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_hint.setStyleSheet("font-size:16pt;")
        right_layout.addWidget(self.idle_hint, 1)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.scan_bar)
        layout.addWidget(self.message)
        top = QHBoxLayout()
        top.addWidget(splitter)
        layout.addLayout(top, 1)
        # Device states along the bottom (only when the window is given the device set).
        self.device_strip: DeviceStrip | None = None
        self.sync_indicator: SyncIndicator | None = None
        self._sync: SyncViewModel | None = None
        bottom = QHBoxLayout()
        if devices is not None:
            self.device_strip = DeviceStrip(DeviceBridge(devices, self), central)
            bottom.addWidget(self.device_strip, 1)
        if sync is not None:
            self.sync_indicator = SyncIndicator(sync, central)
            bottom.addWidget(self.sync_indicator)
            self._sync = sync
            vm.verdictChanged.connect(self._verdict_recorded)
        layout.addLayout(bottom)
        self.setCentralWidget(central)
        self.resize(1280, 800)

        QShortcut(QKeySequence("Ctrl+B"), self).activated.connect(vm.receive_blind)
        QShortcut(QKeySequence("F8"), self).activated.connect(vm.next_unit)
        QShortcut(QKeySequence("F1"), self).activated.connect(self.open_shortcuts_help)
        QShortcut(QKeySequence("Ctrl+P"), self).activated.connect(
            lambda: vm.run_command(Command(CommandKind.REPRINT))
        )
        self._history = history
        QShortcut(QKeySequence("F9"), self).activated.connect(self.open_history)
        self._supervisor = supervisor
        QShortcut(QKeySequence("F10"), self).activated.connect(self.open_supervisor_queue)
        self.session = session
        if session is not None:
            self.session_badge = SessionBadge(session, self)
            self.session_badge.switch_button.clicked.connect(self.open_sign_in)
            self.statusBar().addPermanentWidget(self.session_badge)
            QShortcut(QKeySequence("Ctrl+U"), self).activated.connect(self.open_sign_in)
            session.signInNeeded.connect(self._lock_until_signed_in)
            session.signedOutIdle.connect(self._lock_until_signed_in)
            session.userChanged.connect(self._apply_session)
        self.wedge: WedgeFilter | None = None  # set by ui.app.connect_scanners' caller
        self.language: LanguageSwitcher | None = None  # set by ui.app.build_bench
        self.sounds: SoundFeedback | None = None  # set by ui.app.run_bench
        self.settings_vm: SettingsViewModel | None = None  # set by ui.app.build_bench
        QShortcut(QKeySequence("Ctrl+,"), self).activated.connect(self.open_settings)
        QShortcut(QKeySequence("Escape"), self).activated.connect(self._cancel)
        # The window's keys work from the scan field too (it has the focus most of the time).
        self.scan_bar.field.yield_to = {
            shortcut.key()[0]  # type: ignore[index]  # the stubs miss QKeySequence[i]
            for shortcut in self.findChildren(QShortcut)
        }
        vm.messageChanged.connect(self._show_message)
        vm.inspectionChanged.connect(self._after_identified)
        self._closing = False  # the grader said yes to closing with a unit on the bench
        self._idle_layout = QTimer(self)
        self._idle_layout.setSingleShot(True)
        self._idle_layout.setInterval(IDLE_LAYOUT_DELAY_MS)
        self._idle_layout.timeout.connect(lambda: self._show_right_side(self._vm.state))
        vm.stateChanged.connect(self._after_state_change)
        self._after_state_change(vm.state.value)
        self.retranslate()
        runner.busyChanged.connect(self._show_busy)
        # The scan field takes focus back whenever the bench is idle (scanners type into focus).
        QTimer.singleShot(0, self.scan_bar.field.setFocus)

    def retranslate(self) -> None:
        self.setWindowTitle(
            self.tr("Returns inspection — station {station}").format(station=self._station_id)
        )
        self.idle_hint.setText(
            self.tr("Scan a parcel's return label to start.\nF1 lists the keys; the command "
                    "sheet has barcodes for Finalize, Next unit, Reprint and the grades.")
        )  # fmt: skip
        if self.session is not None:
            self._apply_session(self.session.user)
        said = self._vm.message()  # the message line, said again in the new language
        if said is not None:
            self._show_message(*said)

    def _after_state_change(self, state: str) -> None:
        current = BenchState(state)
        # The return's lines need room while choosing a unit; the checklist the rest of the
        # time. Resized only when that changes: a relayout of the whole window at every scan
        # is a stall the grader feels.
        choosing = current in (BenchState.CHOOSE_LINE, BenchState.CHOOSE_RMA)
        left = RMA_WIDTH_CHOOSING if choosing else RMA_WIDTH
        sizes = self.splitter.sizes()
        if sizes and sizes[0] != left:
            self.splitter.setSizes([left, max(sum(sizes) - left, 0)])
        # One thing at a time on the right: the checklist while inspecting, the verdict after.
        # A new scan passes through IDLE for a moment on its way to the next inspection: the
        # idle layout waits a little, so the window is laid out once per unit, not three times.
        self._idle_layout.stop()
        if current is BenchState.IDLE and self.idle_hint.isHidden():
            self._idle_layout.start()
        else:
            self._show_right_side(current)
        if BenchState(state) in (BenchState.IDLE, BenchState.FINALIZED, BenchState.BLIND_PROMPT):
            self.scan_bar.field.setFocus()
        elif BenchState(state) is BenchState.INSPECTING:
            # After this event: the checklist of the new inspection is built right after.
            QTimer.singleShot(0, self._focus_work)

    def _show_right_side(self, current: BenchState) -> None:
        self.form.setVisible(current is BenchState.INSPECTING)
        self.verdict_panel.setVisible(current is BenchState.FINALIZED)
        self.idle_hint.setVisible(current not in (BenchState.INSPECTING, BenchState.FINALIZED))

    def _verdict_recorded(self, verdict: object) -> None:
        if verdict is not None and self._sync is not None:
            self._sync.deliver_now()  # the outbox row is committed: deliver without waiting

    def open_shortcuts_help(self) -> ShortcutsHelp:
        dialog = ShortcutsHelp(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_settings(self) -> SettingsDialog | None:
        """Ctrl+,: devices with Test buttons, label rules, endpoints, language and theme."""
        if self.settings_vm is None:
            return None
        self.settings_vm.reset()  # a new draft from settings.toml each time
        dialog = SettingsDialog(self.settings_vm, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_history(self) -> HistoryDialog | None:
        """F9: recent verdicts, reprints and reports (needs the history view-model)."""
        if self._history is None:
            return None
        dialog = HistoryDialog(self._history, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _lock_until_signed_in(self) -> None:
        self._apply_session(None)
        self.open_sign_in()

    def _apply_session(self, user: object) -> None:
        """Once users exist, nothing is inspected under nobody's name: the bench is locked
        while nobody is signed in (the status bar keeps Switch user / Ctrl+U)."""
        locked = self.session is not None and self.session.required and user is None
        central = self.centralWidget()
        if central is not None:
            central.setEnabled(not locked)
        if locked:
            self.statusBar().showMessage(self.tr("Signed out: sign in to inspect (Ctrl+U)"))
        else:
            self.statusBar().clearMessage()
            if user is not None:
                # Signed in: back to where the grader's next scan or key goes (after the
                # dialog has closed, which would otherwise leave it on "Switch user").
                QTimer.singleShot(0, self._focus_work)

    def _after_identified(self, view: object) -> None:
        """Once a blind return's item is identified, the checklist is next."""
        field = self.rma_panel.blind_item.field
        if view is not None and field.hasFocus() and not self._vm.needs_item:
            self.form.focus_first()

    def _focus_work(self) -> None:
        if self._vm.state is BenchState.INSPECTING and self._vm.needs_item:
            self.rma_panel.blind_item.focus_field()  # a blind return: what is it, first
        elif self._vm.state is BenchState.INSPECTING:
            self.form.focus_first()
        else:
            self.scan_bar.field.setFocus()

    def open_sign_in(self) -> SignInDialog | None:
        """Ctrl+U, at start when users exist, and after an idle sign-out."""
        if self.session is None:
            return None
        dialog = SignInDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_supervisor_queue(self) -> SupervisorDialog | None:
        """F10: disputes and flagged verdicts; rulings are checked against the acting user."""
        if self._supervisor is None:
            return None
        dialog = SupervisorDialog(self._supervisor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _cancel(self) -> None:
        """Esc: leave a prompt at once; an open inspection needs Esc twice within 3 s."""
        self._vm.request_cancel()
        self.scan_bar.field.clear()  # whatever was typed there is gone too
        if self._vm.state is not BenchState.INSPECTING:
            self.scan_bar.field.setFocus()

    def confirm_close(self) -> QMessageBox:
        """Closing with a unit on the bench: the answers so far stay as a draft, resumed when
        the parcel is scanned again. Asked, with No as the default (Enter keeps working)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Close the station?"),
            self.tr(
                "An inspection is open. It is kept as a draft and resumes when you scan the "
                "parcel again. Close the station now?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setObjectName("confirmClose")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self._closing = True
                self.close()

        box.finished.connect(answered)
        box.open()
        return box

    def _show_message(self, level: str, text: str) -> None:
        # Coloured, large and bold by the theme's QLabel#messageLabel[level=...] rule.
        set_style_property(self.message, "level", level)
        self.message.setText(text)

    def _show_busy(self, busy: bool) -> None:
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and self._vm.state is BenchState.INSPECTING and not self._closing:
            # The window system's close (the title bar's ×, Alt+F4): ask first, without
            # blocking; a program closing the window (tests, the session) is not asked.
            event.ignore()
            self.confirm_close()
            return
        self._idle_layout.stop()
        if self._sync is not None:
            self._sync.stop()
        self._runner.wait_idle(5_000)
        super().closeEvent(event)
