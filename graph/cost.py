"""A bound on what one request may ask for: nested connections multiply.

`companies(first: 50) { customers(first: 100) { auditEvents(first: 100) } }` may return half a
million objects although each `first` is within its cap. Before anything runs, every field with
a `first` argument is counted as the most objects it may return: its `first` (at most 100, the
largest page of any connection) times that of every enclosing one; a few heavy fields (WEIGHTS)
count as many objects. Variables are known at that point, so the count is exact for the
frontend's fixed documents, whatever values they send.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)
from strawberry.extensions import SchemaExtension

from graph.codes import Code, extensions

MAX_OBJECTS = 10_000
# Fields that weigh more than one object: a cXML body may hold up to a megabyte, an order's
# lines are a list of their own (a 1 MiB OrderRequest carries a few thousand), and so are its
# attachments (up to 99 a request, their bytes not among them).
WEIGHTS = {
    ("CxmlExchange", "requestBody"): 40,
    ("CxmlExchange", "responseBody"): 40,
    ("Order", "lines"): 100,
    ("Order", "attachments"): 10,
}
LARGEST_FIRST = 100  # no connection returns more per page (graph/pagination.bounded_first)


class _Count:
    def __init__(self, schema: Any, fragments: Mapping[str, FragmentDefinitionNode], variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables or {}
        self.total = 0

    def selection(self, parent: Any, selections: SelectionSetNode | None, factor: int) -> None:
        if selections is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        for node in selections.selections:
            if isinstance(node, FieldNode):
                self.field(parent, node, factor)
            elif isinstance(node, InlineFragmentNode):
                inner = self._type(node.type_condition) or parent
                self.selection(inner, node.selection_set, factor)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    inner = self._type(fragment.type_condition) or parent
                    self.selection(inner, fragment.selection_set, factor)

    def field(self, parent: Any, node: FieldNode, factor: int) -> None:
        definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename and the like
            return
        weight = WEIGHTS.get((parent.name, node.name.value))
        first = definition.args.get("first")
        if first is not None:
            factor *= self._first(node, first)
        if first is not None or weight is not None:
            self.total += factor * (weight or 1)
            if self.total > MAX_OBJECTS:
                raise _TooCostly()
        self.selection(get_named_type(definition.type), node.selection_set, factor)

    def _first(self, node: FieldNode, argument: Any) -> int:
        given = next((a for a in node.arguments or () if a.name.value == "first"), None)
        value = (
            value_from_ast(given.value, argument.type, self.variables)
            if given is not None
            else argument.default_value
        )
        if not isinstance(value, int):
            return LARGEST_FIRST
        return max(0, min(value, LARGEST_FIRST))

    def _type(self, condition: Any) -> Any:
        return self.schema.get_type(condition.name.value) if condition is not None else None


class _TooCostly(Exception):
    pass


def count_objects(schema: Any, document: Any, operation_name: str | None, variables) -> int:
    """The most objects the operation's connections may return (stops past MAX_OBJECTS)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    count = _Count(schema, fragments, variables)
    try:
        for operation in chosen[:1]:
            root = schema.get_root_type(operation.operation)
            count.selection(root, operation.selection_set, 1)
    except _TooCostly:
        pass
    return count.total


class ConnectionCost(SchemaExtension):
    """Refuses, before execution, an operation whose connections may return more than
    MAX_OBJECTS objects in all."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            schema = context.schema._schema
            total = count_objects(schema, document, context.operation_name, context.variables)
            if total > MAX_OBJECTS:
                context.result = GraphQLExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"The query may return more than {MAX_OBJECTS:,} objects through "
                            "nested connections; ask for smaller pages (`first`), or fewer "
                            "levels at once.",
                            extensions=extensions(Code.TOO_COSTLY),
                        )
                    ],
                )
        yield
