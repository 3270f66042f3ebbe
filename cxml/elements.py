"""Reading the parts of a cXML request that become the domain's records (addresses,
contacts, lines, amounts), and the checks every value gets before it is stored."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from domain.errors import CxmlRefused, Failure
from domain.limits import currency_code
from domain.records import Address, Classification, Contact, Extrinsic, ItemOut, Money

XML_SPACE = " \t\r\n"


def text(element: etree._Element | None) -> str | None:
    """An element's text, trimmed of XML whitespace; None when the element is absent."""
    if element is None:
        return None
    return "".join(element.itertext()).strip(XML_SPACE)


def extrinsics(element: etree._Element) -> tuple[Extrinsic, ...]:
    return tuple(
        Extrinsic((x.get("name") or "").strip(XML_SPACE), text(x) or "")
        for x in element.findall("Extrinsic")
    )


def contact(contact: etree._Element) -> Contact:
    return Contact(
        role=contact.get("role"),
        name=text(contact.find("Name")),
        emails=tuple(e for e in (text(e) for e in contact.findall("Email")) if e),
        phones=tuple(p for p in (_phone(p) for p in contact.findall("Phone")) if p),
    )


def _phone(phone: etree._Element) -> str:
    parts = [text(p) for p in phone.iter("CountryCode", "AreaOrCityCode", "Number", "Extension")]
    return " ".join(p for p in parts if p)


def _texts(parent: etree._Element | None, tag: str) -> tuple[str, ...]:
    found = parent.findall(tag) if parent is not None else []
    return tuple(t for t in (text(e) for e in found) if t)


def address(address: etree._Element | None) -> Address | None:
    if address is None:
        return None
    postal = address.find("PostalAddress")
    country = postal.find("Country") if postal is not None else None

    def part(tag: str) -> str | None:
        return text(postal.find(tag)) if postal is not None else None

    return Address(
        address_id=address.get("addressID"),
        iso_country_code=address.get("isoCountryCode"),
        name=text(address.find("Name")),
        deliver_to=_texts(postal, "DeliverTo"),
        street=_texts(postal, "Street"),
        city=part("City"),
        state=part("State"),
        postal_code=part("PostalCode"),
        country=text(country),
        country_code=country.get("isoCountryCode") if country is not None else None,
        email=text(address.find("Email")),
    )


def item_out(item: etree._Element) -> ItemOut:
    detail = item.find("ItemDetail")
    money = detail.find("UnitPrice/Money") if detail is not None else None

    def of_detail(tag: str) -> str | None:
        return text(detail.find(tag)) if detail is not None else None

    return ItemOut(
        line_number=item.get("lineNumber"),
        quantity=(item.get("quantity") or "").strip(XML_SPACE),
        supplier_part_id=text(item.find("ItemID/SupplierPartID")),
        supplier_part_auxiliary_id=text(item.find("ItemID/SupplierPartAuxiliaryID")),
        description=of_detail("Description"),
        unit_price=text(money),
        currency=money.get("currency") if money is not None else None,
        unit_of_measure=of_detail("UnitOfMeasure"),
        classifications=tuple(
            Classification(domain=c.get("domain"), value=text(c))
            for c in (detail.findall("Classification") if detail is not None else [])
        ),
    )


def decimal(text: str | None, what: str) -> Decimal | None:
    if text is None or not text.strip(XML_SPACE):
        return None
    try:
        number = Decimal(text.strip(XML_SPACE).replace(",", ""))
    except InvalidOperation:
        number = Decimal("NaN")
    # copy_abs, not abs(): no context arithmetic, which overflows past Emax (1e999999999).
    if not number.is_finite() or number.copy_abs() >= Decimal("1e14"):
        raise CxmlRefused(Failure.INVALID_REQUEST, f"{what} is not a number: {text.strip()!r}.")
    return number


def money(parent: etree._Element | None, what: str) -> Money | None:
    if parent is None:
        return None
    money = parent.find("Money")
    return Money(
        amount=decimal(text(money), what) if money is not None else None,
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
