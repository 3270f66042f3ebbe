"""Handing a cart back: the PunchOutOrderMessage, its form field, and the auto-posting form."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from decimal import Decimal

from lxml import etree

from cxml.build import XML_LANG, envelope, serialize
from domain.numbers import at_least_cents, plain
from domain.records import Classification, Credential, Identities, LineDetails
from domain.storefront import Transfer, is_read_only


def _number(value: Decimal) -> str:
    """A decimal as cXML expects it: plain digits, no exponent, every digit the value has,
    at least cents where it has a fraction (2, 1.50, 0.0004)."""
    text = plain(value)
    return text if "." not in text else at_least_cents(value)


def _credentials(parent: etree._Element, credentials: Sequence[Credential]) -> None:
    for credential in credentials:
        element = etree.SubElement(parent, "Credential", domain=credential.domain)
        etree.SubElement(element, "Identity").text = credential.identity


def order_message(transfer: Transfer) -> bytes:
    """The PunchOutOrderMessage for a transferred cart. From and To are the setup request's,
    swapped; the Sender is the supplier as the buyer named it; no secret appears anywhere."""
    session, cart = transfer.session, transfer.cart
    identities = Identities.from_json(session.identities)
    root = envelope()
    header = etree.SubElement(root, "Header")
    _credentials(etree.SubElement(header, "From"), identities.to)
    _credentials(etree.SubElement(header, "To"), identities.from_)
    sender = etree.SubElement(header, "Sender")
    _credentials(sender, identities.to[:1])
    etree.SubElement(sender, "UserAgent").text = "opsportal"
    message = etree.SubElement(root, "Message", deploymentMode=session.deployment_mode)
    order = etree.SubElement(message, "PunchOutOrderMessage")
    etree.SubElement(order, "BuyerCookie").text = session.buyer_cookie
    allowed = "inspect" if is_read_only(session) else "edit"
    head = etree.SubElement(order, "PunchOutOrderMessageHeader", operationAllowed=allowed)
    money = etree.SubElement(etree.SubElement(head, "Total"), "Money", currency=cart.currency)
    money.text = format(cart.total(), "f")
    for number, line in enumerate(cart.lines, start=1):
        item = etree.SubElement(
            order, "ItemIn", quantity=_number(line.quantity), lineNumber=str(number)
        )
        item_id = etree.SubElement(item, "ItemID")
        etree.SubElement(item_id, "SupplierPartID").text = line.supplier_part_id
        if line.supplier_part_auxiliary_id:
            etree.SubElement(
                item_id, "SupplierPartAuxiliaryID"
            ).text = line.supplier_part_auxiliary_id
        detail = etree.SubElement(item, "ItemDetail")
        price = etree.SubElement(
            etree.SubElement(detail, "UnitPrice"), "Money", currency=line.currency
        )
        price.text = _number(line.unit_price)
        description = etree.SubElement(detail, "Description")
        description.set(XML_LANG, "en")
        description.text = line.description
        etree.SubElement(detail, "UnitOfMeasure").text = line.unit_of_measure
        _details(detail, line.details)
    return serialize(root)


def _details(detail: etree._Element, details: LineDetails) -> None:
    """Classifications and what follows them in ItemDetail, in the DTD's order. The DTD wants
    one Classification at least: a line that came with none (an edit cart's ItemOut without
    one) gets an empty UNSPSC one, the DTD-valid way of saying "unclassified" that buyers'
    systems take as such (the requisitioner picks the commodity code); a code of ours would
    be a guess."""
    for c in details.classifications or (Classification("UNSPSC", ""),):
        etree.SubElement(detail, "Classification", domain=c.domain).text = c.value
    for tag, value in (
        ("ManufacturerPartID", details.manufacturer_part_id),
        ("ManufacturerName", details.manufacturer_name),
        ("LeadTime", details.lead_time),
    ):
        if value is not None:
            etree.SubElement(detail, tag).text = value
    for extrinsic in details.extrinsics:
        etree.SubElement(detail, "Extrinsic", name=extrinsic.name).text = extrinsic.value


def form_field(message: bytes, field_name: str) -> str:
    """The value of the form field the browser posts: the document, or its base64."""
    if field_name == "cxml-base64":
        return base64.b64encode(message).decode("ascii")
    return message.decode("utf-8")


def auto_post_form(url: str, field_name: str, value: str) -> str:
    """A complete page that posts the cart to the buyer's system by itself (a button without
    JavaScript). Everything printed is escaped; it loads nothing from anywhere."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Returning your cart</title></head>\n"
        '<body onload="document.forms[0].submit()">\n'
        f'<form method="post" action="{html.escape(url, quote=True)}" accept-charset="UTF-8">\n'
        f'<input type="hidden" name="{html.escape(field_name, quote=True)}" '
        f'value="{html.escape(value, quote=True)}">\n'
        '<noscript><button type="submit">Return the cart to your procurement system'
        "</button></noscript>\n</form>\n</body></html>\n"
    )
