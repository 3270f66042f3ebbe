"""The most a field may answer: every list field's bound, and a large text's length.

The cost limit (graph/cost.py) counts, before anything runs, what an operation may return, so
it needs every list's bound. A field declares it where it is defined, in one line:

    extrinsics: list[Extrinsic] = strawberry.field(
        description="Every Extrinsic sent.", metadata=at_most(items=MAX_EXTRINSICS)
    )

    @strawberry.field(description="The customer's roles.", metadata=at_most(items=len(CATALOG)))
    async def roles(self, info: Info) -> list[Role]: ...

A bound is real: the most the list can ever hold, refused where it is written (the shared
numbers live in domain/limits.py, beside the rules that enforce them). A list field with a
`first` argument counts min(first, bound); the `edges` of a Relay connection count by their
field's `first` and declare nothing. A text field may declare its length, `at_most(chars=N)`,
where N is enforced and large (a cXML body): the estimate then counts it at N characters;
other text is counted as the answer is built (graph/response_size.py).

tests/test_response_cost.py fails on a list field that declares no bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    is_list_type,
    is_non_null_type,
)

ITEMS = "opsportal.at_most.items"
CHARS = "opsportal.at_most.chars"


def at_most(*, items: int | None = None, chars: int | None = None) -> dict[str, int]:
    """A field's bound, as the `metadata` of `strawberry.field`: the most items of a list, the
    most characters of a text (of each item, for a list of text)."""
    declared = {key: n for key, n in ((ITEMS, items), (CHARS, chars)) if n is not None}
    if not declared or any(n < 0 for n in declared.values()):
        raise ValueError("at_most needs items=, chars= or both, neither negative")
    return declared


@dataclass(frozen=True)
class Bound:
    items: int | None = None
    chars: int | None = None


NONE = Bound()


def bound_of(field: GraphQLField) -> Bound:
    """What the field declared (strawberry keeps its definition beside graphql-core's)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None)
    if not metadata:
        return NONE
    return Bound(metadata.get(ITEMS), metadata.get(CHARS))


def is_list(field_type: GraphQLType) -> bool:
    inner = field_type.of_type if is_non_null_type(field_type) else field_type
    return is_list_type(inner)


def is_connection_edges(parent: GraphQLObjectType | GraphQLInterfaceType, name: str) -> bool:
    """A Relay connection's `edges`: as many as the connection's `first`."""
    return name == "edges" and "pageInfo" in parent.fields


def undeclared_lists(schema: GraphQLSchema) -> list[str]:
    """`Type.field` of every list field of ours that declares no bound."""
    missing = []
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for name, field in type_.fields.items():
            if (
                is_list(field.type)
                and not is_connection_edges(type_, name)
                and bound_of(field).items is None
            ):
                missing.append(f"{type_.name}.{name}")
    return sorted(missing)
