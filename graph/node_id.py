"""The `id` field of Node types that had IDs, and descriptions of them, before they were Nodes."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay


def described_node_id(description: str) -> Any:
    """The Node interface's `id` (the same global ID) under the type's own description, so
    that the published schema keeps the description it had. Assign it to `_id`, the name the
    interface's field has, so that it replaces that field rather than adding a second `id`."""

    def resolve(root: relay.Node, info: strawberry.Info) -> relay.GlobalID:
        node = type(root)
        return relay.GlobalID(
            type_name=node.resolve_typename(root, info),
            node_id=str(node.resolve_id(root, info=info)),
        )

    return strawberry.field(resolver=resolve, name="id", description=description)
