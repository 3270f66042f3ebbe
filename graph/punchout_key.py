"""A PUNCHOUT API Key as staff who may read keys see it: value, age, expiry, last use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from domain.punchout_keys import OpenedKey
from graph.context import Info


@strawberry.type(
    description="One of a customer's working PUNCHOUT API Keys: the current one, or an old one "
    "within the grace period its rotation gave it."
)
class PunchoutKey:
    created_at: datetime = strawberry.field(description="When it was issued.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops working; null for the current key."
    )
    last_used_at: datetime | None = strawberry.field(
        description="When a buyer's request last came with it (to the minute); null if never."
    )
    is_current: bool = strawberry.field(description="Whether it is the current key.")
    key: strawberry.Private[OpenedKey]
    on_read: strawberry.Private[Callable[[Info], Awaitable[None]]]

    @strawberry.field(description="The key itself; every read is on the audit trail.")
    async def value(self, info: Info) -> str:
        await self.on_read(info)
        return self.key.value

    @classmethod
    def from_key(cls, key: OpenedKey, on_read: Callable[[Info], Awaitable[None]]) -> PunchoutKey:
        return cls(
            created_at=key.row.created_at,
            expires_at=key.row.expires_at,
            last_used_at=key.row.last_used_at,
            is_current=key.is_current,
            key=key,
            on_read=on_read,
        )
