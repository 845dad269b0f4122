"""The demo catalogue: three sellers and their SKUs, with valid GTINs and real-world specs.

Split from ``demo`` so the data tables and the RMA generator each stay readable. Everything is
drawn from the caller's ``random.Random``, so the same seed gives the same ids.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from devices.gs1 import make_gtin13


@dataclass(frozen=True)
class DemoSku:
    """What the RMA generator needs to know about a SKU."""

    id: uuid.UUID
    code: str
    gtin: str
    price_usd: Decimal
    serial_prefix: str | None  # electronics are returned with serial numbers


@dataclass(frozen=True)
class DemoSeller:
    id: uuid.UUID
    code: str
    short: str  # the seller part of its RMA numbers: RMA-NK-104233
    category: str
    share: int  # relative share of all RMAs
    channels: Mapping[str, int]
    ups_shipper: str  # return labels are issued on the seller's own UPS account
    shopify_numeric_ids: bool  # some sellers export Shopify order ids, others order names
    skus: tuple[DemoSku, ...]


@dataclass(frozen=True)
class Catalog:
    """Rows for ``insert(Seller)`` / ``insert(Sku)`` and the profiles the generator uses."""

    sellers: list[dict[str, Any]]
    skus: list[dict[str, Any]]
    profiles: list[DemoSeller]


# --- catalogue ------------------------------------------------------------------------------

# code, short, name, language, currency, category, GS1 company prefix, share, channels, UPS acct
_SELLERS = (
    ("NORDKNIT", "NK", "Nordknit Studio Ltd", "en", "GBP", "knitwear", "5063789", 40,
     {"shopify": 50, "amazon": 30, "ebay": 15, "tiktok_shop": 5}, "4W718E"),
    ("VOLTIQ", "VQ", "深圳市伏特奇科技有限公司 (Shenzhen Voltiq Technology Co., Ltd.)", "zh-CN",
     "USD", "electronics", "6975421", 35,
     {"amazon": 60, "tiktok_shop": 20, "ebay": 15, "shopify": 5}, "Y6A204"),
    ("TRITTFEST", "TF", "Trittfest Schuhmanufaktur GmbH", "de", "EUR", "footwear", "4068712", 25,
     {"amazon": 40, "shopify": 35, "ebay": 15, "tiktok_shop": 10}, "E2V391"),
)  # fmt: skip

# Flat garment measurements per size: chest width, body length, sleeve length (cm).
_KNIT_SIZES = {"XS": (46, 64, 58), "S": (49, 66, 60), "M": (52, 68, 61), "L": (55, 70, 63),
               "XL": (58, 72, 64)}  # fmt: skip
_SIZE_ORDER = ("XS", "S", "M", "L", "XL")
# model code, title, colour, sizes, price USD, weight (g) in M, weight step per size
_KNIT_MODELS = (
    ("FI-CREW", "Fair Isle crew-neck jumper, lambswool", "Oatmeal", "XS S M L XL", 129, 460, 25),
    ("CABLE-CARD", "Merino cable-knit cardigan", "Navy", "S M L XL", 149, 540, 30),
    ("ROLL", "Chunky roll-neck sweater, alpaca blend", "Forest green", "S M L", 139, 610, 35),
)
_KNIT_ONE_SIZE = (
    ("SCARF-CHR", "Ribbed merino scarf", "Charcoal", 59, 210, {"length_cm": 180, "width_cm": 30}),
    ("SCARF-RST", "Ribbed merino scarf", "Rust", 59, 210, {"length_cm": 180, "width_cm": 30}),
    ("BEANIE", "Fisherman rib beanie", "Cream", 39, 85, {"circumference_cm": 50}),
)
# code, title, price USD, boxed weight g, extra spec, serial prefix
_ELECTRONICS: tuple[tuple[str, str, int, int, dict[str, Any], str], ...] = (
    ("AB-PRO-BLK", "AirBeat Pro ANC wireless earbuds, black", 79, 118, {}, "ABP"),
    ("AB-PRO-WHT", "AirBeat Pro ANC wireless earbuds, white", 79, 118, {}, "ABP"),
    ("PB10K", "PowerCube 10000 mAh USB-C power bank, 20 W", 29, 215, {"capacity_mah": 10000}, "PCA"),
    ("PB20K", "PowerCube 20000 mAh USB-C power bank, 65 W", 49, 372, {"capacity_mah": 20000}, "PCB"),
    ("PULSE2-41", "Pulse 2 smart watch, 41 mm, midnight", 129, 146, {"case_mm": 41}, "PLS"),
    ("PULSE2-45", "Pulse 2 smart watch, 45 mm, midnight", 139, 158, {"case_mm": 45}, "PLS"),
    ("K75-BRN", "K75 hot-swap mechanical keyboard, brown switches", 99, 905, {}, "K75"),
    ("K75-RED", "K75 hot-swap mechanical keyboard, red switches", 99, 905, {}, "K75"),
    ("GAN65", "65 W GaN USB-C charger, 3 ports", 39, 142, {}, "GAN"),
)  # fmt: skip
_US_SHOE_SIZE = {38: 5.5, 39: 6.5, 40: 7, 41: 8, 42: 9, 43: 10, 44: 10.5, 45: 11.5}
# model code, title, colour, EU sizes, price USD, pair weight (g) at EU 42, step per size
_SHOES = (
    ("TRAIL", "Waterproof trail runner", "Graphite", range(38, 46), 139, 840, 22),
    ("CHELSEA", "Leather Chelsea boot", "Cognac", range(40, 46), 189, 1320, 30),
)


def random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _sku_definitions(category: str) -> Iterator[tuple[str, str, int, float, dict[str, Any]]]:
    """(code, title, price USD, expected unit weight g, spec) per SKU of a category."""
    if category == "knitwear":
        for model, title, colour, sizes, price, weight, step in _KNIT_MODELS:
            for size in sizes.split():
                chest, length, sleeve = _KNIT_SIZES[size]
                grams = weight + step * (_SIZE_ORDER.index(size) - 2)
                measurements = {"chest_width_cm": chest, "body_length_cm": length,
                                "sleeve_length_cm": sleeve}  # fmt: skip
                spec = {"size": size, "colour": colour, "measurements": measurements,
                        "tolerance_pct": 5}  # fmt: skip
                sku_code = f"{model}-{colour[:3].upper()}-{size}"
                yield sku_code, f"{title}, {colour}, {size}", price, grams, spec
        for code, title, colour, price, grams, measures in _KNIT_ONE_SIZE:
            spec = {"size": "ONE", "colour": colour, "measurements": measures, "tolerance_pct": 5}
            yield code, f"{title}, {colour}", price, grams, spec
    elif category == "electronics":
        for code, title, price, grams, extra, _prefix in _ELECTRONICS:
            yield code, title, price, grams, {"has_serial": True, "model": code, **extra}
    else:
        for model, shoe_title, shoe_colour, eu_sizes, shoe_price, weight, step in _SHOES:
            for eu in eu_sizes:
                spec = {"size_eu": eu, "size_us": _US_SHOE_SIZE[eu], "colour": shoe_colour,
                        "insole_length_mm": round(270 + (eu - 42) * 20 / 3)}  # fmt: skip
                sku_code = f"{model}-{shoe_colour[:3].upper()}-{eu}"
                yield (
                    sku_code,
                    f"{shoe_title}, {shoe_colour}, EU {eu}",
                    shoe_price,
                    weight + step * (eu - 42),
                    spec,
                )


def build_catalog(rng: random.Random, today: date) -> Catalog:
    """The three demo sellers and their ~40 SKUs, with ids drawn from ``rng``."""
    created = datetime.combine(today - timedelta(days=90), time(9), UTC)
    sellers: list[dict[str, Any]] = []
    skus: list[dict[str, Any]] = []
    profiles: list[DemoSeller] = []
    serial_prefixes = {code: prefix for code, *_rest, prefix in _ELECTRONICS}
    for code, short, name, language, currency, category, prefix, share, channels, ups in _SELLERS:
        seller_id = random_uuid(rng)
        sellers.append({"id": seller_id, "code": code, "name": name, "language": language,
                        "default_currency": currency, "created_at": created})  # fmt: skip
        demo_skus = []
        for item, (sku_code, title, price, grams, spec) in enumerate(_sku_definitions(category)):
            sku_id = random_uuid(rng)
            gtin = make_gtin13(f"{prefix}{101 + item:05d}")
            full_code = f"{short}-{sku_code}"
            skus.append({"id": sku_id, "seller_id": seller_id, "code": full_code, "gtin": gtin,
                         "title": title, "category": category, "expected_unit_weight_g": grams,
                         "spec": spec, "created_at": created})  # fmt: skip
            demo_skus.append(
                DemoSku(sku_id, full_code, gtin, Decimal(price), serial_prefixes.get(sku_code))
            )
        profiles.append(DemoSeller(seller_id, code, short, category, share, channels, ups,
                                   code == "VOLTIQ", tuple(demo_skus)))  # fmt: skip
    return Catalog(sellers, skus, profiles)
