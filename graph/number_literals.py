"""Number literals in a document are refused past MAX_NUMBER_LENGTH characters, before
validation.

graphql-core reads an Int literal with int(), which Python refuses past 4,300 digits: the
ValueError escaped validation as a masked internal error, with a traceback in the server's log
(`first: 999...` of 5,000 digits). No Int (32 bits) is longer than 11 characters, and no Float
a client means is longer than a few dozen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import FloatValueNode, GraphQLError, IntValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from graph.codes import Code, extensions

MAX_NUMBER_LENGTH = 100
# A literal that long has a run of digits a third of its length (a sign, a point, an exponent
# and its sign are all it may hold besides): a document without one is not walked.
_LONG_RUN = re.compile(f"[0-9]{{{(MAX_NUMBER_LENGTH - 4) // 3}}}")


class _FindLong(Visitor):
    found = False

    def enter_int_value(self, node: IntValueNode, *args: Any) -> None:
        self.found = self.found or len(node.value) > MAX_NUMBER_LENGTH

    def enter_float_value(self, node: FloatValueNode, *args: Any) -> None:
        self.found = self.found or len(node.value) > MAX_NUMBER_LENGTH


class RefuseLongNumbers(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document, query = context.graphql_document, context.query or ""
        if document is None or not _LONG_RUN.search(query):
            return
        finder = _FindLong()
        visit(document, finder)
        if finder.found:
            raise GraphQLError(
                f"A number in the query has at most {MAX_NUMBER_LENGTH} characters.",
                extensions=extensions(Code.BAD_USER_INPUT),
            )
