"""Every file a committed record points at is on disk for good before the record is written.

A rename is only durable once its directory is fsynced. These tests record every ``os.fsync``
(by the path its descriptor is open on) and every ``os.replace``, and check, for each kind of
file the station keeps (photos and their thumbnails, print-spool jobs, label files in a hot
folder, ``settings.toml``), the order a power cut needs: the file's own fsync, then the rename,
then an fsync of the folder that now names it. A folder created on the way is fsynced into its
parent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from devices.camera import SimulatedCamera
from devices.printing import FolderPrinter, PrintJob
from devices.spooler import Spooler
from station.photos import PhotoStore
from station.settings import Settings, load_settings, save_settings

Event = tuple[str, Path]


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Event]]:
    """("fsync", path) and ("replace", target) in the order they happen."""
    recorded: list[Event] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        recorded.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def replace_(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        real_replace(src, dst)
        recorded.append(("replace", Path(dst).resolve()))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace_)
    yield recorded


def assert_durable(events: list[Event], target: Path) -> None:
    """``target`` was renamed into place after its content was fsynced, and its folder was
    fsynced after that rename."""
    target = target.resolve()
    renamed = events.index(("replace", target))
    synced_files = [path for kind, path in events[:renamed] if kind == "fsync"]
    assert any(p.parent == target.parent and p.name.startswith(".") for p in synced_files), (
        f"{target.name}: no fsync of its temporary file before the rename: {events}"
    )
    assert ("fsync", target.parent) in events[renamed + 1 :], (
        f"{target.parent} not fsynced after {target.name} was renamed into it: {events}"
    )


def test_a_photo_and_its_thumbnail_survive_a_power_cut(tmp_path: Path, events: list[Event]) -> None:
    root = tmp_path / "photos"
    stored = PhotoStore(root).store(SimulatedCamera(seed=5).grab().data)

    assert_durable(events, root / stored.relative_path)
    assert stored.thumbnail_path is not None
    assert_durable(events, root / stored.thumbnail_path)
    # The new <aa>/<bb> folders are themselves entries of their parents: fsynced there too.
    aa = (root / stored.relative_path).parent.parent.resolve()
    assert ("fsync", aa) in events and ("fsync", aa.parent) in events


def test_a_spooled_label_job_survives_a_power_cut(tmp_path: Path, events: list[Event]) -> None:
    spool = tmp_path / "spool"
    spooler = Spooler(spool, {"zebra": FolderPrinter("zebra", tmp_path / "out")})
    job = spooler.submit("zpl", b"^XA^FDhello^FS^XZ")

    assert_durable(events, spool / f"{job.id}.bin")
    assert_durable(events, spool / f"{job.id}.json")
    # Payload first: a metadata file never names a payload that a power cut could take away.
    payload_synced = events.index(("fsync", spool.resolve()))
    assert payload_synced < events.index(("replace", (spool / f"{job.id}.json").resolve()))


def test_a_label_written_to_a_hot_folder_survives_a_power_cut(
    tmp_path: Path, events: list[Event]
) -> None:
    folder = tmp_path / "hot" / "labels"
    FolderPrinter("hot", folder).send(PrintJob("j1", "hot", "zpl", b"^XA^XZ"))

    assert_durable(events, folder / "j1.zpl")
    assert ("fsync", folder.parent.resolve()) in events  # the new folder's own entry


def test_saved_settings_survive_a_power_cut(tmp_path: Path, events: list[Event]) -> None:
    data_dir = tmp_path / "data"
    target = save_settings(replace(Settings(data_dir=data_dir), station_name="Bench 3"))

    assert_durable(events, target)
    assert load_settings(data_dir).station_name == "Bench 3"
