"""The command sheet: one A4 page whose every symbol a cheap scanner reads back as its command.

The PDF is rasterised with pypdfium2 and read with zxing-cpp's plain pass (no variants, no
second engine: a sheet that needs those is too marginal for a bench). Sizes are measured on the
raster, not taken from the renderer: module width from the decoded symbol's length, bar height
and quiet zones from the pixels around it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

import station.i18n
from labels.command_sheet import SheetDoesNotFit, SheetSection, render_command_sheet
from station.cli import main
from station.cli_commands import command_sheet_pdf
from station.commands import Command, CommandKind, encode_command, parse_command, standard_commands
from station.i18n import current_language
from station.services.common import ServiceError
from tests.core.mini_standard import write_mini_standard

EIGHT_GRADES = ["A", "B", "C", "D", "E", "F", "G", "X"]
TITLES = ["Finalize", "Next unit", "Reprint label", "Blind return", "Cancel inspection"]
MM_PER_INCH = 25.4


def _pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _raster(pdf: bytes, dpi: int) -> np.ndarray:
    page = pdfium.PdfDocument(pdf)[0]
    return np.asarray(page.render(scale=dpi / 72).to_pil().convert("L"))


def _read(image: np.ndarray) -> list[zxingcpp.Barcode]:
    """Every symbol on the page, whatever its format; the sheet must hold Code 128 only."""
    found = list(zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain))
    assert all(b.valid and b.format == zxingcpp.BarcodeFormat.Code128 for b in found)
    return found


def _code128_modules(payload: str) -> int:
    """Start, one symbol per character (code set B), check and stop (13 modules)."""
    return 11 * (len(payload) + 2) + 13


@pytest.mark.parametrize("dpi", [150, 300])
def test_every_command_scans_back(dpi: int) -> None:
    commands = standard_commands(EIGHT_GRADES)
    pdf = command_sheet_pdf(commands, "en")
    assert _pages(pdf) == 1
    found = _read(_raster(pdf, dpi))
    assert sorted(b.text for b in found) == sorted(encode_command(c) for c in commands)
    # What a wedge scanner with AIM identifiers on would type parses to the right command.
    assert sorted((parse_command(b.symbology_identifier + b.text) for b in found), key=str) == (
        sorted(commands, key=str)
    )


def test_symbols_are_sized_for_arms_length() -> None:
    dpi = 300
    image = _raster(command_sheet_pdf(standard_commands(EIGHT_GRADES), "en"), dpi)
    px_per_mm = dpi / MM_PER_INCH
    found = _read(image)
    assert len(found) == 13
    for barcode in found:
        position = barcode.position
        left, right = position.top_left.x, position.top_right.x
        row = (position.top_left.y + position.bottom_left.y) // 2
        module_px = (right - left) / _code128_modules(barcode.text)
        assert module_px / px_per_mm >= 0.33, barcode.text
        # The first bar of the start character runs from the symbol's top to its bottom.
        column = image[:, left + 1] < 128
        assert column[row], barcode.text
        top = row
        while top > 0 and column[top - 1]:
            top -= 1
        bottom = row
        while bottom + 1 < len(column) and column[bottom + 1]:
            bottom += 1
        assert (bottom - top + 1) / px_per_mm >= 12, barcode.text
        # Quiet zones: ten modules of white on both sides, over the bars' whole height.
        quiet = int(np.ceil(10 * module_px))
        assert image[top : bottom + 1, left - quiet : left - 1].min() > 200, barcode.text
        assert image[top : bottom + 1, right + 2 : right + quiet].min() > 200, barcode.text


def test_titles_are_text_in_english() -> None:
    pdf = command_sheet_pdf(standard_commands(EIGHT_GRADES), "en")
    text = _text(pdf)
    for title in [*TITLES, *(f"Grade {grade}" for grade in EIGHT_GRADES), "Bench commands"]:
        assert title in text
    assert "%RS:FINALIZE" in text


def test_chinese_titles_use_the_cjk_font() -> None:
    commands = standard_commands(["A", "B", "X"])
    chinese = ["完成检验", "下一件", "重新打印标签", "无单退货", "取消检验"]
    titles = chinese + [f"等级 {c.grade}" for c in commands[5:]]
    entries = [(encode_command(c), t, "扫描即执行") for c, t in zip(commands, titles, strict=True)]
    pdf = render_command_sheet(
        [SheetSection("操作", entries[:5], 2), SheetSection("等级", entries[5:], 3)],
        title="工作台指令",
        instructions="扫描本页上的条码即可向工作台发出该指令。请按实际尺寸（100 %）打印。",
        language="zh-CN",
    )
    assert _pages(pdf) == 1
    text = _text(pdf)
    for title in [*titles, "工作台指令", "扫描本页上的条码"]:
        assert title in text
    found = _read(_raster(pdf, 150))
    assert sorted(b.text for b in found) == sorted(e[0] for e in entries)
    assert b"STSong-Light" in pdf


def test_a_sheet_too_full_to_scan_is_refused() -> None:
    grades = [f"G{n}" for n in range(30)]
    entries = [(f"%RS:GRADE:{grade}", grade, "") for grade in grades]
    with pytest.raises(SheetDoesNotFit):
        render_command_sheet([SheetSection("", entries, 3)], title="t", instructions="")
    with pytest.raises(ServiceError, match="one page"):
        command_sheet_pdf(standard_commands(grades), "en")
    long_payload = [("%RS:" + "W" * 60, "Too long", "")]
    with pytest.raises(SheetDoesNotFit):
        render_command_sheet([SheetSection("", long_payload, 1)], title="t", instructions="")
    with pytest.raises(ValueError):
        render_command_sheet([SheetSection("", [("%RS:É", "t", "")])], title="t", instructions="")


def test_cli_writes_the_sheet_of_the_loaded_standards(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A site standard with a grade the shipped ones lack: it must reach the sheet, first.
    site = data_dir / "standards"
    path = write_mini_standard(site)
    text = path.read_text(encoding="utf-8")
    text = text.replace("grades:\n", "grades:\n  - {code: S, label: {en: Sealed, zh-CN: 未拆封}}\n")
    text = text.replace(
        "outcomes:\n", "outcomes:\n  - {grade: S, disposition: restock, refund: full}\n"
    )
    path.write_text(text, encoding="utf-8")
    (data_dir / "settings.toml").write_text(
        'language = "es"\nstandards_dirs = ["standards"]\n', encoding="utf-8"
    )
    out = tmp_path / "sheet.pdf"
    code = main(["commands", "sheet", "--out", str(out), "--data-dir", str(data_dir), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["path"] == str(out) and result["language"] == "es"
    assert result["grades"] == ["S", "A", "B", "C", "D", "X"]
    pdf = out.read_bytes()
    assert _pages(pdf) == 1
    found = sorted(b.text for b in _read(_raster(pdf, 150)))
    assert found == sorted(result["payloads"])
    assert parse_command("%RS:GRADE:S") == Command(CommandKind.GRADE, "S")
    assert "%RS:GRADE:S" in found
    assert not list(tmp_path.glob("*.sqlite3")) and not (data_dir / "station.sqlite3").exists()


def test_cli_language_option_translates_and_restores(
    tmp_path: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalogue = {
        "Finalize": "完成检验",
        "Grade {grade}": "等级 {grade}",
        "Bench commands": "工作台指令",
    }
    monkeypatch.setitem(station.i18n._cache, "zh-CN", catalogue)
    before = current_language()
    out = tmp_path / "zh.pdf"
    code = main(
        ["commands", "sheet", "--out", str(out), "--language", "zh_CN", "--data-dir", str(data_dir)]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert current_language() == before
    text = _text(out.read_bytes())
    assert "完成检验" in text and "等级 A" in text and "工作台指令" in text
    assert "Next unit" in text  # untranslated entries show the English source


def test_cli_unknown_language_fails_cleanly(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    args = [
        "commands",
        "sheet",
        "--out",
        str(out),
        "--language",
        "tlh",
        "--data-dir",
        str(data_dir),
    ]
    assert main([*args, "--json"]) == 1
    assert "tlh" in json.loads(capsys.readouterr().out)["error"]
    assert not out.exists()
