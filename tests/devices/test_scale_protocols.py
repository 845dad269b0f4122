"""Scale codecs against tables of frames: what real scales send, including the broken bits."""

from __future__ import annotations

import pytest

from devices.scale_protocols import (
    ContinuousCodec,
    MtSicsCodec,
    ProtocolError,
    Reading,
    Reply,
    Toledo8217Codec,
    format_continuous,
    format_sics_weight,
    format_toledo_status,
    format_toledo_weight,
    make_codec,
    to_grams,
)

# (frame, grams, stable, status, motion): motion is the scale's own flag, None when it has none.
SICS = [
    (b"S S     100.00 g\r\n", 100.0, True, "ok", False),
    (b"S D     100.02 g\r\n", 100.02, False, "unstable", True),
    (b"S S      -2.50 g\r\n", -2.5, True, "ok", False),
    (b"S S       1.25 kg\r\n", 1250.0, True, "ok", False),
    (b"S S       2.00 lb\r\n", 907.18474, True, "ok", False),
    (b"S S       3.00 oz\r\n", 85.048569375, True, "ok", False),
    (b"S +\r\n", None, False, "overload", None),
    (b"S -\r\n", None, False, "underload", None),
    (b"S I\r\n", None, False, "unstable", None),
    (b"\xff\x00\x13S S     100.00 g\r\n", 100.0, True, "ok", False),  # power-up noise first
    (b"ES\r\n", None, False, "error", None),
    (b"ET\r\n", None, False, "error", None),
    (b"EL\r\n", None, False, "error", None),
    (b"S S   10\xff\xfe g\r\n", None, False, "error", None),  # broken frame
    (b"S S     100.00 furlong\r\n", None, False, "error", None),
    (b"hello\r\n", None, False, "error", None),
    # Outside the range (default capacity 30 000 g): faults, never weights.
    (b"S S 100000000000000000000 g\r\n", None, False, "overload", False),
    (b"S D    30000.01 g\r\n", None, False, "overload", True),
    (b"S S -99999999 kg\r\n", None, False, "underload", False),
    (b"S S 1e20 g\r\n", None, False, "error", None),  # not how MT-SICS writes a number
    (b"S S 4.5e302 g\r\n", None, False, "error", None),
    (b"S S -\x1c5 g\r\n", None, False, "error", None),  # a control character in the value
    (b"S S  - 5.00 g\r\n", -5.0, True, "ok", False),
    (b"S S " + b"9" * 320 + b" kg\r\n", None, False, "error", False),  # too long: inf
]


@pytest.mark.parametrize(("frame", "grams", "stable", "status", "motion"), SICS)
def test_mt_sics_frames(
    frame: bytes, grams: float | None, stable: bool, status: str, motion: bool | None
) -> None:
    (reading,) = MtSicsCodec(capacity_g=30_000.0).feed(frame)
    assert isinstance(reading, Reading)
    assert (reading.status, reading.stable, reading.motion) == (status, stable, motion)
    assert reading.grams == (None if grams is None else pytest.approx(grams))


def test_capacity_is_the_edge_of_the_range() -> None:
    codec = MtSicsCodec(capacity_g=6000.0)
    readings = codec.feed(b"S S    6000.00 g\r\nS S    6000.01 g\r\nS S   -6000.01 g\r\n")
    assert [(r.status, r.grams) for r in readings if isinstance(r, Reading)] == [
        ("ok", 6000.0), ("overload", None), ("underload", None),
    ]  # fmt: skip
    # A tare outside the range is refused as a broken frame, not taken as a tare.
    (tare,) = codec.feed(b"T S  9000.00 g\r\n")
    assert isinstance(tare, Reading) and tare.status == "error"


def test_mt_sics_replies_to_commands() -> None:
    frames = MtSicsCodec().feed(b'Z A\r\nT S     12.00 g\r\nZ I\r\nI4 A "SIM"\r\n')
    assert frames == [
        Reply("Z", True, "Z A"),
        Reply("T", True, "T S     12.00 g", 12.0),
        Reply("Z", False, "Z I"),
        Reply("@", True, 'I4 A "SIM"'),
    ]


def test_mt_sics_reassembles_frames_split_across_reads() -> None:
    codec = MtSicsCodec()
    assert codec.feed(b"S S    1") == []
    assert codec.feed(b"00.00") == []
    (reading,) = codec.feed(b" g\r\nS D")
    assert isinstance(reading, Reading) and reading.grams == 100.0


def test_overlong_garbage_is_dropped_and_parsing_resumes() -> None:
    codec = MtSicsCodec()
    frames = codec.feed(bytes(range(14, 250)) * 2)  # no terminator at all
    assert [f.status for f in frames if isinstance(f, Reading)] == ["error"]
    (reading,) = codec.feed(b"junk\r\n"[4:] + b"S S      5.00 g\r\n")
    assert isinstance(reading, Reading) and reading.grams == 5.0


TOLEDO_LB = [
    (b"\x0201.234\r", 1.234 * 453.59237, True, "ok", False, False),  # a weight: at rest
    (b"\x0200.500N\r", 0.5 * 453.59237, True, "ok", True, False),
    (b"\x02 2.5\r", 2.5 * 453.59237, True, "ok", False, False),
    (b"\x02?A\r", None, False, "unstable", False, True),  # bit0 motion
    (b"\x02?B\r", None, False, "overload", False, False),  # bit1 over capacity
    (b"\x02?D\r", None, False, "underload", False, False),  # bit2 under zero
    (b"\x02?C\r", None, False, "overload", False, True),  # over capacity and moving
    (b"\x02?Q\r", None, False, "unstable", False, True),  # motion, centre of zero
    (b"\x02?P\r", None, True, "ok", False, False),  # centre of zero only
    (b"\xfe\xff\x00\x0201.000\r", 453.59237, True, "ok", False, False),  # garbage before STX
    (b"01.000\r", None, False, "error", False, None),  # STX lost
    (b"\x0201\xff\xfe0\r", None, False, "error", False, None),
    (b"\x02?\r", None, False, "error", False, None),
    (b"\x0299999999\r", None, False, "overload", False, False),  # 45 000 t: outside the range
    (b"\x02-1.000\r", None, False, "error", False, None),  # the 8217 has no sign
]


@pytest.mark.parametrize(("frame", "grams", "stable", "status", "net", "motion"), TOLEDO_LB)
def test_toledo_8217_frames(
    frame: bytes, grams: float | None, stable: bool, status: str, net: bool, motion: bool | None
) -> None:
    (reading,) = Toledo8217Codec("lb", capacity_g=30_000.0).feed(frame)
    assert isinstance(reading, Reading)
    assert (reading.status, reading.stable, reading.net) == (status, stable, net)
    assert reading.motion is motion
    assert reading.grams == (None if grams is None else pytest.approx(grams))


def test_toledo_unit_comes_from_config() -> None:
    (reading,) = Toledo8217Codec("kg").feed(b"\x0201.234\r")
    assert isinstance(reading, Reading) and reading.grams == pytest.approx(1234.0)
    with pytest.raises(ProtocolError):
        Toledo8217Codec("stone")


CONTINUOUS = [
    (b"ST,GS,+00123.45 g\r\n", 123.45, True, "ok", False, False),
    (b"US,GS,+00123.40 g\r\n", 123.4, False, "unstable", False, True),
    (b"ST,NT,+00023.45 g\r\n", 23.45, True, "ok", True, False),
    (b"ST,GS,-00001.50 g\r\n", -1.5, True, "ok", False, False),
    (b"ST,GS,+0001.234kg\r\n", 1234.0, True, "ok", False, False),
    (b"ST,+00123.45  g\r\n", 123.45, True, "ok", False, False),  # A&D without gross/net field
    (b"ST,GS,  2.000 lb\r\n", 907.18474, True, "ok", False, False),
    (b"OL,GS,+99999.99 g\r\n", None, False, "overload", False, None),
    (b"OL,GS,-99999.99 g\r\n", None, False, "underload", False, None),
    (b"\x00\xffST,GS,+00123.45 g\r\n", 123.45, True, "ok", False, False),
    (b"ST,GS,+001\xff\xfe5 g\r\n", None, False, "error", False, None),
    (b"ST,GS,+00123.45 parsec\r\n", None, False, "error", False, None),
    (b"ST,GS,+99999.99 kg\r\n", None, False, "overload", False, False),
    (b"US,GS,-00040.00 kg\r\n", None, False, "underload", False, True),
    (b"ST,GS,+4.5e302 g\r\n", None, False, "error", False, None),  # not this format's number
]


@pytest.mark.parametrize(("frame", "grams", "stable", "status", "net", "motion"), CONTINUOUS)
def test_continuous_frames(
    frame: bytes, grams: float | None, stable: bool, status: str, net: bool, motion: bool | None
) -> None:
    (reading,) = ContinuousCodec(capacity_g=30_000.0).feed(frame)
    assert isinstance(reading, Reading)
    assert (reading.status, reading.stable, reading.net) == (status, stable, net)
    assert reading.motion is motion
    assert reading.grams == (None if grams is None else pytest.approx(grams))


# A pattern loose enough to take any number the indicator writes, as a site might set one.
LOOSE = r"^(?P<status>ST|US),(?P<value>\S+) (?P<unit>g)$"


@pytest.mark.parametrize(
    ("frame", "status"),
    [
        (b"ST,1e20 g\r\n", "overload"),
        (b"US,4.5e302 g\r\n", "overload"),
        (b"ST,-4.5e302 g\r\n", "underload"),
        (b"ST,nan g\r\n", "error"),
        (b"ST,inf g\r\n", "error"),
        (b"ST,1e999 g\r\n", "error"),  # overflows to inf
        (b"ST,12..5 g\r\n", "error"),  # matched the pattern, still not a number
    ],
)
def test_values_outside_the_range_are_faults(frame: bytes, status: str) -> None:
    (reading,) = ContinuousCodec(LOOSE, capacity_g=30_000.0).feed(frame)
    assert isinstance(reading, Reading)
    assert (reading.status, reading.stable, reading.grams) == (status, False, None)


def test_which_codecs_can_flag_motion() -> None:
    assert MtSicsCodec().flags_motion and Toledo8217Codec().flags_motion
    assert ContinuousCodec().flags_motion
    assert not ContinuousCodec(r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)").flags_motion
    # Without a status group the frame makes no claim: a good value, neither moving nor at rest.
    (reading,) = ContinuousCodec(r"(?P<sign>[+-])(?P<value>\d+\.\d+)\s*(?P<unit>g)").feed(
        b"US,GS,+00123.40 g\r\n"
    )
    assert isinstance(reading, Reading)
    assert (reading.status, reading.stable, reading.motion) == ("ok", False, None)


def test_continuous_pattern_is_configurable() -> None:
    codec = ContinuousCodec(r"^W(?P<sign>[+-])(?P<value>\d+\.\d+)(?P<unit>kg)(?P<status>[SM])$")
    (reading,) = codec.feed(b"W+1.250kgS\r\n")
    # An unknown status letter is no flag: stability then comes from consecutive readings.
    assert isinstance(reading, Reading) and reading.grams == 1250.0 and not reading.stable
    assert reading.motion is None
    with pytest.raises(ProtocolError):
        ContinuousCodec(r"(?P<weight>\d+")
    with pytest.raises(ProtocolError):
        ContinuousCodec(r"(?P<weight>\d+)")


@pytest.mark.parametrize(
    ("value", "unit", "grams"),
    [
        (1, "g", 1.0),
        (1, "kg", 1000.0),
        (1, "lb", 453.59237),
        (1, "oz", 28.349523125),
        (1, "KG", 1000.0),
    ],
)
def test_unit_conversion(value: float, unit: str, grams: float) -> None:
    assert to_grams(value, unit) == pytest.approx(grams)


def test_formatters_round_trip_through_the_parsers() -> None:
    assert MtSicsCodec().feed(format_sics_weight(100.0, "S")) == [
        Reading(100.0, True, "ok", "g", "S S     100.00 g", motion=False)
    ]
    (toledo,) = Toledo8217Codec("lb").feed(format_toledo_weight(453.59237, "lb", net=True))
    assert isinstance(toledo, Reading) and toledo.grams == pytest.approx(453.59237) and toledo.net
    (status,) = Toledo8217Codec().feed(format_toledo_status(2))
    assert isinstance(status, Reading) and status.status == "overload"
    (cont,) = ContinuousCodec().feed(format_continuous(-12.5, "US", "g"))
    assert isinstance(cont, Reading) and cont.grams == -12.5 and cont.status == "unstable"


def test_unknown_protocol_is_a_settings_error() -> None:
    with pytest.raises(ProtocolError, match="mt-sics"):
        make_codec("rs-232-magic")
