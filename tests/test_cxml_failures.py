"""Each failure class of the cXML route: its Status, and nothing stored but the log."""

from __future__ import annotations

import time

import httpx
import pytest

from opsportal.app import create_app
from opsportal.config import Settings
from persistence.punchout_tables import CxmlExchange, PunchoutSession
from testkit.documents import sender_identity, setup_document, with_secret
from tests.conftest import VAULT, Api, Buyer, World, make_buyer
from tests.cxml_documents import read
from tests.cxml_helpers import post_cxml

UNAUTHORIZED = "The Sender identity and SharedSecret were not accepted."
BOMB = """<?xml version="1.0"?>
<!DOCTYPE cXML [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<cXML><Header/><Request><ProfileRequest>&f;</ProfileRequest></Request></cXML>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<cXML><Header/><Request><ProfileRequest>&secret;</ProfileRequest></Request></cXML>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY % a "x"> %a;]><cXML/>"""
DEEP = "<cXML>" + "<a>" * 50_000 + "</a>" * 50_000 + "</cXML>"
NO_SENDER = """<cXML payloadID="1@x" timestamp="2026-01-01T00:00:00Z"><Header>
<From><Credential domain="x"><Identity>a</Identity></Credential></From>
<To><Credential domain="x"><Identity>b</Identity></Credential></To>
</Header><Request><ProfileRequest/></Request></cXML>"""


async def expect(
    http: httpx.AsyncClient, body: bytes | str, code: int, failure: str, customer_id=None
) -> str:
    """Post; check the Status and the log entry; return the message the buyer got."""
    answer = await post_cxml(http, body)
    assert (answer.http_status, answer.code) == (200, code), answer.message
    answer.assert_valid()
    entry = await CxmlExchange.all().order_by("-id").first()
    assert (entry.failure, entry.status_code, entry.customer_id) == (failure, code, customer_id)
    assert entry.reason
    assert await PunchoutSession.all().count() == 0
    return answer.message


async def test_oversized_body(database_url: str, db: str) -> None:
    small = Settings(database_url=database_url, cxml_max_bytes=4096)
    transport = httpx.ASGITransport(app=create_app(small, vault=VAULT))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        message = await expect(http, b"<cXML>" + b" " * 5000 + b"</cXML>", 413, "OVERSIZED_BODY")
        assert "4096" in message


@pytest.mark.parametrize(
    ("body", "failure"),
    [
        (b"", "MALFORMED_XML"),
        (b"not xml at all", "MALFORMED_XML"),
        (b"<cXML><Header></cXML>", "MALFORMED_XML"),
        (b"\xff\xfe\x00<", "MALFORMED_XML"),
        (BOMB, "HOSTILE_XML"),
        (XXE, "HOSTILE_XML"),
        (DEEP, "HOSTILE_XML"),
        (b"<html><body>hello</body></html>", "NOT_CXML"),
        (PARAMETER_ENTITY, "HOSTILE_XML"),
    ],
)
async def test_unreadable_documents_get_406(
    client: httpx.AsyncClient, body: bytes | str, failure: str
) -> None:
    started = time.perf_counter()
    await expect(client, body, 406, failure)
    assert time.perf_counter() - started < 5  # a bomb is refused, not expanded


async def test_the_negative_documents(client: httpx.AsyncClient, world: World) -> None:
    await expect(client, read("generic.negative.not-well-formed.xml"), 406, "MALFORMED_XML")
    garbage = read("generic.negative.unknown-request-type.xml")
    await expect(client, garbage, 401, "UNKNOWN_SENDER")  # strangers learn nothing
    known = await make_buyer(world.acme, sender_identity(garbage))
    await expect(
        client, with_secret(garbage, known.key), 450, "UNSUPPORTED_REQUEST", known.customer_id
    )
    message = read("generic.message.cdata-price-basis-quote-status.xml")
    await expect(client, message, 450, "UNSUPPORTED_REQUEST")
    status = read("generic.response.status-no-xml-declaration.xml")
    await expect(client, status, 450, "UNSUPPORTED_REQUEST")


async def test_bad_requests_get_400(client: httpx.AsyncClient, buyer: Buyer) -> None:
    await expect(client, NO_SENDER, 400, "MISSING_HEADER")
    no_cookie = setup_document(buyer.username, buyer.key).replace(
        "<BuyerCookie>cookie-1</BuyerCookie>", ""
    )
    await expect(client, no_cookie, 400, "INVALID_REQUEST", buyer.customer_id)
    source = setup_document(buyer.username, buyer.key, operation="source")
    await expect(client, source, 400, "INVALID_REQUEST", buyer.customer_id)
    mode = setup_document(buyer.username, buyer.key, mode="staging")
    await expect(client, mode, 400, "INVALID_REQUEST", buyer.customer_id)
    two = setup_document(buyer.username, buyer.key, request="<ProfileRequest/><ProfileRequest/>")
    await expect(client, two, 400, "INVALID_REQUEST", buyer.customer_id)
    other = setup_document(buyer.username, buyer.key, request="<StatusUpdateRequest/>")
    await expect(client, other, 450, "UNSUPPORTED_REQUEST", buyer.customer_id)


async def test_authentication_failures_look_alike(client: httpx.AsyncClient, buyer: Buyer) -> None:
    messages = {
        await expect(client, setup_document("nobody@x.example", buyer.key), 401, "UNKNOWN_SENDER"),
        await expect(
            client, setup_document(buyer.username, None), 401, "MISSING_SECRET", buyer.customer_id
        ),
        await expect(
            client, setup_document(buyer.username, "guess"), 401, "WRONG_SECRET", buyer.customer_id
        ),
    }
    assert messages == {UNAUTHORIZED}


async def test_get_is_not_a_cxml_request(client: httpx.AsyncClient) -> None:
    response = await client.get("/cxml")
    assert response.status_code == 405
    assert await CxmlExchange.all().count() == 0


SET_ENABLED = """mutation($input: SetCustomerEnabledInput!) {
  setCustomerEnabled(input: $input) { customer { isEnabled } errors { code } } }"""


async def test_a_disabled_customer_gets_403_and_strangers_still_401(
    api: Api, world: World, buyer: Buyer
) -> None:
    from tests.conftest import global_id

    customer = global_id("Customer", buyer.customer_id)
    refused = await api(
        SET_ENABLED,
        {"input": {"customerId": customer, "enabled": False}},
        world.tokens["companyEdit"],
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api(
        SET_ENABLED,
        {"input": {"customerId": customer, "enabled": False}},
        world.tokens["administrator"],
    )
    assert body["data"]["setCustomerEnabled"]["customer"] == {"isEnabled": False}
    message = await expect(
        api.http,
        setup_document(buyer.username, buyer.key),
        403,
        "CUSTOMER_DISABLED",
        buyer.customer_id,
    )
    assert "disabled" in message
    await expect(
        api.http, setup_document(buyer.username, "guess"), 401, "WRONG_SECRET", buyer.customer_id
    )
    await api(
        SET_ENABLED,
        {"input": {"customerId": customer, "enabled": True}},
        world.tokens["superuser"],
    )
    assert (await post_cxml(api.http, setup_document(buyer.username, buyer.key))).code == 200
