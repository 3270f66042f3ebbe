"""The per-request context: the request, the settings, who is calling, fresh DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from domain import signin, storefront
from domain.access import Viewer
from domain.key_vault import KeyVault
from graph.loaders import Loaders
from opsportal.config import Settings
from persistence.punchout_tables import PunchoutSession

T = TypeVar("T")


@dataclass
class Context:
    request: Request
    settings: Settings
    vault: KeyVault
    loaders: Loaders = field(init=False)
    key_reads: set[int] = field(default_factory=set)  # customers whose key this request read
    # The lookups themselves, not their results: fields resolved concurrently (aliased root
    # fields) then share one lookup instead of each starting its own.
    _viewer: asyncio.Future[Viewer | None] | None = field(default=None, repr=False)
    _session: asyncio.Future[PunchoutSession | None] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.vault, self.viewer, self.punchout_session)

    @property
    def bearer_token(self) -> str | None:
        return bearer_token(self.request)

    async def viewer(self) -> Viewer | None:
        """The signed-in staff member, looked up once per request and only when needed."""
        return await self._viewer_lookup()

    async def punchout_session(self) -> PunchoutSession | None:
        """The open punchout session whose storefront credential came with the request."""
        if not storefront.is_session_credential(self.bearer_token):
            return None  # a staff token, or none: nothing to look up (most requests)
        return await self._session_lookup()

    def start_caller_lookup(self) -> None:
        """Start looking up the caller that the bearer token names (a staff member, or a
        punchout session for a session credential) before a resolver asks, so that the
        database answers while the request is parsed and validated. The same lookup, once per
        request: a revoked token fails at once, as before."""
        token = self.bearer_token
        if token is not None:
            started = (
                self._session_lookup()
                if storefront.is_session_credential(token)
                else self._viewer_lookup()
            )
            started.add_done_callback(_retrieved)  # should nothing await it (a refusal)

    def _viewer_lookup(self) -> asyncio.Future[Viewer | None]:
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._lookup(signin.viewer_for_token))
        return self._viewer

    def _session_lookup(self) -> asyncio.Future[PunchoutSession | None]:
        if self._session is None:
            self._session = asyncio.ensure_future(self._lookup(storefront.session_for))
        return self._session

    async def _lookup(self, find: Callable[[str], Awaitable[T | None]]) -> T | None:
        token = self.bearer_token
        return await find(token) if token else None


Info = StrawberryInfo[Context, None]


def _retrieved(lookup: asyncio.Future[Any]) -> None:
    if not lookup.cancelled():
        lookup.exception()  # a failure is raised to whoever awaits it; unawaited, not logged


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header: how the API, and every route that
    answers staff (the attachments' downloads), takes it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
