"""The audit trail in GraphQL: per company and per customer, newest first; read only."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry import relay

from graph.pagination import bounded_first, decode_cursor, encode_cursor, page_info
from persistence.tables import AuditEvent as AuditRow

AUDIT_CAP = 100


@strawberry.type(description="One change (or key read), as recorded: who, what, when.")
class AuditEvent:
    at: datetime = strawberry.field(description="When it happened.")
    actor_email: str | None = strawberry.field(
        description="The staff member who did it; null for the system or a removed member."
    )
    action: str = strawberry.field(
        description="e.g. customer.add_punchout, customer.assign_role, customer.read_api_key."
    )
    target_type: str = strawberry.field(description="company or customer.")
    target_id: int = strawberry.field(description="The target's database id.")
    before: str | None = strawberry.field(description="The values before, as JSON.")
    after: str | None = strawberry.field(description="The values after, as JSON.")

    @classmethod
    def from_row(cls, row: AuditRow) -> AuditEvent:
        def as_json(value: object) -> str | None:
            return None if value is None else json.dumps(value, sort_keys=True)

        return cls(
            at=row.created_at,
            actor_email=row.actor.email if row.actor else None,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            before=as_json(row.before),
            after=as_json(row.after),
        )


async def audit_page(
    first: int, after: str | None, *, company_id: int | None = None, customer_id: int | None = None
) -> relay.Connection[AuditEvent]:  # type: ignore[type-var]  # not a Node
    """Events of one company (its customers' included) or one customer, newest first; the
    caller has checked the scope."""
    first = bounded_first(first, AUDIT_CAP)
    query = (
        AuditRow.filter(company_id=company_id)
        if company_id is not None
        else AuditRow.filter(target_type="customer", target_id=customer_id)
    )
    if after is not None:
        query = query.filter(id__lt=decode_cursor(after, int)[0])
    rows = await query.order_by("-id").limit(first + 1).prefetch_related("actor")
    # Not Nodes: see graph/pagination.py on the type: ignores.
    edges = [
        relay.Edge(cursor=encode_cursor(r.id), node=AuditEvent.from_row(r))  # type: ignore[type-var]
        for r in rows[:first]
    ]
    more = len(rows) > first
    return relay.Connection(  # type: ignore[type-var]
        edges=edges, page_info=page_info(edges, more, bool(after))
    )
