"""Order prices checked against the catalog when the order comes in: each line against the
company's contract price valid on the order's day, else the list price, flagged under the
default OPSPORTAL_ORDER_PRICE_CHECK=flag; what staff read of it. Our own OrderRequests over the
real ASGI app, on SQLite and PostgreSQL. (Refusals, under `reject`: test_order_prices_reject.)"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from domain.access import Viewer
from domain.catalog import update_product
from domain.catalog_rules import ProductChange
from domain.order_prices import PriceCheckMode
from opsportal.config import ConfigError, Settings
from persistence.punchout_tables import (
    CxmlReceipt,
    Order,
    OrderLine,
)
from persistence.tables import Staff
from tests.conftest import Api, Buyer, World, global_id, make_buyer
from tests.cxml_helpers import post_cxml
from tests.priced_orders import (
    Item,
    catalog,
    contract,
    flags,
    priced_order,
    product,
    send,
    stored_lines,
)

ORDERS = """query($id: ID!) { company(id: $id) { orders(first: 10) { edges { node {
  orderId priceExceptions priceDate
  lines { lineNumber supplierPartId unitPrice currency catalogUnitPrice catalogCurrency
          catalogPriceSource priceMismatch }
} } } } }"""


async def test_the_companys_contract_price_wins_over_the_list_price(
    client: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    await catalog(world)
    items = [Item("PAP-A4-80", "3.90"), Item("TON-BK-1", "120.00"), Item("PEN-BL-1", "1.20")]
    answer = await send(client, buyer, items)
    assert answer.code == 200, answer.message
    lines = await stored_lines()
    assert {
        part: (str(line.catalog_unit_price), line.catalog_price_source)
        for part, line in lines.items()
    } == {
        "PAP-A4-80": ("3.90", "contract"),
        "TON-BK-1": ("99.00", "contract"),
        "PEN-BL-1": ("1.20", "list"),
    }
    # The toner at its list price is not Acme's price.
    assert await flags() == {"PAP-A4-80": False, "TON-BK-1": True, "PEN-BL-1": False}
    order = await Order.get()
    assert (order.price_exceptions, order.price_date) == (1, date(2026, 11, 27))


@pytest.mark.parametrize(
    ("order_date", "paper_at", "day"),
    [
        ("2026-11-01T00:00:00+01:00", "3.90", date(2026, 11, 1)),  # the first day, included
        ("2026-11-30T23:30:00-08:00", "3.90", date(2026, 11, 30)),  # the buyer's own day
        ("2026-12-01T08:00:00Z", "4.25", date(2026, 12, 1)),  # after the window: list price
        ("2026-10-31", "4.25", date(2026, 10, 31)),  # before it
        ("2026-11-15 09:00 CET", "3.90", date(2026, 11, 15)),  # a date first, an odd time after
    ],
)
async def test_the_validity_window_is_judged_on_the_order_date(
    client: httpx.AsyncClient, world: World, buyer: Buyer, order_date: str, paper_at: str, day: date
) -> None:
    await catalog(world)
    items = [Item("PAP-A4-80", paper_at)]
    assert (await send(client, buyer, items, order_date=order_date)).code == 200
    [line] = await OrderLine.all()
    assert (str(line.catalog_unit_price), line.price_mismatch) == (paper_at, False)
    assert (await Order.get()).price_date == day


@pytest.mark.parametrize("order_date", [None, "sometime next week"])
async def test_without_a_readable_order_date_the_day_received_counts(
    client: httpx.AsyncClient, world: World, buyer: Buyer, order_date: str | None
) -> None:
    today = datetime.now(UTC).date()
    paper = await product("PAP-A4-80", "4.25")
    await contract(
        paper, world.acme, "3.90", (today - timedelta(days=1), today + timedelta(days=1))
    )
    items = [Item("PAP-A4-80", "3.90")]
    document = priced_order(buyer.username, buyer.key, items, order_date=order_date)
    assert (await post_cxml(client, document)).code == 200
    assert await flags() == {"PAP-A4-80": False}
    order = await Order.get()
    assert order.order_date == order_date  # as sent
    assert order.price_date in (today, today + timedelta(days=1))  # around midnight UTC


async def test_another_company_pays_the_list_price(client: httpx.AsyncClient, world: World) -> None:
    await catalog(world)
    globex = await make_buyer(world.globex, "globex-buyer")
    items = [Item("PAP-A4-80", "3.90"), Item("TON-BK-1", "120.00")]
    assert (await send(client, globex, items)).code == 200
    lines = await stored_lines()
    assert str(lines["PAP-A4-80"].catalog_unit_price) == "4.25"
    assert lines["PAP-A4-80"].catalog_price_source == "list"
    assert await flags() == {"PAP-A4-80": True, "TON-BK-1": False}


async def test_changed_prices_unknown_parts_and_other_currencies_are_flagged(
    client: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    await catalog(world)
    items = [
        Item("PEN-BL-1", "1.2000"),  # the same price, more digits: not a change
        Item("PEN-BL-1-X", "1.20"),  # unknown
        Item("STA-HD-1", "24.00"),  # inactive: not in the catalog for buyers
        Item("TON-BK-1", "98.99"),  # changed
        Item("PAP-A4-80", "3.90", currency="USD"),  # the right figure, another currency
        Item("pap-a4-80", "3.90"),  # part IDs are exact
    ]
    answer = await send(client, buyer, items)
    assert (answer.code, answer.message) == (200, "")  # flag: accepted
    lines = await OrderLine.all().order_by("line_number")
    assert [line.price_mismatch for line in lines] == [False, True, True, True, True, True]
    assert [line.catalog_unit_price for line in lines] == [
        Decimal("1.20"),
        None,
        None,
        Decimal("99.00"),
        Decimal("3.90"),
        None,
    ]
    assert [line.catalog_currency for line in lines] == ["EUR", None, None, "EUR", "EUR", None]
    # What the buyer sent stays exactly as sent.
    assert [str(line.unit_price) for line in lines] == [
        "1.2000",
        "1.20",
        "24.00",
        "98.99",
        "3.90",
        "3.90",
    ]
    assert lines[4].currency == "USD"
    assert (await Order.get()).price_exceptions == 5


async def test_the_catalog_price_is_kept_as_it_was(
    client: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    pen = await product("PEN-BL-1", "1.2050")
    assert (await send(client, buyer, [Item("PEN-BL-1", "1.205")])).code == 200
    await update_product(viewer, pen.id, ProductChange(unit_price="1.99"))
    [line] = await OrderLine.all()
    assert str(line.catalog_unit_price) == "1.2050"  # every digit, as the catalog held it
    assert (str(line.unit_price), line.price_mismatch) == ("1.205", False)
    # A retry is answered as the first time: nothing checked or stored again.
    again = await send(client, buyer, [Item("PEN-BL-1", "1.205")])
    assert again.code == 200 and await CxmlReceipt.all().count() == 1
    [line] = await OrderLine.all()
    assert str(line.catalog_unit_price) == "1.2050"


async def test_an_update_is_checked_again_and_a_delete_keeps_the_check(
    client: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    await catalog(world)
    assert (await send(client, buyer, [Item("PEN-BL-1", "0.99")])).code == 200
    assert (await Order.get()).price_exceptions == 1
    update = await send(client, buyer, [Item("PEN-BL-1", "1.20")], kind="update", payload="p-2")
    assert update.code == 200
    assert (await Order.get()).price_exceptions == 0 and await flags() == {"PEN-BL-1": False}
    delete = await send(client, buyer, [], kind="delete", payload="p-3")
    assert delete.code == 200
    order = await Order.get()
    assert (order.order_type, order.price_exceptions) == ("delete", 0)


async def test_the_whole_order_is_priced_in_one_statement(
    client: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    await catalog(world)

    class Priced(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.count = 0

        def emit(self, record: logging.LogRecord) -> None:
            self.count += "FROM product p" in record.getMessage()

    logger = logging.getLogger("tortoise.db_client")
    for lines, payload in ((1, "one@b"), (300, "many@b")):
        items = [Item(("PAP-A4-80", "PEN-BL-1", "Z")[n % 3] + f"-{n}", "1") for n in range(lines)]
        handler, level = Priced(), logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            answer = await send(client, buyer, items, payload=payload, order_id=payload)
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        assert answer.code == 200 and handler.count == 1, (lines, handler.count)


async def test_staff_see_the_check(api: Api, world: World, buyer: Buyer) -> None:
    await catalog(world)
    items = [Item("PAP-A4-80", "3.9"), Item("PEN-BL-1", "1.00"), Item("X-1", "2.50")]
    assert (await send(api.http, buyer, items)).code == 200
    body = await api(
        ORDERS, {"id": global_id("Company", world.acme.id)}, world.tokens["crmCompanyEdit"]
    )
    [order] = [e["node"] for e in body["data"]["company"]["orders"]["edges"]]
    assert (order["priceExceptions"], order["priceDate"]) == (2, "2026-11-27")
    assert order["lines"] == [
        {
            "lineNumber": 1,
            "supplierPartId": "PAP-A4-80",
            "unitPrice": "3.90",
            "currency": "EUR",
            "catalogUnitPrice": "3.90",
            "catalogCurrency": "EUR",
            "catalogPriceSource": "CONTRACT",
            "priceMismatch": False,
        },
        {
            "lineNumber": 2,
            "supplierPartId": "PEN-BL-1",
            "unitPrice": "1.00",
            "currency": "EUR",
            "catalogUnitPrice": "1.20",
            "catalogCurrency": "EUR",
            "catalogPriceSource": "LIST",
            "priceMismatch": True,
        },
        {
            "lineNumber": 3,
            "supplierPartId": "X-1",
            "unitPrice": "2.50",
            "currency": "EUR",
            "catalogUnitPrice": None,
            "catalogCurrency": None,
            "catalogPriceSource": None,
            "priceMismatch": True,
        },
    ]


async def test_an_order_stored_before_the_check_shows_none(
    api: Api, world: World, buyer: Buyer
) -> None:
    assert (await send(api.http, buyer, [Item("PEN-BL-1", "1.20")])).code == 200
    # As migration 0020 leaves the orders stored before it.
    await Order.all().update(price_exceptions=None, price_date=None)
    await OrderLine.all().update(
        catalog_unit_price=None, catalog_currency=None, price_mismatch=False
    )
    body = await api(
        ORDERS, {"id": global_id("Company", world.acme.id)}, world.tokens["administrator"]
    )
    [order] = [e["node"] for e in body["data"]["company"]["orders"]["edges"]]
    assert (order["priceExceptions"], order["priceDate"]) == (None, None)
    assert order["lines"][0]["priceMismatch"] is False


def test_the_setting() -> None:
    assert Settings.from_env({}).order_price_check is PriceCheckMode.FLAG
    for value, mode in (("flag", PriceCheckMode.FLAG), (" Reject ", PriceCheckMode.REJECT)):
        env = {"OPSPORTAL_ORDER_PRICE_CHECK": value}
        assert Settings.from_env(env).order_price_check is mode
    with pytest.raises(ConfigError, match="OPSPORTAL_ORDER_PRICE_CHECK='refuse': give flag"):
        Settings.from_env({"OPSPORTAL_ORDER_PRICE_CHECK": "refuse"})
