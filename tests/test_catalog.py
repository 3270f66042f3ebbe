"""The catalog's domain API: products checked and audited, contract prices, and the price a
company pays on a day (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.access import Viewer
from domain.cart_input import MAX_LEAD_TIME, MAX_QUANTITY
from domain.catalog import create_product, get_product, get_product_by_part, update_product
from domain.catalog_prices import (
    ContractPriceInput,
    contract_prices,
    price_for,
    prices_for,
    set_contract_price,
)
from domain.catalog_rules import MAX_LEAD_TIME_DAYS, MAX_PRICE, ProductChange, ProductInput
from domain.errors import AccessDenied, CatalogCode, CatalogRefused, NotSignedIn
from domain.records import Classification
from domain.unit_codes import unit_code, unit_codes
from persistence.catalog_tables import ContractPrice as ContractPriceRow
from persistence.tables import AuditEvent, Staff
from tests.conftest import World

PAPER = Classification("UNSPSC", "14111507")


def paper(part: str = "PAP-A4-80", **changes: object) -> ProductInput:
    values: dict[str, object] = {
        "supplier_part_id": part,
        "name": "Copy paper A4 80 g/m², 500 sheets",
        "unit_price": "4.2500",
        "currency": "eur",
        "unit_of_measure": "rm",
        "classifications": [PAPER],
        "description": "Bright white multipurpose paper.",
        "manufacturer_name": "Navigator",
        "manufacturer_part_id": "NAV-80-A4",
        "lead_time_days": 2,
        "image_url": "https://images.example.com/pap-a4-80.png",
    }
    values.update(changes)
    return ProductInput(**values)  # type: ignore[arg-type]


async def admin() -> Viewer:
    return Viewer(await Staff.get(email="founder@supplier.example"))


async def refused(coroutine: object) -> CatalogRefused:
    with pytest.raises(CatalogRefused) as caught:
        await coroutine  # type: ignore[misc]
    return caught.value


async def test_a_product_is_stored_exactly_and_audited(world: World) -> None:
    viewer = await admin()
    product = await create_product(viewer, paper(unit_price="0.0004"))
    assert product.unit_price == Decimal("0.0004") and str(product.unit_price) == "0.0004"
    assert (product.currency, product.unit_of_measure) == ("EUR", "RM")
    assert product.classifications == (PAPER,)
    assert product.active and product.lead_time_days == 2
    again = await get_product(product.id)
    assert again == product and await get_product_by_part("PAP-A4-80") == product
    assert str(again.unit_price) == "0.0004"  # every digit read back, on both databases
    assert await get_product_by_part("pap-a4-80") is None  # part IDs are exact
    event = await AuditEvent.get(action="product.create", target_id=product.id)
    assert event.actor_id == viewer.staff.id and event.after["unitPrice"] == "0.0004"
    details = product.line_details()
    assert details.classifications == (PAPER,) and details.lead_time == "2"
    assert details.manufacturer_part_id == "NAV-80-A4"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"unit_of_measure": "BX"}, CatalogCode.UNKNOWN_UNIT, "unitOfMeasure"),
        ({"unit_of_measure": "each"}, CatalogCode.UNKNOWN_UNIT, "unitOfMeasure"),
        ({"currency": "EURO"}, CatalogCode.INVALID, "currency"),
        ({"unit_price": "-1"}, CatalogCode.INVALID, "unitPrice"),
        ({"unit_price": "1,50"}, CatalogCode.INVALID, "unitPrice"),
        ({"unit_price": "1000000000"}, CatalogCode.INVALID, "unitPrice"),
        ({"unit_price": "0." + "1" * 21}, CatalogCode.INVALID, "unitPrice"),
        ({"classifications": []}, CatalogCode.REQUIRED, "classifications"),
        ({"classifications": [Classification("UNSPSC", "1411")]}, CatalogCode.INVALID, None),
        ({"classifications": [PAPER] * 11}, CatalogCode.INVALID, "classifications"),
        ({"name": "  "}, CatalogCode.REQUIRED, "name"),
        ({"name": "x" * 256}, CatalogCode.INVALID, "name"),
        ({"name": "nul\x00"}, CatalogCode.INVALID, "name"),
        ({"supplier_part_id": ""}, CatalogCode.REQUIRED, "supplierPartId"),
        ({"description": "y" * 2001}, CatalogCode.INVALID, "description"),
        ({"lead_time_days": -1}, CatalogCode.INVALID, "leadTimeDays"),
        ({"lead_time_days": 3651}, CatalogCode.INVALID, "leadTimeDays"),
        ({"image_url": "http://images.example.com/a.png"}, CatalogCode.INVALID, "imageUrl"),
        ({"image_url": "javascript:alert(1)"}, CatalogCode.INVALID, "imageUrl"),
        ({"image_url": "https://user:pw@x.example/a.png"}, CatalogCode.INVALID, "imageUrl"),
    ],
)
async def test_bad_products_are_refused_and_nothing_is_stored(
    world: World, changes: dict[str, object], code: CatalogCode, field: str | None
) -> None:
    problem = await refused(create_product(await admin(), paper(**changes)))
    assert problem.code is code, problem.message
    assert problem.field == (field or "classifications")
    assert await get_product_by_part("PAP-A4-80") is None


async def test_units_are_checked_against_the_un_cefact_list() -> None:
    codes = unit_codes()
    assert len(codes) > 2000  # Recommendation 20 and 21 as EN 16931 lists them
    assert {"EA", "C62", "H87", "KGM", "MTR", "RM", "PR", "XBX", "XPK"} <= codes
    assert unit_code(" ea ") == "EA" and unit_code("BX") is None and unit_code("") is None


def test_the_catalog_refuses_what_a_cart_line_would_refuse() -> None:
    assert MAX_PRICE == MAX_QUANTITY and MAX_LEAD_TIME_DAYS == MAX_LEAD_TIME


async def test_who_may_edit_the_catalog(world: World) -> None:
    async def as_staff(kind: str) -> Viewer:
        return Viewer(await Staff.get(email=f"{kind.lower()}@supplier.example"))

    for kind in ("superuser", "companyEdit"):
        product = await create_product(await as_staff(kind), paper(f"P-{kind}"))
        await update_product(await as_staff(kind), product.id, ProductChange(name="Renamed"))
    for kind in ("crmCompanyEdit", "none"):
        with pytest.raises(AccessDenied):
            await create_product(await as_staff(kind), paper(f"P-{kind}"))
    with pytest.raises(NotSignedIn):
        await create_product(None, paper())


async def test_a_taken_part_id_is_refused(world: World) -> None:
    viewer = await admin()
    first = await create_product(viewer, paper("A-1"))
    await create_product(viewer, paper("B-1"))
    problem = await refused(create_product(viewer, paper("A-1", name="Other")))
    assert (problem.code, problem.field) == (CatalogCode.TAKEN, "supplierPartId")
    problem = await refused(update_product(viewer, first.id, ProductChange(supplier_part_id="B-1")))
    assert problem.code is CatalogCode.TAKEN
    assert (await get_product(first.id)).supplier_part_id == "A-1"  # type: ignore[union-attr]


async def test_an_update_changes_and_clears_what_it_names(world: World) -> None:
    viewer = await admin()
    product = await create_product(viewer, paper())
    changed = await update_product(
        viewer,
        product.id,
        ProductChange(
            unit_price="3.99",
            active=False,
            clear=frozenset({"image_url", "lead_time_days"}),
        ),
    )
    assert changed.unit_price == Decimal("3.99") and not changed.active
    assert changed.image_url is None and changed.lead_time_days is None
    assert changed.name == product.name and changed.manufacturer_name == "Navigator"
    event = await AuditEvent.get(action="product.update", target_id=product.id)
    assert event.before == {
        "unitPrice": "4.25",
        "active": True,
        "imageUrl": "https://images.example.com/pap-a4-80.png",
        "leadTimeDays": 2,
    }
    assert event.after == {
        "unitPrice": "3.99",
        "active": False,
        "imageUrl": None,
        "leadTimeDays": None,
    }
    problem = await refused(update_product(viewer, product.id + 100, ProductChange(name="x")))
    assert (problem.code, problem.field) == (CatalogCode.NOT_FOUND, "id")
    problem = await refused(update_product(viewer, product.id, ProductChange(unit_of_measure="BX")))
    assert problem.code is CatalogCode.UNKNOWN_UNIT


async def test_a_contract_price_applies_on_its_days_and_to_its_company(world: World) -> None:
    viewer = await admin()
    product = await create_product(viewer, paper())
    acme, globex = world.acme.id, world.globex.id
    await set_contract_price(viewer, ContractPriceInput(product.id, acme, "3.9"))
    await set_contract_price(
        viewer,
        ContractPriceInput(product.id, acme, "3.5", "eur", date(2026, 3, 1), date(2026, 3, 31)),
    )
    await set_contract_price(
        viewer, ContractPriceInput(product.id, acme, "3.7", None, date(2026, 3, 15))
    )

    async def paid(company: int, day: date) -> tuple[str, bool]:
        found = await price_for(company, "PAP-A4-80", day)
        assert found is not None and found.product == product and found.currency == "EUR"
        return str(found.unit_price), found.is_contract_price

    assert await paid(acme, date(2026, 2, 28)) == ("3.9", True)  # the open-ended price
    assert await paid(acme, date(2026, 3, 1)) == ("3.5", True)  # first day included
    assert await paid(acme, date(2026, 3, 20)) == ("3.7", True)  # the later start wins
    assert await paid(acme, date(2026, 4, 1)) == ("3.7", True)
    assert await paid(globex, date(2026, 3, 20)) == ("4.2500", False)  # the list price
    assert await price_for(acme, "NO-SUCH-PART", date(2026, 3, 20)) is None
    await update_product(viewer, product.id, ProductChange(active=False))
    assert await price_for(acme, "PAP-A4-80", date(2026, 3, 20)) is None


async def test_setting_a_price_again_replaces_it(world: World) -> None:
    viewer = await admin()
    product = await create_product(viewer, paper())
    first = await set_contract_price(viewer, ContractPriceInput(product.id, world.acme.id, "3"))
    again = await set_contract_price(
        viewer, ContractPriceInput(product.id, world.acme.id, "2.75", "USD")
    )
    assert again.id == first.id and again.currency == "USD" and first.currency == "EUR"
    assert await ContractPriceRow.filter(product_id=product.id).count() == 1
    events = await AuditEvent.filter(action="contract_price.set").order_by("id")
    assert [e.company_id for e in events] == [world.acme.id] * 2
    assert events[1].before["unitPrice"] == "3" and events[1].after["unitPrice"] == "2.75"


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        ({"company_id": 999_999}, CatalogCode.NOT_FOUND, "companyId"),
        ({"product_id": 999_999}, CatalogCode.NOT_FOUND, "productId"),
        ({"unit_price": "abc"}, CatalogCode.INVALID, "unitPrice"),
        ({"currency": "E"}, CatalogCode.INVALID, "currency"),
        (
            {"valid_from": date(2026, 5, 2), "valid_until": date(2026, 5, 1)},
            CatalogCode.INVALID,
            "validUntil",
        ),
    ],
)
async def test_bad_contract_prices_are_refused(
    world: World, given: dict[str, object], code: CatalogCode, field: str
) -> None:
    viewer = await admin()
    product = await create_product(viewer, paper())
    values: dict[str, object] = {
        "product_id": product.id,
        "company_id": world.acme.id,
        "unit_price": "1",
        **given,
    }
    problem = await refused(set_contract_price(viewer, ContractPriceInput(**values)))  # type: ignore[arg-type]
    assert (problem.code, problem.field) == (code, field)
    assert await ContractPriceRow.all().count() == 0


async def test_a_crm_viewer_may_not_set_prices(world: World) -> None:
    viewer = await admin()
    product = await create_product(viewer, paper())
    crm = Viewer(await Staff.get(email="crmcompanyedit@supplier.example"))
    with pytest.raises(AccessDenied):
        await set_contract_price(crm, ContractPriceInput(product.id, world.acme.id, "1"))


async def test_many_parts_are_priced_at_once(world: World) -> None:
    viewer = await admin()
    parts = [f"P-{n:03d}" for n in range(30)]
    for part in parts:
        product = await create_product(viewer, paper(part, unit_price="10"))
        if part.endswith("0"):
            await set_contract_price(viewer, ContractPriceInput(product.id, world.acme.id, "8"))
    await update_product(
        viewer,
        (await get_product_by_part("P-001")).id,
        ProductChange(active=False),  # type: ignore[union-attr]
    )
    found = await prices_for(world.acme.id, [*parts, "P-000", "UNKNOWN"], date(2026, 1, 1))
    assert sorted(found) == sorted(set(parts) - {"P-001"})
    assert {p for p, price in found.items() if price.is_contract_price} == {
        p for p in parts if p.endswith("0")
    }
    assert all(str(found[p].unit_price) == ("8" if p.endswith("0") else "10") for p in found)


async def test_a_companys_prices_page_by_page(world: World) -> None:
    viewer = await admin()
    for n in range(5):
        product = await create_product(viewer, paper(f"P-{n}"))
        await set_contract_price(viewer, ContractPriceInput(product.id, world.acme.id, str(n)))
        await set_contract_price(viewer, ContractPriceInput(product.id, world.globex.id, "9"))
    page, more = await contract_prices(world.acme.id, 3)
    assert [p.supplier_part_id for _, p in page] == ["P-0", "P-1", "P-2"] and more
    rest, more = await contract_prices(world.acme.id, 3, page[-1][0].id)
    assert [str(c.unit_price) for c, _ in rest] == ["3", "4"] and not more


async def test_one_open_ended_price_per_product_and_company(world: World) -> None:
    from tortoise.exceptions import IntegrityError

    product = await create_product(await admin(), paper())
    await ContractPriceRow.create(
        product_id=product.id, company_id=world.acme.id, unit_price=Decimal(1), currency="EUR"
    )
    with pytest.raises(IntegrityError):  # the partial unique index of migration 0019
        await ContractPriceRow.create(
            product_id=product.id, company_id=world.acme.id, unit_price=Decimal(2), currency="EUR"
        )


async def test_a_batch_is_priced_in_one_statement(world: World) -> None:
    import logging

    viewer = await admin()
    for n in range(20):
        product = await create_product(viewer, paper(f"P-{n}"))
        await set_contract_price(viewer, ContractPriceInput(product.id, world.acme.id, "1"))
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = seen.append  # type: ignore[method-assign]
    logger = logging.getLogger("tortoise.db_client")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        found = await prices_for(world.acme.id, [f"P-{n}" for n in range(1000)], date.today())
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(found) == 20 and len(seen) == 1
