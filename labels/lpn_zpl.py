"""The LPN label printed at finalize, in ZPL II (2x1 in at 203 dpi).

A first, plain label so every unit leaves the bench findable: the LPN as Code128 with its text,
grade and disposition large enough to sort by, SKU and station. The full label set (sizes,
PDF, relabel and route tags) comes with the labels work; this one only uses what exists.
"""

from __future__ import annotations

from datetime import datetime


def _text(value: str) -> str:
    """ZPL field data: ^ and ~ are commands, so they are replaced (the text stays readable)."""
    return value.replace("^", " ").replace("~", " ")


def lpn_label_zpl(
    *, lpn: str, grade: str, disposition: str, sku: str | None, station_id: str, when: datetime
) -> bytes:
    zpl = (
        "^XA^CI28^PW406^LL203\n"
        f"^FO12,10^BY2^BCN,70,Y,N,N^FD{_text(lpn)}^FS\n"
        f"^FO12,112^A0N,44,44^FD{_text(grade)}^FS\n"
        f"^FO70,116^A0N,26,26^FD{_text(disposition.replace('_', ' ').upper())}^FS\n"
        f"^FO12,162^A0N,20,20^FD{_text(sku or 'BLIND RETURN')}^FS\n"
        f"^FO230,162^A0N,18,18^FD{_text(station_id)} {when:%Y-%m-%d}^FS\n"
        "^XZ\n"
    )
    return zpl.encode("utf-8")
