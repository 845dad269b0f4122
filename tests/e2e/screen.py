"""Reading screenshots: colours the bench uses for one meaning only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

# The blind-return orange (ui/widgets/scan_bar.py "No RMA found", ui/widgets/rma_panel.py's
# blind-return banner): on the screen only when the bench offers a blind return.
BLIND_ORANGE = (0xB3, 0x59, 0x00)


def blind_prompt_pixels(path: Path) -> int:
    """How many pixels of the screenshot are the blind-return orange."""
    pixels = np.asarray(Image.open(path).convert("RGB"))
    return int(np.all(pixels == np.array(BLIND_ORANGE, dtype=np.uint8), axis=-1).sum())
