"""The audit trail: one row per change, written inside the change's transaction."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.access import Viewer
from persistence.tables import AuditEvent


async def record(
    viewer: Viewer | None,
    action: str,
    target_type: str,
    target_id: int,
    *,
    company_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    using: BaseDBAsyncClient | None = None,
) -> AuditEvent:
    return await AuditEvent.create(
        actor_id=viewer.staff.id if viewer else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        company_id=company_id,
        before=before,
        after=after,
        using_db=using,
    )
