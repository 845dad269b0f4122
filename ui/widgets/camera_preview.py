"""Live camera preview: what the camera sees now, so the grader frames the item before F7.

The camera's capture thread calls a plain callback (drivers stay Qt-free); the callback only
emits ``frameArrived``, which Qt queues onto the UI thread. At most one frame is in flight:
if the UI is busy, newer frames replace older ones instead of piling up in the event queue.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from devices.camera import LiveCamera, PreviewFrame
from ui.i18n import Retranslatable
from ui.theme import set_style_property

# Small enough that the verdict preview below it keeps room on a 800 px high screen.
PREVIEW_SIZE = (208, 156)


class CameraFeed(QObject):
    """Re-emits a camera's preview callback as a Qt signal (queued onto the UI thread)."""

    frameArrived = Signal(object)

    def __init__(self, camera: LiveCamera, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self._in_flight = threading.Event()
        self._remove = camera.add_preview_listener(self._on_frame)
        self.destroyed.connect(lambda *_: remove_listener(self._remove))

    def _on_frame(self, frame: PreviewFrame) -> None:  # on the capture thread
        if self._in_flight.is_set():
            return
        self._in_flight.set()
        try:
            self.frameArrived.emit(frame)
        except RuntimeError:  # the widget went away while the camera was still delivering
            self._remove()

    def done(self) -> None:
        self._in_flight.clear()


def remove_listener(remove: Any) -> None:
    remove()


class CameraPreview(Retranslatable, QWidget):
    def __init__(self, camera: LiveCamera | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.camera = camera
        self.frames_shown = 0
        # What the preview says until (or instead of) a frame: none, starting or failed.
        self._state = "none" if camera is None else "starting"
        self._error = ""
        self.image_label = QLabel(self)
        self.image_label.setObjectName("cameraImage")
        self.image_label.setFixedSize(*PREVIEW_SIZE)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setWordWrap(True)
        self.image_label.setStyleSheet("background:#202020; color:#dddddd; border-radius:4px;")
        self.caption = QLabel(self)
        self.caption.setObjectName("cameraCaption")
        set_style_property(self.caption, "state", "muted")  # the theme's: readable when dark
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.image_label)
        layout.addWidget(self.caption)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.feed: CameraFeed | None = None
        if camera is not None:
            self.feed = CameraFeed(camera, self)
            self.feed.frameArrived.connect(self.show_frame)
        self.retranslate()

    def retranslate(self) -> None:
        if self._state == "none":
            self.image_label.setText(self.tr("No camera\nat this bench"))
            self.caption.setText(self.tr("Add photos as files"))
        elif self._state == "failed":
            self.image_label.setText(self.tr("Camera unavailable"))
            self.caption.setText(self._error)  # the driver's own words
        else:
            if self.frames_shown == 0:
                self.image_label.setText(self.tr("Starting camera…"))
            self.caption.setText(self.tr("Live: F7 takes the next photo"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.camera is not None:
            try:
                self.camera.start()  # idempotent: the device set may have started it already
            except OSError as exc:
                self._state, self._error = "failed", str(exc)
                self.retranslate()

    def show_frame(self, frame: PreviewFrame) -> None:
        try:
            rgb = frame.rgb
            image = QImage(
                rgb.data, frame.width, frame.height, 3 * frame.width, QImage.Format.Format_RGB888
            ).copy()  # own the pixels: the array goes away
            pixmap = QPixmap.fromImage(image).scaled(
                self.image_label.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.image_label.setPixmap(pixmap)
            self.frames_shown += 1
            if self._state == "failed":  # the camera came back
                self._state = "starting"
                self.retranslate()
        finally:
            if self.feed is not None:
                self.feed.done()
