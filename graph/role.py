"""The catalog of customer roles, for the type-and-pick field."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain import roles
from domain.access import Ability
from graph.bounds import at_most
from graph.pagination import bounded_first
from graph.permissions import guard

ROLES_CAP = 50


@strawberry.type(description="A role a customer can be given.")
class Role:
    name: str = strawberry.field(description="The role's name, e.g. companyAdmin.")
    description: str = strawberry.field(description="What the role lets the customer do.")

    @classmethod
    def from_role(cls, role: roles.Role) -> Role:
        return cls(name=role.name, description=role.description)


def search_roles(
    search: Annotated[
        str,
        strawberry.argument(
            description="What the user typed: the start of the role name, or the starts of "
            "words of its name or description."
        ),
    ] = "",
    first: Annotated[int, strawberry.argument(description="Default 10, at most 50.")] = 10,
) -> list[Role]:
    return [Role.from_role(r) for r in roles.search_roles(search, bounded_first(first, ROLES_CAP))]


@strawberry.type
class RoleQuery:
    roles: list[Role] = strawberry.field(
        resolver=search_roles,
        extensions=[guard(Ability.EDIT_CUSTOMERS)],
        metadata=at_most(items=len(roles.CATALOG)),
        description="Customer roles matching `search`, case- and accent-insensitively: those "
        "whose name starts with it, then those with every typed word starting a word of the "
        "name (camelCase split: companyAdmin is company, admin), then of the name or the "
        "description; alphabetical within each.",
    )
