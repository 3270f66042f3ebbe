"""Relay pagination helpers: bounded `first`, opaque cursors, global IDs.

Connections of types that are not Nodes (audit events, cXML exchanges) carry a
`type: ignore[type-var]`: strawberry's stubs bound the item type of Connection and Edge by
relay.Node, though strawberry builds them of any type, as the Relay specification allows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry import relay

from domain.search import SearchPosition
from graph.codes import Code, extensions

R = TypeVar("R")
N = TypeVar("N", bound=relay.Node)

# The largest id of a 32-bit primary key: PostgreSQL refuses a larger parameter outright, so a
# larger id in a global ID or cursor is answered as missing rather than reaching the database.
MAX_ID = 2**31 - 1

# The `after` argument of every connection.
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page.")
]


def bounded_first(first: int, cap: int) -> int:
    """`first` as asked, capped; negative values are an error."""
    if first < 0:
        raise GraphQLError(
            "`first` must be zero or more.", extensions=extensions(Code.BAD_USER_INPUT)
        )
    return min(first, cap)


_COMPACT = json.JSONEncoder(separators=(",", ":"))


def encode_cursor(*parts: Any) -> str:
    """A cursor: the parts as compact JSON, in URL-safe base64. Every edge of a page has one,
    so it is made without json.dumps's encoder made anew per call (a third of its time)."""
    return base64.urlsafe_b64encode(_COMPACT.encode(parts).encode()).decode()


def decode_cursor(cursor: str, *types: type) -> list[Any]:
    """The parts of a cursor made by encode_cursor, checked against `types`."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if len(parts) == len(types) and all(
            isinstance(p, t)
            and not isinstance(p, bool)
            and (t is not int or (isinstance(p, int) and 0 <= p <= MAX_ID))
            for p, t in zip(parts, types, strict=True)
        ):
            return parts
    except (ValueError, binascii.Error, TypeError):
        pass
    raise GraphQLError(
        "`after` is not a cursor of this list.", extensions=extensions(Code.BAD_USER_INPUT)
    )


def parse_global_id(value: str, type_name: str) -> int | None:
    """The database id inside a global ID of `type_name`; None when malformed or foreign."""
    try:
        gid = relay.GlobalID.from_id(value)
    except Exception:  # noqa: BLE001 - any malformed id reads as "no such object"
        return None
    if gid.type_name != type_name or not gid.node_id.isdigit() or len(gid.node_id) > 18:
        return None
    row_id = int(gid.node_id)
    return row_id if row_id <= MAX_ID else None


def page_info(edges: list[relay.Edge[Any]], has_next: bool, has_previous: bool) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


def search_position(after: str | None) -> SearchPosition | None:
    """The place a typeahead cursor names: (tier, folded name, id)."""
    if after is None:
        return None
    tier, key, row_id = decode_cursor(after, int, str, int)
    return SearchPosition(tier, key, row_id)


def ranked_page(
    rows: Sequence[tuple[R, SearchPosition]],
    has_next: bool,
    after: str | None,
    node: Callable[[R], N],
) -> relay.Connection[N]:
    """A typeahead page (companies, products): each row's node, its place as the cursor."""
    edges = [
        relay.Edge(cursor=encode_cursor(at.tier, at.name_key, at.id), node=node(row))
        for row, at in rows
    ]
    return relay.Connection(edges=edges, page_info=page_info(edges, has_next, after is not None))
