"""The built-in storefront in Chromium, as its tests drive it: a demo site with a small catalog
of its own (prices the tests know), the buyer's setup requests, and the page's parts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
from playwright.sync_api import Page, expect

from testkit.documents import setup_document
from testkit.servers import Server, start_server

DEMO_CUSTOMER = "punchout-demo@buyer.example"
ACME = "Acme Supplies Ltd"
AGENT = "Test Procurement 1.0"  # the UserAgent of testkit's setup documents
# (part ID, name, list price, unit): the catalog the tests put beside the demo's, in USD.
PRODUCTS = [
    ("SHOP-PAP-A4", "Shop test copy paper A4, 500 sheets", "4.25", "RM"),
    ("SHOP-PAP-A3", "Shop test copy paper A3, 500 sheets", "8.90", "RM"),
    ("SHOP-PEN-1", "Shop test ballpoint pen, blue", "1.25", "EA"),
]
ACME_PRICES = {"SHOP-PAP-A4": "3.99"}  # Acme's contract prices
SEED = """
import asyncio, json, sys
from domain.access import Viewer
from domain.catalog import create_product
from domain.catalog_prices import ContractPriceInput, set_contract_price
from domain.catalog_rules import ProductInput
from domain.records import Classification
from opsportal.config import Settings
from opsportal.startup import STARTUP, started
from persistence.tables import Company, Staff

async def main() -> None:
    products, prices = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    settings = Settings.from_env()
    async with started(settings.database_url, settings.key_vault(), STARTUP):
        admin = Viewer(await Staff.get(email="admin@demo.example"))
        acme = await Company.get(name="Acme Supplies Ltd")
        for part, name, price, unit in products:
            made = await create_product(admin, ProductInput(
                supplier_part_id=part, name=name, unit_price=price, currency="USD",
                unit_of_measure=unit, classifications=[Classification("UNSPSC", "14111507")],
                description=name, manufacturer_name="Navigator", lead_time_days=2))
            if part in prices:
                await set_contract_price(admin, ContractPriceInput(made.id, acme.id, prices[part]))

asyncio.run(main())
"""


def seed_catalog(folder: Path, env: dict[str, str]) -> None:
    """The tests' products and Acme's contract prices, through the catalog's domain API."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", SEED, json.dumps(PRODUCTS), json.dumps(ACME_PRICES)],
        cwd=folder,
        env={**env, "PYTHONPATH": os.getcwd()},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@dataclass
class ShopSite:
    """`opsportal serve` on a demo database with the tests' catalog, taking http return URLs
    (the buyer's endpoint is on loopback)."""

    database: str
    folder: Path
    env: dict[str, str]
    server: Server
    key: str  # the demo punchout customer's PUNCHOUT API Key

    @property
    def base(self) -> str:
        return self.server.base

    def start_another(self, **settings: str) -> Server:
        log = open(self.folder / "server-extra.log", "a")  # noqa: SIM115
        env = {**self.env, **settings}
        return start_server(None, self.folder, env=env, stderr=log, start_timeout=60)

    def setup(
        self,
        return_url: str,
        *,
        operation: str = "create",
        cookie: str = "browser-cookie-1",
        items: str = "",
        base: str | None = None,
    ) -> str:
        """A test setup request of the demo customer (Jane Buyer); its StartPage URL."""
        request = f"""<PunchOutSetupRequest operation="{operation}">
          <BuyerCookie>{escape(cookie)}</BuyerCookie>
          <Extrinsic name="UserEmail">jane@buyer.example</Extrinsic>
          <Extrinsic name="UserFullName">Jane Buyer</Extrinsic>
          <BrowserFormPost><URL>{escape(return_url)}</URL></BrowserFormPost>
          {items}
        </PunchOutSetupRequest>"""
        document = setup_document(DEMO_CUSTOMER, self.key, request=request, mode="test")
        answer = httpx.post(
            f"{base or self.base}/cxml",
            content=document,
            headers={"Content-Type": "text/xml"},
            timeout=60,
        )
        found = re.search(r"<URL>([^<]+)</URL>", answer.text)
        assert answer.status_code == 200 and found, answer.text
        return found.group(1)


def item_out(number: int, part: str, quantity: str, price: str, description: str) -> str:
    """An ItemOut line, as an edit or inspect setup brings a returned cart back."""
    return f"""<ItemOut quantity="{quantity}" lineNumber="{number}">
      <ItemID><SupplierPartID>{escape(part)}</SupplierPartID></ItemID>
      <ItemDetail><UnitPrice><Money currency="USD">{price}</Money></UnitPrice>
        <Description xml:lang="en">{escape(description)}</Description>
        <UnitOfMeasure>RM</UnitOfMeasure>
        <Classification domain="UNSPSC">14111507</Classification></ItemDetail>
    </ItemOut>"""


def search(page: Page, text: str) -> None:
    """Type into "Search products" key by key, and wait for the results for all of it."""
    box = page.get_by_role("combobox", name="Search products")
    box.fill("")
    box.press_sequentially(text, delay=40)
    expect(page.locator("#product-results")).to_have_attribute("data-query", text.strip())


def result(page: Page, part: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#product-results tbody tr[data-part="{part}"]')


def cart_line(page: Page, part: str):  # type: ignore[no-untyped-def]
    return page.locator(f'table.cart tbody tr[data-part="{part}"]')


def cart_rows(page: Page) -> list[tuple[str, str, str]]:
    """(part ID, quantity, amount) of each cart line shown."""
    rows = page.locator("table.cart tbody tr")
    found = []
    for n in range(rows.count()):
        row = rows.nth(n)
        field = row.locator("input.quantity")
        quantity = field.input_value() if field.count() else row.locator("td").nth(2).inner_text()
        amount = row.locator("td").nth(3).inner_text()
        found.append((row.get_attribute("data-part") or "", quantity.split()[0], amount))
    return found
