"""Wedge parsing from synthetic key sequences: bursts are scans, typing is not."""

from __future__ import annotations

from devices.config import ScannerConfig
from devices.wedge import GS, KeyFate, ScanEvent, WedgeParser, clean_code, parse_keys


def burst(text: str, start: float = 1000.0, gap: float = 8.0, end: str = "Enter"):
    keys = [*text, end] if end else list(text)
    return [(start + i * gap, key) for i, key in enumerate(keys)]


def test_fast_burst_with_enter_is_a_scan():
    assert parse_keys(burst("1Z999AA10123456784")) == [ScanEvent("1Z999AA10123456784")]


def test_fast_burst_with_tab_and_terminator_config():
    assert parse_keys(burst("RMA-NK-000123", end="Tab")) == [ScanEvent("RMA-NK-000123")]
    enter_only = ScannerConfig(terminator="enter")
    assert parse_keys(burst("RMA-NK-000123", end="Tab"), enter_only) == []
    assert parse_keys(burst("RMA-NK-000123", end="Return"), enter_only) == [
        ScanEvent("RMA-NK-000123")
    ]


def test_slow_typing_is_not_a_scan_and_every_key_is_released_in_order():
    parser = WedgeParser()
    delivered: list[str] = []
    for ts, key in burst("RMA-1", gap=180.0):
        step = parser.feed(ts, key)
        delivered.extend(step.released)
        assert step.scan is None
        if step.fate is KeyFate.PASS:
            delivered.append(key)
    delivered.extend(parser.flush(10**9))
    assert delivered == [*"RMA-1", "Enter"]


def test_held_keys_are_released_by_flush_after_a_pause():
    parser = WedgeParser()
    assert parser.feed(0, "a").fate is KeyFate.HELD
    assert parser.flush(20) == ()  # not yet
    assert parser.flush(60) == ("a",)
    assert not parser.holding


def test_short_fast_burst_is_typing():
    assert parse_keys(burst("ab")) == []  # below wedge_min_length


def test_prefix_and_suffix_are_stripped():
    config = ScannerConfig(prefix="@@", suffix="#")
    assert parse_keys(burst("@@0123456789012#"), config) == [ScanEvent("0123456789012")]


def test_aim_identifier_is_split_off():
    [scan] = parse_keys(burst("]C1(00)340123450000000018".replace("(00)", "00")))
    assert scan.symbology_id == "]C1" and scan.text == "00340123450000000018"
    [ean] = parse_keys(burst("]E04006381333931"))
    assert (ean.symbology_id, ean.text) == ("]E0", "4006381333931")
    with_prefix = ScannerConfig(prefix="*")
    [dm] = parse_keys(burst("*]d201095011010209171719050810ABCD1234"), with_prefix)
    assert dm.symbology_id == "]d2" and dm.text.startswith("0109501101020917")


def test_alt_0029_becomes_the_group_separator():
    keys = [*"]d2010950110102091710ABC", "Alt+0029", *"21XYZ1", "Enter"]
    [scan] = parse_keys([(i * 5.0, k) for i, k in enumerate(keys)])
    assert scan.text == f"010950110102091710ABC{GS}21XYZ1" and scan.symbology_id == "]d2"
    digits = [*"10ABC", "Alt+0", "Alt+0", "Alt+2", "Alt+9", *"21XY", "Enter"]
    [scan] = parse_keys([(i * 5.0, k) for i, k in enumerate(digits)])
    assert scan.text == f"10ABC{GS}21XY"
    [raw_gs] = parse_keys(burst(f"10ABC{GS}21XY"))
    assert raw_gs.text == f"10ABC{GS}21XY"


def test_typing_then_a_scan_in_the_same_stream():
    events = burst("hi", start=0, gap=200.0, end="") + burst("4006381333931", start=1000.0)
    assert parse_keys(events) == [ScanEvent("4006381333931")]


def test_clean_code_for_serial_lines():
    assert clean_code("]Q3https://x.example/1", ScannerConfig(), "serial") == ScanEvent(
        "https://x.example/1", "]Q3", "serial"
    )


def as_a_keyboard_types(text: str, *, caps_lock: bool = False) -> list[str]:
    """The keys a USB keyboard-wedge scanner sends for ``text``: Shift pressed and released
    around every capital letter, or Caps Lock toggled around a run of capitals."""
    keys: list[str] = []
    for char in text:
        if char.isupper() and caps_lock:
            keys += ["CapsLock", char, "CapsLock"]
        elif char.isupper():
            keys += ["Shift", char]  # the release is a key release: no press reaches the parser
        else:
            keys.append(char)
    return keys


def test_shift_and_caps_lock_around_capitals_stay_inside_the_burst():
    # Found at a bench: "RMA-NK-104669" left "RMA-N" in the field and looked up "K-104669".
    for caps_lock in (False, True):
        keys = [*as_a_keyboard_types("RMA-NK-104669", caps_lock=caps_lock), "Enter"]
        events = [(1000.0 + i * 4.0, key) for i, key in enumerate(keys)]
        assert parse_keys(events) == [ScanEvent("RMA-NK-104669")]


def test_a_modifier_never_releases_or_counts_as_a_character():
    parser = WedgeParser()
    assert parser.feed(0, "R").fate is KeyFate.HELD
    step = parser.feed(3, "Shift")
    assert step.fate is KeyFate.PASS and step.released == () and parser.holding
    assert parser.feed(6, "M").fate is KeyFate.HELD
    # A modifier long after the last key does not keep stale keys held: they were typing.
    late = parser.feed(500, "Shift")
    assert late.released == ("R", "M") and not parser.holding


def test_alt_held_through_an_alt_code_stays_inside_the_burst():
    keys = [*"10ABC", "Alt", "Alt+0", "Alt+0", "Alt+2", "Alt+9", *"21XY", "Enter"]
    [scan] = parse_keys([(i * 5.0, k) for i, k in enumerate(keys)])
    assert scan.text == f"10ABC{GS}21XY"
