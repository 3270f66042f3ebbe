"""Decimals as GraphQL strings: exact, no exponent, money with at least two decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import overload


def quantity(value: Decimal | float | str) -> str:
    """2, 1.5, 0.125: as few digits as the value needs."""
    text = format(Decimal(value).normalize(), "f")
    return text


@overload
def money(value: Decimal | float | str) -> str: ...
@overload
def money(value: None) -> None: ...
def money(value: Decimal | float | str | None) -> str | None:
    """16.50, 3.7035: at least cents, more only where the value has them."""
    if value is None:
        return None
    number = Decimal(value).normalize()
    exponent = number.as_tuple().exponent  # an int: amounts are finite
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return format(number, f".{places}f")
