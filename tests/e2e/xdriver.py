"""Type, click, find windows and take screenshots through a real X server, as hardware does.

Keys go in through the XTEST extension (python-xlib), so the station receives them exactly as
it receives a USB keyboard or a keyboard-wedge scanner: from the X server, with the server's
timestamps, through the keyboard mapping, to the window that has the input focus. A character
that needs Shift gets ``Shift_L`` pressed before it and released after it, as a wedge scanner
types a capital letter; the keycode comes from the server's own keyboard mapping.

Timing, and why it does not depend on how busy the test is
----------------------------------------------------------
XTEST's FakeInput request has a ``time`` field (python-xlib: ``fake_input(..., time=ms)``). It
is not a timestamp but a delay: the X server (``Xext/xtest.c``, ``ProcXTestFakeInput``: "If the
event has a time set, wait for it to pass") adds it to its current time, puts the requesting
client to sleep until then (``ClientSleepUntil``) and only then replays the request with the
delay cleared, so the event is generated - and timestamped - ``time`` ms after the server read
the request. While the client sleeps no further request of that client is processed, so a run
of FakeInput requests plays back one delay after another: the delays add up (X11::Protocol's
XTEST documentation says the same). A whole burst is therefore written at once and played by
the server on its own clock; ``display.sync()`` returns when it has been played. Neither this
process nor the station being busy changes the gaps the station sees in the events'
timestamps, which is what its wedge filter measures.

Measured on Debian 12's Xvfb 21.1.7 with a bare X client recording the KeyPress/KeyRelease
timestamps it received for "RMA-NK-104669" + Enter (38 events): every gap was the requested
delay or 1 ms more (the server's clock counts whole milliseconds), for a 3-8 ms scanner burst
as for 80-150 ms typing, and the same while this process busy-looped for the whole burst.
``tests/e2e/test_xtest_timing.py`` keeps the speed-independent half of that: Shift around each
capital, and no event played before its delay (a loaded machine can only make gaps longer;
the wedge filter's limit is 50 ms, far above a scanner's 3-8). Only the X server itself being
kept off the CPU for tens of milliseconds in the middle of a burst could stretch a gap past it.

Requests of the same connection wait behind a burst being played, so window queries and
screenshots made through one ``XDriver`` see the state after the burst.
"""

from __future__ import annotations

import os
import random
import re
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from Xlib import XK, X, display, error
from Xlib.ext import xtest
from Xlib.xobject.drawable import Window

SCANNER_GAP_MS = (3, 8)  # between a wedge scanner's key presses
PERSON_GAP_MS = (80, 150)  # between a person's key presses
SCREEN = "1280x1024x24"
XVFB_PACKAGE = "xvfb"

# Keys by the name tests use; characters are looked up through their keysym.
_NAMED = {"Enter": "Return", "Esc": "Escape", "Tab": "Tab", "Backspace": "BackSpace"}
_MODIFIERS = {"ctrl": "Control_L", "shift": "Shift_L", "alt": "Alt_L"}


class XError(RuntimeError):
    """The X server could not be started or did not do what was asked."""


# --- the server --------------------------------------------------------------------------------


@dataclass
class Xvfb:
    """A virtual X server on a display number it picked itself (``-displayfd``): no fixed
    ``:99``, so parallel test workers never race for a number."""

    process: subprocess.Popen[bytes]
    display: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_xvfb(log_path: Path, timeout_s: float = 30.0) -> Xvfb:
    """Start ``Xvfb -displayfd``; a missing Xvfb is a failure naming the package, never a
    skip (a skip would hide in CI that these tests did not run)."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XError(f"Xvfb is not installed: apt-get install {XVFB_PACKAGE}")
    read_end, write_end = os.pipe()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [binary, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    os.close(write_end)
    try:
        number = _read_display_number(read_end, process, timeout_s)
    except XError as exc:
        process.kill()
        process.wait(timeout=5)
        raise XError(f"{exc}; Xvfb said: {_tail(log_path)}") from None
    finally:
        os.close(read_end)
    return Xvfb(process, f":{number}", log_path)


def _read_display_number(fd: int, process: subprocess.Popen[bytes], timeout_s: float) -> int:
    deadline, text = time.monotonic() + timeout_s, b""
    while not text.endswith(b"\n"):
        if process.poll() is not None:
            raise XError(f"Xvfb exited with status {process.returncode}")
        left = deadline - time.monotonic()
        if left <= 0:
            raise XError(f"Xvfb did not say its display number within {timeout_s:.0f} s")
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(fd, 64)
            if not chunk:
                raise XError("Xvfb closed -displayfd without a display number")
            text += chunk
    return int(text.strip())


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- the client --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stroke:
    """One key event for the server to play ``delay_ms`` after the previous one."""

    keycode: int
    press: bool
    delay_ms: int


class XDriver:
    """One connection to the server: XTEST input, window lookup, focus, screenshots."""

    def __init__(self, display_name: str, rng: random.Random | None = None) -> None:
        self.display = display.Display(display_name)
        if not self.display.has_extension("XTEST"):
            raise XError(f"the X server on {display_name} has no XTEST extension")
        self.root = self.display.screen().root
        self.rng = rng or random.Random(13)
        self._atoms: dict[str, int] = {}

    def close(self) -> None:
        self.display.close()

    # --- keys --------------------------------------------------------------------------------

    def keycode(self, keysym_name: str) -> tuple[int, bool]:
        """(keycode, needs Shift) for a keysym name (``a``, ``A``, ``minus``, ``F8``) or a
        single character, from the server's keyboard mapping."""
        keysym = _keysym(keysym_name)
        codes = sorted(self.display.keysym_to_keycodes(keysym), key=lambda pair: pair[1])
        for keycode, index in codes:
            if index in (0, 1):
                return keycode, index == 1
        raise XError(f"no key on the server's keyboard types {keysym_name!r}")

    def strokes(self, keys: Iterable[str], gap_ms: tuple[int, int], hold_ms: int) -> list[Stroke]:
        """Press and release each key (a character, or a key name such as ``Enter``), Shift
        around those that need it; ``gap_ms`` is the range of time from one key press to the
        next, ``hold_ms`` how long a key stays down."""
        shift, _ = self.keycode("Shift_L")
        timed: list[tuple[int, int, bool]] = []  # (ms from the start, keycode, press)
        press_at = 0
        for index, key in enumerate(keys):
            keycode, shifted = self.keycode(_NAMED.get(key, key))
            if index:
                # After the previous key is fully up, however short the gap drawn.
                press_at = max(press_at + self.rng.randint(*gap_ms), timed[-1][0])
            if shifted:  # Shift goes down just before the key and up just after it
                timed += [(press_at, shift, True), (press_at + 1, keycode, True),
                          (press_at + 1 + hold_ms, keycode, False),
                          (press_at + 2 + hold_ms, shift, False)]  # fmt: skip
            else:
                timed += [(press_at, keycode, True), (press_at + hold_ms, keycode, False)]
        strokes, previous = [], 0
        for at, keycode, press in timed:
            strokes.append(Stroke(keycode, press, at - previous))
            previous = at
        return strokes

    def play(self, strokes: Sequence[Stroke]) -> None:
        """Send every stroke at once; the server plays them on its own clock. Returns once
        the server has played them all."""
        for stroke in strokes:
            kind = X.KeyPress if stroke.press else X.KeyRelease
            xtest.fake_input(self.display, kind, stroke.keycode, time=stroke.delay_ms)
        self.display.sync()

    def scan(self, code: str, suffix: str = "Enter") -> None:
        """A keyboard-wedge scanner's burst: 3-8 ms between keys, then the suffix key."""
        keys = [*code, *([suffix] if suffix else [])]
        self.play(self.strokes(keys, SCANNER_GAP_MS, hold_ms=1))

    def type(self, text: str, *then: str) -> None:
        """A person typing: 80-150 ms between keys; ``then`` are keys after the text
        (``"Enter"``, ``"Tab"``)."""
        keys = [*text, *then]
        self.play(self.strokes(keys, PERSON_GAP_MS, hold_ms=self.rng.randint(30, 60)))

    def key(self, name: str, *modifiers: str) -> None:
        """One key as a person presses it, with modifiers held (``key("u", "ctrl")``)."""
        held = [self.keycode(_MODIFIERS[m])[0] for m in modifiers]
        keycode, shifted = self.keycode(_NAMED.get(name, name))
        if shifted and "shift" not in modifiers:
            held.append(self.keycode("Shift_L")[0])
        pause = self.rng.randint(*PERSON_GAP_MS)
        strokes = [Stroke(code, True, pause if i == 0 else 20) for i, code in enumerate(held)]
        strokes += [Stroke(keycode, True, 20 if held else pause), Stroke(keycode, False, 40)]
        strokes += [Stroke(code, False, 10) for code in reversed(held)]
        self.play(strokes)

    # --- mouse -------------------------------------------------------------------------------

    def click(self, x: int, y: int) -> None:
        xtest.fake_input(self.display, X.MotionNotify, x=x, y=y)
        xtest.fake_input(self.display, X.ButtonPress, 1, time=self.rng.randint(*PERSON_GAP_MS))
        xtest.fake_input(self.display, X.ButtonRelease, 1, time=60)
        self.display.sync()

    def click_centre(self, rect: Sequence[int]) -> None:
        x, y, width, height = rect
        self.click(x + width // 2, y + height // 2)

    # --- windows -----------------------------------------------------------------------------

    def atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self.display.intern_atom(name)
        return self._atoms[name]

    def windows_of(self, pid: int) -> Iterator[tuple[Window, str]]:
        """The viewable top-level windows of a process, with their titles (no window manager
        here: top-levels are the root's children, newest last)."""
        for window in self.root.query_tree().children:
            try:
                if window.get_attributes().map_state != X.IsViewable:
                    continue
                owner = window.get_full_property(self.atom("_NET_WM_PID"), X.AnyPropertyType)
                if owner is None or int(owner.value[0]) != pid:
                    continue
                yield window, self.title(window)
            except error.BadWindow:  # gone while we looked
                continue

    def title(self, window: Window) -> str:
        name = window.get_full_property(self.atom("_NET_WM_NAME"), self.atom("UTF8_STRING"))
        if name is not None:
            value = name.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        legacy = window.get_wm_name()
        return legacy if isinstance(legacy, str) else ""

    def find_window(self, pid: int, title: str | re.Pattern[str]) -> Window | None:
        pattern = re.compile(title) if isinstance(title, str) else title
        found = [w for w, name in self.windows_of(pid) if pattern.search(name)]
        return found[-1] if found else None

    def focus(self, window: Window) -> None:
        """Give a window the keyboard focus, as a window manager would on a click."""
        window.set_input_focus(X.RevertToParent, X.CurrentTime)
        self.display.sync()

    def focused(self) -> int:
        focus = self.display.get_input_focus().focus
        return int(focus.id) if hasattr(focus, "id") else int(focus)

    # --- screen ------------------------------------------------------------------------------

    def screenshot(self, path: Path) -> Path:
        """The whole screen as a PNG (what a person at the bench would see)."""
        geometry = self.root.get_geometry()
        width, height = geometry.width, geometry.height
        raw = self.root.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF)
        image = Image.frombytes("RGB", (width, height), raw.data, "raw", "BGRX")
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
        return path


def _keysym(name: str) -> int:
    if len(name) == 1:
        return ord(name)  # Latin-1 characters are their own keysyms
    keysym = XK.string_to_keysym(name)
    if keysym == X.NoSymbol:
        raise XError(f"unknown key {name!r}")
    return int(keysym)


def wait_until(
    condition: Callable[[], object], timeout_s: float, interval_s: float = 0.05
) -> object:
    """Poll ``condition`` until it returns something true, or the deadline (not a speed
    assertion: a generous upper bound for a loaded machine). Returns the last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval_s)
