"""Who may do what: the permission table of the portal, in one place.

- administrator, superuser: every company; edit companies; add punchout customers; edit
  customers; read PUNCHOUT API Keys; read the cXML requests no customer was matched to;
  manage staff accounts; edit the catalog (products and contract prices).
- role companyEdit: every company; edit companies; edit customers; edit the catalog.
- role crmCompanyEdit: only the companies assigned to them; edit those companies' customers.
- anyone else: nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery

from domain.errors import AccessDenied, NotSignedIn
from persistence.sql import Sql
from persistence.tables import Staff, StaffCompany

COMPANY_EDIT = "companyEdit"
CRM_COMPANY_EDIT = "crmCompanyEdit"
STAFF_ROLES = (COMPANY_EDIT, CRM_COMPANY_EDIT)


class Ability(enum.Enum):
    """What a staff member may do; each value completes "Your account may not ..."."""

    REACH_COMPANIES = "reach companies"
    EDIT_COMPANIES = "create and edit companies"
    ADD_PUNCHOUT_CUSTOMER = "add punchout customers"
    MANAGE_PUNCHOUT_CONNECTION = "rotate PUNCHOUT API Keys or disable punchout customers"
    EDIT_CUSTOMERS = "change customers' roles and identities"
    READ_API_KEY = "read PUNCHOUT API Keys"
    # Strangers' requests name no company: no company scope can let anyone else read them.
    READ_UNMATCHED_CXML = "read the cXML requests no customer was matched to"
    # Add, change and list staff accounts (and so know which emails are accounts).
    MANAGE_STAFF = "manage staff accounts"
    # Products and contract prices (reading them: whoever reaches companies).
    EDIT_CATALOG = "create and edit products and contract prices"


_BY_ROLE: dict[str, frozenset[Ability]] = {
    COMPANY_EDIT: frozenset(
        {
            Ability.REACH_COMPANIES,
            Ability.EDIT_COMPANIES,
            Ability.EDIT_CUSTOMERS,
            Ability.EDIT_CATALOG,
        }
    ),
    CRM_COMPANY_EDIT: frozenset({Ability.REACH_COMPANIES, Ability.EDIT_CUSTOMERS}),
}


def who_may(ability: Ability) -> str:
    """Who holds an ability, in the words of the API's descriptions (read off the table)."""
    holders = [role for role in STAFF_ROLES if ability in _BY_ROLE[role]]
    if not holders:
        return "administrators and superusers"
    if holders == [COMPANY_EDIT]:
        return f"{COMPANY_EDIT} and up"
    return f"{' and '.join(holders)} and up ({CRM_COMPANY_EDIT} on their companies)"


@dataclass
class Viewer:
    """A signed-in staff member, with what they may do worked out once per request."""

    staff: Staff
    abilities: frozenset[Ability] = field(init=False)
    scoped: bool = field(init=False)  # True: only assigned companies are reachable

    def __post_init__(self) -> None:
        if self.is_administrator or self.staff.is_superuser:
            self.abilities = frozenset(Ability)
            self.scoped = False
            return
        granted: set[Ability] = set()
        for role in self.staff.roles or ():
            granted |= _BY_ROLE.get(role, frozenset())
        self.abilities = frozenset(granted)
        self.scoped = COMPANY_EDIT not in (self.staff.roles or ())

    @property
    def is_administrator(self) -> bool:
        return self.staff.is_administrator

    def can(self, ability: Ability) -> bool:
        return ability in self.abilities

    def company_scope(self) -> Q:
        """A filter on Company rows: the companies this viewer may reach."""
        if not self.can(Ability.REACH_COMPANIES):
            return Q(id__in=[])
        if not self.scoped:
            return Q()
        assigned = StaffCompany.filter(staff_id=self.staff.id).values("company_id")
        return Q(id__in=Subquery(assigned))


def scope_condition(viewer: Viewer, sql: Sql, column: str = "c.id") -> str | None:
    """`Viewer.company_scope` as a condition of a hand-written statement on `column` (None:
    every company)."""
    if not viewer.can(Ability.REACH_COMPANIES):
        return "1 = 0"
    if not viewer.scoped:
        return None
    assigned = f"SELECT company_id FROM staff_company WHERE staff_id = {sql.p(viewer.staff.id)}"
    return f"{column} IN ({assigned})"


def require(viewer: Viewer | None, ability: Ability) -> Viewer:
    """The viewer, if signed in and allowed; raises NotSignedIn or AccessDenied otherwise."""
    if viewer is None:
        raise NotSignedIn()
    if not viewer.can(ability):
        raise AccessDenied(f"Your account may not {ability.value}.")
    return viewer
