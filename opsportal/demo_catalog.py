"""The demo catalog: a few thousand office and industrial supplies with UNSPSC codes and
UN/CEFACT units, made with Faker from a fixed seed (the same catalog every run), and contract
prices for the demo punchout company, Acme Supplies Ltd (C000042), on a good share of them
(every paper product among them: the storefront's browser test searches "paper")."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from faker import Faker

from domain.price_import import PriceImportReport, import_prices
from domain.product_import import CatalogImportReport, import_products

SEED = 170017
# (kind, UNSPSC, unit, price range, sizes or variants): what an office and industrial
# supplier sells, with the UNSPSC commodity codes and units such items carry.
KINDS: tuple[tuple[str, str, str, tuple[int, int], tuple[str, ...]], ...] = (
    ("Copy paper", "14111507", "RM", (3, 9), ("A4 80 g/m²", "A3 80 g/m²", "A4 100 g/m²", "Letter")),
    ("Recycled paper", "14111507", "RM", (3, 8), ("A4 80 g/m²", "A4 75 g/m²")),
    ("Photo paper", "14111508", "XPK", (6, 25), ("A4 glossy", "10x15 matte", "A3 glossy")),
    ("Paper towels", "14111703", "XCT", (12, 40), ("2-ply", "interfold", "roll")),
    ("Notebook", "14111514", "EA", (1, 8), ("A5 ruled", "A4 squared", "A6 dotted")),
    ("Envelopes", "44121506", "XBX", (5, 30), ("C5 white", "DL window", "C4 brown")),
    ("Ballpoint pens", "44121704", "XBX", (3, 18), ("blue", "black", "red")),
    ("Highlighters", "44121716", "XPK", (2, 9), ("yellow", "assorted")),
    ("Stapler", "44121615", "EA", (6, 45), ("heavy duty", "desktop", "long reach")),
    ("Staples", "44122107", "XBX", (1, 6), ("24/6", "26/6", "23/13")),
    ("Paper clips", "44122104", "XBX", (1, 5), ("28 mm", "32 mm", "50 mm")),
    ("Toner cartridge", "44103103", "EA", (40, 220), ("black", "cyan", "magenta", "yellow")),
    ("Lever arch file", "44122003", "EA", (2, 7), ("A4 80 mm", "A4 50 mm")),
    ("Safety gloves", "46181504", "PR", (2, 15), ("size 8", "size 9", "size 10")),
    ("Safety glasses", "46181804", "EA", (4, 30), ("clear", "tinted")),
    ("Hex bolts", "31161501", "XBX", (8, 60), ("M6x30", "M8x40", "M10x50")),
    ("Cable ties", "39121702", "XPK", (2, 15), ("200 mm", "300 mm", "black UV")),
    ("Duct tape", "31201503", "XRO", (3, 12), ("50 mm x 50 m", "silver", "black")),
    ("Cleaning wipes", "47131502", "XPK", (3, 14), ("disinfecting", "screen")),
    ("Coffee beans", "50201706", "KGM", (12, 35), ("espresso", "medium roast")),
    ("Drill bits", "27112703", "SET", (10, 80), ("HSS 1-10 mm", "masonry", "wood")),
    ("Extension cord", "26121607", "EA", (8, 40), ("5 m", "10 m", "3-way")),
    ("Printer paper rolls", "14111530", "XRL", (10, 45), ("80 mm thermal", "57 mm thermal")),
)

# What each unit code above is called, for the descriptions.
UNIT_NAMES = {
    "RM": "ream",
    "XPK": "pack",
    "XCT": "carton",
    "EA": "piece",
    "XBX": "box",
    "PR": "pair",
    "XRO": "roll",
    "KGM": "kilogram",
    "SET": "set",
    "XRL": "reel",
}


def demo_products(count: int) -> Iterator[dict[str, str]]:
    """`count` products (rows as the catalog import reads them), the same for the same
    count every run."""
    rng = random.Random(SEED)
    fake = Faker(["en_US", "de_DE"])
    fake.seed_instance(SEED)
    makers = [fake.unique.last_name() for _ in range(40)]
    for n in range(count):
        kind, unspsc, unit, (low, high), variants = KINDS[n % len(KINDS)]
        maker = makers[rng.randrange(len(makers))]
        variant = variants[rng.randrange(len(variants))]
        price = (Decimal(rng.randrange(low * 100, high * 100)) / 100).quantize(Decimal("0.01"))
        # Drawn in this order, so that the same seed makes the same catalog.
        company = f"{maker} {rng.choice(['GmbH', 'Ltd', 'Inc.', 'AG'])}"
        maker_part = f"{maker[:3].upper()}-{rng.randrange(10_000, 99_999)}"
        lead_time = rng.choice([1, 2, 3, 5, 10])
        yield {
            "part_id": f"DEMO-{n + 1:05d}",
            "name": f"{kind} {variant}, {maker}",
            "description": f"{kind}, {variant}, made by {company} (part {maker_part}); "
            f"sold by the {UNIT_NAMES[unit]}, delivered in {lead_time} working "
            f"day{'s' if lead_time > 1 else ''}.",
            "unit_price": str(price),
            "currency": "EUR",
            "unit": unit,
            "unspsc": unspsc,
            "manufacturer": company,
            "manufacturer_part_id": maker_part,
            "lead_time_days": str(lead_time),
        }


def demo_prices(products: list[dict[str, str]], company_code: str) -> Iterator[dict[str, str]]:
    """The company's contract prices: 5-20 % off every paper product and two in five others."""
    rng = random.Random(SEED + 1)
    for row in products:
        if "paper" in row["name"].lower() or rng.random() < 0.4:
            off = Decimal(rng.randrange(80, 96)) / 100
            price = (Decimal(row["unit_price"]) * off).quantize(Decimal("0.01"))
            yield {
                "part_id": row["part_id"],
                "company_code": company_code,
                "unit_price": str(price),
            }


async def load_demo_catalog(
    company_code: str, count: int = 3000
) -> tuple[CatalogImportReport, PriceImportReport]:
    """Import the demo catalog and the company's prices (again: updated, nothing twice)."""
    products = list(demo_products(count))
    catalog = await import_products(products)
    prices = await import_prices(demo_prices(products, company_code))
    return catalog, prices
