"""Reading cXML requests safely: no network, no DTD loading, no entity expansion.

Lenient where the meaning is clear (no DOCTYPE, non-ISO timestamps, domains in any case,
whitespace around identities and URLs, elements out of DTD order), strict where it is not.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass

from lxml import etree

from cxml.elements import (
    LINE_NUMBER,
    XML_SPACE,
    address,
    comment,
    contact,
    counted,
    currency,
    decimal,
    extrinsics,
    fits,
    item_label,
    item_out,
    money,
    return_url,
    text,
)
from domain.errors import CxmlRefused, Failure
from domain.limits import MAX_CONTACTS, MAX_DESCRIPTION, MAX_EXTRINSICS, MAX_ORDER_LINES
from domain.orders import ORDER_TYPES, OrderData, OrderLineData
from domain.punchout import OPERATIONS, SetupData
from domain.records import (
    Credential,
    Identities,
    ItemOut,
)
from domain.storefront import MAX_CART_LINES

_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's parser: a parser used again parses a setup in half the time of a new one
    (a parser is not for two threads at once, hence one a thread)."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    # libxml2 refuses documents nested deeper than 256 levels unless huge_tree is set; cXML
    # needs a few dozen at most.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@dataclass
class Envelope:
    """A cXML request document: its header and its one request element."""

    payload_id: str | None
    timestamp: str | None
    identities: Identities
    deployment_mode: str
    request_type: str
    request: etree._Element
    request_count: int = 1


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")


def document_text(data: bytes) -> str:
    """The document as text in the encoding it declares (its BOM, its XML declaration), so
    that the log's redaction sees SharedSecret however the buyer encoded it; even when the
    document does not parse."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and data[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
    if encoding is None:
        declared = _DECLARED.match(data[:200])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        text = data.decode(encoding, "replace")
    except (LookupError, UnicodeError):  # an unknown name, or a codec such as idna or undefined
        text = data.decode("utf-8", "replace")
    # Some codecs (utf-7, unicode_escape) decode to lone surrogates, which no database stores.
    return text.encode("utf-8", "replace").decode("utf-8")


def parse_document(data: bytes) -> etree._Element:
    """The root element of a well-formed, entity-free XML document."""
    if not data.strip():
        raise CxmlRefused(Failure.MALFORMED_XML, "The request body is empty.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        declares = "<!ENTITY" in document_text(data[:65536])
        if declares or "depth" in message.lower() or "entit" in message.lower():
            raise CxmlRefused(Failure.HOSTILE_XML, f"Refused: {message}") from None
        raise CxmlRefused(Failure.MALFORMED_XML, f"Not well-formed XML: {message}") from None
    doctype = root.getroottree().docinfo.internalDTD
    if doctype is not None and any(True for _ in doctype.iterentities()):
        raise CxmlRefused(
            Failure.HOSTILE_XML, "Entity declarations are not accepted in cXML requests."
        )
    return root


def _credentials(header: etree._Element, part: str, with_secret: bool) -> tuple[Credential, ...]:
    element = header.find(part)
    found = element.findall("Credential") if element is not None else []
    if not found:
        raise CxmlRefused(Failure.MISSING_HEADER, f"The cXML Header has no {part}/Credential.")
    credentials = []
    for c in found:
        secret = _secret(c, part)  # checked in every part; only Sender's is used
        credentials.append(
            Credential(
                domain=(c.get("domain") or "").strip(XML_SPACE),
                identity=text(c.find("Identity")) or "",
                shared_secret=secret if with_secret else None,
            )
        )
    return tuple(credentials)


def _secret(credential: etree._Element, part: str) -> str | None:
    """A credential's SharedSecret: text only (CDATA and references are text; comments are
    dropped by the parser), never trimmed: compared exactly as sent."""
    secret = credential.find("SharedSecret")
    if secret is None:
        return None
    if len(secret):
        # Its text would be joined across the elements: a secret no buyer means to send.
        tag = str(secret[0].tag)[:40]
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            f"The {part} credential's SharedSecret holds elements (<{tag}>); a SharedSecret "
            "is text only.",
        )
    return secret.text or ""


def read_envelope(root: etree._Element) -> Envelope:
    """The header and request of a cXML document; CxmlRefused when it is not a cXML request."""
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "cxml":
        raise CxmlRefused(Failure.NOT_CXML, f"The root element is <{root.tag!s}>, not <cXML>.")
    header = root.find("Header")
    request = root.find("Request")
    if request is None:
        kind = next((c.tag for c in root if isinstance(c.tag, str) and c.tag != "Header"), None)
        if kind in ("Message", "Response"):
            raise CxmlRefused(
                Failure.UNSUPPORTED_REQUEST,
                f"This address takes cXML Requests; the document is a {kind}.",
            )
        raise CxmlRefused(Failure.INVALID_REQUEST, "The cXML document has no Request element.")
    if header is None:
        raise CxmlRefused(Failure.MISSING_HEADER, "The cXML document has no Header.")
    identities = Identities(
        from_=_credentials(header, "From", with_secret=False),
        to=_credentials(header, "To", with_secret=False),
        sender=_credentials(header, "Sender", with_secret=True),
        user_agent=text(header.find("Sender/UserAgent")),
    )
    elements = [c for c in request if isinstance(c.tag, str)]
    return Envelope(
        payload_id=(root.get("payloadID") or "").strip(XML_SPACE) or None,
        timestamp=root.get("timestamp"),
        identities=identities,
        deployment_mode=(request.get("deploymentMode") or "production").strip(XML_SPACE).lower(),
        request_type=str(elements[0].tag) if elements else "",
        request=elements[0] if elements else request,
        request_count=len(elements),
    )


def check_request(envelope: Envelope) -> None:
    """What every request must get right; checked once the sender is known."""
    if envelope.request_count != 1:
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            "A cXML Request holds exactly one request element; this one holds "
            f"{envelope.request_count}.",
        )
    if envelope.deployment_mode not in ("production", "test"):
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            f"deploymentMode is 'production' or 'test', not {envelope.deployment_mode!r}.",
        )


def read_setup(envelope: Envelope, allow_http: bool = False) -> SetupData:
    """A PunchOutSetupRequest's content. Its BrowserFormPost URL is https (or http, when
    `allow_http`: OPSPORTAL_ALLOW_HTTP_BUYER_URLS), or the request is refused."""
    element = envelope.request
    operation = (element.get("operation") or "").strip(XML_SPACE).lower()
    if operation not in OPERATIONS:
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            f"PunchOutSetupRequest operation is one of {', '.join(OPERATIONS)}, "
            f"not {element.get('operation')!r}.",
        )
    cookie = element.find("BuyerCookie")
    if cookie is None:
        raise CxmlRefused(Failure.INVALID_REQUEST, "The PunchOutSetupRequest has no BuyerCookie.")
    where = "PunchOutSetupRequest"
    found = counted(element.findall("ItemOut"), MAX_CART_LINES, where, "ItemOut lines")
    items = tuple(item_out(i, position) for position, i in enumerate(found, start=1))
    if operation != "create":  # the lines become the cart: their numbers must be numbers
        for position, item in enumerate(items, start=1):
            _cart_line(item, position)
    contacts = counted(element.findall("Contact"), MAX_CONTACTS, where, "Contact elements")
    return SetupData(
        operation=operation,
        deployment_mode=envelope.deployment_mode,
        payload_id=envelope.payload_id or "",
        buyer_cookie="".join(cookie.itertext()),  # echoed back exactly: never trimmed
        browser_form_post=return_url(element, allow_http),
        extrinsics=extrinsics(element, MAX_EXTRINSICS, where),
        contacts=tuple(contact(c, number) for number, c in enumerate(contacts, start=1)),
        ship_to=address(element.find("ShipTo/Address"), "ShipTo"),
        items=items,
    )


def _cart_line(item: ItemOut, position: int) -> None:
    """An edit or inspect request's line, which becomes a cart line: quantity and price exact
    numbers, or refused (a missing one is the cart's default: 1, and 0); its description no
    longer than a cart line's. Refused rather than cut: the line goes back to the buyer in the
    cart message, and a cut description would come back changed."""
    label = item_label(item, position)
    if item.description is not None and len(item.description) > MAX_DESCRIPTION:
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            f"{label}: Description has {len(item.description):,} characters; at most "
            f"{MAX_DESCRIPTION:,} in a cart.",
        )
    quantity = decimal(item.quantity, f"{label}: quantity")
    if quantity is not None and quantity <= 0:
        raise CxmlRefused(Failure.INVALID_REQUEST, f"{label} needs a quantity above 0.")
    decimal(item.unit_price, f"{label}: UnitPrice")


def read_order(envelope: Envelope) -> OrderData:
    """An OrderRequest's content; strict about what storing an order needs."""
    element = envelope.request
    header = element.find("OrderRequestHeader")
    if header is None:
        raise CxmlRefused(Failure.INVALID_REQUEST, "The OrderRequest has no OrderRequestHeader.")
    order_id = (header.get("orderID") or "").strip(XML_SPACE)
    if not order_id or len(order_id) > 255:
        raise CxmlRefused(Failure.INVALID_REQUEST, "OrderRequestHeader needs an orderID.")
    order_type = (header.get("type") or "new").strip(XML_SPACE).lower()
    if order_type not in ORDER_TYPES:
        raise CxmlRefused(
            Failure.INVALID_REQUEST,
            f"An order's type is new, update or delete, not {order_type!r}.",
        )
    if not envelope.payload_id:
        raise CxmlRefused(
            Failure.INVALID_REQUEST, "An OrderRequest needs a payloadID: it makes retries safe."
        )
    fits(envelope.payload_id, 255, "The payloadID")
    items = counted(element.findall("ItemOut"), MAX_ORDER_LINES, "OrderRequest", "ItemOut lines")
    if not items and order_type != "delete":
        raise CxmlRefused(Failure.INVALID_REQUEST, "The OrderRequest has no ItemOut lines.")
    lines = [_order_line(item, number) for number, item in enumerate(items, start=1)]
    numbers = [line.line_number for line in lines]
    if len(set(numbers)) != len(numbers):
        raise CxmlRefused(Failure.INVALID_REQUEST, "Two ItemOut lines share a lineNumber.")
    total = header.find("Total/Money")
    return OrderData(
        order_id=order_id,
        order_type=order_type,
        order_date=fits((header.get("orderDate") or "").strip(XML_SPACE) or None, 64, "orderDate"),
        deployment_mode=envelope.deployment_mode,
        payload_id=envelope.payload_id,
        total=decimal(text(total), "Total:"),
        currency=currency(total.get("currency") if total is not None else None, "Total"),
        ship_to=address(header.find("ShipTo/Address"), "ShipTo"),
        bill_to=address(header.find("BillTo/Address"), "BillTo"),
        shipping=money(header.find("Shipping"), "Shipping"),
        tax=money(header.find("Tax"), "Tax"),
        comments="\n".join(filter(None, (comment(c) for c in header.findall("Comments")))) or None,
        extrinsics=extrinsics(header, MAX_EXTRINSICS, "OrderRequestHeader"),
        lines=tuple(lines),
    )


def _order_line(item: etree._Element, position: int) -> OrderLineData:
    line = item_out(item, position)
    label = item_label(line, position)
    quantity = decimal(line.quantity, f"{label}: quantity")
    if quantity is None or quantity <= 0:
        raise CxmlRefused(Failure.INVALID_REQUEST, f"{label} needs a quantity above 0.")
    if not line.supplier_part_id:
        raise CxmlRefused(Failure.INVALID_REQUEST, f"{label} has no SupplierPartID.")
    number = (line.line_number or "").strip(XML_SPACE)
    fits(line.details.requested_delivery_date, 64, "A requestedDeliveryDate")
    return OrderLineData(
        line_number=int(number) if LINE_NUMBER.fullmatch(number) else position,
        quantity=quantity,
        supplier_part_id=fits(line.supplier_part_id, 255, "A SupplierPartID") or "",
        supplier_part_auxiliary_id=fits(
            line.supplier_part_auxiliary_id, 255, "A SupplierPartAuxiliaryID"
        ),
        description=line.description,
        unit_price=decimal(line.unit_price, f"{label}: UnitPrice"),
        currency=currency(line.currency, f"{label}'s UnitPrice"),
        unit_of_measure=fits(line.unit_of_measure, 16, "A UnitOfMeasure"),
        details=line.details,
    )
