"""cXML documents as buyers send them: builders, small readers, and where the shared corpus
of real-world samples lives."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from lxml import etree

# Real cXML documents to send (the fault scripts): the shared corpus of real-world samples
# when the conformance run is configured, else the project's own documents.
_REPOSITORY = Path(__file__).resolve().parents[1]
SAMPLES = _REPOSITORY / (os.environ.get("OPSPORTAL_CXML_CORPUS") or "tests/documents")
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

SETUP = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">
<cXML payloadID="{payload}" timestamp="2026-11-27T10:00:00+01:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="NetworkID"><Identity>{from_}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>opsportal-supplier</Identity></Credential></To>
    <Sender>
      {senders}
      <UserAgent>Test Procurement 1.0</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="{mode}">
    {request}
  </Request>
</cXML>"""
SENDER = (
    '<Credential domain="NetworkID"><Identity>{identity}</Identity>'
    "<SharedSecret>{secret}</SharedSecret></Credential>"
)
SETUP_REQUEST = """<PunchOutSetupRequest operation="{operation}">
      <BuyerCookie>{cookie}</BuyerCookie>
      <Extrinsic name="UserEmail">jane@buyer.example</Extrinsic>
      <BrowserFormPost><URL> https://buyer.example/return </URL></BrowserFormPost>
      {items}
    </PunchOutSetupRequest>"""
# One quoted line, as an edit or inspect setup brings the cart back.
ITEMS = """
      <ItemOut quantity="2" lineNumber="1">
        <ItemID><SupplierPartID>PEN-042</SupplierPartID>
          <SupplierPartAuxiliaryID>quote-7</SupplierPartAuxiliaryID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="EUR">1.25</Money></UnitPrice>
          <Description xml:lang="en">Blue pen</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">44121704</Classification>
        </ItemDetail>
      </ItemOut>"""


def setup_document(
    identity: str,
    secret: str | None,
    *,
    operation: str = "create",
    cookie: str = "cookie-1",
    from_: str | None = None,
    senders: str | None = None,
    items: str = "",
    mode: str = "production",
    payload: str = "1.2.3@buyer.example",
    request: str | None = None,
) -> str:
    if senders is None:
        senders = SENDER.format(identity=identity, secret=secret)
        if secret is None:
            senders = f'<Credential domain="NetworkID"><Identity>{identity}</Identity></Credential>'
    return SETUP.format(
        payload=payload,
        from_=from_ or identity,
        senders=senders,
        mode=mode,
        request=request or SETUP_REQUEST.format(operation=operation, cookie=cookie, items=items),
    )


ORDER_REQUEST = """<OrderRequest>
      <OrderRequestHeader orderID="{order_id}" orderDate="2026-11-27T11:00:00+01:00" type="{kind}">
        <Total><Money currency="EUR">{total}</Money></Total>
        <ShipTo><Address addressID="HQ" isoCountryCode="DE"><Name xml:lang="en">Buyer HQ</Name>
          <PostalAddress><DeliverTo>Jane Buyer</DeliverTo><Street>Main St 1</Street>
            <City>Berlin</City><PostalCode>10115</PostalCode>
            <Country isoCountryCode="DE">Germany</Country></PostalAddress></Address></ShipTo>
        <BillTo><Address addressID="AP"><Name xml:lang="en">Accounts Payable</Name>
          </Address></BillTo>
        <Payment><PCard number="4111111111111111" expiration="2030-01-01"/></Payment>
        <Comments xml:lang="en">Please deliver before noon.</Comments>
        <Extrinsic name="CostCenter">CC-7</Extrinsic>
      </OrderRequestHeader>
      {lines}
    </OrderRequest>"""
ORDER_LINE = """<ItemOut quantity="{quantity}" lineNumber="{number}">
        <ItemID><SupplierPartID>{part}</SupplierPartID>{aux}</ItemID>
        <ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice>
          <Description xml:lang="en">{description}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">44121704</Classification></ItemDetail>
      </ItemOut>"""


def order_document(
    identity: str,
    secret: str,
    *,
    order_id: str = "PO-1001",
    kind: str = "new",
    payload: str = "order-1@buyer.example",
    mode: str = "production",
    lines: list[tuple[str, str, str, str, str | None]] | None = None,
) -> str:
    """An OrderRequest; lines are (part, quantity, price, description, auxiliary id)."""
    lines = lines if lines is not None else [("PEN-042", "2", "1.25", "Blue pen", None)]
    items = "".join(
        ORDER_LINE.format(
            quantity=quantity,
            number=number,
            part=part,
            price=price,
            description=description,
            aux=f"<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID>" if aux else "",
        )
        for number, (part, quantity, price, description, aux) in enumerate(lines, start=1)
    )
    total = sum(float(q) * float(p) for _, q, p, _, _ in lines)
    return setup_document(
        identity,
        secret,
        payload=payload,
        mode=mode,
        request=ORDER_REQUEST.format(
            order_id=order_id, kind=kind, total=f"{total:.2f}", lines=items
        ),
    )


_UTF16 = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _utf16(document: bytes) -> tuple[bytes, str] | None:
    """The BOM and codec of a UTF-16 document; None for the ASCII-compatible encodings."""
    return next(((bom, name) for bom, name in _UTF16 if document.startswith(bom)), None)


def with_secret(document: bytes, secret: str) -> bytes:
    """The document, byte for byte, with the secret of its (first) SharedSecret replaced;
    in the document's own encoding."""
    if utf16 := _utf16(document):
        bom, codec = utf16
        text = with_secret(document[len(bom) :].decode(codec).encode(), secret).decode()
        return bom + text.encode(codec)
    replaced, count = re.subn(
        rb"(<SharedSecret>)(.*?)(</SharedSecret>)",
        lambda m: m.group(1) + secret.encode() + m.group(3),
        document,
        count=1,
        flags=re.S,
    )
    assert count == 1
    return replaced


def has_secret(document: bytes) -> bool:
    """Whether the document sends a SharedSecret, in whatever encoding."""
    if utf16 := _utf16(document):
        return "<SharedSecret>" in document[len(utf16[0]) :].decode(utf16[1])
    return b"<SharedSecret>" in document


def request_type(path: Path) -> str | None:
    """The element name of the document's request (PunchOutSetupRequest...), if any."""
    try:
        root = etree.parse(str(path), SAFE_XML).getroot()
    except etree.XMLSyntaxError:
        return None
    request = root.find("Request")
    kinds = [c.tag for c in request if isinstance(c.tag, str)] if request is not None else []
    return kinds[0] if kinds else None


def sender_identity(document: bytes) -> str:
    root = etree.fromstring(document, SAFE_XML)
    return (root.findtext("Header/Sender/Credential/Identity") or "").strip()
