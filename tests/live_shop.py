"""A punchout through a real `opsportal serve` on a real socket: a buyer's system posting our own
cXML documents, the storefront's GraphQL with the session credential, and a direct write to a
table where a test needs a row no request can make (one stored before a rule existed).

For the tests of the URLs the server writes into forms and redirects, of the cart's transfer,
and of the cart's cap, on SQLite and PostgreSQL (`server_database`)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest

from testkit.documents import setup_document
from testkit.faults.common import Bed, Report, Staff
from testkit.postgres import fresh_database
from testkit.servers import Server
from tests.cxml_helpers import Answer, post_cxml

SETUP_REQUEST = """<PunchOutSetupRequest operation="{operation}">
      <BuyerCookie>cookie-1</BuyerCookie>
      <Extrinsic name="UserEmail">jane@buyer.example</Extrinsic>
      <BrowserFormPost><URL>{url}</URL></BrowserFormPost>
      {items}
    </PunchOutSetupRequest>"""
ITEM_OUT = """<ItemOut quantity="1" lineNumber="{number}">
        <ItemID><SupplierPartID>PART-{number}</SupplierPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency="EUR">1.00</Money></UnitPrice>
          <Description xml:lang="en">Item {number}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">44121704</Classification></ItemDetail>
      </ItemOut>"""
CART = """{ punchoutSession { cart { total lines { id supplierPartId description } } } }"""
TRANSFER = """
mutation { transferPunchoutCart {
  transfer { url fieldName fieldValue message formHtml }
  errors { field code message }
} }"""


def server_database_url(request: pytest.FixtureRequest, tmp_path: Path, name: str) -> str:
    """An empty database for the server a test starts: a SQLite file, or a new database on the
    session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/{name}.sqlite3"
    return fresh_database(request.getfixturevalue("postgres_url"), f"opsportal_{name}")


def items(count: int) -> str:
    """`count` ItemOut lines, as an edit setup brings a cart back."""
    return "".join(ITEM_OUT.format(number=n) for n in range(1, count + 1))


@dataclass
class Shop:
    """A running server, a punchout customer of it, and an HTTP client on its socket."""

    bed: Bed
    server: Server
    http: httpx.AsyncClient
    username: str
    key: str

    def setup_request(
        self, url: str, *, operation: str = "create", lines: int = 0, escaped: bool = False
    ) -> str:
        """A PunchOutSetupRequest of this customer with `url` as its BrowserFormPost URL (as
        XML text, unless `escaped` says it is written as XML already)."""
        request = SETUP_REQUEST.format(
            operation=operation, url=url if escaped else escape(url), items=items(lines)
        )
        return setup_document(self.username, self.key, request=request)

    async def setup(self, url: str, **options: Any) -> Answer:
        return await post_cxml(self.http, self.setup_request(url, **options))

    async def open(self, url: str = "https://buyer.example/return", **options: Any) -> str:
        """A setup, then the browser opening its StartPage URL: the session credential."""
        answer = await self.setup(url, **options)
        assert answer.code == 200, answer.message
        opened = await self.http.get(httpx.URL(answer.start_url).path)
        assert opened.status_code == 303, opened.text
        return str(opened.headers["location"]).split("#session=", 1)[1]

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, credential: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def cart(self, credential: str) -> dict[str, Any] | None:
        """The session's cart, as the storefront reads it; None once the session is closed."""
        body = await self.graphql(CART, credential=credential)
        if body.get("errors"):
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
            return None
        cart: dict[str, Any] = body["data"]["punchoutSession"]["cart"]
        return cart

    async def transfer(self, credential: str) -> dict[str, Any]:
        return await self.graphql(TRANSFER, credential=credential)

    async def restart(self, **env: str) -> None:
        """Stop the server and start it again on the same database with these settings
        (given, or removed when empty)."""
        await self.http.aclose()
        self.server.stop()
        for name, value in env.items():
            if value:
                self.bed.env[name] = value
            else:
                self.bed.env.pop(name, None)
        self.server = self.bed.start()
        self.http = httpx.AsyncClient(base_url=self.server.base, timeout=60)

    def write(self, statement: str, *params: Any) -> int:
        """One statement straight into the database (`?` placeholders): a row no request can
        make, as one stored before a rule was. How many rows it changed."""
        return write(self.bed.database_url, statement, params)


def write(database_url: str, statement: str, params: Sequence[Any]) -> int:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://").split("?", 1)[0]
        with sqlite3.connect(path) as conn:
            return conn.execute(statement, params).rowcount
    import asyncpg

    numbered = statement
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("?", f"${number}", 1)

    async def run() -> int:
        conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        try:
            done = await conn.execute(numbered, *params)
        finally:
            await conn.close()
        return int(done.rsplit(" ", 1)[1])

    # The test's own event loop is running: a fresh one in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


@asynccontextmanager
async def shop(database_url: str, **env: str) -> AsyncIterator[Shop]:
    """`opsportal serve` on the database (with these settings), an administrator, a company
    and a punchout customer made through the API."""
    bed = Bed(database_url)
    bed.env["OPSPORTAL_STOREFRONT_FREE_FORM_LINES"] = "allow"  # the tests' carts are free-form
    bed.env.update(env)
    bed.add_staff()
    server = bed.start()
    http = httpx.AsyncClient(base_url=server.base, timeout=60)
    staff = Staff(http)
    await staff.login(bed.email, bed.password)
    company = await staff.create_company("Storefront Buyers Ltd", f"SHOP-{bed.tag}")
    added = await staff.add_customer(company, f"shop-{bed.tag}@buyer.example")
    assert added.status_code == 200 and not added.json()["data"]["addPunchoutCustomer"]["errors"]
    [customer] = await staff.customers(company)
    assert customer.key is not None
    found = Shop(bed, server, http, customer.username, customer.key)
    try:
        yield found
    finally:
        await found.http.aclose()
        found.server.stop()


def server_problems(found: Shop) -> list[str]:
    """What the servers' stderr says that it never should."""
    return found.bed.check_servers(Report(), access_log=False).problems
