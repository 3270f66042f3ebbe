"""What strangers may write into the connection log (issue 15, item 3), over real HTTP on both
databases: a request whose sender was not authenticated (a wrong secret with a real customer's
name, an unknown sender, a body that is no cXML) is marked `authenticated: false` and keeps
only the first 4 KiB of its body, so a flood of them grows the log by a bounded amount each;
the customer's own requests are kept whole."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from domain.cxml_log import REFUSED_BODY_BYTES
from persistence.punchout_tables import CxmlExchange
from testkit.documents import order_document
from tests.conftest import Buyer, World, global_id
from tests.cxml_helpers import post_cxml
from tests.live_server import LiveServer

LOG = """
query($id: ID!) { customer(id: $id) { cxmlLog(first: 10) { edges { node {
  authenticated failure statusCode requestBody
} } } } }"""
UNMATCHED = "{ cxmlLog(first: 10) { edges { node { authenticated failure requestBody } } } }"
COMMENT = "Attacker's words. " * 3612  # 65,016 characters
PER_REFUSED = 6 * 1024  # a refused request's bodies: 4 KiB of it, our short answer, the note


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=60) as client:
        yield client


def with_comment(buyer: Buyer, secret: str, number: int, comment: str = COMMENT) -> str:
    document = order_document(
        buyer.username, secret, order_id=f"PO-{number}", payload=f"flood-{number}@buyer"
    )
    return document.replace("Please deliver before noon.", comment)


async def graphql(http: httpx.AsyncClient, query: str, token: str, **variables: object) -> dict:
    answer = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_strangers_request_is_marked_and_cut_to_4_kib(
    db: str, http: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    refused = await post_cxml(http, with_comment(buyer, "a-wrong-secret-of-a-stranger", 1))
    assert refused.code == 401
    own_words = COMMENT[:50_000]  # within the 64 KiB a body of the customer's keeps
    accepted = await post_cxml(http, with_comment(buyer, buyer.key, 2, own_words))
    assert accepted.code == 200

    data = await graphql(
        http, LOG, world.tokens["companyEdit"], id=global_id("Customer", buyer.customer_id)
    )
    own, stranger = (e["node"] for e in data["customer"]["cxmlLog"]["edges"])
    assert (own["authenticated"], own["failure"]) == (True, None)
    assert own_words in own["requestBody"]  # the customer's own order, kept whole
    assert (stranger["authenticated"], stranger["failure"]) == (False, "WRONG_SECRET")
    kept, _, note = stranger["requestBody"].rpartition("\n[... ")
    assert len(kept.encode()) <= REFUSED_BODY_BYTES
    assert kept.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert note.endswith("more bytes not kept: the sender was not authenticated]")
    assert "a-wrong-secret-of-a-stranger" not in stranger["requestBody"]


async def test_a_flood_of_strangers_grows_the_log_by_a_bounded_amount(
    db: str, http: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    stranger = Buyer(0, "nobody@stranger.example", "")
    for number in range(100):
        sender = buyer if number % 2 else stranger  # a real customer's name, or nobody's
        answer = await post_cxml(http, with_comment(sender, f"guess-{number:04}-wrong", number))
        assert answer.code == 401
    rows = await CxmlExchange.all()
    assert len(rows) == 100 and not any(r.authenticated for r in rows)
    stored = sum(len(r.request_body.encode()) + len(r.response_body.encode()) for r in rows)
    assert stored == sum(r.body_bytes for r in rows)
    # 6.6 MB before: the whole of each 65,000-character comment was kept.
    assert stored <= 100 * PER_REFUSED, stored
    data = await graphql(http, UNMATCHED, world.tokens["administrator"])
    assert {e["node"]["authenticated"] for e in data["cxmlLog"]["edges"]} == {False}
