"""Numbers exactly as sent, or refused: the one rule for every quantity and amount a buyer's
system or a storefront sends (cXML quantities and Money, the storefront's cart lines).

A number is a decimal in US punctuation: an optional sign, digits with an optional `.` fraction,
and an optional exponent (the cXML DTD types quantities as XML-Data `r8` and Money as `number`,
both of which allow one). Nothing else is guessed: no decimal commas, no thousands separators,
no other digits than 0-9, no NaN or Infinity. What is kept is the value with all its digits,
written without an exponent; its bounds are those of the columns that hold it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext

MAX_INTEGER_DIGITS = 14  # below 10**14: far above any real quantity or amount
MAX_PLACES = 20  # decimal places kept; "-" + 14 digits + "." + 20 fit the 40-character column
# Arithmetic on such numbers (a quantity times a price, a cart's sum) without any rounding:
# 34 digits times 34, summed over a thousand lines, fits in far fewer than 100.
EXACT = Context(prec=100, Emax=999, Emin=-999, traps=[InvalidOperation, Inexact])

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class NotANumber(ValueError):
    """Why a text is no number that can be kept exactly, as the end of a sentence that began
    with the value: 'is not a number', 'has more than 20 decimal places'..."""


def exact(text: str) -> Decimal:
    """The number a text holds, exactly, without exponent; NotANumber when there is none or
    it cannot be kept exactly."""
    if not _NUMBER.fullmatch(text):
        raise NotANumber("is not a number")
    number = Decimal(text)  # exact: the constructor never rounds
    if number.is_zero():
        return Decimal(0).scaleb(max(-MAX_PLACES, min(0, _exponent(number))))
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise NotANumber(f"has more than {MAX_INTEGER_DIGITS} digits before the decimal point")
    exponent = _exponent(number)
    if exponent > 0:  # 1.5E2: written out as 150
        return number.quantize(Decimal(1), context=EXACT)
    if exponent < -MAX_PLACES:
        try:  # trailing zeros past the limit say nothing: 1.000...0 is 1 to 20 places
            return number.quantize(Decimal(1).scaleb(-MAX_PLACES), context=EXACT)
        except (Inexact, InvalidOperation):
            raise NotANumber(f"has more than {MAX_PLACES} decimal places") from None
    return number


def _exponent(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: the grammar has no NaN or Infinity
    return exponent


def plain(value: Decimal) -> str:
    """A number written out without exponent and without trailing zeros: 2, 1.5, 0.0004.
    Exact whatever its size (no context arithmetic)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def at_least_cents(value: Decimal) -> str:
    """Money as shown: at least two decimals, more only where the value has them (16.50,
    3.7035, 0.0004); never a digit dropped."""
    text = plain(value)
    places = len(text.split(".")[1]) if "." in text else 0
    if places >= 2:
        return text
    return text + ("." if places == 0 else "") + "0" * (2 - places)


def product(quantity: Decimal, price: Decimal) -> Decimal:
    """quantity x price, exactly."""
    with localcontext(EXACT):
        return quantity * price


def round_half_up(value: Decimal, unit: Decimal) -> Decimal:
    """The value rounded half-up to a multiple of `unit` (0.01, 1, 0.001): 1.005 -> 1.01."""
    return value.quantize(unit, ROUND_HALF_UP, context=Context(prec=100))
