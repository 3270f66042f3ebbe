"""Decimals as GraphQL strings: exact, no exponent, money with at least two decimals; never a
significant digit dropped or added (0.0004 reads 0.0004, 0.153825 reads 0.153825)."""

from __future__ import annotations

from decimal import Decimal
from typing import overload

from domain.numbers import at_least_cents, plain


def quantity(value: Decimal | float | str) -> str:
    """2, 1.5, 0.125: as few digits as the value needs."""
    return plain(Decimal(value))


@overload
def money(value: Decimal | float | str) -> str: ...
@overload
def money(value: None) -> None: ...
def money(value: Decimal | float | str | None) -> str | None:
    """16.50, 3.7035: at least cents, more only where the value has them."""
    if value is None:
        return None
    return at_least_cents(Decimal(value))
