"""What a cart line or an order line carries beyond part, quantity and price, in GraphQL:
its classifications (every one, in order) and the manufacturer's data, as sent."""

from __future__ import annotations

import strawberry

from domain.records import Classification as ClassificationRecord


@strawberry.type(description="A line's classification (a cXML Classification), as sent.")
class Classification:
    domain: str = strawberry.field(description="The scheme: UNSPSC, eCl@ss, a buyer's own...")
    value: str = strawberry.field(description="The code in that scheme, e.g. 44121704.")

    @classmethod
    def from_record(cls, record: ClassificationRecord) -> Classification:
        return cls(domain=record.domain, value=record.value)


@strawberry.input(description="A classification of a cart line.")
class ClassificationInput:
    domain: str = strawberry.field(description="The scheme, e.g. UNSPSC or eCl@ss.")
    value: str = strawberry.field(
        description="The code; a UNSPSC code has 8 or 10 digits, e.g. 44121704."
    )

    def to_record(self) -> ClassificationRecord:
        return ClassificationRecord(domain=self.domain, value=self.value)
