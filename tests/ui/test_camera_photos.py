"""Photos from the camera pass the quality gate; stored photos get thumbnails; photo roles
keep their meaning across a language switch."""

from __future__ import annotations

import hashlib
import shutil

import cv2
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from devices.camera import SAMPLE_PHOTOS, SimulatedCamera
from devices.camera_quality import BLURRY_PROMPT
from station.photos import THUMB_WIDTH, PhotoStore
from tests.ui.gadget_standard import RMA
from ui.viewmodels.bench import BenchState
from ui.widgets.photo_panel import PhotoPanel


def _open(qtbot, vm):
    vm.submit_scan(RMA)
    qtbot.waitUntil(lambda: vm.state is BenchState.INSPECTING and vm.evaluation is not None)


def _only_blurry(tmp_path):
    folder = tmp_path / "shaky"
    folder.mkdir()
    for path in SAMPLE_PHOTOS.glob("blurry*.jpg"):
        shutil.copy(path, folder / path.name)
    return folder


def test_a_blurry_camera_still_is_rejected_and_nothing_recorded(
    qtbot, gadget_vm, gadget_ctx, tmp_path
):
    _open(qtbot, gadget_vm)
    gadget_ctx.devices.camera = SimulatedCamera(folder=_only_blurry(tmp_path), include_blurry=True)
    with qtbot.waitSignal(gadget_vm.messageChanged, timeout=5000) as signal:
        gadget_vm.take_photo("front")
    level, text = signal.args
    assert level == "error" and BLURRY_PROMPT in text
    gadget_vm._runner.wait_idle()
    qtbot.wait(50)
    assert "front" not in gadget_vm.inspection.photo_roles


def test_a_sharp_camera_still_is_recorded(qtbot, gadget_vm):
    _open(qtbot, gadget_vm)
    gadget_vm.take_photo("front")
    qtbot.waitUntil(lambda: "front" in gadget_vm.inspection.photo_roles, timeout=5000)


def test_a_blurry_file_is_kept_with_a_warning(qtbot, gadget_vm, tmp_path):
    _open(qtbot, gadget_vm)
    [blurry] = _only_blurry(tmp_path).iterdir()
    messages = []
    gadget_vm.messageChanged.connect(lambda level, text: messages.append((level, text)))
    gadget_vm.add_photo_file(blurry, "front")
    qtbot.waitUntil(lambda: "front" in gadget_vm.inspection.photo_roles, timeout=5000)
    qtbot.waitUntil(lambda: bool(messages))
    assert messages[0][0] == "warning" and BLURRY_PROMPT in messages[0][1]


def test_store_writes_a_thumbnail_and_keeps_the_original_bytes(tmp_path):
    store = PhotoStore(tmp_path / "photos")
    data = SimulatedCamera().grab().data
    stored = store.store(data)
    original = store.path_of(stored.relative_path).read_bytes()
    assert original == data and hashlib.sha256(original).hexdigest() == stored.sha256
    assert stored.thumbnail_path == store.thumbnail_of(stored.sha256)
    assert stored.thumbnail_path.startswith("thumbs/") and stored.thumbnail_path.endswith(".jpg")
    thumb = cv2.imread(str(store.path_of(stored.thumbnail_path)))
    assert thumb is not None and thumb.shape[1] == THUMB_WIDTH
    assert store.verify(stored.relative_path, stored.sha256)
    assert store.store(data) == stored  # idempotent, thumbnail included


def _switch(switcher, vm, language: str) -> None:
    """Switch as the window does (the view-model hears of it, then every widget)."""
    switcher.switch(language)
    vm.set_language(language)
    for _ in range(3):
        QCoreApplication.sendPostedEvents()
        QApplication.processEvents()


def test_the_extra_photo_row_keeps_its_meaning_across_a_language_switch(qtbot, gadget_vm, switcher):
    """The row for a photo nobody asked for is "Other photo:" in every language, whatever
    role its combo holds: a switch once renamed it after that role ("Other photo" became
    正面, "front"). The role stays the one chosen, by code, and a photo taken there is
    recorded under it."""
    panel = PhotoPanel(gadget_vm)
    qtbot.addWidget(panel)
    _open(qtbot, gadget_vm)
    assert panel.extra_row.label.text() == "Other photo:"
    panel.extra_role.setCurrentIndex(panel.extra_role.findData("back"))

    _switch(switcher, gadget_vm, "zh-CN")
    assert panel.extra_row.label.text() == "其他照片："  # station/locale/zh_CN.po
    assert panel.current_extra_role() == "back" and panel.extra_row.role == "back"
    assert panel.extra_role.currentText() != "back"  # shown translated, kept by code
    _switch(switcher, gadget_vm, "es")
    assert panel.extra_row.label.text() == "Otra foto:"  # station/locale/es.po

    panel.extra_row.take_button.click()
    qtbot.waitUntil(lambda: "back" in gadget_vm.inspection.photo_roles, timeout=5000)
    assert panel.extra_row.label.text() == "Otra foto:"
