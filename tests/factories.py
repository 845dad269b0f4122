"""Small, explicit test data: a seller, SKUs and RMAs built directly with the ORM."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from devices.gs1 import make_gtin13
from station.db import Database
from station.models import Rma, RmaLine, RmaTracking, Seller, Sku
from station.services.common import Actor
from station.timeutil import today_utc

UPS = "1Z999AA10123456784"  # UPS's published example, valid check digit
# A clean, unworn sweater: the answers a grader gives for grade A under the knitwear standard.
KNITWEAR_GRADE_A = {
    "item_matches": True,
    "parcel_condition": "intact",
    "packaging": "original",
    "tags_attached": True,
    "wear": "unworn",
    "pilling_grade": "5",
    "colour_vs_listing": "matches",
    "odour": False,
}


def make_catalog(db: Database) -> dict[str, str]:
    """One seller with two SKUs; returns their GTINs by SKU code."""
    with db.write() as session:
        seller = Seller(
            code="NORDKNIT", name="Nordic Knitwear Co.", language="en", default_currency="EUR"
        )
        session.add(seller)
        session.flush()
        gtins = {
            "SW-MERINO-M": make_gtin13("573123400001"),
            "EB-PRO-2": make_gtin13("573123400002"),
        }
        session.add_all(
            [
                Sku(
                    seller_id=seller.id,
                    code="SW-MERINO-M",
                    gtin=gtins["SW-MERINO-M"],
                    title="Merino crew-neck sweater, M",
                    category="knitwear",
                    expected_unit_weight_g=420.0,
                    spec={"size": "M"},
                ),
                Sku(
                    seller_id=seller.id,
                    code="EB-PRO-2",
                    gtin=gtins["EB-PRO-2"],
                    title="Wireless earbuds Pro 2",
                    category="electronics",
                    expected_unit_weight_g=180.0,
                    spec={"has_serial": True},
                ),
            ]
        )
    return gtins


def make_rma(
    db: Database,
    number: str,
    *,
    tracking: str | None = None,
    order_id: str | None = None,
    skus: tuple[tuple[str, int], ...] = (("SW-MERINO-M", 1),),
    reason: str = "size",
    delivered_days_ago: int = 5,
    window_days: int | None = 14,
    price: str = "89.90",
) -> Rma:
    with db.write() as session:
        seller = session.query(Seller).filter_by(code="NORDKNIT").one()
        rma = Rma(
            number=number,
            seller_id=seller.id,
            channel="shopify",
            external_order_id=order_id,
            customer_ref="C-1001",
            customer_country="DE",
            reason_code=reason,
            reason_text="too small",
            delivered_on=today_utc() - timedelta(days=delivered_days_ago),
            return_window_days=window_days,
        )
        session.add(rma)
        session.flush()
        for line_no, (sku_code, qty) in enumerate(skus, start=1):
            sku = session.query(Sku).filter_by(code=sku_code).one()
            session.add(
                RmaLine(
                    rma_id=rma.id,
                    line_no=line_no,
                    sku_id=sku.id,
                    sku_code=sku_code,
                    gtin=sku.gtin,
                    qty_expected=qty,
                    unit_price=Decimal(price),
                    currency="EUR",
                )
            )
        if tracking:
            session.add(RmaTracking(rma_id=rma.id, tracking_number=tracking, carrier="ups"))
        session.flush()
        session.expunge(rma)
        return rma


def days_ago(days: int) -> date:
    return today_utc() - timedelta(days=days)


def sync_manager(db: Database) -> Actor:
    """A supervisor to act as where endpoints are added or changed (sync management), made
    the first time a database needs one."""
    from sqlalchemy import select

    from station.models import User

    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == "sync-manager"))
    if user_id is None:
        return make_user(db, "supervisor", "sync-manager")
    return Actor(station_id="BENCH-T1", site_id="WH-TEST", user_id=user_id)


def make_user(db: Database, role: str, username: str | None = None) -> Actor:
    """A user with ``role`` (no PIN: services get the actor directly), as the acting user."""
    from station.models import User

    with db.write() as session:
        user = User(username=username or role, display_name=(username or role).title(), role=role)
        session.add(user)
        session.flush()
        return Actor(station_id="BENCH-T1", site_id="WH-TEST", user_id=user.id)
