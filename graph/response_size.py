"""A bound on the answer as it is built: its bytes of JSON, and its list items.

The estimate before execution (graph/cost.py) trusts the fields' bounds and cannot know text
without one: six orders with a megabyte of comments each, or a session stored with 25,000
Extrinsics before setup requests were capped. So every value is counted as its field resolves,
and once the answer passes OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES (or MAX_OBJECTS list items),
every further field stops at once and the whole answer becomes one TOO_COSTLY error: nothing
past the bound is built, and nothing of it is sent.

Mutations run one after another; those that ran before the stop stay done, and the error
names them. One answer is never cut: handing the cart back (`transferPunchoutCart`) ends the
session, so its answer is the only copy of the cart; it is not counted (it happens once a
session, so it cannot be repeated to multiply it).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Iterator
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, OperationType
from graphql.pyutils import is_awaitable
from strawberry.extensions import SchemaExtension

from graph.codes import Code, extensions
from graph.cost import FIELD_BYTES, MAX_OBJECTS, TEXT_BYTES, max_response_bytes, mebibytes

# The payload of the transfer and what it holds: answered in full, never counted (see above).
ANSWERED_IN_FULL = frozenset({"TransferPayload", "CartTransfer"})
OTHER_VALUE_BYTES = 8  # a number, a boolean, null, an object's braces, an enum's quotes
LONG_TEXT = 1024  # longer text is measured as JSON (its escapes); shorter, by its length


class ResponseBudget(SchemaExtension):
    def __init__(self) -> None:
        self.limit = max_response_bytes(None)
        self.bytes = self.objects = 0
        self.stopped: str | None = None
        self.ran: list[str] = []  # the mutations started, by their names in the answer

    def on_operation(self) -> Iterator[None]:
        self.limit = max_response_bytes(self.execution_context.context)
        yield
        result = self.execution_context.result
        if self.stopped is None or result is None:
            return
        message = self.stopped
        if self.ran:
            message += (
                " Mutations run one after another: these ran, and what they changed stays "
                f"changed: {', '.join(self.ran)}."
            )
        result.data = None
        result.errors = [GraphQLError(message, extensions=extensions(Code.TOO_COSTLY))]

    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        if self.stopped is not None:
            raise self._stop()
        if info.parent_type.name in ANSWERED_IN_FULL:
            return _next(root, info, *args, **kwargs)
        if info.path.prev is None and info.operation.operation is OperationType.MUTATION:
            self.ran.append(str(info.path.key))
        result = _next(root, info, *args, **kwargs)
        if is_awaitable(result):
            return self._counted(result, info)
        self._count(result, info)
        return result

    async def _counted(self, pending: Awaitable[Any], info: GraphQLResolveInfo) -> Any:
        result = await pending
        self._count(result, info)
        return result

    def _count(self, value: Any, info: GraphQLResolveInfo) -> None:
        size = len(str(info.path.key)) + FIELD_BYTES
        if isinstance(value, str):
            size += len(json.dumps(value)) if len(value) > LONG_TEXT else len(value) + TEXT_BYTES
        elif isinstance(value, list | tuple):
            self.objects += len(value)
            size += 2 + len(value)
            if value and isinstance(value[0], str):  # a list of text: its items are no fields
                size += sum(len(item) + TEXT_BYTES for item in value)
        else:
            size += OTHER_VALUE_BYTES
        self.bytes += size
        if self.objects > MAX_OBJECTS:
            self.stopped = (
                f"The answer holds more than {MAX_OBJECTS:,} objects (more than its fields' "
                "bounds allow: data stored before they were set): it was stopped. Ask for "
                "smaller pages (`first`) or fewer fields."
            )
        elif self.bytes > self.limit:
            self.stopped = (
                f"The answer passed {mebibytes(self.limit)} and was stopped; ask for smaller "
                "pages (`first`), fewer aliases or fewer fields at once."
            )
        if self.stopped is not None:
            raise self._stop()

    def _stop(self) -> GraphQLError:
        return GraphQLError(self.stopped or "", extensions=extensions(Code.TOO_COSTLY))
