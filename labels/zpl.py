"""The ZPL II renderer: a label model to a ``^XA``…``^XZ`` format for Zebra-style printers.

Why it looks like this:

- ``^CI28`` makes field data UTF-8, so condition texts in any language travel unchanged; the
  printer still needs a font with the glyphs (see ``CJK_FONT``).
- Code 128 is encoded here in mode N with explicit subset switches (``>;`` start C, ``>:``
  start B, ``>5``/``>6`` switch, ``>8`` FNC1) instead of the printer's automatic mode: we must
  know the symbol's width in modules to choose a module width that fits the box, and GS1-128
  needs FNC1 in first position, which automatic mode cannot express.
- Human-readable lines are separate text fields (never the barcode's interpretation line) so
  the PDF and the ZPL show the same text, fitted the same way.
- Field data with ``^``, ``~`` or ``_`` goes through ``^FH`` hex escapes; a stray caret in a
  title would otherwise start a command and corrupt the label.
"""

from __future__ import annotations

from labels.model import (
    QUIET_MODULES,
    BarcodeBlock,
    Label,
    TextBlock,
    fit_text,
    is_wide,
    needs_cjk_font,
)

# Printer font for CJK text. Font 0 (the resident CG Triumvirate) has Latin glyphs only; a
# Simplified Chinese condition text needs a Unicode TrueType font stored on the printer (Zebra's
# Asian font kits, e.g. ANMDS.TTF, or a downloaded Noto Sans CJK), mapped to a letter with ^CW.
CJK_FONT = "E:ANMDS.TTF"

# ECC200 square symbol sizes and their data capacities in codewords (ISO/IEC 16022 table 7).
_DM_SIZES = (
    (10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44),
    (32, 62), (36, 86), (40, 114), (44, 144), (48, 174), (52, 204), (64, 280), (72, 368),
)  # fmt: skip


def dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def _fd(value: str) -> str:
    """``^FD`` with the value, hex-escaped through ``^FH`` when it holds ZPL's special bytes."""
    if not any(c in value for c in "^~_"):
        return f"^FD{value}^FS"
    escaped = "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in value)
    return f"^FH^FD{escaped}^FS"


def code128_zpl(data: str, gs1: bool = False) -> tuple[str, int]:
    """Mode-N field data for ``^BC`` and the symbol's number of code characters.

    Runs of four or more digits go to subset C (two digits per character), the rest to subset
    B. ``\\x1d`` in a GS1 string becomes FNC1 (``>8``); a literal ``>`` is ``><``.
    The module count is ``11 * (characters + check) + 13`` (stop).
    """
    out: list[str] = []
    count = 0
    subset = ""
    i = 0
    started = False

    def switch(target: str) -> None:
        nonlocal subset, count, started
        if subset == target:
            return
        if not started:
            out.append(">;" if target == "C" else ">:")
            started = True
            count += 1
            if gs1:
                out.append(">8")
                count += 1
        else:
            out.append(">5" if target == "C" else ">6")
            count += 1
        subset = target

    while i < len(data):
        ch = data[i]
        if ch == "\x1d":
            if not gs1:
                raise ValueError("GS (\\x1d) is only allowed in a GS1 element string")
            switch(subset or "B")
            out.append(">8")
            count += 1
            i += 1
            continue
        run = 0
        while i + run < len(data) and data[i + run].isdigit() and data[i + run].isascii():
            run += 1
        if run >= 4 or (run >= 2 and run == len(data) - i and run % 2 == 0 and not started):
            take = run - run % 2
            switch("C")
            out.append(data[i : i + take])
            count += take // 2
            i += take
            continue
        if not (32 <= ord(ch) < 127):
            raise ValueError(f"Code 128 cannot carry {ch!r}")
        switch("B")
        out.append("><" if ch == ">" else ch)
        count += 1
        i += 1
    if not started:
        raise ValueError("empty Code 128 data")
    return "".join(out), count


def code128_modules(data: str, gs1: bool = False) -> int:
    """Width of the bars in modules, without quiet zones."""
    return 11 * (code128_zpl(data, gs1)[1] + 1) + 13


def datamatrix_side(data: str) -> int:
    """Smallest square ECC200 size holding ``data`` in ASCII encodation (digit pairs packed)."""
    raw = data.encode("utf-8")
    codewords = 0
    i = 0
    while i < len(raw):
        if i + 1 < len(raw) and chr(raw[i]).isdigit() and chr(raw[i + 1]).isdigit():
            codewords += 1
            i += 2
        else:
            codewords += 2 if raw[i] > 127 else 1
            i += 1
    for side, capacity in _DM_SIZES:
        if codewords <= capacity:
            return side
    raise ValueError("too much data for a DataMatrix on a label")


# Typographic punctuation font 0 lacks, and what prints instead.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def _text_width_mm(text: str, size: float) -> float:
    """Font 0 at height h with width h: roughly 0.56 h per Latin character, 1 h per CJK one."""
    return sum(size if is_wide(c) else size * 0.56 for c in text)


def _text(block: TextBlock, dpi: int) -> list[str]:
    size, lines = fit_text(block, _text_width_mm)
    height = max(10, dots(size, dpi))
    font = "^AJN" if needs_cjk_font(block.text) else "^A0N"
    x = dots(block.box.x, dpi)
    y = dots(block.box.y, dpi)
    step = round(height * 1.12)
    return [
        f"^FO{x},{y + n * step}{font},{height},{height}{_fd(line.translate(_PLAIN))}"
        for n, line in enumerate(lines)
    ]


def _barcode(block: BarcodeBlock, dpi: int) -> str:
    box = block.box
    x, y = dots(box.x, dpi), dots(box.y, dpi)
    w, h = dots(box.w, dpi), dots(box.h, dpi)
    if block.symbology == "datamatrix":
        side = datamatrix_side(block.data)
        module = max(1, min(w, h) // (side + 2))
        offset = module + (min(w, h) - module * (side + 2)) // 2
        # ECC 200 reads its own escapes (default ``~``, also ZPL's command prefix) in the field
        # data: name one the data does not hold, so an old LPN ending in ``~`` is encoded as
        # the character it is.
        escape = next(c for c in "`|{}!" if c not in block.data)
        return (
            f"^FO{x + offset},{y + offset}^BXN,{module},200,{side},{side},6,{escape}"
            f"{_fd(block.data)}"
        )
    if block.symbology in ("ean13", "upca"):
        modules = 95 + 2 * 9
        module = max(1, min(4, w // modules))
        left = (w - module * 95) // 2
        if block.symbology == "ean13":
            return f"^FO{x + left},{y}^BY{module}^BEN,{h},N,N^FD{block.data[:12]}^FS"
        return f"^FO{x + left},{y}^BY{module}^BUN,{h},N,N,Y^FD{block.data[:11]}^FS"
    encoded, chars = code128_zpl(block.data, block.gs1)
    modules = 11 * (chars + 1) + 13
    module = max(1, min(4, w // (modules + 2 * QUIET_MODULES)))
    left = (w - module * modules) // 2
    # Through _fd: a ``~`` or ``^`` in the data (old LPNs' check characters) would otherwise
    # start a ZPL command in the middle of the field.
    return f"^FO{x + left},{y}^BY{module}^BCN,{h},N,N,N,N{_fd(encoded)}"


def label_to_zpl(label: Label, *, dpi: int = 203) -> bytes:
    """One ZPL II format (UTF-8 bytes) for ``label`` at ``dpi`` (203 or 300)."""
    if dpi not in (203, 300, 600):
        raise ValueError(f"unsupported printer resolution {dpi} dpi")
    parts = [
        "^XA",
        "^CI28",
        f"^PW{dots(label.width_mm, dpi)}^LL{dots(label.height_mm, dpi)}^LH0,0",
    ]
    if any(isinstance(e, TextBlock) and needs_cjk_font(e.text) for e in label.elements):
        parts.append(f"^FX CJK text needs {CJK_FONT} (or another CJK TTF) on the printer^FS")
        parts.append(f"^CWJ,{CJK_FONT}")
    for element in label.elements:
        if isinstance(element, TextBlock):
            parts.extend(_text(element, dpi))
        else:
            parts.append(_barcode(element, dpi))
    parts.append("^XZ")
    return ("\n".join(parts) + "\n").encode("utf-8")
