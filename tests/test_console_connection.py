"""The console's customer screens beyond the walkthrough, in Chromium against a real server on
both databases: Developer Fields with choices, the buyer's identity, key rotation, disabling,
and what the buyer's system sent (connection log, orders, audit)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from testkit.documents import order_document, setup_document
from tests.browser import DemoSite, WatchedPage
from tests.console_helpers import (
    ADMIN,
    api,
    customer_path,
    open_companies,
    search,
    sign_in,
    token_of,
)

OpenPage = Callable[..., WatchedPage]
XML = {"Content-Type": "text/xml; charset=UTF-8"}
CREDENTIALS = """query($id: ID!) { customer(id: $id) {
  isEnabled punchoutCredentials { fromDomain fromIdentity sharedSecret } } }"""


def new_customer(page: Page, site: DemoSite) -> str:
    """A punchout customer added through the console under Acme; its username."""
    open_companies(page)
    search(page, "C000042")
    page.get_by_role("link", name="More details").first.click()
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Add Punchout Customer").click()
    username = f"punchout-conn-{site.database}-{int(time.time() * 1000)}@yourdomain.com"
    page.get_by_label("Username or email").fill(username)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(username)
    return username


def test_settings_identity_rotation_and_disabling(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    sign_in(page, ADMIN)
    username = new_customer(page, demo_site)
    customer_id = customer_path(page)
    token = token_of(page)

    page.get_by_role("tab", name="More").click()
    choice = page.get_by_label("Punchout identity credential", exact=True)
    expect(choice).to_have_value("Sender")
    choice.select_option("From")
    page.get_by_role("button", name="Save Punchout identity credential").click()
    row = page.get_by_role("row").filter(has=choice)
    expect(row.get_by_role("status")).to_have_text("Saved.")

    page.get_by_role("tab", name="Connection", exact=True).click()
    known = page.locator("table.sheet").first
    expect(known).to_contain_text(username)
    page.get_by_label("Buyer's From domain").fill("DUNS")
    page.get_by_label("Buyer's From identity").fill("123456789")
    page.get_by_role("button", name="Save buyer identity").click()
    expect(known.get_by_role("row", name=re.compile("From Identity"))).to_contain_text("123456789")
    creds = api(demo_site.base, CREDENTIALS, {"id": customer_id}, token)["data"]["customer"]
    assert creds["punchoutCredentials"]["fromDomain"] == "DUNS"
    old_key = creds["punchoutCredentials"]["sharedSecret"]

    grace = page.get_by_label("Grace period (hours)")
    grace.fill("9999")
    page.get_by_role("button", name="Rotate key").click()
    expect(page.locator(".field-error", has=grace)).to_contain_text("INVALID")
    grace.fill("0")
    page.get_by_role("button", name="Rotate key").click()
    expect(page.get_by_text("A new PUNCHOUT API Key is current")).to_be_visible()
    known.get_by_role("button", name="Show").click()
    shown = known.locator("code.secret-value.shown")
    expect(shown).to_have_text(re.compile(r"^\S{43}$"))
    assert shown.inner_text() != old_key

    page.get_by_role("button", name="Disable customer").click()
    expect(page.get_by_role("button", name="Enable customer")).to_be_visible()
    creds = api(demo_site.base, CREDENTIALS, {"id": customer_id}, token)["data"]["customer"]
    assert creds["isEnabled"] is False
    page.get_by_role("button", name="Enable customer").click()
    expect(page.get_by_role("button", name="Disable customer")).to_be_visible()
    watched.assert_clean()


def test_what_the_buyer_sent(open_page: OpenPage, demo_site: DemoSite) -> None:
    watched = open_page(f"{demo_site.base}/")
    page = watched.page
    sign_in(page, ADMIN)
    username = new_customer(page, demo_site)
    page.get_by_role("tab", name="More").click()
    key_row = page.get_by_role("row").filter(has_text="PUNCHOUT API Key")
    key_row.get_by_role("button", name="Show").click()
    key = key_row.locator("code.secret-value.shown").inner_text()
    stamp = int(time.time() * 1000)
    for document in (
        setup_document(username, "wrong-secret", payload=f"{stamp}.1@buyer.example"),
        order_document(username, key, order_id=f"PO-{stamp}", payload=f"{stamp}.2@buyer"),
    ):
        httpx.post(f"{demo_site.base}/cxml", content=document, headers=XML, timeout=30)

    page.get_by_role("tab", name="Connection log").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("OrderRequest")  # newest first
    expect(rows.nth(1)).to_contain_text("WRONG_SECRET")
    expect(rows.nth(1)).to_contain_text("is not the customer's PUNCHOUT API Key")
    # A wrong secret with this customer's name: anyone may have sent it, and staff see so.
    expect(rows.nth(1).locator(".badge-warn")).to_have_text("not authenticated")
    expect(rows.nth(0).locator(".badge-warn")).to_have_count(0)
    rows.nth(1).get_by_text("Show bodies").click()
    expect(rows.nth(1).locator("pre").first).to_contain_text("***")
    expect(rows.nth(1).locator("pre").first).not_to_contain_text("wrong-secret")

    page.get_by_role("tab", name="Orders").click()
    order = page.locator("article.order")
    expect(order).to_contain_text(f"PO-{stamp}")
    expect(order).to_contain_text("2.50 EUR")
    expect(order.locator("tbody tr")).to_have_count(1)

    page.get_by_role("tab", name="Audit").click()
    actions = page.locator("table.data tbody tr td.code")
    expect(actions.first).to_have_text("customer.read_api_key")  # the "Show" above
    expect(page.locator("table.data")).to_contain_text("customer.add_punchout")
    watched.assert_clean()
