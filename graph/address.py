"""A postal address as cXML carries it (ShipTo, BillTo), read back from what was stored."""

from __future__ import annotations

import strawberry

from domain import records
from domain.limits import MAX_ADDRESS_LINES
from graph.bounds import at_most

LINES = at_most(items=MAX_ADDRESS_LINES)


@strawberry.type(description="An address the buyer's system sent (cXML Address).")
class Address:
    address_id: str | None = strawberry.field(description="The buyer's ID for the address.")
    name: str | None = strawberry.field(description="The address's name.")
    deliver_to: list[str] = strawberry.field(description="Deliver-to lines.", metadata=LINES)
    street: list[str] = strawberry.field(description="Street lines.", metadata=LINES)
    city: str | None = strawberry.field(description="City.")
    state: str | None = strawberry.field(description="State or region.")
    postal_code: str | None = strawberry.field(description="Postal code.")
    country: str | None = strawberry.field(description="Country name.")
    country_code: str | None = strawberry.field(description="ISO country code.")

    @classmethod
    def from_record(cls, address: records.Address | None) -> Address | None:
        if address is None:
            return None
        return cls(
            address_id=address.address_id,
            name=address.name,
            deliver_to=list(address.deliver_to),
            street=list(address.street),
            city=address.city,
            state=address.state,
            postal_code=address.postal_code,
            country=address.country,
            country_code=address.country_code,
        )
