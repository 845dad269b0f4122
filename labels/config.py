"""Which labels the bench prints, at what size, in what format, on which printer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelsConfig:
    # Printed automatically when a verdict is recorded (route tags sort units into bins).
    on_finalize: tuple[str, ...] = ("lpn", "route")
    # Printed when a blind return is received, so the parcel can be found again.
    on_blind_receipt: tuple[str, ...] = ("receipt",)
    format: str = "zpl"  # "zpl" for thermal printers, "pdf" for office printers or files
    dpi: int = 203
    lpn_size: str = "2x1"
    relabel_size: str = "2x1"
    route_size: str = "4x6"
    receipt_size: str = "4x6"
    printer: str | None = None  # a printer name from [printer]; None: the configured one

    def size_for(self, kind: str) -> str:
        return str(getattr(self, f"{kind}_size"))
