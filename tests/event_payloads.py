"""Valid event payloads for relay tests: the relay refuses to send anything that fails its
published schema, so test events must be real ones (``label.printed``: the smallest)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

LABEL_PRINTED = "label.printed"


def label_printed(code: str) -> dict[str, Any]:
    """A ``label.printed`` data object; ``code`` carries the unit so receivers can check order."""
    return {
        "label_id": str(uuid.uuid4()),
        "site": "SITE-TEST",
        "station": "BENCH-TEST",
        "inspection_id": str(uuid.uuid4()),
        "parcel_id": None,
        "kind": "lpn",
        "size": "4x6",
        "format": "zpl",
        "code": code,
        "printer": "sim",
        "job_id": None,
        "sha256": hashlib.sha256(code.encode()).hexdigest(),
        "reprint_of": None,
    }
