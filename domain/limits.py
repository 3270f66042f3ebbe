"""Lengths the domain's rules share with the table columns that hold what they check."""

from __future__ import annotations

import re

# An email address (a staff login, a customer username, a buyer identity): RFC 5321's limit
# on a path, and the width of the columns that hold them.
NAME_MAX = 254
# An ISO 4217 currency code, in whatever case it was typed or sent.
CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def currency_code(value: str) -> str | None:
    """The upper-case ISO 4217 code a value names, or None when it is not one."""
    value = value.strip(" \t\r\n")
    return value.upper() if CURRENCY_CODE.fullmatch(value) else None
