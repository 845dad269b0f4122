"""Barcode format names: what zxing-cpp and ZBar call a symbology, and what the station calls it.

Kept apart from ``devices.decoding`` because it is data: one station name per symbology
whichever engine read it, and the AIM symbology identifier ZBar does not report itself.
"""

from __future__ import annotations

from typing import Any

ZXING_NAMES = {
    "Code128": "code128",
    "Code39": "code39",
    "Code39Std": "code39",
    "Code39Ext": "code39",
    "Code93": "code93",
    "Codabar": "codabar",
    "ITF": "itf",
    "ITF14": "itf",
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPCA": "upca",
    "UPCE": "upce",
    "ISBN": "ean13",
    "QRCode": "qrcode",
    "QRCodeModel1": "qrcode",
    "QRCodeModel2": "qrcode",
    "MicroQRCode": "microqr",
    "RMQRCode": "rmqr",
    "DataMatrix": "datamatrix",
    "PDF417": "pdf417",
    "CompactPDF417": "pdf417",
    "MicroPDF417": "micropdf417",
    "MaxiCode": "maxicode",
    "Aztec": "aztec",
    "AztecCode": "aztec",
    "AztecRune": "aztec",
    "DataBar": "databar",
    "DataBarOmni": "databar",
    "DataBarStk": "databar",
    "DataBarStkOmni": "databar",
    "DataBarLtd": "databarlimited",
    "DataBarLimited": "databarlimited",
    "DataBarExp": "databarexpanded",
    "DataBarExpStk": "databarexpanded",
    "DataBarExpanded": "databarexpanded",
}

ZBAR_NAMES = {
    "CODE128": "code128",
    "CODE39": "code39",
    "CODE93": "code93",
    "CODABAR": "codabar",
    "I25": "itf",
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPCA": "upca",
    "UPCE": "upce",
    "ISBN13": "ean13",
    "ISBN10": "ean13",
    "QRCODE": "qrcode",
    "PDF417": "pdf417",
    "DATABAR": "databar",
    "DATABAR_EXP": "databarexpanded",
}

# AIM identifiers for ZBar results (pyzbar does not expose ZBar's modifiers, so no GS1 flag).
ZBAR_AIM = {
    "code128": "]C0",
    "code39": "]A0",
    "code93": "]G0",
    "codabar": "]F0",
    "itf": "]I0",
    "ean13": "]E0",
    "upca": "]E0",
    "ean8": "]E4",
    "upce": "]E0",
    "qrcode": "]Q1",
    "pdf417": "]L2",
    "databar": "]e0",
    "databarexpanded": "]e0",
}


def zxing_format_name(fmt: Any) -> str:
    name = getattr(fmt, "name", None) or str(fmt).rsplit(".", 1)[-1]
    return ZXING_NAMES.get(name, name.lower())
