"""The built-in storefront in Chromium, as its tests drive it: a demo site (the demo catalog and
Acme Supplies Ltd's contract prices, read straight from its tables for what to expect), the
buyer's setup requests, and the page's parts."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
from playwright.sync_api import Page, expect

from testkit.documents import setup_document
from testkit.servers import Server, start_server

DEMO_CUSTOMER = "punchout-demo@buyer.example"
ACME = "Acme Supplies Ltd"
AGENT = "Test Procurement 1.0"  # the UserAgent of testkit's setup documents
ACME_CODE = "C000042"
WITHOUT_CONTRACT = """SELECT p.supplier_part_id FROM product p WHERE p.active AND NOT EXISTS (
  SELECT 1 FROM contract_price cp JOIN company c ON c.id = cp.company_id
  WHERE cp.product_id = p.id AND c.code = ?) ORDER BY p.supplier_part_id LIMIT 1"""
LIST_PRICE = "SELECT unit_price, currency, name FROM product WHERE supplier_part_id = ?"
CONTRACT_PRICE = """SELECT cp.unit_price FROM contract_price cp
  JOIN company c ON c.id = cp.company_id JOIN product p ON p.id = cp.product_id
  WHERE c.code = ? AND p.supplier_part_id = ?"""


def rows(database_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """What a statement reads straight from the database (`?` placeholders): the tests'
    expectations, from the tables rather than from the API under test."""
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://").split("?", 1)[0]) as conn:
            return list(conn.execute(statement, params))
    import asyncpg

    numbered = statement
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("?", f"${number}", 1)

    async def run() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        try:
            return [tuple(r) for r in await conn.fetch(numbered, *params)]
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as thread:  # Playwright's event loop runs in this thread
        return thread.submit(asyncio.run, run()).result()


@dataclass(frozen=True)
class Priced:
    """A demo product as the tables price it for Acme Supplies Ltd."""

    part: str
    name: str
    list_price: Decimal
    acme_price: Decimal | None  # its contract price, if Acme has one
    currency: str

    @property
    def price(self) -> Decimal:
        return self.acme_price if self.acme_price is not None else self.list_price


@dataclass
class ShopSite:
    """`opsportal serve` on a demo database with the tests' catalog, taking http return URLs
    (the buyer's endpoint is on loopback)."""

    database: str
    database_url: str
    folder: Path
    env: dict[str, str]
    server: Server
    key: str  # the demo punchout customer's PUNCHOUT API Key

    @property
    def base(self) -> str:
        return self.server.base

    def priced(self, part: str) -> Priced:
        [(price, currency, name)] = rows(self.database_url, LIST_PRICE, part)
        contract = rows(self.database_url, CONTRACT_PRICE, ACME_CODE, part)
        acme = Decimal(str(contract[0][0])) if contract else None
        return Priced(part, name, Decimal(str(price)), acme, currency)

    def without_contract(self) -> Priced:
        """An active demo product Acme pays the list price for."""
        [(part,)] = rows(self.database_url, WITHOUT_CONTRACT, ACME_CODE)
        return self.priced(part)

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


def money(amount: Decimal) -> str:
    """An amount as the page and the cart message show it: rounded half-up to cents."""
    return str(amount.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))


def item_out(number: int, part: str, quantity: str, price: str, description: str) -> str:
    """An ItemOut line, as an edit or inspect setup brings a returned cart back."""
    return f"""<ItemOut quantity="{quantity}" lineNumber="{number}">
      <ItemID><SupplierPartID>{escape(part)}</SupplierPartID></ItemID>
      <ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice>
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
