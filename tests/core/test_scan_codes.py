"""Scanning with site-specific RMA/LPN patterns, GS1 element strings, new carriers, and the
batch ``station scan`` command (several codes, stdin, one JSON object per line in order)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from devices.config import CodePatterns
from station.cli_scan import add_scan_parser, run_scan
from station.context import AppContext
from station.models import RmaTracking
from station.services.demo import seed_demo
from station.services.scanning import ScanError, ScanKind, resolve_scan
from station.settings import Settings
from tests.factories import UPS, make_rma

SSCC = "106141411234567897"
SITE_CODES = CodePatterns(rma=r"^R\d{8}$", lpn=r"^WH1-\d{6}$")


@pytest.fixture
def rmas(db, catalog):
    make_rma(db, "RMA-NK-000123", tracking=UPS, order_id="#1043")
    make_rma(db, "RMA-NK-000124", tracking="00" + SSCC, skus=(("EB-PRO-2", 1),))
    make_rma(db, "R20260001", tracking="TBA502887274000")
    return catalog


def test_custom_rma_and_lpn_patterns(db, rmas):
    found = resolve_scan(db, "r20260001", SITE_CODES)
    assert found.kind is ScanKind.RMA and found.rma is not None
    unknown = resolve_scan(db, "R20269999", SITE_CODES)
    assert unknown.kind is ScanKind.RMA and unknown.rma is None and unknown.message
    # With the default patterns the same code is nothing known.
    assert resolve_scan(db, "R20269999").kind is ScanKind.UNKNOWN
    lpn = resolve_scan(db, "wh1-000042", SITE_CODES)
    assert lpn.kind is ScanKind.LPN and lpn.valid is None  # no check character to verify
    assert lpn.message and "not found" in lpn.message
    # The built-in LPN format is no LPN under the site patterns.
    assert resolve_scan(db, "LPN0123456789A", SITE_CODES).kind is not ScanKind.LPN


def test_bad_pattern_is_a_scan_error(db, rmas):
    with pytest.raises(ScanError):
        resolve_scan(db, "X", CodePatterns(rma="(unclosed"))


def test_gs1_gtin_with_lot_and_serial(db, rmas):
    gtin = rmas["EB-PRO-2"]
    result = resolve_scan(db, "]d201" + gtin.zfill(14) + "10LoT7\x1d21SN-1\x1d17270101")
    assert result.kind is ScanKind.GTIN and result.normalized == gtin.zfill(14)
    assert result.rma is not None and result.rma.number == "RMA-NK-000124"
    assert result.gs1 is not None
    assert (result.gs1.lot, result.gs1.serial) == ("LoT7", "SN-1")  # case kept


def test_sscc_label(db, rmas):
    result = resolve_scan(db, "]C100" + SSCC)
    assert result.kind is ScanKind.SSCC and result.normalized == SSCC
    assert result.valid is True and result.rma is not None
    other = resolve_scan(db, "00" + "106141411234567880")
    assert other.kind is ScanKind.SSCC and other.rma is None
    bad = resolve_scan(db, "]C100" + SSCC[:-1] + "1")
    assert bad.valid is False and bad.message and "check digit" in bad.message


def test_new_carriers_and_unchecked_formats(db, rmas):
    amazon = resolve_scan(db, "TBA502887274000")
    assert amazon.kind is ScanKind.TRACKING and amazon.rma is not None
    # Valid means "the shape is Amazon's"; check_digit says no check digit was verified.
    assert (amazon.carrier, amazon.valid, amazon.check_digit) == ("amazon", True, False)
    ontrac = resolve_scan(db, "C11031500001889")
    assert (ontrac.carrier, ontrac.valid) == ("ontrac", False) and ontrac.message
    dpd = resolve_scan(db, "008182709980000020033350276C")
    assert (dpd.carrier, dpd.valid, dpd.normalized) == ("dpd", True, "09980000020033F")
    royal = resolve_scan(db, "RB123456785GB")
    assert (royal.carrier, royal.operator, royal.valid) == ("s10", "royal_mail", True)


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def context(tmp_path: Path):
    ctx = AppContext.build(Settings(data_dir=tmp_path / "station", station_id="T"))
    seed_demo(ctx.db, rma_count=30)
    yield ctx
    ctx.close()


def _parse(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="station", parents=[common])
    commands = parser.add_subparsers(dest="command", required=True)
    add_scan_parser(commands, common)
    return parser.parse_args(argv)


def _run(context, argv: list[str], capsys, stdin: str = "") -> tuple[int, list[str]]:
    args = _parse(argv)
    code = run_scan(args, context, getattr(args, "json", False), stdin=io.StringIO(stdin))
    return code, capsys.readouterr().out.splitlines()


def test_several_codes_in_input_order(context, capsys):
    codes = ["RB123456785GB", "1Z999AA10123456784", "C11031500001889", "hello"]
    status, lines = _run(context, ["scan", *codes, "--json"], capsys)
    assert status == 0
    objects = [json.loads(line) for line in lines]
    assert [o["input"] for o in objects] == codes
    assert [o["carrier"] for o in objects] == ["s10", "ups", "ontrac", None]
    assert [o["valid"] for o in objects] == [True, True, False, None]
    assert objects[0]["operator"] == "royal_mail"
    assert {"kind", "normalized", "rma", "gs1", "candidates", "message"} <= set(objects[0])
    assert [(o["format"], o["check_digit"]) for o in objects] == [
        ("s10", True),
        ("ups", True),
        ("ontrac_c", True),
        (None, False),
    ]


def test_stdin_batch_with_a_failure(context, capsys):
    stdin = "TBA502887274000\n\n]C100" + SSCC + "\n  \n0998 0000 0200 33 F\n"
    status, lines = _run(context, ["scan", "-", "", "--json"], capsys, stdin)
    assert status == 1  # the empty argument failed, after everything else was printed
    objects = [json.loads(line) for line in lines]
    assert [o.get("kind") for o in objects] == ["tracking", "sscc", "tracking", None]
    assert objects[1]["gs1"]["sscc"] == SSCC
    assert objects[2]["carrier"] == "dpd"
    assert objects[3] == {"input": "", "error": objects[3]["error"]} and objects[3]["error"]


def test_demo_tracking_numbers_resolve_to_their_rma(context, capsys):
    with context.db.read() as session:
        numbers = list(session.scalars(select(RmaTracking.tracking_number).limit(5)))
    status, lines = _run(context, ["scan", "-", "--json"], capsys, "\n".join(numbers))
    assert status == 0
    assert [json.loads(line)["rma"] is not None for line in lines] == [True] * len(numbers)


def test_text_output(context, capsys):
    status, lines = _run(context, ["scan", "TBA502887274000", "RB123456786GB"], capsys)
    assert status == 0
    text = "\n".join(lines)
    assert "carrier: amazon (no check digit in this format)" in text
    assert "carrier: s10 / royal_mail (CHECK DIGIT WRONG)" in text
