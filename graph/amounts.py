"""Decimals as GraphQL strings: exact, no exponent, money with at least two decimals."""

from __future__ import annotations

from decimal import Decimal


def quantity(value: Decimal | float | str) -> str:
    """2, 1.5, 0.125: as few digits as the value needs."""
    text = format(Decimal(value).normalize(), "f")
    return text


def money(value: Decimal | float | str | None) -> str | None:
    """16.50, 3.7035: at least cents, more only where the value has them."""
    if value is None:
        return None
    number = Decimal(value).normalize()
    places = max(2, -number.as_tuple().exponent)  # type: ignore[operator]
    return format(number, f".{places}f")
