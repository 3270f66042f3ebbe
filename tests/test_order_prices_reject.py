"""Order prices under OPSPORTAL_ORDER_PRICE_CHECK=reject: an order with a line the catalog does
not confirm is refused with a cXML 400 naming the lines, nothing of it stored, and its retries
refused alike. Our own OrderRequests over the real ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from domain.access import Viewer
from domain.catalog_prices import ContractPriceInput, set_contract_price
from domain.order_prices import PriceCheckMode
from opsportal.app import create_app
from opsportal.config import Settings
from persistence.punchout_tables import (
    CxmlExchange,
    CxmlReceipt,
    Order,
    OrderAttachment,
    OrderLine,
)
from persistence.tables import Staff
from testkit.multipart import Part, cid, order_with_attachments, related
from tests.conftest import VAULT, Buyer, World
from tests.cxml_helpers import post_cxml
from tests.priced_orders import (
    Item,
    catalog,
    priced_order,
    product,
    send,
)


@pytest.fixture
async def rejecting(db: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with OPSPORTAL_ORDER_PRICE_CHECK=reject."""
    app = create_app(replace(settings, order_price_check=PriceCheckMode.REJECT), vault=VAULT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield http


async def test_reject_answers_400_naming_the_lines_and_stores_nothing(
    rejecting: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    await catalog(world)
    items = [
        Item("PEN-BL-1", "1.20"),
        Item("PAP-A4-80", "3.00"),
        Item("TON-BK-1", "99.00", currency="USD"),
        Item("X-1", "5"),
    ]
    answer = await send(rejecting, buyer, items)
    assert (answer.http_status, answer.code, answer.status_text) == (200, 400, "Bad Request")
    assert (
        "line 2 (PAP-A4-80): unit price 3.00 EUR, catalog 3.90 EUR; "
        "line 3 (TON-BK-1): unit price 99.00 USD, catalog 99.00 EUR; "
        "line 4 (X-1): not in the catalog."
    ) in answer.message
    assert "(3 lines)" in answer.message and "line 1" not in answer.message
    answer.assert_valid()
    assert await Order.all().count() == 0 and await OrderLine.all().count() == 0
    [entry] = await CxmlExchange.all()
    assert (entry.failure, entry.status_code) == ("PRICE_MISMATCH", 400)
    assert "2026-11-27" in (entry.reason or "") and "X-1" in (entry.reason or "")

    # A retry is refused alike, byte for byte, even once the catalog agrees with the order.
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    await set_contract_price(
        viewer,
        ContractPriceInput((await product("X-1", "5")).id, world.acme.id, "5", None),
    )
    again = await send(rejecting, buyer, items)
    assert again.body == answer.body
    assert await Order.all().count() == 0
    entries = await CxmlExchange.all().order_by("id")
    assert [e.failure for e in entries] == ["PRICE_MISMATCH", "PRICE_MISMATCH"]
    assert "A retry" in (entries[1].reason or "")
    # Another document under that payloadID is a conflict; the corrected order, under a new
    # payloadID, is stored.
    fixed = [Item("PEN-BL-1", "1.20"), Item("PAP-A4-80", "3.90")]
    assert (await send(rejecting, buyer, fixed)).code == 409
    stored = await send(rejecting, buyer, fixed, payload="prices-2@buyer.example")
    assert stored.code == 200
    assert (await Order.get()).price_exceptions == 0


async def test_reject_stores_no_attachment_and_lets_the_orders_own_checks_come_first(
    rejecting: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    spec = Part("spec@buyer.example", b"A4, 80 g/m2, white.\n", "text/plain", "spec.txt")
    # testkit's OrderRequest: PEN-042, which this catalog does not have.
    document = order_with_attachments(buyer.username, buyer.key, header=[cid(spec.content_id)])
    body, content_type = related(document, [spec])
    answer = await post_cxml(rejecting, body, content_type=content_type)
    assert answer.code == 400 and "line 1 (PEN-042): not in the catalog" in answer.message
    assert await OrderAttachment.all().count() == 0 and await Order.all().count() == 0
    # An update of an order never sent, and a repeated new order: refused as such.
    unknown = [Item("PEN-042", "1.25")]
    update = await send(rejecting, buyer, unknown, kind="update", payload="u@b")
    assert (update.code, update.status_text) == (417, "Expectation Failed")
    await product("PEN-042", "1.25")
    assert (await send(rejecting, buyer, unknown, payload="n-1@b")).code == 200
    again = await send(rejecting, buyer, [Item("PEN-042", "9.99")], payload="n-2@b")
    assert (again.code, again.status_text) == (409, "Conflict")


async def test_reject_names_twenty_lines_and_counts_the_rest(
    rejecting: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    items = [Item(f"NOPE-{n}", "1.00") for n in range(1, 26)]
    answer = await send(rejecting, buyer, items)
    assert answer.code == 400
    assert "(25 lines)" in answer.message and "line 20 (NOPE-20)" in answer.message
    assert "line 21" not in answer.message and "and 5 more lines" in answer.message


async def test_concurrent_copies_of_a_refused_order_get_one_answer(
    rejecting: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    document = priced_order(buyer.username, buyer.key, [Item("X-1", "1.00")])
    answers = await asyncio.gather(*(post_cxml(rejecting, document) for _ in range(10)))
    assert {a.code for a in answers} == {400}
    assert len({a.body for a in answers}) == 1
    assert await CxmlReceipt.all().count() == 1 and await Order.all().count() == 0
