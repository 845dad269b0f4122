"""The expected returns the end-to-end tests import, with published tracking numbers.

Tracking numbers are valid test numbers of the public tracking-number data set
(github.com/jkeen/tracking_number_data, MIT, ``couriers/ups.json`` and ``couriers/fedex.json``),
not numbers our own generator made. A FedEx label's 34-digit barcode ("FedEx Express (34)")
ends with the 12-digit number printed on the same label ("FedEx Express (12)"): upstream stores
the 12 digits, the bench's scanner reads the 34.

Every return the scanner opens in a test that is not about scanning letters is found through
a FedEx 12-digit number: digits need no Shift, so those tests do not depend on the wedge
filter's handling of capital letters.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

UPS = "1Z5R89390357567127"  # ups.json, "UPS", valid
FEDEX_34 = "1001921334250001000300779017972697"  # fedex.json, "FedEx Express (34)", valid
FEDEX_34_PRINTED = FEDEX_34[-12:]  # "779017972697": the label's human-readable number
FEDEX_12_SCARF = "477179081230"  # fedex.json, "FedEx Express (12)", valid
FEDEX_12_THREE = "799531274483"  # fedex.json, "FedEx Express (12)", valid
FEDEX_12_UNKNOWN = "790535312317"  # fedex.json, "FedEx Express (12)": on no RMA here

# RMA numbers as upstream shops write them: capitals and hyphens.
RMA_CAPITALS = "RMA-NK-104669"  # the number the grader scanned
RMA_FEDEX_BARCODE = "RMA-NK-730201"
RMA_SCARF = "RMA-NK-730202"
RMA_THREE_UNITS = "RMA-NK-730203"

# NORDKNIT's catalogue in the demo data (station demo seed).
SCARF = "NK-SCARF-CHR"  # 180 x 30 cm, 210 g
SCARF_RUST = "NK-SCARF-RST"
BEANIE = "NK-BEANIE"


@dataclass(frozen=True)
class Line:
    rma: str
    tracking: str
    reason: str
    reason_text: str
    sku: str


LINES = (
    Line(RMA_CAPITALS, UPS, "changed_mind", "Bought two, keeping one", SCARF),
    Line(RMA_FEDEX_BARCODE, FEDEX_34_PRINTED, "changed_mind", "Not needed", BEANIE),
    # "Not as described" asks for the scarf's two measurements (length and width).
    Line(RMA_SCARF, FEDEX_12_SCARF, "not_as_described", "Shorter than the listing says", SCARF),
    Line(RMA_THREE_UNITS, FEDEX_12_THREE, "changed_mind", "Ordered a set", SCARF),
    Line(RMA_THREE_UNITS, FEDEX_12_THREE, "changed_mind", "Ordered a set", SCARF_RUST),
    Line(RMA_THREE_UNITS, FEDEX_12_THREE, "changed_mind", "Ordered a set", BEANIE),
)


def write_csv(path: Path, today: date) -> Path:
    """The returns as a shop exports them (docs/rma-import.md), delivered five days ago so
    every one is inside its return window whatever day the tests run."""
    delivered = (today - timedelta(days=5)).isoformat()
    header = ["rma_number", "seller", "channel", "order_id", "customer_country", "reason_code",
              "reason_text", "delivered_on", "tracking_numbers", "line_no", "sku", "qty",
              "unit_price", "currency"]  # fmt: skip
    line_numbers: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for line in LINES:
            line_numbers[line.rma] = line_numbers.get(line.rma, 0) + 1
            order = "#" + line.rma.rsplit("-", 1)[-1]
            writer.writerow([line.rma, "NORDKNIT", "shopify", order, "GB", line.reason,
                             line.reason_text, delivered, line.tracking, line_numbers[line.rma],
                             line.sku, 1, "59.00", "GBP"])  # fmt: skip
    return path
