"""One column's values from a query, typed as what they are."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


async def flat_values(query: QuerySet[M], field: str) -> list[Any]:
    """`query.values_list(field, flat=True)`: a list of values, one a row."""
    # tortoise types every awaited values_list as a list of tuples, flat or not (tortoise-orm
    # issue 1112): callers get list[Any], so that they may say what the column holds.
    values: list[Any] = await query.values_list(field, flat=True)
    return values
