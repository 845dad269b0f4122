"""The result type and carrier names of ``devices.tracking``.

Kept apart so the generators and the recognition code can be split over files without an
import cycle; callers import from ``devices.tracking``, which re-exports everything here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Carrier codes as they appear in ``station scan --json`` output: lowercase, stable. They are
# the ``courier_code`` of the tracking_number_data files; carriers new to us (``purolator``,
# ``canpar``, ``yodel``, ...) keep the data set's code. SF Express is not in the data set.
UPS = "ups"
USPS = "usps"
FEDEX = "fedex"
DHL = "dhl"
S10 = "s10"
DPD = "dpd"
AMAZON = "amazon"
CANADA_POST = "canada_post"
ONTRAC = "ontrac"
LASERSHIP = "lasership"
YUNEXPRESS = "yunexpress"
SF_EXPRESS = "sf_express"

GS = "\x1d"


@dataclass(frozen=True)
class TrackingNumber:
    """What a scanned code is as a tracking number.

    ``normalized`` is what to store and show (for a GS1-128 USPS label: the IMpb without the
    ``420`` + ZIP routing prefix; for a DPD 28-character barcode: the 14-digit parcel number
    with its own check character, as printed under the barcode; otherwise the code).
    ``service`` is the carrier's own service code as it appears in the number (UPS ``03``, S10
    ``RB``, IMpb 3-digit service type code), if the format has one. ``format`` is the data
    set's format id (``fedex_34``, ``usps_impb_c``, ...).
    ``valid``: the shape matches and the check digit holds; for formats without a check digit
    (``checked`` False: Amazon, LaserShip, YunExpress, ...) only "the shape is the carrier's".
    ``valid`` False always means the check digit is wrong: an S10 "number" whose country code
    names no postal operator is not read as S10 at all.
    ``operator`` names who issued an S10 number (``royal_mail``, ``china_post``, ...): S10
    is one format shared by every postal operator, so the carrier is ``s10``.
    ``lookup_keys`` are the numbers an upstream system may have stored for this parcel: the
    code as scanned, ``normalized``, and the number printed for humans that a barcode form
    carries (the 12-digit FedEx number inside a 34- or 32-digit barcode, the 15-digit FedEx
    Ground number inside a ``96`` 22-digit barcode, an SSCC with and without its AI ``00``).
    """

    carrier: str
    service: str | None
    normalized: str
    valid: bool
    operator: str | None = None
    checked: bool = True
    format: str | None = None
    lookup_keys: frozenset[str] = field(default=frozenset(), compare=False)
