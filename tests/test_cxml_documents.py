"""The project's own cXML documents (tests/documents/) through the cXML route, on both databases:
each procurement system's style and quirk is served, or refused as it should be, and what the
quirk is about is stored as meant."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import replace

import httpx
import pytest
from lxml import etree

from cxml.build import status_document
from domain.access import Viewer
from domain.customers import set_buyer_identity
from domain.developer_fields import IDENTITY_SETTING, set_developer_field
from opsportal.app import create_app
from opsportal.config import Settings
from persistence.punchout_tables import CxmlExchange, Order, OrderLine, PunchoutSession
from persistence.tables import Staff
from testkit.documents import has_secret, request_type, sender_identity, with_secret
from testkit.multipart import PDF, Part, related
from tests.conftest import VAULT, World, make_buyer
from tests.cxml_documents import DOCUMENTS, HUB_IDENTITY, Document, files, path, read
from tests.cxml_helpers import post_cxml
from tests.cxml_shape import problems

NAMES = sorted(DOCUMENTS)
# What a session keeps of each ItemOut line, as Document.items lists it.
ITEM = ("lineNumber", "quantity", "supplierPartId", "supplierPartAuxiliaryId", "description")
ITEM += ("unitPrice",)


def test_every_document_is_described() -> None:
    assert [path.name for path in files()] == NAMES
    styles = {name.split(".")[0] for name in NAMES}
    assert styles >= {"ariba", "coupa", "jaggaer", "oracle", "sap-srm", "workday", "generic"}


async def _customer(world: World, spec: Document, document: bytes) -> tuple[int, str] | None:
    """The customer the document is for, set up as its system's would be: id and key."""
    if spec.customer == "none":
        return None
    if spec.customer == "sender":
        buyer = await make_buyer(world.acme, sender_identity(document))
        return buyer.customer_id, buyer.key
    # A hub (Ariba Network) sends its own identity as Sender: the buyer is named by From.
    buyer = await make_buyer(world.acme, "buyer-ag-via-hub")
    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    await set_buyer_identity(admin, buyer.customer_id, *HUB_IDENTITY)
    await set_developer_field(admin, buyer.customer_id, IDENTITY_SETTING, "From")
    return buyer.customer_id, buyer.key


def allowing_http(settings: Settings) -> httpx.AsyncClient:
    """A client of the app as the tests' settings make it, with OPSPORTAL_ALLOW_HTTP_BUYER_URLS
    on."""
    app = create_app(replace(settings, allow_http_buyer_urls=True), vault=VAULT)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test")


@pytest.mark.parametrize("name", NAMES)
async def test_each_document_gets_its_answer(
    client: httpx.AsyncClient, settings: Settings, world: World, name: str
) -> None:
    async with AsyncExitStack() as stack:
        await _answer(client, settings, world, name, stack)


async def _answer(
    client: httpx.AsyncClient, settings: Settings, world: World, name: str, stack: AsyncExitStack
) -> None:
    spec, document = DOCUMENTS[name], read(name)
    customer = await _customer(world, spec, document)
    if customer and has_secret(document):
        document = with_secret(document, customer[1])

    if spec.http_return:
        # Refused by default, naming the element; served where http return URLs are allowed.
        refused = await post_cxml(client, document)
        assert (refused.code, refused.message[:20]) == (400, "BrowserFormPost URL ")
        assert await PunchoutSession.all().count() == 0
        client = await stack.enter_async_context(allowing_http(settings))
    answer = await post_cxml(client, document)
    if spec.attachments:
        # Its cid: URLs name parts a plain body lacks: refused, naming the first.
        assert answer.code == 400 and f"<{spec.attachments[0]}>" in answer.message
        assert await Order.all().count() == 0
        parts = [Part(cid, PDF, "application/pdf", cid) for cid in spec.attachments]
        body, content_type = related(document, parts)
        answer = await post_cxml(client, body, content_type=content_type)
    assert (answer.http_status, answer.code) == (200, spec.code), answer.message
    answer.assert_valid()
    entry = await CxmlExchange.all().order_by("-id").first()
    assert entry is not None
    customer_id = customer[0] if customer else None
    assert (entry.failure, entry.customer_id) == (spec.failure, customer_id)
    if spec.code != 200:
        assert await PunchoutSession.all().count() == await Order.all().count() == 0
        return

    kind = request_type(path(name))
    if kind == "PunchOutSetupRequest":
        assert answer.start_url.startswith("https://punchout.example.com/punchout/start/")
        session = await PunchoutSession.get(customer_id=customer_id)
        for field, expected in spec.session.items():
            assert getattr(session, field) == expected, field
        assert [tuple(i[k] for k in ITEM) for i in session.items] == spec.items
    elif kind == "OrderRequest":
        order = await Order.get(customer_id=customer_id)
        for field, expected in spec.order.items():
            assert getattr(order, field) == expected, field
        lines = await OrderLine.filter(order=order).order_by("line_number")
        assert [(x.line_number, x.supplier_part_id, x.quantity) for x in lines] == spec.lines
    else:
        assert kind == "ProfileRequest"
        urls = answer.root.xpath("//ProfileResponse/Transaction/URL/text()")
        assert set(urls) == {"https://punchout.example.com/cxml"}

    # The same document with a wrong key: refused, and nothing more stored.
    assert customer is not None
    refused = await post_cxml(client, with_secret(document, customer[1][:-1] + "x"))
    assert (refused.http_status, refused.code) == (200, 401)
    assert (await CxmlExchange.all().order_by("-id").first()).failure == "WRONG_SECRET"
    assert await PunchoutSession.all().count() == (kind == "PunchOutSetupRequest")
    assert await Order.all().count() == (kind == "OrderRequest")


def test_the_shape_check_finds_what_is_wrong() -> None:
    """The check the project's own tests use in place of the DTD can fail."""
    good = etree.fromstring(status_document(401, "Unauthorized", "No."))
    assert problems(good) == []
    for change, found in (
        (lambda r: r.attrib.pop("payloadID"), "missing payloadID"),
        (lambda r: r.set("timestamp", "Tue Nov 24 09:15:02 +0000 2026"), "no ISO 8601"),
        (lambda r: r.find("Response/Status").set("code", "OK"), "@code"),
        (lambda r: etree.SubElement(r.find("Response"), "Status"), "children"),
        (lambda r: etree.SubElement(r.find("Response"), "Surprise"), "no element the server"),
        (lambda r: r.find("Response/Status").set("lang", "en"), "unexpected lang"),
    ):
        root = etree.fromstring(status_document(401, "Unauthorized", "No."))
        change(root)
        assert any(found in p for p in problems(root)), (found, problems(root))
