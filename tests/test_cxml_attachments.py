"""OrderRequests (and setup requests) with attachments: multipart/related bodies built with the
standard library's email package, posted over HTTP, stored whole or refused whole."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest

from cxml.attachments import content_id_of
from cxml.multipart import MAX_HEADER, MAX_PARTS
from opsportal.app import create_app
from opsportal.config import Settings
from persistence.punchout_tables import (
    CxmlExchange,
    CxmlReceipt,
    Order,
    OrderAttachment,
    OrderLine,
    PunchoutSession,
)
from testkit.documents import order_document
from testkit.multipart import (
    DRAWING,
    PDF,
    Part,
    cid,
    order_with_attachments,
    related,
    setup_with_attachments,
)
from tests.conftest import VAULT, Buyer
from tests.cxml_helpers import Answer, post_cxml

SPEC = Part("spec@buyer.example", PDF, "application/pdf", "Spezifikation Ä.pdf", "base64")
# A Content-ID a cid: URL must percent-encode (the "/"), sent unencoded (8-bit bytes as sent).
DRAWING_PART = Part("dwg/rev-b@buyer.example", DRAWING, "image/vnd.dwg", "part 7.dwg", "binary")


def order_body(buyer: Buyer, parts: tuple[Part, ...] = (SPEC, DRAWING_PART), **options) -> tuple:
    document = order_with_attachments(
        buyer.username,
        buyer.key,
        header=[cid(SPEC.content_id)],
        line=["CID:" + cid(DRAWING_PART.content_id)[4:]],  # the scheme in any case
        **options,
    )
    return related(document, parts)


async def post(http: httpx.AsyncClient, body: bytes, content_type: str, path="/cxml") -> Answer:
    return await post_cxml(http, body, path, content_type=content_type)


async def nothing_stored() -> None:
    for table in (Order, OrderLine, OrderAttachment, CxmlReceipt, PunchoutSession):
        assert await table.all().count() == 0, table


async def test_an_order_with_a_header_and_an_item_attachment(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    body, content_type = order_body(buyer)
    assert content_type.startswith('multipart/related; type="text/xml"; start="<')
    answer = await post(client, body, content_type, "/punchout/order")
    assert (answer.http_status, answer.code) == (200, 200), answer.message
    answer.assert_valid()
    order = await Order.get()
    # The comment is what the buyer wrote: its Attachment's cid: URL is no part of it.
    assert order.comments == "Please deliver before noon."
    stored = await OrderAttachment.filter(order_id=order.id).order_by("id")
    assert [(a.content_id, a.content_type, a.file_name) for a in stored] == [
        ("spec@buyer.example", "application/pdf", "Spezifikation Ä.pdf"),
        ("dwg/rev-b@buyer.example", "image/vnd.dwg", "part 7.dwg"),
    ]
    for row, sent in zip(stored, (PDF, DRAWING), strict=True):
        assert bytes(row.data) == sent  # byte for byte, CR, LF and NUL included
        assert (row.size, row.sha256) == (len(sent), hashlib.sha256(sent).hexdigest())
        assert row.payload_id == "order-1@buyer.example"
    entry = await CxmlExchange.get()
    assert entry.attachments == [
        {"contentId": "spec@buyer.example", "contentType": "application/pdf", "size": len(PDF)},
        {
            "contentId": "dwg/rev-b@buyer.example",
            "contentType": "image/vnd.dwg",
            "size": len(DRAWING),
        },
    ]
    # The log holds the cXML part, redacted as ever, and nothing of the attachments' bytes.
    assert entry.request_body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert buyer.key not in entry.request_body and "<SharedSecret>***" in entry.request_body
    assert "%PDF" not in entry.request_body and "AC1032" not in entry.request_body


@pytest.mark.parametrize("root_encoding", ["base64", "quoted-printable"])
async def test_transfer_encodings_are_decoded_as_email_decodes_them(
    client: httpx.AsyncClient, buyer: Buyer, root_encoding: str
) -> None:
    document = order_with_attachments(buyer.username, buyer.key, header=[cid("a@b"), cid("c@d")])
    parts = [
        Part("a@b", DRAWING, "application/octet-stream", encoding="quoted-printable"),
        Part("c@d", b"plain text, CRLF kept\r\n", "text/plain; charset=US-ASCII", "n.txt", "7bit"),
    ]
    # The cXML part encoded too, sent last and named by `start`.
    body, content_type = related(document, parts, root_last=True, root_encoding=root_encoding)
    answer = await post(client, body, content_type)
    assert answer.code == 200, answer.message
    stored = {a.content_id: a for a in await OrderAttachment.all()}
    assert bytes(stored["a@b"].data) == DRAWING
    assert bytes(stored["c@d"].data) == b"plain text, CRLF kept\r\n"
    assert stored["c@d"].content_type == "text/plain; charset=us-ascii"
    assert "PEN-042" in (await CxmlExchange.get()).request_body


async def test_without_start_the_first_part_is_the_document(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    body, content_type = related(
        order_with_attachments(buyer.username, buyer.key, header=[cid(SPEC.content_id)]),
        [SPEC],
        start=None,
    )
    assert "start=" not in content_type
    assert (await post(client, body, content_type)).code == 200
    assert await OrderAttachment.all().count() == 1


async def test_a_missing_part_is_refused_naming_it_and_nothing_is_stored(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    body, content_type = order_body(buyer, parts=(SPEC,))  # the drawing left out
    answer = await post(client, body, content_type)
    assert (answer.code, answer.status_text) == (400, "Bad Request")
    assert "dwg/rev-b@buyer.example" in answer.message
    await nothing_stored()
    entry = await CxmlExchange.get()
    assert (entry.failure, entry.customer_id) == ("MISSING_ATTACHMENT", buyer.customer_id)
    assert [a["contentId"] for a in entry.attachments] == ["spec@buyer.example"]
    # A plain XML body that references a part is missing it too.
    document = order_with_attachments(buyer.username, buyer.key, header=[cid("gone@b")])
    answer = await post_cxml(client, document)
    assert answer.code == 400 and "<gone@b>" in answer.message
    await nothing_stored()


async def test_parts_nobody_references_are_kept_too(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    terms = Part("terms@buyer.example", b"Terms and conditions", "text/plain", "terms.txt")
    body, content_type = order_body(buyer, parts=(SPEC, DRAWING_PART, terms))
    assert (await post(client, body, content_type)).code == 200
    ids = await OrderAttachment.all().order_by("id").values_list("content_id", flat=True)
    assert ids == ["spec@buyer.example", "dwg/rev-b@buyer.example", "terms@buyer.example"]


async def test_a_retry_is_answered_alike_and_stores_nothing_twice(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    body, content_type = order_body(buyer)
    first = await post(client, body, content_type)
    again = await post(client, body, content_type)
    # Rebuilt for the retry: another boundary, the same parts.
    rebuilt, rebuilt_type = order_body(buyer)
    assert rebuilt != body
    third = await post(client, rebuilt, rebuilt_type)
    assert first.code == again.code == third.code == 200
    assert first.body == again.body == third.body
    assert await OrderAttachment.all().count() == 2
    assert await CxmlReceipt.all().count() == 1
    reasons = await CxmlExchange.all().order_by("id").values_list("reason", flat=True)
    assert reasons[0] is None and all("A retry" in r for r in reasons[1:])
    # The same payloadID with other bytes in a part: another document, refused.
    changed = Part(SPEC.content_id, PDF + b"\n% revised", "application/pdf", SPEC.file_name)
    body, content_type = order_body(buyer, parts=(changed, DRAWING_PART))
    answer = await post(client, body, content_type)
    assert (answer.code, answer.status_text) == (409, "Conflict")
    assert await OrderAttachment.all().count() == 2


async def test_the_receipt_of_a_plain_order_is_unchanged(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    # Receipts stored before attachments existed still recognise their retries.
    document = order_document(buyer.username, buyer.key)
    assert (await post_cxml(client, document)).code == 200
    receipt = await CxmlReceipt.get()
    assert receipt.body_sha256 == hashlib.sha256(document.encode()).hexdigest()


async def test_an_update_adds_its_attachments_and_keeps_the_earlier_ones(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    body, content_type = order_body(buyer)
    assert (await post(client, body, content_type)).code == 200
    revised = Part("spec-rev2@buyer.example", PDF + b"rev 2", "application/pdf", "spec-2.pdf")
    document = order_with_attachments(
        buyer.username, buyer.key, header=[cid(revised.content_id)], kind="update", payload="u@b"
    )
    body, content_type = related(document, [revised])
    assert (await post(client, body, content_type)).code == 200
    rows = await OrderAttachment.all().order_by("id").values_list("content_id", "payload_id")
    assert rows == [
        ("spec@buyer.example", "order-1@buyer.example"),
        ("dwg/rev-b@buyer.example", "order-1@buyer.example"),
        ("spec-rev2@buyer.example", "u@b"),
    ]
    assert (await Order.get()).order_type == "update"


async def test_a_setup_request_may_carry_attachments(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    part = Part("rfq@buyer.example", PDF, "application/pdf", "rfq.pdf")
    document = setup_with_attachments(buyer.username, buyer.key, [cid(part.content_id)])
    body, content_type = related(document, [part])
    answer = await post(client, body, content_type, "/punchout/setup")
    assert answer.code == 200 and answer.start_url, answer.message
    assert await PunchoutSession.all().count() == 1
    assert await OrderAttachment.all().count() == 0  # not stored with the session
    entry = await CxmlExchange.get()
    assert entry.attachments == [
        {"contentId": "rfq@buyer.example", "contentType": "application/pdf", "size": len(PDF)}
    ]
    # Its references are checked as an order's are.
    document = setup_with_attachments(buyer.username, buyer.key, [cid("nope@b")], payload="2@b")
    body, content_type = related(document, [part])
    answer = await post(client, body, content_type, "/punchout/setup")
    assert answer.code == 400 and "<nope@b>" in answer.message
    assert await PunchoutSession.all().count() == 1


def _frame(*parts: bytes, close: bool = True) -> bytes:
    body = b"".join(b"--b\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--b--\r\n" if close else b"")


CXML_PART = b"Content-Type: text/xml\r\nContent-ID: <r@b>\r\n\r\n<cXML/>"
MALFORMED = [
    ('multipart/related; boundary="b"', _frame(CXML_PART, close=False), "close boundary"),
    ("multipart/related", _frame(CXML_PART), "no boundary"),
    ('multipart/related; boundary="other"', _frame(CXML_PART), "never found"),
    ('multipart/mixed; boundary="b"', _frame(CXML_PART), "multipart/related"),
    ('multipart/related; boundary="b"; start="<x@b>"', _frame(CXML_PART), "<x@b>"),
    (
        'multipart/related; boundary="b"',
        _frame(CXML_PART, b"Content-ID: <a@b>\r\nContent-Transfer-Encoding: base64\r\n\r\n!*!"),
        "base64",
    ),
    ('multipart/related; boundary="b"', _frame(CXML_PART, b"\r\nno id"), "no Content-ID"),
    (
        'multipart/related; boundary="b"',
        _frame(CXML_PART, b"Content-ID: <a@b>\r\n\r\n1", b"Content-ID: <a@b>\r\n\r\n2"),
        "two parts",
    ),
    (
        'multipart/related; boundary="b"; start="<r@b>"',
        _frame(CXML_PART, b"Content-ID: <r@b>\r\n\r\nnot the document"),
        "two parts",
    ),
    (
        'multipart/related; boundary="b"',
        _frame(CXML_PART, b"Content-ID: <a@b>\r\nContent-Transfer-Encoding: x-gzip\r\n\r\n1"),
        "x-gzip",
    ),
    (
        'multipart/related; boundary="b"',
        _frame(CXML_PART, *(b"Content-ID: <%d@b>\r\n\r\n." % i for i in range(MAX_PARTS))),
        f"more than {MAX_PARTS} parts",
    ),
    (
        'multipart/related; boundary="b"',
        _frame(CXML_PART, b"Content-ID: <a@b>\r\nContent-Type: text/plain; " + b"a=b;" * 300),
        f"over {MAX_HEADER} characters",
    ),
    (
        'multipart/related; boundary="b0"',
        b"".join(
            b'--b%d\r\nContent-Type: multipart/related; boundary="b%d"\r\n\r\n' % (i, i + 1)
            for i in range(5000)
        ),
        "parts",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "why"), MALFORMED)
async def test_a_malformed_multipart_is_refused_saying_why(
    client: httpx.AsyncClient, buyer: Buyer, content_type: str, body: bytes, why: str
) -> None:
    answer = await post(client, body, content_type, "/punchout/order")
    assert (answer.http_status, answer.code, answer.status_text) == (200, 406, "Not Acceptable")
    assert answer.message.startswith("The multipart body cannot be read: ")
    assert why in answer.message, answer.message
    entry = await CxmlExchange.get()
    assert (entry.failure, entry.request_body, entry.attachments) == (
        "MALFORMED_MULTIPART",
        "",  # not logged: its parts may hold a secret in any encoding
        None,
    )
    await nothing_stored()


async def test_sizes(database_url: str, db: str, buyer: Buyer) -> None:
    assert Settings().cxml_max_bytes == 20 * 1024 * 1024
    assert Settings().cxml_document_limit == 1024 * 1024
    small = Settings(
        database_url=database_url, cxml_max_bytes=64 * 1024, cxml_max_document_bytes=8 * 1024
    )
    transport = httpx.ASGITransport(app=create_app(small, vault=VAULT))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        big = Part("big@b", os.urandom(64 * 1024), "application/pdf", "big.pdf")
        body, content_type = related(
            order_with_attachments(buyer.username, buyer.key, header=[cid("big@b")]), [big]
        )
        answer = await post(http, body, content_type)
        assert (answer.code, answer.status_text) == (413, "Request Entity Too Large")
        assert str(64 * 1024) in answer.message
        # The document itself is held to the document limit, however it comes.
        padded = order_document(buyer.username, buyer.key).replace(
            "<Header>", "<Header>" + " " * 8192
        )
        body, content_type = related(padded)
        answer = await post(http, body, content_type)
        assert answer.code == 413 and "cXML document" in answer.message
        answer = await post_cxml(http, padded)
        assert answer.code == 413 and str(8 * 1024) in answer.message
    failures = await CxmlExchange.all().values_list("failure", flat=True)
    assert failures == ["OVERSIZED_BODY"] * 3
    await nothing_stored()


async def test_a_drawing_of_fifteen_mebibytes_is_taken_by_default(
    client: httpx.AsyncClient, buyer: Buyer
) -> None:
    scan = Part("scan@b", os.urandom(15 * 1024 * 1024), "image/tiff", "scan.tif", "binary")
    body, content_type = related(
        order_with_attachments(buyer.username, buyer.key, header=[cid("scan@b")]), [scan]
    )
    answer = await post(client, body, content_type)
    assert answer.code == 200, answer.message
    stored = await OrderAttachment.get()
    assert stored.sha256 == hashlib.sha256(scan.data).hexdigest() and stored.size == len(scan.data)


def test_cid_urls_name_content_ids_as_rfc_2392_says() -> None:
    assert content_id_of("cid:foo4*foo1@bar.net") == "foo4*foo1@bar.net"
    assert content_id_of("CID:a%2Fb%20c@d") == "a/b c@d"
    assert content_id_of("https://buyer.example/spec.pdf") is None
    assert content_id_of("mid:x@y") is None
