"""Text arguments with NUL characters are refused before anything runs.

PostgreSQL cannot store U+0000 in text (SQLite can), so without this a NUL reached the database
and failed there, as a masked internal error on one database and not the other. No field of
ours has a use for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from graph.codes import Code, extensions


def _holds_nul(value: Any) -> bool:
    # A loop, not recursion: variables may nest as deep as the JSON decoder allows.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class _FindNul(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *args: Any) -> None:
        if "\x00" in node.value:
            self.found = True


def _document_holds_nul(query: str | None, document: Any) -> bool:
    # Only a document that could spell a NUL (raw, or as a \u escape) is walked.
    if document is None or not query or ("\x00" not in query and "\\u" not in query):
        return False
    finder = _FindNul()
    visit(document, finder)
    return finder.found


class RefuseNulText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and (
            _holds_nul(context.variables)
            or _document_holds_nul(context.query, context.graphql_document)
        ):
            context.result = GraphQLExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Text may not contain NUL characters (U+0000).",
                        extensions=extensions(Code.BAD_USER_INPUT),
                    )
                ],
            )
        yield
