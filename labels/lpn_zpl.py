"""The LPN label printed at finalize, in ZPL II (2x1 in at 203 dpi).

Kept as a thin wrapper so ``ui/viewmodels/bench.py`` keeps its call: the label itself now comes
from the shared template (``render_label("lpn", ...)``), so the printed LPN label and its PDF
twin are the same label.
"""

from __future__ import annotations

from datetime import datetime

from labels.api import LabelData, render_label


def lpn_label_zpl(
    *, lpn: str, grade: str, disposition: str, sku: str | None, station_id: str, when: datetime
) -> bytes:
    """The 2x1 in LPN label at 203 dpi for the bench's thermal printer."""
    data = LabelData(
        lpn=lpn,
        station_id=station_id,
        site_id="",
        printed_on=when.date(),
        grade=grade,
        disposition=disposition,
        sku=sku,
    )
    return render_label("lpn", data, size="2x1", fmt="zpl", dpi=203)
