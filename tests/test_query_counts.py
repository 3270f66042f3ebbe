"""No GraphQL request issues a query per result row: statement counts do not grow with data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from graph.early_lookup import asks_for_caller
from persistence.punchout_tables import CartLine
from persistence.sql import is_postgres
from testkit.documents import order_document, setup_document
from testkit.operations import COMPANY_DETAILS, CUSTOMER_DETAILS
from tests.conftest import Api, Buyer, World, add_customer, global_id, make_buyer
from tests.cxml_helpers import post_cxml

# Ten orders (the console's page): 50, each with up to 1,000 lines, pass the cost bound.
ORDERS = """query($id: ID!) { company(id: $id) { orders(first: 10) { edges { node {
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


@contextmanager
def counted() -> Iterator[Statements]:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def statements(api: Api, query: str, variables: dict, token: str) -> int:
    with counted() as handler:
        body = await api(query, variables, token)
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


async def test_only_operations_that_read_look_up_their_caller(api: Api, world: World) -> None:
    # The caller's lookup starts as soon as the body is read (graph.early_lookup), and only for
    # an operation that asks for more than __typename and introspection: once, as before.
    token = world.tokens["administrator"]
    assert await statements(api, "{ __typename }", {}, token) == 0
    introspection = "query Q { __typename __schema { queryType { name } } }"
    assert await statements(api, introspection, {}, token) == 0
    assert await statements(api, "{ viewer { email } }", {}, token) == 1
    fragment = "query { ...F } fragment F on Query { viewer { email } }"
    assert await statements(api, fragment, {}, token) == 1
    assert asks_for_caller("mutation { logout }")
    assert not asks_for_caller("{ __typename")  # unparsable: strawberry answers it
    assert not asks_for_caller(None)


def aliased_nodes(count: int) -> str:
    variables = ", ".join(f"$n{i}: ID!" for i in range(count))
    fields = " ".join(
        f"n{i}: node(id: $n{i}) {{ id ... on Order {{ orderId customerUsername "
        "lines { supplierPartId } } ... on CartLine { supplierPartId amount } }"
        for i in range(count)
    )
    return f"query({variables}) {{ {fields} }}"


async def test_orders_asked_for_together_load_in_one_batch(api: Api, world: World) -> None:
    from persistence.punchout_tables import Order
    from tests.conftest import make_buyer

    for company in (world.acme, world.globex):
        buyer = await make_buyer(company, f"buyer@{company.code}")
        for i in range(3):
            document = order_document(
                buyer.username,
                buyer.key,
                order_id=f"PO-{i}",
                payload=f"{company.code}-{i}@b",
                lines=[(f"P-{n}", "1", "1.00", "x", None) for n in range(i + 1)],
            )
            assert (await post_cxml(api.http, document)).code == 200
    ids = [global_id("Order", o.id) for o in await Order.all().order_by("id")]
    for kind in ("administrator", "crmCompanyEdit"):  # unscoped, and scoped to ACME
        token = world.tokens[kind]
        one = await statements(api, aliased_nodes(1), {"n0": ids[0]}, token)
        every = {f"n{i}": order_id for i, order_id in enumerate(ids)}
        assert await statements(api, aliased_nodes(len(ids)), every, token) == one, kind


async def test_cart_lines_asked_for_together_load_in_one_batch(api: Api, buyer: Buyer) -> None:
    from tests.storefront_helpers import ADD, line, open_session

    credential = await open_session(api, buyer)
    for n in range(5):
        await api(ADD, {"input": line(f"P-{n}")}, credential)
    ids = [global_id("CartLine", row.id) for row in await CartLine.all().order_by("id")]
    one = await statements(api, aliased_nodes(1), {"n0": ids[0]}, credential)
    every = {f"n{i}": line_id for i, line_id in enumerate(ids)}
    assert await statements(api, aliased_nodes(len(ids)), every, credential) == one


async def setup_statements(api: Api, document: str) -> int:
    with counted() as handler:
        answer = await post_cxml(api.http, document)
    assert answer.code == 200, answer.body
    return handler.count


async def test_a_punchout_setup_takes_a_fixed_number_of_statements(
    api: Api, world: World, buyer: Buyer
) -> None:
    document = setup_document(buyer.username, buyer.key)
    await post_cxml(api.http, document)  # the key's first use is noted (once in a while)
    small = await setup_statements(api, document)
    # More of all a setup reads and writes: customers with keys, sessions, log entries.
    for i in range(5):
        other = await make_buyer(world.globex, f"other-{i}@buyer.example")
        assert (await post_cxml(api.http, setup_document(other.username, other.key))).code == 200
        assert (await post_cxml(api.http, document)).code == 200
    large = await setup_statements(api, document)
    # Who is calling (the customer, its working keys and naming setting, one statement), then the
    # session and the exchange's log entry: one statement on PostgreSQL, two INSERTs in one
    # transaction on SQLite.
    assert small == large == (2 if is_postgres() else 3)


CREATE = """mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id } errors { code } } }"""
UPDATE = """mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) { company { id } errors { code } } }"""


async def test_company_writes_take_a_fixed_number_of_statements(api: Api, world: World) -> None:
    """A create and a rename cost the same statements however many companies there are (no
    renumbering, no scan): the rank is placed by one neighbour statement in its gap."""
    from domain.access import Viewer
    from domain.companies import create_company
    from persistence.tables import Staff

    token = world.tokens["administrator"]

    async def writes(tag: str) -> list[int]:
        create = {"input": {"name": f"Midway Traders {tag}", "code": f"MID-{tag}"}}
        with counted() as made:
            body = await api(CREATE, create, token)
        assert not body["data"]["createCompany"]["errors"], body
        company_id = body["data"]["createCompany"]["company"]["id"]
        rename = {"input": {"id": company_id, "name": f"Northwind Supply {tag}"}}
        with counted() as renamed:
            body = await api(UPDATE, rename, token)
        assert not body["data"]["updateCompany"]["errors"], body
        return [made.count, renamed.count]

    small = await writes("A")
    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    for i in range(60):  # names over the whole alphabet, none in the written names' gaps
        await create_company(admin, f"{chr(65 + i % 26)}{i:03d} Holdings", f"FILL-{i}")
    large = await writes("B")
    assert small == large, (small, large)
