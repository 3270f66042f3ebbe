"""Staff sign-in and the signed-in viewer."""

from __future__ import annotations

import strawberry

from domain import signin, staff_admin
from domain.access import STAFF_ROLES
from graph.bounds import at_most
from graph.context import Info
from graph.errors import ONE_ERROR, LoginError, refusals
from graph.permissions import signed_in


@strawberry.type(description="The signed-in staff member.")
class Viewer:
    email: str = strawberry.field(description="The staff member's email.")
    is_administrator: bool = strawberry.field(description="Administrators may do everything.")
    is_superuser: bool = strawberry.field(description="Superusers may do everything.")
    roles: list[str] = strawberry.field(
        description="Staff roles: companyEdit, crmCompanyEdit.",
        metadata=at_most(items=len(STAFF_ROLES)),
    )


async def resolve_viewer(info: Info) -> Viewer:
    viewer = await info.context.viewer()
    assert viewer is not None  # the signed_in guard lets none through without one
    staff = viewer.staff
    return Viewer(
        email=staff.email,
        is_administrator=staff.is_administrator,
        is_superuser=staff.is_superuser,
        roles=list(staff.roles or ()),
    )


@strawberry.type
class StaffQuery:
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer,
        extensions=[signed_in()],
        description="Who is signed in.",
    )


@strawberry.type(description="The result of signing in.")
class LoginPayload:
    token: str | None = strawberry.field(
        description="A bearer token: send it as `Authorization: Bearer <token>`."
    )
    errors: list[LoginError] = strawberry.field(
        description="Why signing in failed.", metadata=ONE_ERROR
    )


@strawberry.type(description="The result of signing out.")
class LogoutPayload:
    logged_out: bool = strawberry.field(description="True once the token no longer works.")


@strawberry.type(description="The result of signing out everywhere.")
class LogoutEverywherePayload:
    logged_out: bool = strawberry.field(description="True once none of your tokens works.")
    revoked_tokens: int = strawberry.field(
        description="How many tokens stopped working, this request's included."
    )


@strawberry.type
class StaffMutation:
    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info, email: str, password: str) -> LoginPayload:
        client = info.context.request.client
        token, errors = await refusals(
            lambda: signin.login(
                email,
                password,
                info.context.settings.token_ttl,
                address=client.host if client else None,
            ),
            LoginError,
        )
        return LoginPayload(token=token, errors=errors)

    @strawberry.mutation(
        extensions=[signed_in()],
        description="Sign out: the token sent with this request stops working.",
    )
    async def logout(self, info: Info) -> LogoutPayload:
        await signin.logout(info.context.bearer_token or "")
        return LogoutPayload(logged_out=True)

    @strawberry.mutation(
        extensions=[signed_in()],
        description="Sign out on every device: every token of the signed-in staff member "
        "stops working, this request's included (audited as staff.logout_everywhere).",
    )
    async def logout_everywhere(self, info: Info) -> LogoutEverywherePayload:
        revoked = await staff_admin.logout_everywhere(await info.context.viewer())
        return LogoutEverywherePayload(logged_out=True, revoked_tokens=revoked)
