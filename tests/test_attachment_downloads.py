"""Reading an order's attachments back: the GraphQL fields, the download (authorized as the
order is, served as a download that never renders), and the connection log's list."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

import httpx

from graph.attachment_download import content_disposition
from persistence.punchout_tables import OrderAttachment
from testkit.multipart import DRAWING, PDF, Part, cid, order_with_attachments, related
from tests.conftest import Api, Buyer, World, global_id, make_buyer
from tests.cxml_helpers import post_cxml

ORDER_ATTACHMENTS = """query($id: ID!) { company(id: $id) { orders(first: 50) { edges { node {
  orderId attachments { contentId contentType fileName size sha256 downloadUrl payloadId }
} } } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Order { attachments { contentId } } } }"""
LOG = """query($id: ID!) { customer(id: $id) { cxmlLog(first: 10) { edges { node {
  requestType statusCode requestBody attachments { contentId contentType size }
} } } } }"""
HTML = Part("page@buyer.example", b"<script>alert(1)</script>", "text/html", '"x"/../page.html')


async def send_order(http: httpx.AsyncClient, buyer: Buyer, order_id: str = "PO-1001") -> None:
    parts = [
        Part("spec@buyer.example", PDF, "application/pdf", "Spezifikation Ä.pdf"),
        Part("dwg@buyer.example", DRAWING, "image/vnd.dwg", "part.dwg", "binary"),
        HTML,
    ]
    document = order_with_attachments(
        buyer.username,
        buyer.key,
        header=[cid("spec@buyer.example"), cid(HTML.content_id)],
        line=[cid("dwg@buyer.example")],
        order_id=order_id,
        payload=f"{order_id}@buyer.example",
    )
    body, content_type = related(document, parts)
    answer = await post_cxml(http, body, content_type=content_type)
    assert answer.code == 200, answer.message


async def attachments_of(api: Api, world: World, token: str) -> list[dict]:
    body = await api(ORDER_ATTACHMENTS, {"id": global_id("Company", world.acme.id)}, token)
    assert "errors" not in body, body
    [order] = [e["node"] for e in body["data"]["company"]["orders"]["edges"]]
    return order["attachments"]


async def get(http: httpx.AsyncClient, url: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.get(urlsplit(url).path, headers=headers)


async def test_staff_read_the_attachments_and_download_them(
    api: Api, world: World, buyer: Buyer
) -> None:
    await send_order(api.http, buyer)
    listed = await attachments_of(api, world, world.tokens["administrator"])
    ids = [a.id for a in await OrderAttachment.all().order_by("id")]
    assert listed == [
        {
            "contentId": "spec@buyer.example",
            "contentType": "application/pdf",
            "fileName": "Spezifikation Ä.pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "downloadUrl": f"https://punchout.example.com/orders/attachments/{ids[0]}",
            "payloadId": "PO-1001@buyer.example",
        },
        {
            "contentId": "dwg@buyer.example",
            "contentType": "image/vnd.dwg",
            "fileName": "part.dwg",
            "size": len(DRAWING),
            "sha256": hashlib.sha256(DRAWING).hexdigest(),
            "downloadUrl": f"https://punchout.example.com/orders/attachments/{ids[1]}",
            "payloadId": "PO-1001@buyer.example",
        },
        {
            "contentId": "page@buyer.example",
            "contentType": "text/html",
            "fileName": '"x"/../page.html',
            "size": len(HTML.data),
            "sha256": hashlib.sha256(HTML.data).hexdigest(),
            "downloadUrl": f"https://punchout.example.com/orders/attachments/{ids[2]}",
            "payloadId": "PO-1001@buyer.example",
        },
    ]
    for item, sent in zip(listed, (PDF, DRAWING), strict=False):
        response = await get(api.http, item["downloadUrl"], world.tokens["administrator"])
        assert response.status_code == 200
        assert response.content == sent
        assert response.headers["content-type"] == item["contentType"]
        assert response.headers["content-length"] == str(len(sent))
    pdf = await get(api.http, listed[0]["downloadUrl"], world.tokens["administrator"])
    assert pdf.headers["content-disposition"] == (
        "attachment; filename=\"Spezifikation _.pdf\"; filename*=UTF-8''Spezifikation%20%C3%84.pdf"
    )
    # The bytes are the buyer's: whatever they hold, a browser downloads them, never runs them.
    page = await get(api.http, listed[2]["downloadUrl"], world.tokens["crmCompanyEdit"])
    assert page.status_code == 200 and page.content == HTML.data
    assert page.headers["content-type"] == "text/html"
    assert page.headers["content-disposition"] == (
        "attachment; filename=\"page.html\"; filename*=UTF-8''page.html"
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    policy = page.headers["content-security-policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "private, no-store"


async def test_no_download_without_the_order(api: Api, world: World, buyer: Buyer) -> None:
    other = await make_buyer(world.globex, "globex-buyer")
    await send_order(api.http, other, "G-1")
    [attachment, *_] = await OrderAttachment.all().order_by("id")
    url = f"/orders/attachments/{attachment.id}"
    admin = world.tokens["administrator"]
    assert (await get(api.http, url, admin)).content == PDF
    for token in (
        world.tokens["crmCompanyEdit"],  # reaches ACME only
        world.tokens["none"],  # reaches no company
        None,  # signed out
        "not-a-token",
    ):
        response = await get(api.http, url, token)
        assert (response.status_code, response.text) == (404, "Not Found\n"), token
        assert response.headers["x-content-type-options"] == "nosniff"
    # Another scheme is no bearer token; an unknown or malformed id is as missing.
    response = await api.http.get(url, headers={"Authorization": f"Basic {admin}"})
    assert response.status_code == 404
    for path in (f"/orders/attachments/{attachment.id + 100}", "/orders/attachments/x"):
        assert (await get(api.http, path, admin)).status_code == 404
    # The order itself is out of reach alike, in GraphQL.
    crm = world.tokens["crmCompanyEdit"]
    order = global_id("Order", attachment.order_id)
    assert await api(NODE, {"id": order}, crm) == {"data": {"node": None}}
    body = await api(NODE, {"id": order}, admin)
    assert [a["contentId"] for a in body["data"]["node"]["attachments"]][0] == "spec@buyer.example"


async def test_the_log_lists_attachments_without_their_bytes(
    api: Api, world: World, buyer: Buyer
) -> None:
    await send_order(api.http, buyer)
    await post_cxml(api.http, order_with_attachments(buyer.username, buyer.key, header=["cid:x"]))
    body = await api(
        LOG, {"id": global_id("Customer", buyer.customer_id)}, world.tokens["crmCompanyEdit"]
    )
    refused, received = (e["node"] for e in body["data"]["customer"]["cxmlLog"]["edges"])
    assert (refused["statusCode"], refused["attachments"]) == (400, [])
    assert received["attachments"] == [
        {"contentId": "spec@buyer.example", "contentType": "application/pdf", "size": len(PDF)},
        {"contentId": "dwg@buyer.example", "contentType": "image/vnd.dwg", "size": len(DRAWING)},
        {"contentId": "page@buyer.example", "contentType": "text/html", "size": len(HTML.data)},
    ]
    assert "<OrderRequest>" in received["requestBody"]
    assert buyer.key not in received["requestBody"]
    assert "%PDF" not in received["requestBody"] and "<script>" not in received["requestBody"]


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def statements(api: Api, world: World) -> int:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        body = await api(
            ORDER_ATTACHMENTS,
            {"id": global_id("Company", world.acme.id)},
            world.tokens["administrator"],
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "errors" not in body
    return handler.count


async def test_attachments_load_in_one_statement_for_a_page_of_orders(
    api: Api, world: World, buyer: Buyer
) -> None:
    await send_order(api.http, buyer, "PO-0")
    one = await statements(api, world)
    for i in range(1, 6):
        await send_order(api.http, buyer, f"PO-{i}")
    assert await statements(api, world) == one
    assert await OrderAttachment.all().count() == 18


def test_file_names_in_content_disposition() -> None:
    assert content_disposition("plan.pdf", "f") == (
        "attachment; filename=\"plan.pdf\"; filename*=UTF-8''plan.pdf"
    )
    assert content_disposition('C:\\temp\\a "b"%.pdf', "f") == (
        "attachment; filename=\"a _b__.pdf\"; filename*=UTF-8''a%20%22b%22%25.pdf"
    )
    assert content_disposition("Łódź\r\n.dwg", "f") == (
        "attachment; filename=\"__d_.dwg\"; filename*=UTF-8''%C5%81%C3%B3d%C5%BA.dwg"
    )
    assert content_disposition(None, "attachment-7") == (
        "attachment; filename=\"attachment-7\"; filename*=UTF-8''attachment-7"
    )
    assert content_disposition("../", "attachment-7").startswith('attachment; filename="attach')
