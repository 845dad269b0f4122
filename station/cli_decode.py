"""``station decode IMAGE...``: read the barcodes in image files, as the camera path would.

Useful at a bench to check a label photo or a printed label, and to feed scripts: with ``--json``
one JSON object per file per line. A file that cannot be read is reported for that file and the
others are still decoded; the exit status is non-zero if any file failed, so scripts notice.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from devices.decoding import (
    ENGINES,
    DecodedBarcode,
    DecodeError,
    DecodeOptions,
    timed_decode_file,
)
from station.settings import Settings


def add_decode_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    decode = commands.add_parser(
        "decode", parents=[common], help="decode the barcodes in image files"
    )
    decode.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    decode.add_argument(
        "--engine",
        choices=["all", *ENGINES],
        default="all",
        help="decoding engine (default: zxing-cpp, then ZBar when installed)",
    )
    decode.add_argument(
        "--no-variants",
        action="store_true",
        help="do not retry on contrast/threshold/scale variants of the image",
    )


def _printable(text: str) -> str:
    """Control characters (the GS1 separator \\x1d above all) made visible for a terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _barcode_json(code: DecodedBarcode) -> dict[str, Any]:
    return {
        "format": code.format,
        "text": code.text,
        "gs1": code.gs1,
        "symbology_id": code.symbology_id,
        "engine": code.engine,
        "position": [list(point) for point in code.position],
    }


def run_decode(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    engines = ENGINES if args.engine == "all" else (args.engine,)
    options = DecodeOptions(engines=engines, variants=not args.no_variants)
    failed = 0
    for path in args.images:
        try:
            codes, ms = timed_decode_file(path, options)
        except DecodeError as exc:
            failed += 1
            if as_json:
                print(json.dumps({"file": str(path), "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"station: error: {exc}", file=sys.stderr)  # the message names the file
            continue
        if as_json:
            record = {
                "file": str(path),
                "barcodes": [_barcode_json(code) for code in codes],
                "ms": round(ms, 1),
            }
            print(json.dumps(record, ensure_ascii=False))
        elif not codes:
            print(f"{path}: no barcode found ({ms:.0f} ms)")
        else:
            for code in codes:
                flags = " GS1" if code.gs1 else ""
                aim = code.symbology_id or "-"
                print(
                    f"{path}: {code.format}{flags} {_printable(code.text)} "
                    f"[{aim}, {code.engine}, {ms:.0f} ms]"
                )
    return 1 if failed else 0
