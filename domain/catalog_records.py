"""The catalog's frozen records: a product, a company's contract price, and the price that
applies to a company on a day. What the domain's catalog functions return (never table rows),
for the staff API, the storefront and the order price check alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.numbers import plain
from domain.records import Classification, LineDetails
from persistence.catalog_tables import ContractPrice as ContractPriceRow
from persistence.catalog_tables import Product


@dataclass(frozen=True)
class CatalogProduct:
    """A product as the catalog holds it; `unit_price` is the list price, in `currency`."""

    id: int
    supplier_part_id: str
    supplier_part_auxiliary_id: str | None
    name: str
    description: str
    unit_price: Decimal
    currency: str
    unit_of_measure: str  # a UN/CEFACT code (domain.unit_codes)
    classifications: tuple[Classification, ...]  # at least one; UNSPSC among them, usually
    manufacturer_name: str | None
    manufacturer_part_id: str | None
    lead_time_days: int | None
    image_url: str | None  # https only
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Product) -> CatalogProduct:
        return cls(
            id=row.id,
            supplier_part_id=row.supplier_part_id,
            supplier_part_auxiliary_id=row.supplier_part_auxiliary_id,
            name=row.name,
            description=row.description,
            unit_price=row.unit_price,
            currency=row.currency,
            unit_of_measure=row.unit_of_measure,
            classifications=Classification.list_from_json(row.classifications),
            manufacturer_name=row.manufacturer_name,
            manufacturer_part_id=row.manufacturer_part_id,
            lead_time_days=row.lead_time_days,
            image_url=row.image_url,
            active=row.active,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def line_details(self) -> LineDetails:
        """What a cart line made from this product carries beyond part, quantity and price."""
        return LineDetails(
            classifications=self.classifications,
            manufacturer_part_id=self.manufacturer_part_id,
            manufacturer_name=self.manufacturer_name,
            lead_time=None if self.lead_time_days is None else str(self.lead_time_days),
        )

    def audited(self) -> dict[str, Any]:
        """What the audit trail keeps of it (JSON: the price as its exact text)."""
        return {
            "supplierPartId": self.supplier_part_id,
            "supplierPartAuxiliaryId": self.supplier_part_auxiliary_id,
            "name": self.name,
            "description": self.description,
            "unitPrice": plain(self.unit_price),
            "currency": self.currency,
            "unitOfMeasure": self.unit_of_measure,
            "classifications": [c.to_json() for c in self.classifications],
            "manufacturerName": self.manufacturer_name,
            "manufacturerPartId": self.manufacturer_part_id,
            "leadTimeDays": self.lead_time_days,
            "imageUrl": self.image_url,
            "active": self.active,
        }


@dataclass(frozen=True)
class ContractPrice:
    """A company's own price for a product, from `valid_from` until `valid_until` (both days
    included; None: no bound)."""

    id: int
    product_id: int
    company_id: int
    unit_price: Decimal
    currency: str
    valid_from: date | None
    valid_until: date | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ContractPriceRow) -> ContractPrice:
        return cls(
            id=row.id,
            product_id=row.product_id,
            company_id=row.company_id,
            unit_price=row.unit_price,
            currency=row.currency,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def applies_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def audited(self) -> dict[str, Any]:
        return {
            "productId": self.product_id,
            "unitPrice": plain(self.unit_price),
            "currency": self.currency,
            "validFrom": None if self.valid_from is None else self.valid_from.isoformat(),
            "validUntil": None if self.valid_until is None else self.valid_until.isoformat(),
        }


@dataclass(frozen=True)
class CatalogPrice:
    """What a company pays for a product on a day: its contract price valid that day, else the
    product's list price."""

    product: CatalogProduct
    unit_price: Decimal
    currency: str
    contract: ContractPrice | None  # the contract price applied; None: the list price

    @property
    def is_contract_price(self) -> bool:
        return self.contract is not None

    @classmethod
    def of(cls, product: CatalogProduct, contract: ContractPrice | None) -> CatalogPrice:
        if contract is None:
            return cls(product, product.unit_price, product.currency, None)
        return cls(product, contract.unit_price, contract.currency, contract)
