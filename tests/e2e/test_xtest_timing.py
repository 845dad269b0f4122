"""The driver itself, against the X server: what a client receives when it "scans".

A bare X client (no Qt) records the key events the server delivers while the driver plays a
scanner's burst; this checks the two things every other e2e test relies on: Shift pressed
around each capital, exactly as a keyboard-wedge scanner sends it, and the server's delay
semantics (each event is played no earlier than its delay after the previous one, so the
gaps the station measures are the ones asked for, however busy the test process is).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from Xlib import X, display

from tests.e2e.xdriver import XDriver, Xvfb, start_xvfb

CODE = "RMA-NK-104669"


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[Xvfb]:
    server = start_xvfb(tmp_path / "xvfb.log")
    yield server
    server.stop()


def _record(
    client: display.Display, count: int, timeout_s: float = 30.0
) -> list[tuple[int, int, int]]:
    """(type, keycode, server time) of the next ``count`` key events the window gets."""
    events: list[tuple[int, int, int]] = []
    deadline = time.monotonic() + timeout_s
    while len(events) < count and time.monotonic() < deadline:
        while client.pending_events():
            event = client.next_event()
            if event.type in (X.KeyPress, X.KeyRelease):
                events.append((event.type, event.detail, event.time))
        time.sleep(0.002)
    return events


def test_scanner_burst_arrives_with_shift_around_capitals_and_the_gaps_asked_for(
    xvfb: Xvfb,
) -> None:
    client = display.Display(xvfb.display)
    root = client.screen().root
    window = root.create_window(0, 0, 100, 100, 0, X.CopyFromParent,
                                event_mask=X.KeyPressMask | X.KeyReleaseMask)  # fmt: skip
    window.map()
    client.sync()
    window.set_input_focus(X.RevertToParent, X.CurrentTime)
    client.sync()
    driver = XDriver(xvfb.display, random.Random(7))
    try:
        strokes = driver.strokes([*CODE, "Return"], (3, 8), hold_ms=1)
        driver.play(strokes)
        events = _record(client, len(strokes))
    finally:
        driver.close()
    assert len(events) == len(strokes), f"{len(strokes)} key events sent, {len(events)} received"

    shift = client.keysym_to_keycode(0xFFE1)  # Shift_L
    typed, shifted, capitals_with_shift = [], False, 0
    for kind, keycode, _time in events:
        if keycode == shift:
            shifted = kind == X.KeyPress
            continue
        if kind == X.KeyPress:
            keysym = client.keycode_to_keysym(keycode, 1 if shifted else 0)
            typed.append("\n" if keysym == 0xFF0D else chr(keysym))
            capitals_with_shift += chr(keysym).isupper() and shifted
    assert "".join(typed) == CODE + "\n"
    assert capitals_with_shift == sum(c.isupper() for c in CODE)

    gaps = [b[2] - a[2] for a, b in itertools.pairwise(events)]
    asked = [stroke.delay_ms for stroke in strokes[1:]]
    early = [(gap, want) for gap, want in zip(gaps, asked, strict=True) if gap < want]
    assert not early, f"events played before their delay (gap, asked): {early}"
