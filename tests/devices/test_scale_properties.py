"""Properties of the scale codecs and the driver's stable rule, on generated frames.

What a scale sends is outside input (power-up garbage, noisy lines, firmware that writes what
it likes), so every codec is fuzzed: arbitrary bytes in arbitrary chunks never raise, and every
reading keeps its invariants (a reading flagged in motion is never stable, a value outside the
range never comes out as a weight). Frames built from each protocol's own pieces reach the
parsers' deeper branches than random bytes would.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.config import ScaleConfig
from devices.scale import Weight
from devices.scale_protocols import (
    ContinuousCodec,
    MtSicsCodec,
    Reading,
    Reply,
    ScaleCodec,
    Toledo8217Codec,
)
from devices.serial_scale import STABLE_POLICIES, SerialScale

CAPACITY_G = 30_000.0
NO_STATUS = r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)"

CODECS: dict[str, Callable[[], ScaleCodec]] = {
    "mt-sics": lambda: MtSicsCodec(CAPACITY_G),
    "toledo-8217": lambda: Toledo8217Codec("lb", CAPACITY_G),
    "continuous": lambda: ContinuousCodec(capacity_g=CAPACITY_G),
    "continuous-loose": lambda: ContinuousCodec(
        r"(?P<status>\w+)?,?(?P<sign>[+-])?(?P<value>\S+)\s*(?P<unit>[a-z]+)?",
        capacity_g=CAPACITY_G,
    ),
    "continuous-no-status": lambda: ContinuousCodec(NO_STATUS, capacity_g=CAPACITY_G),
}

# No time limit per example: a loaded machine must not fail a test (no test depends on speed).
relaxed = settings(deadline=None, max_examples=200)

# Numbers as firmware might write them: plain, padded, huge, signed, exponent, not-a-number.
number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1e12, max_value=1e12).map(lambda x: f"{x:10.2f}"),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(alphabet="0123456789.+- e\t\x0b\x1c", max_size=24),  # control bytes too
)
unit_text = st.sampled_from(["g", "kg", "lb", "oz", "mg", "KG", "furlong", ""])
terminator = st.sampled_from([b"\r\n", b"\n", b"\r", b""])


def check(reading: Reading) -> None:
    """The invariants every reading from every codec keeps."""
    if reading.motion:
        assert not reading.stable
    if reading.status != "ok":
        assert not reading.stable
    if reading.grams is not None:
        assert math.isfinite(reading.grams) and abs(reading.grams) <= CAPACITY_G
        assert reading.status in ("ok", "unstable")
    if reading.status == "error":
        assert reading.grams is None and reading.error


def feed_in_chunks(codec: ScaleCodec, data: bytes, cuts: list[int]) -> list[Reading | Reply]:
    frames: list[Reading | Reply] = []
    start = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        frames += codec.feed(data[start:cut])
        start = max(start, cut)
    return frames


@relaxed
@given(
    name=st.sampled_from(sorted(CODECS)),
    data=st.binary(max_size=600),
    cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=8),
)
def test_arbitrary_bytes_never_raise(name: str, data: bytes, cuts: list[int]) -> None:
    for frame in feed_in_chunks(CODECS[name](), data, cuts):
        assert isinstance(frame, Reading | Reply)
        if isinstance(frame, Reading):
            check(frame)


sics_frame = st.builds(
    lambda cmd, status, value, unit, end: f"{cmd} {status} {value} {unit}".encode("latin-1") + end,
    st.sampled_from(["S", "SI", "SIR", "T", "Z", "X"]),
    st.sampled_from(["S", "D", "I", "+", "-", "A", "L", "?"]),
    number_text,
    unit_text,
    terminator,
)
continuous_frame = st.builds(
    lambda status, mode, value, unit, end: f"{status},{mode},{value} {unit}".encode() + end,
    st.sampled_from(["ST", "US", "OL", "QT", "XX"]),
    st.sampled_from(["GS", "NT", "TR", ""]),
    number_text,
    unit_text,
    terminator,
)
toledo_frame = st.one_of(
    st.builds(
        lambda value, net: b"\x02" + value.encode() + net + b"\r",
        number_text,
        st.sampled_from([b"", b"N"]),
    ),
    st.builds(lambda byte: b"\x02?" + bytes([byte]) + b"\r", st.integers(0, 255)),
)


@relaxed
@given(frames=st.lists(sics_frame, max_size=12), cuts=st.lists(st.integers(0, 600), max_size=6))
def test_mt_sics_shaped_frames_keep_the_invariants(frames: list[bytes], cuts: list[int]) -> None:
    for frame in feed_in_chunks(CODECS["mt-sics"](), b"".join(frames), cuts):
        if isinstance(frame, Reading):
            check(frame)


@relaxed
@given(frames=st.lists(continuous_frame, max_size=12))
def test_continuous_shaped_frames_keep_the_invariants(frames: list[bytes]) -> None:
    for name in ("continuous", "continuous-loose", "continuous-no-status"):
        for frame in CODECS[name]().feed(b"".join(frames)):
            assert isinstance(frame, Reading)
            check(frame)


@relaxed
@given(frames=st.lists(toledo_frame, max_size=12))
def test_toledo_shaped_frames_keep_the_invariants(frames: list[bytes]) -> None:
    for frame in CODECS["toledo-8217"]().feed(b"".join(frames)):
        assert isinstance(frame, Reading)
        check(frame)


# --- a frame flagged in motion ---------------------------------------------------------------


@relaxed
@given(value=number_text, unit=unit_text, cmd=st.sampled_from(["S", "SI", "SIR"]))
def test_an_mt_sics_dynamic_frame_is_never_stable(value: str, unit: str, cmd: str) -> None:
    (reading,) = CODECS["mt-sics"]().feed(f"{cmd} D {value} {unit}\r\n".encode())
    assert isinstance(reading, Reading) and not reading.stable
    if reading.grams is not None:  # a weight came through: flagged as moving
        assert reading.motion is True and reading.status == "unstable"


@relaxed
@given(value=number_text, unit=unit_text, mode=st.sampled_from(["GS", "NT", ""]))
def test_a_continuous_us_frame_is_never_stable(value: str, unit: str, mode: str) -> None:
    for name in ("continuous", "continuous-loose"):
        (reading,) = CODECS[name]().feed(f"US,{mode},{value} {unit}\r\n".encode())
        assert isinstance(reading, Reading) and not reading.stable
        if reading.grams is not None:
            assert reading.motion is True and reading.status == "unstable"


@relaxed
@given(byte=st.integers(0, 255).map(lambda b: b | 1).filter(lambda b: b != 0x0D))
def test_a_toledo_status_with_the_motion_bit_is_never_stable(byte: int) -> None:
    (reading,) = CODECS["toledo-8217"]().feed(b"\x02?" + bytes([byte]) + b"\r")
    assert isinstance(reading, Reading)
    assert reading.motion is True and not reading.stable and reading.grams is None


# --- the driver's decision -------------------------------------------------------------------


def driver(policy: str, pattern: str | None = None) -> tuple[SerialScale, list[Weight]]:
    """A driver that is never started: readings go to its decision step directly, so
    thousands of generated sequences run without a port (the port is the other tests')."""
    published: list[Weight] = []
    config = ScaleConfig(
        driver="serial", port="/dev/unused", protocol="continuous", continuous_pattern=pattern
    )
    scale = SerialScale(config, stable_policy=policy, on_weight=published.append)  # type: ignore[arg-type]
    return scale, published


@relaxed
@given(
    policy=st.sampled_from(STABLE_POLICIES),
    frames=st.lists(
        st.tuples(st.sampled_from(["ST", "US"]), st.floats(min_value=495.0, max_value=505.0)),
        min_size=1,
        max_size=40,
    ),
)
def test_no_policy_makes_a_reading_flagged_in_motion_stable(
    policy: str, frames: list[tuple[str, float]]
) -> None:
    scale, published = driver(policy)
    codec = ContinuousCodec(capacity_g=CAPACITY_G)
    for at, (status, grams) in enumerate(frames):
        (reading,) = codec.feed(f"{status},GS,+{grams:08.2f} g\r\n".encode())
        assert isinstance(reading, Reading)
        scale._on_reading(reading, float(at))
        if status == "US":
            assert not published[-1].stable, (policy, frames[: at + 1])
        if published[-1].stable:
            assert published[-1].status == "ok"


@relaxed
@given(
    policy=st.sampled_from(["either", "both", "consecutive"]),
    centre=st.floats(min_value=0.0, max_value=20_000.0),
    offsets=st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=5, max_size=20),
)
def test_readings_with_no_flag_that_agree_are_stable(
    policy: str, centre: float, offsets: list[float]
) -> None:
    # Five readings within ± 1 g of a centre are within ± 2 g of each other: stable from the
    # fifth on, the rule the consecutive-readings policies promise a scale with no flag.
    scale, published = driver(policy, NO_STATUS)
    codec = ContinuousCodec(NO_STATUS, capacity_g=CAPACITY_G)
    for at, offset in enumerate(offsets):
        (reading,) = codec.feed(f"US,GS,+{centre + offset:.2f} g\r\n".encode())
        assert isinstance(reading, Reading) and reading.motion is None
        scale._on_reading(reading, float(at))
    assert [w.stable for w in published] == [False] * 4 + [True] * (len(offsets) - 4)
