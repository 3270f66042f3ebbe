"""The requests nobody could be matched to: `cxmlLog` at the top level, for administrators and
superusers, with the identities sent and the reason in words ("did you mean ...?")."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from domain.access import Viewer
from domain.customers import set_buyer_identity
from domain.developer_fields import IDENTITY_SETTING, set_developer_field
from persistence.punchout_tables import CxmlExchange
from persistence.tables import Staff
from testkit.documents import setup_document, with_secret
from tests.conftest import Api, Buyer, World, error_codes, global_id, make_buyer
from tests.cxml_documents import read
from tests.cxml_helpers import post_cxml

UNMATCHED = """
query($first: Int!, $after: String, $failure: CxmlFailure) {
  cxmlLog(first: $first, after: $after, failure: $failure) {
    edges { cursor node {
      receivedAt route requestType payloadId statusCode statusText failure reason durationMs
      requestBody responseBody userAgent
      sender { domain identity } from { domain identity } to { domain identity }
    } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
CUSTOMER_LOG = """
query($id: ID!, $failure: CxmlFailure) {
  customer(id: $id) { cxmlLog(first: 10, failure: $failure) { edges { node {
    failure sender { identity } userAgent
  } } } }
}"""
STRANGER_SECRET = "stranger-secret-never-shown-42"
# The largest page these tests ask for: each body counts at 64 KiB against the 5 MiB answer.
PAGE = 35


async def _log(api: Api, token: str, **variables: Any) -> list[dict[str, Any]]:
    body = await api(UNMATCHED, {"first": PAGE, **variables}, token)
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["cxmlLog"]["edges"]]


async def test_a_typed_wrong_sender_is_listed_with_the_name_it_meant(
    api: Api, world: World
) -> None:
    await make_buyer(world.acme, "acme-procurement")
    document = setup_document(
        "acme-procure", STRANGER_SECRET, from_="buyer-erp", payload="typo-1@buyer.example"
    ).replace(
        "<UserAgent>Test Procurement 1.0</UserAgent>", "<UserAgent> SRM 7.0 &amp; co </UserAgent>"
    )
    answer = await post_cxml(api.http, document)
    assert answer.code == 401

    [entry] = await _log(api, world.tokens["administrator"])
    assert entry["reason"] == (
        "No punchout customer is named `acme-procure` (Sender) or `buyer-erp` (From); "
        "did you mean `acme-procurement`?"
    )
    assert (entry["failure"], entry["statusCode"], entry["payloadId"]) == (
        "UNKNOWN_SENDER",
        401,
        "typo-1@buyer.example",
    )
    assert entry["sender"] == [{"domain": "NetworkID", "identity": "acme-procure"}]
    assert entry["from"] == [{"domain": "NetworkID", "identity": "buyer-erp"}]
    assert entry["to"] == [{"domain": "NetworkID", "identity": "opsportal-supplier"}]
    assert entry["userAgent"] == " SRM 7.0 & co "  # exactly as sent
    assert entry["requestType"] == "PunchOutSetupRequest" and entry["route"] == "/cxml"
    assert "<SharedSecret>***</SharedSecret>" in entry["requestBody"]


async def test_a_real_document_from_a_stranger_with_a_near_name(api: Api, world: World) -> None:
    # Coupa's document names "northwind-coupa"; the customer was set up with a suffix.
    await make_buyer(world.acme, "northwind-coupa-de")
    document = with_secret(read("coupa.setup.ruby-timestamp-user-extrinsics.xml"), STRANGER_SECRET)
    assert (await post_cxml(api.http, document)).code == 401
    [entry] = await _log(api, world.tokens["superuser"])
    assert entry["reason"].endswith("; did you mean `northwind-coupa-de`?")
    assert entry["userAgent"] == "Coupa Procurement 1.0"
    assert entry["sender"] == [{"domain": "DUNS", "identity": "northwind-coupa"}]


async def test_a_from_identity_one_digit_off_names_the_hub_customer(api: Api, world: World) -> None:
    # A hub (Ariba Network) sends its own Sender: the customer is named by its From identity,
    # stored here one digit off what the buyer's document sends (AN01000012345).
    buyer = await make_buyer(world.acme, "buyer-ag-via-hub")
    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    await set_buyer_identity(admin, buyer.customer_id, "NetworkID", "AN01000012346")
    await set_developer_field(admin, buyer.customer_id, IDENTITY_SETTING, "From")
    document = with_secret(read("ariba.setup.hub-from-credentials.xml"), buyer.key)
    assert (await post_cxml(api.http, document)).code == 401

    [entry] = await _log(api, world.tokens["administrator"])
    assert entry["reason"].startswith("No punchout customer is named ")
    assert "`AN01000012345` (From)" in entry["reason"]
    assert entry["reason"].endswith("; did you mean `AN01000012346`?")
    assert entry["from"] == [
        {"domain": "NetworkID", "identity": "AN01000012345"},
        {"domain": "SystemID", "identity": "BUYERERP-PRD-100"},
    ]
    assert entry["userAgent"] == "Ariba Network V1.1"


async def test_a_name_sent_as_the_other_credential_is_pointed_out(api: Api, world: World) -> None:
    buyer = await make_buyer(world.acme, "buyer-by-from")
    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    await set_developer_field(admin, buyer.customer_id, IDENTITY_SETTING, "From")
    # Its username sent as Sender (and a hub's From): nobody is named so.
    await post_cxml(api.http, setup_document("buyer-by-from", buyer.key, from_="hub-000"))
    [entry] = await _log(api, world.tokens["administrator"])
    assert entry["reason"].endswith("; did you mean `buyer-by-from`, sent as the From identity?")


async def test_bodies_that_name_nobody_are_listed(api: Api, world: World, buyer: Buyer) -> None:
    await post_cxml(api.http, b'{"order": "this is JSON"}', content_type="application/json")
    await post_cxml(api.http, read("generic.negative.not-well-formed.xml"))
    no_sender = setup_document("acme-procure", None, senders="", payload="no-sender@b")
    await post_cxml(api.http, no_sender, path="/punchout/setup")
    far = setup_document("zz-unrelated-identity-9", STRANGER_SECRET, payload="far@b")
    await post_cxml(api.http, far)

    far_entry, missing, broken, json_body = await _log(api, world.tokens["administrator"])
    assert (json_body["failure"], json_body["statusCode"]) == ("MALFORMED_XML", 406)
    assert json_body["requestBody"] == '{"order": "this is JSON"}'
    assert json_body["sender"] is json_body["from"] is json_body["userAgent"] is None
    assert broken["failure"] == "MALFORMED_XML" and broken["reason"].startswith("Not well-formed")
    assert (missing["failure"], missing["route"]) == ("MISSING_HEADER", "/punchout/setup")
    assert missing["reason"] == "The cXML Header has no Sender/Credential."
    assert missing["sender"] == []
    assert missing["from"] == [{"domain": "NetworkID", "identity": "acme-procure"}]
    assert missing["userAgent"] == "Test Procurement 1.0"
    # Nobody's name is near: the reason stays as stored.
    assert far_entry["reason"] == (
        "No punchout customer is named `zz-unrelated-identity-9` (Sender) or "
        "`zz-unrelated-identity-9` (From)."
    )


async def test_a_wrong_secret_for_a_real_customer_stays_in_its_log(
    api: Api, world: World, buyer: Buyer
) -> None:
    await post_cxml(api.http, setup_document(buyer.username, "a-wrong-secret-for-them"))
    assert await _log(api, world.tokens["administrator"]) == []
    customer = global_id("Customer", buyer.customer_id)
    body = await api(
        CUSTOMER_LOG, {"id": customer, "failure": "WRONG_SECRET"}, world.tokens["companyEdit"]
    )
    [entry] = [e["node"] for e in body["data"]["customer"]["cxmlLog"]["edges"]]
    assert entry == {
        "failure": "WRONG_SECRET",
        "sender": [{"identity": buyer.username}],
        "userAgent": "Test Procurement 1.0",
    }
    none = await api(
        CUSTOMER_LOG, {"id": customer, "failure": "UNKNOWN_SENDER"}, world.tokens["companyEdit"]
    )
    assert none["data"]["customer"]["cxmlLog"]["edges"] == []


@pytest.mark.parametrize("kind", ["companyEdit", "crmCompanyEdit", "none"])
async def test_others_are_forbidden(api: Api, world: World, kind: str) -> None:
    await post_cxml(api.http, b"garbage")
    body = await api(UNMATCHED, {"first": 5}, world.tokens[kind])
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None
    assert (
        "may not read the cXML requests no customer was matched to"
        in (body["errors"][0]["message"])
    )


async def test_signed_out_is_refused(api: Api, world: World) -> None:
    await post_cxml(api.http, b"garbage")
    assert error_codes(await api(UNMATCHED, {"first": 5})) == ["UNAUTHENTICATED"]
    assert error_codes(await api(UNMATCHED, {"first": 5}, "not-a-token")) == ["UNAUTHENTICATED"]


async def test_pages_newest_first_and_by_failure(api: Api, world: World, buyer: Buyer) -> None:
    sent = []
    for number in range(5):
        if number % 2:
            await post_cxml(api.http, f"junk {number}")
        else:
            document = setup_document(f"stranger-{number}", STRANGER_SECRET, payload=f"p{number}@b")
            await post_cxml(api.http, document)
        sent.append(number)
    await post_cxml(api.http, setup_document(buyer.username, buyer.key))  # matched: not listed
    token = world.tokens["administrator"]

    def label(entry: dict[str, Any]) -> str:
        return entry["payloadId"] or entry["requestBody"]

    everything = [label(e) for e in await _log(api, token)]
    assert everything == ["p4@b", "junk 3", "p2@b", "junk 1", "p0@b"]

    seen: list[str] = []
    after = None
    while True:
        body = await api(UNMATCHED, {"first": 2, "after": after}, token)
        page = body["data"]["cxmlLog"]
        seen += [label(e["node"]) for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything

    junk = await _log(api, token, failure="MALFORMED_XML")
    assert [label(e) for e in junk] == ["junk 3", "junk 1"]
    strangers = await _log(api, token, failure="UNKNOWN_SENDER", first=1)
    assert [label(e) for e in strangers] == ["p4@b"]
    assert await _log(api, token, failure="WRONG_SECRET") == []

    bad = await api(UNMATCHED, {"first": 2, "after": "not-a-cursor"}, token)
    assert error_codes(bad) == ["BAD_USER_INPUT"]


async def test_a_strangers_secret_never_shows(api: Api, world: World) -> None:
    await make_buyer(world.acme, "acme-procurement")
    documents = [
        setup_document("acme-procure", STRANGER_SECRET),
        # The secret where an identity goes, and in a body cut short.
        setup_document("acme-procure", STRANGER_SECRET, from_=STRANGER_SECRET),
        setup_document("acme-procure", STRANGER_SECRET)[:-200],
    ]
    for document in documents:
        await post_cxml(api.http, document)
    body = await api(UNMATCHED, {"first": 10}, world.tokens["administrator"])
    entries = [e["node"] for e in body["data"]["cxmlLog"]["edges"]]
    assert len(entries) == 3
    assert STRANGER_SECRET not in json.dumps(body)
    assert STRANGER_SECRET[:20] not in json.dumps(body)
    assert entries[1]["from"] == [{"domain": "NetworkID", "identity": "***"}]
    for row in await CxmlExchange.all():
        stored = row.request_body + row.response_body + (row.reason or "")
        assert STRANGER_SECRET not in stored + json.dumps(row.identities)


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def _statements(api: Api, token: str) -> int:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        body = await api(UNMATCHED, {"first": PAGE}, token)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "errors" not in body, body
    return handler.count


async def test_a_page_costs_the_same_whatever_it_holds(api: Api, world: World) -> None:
    """The names to suggest are read once a page, not once an entry or identity."""
    await make_buyer(world.acme, "acme-procurement")
    await post_cxml(api.http, setup_document("acme-procure", STRANGER_SECRET))
    token = world.tokens["administrator"]
    few = await _statements(api, token)
    for number in range(30):
        await make_buyer(world.globex, f"globex-buyer-{number}")
        await post_cxml(api.http, setup_document(f"globex-buyer{number}", STRANGER_SECRET))
    assert await _statements(api, token) == few
    entries = await _log(api, token)
    assert len(entries) == 31
    assert all("; did you mean `" in e["reason"] for e in entries)
