"""The console's order view shows the catalog check made when an order came in: the catalog's
price beside each line's, a marker on the lines it did not confirm, their count on the order;
and an order refused under OPSPORTAL_ORDER_PRICE_CHECK=reject in the connection log. In
Chromium, against a real `opsportal serve` on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import expect

from testkit.operations import ADD_PUNCHOUT_CUSTOMER
from tests.browser import DemoSite, WatchedPage
from tests.console_helpers import ADMIN, api, api_token, sign_in
from tests.priced_orders import (
    COMPANY_ID,
    CREATE_PRODUCT,
    SET_CONTRACT_PRICE,
    Item,
    priced_order,
    product_input,
)

OpenPage = Callable[..., WatchedPage]
XML = {"Content-Type": "text/xml; charset=UTF-8"}
MISMATCH = re.compile(r"\bprice-mismatch\b")
KEY = "query($id: ID!) { customer(id: $id) { developerFields { key value } } }"


def staff(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = api(base, query, variables, token)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def acme_customer(base: str, token: str, stamp: int) -> tuple[str, str, str, str]:
    """A new punchout customer of Acme (C000042): its ID, username and key; and Acme's ID."""
    [edge] = staff(base, token, COMPANY_ID, {"code": "C000042"})["companies"]["edges"]
    acme = edge["node"]["id"]
    username = f"prices-{stamp}@buyer.example"
    added = staff(base, token, ADD_PUNCHOUT_CUSTOMER, {"companyId": acme, "username": username})
    customer = added["addPunchoutCustomer"]["customer"]["id"]
    fields = staff(base, token, KEY, {"id": customer})["customer"]["developerFields"]
    key = next(f["value"] for f in fields if f["key"] == "PUNCHOUT_API_KEY")
    return customer, username, key, acme


def test_the_order_view_shows_the_catalog_check(open_page: OpenPage, demo_site: DemoSite) -> None:
    base = demo_site.base
    token = api_token(base, ADMIN)
    stamp = int(time.time() * 1000)
    customer, username, key, acme = acme_customer(base, token, stamp)
    contract_part, list_part, unknown = f"BRW-C-{stamp}", f"BRW-L-{stamp}", f"BRW-X-{stamp}"
    made = staff(base, token, CREATE_PRODUCT, {"input": product_input(contract_part, "5.00")})
    staff(base, token, CREATE_PRODUCT, {"input": product_input(list_part, "12.50")})
    price = {"productId": made["createProduct"]["product"]["id"], "companyId": acme}
    staff(base, token, SET_CONTRACT_PRICE, {"input": {**price, "unitPrice": "4.10"}})
    items = [Item(contract_part, "4.10"), Item(list_part, "11.00"), Item(unknown, "2.00")]

    flagged = priced_order(username, key, items, order_id=f"PO-{stamp}", payload=f"{stamp}.1@b")
    answer = httpx.post(f"{base}/cxml", content=flagged, headers=XML, timeout=30)
    assert answer.status_code == 200 and 'code="200"' in answer.text, answer.text
    rejecting = demo_site.start_another(OPSPORTAL_ORDER_PRICE_CHECK="reject")
    try:
        refused = priced_order(
            username, key, items, order_id=f"PO-R-{stamp}", payload=f"{stamp}.2@b"
        )
        answer = httpx.post(f"{rejecting.base}/cxml", content=refused, headers=XML, timeout=30)
    finally:
        rejecting.stop()
    assert 'code="400"' in answer.text and f"line 2 ({list_part})" in answer.text, answer.text

    watched = open_page(f"{base}/")
    page = watched.page
    sign_in(page, ADMIN)
    page.goto(f"{base}/customers/{quote(customer, safe='=+')}/more/orders")
    order = page.locator("article.order")
    expect(order).to_have_count(1)  # the refused one stored nothing
    expect(order.get_by_role("heading", level=3)).to_contain_text(f"PO-{stamp}")
    expect(order.get_by_role("heading", level=3).locator(".badge-warn")).to_have_text(
        "2 price exceptions"
    )
    expect(order).to_contain_text("prices checked against the catalog of 2026-11-27")
    headers = order.get_by_role("columnheader")
    expect(headers.nth(6)).to_have_text("Catalog price")
    expect(headers.nth(7)).to_have_text("Price check")
    rows = order.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("4.10 EUR (contract)")
    expect(rows.nth(0).locator("td").nth(7)).to_have_text("Catalog price")
    expect(rows.nth(1).locator("td").nth(5)).to_have_text("11.00 EUR")
    expect(rows.nth(1).locator("td").nth(6)).to_have_text("12.50 EUR (list)")
    expect(rows.nth(1).locator("td").nth(7)).to_have_text("Price differs")
    expect(rows.nth(2).locator("td").nth(6)).to_have_text("—")
    expect(rows.nth(2).locator("td").nth(7)).to_have_text("Not in the catalog")
    # The marker is more than a word: the flagged rows stand out, the confirmed one does not.
    expect(rows.nth(0)).not_to_have_class(MISMATCH)
    expect(rows.nth(1)).to_have_class(MISMATCH)
    expect(rows.nth(2)).to_have_class(MISMATCH)
    backgrounds = [
        rows.nth(n).evaluate("row => getComputedStyle(row).backgroundColor") for n in range(3)
    ]
    assert backgrounds[1] == backgrounds[2] != backgrounds[0]
    marks = (
        rows.nth(1)
        .locator(".status-bad")
        .evaluate("el => getComputedStyle(el, '::before').content")
    )
    assert "✗" in marks

    page.get_by_role("tab", name="Connection log").click()
    entries = page.locator("table.data tbody tr")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("400 Bad Request")  # newest first
    expect(entries.nth(0)).to_contain_text("PRICE_MISMATCH")
    expect(entries.nth(0)).to_contain_text("differs from the catalog's")
    expect(entries.nth(0)).to_contain_text(f"line 3 ({unknown}): not in the catalog")
    expect(entries.nth(1)).to_contain_text("Succeeded")
    watched.assert_clean()
