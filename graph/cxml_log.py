"""The cXML connection log in GraphQL: a customer's exchanges, newest first."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry import relay

from domain.cxml_log import MAX_LOGGED_BODY
from domain.errors import Failure
from graph.bounds import at_most
from graph.errors import graphql_enum
from graph.pagination import bounded_first, decode_cursor, encode_cursor, page_info
from persistence.punchout_tables import CxmlExchange as ExchangeRow

LOG_CAP = 100
# A stored body: its first MAX_LOGGED_BODY characters, and a line that says how many were not.
BODY = at_most(chars=MAX_LOGGED_BODY + 64)

CxmlFailure = graphql_enum(
    Failure,
    "CxmlFailure",
    "Why a cXML exchange failed: what to tell the buyer's integrator to fix.",
)


@strawberry.type(description="One cXML request from a buyer's system, and the answer it got.")
class CxmlExchange:
    received_at: datetime = strawberry.field(description="When the request arrived.")
    route: str = strawberry.field(description="The path it was posted to.")
    request_type: str | None = strawberry.field(
        description="e.g. PunchOutSetupRequest; null when the body was not a readable request."
    )
    payload_id: str | None = strawberry.field(description="The request's cXML payloadID.")
    status_code: int = strawberry.field(description="The cXML Status code answered.")
    status_text: str = strawberry.field(description="The cXML Status text answered.")
    failure: enum.Enum | None = strawberry.field(
        description="Why it failed; null when it succeeded.", graphql_type=CxmlFailure | None
    )
    reason: str | None = strawberry.field(
        description="What exactly was wrong, for staff (the buyer gets a general answer)."
    )
    duration_ms: float = strawberry.field(
        description="Time taken to answer, in milliseconds (up to the final commit, which "
        "stores this entry together with what the request changed)."
    )
    request_body: str = strawberry.field(
        description="The document received; every SharedSecret shows as ***.", metadata=BODY
    )
    response_body: str = strawberry.field(
        description="The document answered; one-time start URLs show as ***.", metadata=BODY
    )

    @classmethod
    def from_row(cls, row: ExchangeRow) -> CxmlExchange:
        return cls(
            received_at=row.received_at,
            route=row.route,
            request_type=row.request_type,
            payload_id=row.payload_id,
            status_code=row.status_code,
            status_text=row.status_text,
            failure=CxmlFailure[row.failure] if row.failure else None,
            reason=row.reason,
            duration_ms=row.duration_ms,
            request_body=row.request_body,
            response_body=row.response_body,
        )


async def customer_log(
    customer_id: int, first: int, after: str | None
) -> relay.Connection[CxmlExchange]:  # type: ignore[type-var]  # not a Node
    """A customer's exchanges, newest first (the caller has checked the customer's scope)."""
    first = bounded_first(first, LOG_CAP)
    query = ExchangeRow.filter(customer_id=customer_id)
    if after is not None:
        query = query.filter(id__lt=decode_cursor(after, int)[0])
    rows = await query.order_by("-id").limit(first + 1)
    # Not Nodes: see graph/pagination.py on the type: ignores.
    edges = [
        relay.Edge(cursor=encode_cursor(r.id), node=CxmlExchange.from_row(r))  # type: ignore[type-var]
        for r in rows[:first]
    ]
    more = len(rows) > first
    return relay.Connection(  # type: ignore[type-var]
        edges=edges, page_info=page_info(edges, more, bool(after))
    )
