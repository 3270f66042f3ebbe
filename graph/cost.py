"""A bound on what one request may ask for, worked out before anything runs.

Lists multiply: `companies(first: 50) { customers(first: 100) { auditEvents(first: 100) } }`
may return half a million objects although each `first` is within its cap, and eight aliases of
a session's `extrinsics` are eight times its Extrinsics. Every list counts as the most items it
may hold: a connection its `first` (at most 100, the largest page of any), any other list the
bound it declares (graph/bounds.py), both times the lists enclosing it. Two sums come of it:

- objects, the list items an answer may hold;
- bytes of JSON it may take: every field's name and punctuation, every number, boolean, ID,
  date and enum at its widest, and text at its declared length (a cXML body's 64 KiB); text
  without one counts its quotes only, and is counted as the answer is built instead
  (graph/response_size.py). At most the response bound, OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES.

Both are the worst case: every list full at once, which real answers rarely approach (an
order's 1,000 lines, each with 10 classifications and 20 Extrinsics, is 30,000 objects, and a
staff member asking for one order's line details must get them). So an operation is refused
before it runs when its worst case passes WORST_CASE times the limits (MAX_OBJECTS objects, the
response bound's bytes): it asks for too much whatever the data. Below that, the answer is
counted as it is built and stopped once it really passes them (graph/response_size.py).

Variables are known at that point, so the frontend's fixed documents are judged by the values
they send.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)
from strawberry.extensions import SchemaExtension

from graph.bounds import bound_of, is_connection_edges, is_list
from graph.codes import Code, extensions

MAX_OBJECTS = 20_000  # list items in one answer, counted as it is built
WORST_CASE = 10  # how far past the limits an operation's worst case may go before it runs
LARGEST_FIRST = 100  # no connection returns more per page (graph/pagination.bounded_first)
UNDECLARED_ITEMS = LARGEST_FIRST  # a list that declares no bound (a test fails on one)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES's default
# The widest JSON of each scalar: an Int's 11 characters, a global ID's base64 of a type's name
# and a 64-bit id, an ISO datetime with microseconds and offset (quotes included).
SCALAR_BYTES = {"Int": 11, "Float": 24, "Boolean": 5, "ID": 48, "DateTime": 34}
FIELD_BYTES = 4  # a field's quotes, colon and comma, beside its name
TEXT_BYTES = 2  # a text's quotes: its characters are counted where they are known


@dataclass(frozen=True)
class Estimate:
    objects: int
    bytes: int


class _Stop(Exception):
    pass


class _Count:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
        stop: Estimate | None,
    ) -> None:
        self.schema, self.fragments = schema, fragments
        self.variables = dict(variables or {})
        self.stop = stop
        self.objects = self.bytes = 0

    def selection(
        self, parent: Any, selections: SelectionSetNode | None, factor: int, edges: int
    ) -> None:
        """`edges`: the page size of the connection `parent` is, for its `edges` field."""
        if selections is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        for node in selections.selections:
            if isinstance(node, FieldNode):
                self.field(parent, node, factor, edges)
            elif isinstance(node, InlineFragmentNode):
                inner = self._type(node.type_condition) or parent
                self.selection(inner, node.selection_set, factor, edges)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    inner = self._type(fragment.type_condition) or parent
                    self.selection(inner, fragment.selection_set, factor, edges)

    def field(self, parent: Any, node: FieldNode, factor: int, edges: int) -> None:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename, and introspection (its size is the schema's)
            return
        bound = bound_of(definition)
        first = definition.args.get("first")
        key = node.alias.value if node.alias else name
        self.bytes += factor * (len(key) + FIELD_BYTES)
        page = 1
        if is_list(definition.type):
            if is_connection_edges(parent, name):
                items = edges
            else:
                items = bound.items if bound.items is not None else UNDECLARED_ITEMS
                if first is not None:
                    items = min(items, self._first(node, first))
            self.bytes += factor * 2  # each list's brackets
            factor *= items
            self.objects += factor
            self.bytes += factor  # a comma an item
        elif first is not None:  # a connection: its page is the size of its `edges`
            page = self._first(node, first)
            if bound.items is not None:
                page = min(page, bound.items)
        named = get_named_type(definition.type)
        if node.selection_set is None:
            self.bytes += factor * self._leaf(named, bound.chars)
        else:
            self.bytes += factor * 2  # an object's braces
        self._check()
        self.selection(named, node.selection_set, factor, page)

    def _leaf(self, named: Any, chars: int | None) -> int:
        if isinstance(named, GraphQLEnumType):
            return 2 + max((len(v) for v in named.values), default=0)
        if named.name in SCALAR_BYTES:
            return SCALAR_BYTES[named.name]
        return TEXT_BYTES + (chars or 0)

    def _check(self) -> None:
        if self.stop is not None and (
            self.objects > self.stop.objects or self.bytes > self.stop.bytes
        ):
            raise _Stop()

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


def estimate(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    stop: Estimate | None = None,
) -> Estimate:
    """The most the operation may return: list items and bytes of JSON (counting ends as soon
    as either passes `stop`)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    count = _Count(schema, fragments, variables, stop)
    try:
        for operation in chosen[:1]:
            root = schema.get_root_type(operation.operation)
            count.selection(root, operation.selection_set, 1, LARGEST_FIRST)
    except _Stop:
        pass
    return Estimate(count.objects, count.bytes)


def max_response_bytes(context: Any) -> int:
    """The response bound of the server's settings (the default without them)."""
    settings = getattr(context, "settings", None)
    return getattr(settings, "graphql_max_response_bytes", DEFAULT_MAX_BYTES)


def mebibytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB"


class ConnectionCost(SchemaExtension):
    """Refuses, before execution, an operation whose worst case (every list at its bound) is
    more than WORST_CASE times MAX_OBJECTS list items, or times the response bound in bytes."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            limit = Estimate(
                MAX_OBJECTS * WORST_CASE, max_response_bytes(context.context) * WORST_CASE
            )
            found = estimate(
                context.schema._schema, document, context.operation_name, context.variables, limit
            )
            message = None
            if found.objects > limit.objects:
                message = (
                    f"The query may return more than {limit.objects:,} objects through nested "
                    "lists and connections; ask for smaller pages (`first`), fewer aliases, or "
                    "fewer levels at once."
                )
            elif found.bytes > limit.bytes:
                message = (
                    f"The answer may be larger than {mebibytes(limit.bytes)} (by the most each "
                    "field may hold); ask for smaller pages (`first`), fewer aliases or fewer "
                    "fields at once."
                )
            if message is not None:
                context.result = GraphQLExecutionResult(
                    data=None,
                    errors=[GraphQLError(message, extensions=extensions(Code.TOO_COSTLY))],
                )
        yield
