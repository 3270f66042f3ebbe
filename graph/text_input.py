"""Text no field of ours can store is refused before anything runs, in every String argument and
variable, whoever sends it (sign-in has no token).

- NUL (U+0000): PostgreSQL cannot store it in text (SQLite can), so it reached the database and
  failed there, as a masked internal error on one database and not the other.
- A lone surrogate (U+D800-U+DFFF without its pair, e.g. JSON's "x\\ud800y"): no character at
  all, and no UTF-8 can carry it, so the first encoding (argon2's, a database driver's) failed
  with a masked internal error and a traceback.

In a document's own string literals the parser already refuses lone surrogates; variables are
where they arrive, decoded from JSON escapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from graph.codes import Code, extensions

# (what is refused, the sentence that says so)
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("\x00"), "Text may not contain NUL characters (U+0000)."),
    (
        re.compile("[\ud800-\udfff]"),
        "Text may not contain a lone surrogate (U+D800 to U+DFFF, e.g. \\ud800 without its "
        "pair): it is no character, and no UTF-8 can carry it.",
    ),
)


def refusal(text: str) -> str | None:
    """Why `text` cannot be taken, or None."""
    if text.isascii() and "\x00" not in text:  # the usual case, at C speed
        return None
    return next((message for pattern, message in RULES if pattern.search(text)), None)


def _refusal_in(value: Any) -> str | None:
    # A loop, not recursion: variables may nest as deep as the body allows. Keys too: a name
    # of an input field is text the server echoes in its errors.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if (found := refusal(item)) is not None:
                return found
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return None


class _FindRefused(Visitor):
    found: str | None = None

    def enter_string_value(self, node: StringValueNode, *args: Any) -> None:
        self.found = self.found or refusal(node.value)


def _document_refusal(query: str | None, document: Any) -> str | None:
    # Only a document that could spell one (raw, or as a \u escape) is walked.
    if document is None or not query or ("\x00" not in query and "\\u" not in query):
        return None
    finder = _FindRefused()
    visit(document, finder)
    return finder.found


class RefuseUnstorableText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None:
            found = _refusal_in(context.variables) or _document_refusal(
                context.query, context.graphql_document
            )
            if found is not None:
                context.result = GraphQLExecutionResult(
                    data=None,
                    errors=[GraphQLError(found, extensions=extensions(Code.BAD_USER_INPUT))],
                )
        yield
