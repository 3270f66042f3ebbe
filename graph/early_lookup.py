"""Which requests start looking up their caller before the first resolver asks.

A staff request's bearer token is looked up in the database (graph.context, one statement,
never cached: a revoked token fails on the next request). That round trip used to start when
the first guarded field was resolved, after strawberry had parsed, validated and begun
executing the operation; it now starts as soon as the request's body is read, so that the
database answers while that work goes on. Only for operations that read something beyond
`__typename` (and introspection), which every one of them guards: `{ __typename }` with a
token reads nothing, as before.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse

_CACHED_UP_TO = 4096  # characters: longer documents are not parsed here (they ask, surely)


def asks_for_caller(query: str | None) -> bool:
    """Whether the document may resolve a field other than `__typename` and introspection
    (then a guard will ask who calls). An unparsable one: no (strawberry refuses it)."""
    if not query:
        return False
    if len(query) > _CACHED_UP_TO:
        return True
    return _asks(query)


@lru_cache(maxsize=256)
def _asks(query: str) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False
    return any(
        not (isinstance(selection, FieldNode) and selection.name.value.startswith("__"))
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
    )
