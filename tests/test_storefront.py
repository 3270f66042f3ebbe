"""The storefront side of a punchout: start links, the session credential, the cart, transfer."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from lxml import etree

from graph.pagination import parse_global_id
from persistence.punchout_tables import PunchoutSession
from testkit.documents import ITEMS, sender_identity, setup_document, with_secret
from testkit.operations import SET_FIELD
from tests.conftest import VAULT, Api, Buyer, World, global_id, make_buyer
from tests.cxml_documents import read
from tests.cxml_helpers import assert_cxml, post_cxml
from tests.storefront_helpers import (
    ADD,
    REMOVE,
    SESSION,
    TRANSFER,
    UPDATE,
    line,
    open_session,
    read_form,
)


async def start_path(api: Api, buyer: Buyer, **setup) -> str:
    answer = await post_cxml(api.http, setup_document(buyer.username, buyer.key, **setup))
    return urlsplit(answer.start_url).path


async def test_unknown_and_expired_start_links_are_gone(api: Api, buyer: Buyer) -> None:
    unknown = await api.http.get("/punchout/start/no-such-token")
    assert unknown.status_code == 410
    assert "session expired, start again from your procurement system" in unknown.text
    path = await start_path(api, buyer)
    await PunchoutSession.all().update(start_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = await api.http.get(path)
    assert expired.status_code == 410
    assert await PunchoutSession.filter(started_at__isnull=False).count() == 0


async def test_a_start_link_opens_once_even_when_raced(api: Api, buyer: Buyer) -> None:
    path = await start_path(api, buyer)
    answers = await asyncio.gather(*(api.http.get(path) for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [303] + [410] * 7


async def test_the_credential_opens_the_session_and_nothing_else(
    api: Api, world: World, buyer: Buyer
) -> None:
    credential = await open_session(api, buyer)
    for staff_query in (
        "{ viewer { email } }",
        '{ companies(search: "") { edges { node { id } } } }',
    ):
        body = await api(staff_query, token=credential)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    customer = global_id("Customer", buyer.customer_id)
    body = await api("query($id: ID!) { customer(id: $id) { id } }", {"id": customer}, credential)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # And a staff token is no session credential.
    body = await api(SESSION, token=world.tokens["administrator"])
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "errors" not in await api(SESSION, token=credential)


async def _document_session(api: Api, world: World, name: str) -> dict:
    """The storefront's view of a session opened by one of our own documents."""
    document = read(name)
    buyer = await make_buyer(world.acme, sender_identity(document))
    answer = await post_cxml(api.http, with_secret(document, buyer.key))
    opened = await api.http.get(urlsplit(answer.start_url).path)
    credential = opened.headers["location"].split("#session=")[1]
    return (await api(SESSION, token=credential))["data"]["punchoutSession"]


async def test_the_session_shows_what_the_buyer_sent(api: Api, world: World) -> None:
    coupa = await _document_session(api, world, "coupa.setup.ruby-timestamp-user-extrinsics.xml")
    assert coupa["user"] == {
        "email": "priya.raman+ops@northwind.example",
        "firstName": "Priya",
        "lastName": "Raman",
        "fullName": "praman",
        "uniqueName": "praman",
    }
    assert coupa["contacts"] == [
        {"role": "endUser", "name": "praman", "emails": ["priya.raman+ops@northwind.example"]}
    ]
    assert {"name": "BusinessUnit", "value": "FACILITIES"} in coupa["extrinsics"]
    iesa = await _document_session(api, world, "iesa.setup.shipto-address-id.xml")
    assert iesa["shipTo"] == {
        "addressId": "7731",
        "name": "mokafor",
        "street": ["18 Orchard Lane"],
        "city": "fort collins",
        "postalCode": "80521",
        "countryCode": "US",
    }
    contact = await _document_session(api, world, "generic.setup.contact-only-user.xml")
    assert contact["user"] == {
        "email": "marie.tremblay@procure-box.example",
        "firstName": None,
        "lastName": None,
        "fullName": "Marie Tremblay",
        "uniqueName": None,
    }
    workday = await _document_session(api, world, "workday.setup.utf-8-bom-crlf.xml")
    assert workday["user"]["fullName"] == "Jordan Lee"


async def test_session_credential_expires(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer)
    await PunchoutSession.all().update(session_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    body = await api(SESSION, token=credential)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "1,5"}, "quantity"),  # no decimal commas guessed
        ({"quantity": "0.000000000000000000001"}, "quantity"),  # 21 decimals: not kept exactly
        ({"quantity": "lots"}, "quantity"),
        ({"quantity": "1000000000"}, "quantity"),
        ({"unitPrice": "-0.01"}, "unitPrice"),
        ({"unitPrice": "NaN"}, "unitPrice"),
        ({"unitPrice": "1 234"}, "unitPrice"),
        ({"unitPrice": "1_000"}, "unitPrice"),
        ({"unitPrice": "١٢"}, "unitPrice"),  # digits, but not 0-9
        ({"currency": "euro"}, "currency"),
        ({"unitOfMeasure": "each"}, "unitOfMeasure"),
        ({"unspsc": "4412"}, "unspsc"),
        ({"unspsc": None}, "unspsc"),  # no classification at all
        (
            {"unspsc": None, "classifications": [{"domain": "UNSPSC", "value": "12"}]},
            "classifications",
        ),
        ({"classifications": [{"domain": "", "value": "27-06-01-02"}]}, "classifications"),
        ({"classifications": [{"domain": "UNSPSC", "value": "44121705"}]}, "unspsc"),
        ({"leadTime": -1}, "leadTime"),
        ({"manufacturerName": "M" * 256}, "manufacturerName"),
        ({"description": "Blue\x01pen"}, "description"),  # no XML document can carry it
        ({"classifications": [{"domain": "eCl@ss", "value": "27\x0b06"}]}, "classifications"),
        ({"supplierPartId": "  "}, "supplierPartId"),
        ({"description": ""}, "description"),
        ({"description": "d" * 2_001}, "description"),  # MAX_DESCRIPTION, the cXML caps' too
        ({"description": "d" * 200_000}, "description"),  # issue 15, item 2
    ],
)
async def test_bad_lines_are_refused(api: Api, buyer: Buyer, change: dict, field: str) -> None:
    credential = await open_session(api, buyer)
    body = await api(ADD, {"input": line(**change)}, credential)
    payload = body["data"]["addCartLine"]
    assert payload["cart"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "INVALID")]
    session = (await api(SESSION, token=credential))["data"]["punchoutSession"]
    assert session["cart"]["lines"] == []


async def test_a_description_of_2000_characters_is_kept_whole(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer)
    description = "Pen " + "d" * 1_996  # 2,000 characters, the most a cart line holds
    body = await api(ADD, {"input": line(description=f"  {description} ")}, credential)
    assert body["data"]["addCartLine"]["errors"] == []
    session = (await api(SESSION, token=credential))["data"]["punchoutSession"]
    assert [x["description"] for x in session["cart"]["lines"]] == [description]


async def test_one_currency_a_cart_and_lines_of_this_cart_only(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer)
    other = await open_session(api, buyer)
    await api(ADD, {"input": line()}, credential)
    body = await api(ADD, {"input": line(currency="USD")}, credential)
    assert [e["code"] for e in body["data"]["addCartLine"]["errors"]] == ["INVALID"]
    theirs = (await api(ADD, {"input": line()}, other))["data"]["addCartLine"]["cart"]["lines"][0]
    for op, name, extra in (
        (UPDATE, "updateCartLine", {"quantity": "3"}),
        (REMOVE, "removeCartLine", {}),
    ):
        body = await api(op, {"input": {"lineId": theirs["id"], **extra}}, credential)
        assert [e["code"] for e in body["data"][name]["errors"]] == ["NOT_FOUND"]
        body = await api(op, {"input": {"lineId": "garbage", **extra}}, credential)
        assert [e["code"] for e in body["data"][name]["errors"]] == ["NOT_FOUND"]
    mine = (await api(SESSION, token=other))["data"]["punchoutSession"]["cart"]["lines"]
    assert [x["quantity"] for x in mine] == ["2"]


async def test_a_cart_holds_at_most_a_thousand_lines(api: Api, buyer: Buyer) -> None:
    from domain.storefront import MAX_CART_LINES
    from persistence.punchout_tables import CartLine

    credential = await open_session(api, buyer)
    first = (await api(ADD, {"input": line()}, credential))["data"]["addCartLine"]
    assert first["errors"] == []
    row = await CartLine.get(id=parse_global_id(first["cart"]["lines"][0]["id"], "CartLine"))
    template = {k: v for k, v in row.__dict__.items() if not k.startswith("_") and k != "id"}
    await CartLine.bulk_create([CartLine(**template) for _ in range(MAX_CART_LINES - 1)])
    full = (await api(ADD, {"input": line()}, credential))["data"]["addCartLine"]
    assert [e["code"] for e in full["errors"]] == ["CART_FULL"]
    assert await CartLine.filter(session_id=row.session_id).count() == MAX_CART_LINES


async def test_edit_starts_with_the_buyers_lines(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer, operation="edit", items=ITEMS)
    cart = (await api(SESSION, token=credential))["data"]["punchoutSession"]["cart"]
    assert cart["editable"] is True
    [pen] = cart["lines"]
    assert (pen["supplierPartId"], pen["supplierPartAuxiliaryId"], pen["quantity"]) == (
        "PEN-042",
        "quote-7",
        "2",
    )
    assert (pen["unitPrice"], pen["currency"], pen["unspsc"]) == ("1.25", "EUR", "44121704")


async def test_inspect_cannot_change_and_says_so(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer, operation="inspect", items=ITEMS)
    cart = (await api(SESSION, token=credential))["data"]["punchoutSession"]["cart"]
    assert cart["editable"] is False
    body = await api(ADD, {"input": line()}, credential)
    assert [e["code"] for e in body["data"]["addCartLine"]["errors"]] == ["READ_ONLY"]
    body = await api(
        UPDATE, {"input": {"lineId": cart["lines"][0]["id"], "quantity": "5"}}, credential
    )
    assert [e["code"] for e in body["data"]["updateCartLine"]["errors"]] == ["READ_ONLY"]
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]
    message = etree.fromstring(transfer["transfer"]["message"].encode())
    head = message.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader")
    assert head.get("operationAllowed") == "inspect"
    assert len(message.findall("Message/PunchOutOrderMessage/ItemIn")) == 1


async def test_empty_cart_transfers_a_valid_message(api: Api, buyer: Buyer) -> None:
    credential = await open_session(api, buyer, mode="test")
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    assert_cxml(message)
    assert message.findall("Message/PunchOutOrderMessage/ItemIn") == []
    assert message.find("Message").get("deploymentMode") == "test"
    total = message.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money")
    assert (total.text, total.get("currency")) == ("0.00", "USD")
    again = await api(TRANSFER, token=credential)
    assert again["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_base64_when_the_customer_asks(api: Api, world: World, buyer: Buyer) -> None:
    await api(
        SET_FIELD,
        {
            "input": {
                "customerId": global_id("Customer", buyer.customer_id),
                "key": "PUNCHOUT_CART_ENCODING",
                "value": "cxml-base64",
            }
        },
        world.tokens["administrator"],
    )
    credential = await open_session(api, buyer)
    await api(ADD, {"input": line()}, credential)
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    assert transfer["fieldName"] == "cxml-base64"
    assert base64.b64decode(transfer["fieldValue"]).decode() == transfer["message"]
    assert read_form(transfer["formHtml"]).fields == {"cxml-base64": transfer["fieldValue"]}


async def test_no_return_url_means_no_transfer(api: Api, world: World) -> None:
    document = read("generic.setup.minimal-no-browserformpost.xml")
    buyer = await make_buyer(world.acme, sender_identity(document))
    answer = await post_cxml(api.http, with_secret(document, buyer.key))
    opened = await api.http.get(urlsplit(answer.start_url).path)
    credential = opened.headers["location"].split("#session=")[1]
    body = await api(TRANSFER, token=credential)
    assert [e["code"] for e in body["data"]["transferPunchoutCart"]["errors"]] == ["NO_RETURN_URL"]
    assert "errors" not in await api(SESSION, token=credential)  # the session goes on


async def test_the_form_escapes_what_it_prints(api: Api, buyer: Buyer) -> None:
    hostile = 'https://buyer.example/r?a=1&amp;b="&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
    request = setup_document(buyer.username, buyer.key).replace(
        "https://buyer.example/return", hostile
    )
    answer = await post_cxml(api.http, request)
    opened = await api.http.get(urlsplit(answer.start_url).path)
    credential = opened.headers["location"].split("#session=")[1]
    await api(ADD, {"input": line(description='<b>"quoted"</b> & more')}, credential)
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    page = transfer["formHtml"]
    assert "<script>" not in page and "<b>" not in page
    form = read_form(page)
    assert form.action == 'https://buyer.example/r?a=1&b="><script>alert(1)</script>'
    assert form.fields["cxml-urlencoded"] == transfer["fieldValue"]


async def test_storefront_url_is_configurable(settings, db) -> None:
    from opsportal.app import create_app
    from opsportal.config import Settings

    custom = Settings(
        database_url=settings.database_url, storefront_url="https://shop.example.com/punchout"
    )
    transport = httpx.ASGITransport(app=create_app(custom, vault=VAULT))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        response = await http.get("/punchout/start/x")
        assert response.status_code == 410
    assert custom.storefront == "https://shop.example.com/punchout"


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        ([("1", "1.0050", "EUR")], "1.01"),  # half-up, not half-even
        ([("3", "0.3333", "EUR")], "1.00"),  # summed exactly, rounded once
        ([("1", "0.0049", "EUR"), ("1", "0.0049", "EUR")], "0.01"),
        ([("1", "1.5", "JPY")], "2"),  # a currency without cents
        ([("1", "0.0005", "KWD")], "0.001"),  # a currency with three decimals
    ],
)
async def test_the_storefront_and_the_message_show_one_total(
    api: Api, buyer: Buyer, lines: list[tuple[str, str, str]], total: str
) -> None:
    credential = await open_session(api, buyer)
    for number, (quantity, price, currency) in enumerate(lines):
        added = await api(
            ADD,
            {"input": line(f"P-{number}", quantity, price, currency=currency)},
            token=credential,
        )
        assert added["data"]["addCartLine"]["errors"] == [], added
    shown = (await api(SESSION, token=credential))["data"]["punchoutSession"]["cart"]["total"]
    transfer = (await api(TRANSFER, token=credential))["data"]["transferPunchoutCart"]["transfer"]
    message = etree.fromstring(transfer["message"].encode())
    sent = message.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money")
    assert sent.text == total
    assert shown == total  # one function, one rounding: the same characters on both
