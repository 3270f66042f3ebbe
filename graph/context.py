"""The per-request context: the request, the settings, who is calling, fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from domain import signin, storefront
from domain.access import Viewer
from domain.key_vault import KeyVault
from graph.loaders import Loaders
from opsportal.config import Settings
from persistence.tables import PunchoutSession

_UNSET = object()


@dataclass
class Context:
    request: Request
    settings: Settings
    vault: KeyVault
    loaders: Loaders = field(init=False)
    key_reads: set[int] = field(default_factory=set)  # customers whose key this request read
    _viewer: object = field(default=_UNSET, repr=False)
    _session: object = field(default=_UNSET, repr=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.vault)

    @property
    def bearer_token(self) -> str | None:
        scheme, _, token = self.request.headers.get("authorization", "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    async def viewer(self) -> Viewer | None:
        """The signed-in staff member, looked up once per request and only when needed."""
        if self._viewer is _UNSET:
            token = self.bearer_token
            self._viewer = await signin.viewer_for_token(token) if token else None
        return self._viewer  # type: ignore[return-value]

    async def punchout_session(self) -> PunchoutSession | None:
        """The open punchout session whose storefront credential came with the request."""
        if self._session is _UNSET:
            token = self.bearer_token
            self._session = await storefront.session_for(token) if token else None
        return self._session  # type: ignore[return-value]


Info = StrawberryInfo[Context, None]
