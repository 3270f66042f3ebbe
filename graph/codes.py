"""Every top-level GraphQL error code (`errors[].extensions.code`), in one place."""

from __future__ import annotations

import enum


class Code(enum.Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"  # no token, or an unknown or expired one
    FORBIDDEN = "FORBIDDEN"  # the viewer may not do this at all
    BAD_USER_INPUT = "BAD_USER_INPUT"  # an argument the schema cannot tell is wrong
    TOO_COSTLY = "TOO_COSTLY"  # the operation would return or compute too much
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # the request body is over the limit
    BAD_REQUEST = "BAD_REQUEST"  # the HTTP request is no GraphQL request (HTTP 400)


def extensions(code: Code) -> dict[str, str]:
    return {"code": code.value}
