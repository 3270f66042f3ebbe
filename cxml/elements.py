"""Reading the parts of a cXML request that become the domain's records (addresses,
contacts, lines, amounts), and the checks every value gets before it is stored."""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from domain.errors import CxmlRefused, Failure
from domain.limits import (
    MAX_ADDRESS_LINES,
    MAX_CLASSIFICATIONS,
    MAX_CONTACT_ENTRIES,
    MAX_LINE_EXTRINSICS,
    currency_code,
)
from domain.numbers import NotANumber, exact
from domain.records import (
    Address,
    Classification,
    Contact,
    Extrinsic,
    ItemOut,
    LineDetails,
    Money,
)
from domain.urls import UrlRefused, checked_url, shown

XML_SPACE = " \t\r\n"
# ASCII digits that fit the table's integer ("²".isdigit() is true, and int() refuses it).
LINE_NUMBER = re.compile(r"0*[0-9]{1,9}")


def text(element: etree._Element | None) -> str | None:
    """An element's text, trimmed of XML whitespace; None when the element is absent."""
    if element is None:
        return None
    return "".join(element.itertext()).strip(XML_SPACE)


def comment(element: etree._Element) -> str | None:
    """A Comments element's words, without its Attachment references (the files are stored
    and listed apart: their cid: URLs are no part of what the buyer wrote)."""
    words = [element.text or ""]
    for child in element:
        if child.tag != "Attachment":
            words.append("".join(child.itertext()))
        words.append(child.tail or "")
    return "".join(words).strip(XML_SPACE)


def counted(found: list[etree._Element], limit: int, where: str, what: str) -> list[etree._Element]:
    """The elements found, unless there are more than the limit: what a document may carry is
    bounded (domain/limits.py), as the API that shows it counts on. Refused naming where and
    how many: 'OrderRequest has 1,001 ItemOut lines; at most 1,000.'"""
    if len(found) > limit:
        raise CxmlRefused(
            Failure.INVALID_REQUEST, f"{where} has {len(found):,} {what}; at most {limit:,}."
        )
    return found


def extrinsics(element: etree._Element, limit: int, where: str) -> tuple[Extrinsic, ...]:
    return tuple(
        Extrinsic((x.get("name") or "").strip(XML_SPACE), text(x) or "")
        for x in counted(element.findall("Extrinsic"), limit, where, "Extrinsic elements")
    )


def contact(contact: etree._Element, position: int) -> Contact:
    def entries(tag: str) -> list[etree._Element]:
        found = contact.findall(tag)
        return counted(found, MAX_CONTACT_ENTRIES, f"Contact {position}", f"{tag} elements")

    return Contact(
        role=contact.get("role"),
        name=text(contact.find("Name")),
        emails=tuple(e for e in (text(e) for e in entries("Email")) if e),
        phones=tuple(p for p in (_phone(p) for p in entries("Phone")) if p),
    )


def _phone(phone: etree._Element) -> str:
    parts = [text(p) for p in phone.iter("CountryCode", "AreaOrCityCode", "Number", "Extension")]
    return " ".join(p for p in parts if p)


def address(address: etree._Element | None, where: str) -> Address | None:
    """An address (`where`: ShipTo, BillTo), at most MAX_ADDRESS_LINES DeliverTo and Street
    lines each."""
    if address is None:
        return None
    postal = address.find("PostalAddress")
    country = postal.find("Country") if postal is not None else None

    def part(tag: str) -> str | None:
        return text(postal.find(tag)) if postal is not None else None

    def lines(tag: str) -> tuple[str, ...]:
        found = postal.findall(tag) if postal is not None else []
        found = counted(found, MAX_ADDRESS_LINES, f"{where}'s Address", f"{tag} lines")
        return tuple(t for t in (text(e) for e in found) if t)

    return Address(
        address_id=address.get("addressID"),
        iso_country_code=address.get("isoCountryCode"),
        name=text(address.find("Name")),
        deliver_to=lines("DeliverTo"),
        street=lines("Street"),
        city=part("City"),
        state=part("State"),
        postal_code=part("PostalCode"),
        country=text(country),
        country_code=country.get("isoCountryCode") if country is not None else None,
        email=text(address.find("Email")),
    )


def item_out(item: etree._Element, position: int) -> ItemOut:
    """An ItemOut line, the `position`th of its request; at most MAX_CLASSIFICATIONS
    Classifications and MAX_LINE_EXTRINSICS Extrinsics in its ItemDetail."""
    detail = item.find("ItemDetail")
    money = detail.find("UnitPrice/Money") if detail is not None else None
    label = _label(item.get("lineNumber"), position)

    def of_detail(tag: str) -> str | None:
        return text(detail.find(tag)) if detail is not None else None

    classifications = detail.findall("Classification") if detail is not None else []
    counted(classifications, MAX_CLASSIFICATIONS, label, "Classification elements")
    where = f"{label}'s ItemDetail"

    return ItemOut(
        line_number=item.get("lineNumber"),
        quantity=(item.get("quantity") or "").strip(XML_SPACE),
        supplier_part_id=text(item.find("ItemID/SupplierPartID")),
        supplier_part_auxiliary_id=text(item.find("ItemID/SupplierPartAuxiliaryID")),
        description=of_detail("Description"),
        unit_price=text(money),
        currency=money.get("currency") if money is not None else None,
        unit_of_measure=of_detail("UnitOfMeasure"),
        details=LineDetails(
            classifications=tuple(
                Classification(domain=(c.get("domain") or "").strip(XML_SPACE), value=text(c) or "")
                for c in classifications
            ),
            manufacturer_part_id=of_detail("ManufacturerPartID"),
            manufacturer_name=of_detail("ManufacturerName"),
            lead_time=of_detail("LeadTime"),
            extrinsics=extrinsics(detail, MAX_LINE_EXTRINSICS, where) if detail is not None else (),
            requested_delivery_date=(item.get("requestedDeliveryDate") or "").strip(XML_SPACE)
            or None,
        ),
    )


def decimal(value: str | None, label: str) -> Decimal | None:
    """The number a quantity or amount holds, exactly (domain/numbers.py); None when blank.
    Anything else is refused, named by `label`: 'ItemOut line 3: quantity "1,5" is not a
    number', 'Total: "1,234" is not a number'."""
    if value is None or not value.strip(XML_SPACE):
        return None
    sent = value.strip(XML_SPACE)
    try:
        return exact(sent)
    except NotANumber as exc:
        shown = sent if len(sent) <= 40 else sent[:40] + "..."
        raise CxmlRefused(Failure.INVALID_REQUEST, f'{label} "{shown}" {exc}') from None


def item_label(item: ItemOut, position: int) -> str:
    """How a refusal names an ItemOut: by its lineNumber when it has one, else its place."""
    return _label(item.line_number, position)


def _label(line_number: str | None, position: int) -> str:
    number = (line_number or "").strip(XML_SPACE)
    return f"ItemOut line {int(number) if LINE_NUMBER.fullmatch(number) else position}"


def money(parent: etree._Element | None, what: str) -> Money | None:
    if parent is None:
        return None
    money = parent.find("Money")
    return Money(
        amount=decimal(text(money), f"{what}:") if money is not None else None,
        currency=money.get("currency") if money is not None else None,
        description=text(parent.find("Description")),
    )


def fits(value: str | None, limit: int, what: str) -> str | None:
    """The value, if storing it is possible: an order refused now beats one a retry never
    gets past."""
    if value is not None and len(value) > limit:
        raise CxmlRefused(Failure.INVALID_REQUEST, f"{what} is longer than {limit} characters.")
    return value


def currency(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    code = currency_code(value)
    if code is None:
        raise CxmlRefused(
            Failure.INVALID_REQUEST, f"{what}'s currency is an ISO 4217 code, not {value!r}."
        )
    return code


def return_url(request: etree._Element, allow_http: bool) -> str | None:
    """The BrowserFormPost URL (None when there is none: some buyers send none), if the cart
    form may post there (domain/urls.py); otherwise the request is refused, naming it."""
    url = text(request.find("BrowserFormPost/URL")) or None
    if url is None:
        return None
    try:
        return checked_url(url, allow_http=allow_http)
    except UrlRefused as why:
        message = f'BrowserFormPost URL "{shown(url)}" {why}.'
        reason = message
        if url.lower().startswith("http:"):
            reason += " OPSPORTAL_ALLOW_HTTP_BUYER_URLS allows http return URLs."
        raise CxmlRefused(Failure.INVALID_REQUEST, message, reason) from None
