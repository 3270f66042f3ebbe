"""The storefront's catalog over GraphQL, on SQLite and PostgreSQL: `products(search:, first:)`
at the session company's price, `addCartLine(input: {productId, quantity})` taking everything
else from the catalog, and free-form lines only where the setting allows them."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree

from domain.access import Viewer
from domain.catalog import create_product, update_product
from domain.catalog_prices import ContractPriceInput, set_contract_price
from domain.catalog_rules import ProductChange, ProductInput
from domain.records import Classification
from opsportal.app import create_app
from opsportal.config import ConfigError, Settings
from persistence.punchout_tables import CartLine
from persistence.tables import Staff
from testkit.documents import ITEMS
from tests.conftest import VAULT, Api, Buyer, World, error_codes, make_buyer
from tests.cxml_helpers import assert_cxml
from tests.storefront_helpers import ADD, TRANSFER, line, open_session

PRODUCTS = """
query($search: String!, $first: Int) { products(search: $search, first: $first) {
  edges { node { id supplierPartId name description unitOfMeasure leadTimeDays
    manufacturerName classifications { domain value }
    price { unitPrice currency isContractPrice } } }
  pageInfo { hasNextPage }
} }"""
CART = """{ punchoutSession { cart { total currency lines {
  supplierPartId supplierPartAuxiliaryId description quantity unitOfMeasure unitPrice currency
  amount classifications { domain value } manufacturerName manufacturerPartId leadTime } } } }"""
PAPER = Classification("UNSPSC", "14111507")


def product(part: str, name: str, price: str, **more: Any) -> ProductInput:
    values: dict[str, Any] = {
        "supplier_part_id": part,
        "name": name,
        "unit_price": price,
        "currency": "EUR",
        "unit_of_measure": "RM",
        "classifications": [PAPER],
        "description": f"{name}, bright white.",
        "manufacturer_name": "Navigator",
        "manufacturer_part_id": f"NAV-{part}",
        "lead_time_days": 2,
    }
    values.update(more)
    return ProductInput(**values)


class Catalog:
    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids  # part ID -> global ID


@pytest.fixture
async def catalog(world: World) -> Catalog:
    """Three papers and a pen; ACME's contract price for one paper (and one not yet valid)."""
    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    made = [
        await create_product(admin, product("PAP-A4-80", "Copy paper A4 80 g", "4.2500")),
        await create_product(admin, product("PAP-A3-80", "Copy paper A3 80 g", "8.90")),
        await create_product(admin, product("PAP-OLD", "Paper of old", "1.00")),
        await create_product(
            admin, product("PEN-042", "Blue pen", "1.25", unit_of_measure="EA", lead_time_days=None)
        ),
    ]
    await update_product(admin, made[2].id, ProductChange(active=False))
    today = date.today()
    await set_contract_price(
        admin, ContractPriceInput(made[0].id, world.acme.id, "3.9900", valid_from=None)
    )
    await set_contract_price(  # a later price, not valid yet: today's stays
        admin,
        ContractPriceInput(made[1].id, world.acme.id, "0.01", valid_from=today + timedelta(days=3)),
    )
    return Catalog(
        {p.supplier_part_id: base64.b64encode(f"Product:{p.id}".encode()).decode() for p in made}
    )


async def products(api: Api, token: str, search: str, first: int = 10) -> list[dict[str, Any]]:
    body = await api(PRODUCTS, {"search": search, "first": first}, token)
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["products"]["edges"]]


async def add(api: Api, token: str, input: dict[str, Any]) -> dict[str, Any]:
    body = await api(ADD, {"input": input}, token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["addCartLine"]
    return payload


async def test_products_come_at_the_companys_price(
    api: Api, buyer: Buyer, world: World, catalog: Catalog
) -> None:
    token = await open_session(api, buyer)
    found = await products(api, token, "paper")
    assert [p["supplierPartId"] for p in found] == ["PAP-A3-80", "PAP-A4-80"]  # not the inactive
    by_part = {p["supplierPartId"]: p for p in found}
    assert by_part["PAP-A4-80"]["price"] == {
        "unitPrice": "3.99",
        "currency": "EUR",
        "isContractPrice": True,
    }
    assert by_part["PAP-A3-80"]["price"] == {
        "unitPrice": "8.90",
        "currency": "EUR",
        "isContractPrice": False,  # its contract price starts in three days
    }
    assert by_part["PAP-A4-80"]["classifications"] == [{"domain": "UNSPSC", "value": "14111507"}]
    assert (await products(api, token, "PAP-A4-80"))[0]["id"] == catalog.ids["PAP-A4-80"]
    assert [p["supplierPartId"] for p in await products(api, token, "blu pe")] == ["PEN-042"]
    assert await products(api, token, "nothing like it") == []
    # Another company's buyer pays the list price.
    other = await make_buyer(world.globex, "punchout-globex@buyer.example")
    theirs = await products(api, await open_session(api, other), "PAP-A4-80")
    assert theirs[0]["price"] == {"unitPrice": "4.25", "currency": "EUR", "isContractPrice": False}


async def test_products_are_bounded_and_priced_for_sessions_only(
    api: Api, buyer: Buyer, world: World, catalog: Catalog
) -> None:
    token = await open_session(api, buyer)
    body = await api(PRODUCTS, {"search": "paper", "first": 1}, token)
    assert len(body["data"]["products"]["edges"]) == 1
    assert body["data"]["products"]["pageInfo"]["hasNextPage"] is True
    assert error_codes(await api(PRODUCTS, {"search": "paper", "first": -1}, token)) == [
        "BAD_USER_INPUT"
    ]
    for stranger in (None, "pos_not-a-session"):
        assert error_codes(await api(PRODUCTS, {"search": "paper"}, stranger)) == [
            "UNAUTHENTICATED"
        ]
    assert error_codes(await api(PRODUCTS, {"search": "paper"}, world.tokens["none"])) == [
        "FORBIDDEN"
    ]
    # Staff read the same field: every product, inactive too, at no company's price.
    staff = await api(PRODUCTS, {"search": "paper"}, world.tokens["administrator"])
    nodes = [e["node"] for e in staff["data"]["products"]["edges"]]
    assert {n["supplierPartId"] for n in nodes} == {"PAP-A4-80", "PAP-A3-80", "PAP-OLD"}
    assert {n["price"] is None for n in nodes} == {True}


async def test_a_product_line_comes_from_the_catalog(
    api: Api, buyer: Buyer, catalog: Catalog
) -> None:
    token = await open_session(api, buyer)
    done = await add(api, token, {"productId": catalog.ids["PAP-A4-80"], "quantity": "2"})
    assert done["errors"] == []
    await add(api, token, {"productId": catalog.ids["PEN-042"], "quantity": "1.5"})
    again = await add(api, token, {"productId": catalog.ids["PAP-A4-80"], "quantity": "3"})
    assert again["errors"] == []
    cart = (await api(CART, token=token))["data"]["punchoutSession"]["cart"]
    assert [(x["supplierPartId"], x["quantity"]) for x in cart["lines"]] == [
        ("PAP-A4-80", "5"),  # the same product again: one line
        ("PEN-042", "1.5"),
    ]
    paper = cart["lines"][0]
    assert paper == {
        "supplierPartId": "PAP-A4-80",
        "supplierPartAuxiliaryId": None,
        "description": "Copy paper A4 80 g",  # the product's name
        "quantity": "5",
        "unitOfMeasure": "RM",
        "unitPrice": "3.99",  # the contract price, not the list price 4.25
        "currency": "EUR",
        "amount": "19.95",
        "classifications": [{"domain": "UNSPSC", "value": "14111507"}],
        "manufacturerName": "Navigator",
        "manufacturerPartId": "NAV-PAP-A4-80",
        "leadTime": "2",
    }
    assert cart["total"] == "21.83"  # 5 x 3.99 + 1.5 x 1.25 = 19.95 + 1.875, rounded once
    transfer = (await api(TRANSFER, token=token))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)
    assert message.findtext(".//PunchOutOrderMessageHeader/Total/Money") == "21.83"
    item = message.find(".//ItemIn")
    assert item.get("quantity") == "5" and item.findtext(".//UnitPrice/Money") == "3.99"
    assert item.findtext(".//Classification") == "14111507"


@pytest.mark.parametrize(
    ("input", "code", "field"),
    [
        ({"productId": "UHJvZHVjdDo5OTk5OQ==", "quantity": "1"}, "NOT_FOUND", "productId"),
        ({"productId": "Q29tcGFueTox", "quantity": "1"}, "NOT_FOUND", "productId"),  # a Company
        ({"productId": "not base64!", "quantity": "1"}, "NOT_FOUND", "productId"),
        ({"part": "PAP-OLD", "quantity": "1"}, "NOT_FOUND", "productId"),  # inactive
        ({"part": "PAP-A4-80", "quantity": "0"}, "INVALID", "quantity"),
        ({"part": "PAP-A4-80", "quantity": "1,5"}, "INVALID", "quantity"),
        ({"part": "PAP-A4-80", "quantity": "1", "unitPrice": "0.01"}, "INVALID", "unitPrice"),
        ({"part": "PAP-A4-80", "quantity": "1", "unspsc": "44121704"}, "INVALID", "unspsc"),
    ],
)
async def test_a_refused_product_line_changes_nothing(
    api: Api, buyer: Buyer, catalog: Catalog, input: dict[str, Any], code: str, field: str
) -> None:
    token = await open_session(api, buyer)
    if "part" in input:
        input = {"productId": catalog.ids[input["part"]], **input}
        del input["part"]
    done = await add(api, token, input)
    assert done["cart"] is None
    assert [(e["code"], e["field"]) for e in done["errors"]] == [(code, field)]
    assert await CartLine.all().count() == 0


async def test_an_inspect_cart_takes_no_product(api: Api, buyer: Buyer, catalog: Catalog) -> None:
    token = await open_session(api, buyer, operation="inspect", items=ITEMS)
    done = await add(api, token, {"productId": catalog.ids["PEN-042"], "quantity": "1"})
    assert [e["code"] for e in done["errors"]] == ["READ_ONLY"]


@pytest.fixture
async def builtin(db: str, settings: Settings) -> AsyncIterator[Api]:
    """A server whose StartPage sends buyers to its own storefront, with the default setting."""
    served = Settings(database_url=settings.database_url, public_url=settings.public_url)
    transport = httpx.ASGITransport(app=create_app(served, vault=VAULT))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield Api(http)


async def test_free_form_lines_are_refused_beside_the_builtin_storefront(
    builtin: Api, world: World, catalog: Catalog
) -> None:
    buyer = await make_buyer(world.acme, "punchout-builtin@buyer.example")
    token = await open_session(builtin, buyer)
    done = await add(builtin, token, line())
    assert [(e["code"], e["field"]) for e in done["errors"]] == [("FREE_FORM_REFUSED", "productId")]
    assert "OPSPORTAL_STOREFRONT_FREE_FORM_LINES" in done["errors"][0]["message"]
    assert await CartLine.all().count() == 0
    ok = await add(builtin, token, {"productId": catalog.ids["PEN-042"], "quantity": "1"})
    assert ok["errors"] == [] and ok["cart"]["lines"][0]["unitPrice"] == "1.25"


async def test_free_form_lines_need_their_fields(api: Api, buyer: Buyer) -> None:
    token = await open_session(api, buyer)  # the suite's server allows them
    done = await add(api, token, {"supplierPartId": "X-1", "quantity": "1"})
    assert [(e["code"], e["field"]) for e in done["errors"]] == [("INVALID", "description")]
    assert "unitPrice" in done["errors"][0]["message"]
    assert (await add(api, token, line()))["errors"] == []


def test_the_free_form_setting_and_its_default() -> None:
    base = "http://127.0.0.1:8000"
    assert not Settings(public_url=base).free_form_lines  # the built-in storefront
    assert not Settings(public_url=base, storefront_url=f"{base}/storefront/").free_form_lines
    assert Settings(public_url=base, storefront_url="https://shop.example.com/p").free_form_lines
    env = {"OPSPORTAL_PUBLIC_URL": base}
    assert Settings.from_env(env).storefront_free_form_lines is None
    assert Settings.from_env(
        {**env, "OPSPORTAL_STOREFRONT_FREE_FORM_LINES": "allow"}
    ).free_form_lines
    refuse = {
        **env,
        "OPSPORTAL_STOREFRONT_URL": "https://shop.example.com/p",
        "OPSPORTAL_STOREFRONT_FREE_FORM_LINES": "Refuse",
    }
    assert not Settings.from_env(refuse).free_form_lines
    with pytest.raises(ConfigError, match="OPSPORTAL_STOREFRONT_FREE_FORM_LINES='yes'"):
        Settings.from_env({**env, "OPSPORTAL_STOREFRONT_FREE_FORM_LINES": "yes"})
