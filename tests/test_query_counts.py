"""No GraphQL request issues a query per result row: statement counts do not grow with data."""

from __future__ import annotations

import logging

from testkit.documents import order_document
from testkit.operations import COMPANY_DETAILS, CUSTOMER_DETAILS
from tests.conftest import Api, World, add_customer, global_id
from tests.cxml_helpers import post_cxml

ORDERS = """query($id: ID!) { company(id: $id) { orders(first: 50) { edges { node {
  orderId customerUsername lines { supplierPartId } } } } } }"""
SEARCH = """query { companies(search: "acme", first: 50) { edges { node { id name code
  customers(first: 50) { edges { node { id } } } } } } }"""


class Statements(logging.Handler):
    """Counts the statements tortoise sends to the database."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def statements(api: Api, query: str, variables: dict, token: str) -> int:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        body = await api(query, variables, token)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "errors" not in body, body
    return handler.count


async def test_statement_counts_do_not_grow_with_the_data(api: Api, world: World) -> None:
    from tests.conftest import make_buyer

    token = world.tokens["administrator"]
    company = {"id": global_id("Company", world.acme.id)}
    first = await make_buyer(world.acme, "buyer-0")
    customer = {"id": global_id("Customer", first.customer_id)}
    await post_cxml(api.http, order_document(first.username, first.key))

    def counts() -> list:
        return [
            statements(api, COMPANY_DETAILS, company, token),
            statements(api, CUSTOMER_DETAILS, customer, token),
            statements(api, ORDERS, company, token),
            statements(api, SEARCH, {}, token),
        ]

    small = [await c for c in counts()]
    for i in range(1, 8):
        buyer = await make_buyer(world.acme, f"buyer-{i}")
        await post_cxml(
            api.http,
            order_document(
                buyer.username,
                buyer.key,
                order_id=f"PO-{i}",
                payload=f"p{i}@b",
                lines=[(f"P-{n}", "1", "1.00", "x", None) for n in range(5)],
            ),
        )
    for i in range(20):
        await add_customer(world.globex, f"other-{i}")
    from domain.access import Viewer
    from domain.companies import create_company
    from persistence.tables import Staff

    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    for i in range(4):
        made = await create_company(admin, f"Acme Branch {i}", f"ACME-B{i}")
        await add_customer(made, f"branch-{i}")
    large = [await c for c in counts()]
    assert large == small, (small, large)


async def test_fields_resolved_together_share_one_sign_in_lookup(api: Api, world: World) -> None:
    # Aliased root fields run concurrently: each asks who is calling, one statement answers all.
    one = await statements(api, "{ viewer { email } }", {}, world.tokens["companyEdit"])
    many = "{ " + " ".join(f"v{n}: viewer {{ email }}" for n in range(5)) + " }"
    assert await statements(api, many, {}, world.tokens["companyEdit"]) == one == 1
