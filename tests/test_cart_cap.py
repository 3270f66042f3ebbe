"""A cart holds at most MAX_CART_LINES lines, however many storefront requests add at once.

Through a real `opsportal serve` (the requests truly concurrent on its socket), with our own
cXML documents, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from domain.storefront import MAX_CART_LINES
from tests.live_shop import server_database_url, server_problems, shop
from tests.storefront_helpers import line

ADD = """
mutation($input: AddCartLineInput!) {
  addCartLine(input: $input) { cart { total } errors { field code message } }
}"""


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return server_database_url(request, tmp_path, "cart_cap")


async def test_forty_concurrent_adds_to_a_cart_of_990_lines(server_database: str) -> None:
    async with shop(server_database) as found:
        # An edit setup brings back a cart of 990 lines.
        credential = await found.open(operation="edit", lines=MAX_CART_LINES - 10)
        cart = await found.cart(credential)
        assert cart is not None and len(cart["lines"]) == MAX_CART_LINES - 10

        answers = await asyncio.gather(
            *(
                found.graphql(ADD, {"input": line(f"RACE-{n}", currency="EUR")}, credential)
                for n in range(40)
            )
        )
        outcomes = Counter(
            ",".join(e["code"] for e in a["data"]["addCartLine"]["errors"]) or "added"
            for a in answers
        )
        assert outcomes == Counter({"added": 10, "CART_FULL": 30})
        cart = await found.cart(credential)
        assert cart is not None and len(cart["lines"]) == MAX_CART_LINES
        assert len({x["supplierPartId"] for x in cart["lines"]}) == MAX_CART_LINES
        assert server_problems(found) == []
