"""The demo data set: realistic shapes, valid check digits, and safe to seed twice."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from devices.gs1 import is_valid_gtin
from devices.tracking import identify_tracking
from station.auth import verify_pin
from station.db import Database
from station.models import Rma, RmaLine, RmaTracking, Seller, Sku, User
from station.services.demo import (
    DemoSummary,
    build_catalog,
    generate_rma_rows,
    is_seeded,
    seed_demo,
)

TODAY = date(2026, 11, 22)
RMA_COUNT = 300

ORDER_FORMATS = {
    "amazon": re.compile(r"\d{3}-\d{7}-\d{7}"),
    "shopify": re.compile(r"#\d{4,}|\d{13}"),
    "ebay": re.compile(r"\d{2}-\d{5}-\d{5}"),
    "tiktok_shop": re.compile(r"\d{18}"),
}
CARRIERS_BY_COUNTRY = {
    "US": {"ups", "usps", "fedex"},
    "GB": {"s10", "dhl"},
    "DE": {"s10", "dhl"},
    "FR": {"s10", "dhl"},
    "ES": {"s10", "dhl"},
    "JP": {"s10", "dhl"},
}
# UPU S10 numbers end in the sending country; the operator follows from it.
S10_OPERATOR_BY_COUNTRY = {
    "GB": "royal_mail",
    "DE": "deutsche_post",
    "FR": "la_poste",
    "ES": "correos",
    "JP": "japan_post",
}


@pytest.fixture
def seeded(db: Database) -> DemoSummary:
    return seed_demo(db, rma_count=RMA_COUNT, today=TODAY)


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_counts(db: Database, seeded: DemoSummary) -> None:
    assert not seeded.already_seeded
    assert (seeded.sellers, seeded.users, seeded.rmas) == (3, 3, RMA_COUNT)
    assert 35 <= seeded.skus <= 45
    assert RMA_COUNT < seeded.lines < 2 * RMA_COUNT
    assert seeded.skus == _count(db, Sku)
    assert seeded.lines == _count(db, RmaLine)
    with db.read() as session:
        users = {u.username: u for u in session.scalars(select(User))}
    assert {name: u.role for name, u in users.items()} == {
        "grader1": "grader",
        "supervisor1": "supervisor",
        "admin1": "admin",
    }
    assert all(u.display_name for u in users.values())
    # Each demo user gets a PIN, returned once in the summary and stored only as a hash.
    assert set(seeded.user_pins) == set(users)
    assert all(verify_pin(seeded.user_pins[name], u.pin_hash) for name, u in users.items())
    assert all(seeded.user_pins[name] not in (u.pin_hash or "") for name, u in users.items())


def test_sellers_and_skus(db: Database, seeded: DemoSummary) -> None:
    with db.read() as session:
        sellers = session.scalars(select(Seller)).all()
        skus = session.scalars(select(Sku)).all()
    assert "zh-CN" in {s.language for s in sellers}
    assert all(len(s.default_currency) == 3 for s in sellers)
    assert {s.category for s in skus} == {"knitwear", "electronics", "footwear"}
    gtins = [s.gtin for s in skus]
    assert all(g is not None and len(g) == 13 and is_valid_gtin(g) for g in gtins)
    assert len(set(gtins)) == len(gtins)
    assert all(s.expected_unit_weight_g and s.expected_unit_weight_g > 0 for s in skus)
    for sku in skus:
        if sku.category == "knitwear":
            assert sku.spec["tolerance_pct"] == 5 and sku.spec["measurements"]
            assert sku.spec["size"] in {"XS", "S", "M", "L", "XL", "ONE"}
        elif sku.category == "electronics":
            assert sku.spec["has_serial"] is True
        else:
            assert 38 <= sku.spec["size_eu"] <= 45 and sku.spec["insole_length_mm"] > 200
    m = next(s for s in skus if s.code == "NK-FI-CREW-OAT-M")
    assert m.spec["measurements"] == {
        "chest_width_cm": 52,
        "body_length_cm": 68,
        "sleeve_length_cm": 61,
    }
    shoe = next(s for s in skus if s.spec.get("size_eu") == 42)
    assert (shoe.spec["size_us"], shoe.spec["insole_length_mm"]) == (9, 270)


def test_rmas_are_realistic(db: Database, seeded: DemoSummary) -> None:
    with db.read() as session:
        rmas = session.scalars(select(Rma)).all()
        lines = session.scalars(select(RmaLine)).all()
        skus = {s.id: s for s in session.scalars(select(Sku))}
    numbers = [r.number for r in rmas]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"RMA-[A-Z]{2}-\d{6}", n) and n == n.upper() for n in numbers)
    assert {r.status for r in rmas} == {"expected"}
    assert set(Counter(r.channel for r in rmas)) == set(ORDER_FORMATS)
    assert {r.customer_country for r in rmas} == set(CARRIERS_BY_COUNTRY)
    reasons = Counter(r.reason_code for r in rmas)
    assert set(reasons) == {
        "size",
        "defect",
        "not_as_described",
        "colour",
        "changed_mind",
        "damaged_in_transit",
    }
    assert reasons.most_common(1)[0][1] < RMA_COUNT / 2  # a mix, not one reason
    for rma in rmas:
        assert rma.external_order_id and ORDER_FORMATS[rma.channel].fullmatch(
            rma.external_order_id
        ), (rma.channel, rma.external_order_id)
        assert rma.customer_ref
        assert rma.return_window_days == (30 if rma.customer_country in {"US", "JP"} else 14)
        assert rma.delivered_on is not None and rma.delivered_on < TODAY
        assert rma.created_at.date() > rma.delivered_on
    ages = [(TODAY - r.delivered_on).days for r in rmas if r.delivered_on]
    assert any(age > 14 for age in ages) and any(age <= 14 for age in ages)
    assert max(ages) <= 42
    texts = [r.reason_text for r in rmas]
    assert None in texts
    assert any(t and not t.isascii() for t in texts)  # some customers write in their language

    per_rma = Counter(line.rma_id for line in lines)
    assert set(per_rma.values()) <= {1, 2, 3} and len(per_rma) == RMA_COUNT
    assert Counter(per_rma.values())[1] > RMA_COUNT / 2  # mostly one line
    currency = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "ES": "EUR", "JP": "JPY"}
    country = {r.id: r.customer_country for r in rmas}
    for line in lines:
        assert line.sku_id is not None
        sku = skus[line.sku_id]
        assert (line.sku_code, line.gtin) == (sku.code, sku.gtin)
        assert line.unit_price is not None and line.unit_price > 0
        assert line.currency == currency[country[line.rma_id]]
        assert line.expected_unit_weight_g is None
        if sku.category == "electronics":
            assert len(line.serials) == line.qty_expected
        else:
            assert line.serials == []
    serials = [s for line in lines for s in line.serials]
    assert serials and len(set(serials)) == len(serials)


def test_tracking_numbers_are_valid_for_their_carrier(db: Database, seeded: DemoSummary) -> None:
    with db.read() as session:
        rows = session.execute(
            select(RmaTracking.tracking_number, RmaTracking.carrier, Rma.customer_country).join(
                Rma, Rma.id == RmaTracking.rma_id
            )
        ).all()
        rma_ids = set(session.scalars(select(RmaTracking.rma_id)))
    assert len(rma_ids) == RMA_COUNT  # every RMA has at least one
    assert RMA_COUNT < len(rows) < 1.3 * RMA_COUNT  # sometimes two
    numbers = [number for number, _carrier, _country in rows]
    assert len(set(numbers)) == len(numbers)
    for number, carrier, country in rows:
        assert number == number.upper()
        identified = identify_tracking(number)
        assert identified is not None, number
        assert (identified.carrier, identified.valid, identified.normalized) == (
            carrier,
            True,
            number,
        )
        assert carrier in CARRIERS_BY_COUNTRY[country], (country, carrier)
        if carrier == "s10":
            assert identified.operator == S10_OPERATOR_BY_COUNTRY[country], (number, country)
    assert {"ups", "usps", "fedex", "dhl", "s10"} <= {c for _n, c, _c in rows}


def test_sample_codes(db: Database, seeded: DemoSummary) -> None:
    codes = seeded.sample_codes
    assert {"rma", "order_id", "gtin", "tracking_ups", "tracking_dhl"} <= set(codes)
    assert is_valid_gtin(codes["gtin"])
    with db.read() as session:
        assert session.scalar(select(Rma.id).where(Rma.number == codes["rma"]))
        assert session.scalar(select(Rma.id).where(Rma.external_order_id == codes["order_id"]))
    for key, code in codes.items():
        if key.startswith("tracking_"):
            identified = identify_tracking(code)
            assert identified is not None and identified.valid, (key, code)
    gs1 = identify_tracking(codes["tracking_usps_gs1_128"])
    assert gs1 is not None and gs1.normalized == codes["tracking_usps"]


def test_seeding_twice_does_not_duplicate(db: Database, seeded: DemoSummary) -> None:
    assert is_seeded(db)
    again = seed_demo(db, rma_count=RMA_COUNT, today=TODAY)
    assert again.already_seeded
    assert (again.sellers, again.skus, again.rmas, again.lines, again.users) == (
        seeded.sellers,
        seeded.skus,
        seeded.rmas,
        seeded.lines,
        seeded.users,
    )
    assert again.sample_codes == seeded.sample_codes
    assert _count(db, Rma) == RMA_COUNT


def test_is_seeded_on_empty_database(db: Database) -> None:
    assert not is_seeded(db)


def test_generator_is_pure_deterministic_and_unique_at_scale() -> None:
    def run(seed: int, count: int) -> list:
        rng = random.Random(seed)
        catalog = build_catalog(rng, TODAY)
        return list(generate_rma_rows(rng, catalog.profiles, count, TODAY))

    assert run(7, 50) == run(7, 50)
    assert run(7, 50) != run(8, 50)
    rows = run(1, 6000)
    numbers = [r.rma["number"] for r in rows]
    assert len(set(numbers)) == len(numbers)
    tracking = [t["tracking_number"] for r in rows for t in r.tracking]
    assert len(set(tracking)) == len(tracking)
    ids = [r.rma["id"] for r in rows] + [line["id"] for r in rows for line in r.lines]
    assert len(set(ids)) == len(ids)
    for generated in rows[:1500]:
        for t in generated.tracking:
            identified = identify_tracking(t["tracking_number"])
            assert identified is not None and identified.valid
            assert identified.carrier == t["carrier"]
            assert t["rma_id"] == generated.rma["id"]
