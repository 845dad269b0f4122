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

PREVIEW_SIZE = (256, 192)


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


class CameraPreview(QWidget):
    def __init__(self, camera: LiveCamera | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.camera = camera
        self.frames_shown = 0
        self.image_label = QLabel(self)
        self.image_label.setObjectName("cameraImage")
        self.image_label.setFixedSize(*PREVIEW_SIZE)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setStyleSheet("background:#202020; color:#dddddd; border-radius:4px;")
        self.caption = QLabel(self)
        self.caption.setStyleSheet("color:#666666;")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.image_label)
        layout.addWidget(self.caption)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.feed: CameraFeed | None = None
        if camera is None:
            self.image_label.setText(self.tr("No camera\nat this bench"))
            self.caption.setText(self.tr("Add photos as files"))
            return
        self.image_label.setText(self.tr("Starting camera…"))
        self.caption.setText(self.tr("Live: F7 takes the next photo"))
        self.feed = CameraFeed(camera, self)
        self.feed.frameArrived.connect(self.show_frame)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.camera is not None:
            try:
                self.camera.start()  # idempotent: the device set may have started it already
            except OSError as exc:
                self.image_label.setText(self.tr("Camera unavailable"))
                self.caption.setText(str(exc))

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
        finally:
            if self.feed is not None:
                self.feed.done()
