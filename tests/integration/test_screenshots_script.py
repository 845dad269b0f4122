"""scripts/screenshots.py drives the real window into each screen and saves it; and every image
the README and the guides show is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from station.i18n import current_language
from tests.ui.bench_tour import load_script

ROOT = Path(__file__).resolve().parents[2]
# Markdown images ![alt](path) and HTML <img src="path">.
IMAGE_LINK = re.compile(
    r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img[^>]+src=\"([^\"]+)\""
)


def _distinct_colours(image: QImage, step: int = 8) -> int:
    """Colours on a sparse grid: enough to tell a drawn window from an empty one."""
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), step)
         for y in range(0, image.height(), step)}
    )  # fmt: skip


def test_the_script_saves_every_screen_of_the_real_window(qapp, tmp_path: Path) -> None:
    script = load_script()
    out = tmp_path / "shots"
    shown_before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    style_before = qapp.styleSheet()

    assert script.main([str(out), "--language", "es", "--theme", "light"]) == 0

    written = sorted(path.name for path in out.glob("*.png"))
    assert written == sorted(script.SHOTS)
    for name in written:
        image = QImage(str(out / name))
        assert not image.isNull(), f"{name} is not a readable PNG"
        if name in script.WINDOW_SHOTS:
            assert (image.width(), image.height()) == script.WINDOW_SIZE, name
        else:  # a dialog: at least a readable size
            assert image.width() >= 400 and image.height() >= 300, name
        assert _distinct_colours(image) >= 8, f"{name} looks blank"
    # The dark screenshot is dark: its corner (the window's background) is darker than the
    # light one's.
    light = QImage(str(out / "02-inspecting.png")).pixelColor(2, 2).lightness()
    dark = QImage(str(out / "09-bench-dark.png")).pixelColor(2, 2).lightness()
    assert dark < light
    # Nothing left behind: no window open, the language and theme as they were.
    left_open = [w for w in QApplication.topLevelWidgets()
                 if w.isVisible() and id(w) not in shown_before]  # fmt: skip
    assert not left_open, f"windows left open: {left_open}"
    assert current_language() == "en"
    assert qapp.styleSheet() == style_before


def _linked_images(document: Path) -> list[str]:
    links = [a or b for a, b in IMAGE_LINK.findall(document.read_text(encoding="utf-8"))]
    return [link for link in links if not re.match(r"^[a-z]+:", link)]  # skip http:, data:


def test_every_image_the_docs_show_is_in_the_repository() -> None:
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    checked = 0
    for document in documents:
        for link in _linked_images(document):
            target = (document.parent / link.split("#")[0]).resolve()
            assert ROOT in target.parents, f"{document.name} shows {link}, outside the repository"
            assert target.is_file(), f"{document.name} shows {link}, which does not exist"
            assert not QImage(str(target)).isNull(), f"{link} is not a readable image"
            checked += 1
    assert checked >= 5  # the README's screenshots at least
