"""The cXML connection log in GraphQL: a customer's exchanges, and (`cxmlLog` at the top level)
those no customer could be matched to; both newest first, in pages, by failure if asked."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from tortoise.queryset import QuerySet

from domain import unmatched
from domain.access import Ability, who_may
from domain.cxml_log import MAX_LOGGED_BODY, MAX_LOGGED_CREDENTIALS
from domain.errors import Failure
from domain.limits import MAX_PARTS
from domain.records import Credential, Identities
from graph.attachments import CxmlAttachment
from graph.bounds import at_most
from graph.errors import graphql_enum
from graph.pagination import After, bounded_first, decode_cursor, encode_cursor, page_info
from graph.permissions import guard
from persistence.punchout_tables import CxmlExchange as ExchangeRow

LOG_CAP = 100
# A stored body: its first MAX_LOGGED_BODY characters, and a line that says how many were not.
CREDENTIALS = at_most(items=MAX_LOGGED_CREDENTIALS)  # of each part, as the log keeps them
BODY = at_most(chars=MAX_LOGGED_BODY + 64)

CxmlFailure = graphql_enum(
    Failure,
    "CxmlFailure",
    "Why a cXML exchange failed: what to tell the buyer's integrator to fix.",
)
# The `failure` argument of both logs.
FailureFilter = Annotated[
    enum.Enum | None,
    strawberry.argument(
        description="Only the exchanges that failed so; all of them when null.",
        graphql_type=CxmlFailure | None,
    ),
]
First = Annotated[int, strawberry.argument(description=f"At most {LOG_CAP}.")]


@strawberry.type(description="A cXML credential as sent: its domain and identity (never a secret).")
class CxmlCredential:
    domain: str = strawberry.field(description="e.g. NetworkID, DUNS.")
    identity: str = strawberry.field(description="The identity in that domain.")


def _credentials(sent: tuple[Credential, ...] | None) -> list[CxmlCredential] | None:
    if sent is None:
        return None
    return [CxmlCredential(domain=c.domain, identity=c.identity) for c in sent]


_SENT = "null when the Header could not be read, or for entries logged before they were kept."


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
    authenticated: bool = strawberry.field(
        description="Whether the sender proved to be the customer (its SharedSecret was right). "
        "false: anyone may have sent it, a wrong secret with a real customer's name included; "
        "its bodies are kept to their first 4 KiB. Entries logged before this was recorded: "
        "true where a customer was matched and the answer was not 401."
    )
    request_body: str = strawberry.field(
        description="The document received; every SharedSecret shows as ***.", metadata=BODY
    )
    response_body: str = strawberry.field(
        description="The document answered; one-time start URLs show as ***.", metadata=BODY
    )
    sender: list[CxmlCredential] | None = strawberry.field(
        description=f"The Sender credentials as sent, in order; {_SENT}", metadata=CREDENTIALS
    )
    from_: list[CxmlCredential] | None = strawberry.field(
        name="from",
        description=f"The From credentials as sent, in order; {_SENT}",
        metadata=CREDENTIALS,
    )
    to: list[CxmlCredential] | None = strawberry.field(
        description=f"The To credentials as sent, in order; {_SENT}", metadata=CREDENTIALS
    )
    user_agent: str | None = strawberry.field(
        description="The Sender's UserAgent exactly as sent (the buyer's procurement system); "
        "null when none was sent or could be read."
    )
    attachments: list[CxmlAttachment] = strawberry.field(
        description="The MIME parts sent beside the document (multipart/related), in order; "
        "their bytes are not logged.",
        metadata=at_most(items=MAX_PARTS),
    )

    @classmethod
    def from_row(cls, row: ExchangeRow, reason: str | None = None) -> CxmlExchange:
        sent = Identities.from_json(row.identities) if row.identities is not None else None
        return cls(
            received_at=row.received_at,
            route=row.route,
            request_type=row.request_type,
            payload_id=row.payload_id,
            status_code=row.status_code,
            status_text=row.status_text,
            failure=CxmlFailure[row.failure] if row.failure else None,
            reason=reason or row.reason,
            duration_ms=row.duration_ms,
            authenticated=row.authenticated,
            request_body=row.request_body,
            response_body=row.response_body,
            sender=_credentials(sent.sender if sent else None),
            from_=_credentials(sent.from_ if sent else None),
            to=_credentials(sent.to if sent else None),
            user_agent=sent.user_agent if sent else None,
            attachments=CxmlAttachment.listed(row.attachments),
        )


async def _page(
    query: QuerySet[ExchangeRow], first: int, after: str | None, failure: enum.Enum | None
) -> relay.Connection[CxmlExchange]:  # type: ignore[type-var]  # not a Node
    """One page of a log, newest first (ids grow with time: the cursor is the last id), each
    entry with the reason for staff (domain.unmatched: "did you mean ...?" for strangers)."""
    first = bounded_first(first, LOG_CAP)
    if failure is not None:
        query = query.filter(failure=failure.name)
    if after is not None:
        query = query.filter(id__lt=decode_cursor(after, int)[0])
    rows = await query.order_by("-id").limit(first + 1)
    shown = rows[:first]
    reasons = await unmatched.staff_reasons(shown)
    # Not Nodes: see graph/pagination.py on the type: ignores.
    edges = [
        relay.Edge(cursor=encode_cursor(r.id), node=CxmlExchange.from_row(r, reasons.get(r.id)))  # type: ignore[type-var]
        for r in shown
    ]
    more = len(rows) > first
    return relay.Connection(  # type: ignore[type-var]
        edges=edges, page_info=page_info(edges, more, bool(after))
    )


async def customer_log(
    customer_id: int, first: int, after: str | None, failure: enum.Enum | None = None
) -> relay.Connection[CxmlExchange]:  # type: ignore[type-var]  # not a Node
    """A customer's exchanges, newest first (the caller has checked the customer's scope)."""
    query = ExchangeRow.filter(customer_id=customer_id)
    return await _page(query, first, after, failure)


@strawberry.type
class CxmlLogQuery:
    @strawberry.field(
        extensions=[guard(Ability.READ_UNMATCHED_CXML)],
        description="The cXML requests no customer could be matched to (an identity typed "
        "wrong, a body that is not XML, no Sender at all...), newest first, redacted as a "
        "customer's log is, each with the identities sent and the reason in words (with the "
        "customer's name it most likely meant, where one is a few keystrokes away). Kept for "
        "OPSPORTAL_UNMATCHED_LOG_DAYS, at most OPSPORTAL_UNMATCHED_LOG_MAX_ROWS entries. "
        f"{who_may(Ability.READ_UNMATCHED_CXML).capitalize()} only.",
    )
    async def cxml_log(
        self, first: First = 20, after: After = None, failure: FailureFilter = None
    ) -> relay.Connection[CxmlExchange]:  # type: ignore[type-var]  # not a Node
        query = ExchangeRow.filter(customer_id=None)
        return await _page(query, first, after, failure)
