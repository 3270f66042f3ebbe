"""The connection log in GraphQL, secrets redacted; and the example request for integrators."""

from __future__ import annotations

from persistence.punchout_tables import CxmlExchange
from testkit.documents import setup_document
from tests.conftest import Api, Buyer, World, global_id, make_buyer
from tests.cxml_helpers import post_cxml

LOG = """
query($id: ID!, $first: Int!, $after: String) {
  customer(id: $id) {
    cxmlLog(first: $first, after: $after) {
      edges { node {
        receivedAt route requestType payloadId statusCode statusText failure reason durationMs
        requestBody responseBody
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
EXAMPLE = """
query($id: ID!) { customer(id: $id) { punchoutCredentials { setupUrl exampleSetupRequest } } }"""


async def test_log_newest_first_with_secrets_redacted(api: Api, world: World, buyer: Buyer) -> None:
    ok = await post_cxml(api.http, setup_document(buyer.username, buyer.key, payload="p-1@b"))
    token = ok.start_url.rsplit("/", 1)[1]
    await post_cxml(api.http, setup_document(buyer.username, "a-wrong-secret", payload="p-2@b"))
    await post_cxml(
        api.http, setup_document(buyer.username, buyer.key, request="<StatusUpdateRequest/>")
    )

    customer = global_id("Customer", buyer.customer_id)
    body = await api(LOG, {"id": customer, "first": 2}, world.tokens["crmCompanyEdit"])
    assert "errors" not in body
    page = body["data"]["customer"]["cxmlLog"]
    newest, wrong = (e["node"] for e in page["edges"])
    assert page["pageInfo"]["hasNextPage"] is True
    assert (newest["requestType"], newest["statusCode"], newest["failure"]) == (
        "StatusUpdateRequest",
        450,
        "UNSUPPORTED_REQUEST",
    )
    assert (wrong["payloadId"], wrong["statusCode"], wrong["failure"]) == (
        "p-2@b",
        401,
        "WRONG_SECRET",
    )
    assert "none of its working PUNCHOUT API Keys" in wrong["reason"]
    assert "<SharedSecret>***</SharedSecret>" in wrong["requestBody"]
    assert "a-wrong-secret" not in wrong["requestBody"]

    rest = await api(
        LOG,
        {"id": customer, "first": 10, "after": page["pageInfo"]["endCursor"]},
        world.tokens["crmCompanyEdit"],
    )
    [first] = [e["node"] for e in rest["data"]["customer"]["cxmlLog"]["edges"]]
    assert (first["payloadId"], first["statusCode"], first["failure"]) == ("p-1@b", 200, None)
    assert first["route"] == "/cxml" and first["durationMs"] > 0
    assert "<SharedSecret>***</SharedSecret>" in first["requestBody"]
    assert "/punchout/start/***" in first["responseBody"]
    for entry in await CxmlExchange.all():
        stored = entry.request_body + entry.response_body + (entry.reason or "")
        assert buyer.key not in stored and token not in stored


async def test_log_follows_the_company_scope(api: Api, world: World) -> None:
    other = await make_buyer(world.globex, "globex-buyer")
    await post_cxml(api.http, setup_document(other.username, other.key))
    customer = global_id("Customer", other.customer_id)
    hidden = await api(LOG, {"id": customer, "first": 5}, world.tokens["crmCompanyEdit"])
    assert hidden == {"data": {"customer": None}}
    seen = await api(LOG, {"id": customer, "first": 5}, world.tokens["companyEdit"])
    assert len(seen["data"]["customer"]["cxmlLog"]["edges"]) == 1
    refused = await api(LOG, {"id": customer, "first": 5})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unattributable_requests_are_logged_without_a_customer(
    api: Api, world: World, buyer: Buyer
) -> None:
    await post_cxml(api.http, b"garbage")
    await post_cxml(api.http, setup_document("stranger", "secret-of-a-stranger"))
    entries = await CxmlExchange.all().order_by("id")
    assert [(e.failure, e.customer_id) for e in entries] == [
        ("MALFORMED_XML", None),
        ("UNKNOWN_SENDER", None),
    ]
    assert "secret-of-a-stranger" not in entries[1].request_body


async def test_the_example_request_connects(api: Api, world: World, buyer: Buyer) -> None:
    customer = global_id("Customer", buyer.customer_id)
    body = await api(EXAMPLE, {"id": customer}, world.tokens["administrator"])
    example = body["data"]["customer"]["punchoutCredentials"]["exampleSetupRequest"]
    assert buyer.key in example
    answer = await post_cxml(api.http, example)
    assert answer.code == 200

    body = await api(EXAMPLE, {"id": customer}, world.tokens["companyEdit"])
    hidden = body["data"]["customer"]["punchoutCredentials"]["exampleSetupRequest"]
    assert buyer.key not in hidden and "PUNCHOUT-API-KEY" in hidden
    assert (await post_cxml(api.http, hidden)).code == 401


async def test_secrets_are_redacted_in_any_encoding(api: Api, world: World, buyer: Buyer) -> None:
    utf8 = setup_document(buyer.username, buyer.key, cookie="Müller")
    utf16 = utf8.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    latin1 = utf8.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    broken = utf16[: len(utf16) // 2 * 2 - 40]  # cut short: it no longer parses
    for document in (utf16, latin1, broken):
        await post_cxml(api.http, document)
    customer = global_id("Customer", buyer.customer_id)
    body = await api(LOG, {"id": customer, "first": 10}, world.tokens["companyEdit"])
    logged = [e["node"] for e in body["data"]["customer"]["cxmlLog"]["edges"]]
    assert [e["statusCode"] for e in logged] == [200, 200]  # the broken one names nobody
    for entry in logged:
        assert "Müller" in entry["requestBody"]
        assert "<SharedSecret>***</SharedSecret>" in entry["requestBody"]
    for entry in await CxmlExchange.all():
        for shown in (buyer.key, "\ufffd".join(buyer.key), buyer.key[:20]):
            assert shown not in entry.request_body
