"""Permission classes: each guard calls the domain's rule (domain.access) and names its code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission, PermissionExtension

from domain.access import Ability, require
from domain.errors import AccessDenied, NotSignedIn
from domain.storefront import is_session_credential
from graph.codes import Code, extensions
from graph.errors import access_error


class SignedIn(BasePermission):
    """Any signed-in staff member."""

    message = NotSignedIn().message

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if await info.context.viewer() is None:
            raise access_error(NotSignedIn())
        return True


class Allowed(BasePermission):
    """The viewer holds `ability`; with `when`, only for sources where `when(source)` holds."""

    def __init__(self, ability: Ability, when: Callable[[Any], bool] | None = None) -> None:
        self.ability = ability
        self.when = when

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if self.when is not None and not self.when(source):
            return True
        try:
            require(await info.context.viewer(), self.ability)
        except AccessDenied as exc:
            raise access_error(exc) from None
        return True


def guard(ability: Ability, when: Callable[[Any], bool] | None = None) -> PermissionExtension:
    """The field extension that enforces `ability` (see Allowed)."""
    return PermissionExtension(permissions=[Allowed(ability, when)], use_directives=False)


def signed_in() -> PermissionExtension:
    return PermissionExtension(permissions=[SignedIn()], use_directives=False)


def _no_session() -> GraphQLError:
    return GraphQLError(
        "Send the punchout session's credential as 'Authorization: Bearer ...'; the "
        "session may have ended or expired: start again from the procurement system.",
        extensions=extensions(Code.UNAUTHENTICATED),
    )


class InPunchoutSession(BasePermission):
    """The storefront of an open punchout session (its credential, not a staff token)."""

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if await info.context.punchout_session() is None:
            raise _no_session()
        return True


def in_punchout_session() -> PermissionExtension:
    return PermissionExtension(permissions=[InPunchoutSession()], use_directives=False)


class StaffOrPunchoutSession(BasePermission):
    """Staff holding `ability`, or the storefront of an open punchout session: for a field
    that answers each caller with what is theirs (see `node`). Refused as each would be."""

    def __init__(self, ability: Ability) -> None:
        self.staff = Allowed(ability)

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        if await info.context.punchout_session() is not None:
            return True
        if await info.context.viewer() is None and is_session_credential(info.context.bearer_token):
            raise _no_session()  # an ended or expired session's credential
        return await self.staff.has_permission(source, info, **kwargs)


def staff_or_punchout_session(ability: Ability) -> PermissionExtension:
    return PermissionExtension(permissions=[StaffOrPunchoutSession(ability)], use_directives=False)
