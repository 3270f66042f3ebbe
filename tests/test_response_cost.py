"""The cost limit counts every list at its bound, and the answer's size is bounded (issue 15,
item 2): the attacks of the issue, over real HTTP on both databases, refused before anything
runs or stopped once the answer passes 5 MiB; and the frontend's own operations still pass.

Data bigger than today's caps (25,000 Extrinsics, 200,000-character descriptions) is written
straight into the tables: what a database filled before the caps may hold, and what the
answer's bound must stop even when the bounds the estimate trusts are broken.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from graph.schema import schema
from opsportal.config import Settings
from persistence.punchout_tables import CartLine, Order, PunchoutSession
from testkit import operations
from testkit.documents import order_document
from tests.conftest import Api, Buyer, World, error_codes, global_id, make_buyer
from tests.cxml_helpers import post_cxml
from tests.live_server import LiveServer
from tests.storefront_helpers import ADD, SESSION, TRANSFER, line, open_session

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 5 * 1024 * 1024  # OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES's default


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=120) as client:
        yield client


async def ask(
    http: httpx.AsyncClient, query: str, token: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text[:500]
    return response


def assert_too_costly(response: httpx.Response, words: str) -> dict[str, Any]:
    """Refused or stopped: one TOO_COSTLY error, no data, and a small answer."""
    body = response.json()
    assert body["data"] is None, response.text[:300]
    assert error_codes(body) == ["TOO_COSTLY"], response.text[:300]
    assert words in body["errors"][0]["message"], body["errors"][0]["message"]
    assert len(response.content) < 2_000
    return body


def aliased(count: int, selection: str) -> str:
    return "{ " + " ".join(f"a{i}: {selection}" for i in range(count)) + " }"


async def test_aliased_extrinsics_of_a_session_with_thousands_are_stopped(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    buyer = await make_buyer(world.acme, "punchout-extrinsics@buyer.example")
    credential = await open_session(Api(http), buyer)
    session = PunchoutSession.filter(customer_id=buyer.customer_id)
    # 8 aliases of a session that carried 25,000 Extrinsics: 5.9 MB in 12 s before.
    await session.update(extrinsics=[[f"CostCenter{i}", f"value {i}"] for i in range(25_000)])
    query = aliased(8, "punchoutSession { extrinsics { name value } }")
    mark = live_server.mark()
    assert_too_costly(await ask(http, query, credential), "objects")
    assert "Traceback" not in live_server.logged_since(mark)
    # At the cap of a setup request (200), the same 8 aliases are answered in full.
    await session.update(extrinsics=[[f"CostCenter{i}", f"value {i}"] for i in range(200)])
    body = (await ask(http, query, credential)).json()
    assert "errors" not in body
    assert [len(body["data"][f"a{i}"]["extrinsics"]) for i in range(8)] == [200] * 8


async def _orders(http: httpx.AsyncClient, buyer: Buyer, count: int) -> None:
    for i in range(count):
        document = order_document(
            buyer.username, buyer.key, order_id=f"PO-{i}", payload=f"order-{i}@buyer.example"
        )
        assert (await post_cxml(http, document)).code == 200


ORDERS_OF = """
query($id: ID!) {{ company(id: $id) {{ {orders} }} }}"""


async def test_orders_with_comments_and_extrinsics_are_bounded_for_a_crm_member(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    crm = world.tokens["crmCompanyEdit"]  # assigned ACME only
    buyer = await make_buyer(world.acme, "punchout-orders@buyer.example")
    await _orders(http, buyer, 6)
    company = {"id": global_id("Company", world.acme.id)}
    every = "orders(first: 50) { edges { node { orderId comments extrinsics { name value } } } }"

    # Before anything runs: twenty pages of 50 orders, each with up to 200 Extrinsics, may hold
    # 201,000 objects, past ten times the bound (they were charged 100 before); two pages may
    # hold 20,100 and are run, counted as they are built: six orders are answered.
    many = ORDERS_OF.format(orders=" ".join(f"a{i}: {every}" for i in range(20)))
    assert_too_costly(await ask(http, many, crm, company), "200,000 objects")
    twice = ORDERS_OF.format(orders=f"a: {every} b: {every}")
    assert "errors" not in (await ask(http, twice, crm, company)).json()

    # Once run: six orders with a megabyte of comments each pass 5 MiB; one order with 25,000
    # Extrinsics passes the objects' bound on its own.
    orders = Order.filter(customer_id=buyer.customer_id)
    await orders.update(comments="c" * 1_000_000)
    mark = live_server.mark()
    assert_too_costly(await ask(http, ORDERS_OF.format(orders=every), crm, company), "MiB")
    await orders.update(comments="Deliver to dock 4.")
    legacy = await orders.order_by("id").first()
    assert legacy is not None
    await Order.filter(id=legacy.id).update(extrinsics=[["X", str(i)] for i in range(25_000)])
    assert_too_costly(await ask(http, ORDERS_OF.format(orders=every), crm, company), "objects")
    assert "Traceback" not in live_server.logged_since(mark)

    # The console's own screen, at the caps: answered.
    await Order.filter(id=legacy.id).update(extrinsics=[["X", str(i)] for i in range(200)])
    customer = {"id": global_id("Customer", buyer.customer_id)}
    body = (await ask(http, console_operations()["ORDERS"], crm, customer)).json()
    assert "errors" not in body, body
    assert len(body["data"]["customer"]["orders"]["edges"]) == 6


async def _long_lines(buyer: Buyer, count: int, length: int) -> None:
    session = await PunchoutSession.get(customer_id=buyer.customer_id)
    await CartLine.bulk_create(
        [
            CartLine(
                session_id=session.id,
                supplier_part_id=f"P-{i}",
                description="d" * length,
                quantity=Decimal("1"),
                unit_of_measure="EA",
                unit_price=Decimal("1.5"),
                currency="EUR",
                classifications=[{"domain": "UNSPSC", "value": "44121704"}],
                extrinsics=[],
            )
            for i in range(count)
        ]
    )


async def test_cart_lines_with_long_descriptions_are_bounded(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    buyer = await make_buyer(world.acme, "punchout-long-lines@buyer.example")
    credential = await open_session(Api(http), buyer)
    # 20 lines of 200,000 characters each: 40 MB for a 461-byte query before.
    await _long_lines(buyer, 20, 200_000)
    mark = live_server.mark()
    two = aliased(2, "punchoutSession { cart { lines { description } } }")
    assert_too_costly(await ask(http, two, credential), "MiB")
    # Before anything runs: 20 carts of up to 1,000 lines, each line with up to 10
    # classifications and 20 Extrinsics, may hold 620,000 objects (past ten times the bound).
    lines = "lines { id classifications { value } extrinsics { name } }"
    many = aliased(20, f"punchoutSession {{ cart {{ {lines} }} }}")
    assert_too_costly(await ask(http, many, credential), "objects")
    # One reading of the session (4 MB here) is within the bound: answered in full.
    body = (await ask(http, SESSION, credential)).json()
    assert "errors" not in body
    assert len(body["data"]["punchoutSession"]["cart"]["lines"]) == 20
    assert "Traceback" not in live_server.logged_since(mark)


async def test_mutations_that_ran_are_named_when_the_answer_is_stopped(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    buyer = await make_buyer(world.acme, "punchout-mutations@buyer.example")
    credential = await open_session(Api(http), buyer)
    await _long_lines(buyer, 20, 200_000)
    add = "addCartLine(input: $input) { cart { lines { description } } errors { code } }"
    adds = "mutation($input: AddCartLineInput!) " + aliased(3, add)
    body = assert_too_costly(await ask(http, adds, credential, {"input": line()}), "MiB")
    # Mutations run one after another: the first two ran (and stay done), the third did not.
    assert "a0, a1" in body["errors"][0]["message"]
    session = await PunchoutSession.get(customer_id=buyer.customer_id)
    assert await CartLine.filter(session_id=session.id).count() == 22
    # Handing the cart back ends the session: its answer is the only copy, never cut.
    transfer = (await ask(http, TRANSFER, credential)).json()
    assert "errors" not in transfer
    assert len(transfer["data"]["transferPunchoutCart"]["transfer"]["message"]) > LIMIT // 2


async def test_a_cxml_log_page_of_bodies_is_refused_before_anything_runs(
    http: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    """Each body may hold 64 KiB: four pages of 100 exchanges with both may pass ten times
    5 MiB; 20 (the console's page) may not pass 5 MiB."""
    token = world.tokens["administrator"]
    customer = {"id": global_id("Customer", buyer.customer_id)}
    page = (
        "query($id: ID!) {{ customer(id: $id) {{ cxmlLog(first: {first}) "
        "{{ edges {{ node {{ requestBody responseBody }} }} }} }} }}"
    )
    log = "cxmlLog(first: 100) { edges { node { requestBody responseBody } } }"
    aliases = " ".join(f"a{i}: {log}" for i in range(4))
    four = "query($id: ID!) { customer(id: $id) { " + aliases + " } }"
    assert_too_costly(await ask(http, four, token, customer), "50 MiB")
    assert "errors" not in (await ask(http, page.format(first=20), token, customer)).json()


def test_every_list_field_declares_its_bound() -> None:
    from graph.bounds import undeclared_lists

    assert undeclared_lists(schema._schema) == []


def console_operations() -> dict[str, str]:
    text = (ROOT / "pages" / "console" / "operations.js").read_text()
    found = re.findall(r'export const (\w+) = (?:`([^`]*)`|"([^"]*)")', text)
    return {name: backticked or quoted for name, backticked, quoted in found}


def known_operations() -> dict[str, str]:
    """The console's, the README's walkthrough (GraphiQL's document), the storefront's."""
    found = {f"console {k}": v for k, v in console_operations().items()}
    walkthrough = (ROOT / "pages" / "graphiql" / "walkthrough.graphql").read_text()
    found["walkthrough"] = walkthrough
    for name in dir(operations):
        if name.isupper():
            found[f"testkit {name}"] = getattr(operations, name)
    for name, text in (("SESSION", SESSION), ("ADD", ADD), ("TRANSFER", TRANSFER)):
        found[f"storefront {name}"] = text
    found["introspection"] = get_introspection_query()
    return found


def test_known_operations_are_well_within_the_estimate() -> None:
    from graph.cost import MAX_OBJECTS, estimate

    for name, text in known_operations().items():
        document = parse(text)
        for operation in (d for d in document.definitions if hasattr(d, "operation")):
            op_name = operation.name.value if operation.name else None
            found = estimate(schema._schema, document, op_name, {})
            assert found.objects <= MAX_OBJECTS, (name, op_name, found)
            assert found.bytes <= LIMIT, (name, op_name, found)


async def test_the_consoles_screens_and_graphiql_are_answered(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    token = world.tokens["administrator"]
    buyer = await make_buyer(world.acme, "punchout-screens@buyer.example")
    await _orders(http, buyer, 3)
    customer = {"id": global_id("Customer", buyer.customer_id)}
    company = {"id": global_id("Company", world.acme.id)}
    mark = live_server.mark()
    ops = console_operations()
    for name, variables in (
        ("VIEWER", {}),
        ("COMPANY_SEARCH", {"search": "acm"}),
        ("COMPANY_SCREEN", company),
        ("CUSTOMER_SCREEN", customer),
        ("DEVELOPER_FIELDS", customer),
        ("API_KEY", customer),
        ("CONNECTION", customer),
        ("CONNECTION_SECRET", customer),
        ("CXML_LOG", customer),
        ("ORDERS", customer),
        ("AUDIT", customer),
        ("ROLE_SEARCH", {"search": "admin"}),
    ):
        body = (await ask(http, ops[name], token, variables)).json()
        assert "errors" not in body, (name, body)
    details = await ask(http, operations.COMPANY_DETAILS, token, company)
    assert "errors" not in details.json()
    introspection = (await ask(http, get_introspection_query(), token)).json()
    assert "errors" not in introspection and introspection["data"]["__schema"]["types"]
    assert "Traceback" not in live_server.logged_since(mark)


async def test_the_bounds_of_staff_set_lists_are_enforced_where_they_are_written(
    http: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    """Company.assignedStaff and Customer.punchoutKeys count at 100 and 10: so many at most."""
    token = world.tokens["administrator"]
    create = (
        "mutation($input: CreateCompanyInput!) "
        "{ createCompany(input: $input) { company { id } errors { field code message } } }"
    )
    crowd = [f"staff{i}@supplier.example" for i in range(101)]
    given = {"input": {"name": "Crowded Ltd", "code": "CROWD", "assignedStaff": crowd}}
    body = (await ask(http, create, token, given)).json()
    assert body["data"]["createCompany"]["errors"][0]["field"] == "assignedStaff"
    assert body["data"]["createCompany"]["errors"][0]["code"] == "INVALID"

    customer = global_id("Customer", buyer.customer_id)

    async def rotate(grace: float) -> list[dict[str, Any]]:
        given = {"input": {"customerId": customer, "graceHours": grace}}
        answer = (await ask(http, operations.ROTATE, token, given)).json()
        return answer["data"]["rotatePunchoutKey"]["errors"]

    for _ in range(9):  # the first key and nine more, each old one within its grace period
        assert await rotate(24) == []
    [refused] = await rotate(24)
    assert (refused["field"], refused["code"]) == ("graceHours", "INVALID")
    assert await rotate(0) == []  # the old keys stop at once: room again
    keys = (await ask(http, operations.KEYS, token, {"id": customer})).json()
    assert len(keys["data"]["customer"]["punchoutKeys"]) == 1


def test_the_response_bound_is_a_setting() -> None:
    assert Settings().graphql_max_response_bytes == LIMIT
    given = {"OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES": str(8 * 1024 * 1024)}
    assert Settings.from_env(given).graphql_max_response_bytes == 8 * 1024 * 1024
