"""Hostile GraphQL requests over real HTTP, on both databases (issue 15, items 9 and 10).

A lone surrogate ("x\\ud800y": no character, and no UTF-8 can carry it) in any String argument
or variable is refused like NUL, `BAD_USER_INPUT` before anything runs, with or without a token.
A body that is no GraphQL request (a JSON `null`, string, number or boolean, bytes that are not
UTF-8, variables nested 5,000 deep) gets 400 with a GraphQL error body. Neither is ever a 500
nor a traceback in the server's log.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from persistence.tables import Company, Customer
from testkit.operations import LOGIN
from tests.conftest import PASSWORD, Api, World, error_codes, global_id, make_buyer
from tests.live_server import LiveServer
from tests.storefront_helpers import ADD, line, open_session

SURROGATE = "x\ud800y"  # a lone high surrogate between two letters

CREATE_COMPANY = """
mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id } errors { field code message } }
}"""
SET_IDENTITY = """
mutation($input: SetBuyerIdentityInput!) {
  setBuyerIdentity(input: $input) { customer { id } errors { field code message } }
}"""


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=60) as client:
        yield client


def assert_quiet(live_server: LiveServer, mark: int) -> None:
    """The server logged no traceback and answered no 500 since `mark`."""
    logged = live_server.logged_since(mark)
    assert "Traceback" not in logged, logged[-3000:]
    assert "Exception in ASGI application" not in logged, logged[-3000:]
    assert '/graphql HTTP/1.1" 500' not in logged, logged[-3000:]


async def send(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    """The operation as JSON, lone surrogates as the \\ud800 escapes a client sends."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables})  # ensure_ascii: \ud800
    response = await http.post("/graphql", content=body.encode("ascii"), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def assert_refused_text(body: dict[str, Any]) -> None:
    assert body.get("data") is None, body
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    assert "surrogate" in body["errors"][0]["message"], body


async def test_a_lone_surrogate_in_sign_in_is_bad_user_input_without_a_token(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    mark = live_server.mark()
    email = "administrator@supplier.example"
    for variables in (
        {"email": f"admin{SURROGATE}@supplier.example", "password": PASSWORD},
        {"email": email, "password": f"correct horse {SURROGATE}"},
    ):
        assert_refused_text(await send(http, LOGIN, variables))
    # In the document itself, the parser refuses it: a syntax error, not a 500.
    inline = LOGIN.replace("$email", json.dumps(SURROGATE)).replace(
        "($email: String!, $password: String!)", "($password: String!)"
    )
    parsed = await send(http, inline, {"password": PASSWORD})
    assert parsed["data"] is None and "Syntax Error" in parsed["errors"][0]["message"]
    signed_in = await send(http, LOGIN, {"email": email, "password": PASSWORD})
    assert signed_in["data"]["login"]["token"]  # the refusals counted no failure
    assert_quiet(live_server, mark)


async def test_a_lone_surrogate_in_staff_mutations_changes_nothing(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    token = world.tokens["administrator"]
    buyer = await make_buyer(world.acme, "punchout-surrogate@buyer.example")
    mark = live_server.mark()
    for given in (
        {"name": f"Surrogate {SURROGATE} Ltd", "code": "SUR1"},
        {"name": "Plain Ltd", "code": "SUR2", "assignedStaff": [SURROGATE]},
    ):
        assert_refused_text(await send(http, CREATE_COMPANY, {"input": given}, token))
    assert not await Company.filter(code__in=["SUR1", "SUR2"]).exists()
    customer_id = global_id("Customer", buyer.customer_id)
    for given in (
        {"customerId": customer_id, "domain": "NetworkID", "identity": SURROGATE},
        {"customerId": customer_id, "domain": SURROGATE, "identity": "AN0100"},
    ):
        assert_refused_text(await send(http, SET_IDENTITY, {"input": given}, token))
    customer = await Customer.get(id=buyer.customer_id)
    assert (customer.buyer_domain, customer.buyer_identity) == (None, None)
    assert_quiet(live_server, mark)


async def test_a_lone_surrogate_in_a_cart_line_leaves_the_cart_as_it_was(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    buyer = await make_buyer(world.acme, "punchout-surrogate-cart@buyer.example")
    credential = await open_session(Api(http), buyer)
    mark = live_server.mark()
    for field in ("description", "supplierPartId", "unitPrice"):
        given = line(**{field: SURROGATE})
        assert_refused_text(await send(http, ADD, {"input": given}, credential))
    added = await send(http, ADD, {"input": line()}, credential)
    assert len(added["data"]["addCartLine"]["cart"]["lines"]) == 1  # only the good one
    assert_quiet(live_server, mark)


async def test_a_number_literal_of_thousands_of_digits_is_bad_user_input(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    """graphql-core reads an Int literal with int(), which Python refuses past 4,300 digits:
    it was a masked internal error, with a traceback in the log."""
    token = world.tokens["administrator"]
    mark = live_server.mark()
    search = '{{ companies(search: "acme", first: {n}) {{ edges {{ node {{ code }} }} }} }}'
    for number in ("9" * 5000, "1." + "9" * 5000, "1e" + "9" * 5000, "-" + "9" * 101):
        body = await send(http, search.format(n=number), {}, token)
        assert body.get("data") is None, body
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert "at most 100 characters" in body["errors"][0]["message"]
    # A default value in the document is a literal too; a long string is not a number.
    default = (
        "query($n: Int = "
        + "9" * 5000
        + ') { companies(search: "a", first: $n) { pageInfo { hasNextPage } } }'
    )
    assert error_codes(await send(http, default, {}, token)) == ["BAD_USER_INPUT"]
    digits = search.format(n=10).replace('"acme"', '"' + "9" * 5000 + '"')
    assert "errors" not in await send(http, digits, {}, token)
    assert_quiet(live_server, mark)


NOT_OBJECTS = {
    "null": b"null",
    "a string": b'"x"',
    "a number": b"123",
    "a boolean": b"true",
    "invalid UTF-8 in a string": b'{"query": "{ viewer { email } }", "operationName": "\xff"}',
    "invalid UTF-8 outside one": b"\xff\xfe{}",
    "UTF-16": '{"query": "{ viewer { email } }"}'.encode("utf-16"),
    "variables 5,000 deep": (
        '{"query": "query($x: [String]) { viewer { email } }", "variables": {"x": '
        + "[" * 5000
        + "]" * 5000
        + "}}"
    ).encode(),
    "a query 5,000 deep": ('{"query": ' + "[" * 5000 + "]" * 5000 + "}").encode(),
    # Past the digits Python converts to an int (4,300): a ValueError, not a JSONDecodeError.
    "an integer of 5,000 digits": (
        '{"query": "{ viewer { email } }", "variables": {"n": ' + "9" * 5000 + "}}"
    ).encode(),
}


async def test_bodies_that_are_no_graphql_request_get_400_with_a_graphql_error(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    mark = live_server.mark()
    token = {"Authorization": f"Bearer {world.tokens['administrator']}"}
    for name, body in NOT_OBJECTS.items():
        response = await http.post(
            "/graphql", content=body, headers={"Content-Type": "application/json", **token}
        )
        assert response.status_code == 400, (name, response.status_code, response.text[:300])
        assert response.headers["content-type"] == "application/json", name
        answer = response.json()
        assert list(answer) == ["errors"], (name, answer)
        [error] = answer["errors"]
        assert error["extensions"] == {"code": "BAD_REQUEST"}, (name, answer)
        assert isinstance(error["message"], str) and error["message"], (name, answer)
    assert_quiet(live_server, mark)


async def test_every_refused_request_answers_a_graphql_error_body(
    http: httpx.AsyncClient, live_server: LiveServer, world: World
) -> None:
    """strawberry's own refusals (a batch, no query, a query that is not text, another content
    type, an unknown operation) answer the same shape as ours, not plain text."""
    mark = live_server.mark()
    json_type = {"Content-Type": "application/json"}
    for body, headers in (
        (b"[]", json_type),
        (b"{}", json_type),
        (b'{"query": 5}', json_type),
        (b'{"query": "{ viewer { email } }", "variables": "x"}', json_type),
        (b'{"query": "{ viewer { email } }", "operationName": "Nope"}', json_type),
        (b'{"query": "{ viewer { email } }", "operationName": "\\ud800"}', json_type),
        (b"{ viewer { email } }", {"Content-Type": "text/plain"}),
    ):
        response = await http.post("/graphql", content=body, headers=headers)
        assert response.status_code == 400, (body, response.text[:300])
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST", (body, error)
    assert_quiet(live_server, mark)
