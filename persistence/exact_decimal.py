"""A decimal column that keeps every digit it is given.

tortoise's DecimalField has a fixed scale: PostgreSQL's NUMERIC(18,3) rounds 0.0004 to 0.000
when storing, and on SQLite the field rounds what it reads back to its decimal places. This
field is PostgreSQL's unconstrained NUMERIC (which keeps each value's own scale: 0.0004 stays
0.0004, 1.50 stays 1.50) and, on SQLite, the decimal's text (Python's str of the Decimal, read
back by Decimal(): exact both ways). What may be stored is bounded where it comes in
(domain/numbers.py): at most 14 digits before the point and 20 after, which fits 40 characters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from pypika_tortoise import functions
from pypika_tortoise.enums import SqlTypes
from pypika_tortoise.terms import Term
from tortoise.fields.base import Field

if TYPE_CHECKING:
    from tortoise.models import Model

T_DECIMAL = TypeVar("T_DECIMAL", Decimal, Decimal | None)


class ExactDecimalField(Field[T_DECIMAL], Decimal):  # type: ignore[misc]
    """Migration 0015 keeps its own copy (migrations import no live code): change both."""

    SQL_TYPE = "NUMERIC"

    @overload
    def __init__(
        self: ExactDecimalField[Decimal], *, null: Literal[False] = False, **kwargs: Any
    ) -> None: ...
    @overload
    def __init__(
        self: ExactDecimalField[Decimal | None], *, null: Literal[True], **kwargs: Any
    ) -> None: ...
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def to_db_value(self, value: Any, instance: type[Model] | Model) -> Decimal | None:
        number = self.to_python_value(value)
        self.validate(number)
        return number

    def to_python_value(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        # SQLite: the text as stored, every digit of it; PostgreSQL: a Decimal already.
        number: Decimal = value if isinstance(value, Decimal) else Decimal(str(value))
        return number

    class _db_sqlite:
        SQL_TYPE = "VARCHAR(40)"

        def function_cast(self, term: Term) -> Term:
            return functions.Cast(term, SqlTypes.NUMERIC)
