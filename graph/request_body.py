"""Reading a GraphQL request's JSON body, and answering one that is no GraphQL request.

strawberry decodes the body with `json.loads` and then treats it as an object: `null`, a
string, a number or a boolean failed there as an AttributeError, bytes that are not UTF-8 as a
UnicodeDecodeError, a body nested thousands deep as a RecursionError, and an integer of
thousands of digits as a ValueError (Python's limit on converting one), each a plain 500 with
a traceback. Here each is refused as a 400 whose body is a GraphQL error (BAD_REQUEST), as is
every other request strawberry refuses (a batch, no query, another content type).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.responses import Response

from graph.codes import Code, extensions

# A GraphQL request nests a few levels (variables holding input objects and lists): no
# operation of ours needs more than 5. Checked rather than left to the recursion limit, so a
# refusal does not depend on how deep the decoder's stack happens to be.
MAX_DEPTH = 64


class BadRequestBody(ValueError):
    """The body is no GraphQL request; the message says why."""


def decode_body(data: str | bytes) -> object:
    """The request as a JSON object (or an array: strawberry answers a batch itself)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise BadRequestBody("The request body is not UTF-8 text.") from None
    try:
        decoded = json.loads(text)
    except RecursionError:
        raise BadRequestBody(_too_deep()) from None
    except json.JSONDecodeError as exc:
        raise BadRequestBody(f"The request body is not JSON: {exc.msg}.") from None
    except ValueError:  # an integer of more digits than Python converts (4,300 by default)
        raise BadRequestBody("The request body holds a number too long to read.") from None
    if not isinstance(decoded, dict | list):
        raise BadRequestBody(
            'A GraphQL request is a JSON object: {"query": "...", "variables": {...}}.'
        )
    if _depth_over(decoded, MAX_DEPTH):
        raise BadRequestBody(_too_deep())
    return decoded


def _too_deep() -> str:
    return f"The request body nests deeper than {MAX_DEPTH} levels."


def _depth_over(value: dict[str, object] | list[object], limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` deep. A loop, not recursion: the
    point is not to run out of stack on hostile input."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        assert isinstance(children, Iterable)
        pending.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def refusal(message: str, status_code: int = 400) -> Response:
    """A refused HTTP request, answered as GraphQL clients read errors. ASCII JSON: the
    message may quote what was sent (an operation's name), lone surrogates included."""
    body = {"errors": [{"message": message, "extensions": extensions(Code.BAD_REQUEST)}]}
    return Response(json.dumps(body), status_code=status_code, media_type="application/json")
