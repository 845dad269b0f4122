"""The result type and carrier names shared by ``devices.tracking`` and ``devices.tracking_formats``.

It lives in its own module so the format tables can be split over several files without an
import cycle; callers keep importing from ``devices.tracking``, which re-exports everything here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Carrier codes as they appear in ``station scan --json`` output: lowercase, stable.
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

    ``normalized`` is what to store and look up (for a GS1-128 USPS label: the IMpb part
    without the ``420`` routing prefix; for a DPD 28-character barcode: the 14-digit parcel
    number with its own check character, as printed under the barcode). ``service`` is the
    carrier's own service code as it appears in the number (UPS ``03``, S10 ``RB``, IMpb
    3-digit service type code) or a short form name (``express``, ``ground``), not a label.
    ``valid`` is False when the shape matches but the check digit does not.
    ``operator`` names who issued an S10 number (``royal_mail``, ``china_post``, ...): S10
    is one format shared by every postal operator, so the carrier is ``s10``.
    ``checked`` is False for formats that carry no check digit (Amazon ``TBA``, LaserShip,
    YunExpress, SF Express, DHL eCommerce): ``valid`` is then only "the shape is right".
    """

    carrier: str
    service: str | None
    normalized: str
    valid: bool
    operator: str | None = None
    checked: bool = True
