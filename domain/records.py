"""What crosses the layers: frozen records of what a buyer sent (read by cxml/, stored by the
domain, shown by graph/), and the cart. Each converts to and from the JSON stored in the
database here and nowhere else, so that a renamed field fails type checking instead of
reading back as None."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from domain.numbers import EXACT, product, round_half_up

Json = dict[str, Any]


def _strings(values: object) -> tuple[str, ...]:
    return tuple(str(v) for v in (values if isinstance(values, list) else ()) if v)


@dataclass(frozen=True)
class Credential:
    """A cXML Credential: domain and identity; Sender credentials carry the shared secret."""

    domain: str
    identity: str
    shared_secret: str | None = field(default=None, repr=False)

    def to_json(self) -> Json:
        return {"domain": self.domain, "identity": self.identity}  # never the secret

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Credential:
        return cls(domain=data.get("domain") or "", identity=data.get("identity") or "")


@dataclass(frozen=True)
class Identities:
    """A cXML Header: the From, To and Sender credentials, as sent."""

    from_: tuple[Credential, ...]
    to: tuple[Credential, ...]
    sender: tuple[Credential, ...]
    user_agent: str | None = None

    def sent_secrets(self) -> tuple[str, ...]:
        return tuple(c.shared_secret for c in self.sender if c.shared_secret)

    def to_json(self) -> Json:
        """What a session keeps of them: everything but the secrets."""
        return {
            "from": [c.to_json() for c in self.from_],
            "to": [c.to_json() for c in self.to],
            "sender": [c.to_json() for c in self.sender],
            "userAgent": self.user_agent,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identities:
        def creds(key: str) -> tuple[Credential, ...]:
            return tuple(Credential.from_json(c) for c in data.get(key) or ())

        return cls(creds("from"), creds("to"), creds("sender"), data.get("userAgent"))


@dataclass(frozen=True)
class Address:
    """A cXML Address (ShipTo, BillTo)."""

    address_id: str | None = None
    iso_country_code: str | None = None
    name: str | None = None
    deliver_to: tuple[str, ...] = ()
    street: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    email: str | None = None

    def to_json(self) -> Json:
        return {
            "addressId": self.address_id,
            "isoCountryCode": self.iso_country_code,
            "name": self.name,
            "deliverTo": list(self.deliver_to),
            "street": list(self.street),
            "city": self.city,
            "state": self.state,
            "postalCode": self.postal_code,
            "country": self.country,
            "countryCode": self.country_code,
            "email": self.email,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Address | None:
        if not data:
            return None
        return cls(
            address_id=data.get("addressId"),
            iso_country_code=data.get("isoCountryCode"),
            name=data.get("name"),
            deliver_to=_strings(data.get("deliverTo")),
            street=_strings(data.get("street")),
            city=data.get("city"),
            state=data.get("state"),
            postal_code=data.get("postalCode"),
            country=data.get("country"),
            country_code=data.get("countryCode"),
            email=data.get("email"),
        )


@dataclass(frozen=True)
class Contact:
    """A cXML Contact of a setup request."""

    role: str | None = None
    name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    def to_json(self) -> Json:
        return {
            "role": self.role,
            "name": self.name,
            "emails": list(self.emails),
            "phones": list(self.phones),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contact:
        return cls(
            role=data.get("role"),
            name=data.get("name"),
            emails=_strings(data.get("emails")),
            phones=_strings(data.get("phones")),
        )


@dataclass(frozen=True)
class Money:
    """An amount with its currency and what it is for (an order's Shipping, Tax)."""

    amount: Decimal | None = None
    currency: str | None = None
    description: str | None = None

    def to_json(self) -> Json:
        amount = None if self.amount is None else format(self.amount, "f")  # every digit
        return {"amount": amount, "currency": self.currency, "description": self.description}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Money | None:
        if not data:
            return None
        amount = data.get("amount")
        return cls(
            amount=None if amount is None else Decimal(str(amount)),
            currency=data.get("currency"),
            description=data.get("description"),
        )


@dataclass(frozen=True)
class Classification:
    """A line's Classification: its domain (UNSPSC, eCl@ss...) and code, as sent."""

    domain: str
    value: str

    def to_json(self) -> Json:
        return {"domain": self.domain, "value": self.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Classification:
        return cls(domain=data.get("domain") or "", value=data.get("value") or "")

    @staticmethod
    def list_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[Classification, ...]:
        return tuple(Classification.from_json(c) for c in data or ())


def unspsc_of(classifications: Sequence[Classification]) -> str | None:
    """The UNSPSC code among a line's classifications, if one was sent."""
    return next((c.value for c in classifications if c.domain.upper() == "UNSPSC"), None)


@dataclass(frozen=True)
class Extrinsic:
    name: str
    value: str

    @staticmethod
    def list_to_json(extrinsics: Sequence[Extrinsic]) -> list[list[str]]:
        return [[e.name, e.value] for e in extrinsics]

    @staticmethod
    def list_from_json(data: Sequence[Sequence[str]] | None) -> tuple[Extrinsic, ...]:
        return tuple(Extrinsic(str(name), str(value)) for name, value in data or ())


@dataclass(frozen=True)
class LineDetails:
    """What a line carries beyond part, quantity and price, kept as the buyer (or the shop)
    sent it: every Classification in order, the manufacturer's part ID and name, the lead time
    in days, ItemDetail's Extrinsics, and the ItemOut's requestedDeliveryDate."""

    classifications: tuple[Classification, ...] = ()
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    lead_time: str | None = None
    extrinsics: tuple[Extrinsic, ...] = ()
    requested_delivery_date: str | None = None

    def to_json(self) -> Json:
        """Keys beside an ItemOut's own (a session's stored lines)."""
        return {
            "classifications": [c.to_json() for c in self.classifications],
            "manufacturerPartId": self.manufacturer_part_id,
            "manufacturerName": self.manufacturer_name,
            "leadTime": self.lead_time,
            "extrinsics": Extrinsic.list_to_json(self.extrinsics),
            "requestedDeliveryDate": self.requested_delivery_date,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LineDetails:
        return cls(
            classifications=Classification.list_from_json(data.get("classifications")),
            manufacturer_part_id=data.get("manufacturerPartId"),
            manufacturer_name=data.get("manufacturerName"),
            lead_time=data.get("leadTime"),
            extrinsics=Extrinsic.list_from_json(data.get("extrinsics")),
            requested_delivery_date=data.get("requestedDeliveryDate"),
        )

    def unspsc(self) -> str:
        """The first UNSPSC code among the classifications; empty when there is none."""
        return unspsc_of(self.classifications) or ""


@dataclass(frozen=True)
class ItemOut:
    """A line a buyer sent (an edit or inspect setup request's cart), as text: what the cart
    may use of it is decided where the cart is made."""

    line_number: str | None = None
    quantity: str = ""
    supplier_part_id: str | None = None
    supplier_part_auxiliary_id: str | None = None
    description: str | None = None
    unit_price: str | None = None
    currency: str | None = None
    unit_of_measure: str | None = None
    details: LineDetails = LineDetails()

    def to_json(self) -> Json:
        return {
            "lineNumber": self.line_number,
            "quantity": self.quantity,
            "supplierPartId": self.supplier_part_id,
            "supplierPartAuxiliaryId": self.supplier_part_auxiliary_id,
            "description": self.description,
            "unitPrice": self.unit_price,
            "currency": self.currency,
            "unitOfMeasure": self.unit_of_measure,
            **self.details.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ItemOut:
        return cls(
            line_number=data.get("lineNumber"),
            quantity=str(data.get("quantity") or ""),
            supplier_part_id=data.get("supplierPartId"),
            supplier_part_auxiliary_id=data.get("supplierPartAuxiliaryId"),
            description=data.get("description"),
            unit_price=data.get("unitPrice"),
            currency=data.get("currency"),
            unit_of_measure=data.get("unitOfMeasure"),
            details=LineDetails.from_json(data),
        )


# ISO 4217 currencies whose minor unit is not the cent (the rest have two decimals).
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of a currency: 0.01 for most, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-_MINOR_UNITS.get(currency.upper(), 2))


@dataclass(frozen=True)
class CartItem:
    """A cart line: what the PunchOutOrderMessage's ItemIn carries."""

    id: int
    supplier_part_id: str
    supplier_part_auxiliary_id: str | None
    description: str
    quantity: Decimal
    unit_of_measure: str
    unit_price: Decimal
    currency: str
    details: LineDetails = LineDetails()

    def amount(self) -> Decimal:
        """quantity x unit price, exactly."""
        return product(self.quantity, self.unit_price)


@dataclass(frozen=True)
class Cart:
    """A punchout session's cart. Its total is the one rule for every surface that shows or
    sends it: the lines' exact amounts summed, then rounded half-up to the currency's minor
    unit."""

    lines: tuple[CartItem, ...]
    currency: str  # the lines' currency, or the supplier's default for an empty cart

    def total(self) -> Decimal:
        with localcontext(EXACT):
            exact = sum((line.amount() for line in self.lines), Decimal(0))
        return round_half_up(exact, minor_unit(self.currency))
