"""PunchOutSetupRequest and ProfileRequest over HTTP: authentication, sessions, encodings."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

import httpx
import pytest

from persistence.punchout_tables import CxmlExchange, PunchoutSession
from testkit.documents import ITEMS, SENDER, setup_document
from testkit.operations import SET_FIELD
from tests.conftest import Api, Buyer, World, global_id
from tests.cxml_helpers import post_cxml


async def test_setup_opens_a_one_time_session(client: httpx.AsyncClient, buyer: Buyer) -> None:
    before = datetime.now(UTC)
    answer = await post_cxml(
        client, setup_document(buyer.username, buyer.key, cookie=" spaced cookie\n")
    )
    assert (answer.http_status, answer.code) == (200, 200)
    answer.assert_valid()
    prefix = "https://punchout.example.com/punchout/start/"
    assert answer.start_url.startswith(prefix)
    token = answer.start_url.removeprefix(prefix)
    assert len(token) >= 43  # 32 random bytes

    session = await PunchoutSession.get(customer_id=buyer.customer_id)
    assert session.start_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(await PunchoutSession.all().values())
    assert (
        before + timedelta(minutes=4)
        < session.start_expires_at
        <= before + timedelta(minutes=5, seconds=5)
    )
    assert session.buyer_cookie == " spaced cookie\n"  # kept byte for byte
    assert session.browser_form_post == "https://buyer.example/return"  # trimmed
    assert (session.operation, session.deployment_mode) == ("create", "production")
    assert session.extrinsics == [["UserEmail", "jane@buyer.example"]]
    assert session.identities["sender"] == [{"domain": "NetworkID", "identity": buyer.username}]
    assert session.identities["userAgent"] == "Test Procurement 1.0"
    assert buyer.key not in repr(session.identities)

    again = await post_cxml(client, setup_document(buyer.username, buyer.key))
    assert again.start_url != answer.start_url
    assert again.root.get("payloadID") != answer.root.get("payloadID")


@pytest.mark.parametrize("operation", ["edit", "inspect", "EDIT"])
async def test_edit_and_inspect_keep_the_lines_sent(
    client: httpx.AsyncClient, buyer: Buyer, operation: str
) -> None:
    document = setup_document(buyer.username, buyer.key, operation=operation, items=ITEMS)
    answer = await post_cxml(client, document)
    assert answer.code == 200
    session = await PunchoutSession.get(customer_id=buyer.customer_id)
    assert session.operation == operation.lower()
    assert session.items == [
        {
            "lineNumber": "1",
            "quantity": "2",
            "supplierPartId": "PEN-042",
            "supplierPartAuxiliaryId": "quote-7",
            "description": "Blue pen",
            "unitPrice": "1.25",
            "currency": "EUR",
            "unitOfMeasure": "EA",
            "classifications": [{"domain": "UNSPSC", "value": "44121704"}],
            "manufacturerPartId": None,
            "manufacturerName": None,
            "leadTime": None,
            "extrinsics": [],
            "requestedDeliveryDate": None,
        }
    ]


async def test_username_is_case_insensitive_and_identity_trimmed(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    shouted = f"\n   {buyer.username.upper()}  "
    answer = await post_cxml(client, setup_document(shouted, buyer.key))
    assert answer.code == 200


async def test_the_secret_is_never_trimmed(client: httpx.AsyncClient, buyer: Buyer) -> None:
    answer = await post_cxml(client, setup_document(buyer.username, f" {buyer.key}"))
    assert answer.code == 401
    assert await PunchoutSession.all().count() == 0


async def test_any_matching_sender_credential_is_enough(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    senders = "".join(
        SENDER.format(identity=identity, secret=secret)
        for identity, secret in (
            ("hub-identity", "hub-secret"),
            (buyer.username, "not-the-key"),
            (buyer.username, buyer.key),
        )
    )
    answer = await post_cxml(client, setup_document(buyer.username, None, senders=senders))
    assert answer.code == 200
    # The key offered under another identity does not count.
    senders = SENDER.format(identity="hub-identity", secret=buyer.key) + SENDER.format(
        identity=buyer.username, secret="wrong"
    )
    answer = await post_cxml(client, setup_document(buyer.username, None, senders=senders))
    assert answer.code == 401


async def test_from_and_to_are_stored_never_checked(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    document = setup_document(buyer.username, buyer.key, from_="someone-else").replace(
        "opsportal-supplier", "not-us-at-all"
    )
    answer = await post_cxml(client, document)
    assert answer.code == 200
    session = await PunchoutSession.get()
    assert session.identities["from"] == [{"domain": "NetworkID", "identity": "someone-else"}]
    assert session.identities["to"] == [{"domain": "NetworkID", "identity": "not-us-at-all"}]


async def test_a_customer_may_be_named_by_from_for_hubs(
    api: Api, world: World, buyer: Buyer
) -> None:
    # Ariba Network style: the hub's identity in Sender, the buyer's in From.
    senders = SENDER.format(identity="AN01000000001", secret=buyer.key)
    document = setup_document(buyer.username, None, senders=senders, from_=buyer.username)
    assert (await post_cxml(api.http, document)).code == 401

    customer = global_id("Customer", buyer.customer_id)
    body = await api(
        SET_FIELD,
        {"input": {"customerId": customer, "key": "PUNCHOUT_IDENTITY_CREDENTIAL", "value": "From"}},
        world.tokens["companyEdit"],
    )
    fields = body["data"]["setDeveloperField"]["customer"]["developerFields"]
    assert {"key": "PUNCHOUT_IDENTITY_CREDENTIAL", "value": "From"} in fields
    assert (await post_cxml(api.http, document)).code == 200
    # The secret is still the Sender's: a right From with a wrong secret is refused.
    wrong = setup_document(
        buyer.username,
        None,
        from_=buyer.username,
        senders=SENDER.format(identity="AN01000000001", secret="nope-nope"),
    )
    assert (await post_cxml(api.http, wrong)).code == 401


async def test_developer_field_errors(api: Api, world: World, buyer: Buyer) -> None:
    customer = global_id("Customer", buyer.customer_id)
    token = world.tokens["administrator"]
    for key, value, field in (
        ("PUNCHOUT_IDENTITY_CREDENTIAL", "Nobody", "value"),
        ("PUNCHOUT_API_KEY", "chosen-by-hand", "key"),
        ("NO_SUCH_FIELD", "x", "key"),
    ):
        body = await api(
            SET_FIELD, {"input": {"customerId": customer, "key": key, "value": value}}, token
        )
        payload = body["data"]["setDeveloperField"]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "INVALID")]
    body = await api(
        SET_FIELD,
        {"input": {"customerId": customer, "key": "PUNCHOUT_IDENTITY_CREDENTIAL", "value": "From"}},
        world.tokens["none"],
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("path", ["/cxml", "/punchout/setup", "/punchout/order"])
async def test_every_path_takes_the_same_requests(
    client: httpx.AsyncClient, buyer: Buyer, path: str
) -> None:
    answer = await post_cxml(client, setup_document(buyer.username, buyer.key), path=path)
    assert answer.code == 200
    assert (await CxmlExchange.get()).route == path


@pytest.mark.parametrize(
    "content_type",
    ["application/xml", "text/xml", "text/plain", "", "application/x-www-form-urlencoded"],
)
async def test_xml_bodies_in_any_content_type(
    client: httpx.AsyncClient, buyer: Buyer, content_type: str
) -> None:
    document = setup_document(buyer.username, buyer.key)
    answer = await post_cxml(client, document, content_type=content_type)
    assert answer.code == 200


async def test_form_encoded_bodies(client: httpx.AsyncClient, buyer: Buyer) -> None:
    document = setup_document(buyer.username, buyer.key, cookie="a+b&amp;c=d &lt;x&gt;")
    form = "cxml-urlencoded=" + quote_plus(document)
    answer = await post_cxml(client, form, content_type="application/x-www-form-urlencoded")
    assert answer.code == 200
    encoded = base64.b64encode(document.encode()).decode()
    form = "cXML-base64=" + quote_plus(encoded)
    answer = await post_cxml(client, form, content_type="application/x-www-form-urlencoded")
    assert answer.code == 200
    cookies = await PunchoutSession.all().values_list("buyer_cookie", flat=True)
    assert cookies == ["a+b&c=d <x>"] * 2


async def test_latin1_documents_keep_their_encoding(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    document = (
        setup_document(buyer.username, buyer.key, cookie="Müller")
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .encode("latin-1")
    )
    answer = await post_cxml(client, document)
    assert answer.code == 200
    form = b"cxml-urlencoded=" + quote_plus(document).encode()
    answer = await post_cxml(client, form, content_type="application/x-www-form-urlencoded")
    assert answer.code == 200
    assert await PunchoutSession.all().values_list("buyer_cookie", flat=True) == [
        "Müller",
        "Müller",
    ]


async def test_profile_request_lists_what_the_server_takes(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    document = setup_document(buyer.username, buyer.key, request="<ProfileRequest/>")
    answer = await post_cxml(client, document)
    assert answer.code == 200
    answer.assert_valid()
    names = answer.root.xpath("//ProfileResponse/Transaction/@requestName")
    assert names == ["PunchOutSetupRequest", "ProfileRequest", "OrderRequest"]
    assert await PunchoutSession.all().count() == 0


async def test_any_customer_named_with_its_key_is_accepted(
    client: httpx.AsyncClient, world: World, buyer: Buyer
) -> None:
    from tests.conftest import make_buyer

    other = await make_buyer(world.globex, "other-buyer")
    wrong_a = SENDER.format(identity=buyer.username, secret="not-the-key")
    right_b = SENDER.format(identity=other.username, secret=other.key)
    for senders in (wrong_a + right_b, right_b + wrong_a):
        answer = await post_cxml(client, setup_document(buyer.username, None, senders=senders))
        assert answer.code == 200
    sessions = await PunchoutSession.all().values_list("customer_id", flat=True)
    assert sessions == [other.customer_id, other.customer_id]


async def test_a_from_named_customer_uses_its_stored_buyer_identity(
    api: Api, world: World, buyer: Buyer
) -> None:
    customer = global_id("Customer", buyer.customer_id)
    admin = world.tokens["administrator"]
    set_identity = """mutation($input: SetBuyerIdentityInput!) {
      setBuyerIdentity(input: $input) { errors { code } } }"""
    await api(
        set_identity,
        {"input": {"customerId": customer, "domain": "NetworkID", "identity": "AN01000000123"}},
        admin,
    )
    await api(
        SET_FIELD,
        {"input": {"customerId": customer, "key": "PUNCHOUT_IDENTITY_CREDENTIAL", "value": "From"}},
        admin,
    )
    example = await api(
        "query($id: ID!) { customer(id: $id) { punchoutCredentials { exampleSetupRequest } } }",
        {"id": customer},
        admin,
    )
    document = example["data"]["customer"]["punchoutCredentials"]["exampleSetupRequest"]
    assert "AN01000000123" in document
    assert (await post_cxml(api.http, document)).code == 200
    # The hub's own identity as Sender, the buyer's in From (lower-cased on the way).
    hub = setup_document(
        buyer.username,
        None,
        from_="an01000000123",
        senders=SENDER.format(identity="sysadmin@ariba.example", secret=buyer.key),
    )
    assert (await post_cxml(api.http, hub)).code == 200
