"""A postal address as cXML carries it (ShipTo, BillTo), read back from what was stored."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(description="An address the buyer's system sent (cXML Address).")
class Address:
    address_id: str | None = strawberry.field(description="The buyer's ID for the address.")
    name: str | None = strawberry.field(description="The address's name.")
    deliver_to: list[str] = strawberry.field(description="Deliver-to lines.")
    street: list[str] = strawberry.field(description="Street lines.")
    city: str | None = strawberry.field(description="City.")
    state: str | None = strawberry.field(description="State or region.")
    postal_code: str | None = strawberry.field(description="Postal code.")
    country: str | None = strawberry.field(description="Country name.")
    country_code: str | None = strawberry.field(description="ISO country code.")

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> Address | None:
        if not stored:
            return None
        return cls(
            address_id=stored.get("addressId"),
            name=stored.get("name"),
            deliver_to=[d for d in stored.get("deliverTo", []) if d],
            street=[s for s in stored.get("street", []) if s],
            city=stored.get("city"),
            state=stored.get("state"),
            postal_code=stored.get("postalCode"),
            country=stored.get("country"),
            country_code=stored.get("countryCode"),
        )
