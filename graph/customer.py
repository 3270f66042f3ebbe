"""Customers in GraphQL: details, roles, Developer Fields, cXML credentials (mutations: in
customer_mutations.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from cxml.build import SECRET_PLACEHOLDER, example_setup_request
from domain import customers, developer_fields, punchout_keys
from domain.access import Ability, who_may
from domain.limits import MAX_WORKING_KEYS
from domain.roles import CATALOG, find_role
from graph.audit import AuditEvent as AuditRef
from graph.bounds import at_most
from graph.company import Company
from graph.context import Info
from graph.cxml_log import CxmlExchange, FailureFilter, customer_log
from graph.order import Order as OrderRef
from graph.pagination import After, parse_global_id
from graph.permissions import guard
from graph.punchout_key import PunchoutKey
from graph.role import Role
from persistence.tables import Customer as CustomerRow


async def _key_read(info: Info, customer_id: int) -> None:
    """Every read of a key is on record: once per customer per request."""
    if customer_id in info.context.key_reads:
        return
    info.context.key_reads.add(customer_id)
    await customers.record_key_read(await info.context.viewer(), customer_id)


@strawberry.type(description="One of a customer's settings, shown as its Developer Fields.")
class DeveloperField:
    key: str = strawberry.field(description="The setting's key, e.g. PUNCHOUT_API_KEY.")
    label: str = strawberry.field(description="The setting's name as staff see it.")
    description: str = strawberry.field(description="What the setting does.")
    choices: list[str] = strawberry.field(
        description="The values it may take, when it is a choice; empty otherwise.",
        metadata=at_most(items=max(len(spec.choices) for spec in developer_fields.FIELDS)),
    )
    is_secret: bool = strawberry.field(
        description="True for the PUNCHOUT API Key: only key readers see it, every read audited."
    )
    stored: strawberry.Private[str | None]
    customer_id: strawberry.Private[int]
    withheld: strawberry.Private[bool] = False  # developerFields(secrets: false)

    @strawberry.field(
        extensions=[guard(Ability.READ_API_KEY, when=lambda f: f.is_secret and not f.withheld)],
        description="The value (the default where none is stored). Secret values (the PUNCHOUT "
        f"API Key) only for {who_may(Ability.READ_API_KEY)}; others get a FORBIDDEN error here.",
    )
    async def value(self, info: Info) -> str | None:
        if not self.is_secret or self.withheld:
            return None if self.withheld else self.stored
        key = punchout_keys.current(await info.context.loaders.punchout_keys.load(self.customer_id))
        if key is None:
            return None
        await _key_read(info, self.customer_id)
        return key.value


@strawberry.type(
    description="What to give the buyer's procurement system to connect over cXML. "
    "Only the Sender identity and the shared secret are checked."
)
class PunchoutCredentials:
    from_domain: str = strawberry.field(description="The From credential's domain.")
    from_identity: str = strawberry.field(description="The From credential's identity.")
    to_domain: str = strawberry.field(description="The To (supplier) credential's domain.")
    to_identity: str = strawberry.field(description="The To (supplier) credential's identity.")
    sender_domain: str = strawberry.field(description="The Sender credential's domain.")
    sender_identity: str = strawberry.field(
        description="The Sender credential's identity: the customer's username."
    )
    setup_url: str = strawberry.field(description="Where to post PunchOutSetupRequests.")
    credentials: strawberry.Private[customers.Credentials]
    customer_id: strawberry.Private[int]

    async def _secret(self, info: Info) -> str | None:
        keys = await info.context.loaders.punchout_keys.load(self.customer_id)
        key = punchout_keys.current(keys)
        if key is None:
            return None
        await _key_read(info, self.customer_id)
        return key.value

    @strawberry.field(
        extensions=[guard(Ability.READ_API_KEY)],
        description="The Sender's SharedSecret: the current PUNCHOUT API Key. "
        f"{who_may(Ability.READ_API_KEY).capitalize()} only.",
    )
    async def shared_secret(self, info: Info) -> str | None:
        return await self._secret(info)

    @strawberry.field(
        description="A ready PunchOutSetupRequest with these values, for the buyer's "
        "integrator to try against `setupUrl`. Staff who may not read the key get the "
        f"placeholder {SECRET_PLACEHOLDER} in its SharedSecret."
    )
    async def example_setup_request(self, info: Info) -> str:
        viewer = await info.context.viewer()
        readable = viewer is not None and viewer.can(Ability.READ_API_KEY)
        secret = await self._secret(info) if readable else None
        return example_setup_request(self.credentials, secret or SECRET_PLACEHOLDER)


@strawberry.type(description="A customer account under a company.")
class Customer(relay.Node):
    id: relay.NodeID[int]
    username: str = strawberry.field(description="The username or email the customer uses.")
    is_punchout: bool = strawberry.field(description="Whether it connects over cXML punchout.")
    is_enabled: bool = strawberry.field(
        description="False while disabled: its correct cXML credentials then get 403."
    )
    created_at: datetime = strawberry.field(description="When it was added.")
    row: strawberry.Private[CustomerRow]

    @classmethod
    def from_row(cls, row: CustomerRow) -> Customer:
        return cls(
            id=row.id,
            username=row.username,
            is_punchout=row.is_punchout,
            is_enabled=row.disabled_at is None,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field(description="The company the customer belongs to.")
    async def company(self, info: Info) -> Company:
        row = await info.context.loaders.company.load(self.row.company_id)
        assert row is not None  # the foreign key: a company with customers cannot be deleted
        return Company.from_row(row)

    @strawberry.field(
        description="The customer's roles, by name.", metadata=at_most(items=len(CATALOG))
    )
    async def roles(self, info: Info) -> list[Role]:
        names = await info.context.loaders.customer_roles.load(self.id)
        return [Role.from_role(r) for r in map(find_role, names) if r is not None]

    @strawberry.field(
        description="The customer's settings (Developer Fields).",
        metadata=at_most(items=len(developer_fields.FIELDS)),
    )
    async def developer_fields(
        self,
        info: Info,
        secrets: Annotated[
            bool,
            strawberry.argument(
                description="False: secret values come back null, neither read nor audited "
                "(a screen that shows them masked until asked)."
            ),
        ] = True,
    ) -> list[DeveloperField]:
        settings = await info.context.loaders.customer_settings.load(self.id)
        return [
            DeveloperField(
                key=spec.key,
                label=spec.label,
                description=spec.description,
                choices=list(spec.choices),
                is_secret=spec.secret,
                stored=value,
                customer_id=self.id,
                withheld=spec.secret and not secrets,
            )
            for spec, value in developer_fields.effective(settings)
        ]

    @strawberry.field(description="The audit trail, newest first (read only).")
    async def audit_events(
        self,
        first: Annotated[int, strawberry.argument(description="At most 100.")] = 20,
        after: After = None,
    ) -> relay.Connection[AuditRef]:  # type: ignore[type-var]  # not a Node
        from graph.audit import audit_page

        return await audit_page(first, after, customer_id=self.id)

    @strawberry.field(description="Purchase orders received, newest first, with their lines.")
    async def orders(
        self,
        first: Annotated[int, strawberry.argument(description="At most 50.")] = 20,
        after: After = None,
    ) -> relay.Connection[OrderRef]:
        from graph.order import orders_page

        return await orders_page(first, after, customer_id=self.id)

    @strawberry.field(
        description="The cXML exchanges of this customer's procurement system, newest first "
        "(with those of strangers who named it: see `authenticated`). Kept for "
        "OPSPORTAL_CXML_LOG_DAYS, within OPSPORTAL_CXML_LOG_MAX_BYTES of bodies in all."
    )
    async def cxml_log(
        self,
        first: Annotated[int, strawberry.argument(description="At most 100.")] = 20,
        after: After = None,
        failure: FailureFilter = None,
    ) -> relay.Connection[CxmlExchange]:  # type: ignore[type-var]  # not a Node
        return await customer_log(self.id, first, after, failure)

    @strawberry.field(
        extensions=[guard(Ability.READ_API_KEY)],
        metadata=at_most(items=MAX_WORKING_KEYS),
        description="The customer's working PUNCHOUT API Keys, the current one first: after "
        "`rotatePunchoutKey`, the old one too until its grace period ends. "
        f"{who_may(Ability.READ_API_KEY).capitalize()} only.",
    )
    async def punchout_keys(self, info: Info) -> list[PunchoutKey] | None:
        keys = await info.context.loaders.punchout_keys.load(self.id)
        return [PunchoutKey.from_key(k, lambda i: _key_read(i, self.id)) for k in keys]

    @strawberry.field(description="The cXML identities and secret to give the buyer.")
    async def punchout_credentials(self, info: Info) -> PunchoutCredentials:
        creds = customers.punchout_credentials(self.row, info.context.settings.supplier)
        return PunchoutCredentials(
            from_domain=creds.from_domain,
            from_identity=creds.from_identity,
            to_domain=creds.to_domain,
            to_identity=creds.to_identity,
            sender_domain=creds.sender_domain,
            sender_identity=creds.sender_identity,
            setup_url=creds.setup_url,
            credentials=creds,
            customer_id=self.id,
        )


async def customer_by_id(info: Info, id: strawberry.ID) -> Customer | None:
    viewer = await info.context.viewer()
    row_id = parse_global_id(id, "Customer")
    if viewer is None or row_id is None:  # no viewer: the fields' guards let none through
        return None
    row = await customers.get_customer(viewer, row_id)
    return Customer.from_row(row) if row else None


@strawberry.type
class CustomerQuery:
    customer: Customer | None = strawberry.field(
        resolver=customer_by_id,
        extensions=[guard(Ability.REACH_COMPANIES)],
        description="A customer by its ID; null when it does not exist or is out of your scope.",
    )
