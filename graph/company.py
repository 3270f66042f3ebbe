"""Companies in GraphQL: the typeahead, lookups, and creating and editing companies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types.lazy_type import LazyType

from domain import companies
from domain import search as search_module
from domain.access import Ability, who_may
from domain.errors import CompanyCode, CompanyRefused
from domain.limits import MAX_ASSIGNED_STAFF
from graph.bounds import at_most
from graph.context import Info
from graph.errors import ONE_ERROR, CompanyError, refusals
from graph.pagination import (
    After,
    bounded_first,
    decode_cursor,
    encode_cursor,
    page_info,
    parse_global_id,
    ranked_page,
    search_position,
)
from graph.permissions import guard
from persistence.flat_values import flat_values
from persistence.tables import Company as CompanyRow
from persistence.tables import Customer as CustomerRow
from persistence.tables import Staff as StaffRow

if TYPE_CHECKING:
    from graph.audit import AuditEvent
    from graph.customer import Customer
    from graph.order import Order
    from graph.product import ContractPrice

SEARCH_CAP = 50
CUSTOMERS_CAP = 100
CustomerRef = Annotated["Customer", strawberry.lazy("graph.customer")]
# Company and Customer refer to each other: strawberry's lazy type, not an import cycle.
CUSTOMER: LazyType[str, str] = LazyType("Customer", "graph.customer")
OrderRef = Annotated["Order", strawberry.lazy("graph.order")]
AuditRef = Annotated["AuditEvent", strawberry.lazy("graph.audit")]
ContractPriceRef = Annotated["ContractPrice", strawberry.lazy("graph.product")]


@strawberry.type(description="A buyer organisation in the supplier's CRM.")
class Company(relay.Node):
    id: relay.NodeID[int]
    # The Node interface's `id`, as a value made with the company rather than resolved for each
    # one: a field with a resolver costs several times a plain one, and a typeahead page lists
    # ten companies.
    _id: relay.GlobalID = strawberry.field(
        name="id", description="The Globally Unique ID of this object"
    )
    name: str = strawberry.field(description="The company's name.")
    code: str = strawberry.field(description="The company's unique code in the CRM.")

    @classmethod
    def from_row(cls, row: CompanyRow | search_module.Hit) -> Company:
        """From its table row, or from a search hit (the columns a result shows)."""
        return cls(
            id=row.id, _id=relay.GlobalID("Company", str(row.id)), name=row.name, code=row.code
        )

    @strawberry.field(
        description="Emails of the staff assigned to it (crmCompanyEdit), sorted.",
        metadata=at_most(items=MAX_ASSIGNED_STAFF),
    )
    async def assigned_staff(self) -> list[str]:
        rows = StaffRow.filter(assignments__company_id=self.id).order_by("email")
        emails: list[str] = await flat_values(rows, "email")
        return emails

    @strawberry.field(description="The company's customers, oldest first.")
    async def customers(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="At most 100.")] = 50,
        after: After = None,
    ) -> relay.Connection[CustomerRef]:
        first = bounded_first(first, CUSTOMERS_CAP)
        if after is None:  # the usual case, batched across every company listed
            rows = await info.context.loaders.first_customers.load((self.id, first + 1))
        else:
            rows = (
                await CustomerRow.filter(company_id=self.id, id__gt=decode_cursor(after, int)[0])
                .order_by("id")
                .limit(first + 1)
            )
        customer = CUSTOMER.resolve_type()  # Customer's module imports this one
        edges = [relay.Edge(cursor=encode_cursor(r.id), node=customer.from_row(r)) for r in rows]
        return relay.Connection(
            edges=edges[:first], page_info=page_info(edges[:first], len(rows) > first, bool(after))
        )

    @strawberry.field(description="The audit trail, newest first (read only).")
    async def audit_events(
        self,
        first: Annotated[int, strawberry.argument(description="At most 100.")] = 20,
        after: After = None,
    ) -> relay.Connection[AuditRef]:  # type: ignore[type-var]  # not a Node
        from graph.audit import audit_page

        return await audit_page(first, after, company_id=self.id)

    @strawberry.field(description="Purchase orders received, newest first, with their lines.")
    async def orders(
        self,
        first: Annotated[int, strawberry.argument(description="At most 50.")] = 20,
        after: After = None,
    ) -> relay.Connection[OrderRef]:
        from graph.order import orders_page

        return await orders_page(first, after, company_id=self.id)

    @strawberry.field(description="The company's contract prices (the catalog), oldest first.")
    async def prices(
        self,
        first: Annotated[int, strawberry.argument(description="At most 100.")] = 50,
        after: After = None,
    ) -> relay.Connection[ContractPriceRef]:  # type: ignore[type-var]  # not a Node
        from graph.product import prices_page

        return await prices_page(self.id, first, after)


async def search(
    info: Info,
    search: Annotated[
        str, strawberry.argument(description="Typed keywords; every word must match.")
    ] = "",
    first: Annotated[int, strawberry.argument(description="Default 10, at most 50.")] = 10,
    after: After = None,
) -> relay.Connection[Company]:
    viewer = await info.context.viewer()
    rows, has_next = await search_module.search(
        viewer, search, bounded_first(first, SEARCH_CAP), search_position(after)
    )
    return ranked_page(rows, has_next, after, Company.from_row)


async def company_by_id(info: Info, id: strawberry.ID) -> Company | None:
    viewer = await info.context.viewer()
    row_id = parse_global_id(id, "Company")
    if viewer is None or row_id is None:  # no viewer: the fields' guards let none through
        return None
    row = await companies.get_company(viewer, row_id)
    return Company.from_row(row) if row else None


@strawberry.type
class CompanyQuery:
    companies: relay.Connection[Company] = strawberry.field(
        resolver=search,
        extensions=[guard(Ability.REACH_COMPANIES)],
        description="Typeahead over the companies you may reach: exact code first, then "
        "name prefix, then word prefixes, alphabetical within each; case- and accent-insensitive, "
        'letters transliterated ("lodz" finds "Łódź"), umlauts plain or spelt out ("muller" and '
        '"mueller" find "Müller").',
    )
    company: Company | None = strawberry.field(
        resolver=company_by_id,
        extensions=[guard(Ability.REACH_COMPANIES)],
        description="A company by its ID; null when it does not exist or is out of your scope.",
    )


@strawberry.input(description="A new company.")
class CreateCompanyInput:
    name: str = strawberry.field(description="The company's name.")
    code: str = strawberry.field(description="A unique code: letters, digits, . _ - /.")
    assigned_staff: list[str] | None = strawberry.field(
        default=None,
        description="Emails of crmCompanyEdit staff who look after it. Administrators and "
        "superusers may name any staff member; others, crmCompanyEdit staff only (and, on "
        "update, whoever is assigned already): any other email answers NOT_FOUND alike.",
    )


@strawberry.input(description="Changes to a company; omitted fields stay as they are.")
class UpdateCompanyInput:
    id: strawberry.ID = strawberry.field(description="The company's ID.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    code: str | None = strawberry.field(default=None, description="A new unique code.")
    assigned_staff: list[str] | None = strawberry.field(
        default=None,
        description="The full new list of assigned staff emails (who may be named: as in "
        "CreateCompanyInput.assignedStaff).",
    )


@strawberry.type(description="The result of creating or changing a company.")
class CompanyPayload:
    company: Company | None = strawberry.field(description="The company, when it succeeded.")
    errors: list[CompanyError] = strawberry.field(
        description="What was wrong with the input.", metadata=ONE_ERROR
    )


@strawberry.type
class CompanyMutation:
    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_COMPANIES)],
        description=f"Create a company ({who_may(Ability.EDIT_COMPANIES)}).",
    )
    async def create_company(self, info: Info, input: CreateCompanyInput) -> CompanyPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: companies.create_company(viewer, input.name, input.code, input.assigned_staff)
        )

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_COMPANIES)],
        description=f"Change a company ({who_may(Ability.EDIT_COMPANIES)}).",
    )
    async def update_company(self, info: Info, input: UpdateCompanyInput) -> CompanyPayload:
        viewer = await info.context.viewer()

        async def change() -> CompanyRow:
            row_id = parse_global_id(input.id, "Company")
            if row_id is None:
                raise CompanyRefused(CompanyCode.NOT_FOUND, "No such company.", "id")
            return await companies.update_company(
                viewer,
                row_id,
                name=input.name,
                code=input.code,
                assigned_staff=input.assigned_staff,
            )

        return await _run(change)


async def _run(change: Callable[[], Awaitable[CompanyRow]]) -> CompanyPayload:
    row, errors = await refusals(change, CompanyError)
    return CompanyPayload(company=Company.from_row(row) if row else None, errors=errors)
