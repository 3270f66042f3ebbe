"""A bound on a document's size with its fragments expanded, checked before validation.

The token limit bounds what is sent, not what it means: each fragment may spread the next one
twice, so thirty short fragments stand for a billion fields. Validation rules (the depth and
alias limits among them) and the connection cost walk the expanded document, so such a
document would hold the worker for hours. Counted here with each fragment's size worked out
once, in time linear in the document.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from graph.codes import Code, extensions

MAX_FIELDS = 5_000  # the frontend's largest operation expands to some 60 fields


class _TooLarge(Exception):
    pass


def expanded_fields(document: DocumentNode) -> int:
    """How many fields the document's operations and fragments stand for, expanded (stops
    counting past MAX_FIELDS). A fragment cycle counts as too large."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    sizes: dict[str, int] = {}
    open_: set[str] = set()

    def size(selections: SelectionSetNode | None) -> int:
        total = 0
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                total += 1 + size(node.selection_set)
            elif isinstance(node, InlineFragmentNode):
                total += size(node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                total += fragment(node.name.value)
            if total > MAX_FIELDS:
                raise _TooLarge
        return total

    def fragment(name: str) -> int:
        if name not in sizes:
            if name in open_:
                raise _TooLarge  # a cycle: validation would report it, after expanding it
            definition = fragments.get(name)
            open_.add(name)
            sizes[name] = size(definition.selection_set) if definition else 0
            open_.discard(name)
        return sizes[name]

    try:
        return sum(size(getattr(d, "selection_set", None)) for d in document.definitions)
    except (_TooLarge, RecursionError):
        return MAX_FIELDS + 1


_verdicts: dict[str, bool] = {}  # by query text: the frontend sends the same few documents


class ExpandedSizeLimit(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document, query = context.graphql_document, context.query or ""
        if document is None or not any(
            isinstance(d, FragmentDefinitionNode) for d in document.definitions
        ):
            return  # without fragments, the token limit bounds the size
        too_large = _verdicts.get(query)
        if too_large is None:
            too_large = expanded_fields(document) > MAX_FIELDS
            if len(_verdicts) >= 256:
                _verdicts.clear()
            _verdicts[query] = too_large
        if too_large:
            raise GraphQLError(
                f"The query expands (through its fragments) to more than {MAX_FIELDS:,} fields.",
                extensions=extensions(Code.TOO_COSTLY),
            )
