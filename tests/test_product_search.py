"""The product typeahead on the companies' engine: part ID exact, then name prefix, then word
prefixes, alphabetical within each, page by page, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from domain.access import Viewer
from domain.catalog import create_product, update_product
from domain.catalog_rules import ProductChange, ProductInput
from domain.errors import AccessDenied
from domain.product_search import find_products, search_products
from domain.ranks import renumber
from domain.records import Classification
from persistence.search_corpus import PRODUCTS
from persistence.tables import Staff
from tests.conftest import World

NAMES = {
    "PAPER-1": "Copy paper A4 80 g",
    "ENV-C5": "Envelopes C5 with paper window",
    "PAP": "Stapler heavy duty",
    "PAPR-3": "Paper clips 32 mm",
    "MUE-1": "Müller cutting mat",
    "TONER": "Toner cartridge black",
    "OLD-1": "Paper towels (discontinued)",
}


async def stock(world: World) -> Viewer:
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    for part, name in NAMES.items():
        await create_product(
            viewer,
            ProductInput(
                supplier_part_id=part,
                name=name,
                unit_price="1.00",
                currency="EUR",
                unit_of_measure="EA",
                classifications=[Classification("UNSPSC", "44120000")],
            ),
        )
    old = [p for p, _ in (await find_products("OLD-1", 1))[0]][0]
    await update_product(viewer, old.id, ProductChange(active=False))
    return viewer


async def names(search: str, first: int = 20, active_only: bool = True) -> list[str]:
    found, _ = await find_products(search, first, active_only=active_only)
    return [p.name for p, _ in found]


async def test_tiers_part_id_then_name_prefix_then_words(world: World) -> None:
    await stock(world)
    assert await names("pap") == [
        "Stapler heavy duty",  # the part ID PAP, exactly (case folded)
        "Paper clips 32 mm",  # names that start with it, alphabetically
        "Copy paper A4 80 g",  # then names with a word that starts with it
        "Envelopes C5 with paper window",
    ]
    assert await names("paper") == [
        "Paper clips 32 mm",
        "Copy paper A4 80 g",
        "Envelopes C5 with paper window",
    ]
    assert (await names("paper", active_only=False))[:2] == [
        "Paper clips 32 mm",
        "Paper towels (discontinued)",
    ]
    assert await names("paper win") == ["Envelopes C5 with paper window"]
    assert await names("paper-1") == ["Copy paper A4 80 g"]  # part ID, and its words
    assert await names("mueller") == await names("muller") == ["Müller cutting mat"]
    assert await names("stap") == ["Stapler heavy duty"]
    assert await names("aper") == []  # word prefixes, not substrings


async def test_pages_follow_each_other(world: World) -> None:
    await stock(world)
    seen: list[str] = []
    after = None
    while True:
        page, more = await find_products("pap", 1, after)
        seen += [p.name for p, _ in page]
        if not more:
            break
        after = page[-1][1]
    assert seen == await names("pap")


async def test_a_renamed_product_moves_in_the_index(world: World) -> None:
    viewer = await stock(world)
    toner = (await find_products("TONER", 1))[0][0][0]
    await update_product(viewer, toner.id, ProductChange(name="Paper tray"))
    assert "Paper tray" in await names("paper tray")
    assert await names("cartridge") == []
    await renumber(corpus=PRODUCTS)  # a bulk load's renumbering rebuilds the index alike
    assert await names("paper tray") == ["Paper tray"]


async def test_staff_search_needs_the_companies_reach(world: World) -> None:
    await stock(world)
    nobody = Viewer(await Staff.get(email="none@supplier.example"))
    with pytest.raises(AccessDenied):
        await search_products(nobody, "paper", 10)
    crm = Viewer(await Staff.get(email="crmcompanyedit@supplier.example"))
    found, _ = await search_products(crm, "paper towels", 10)
    assert [p.supplier_part_id for p, _ in found] == ["OLD-1"]  # staff see inactive ones
