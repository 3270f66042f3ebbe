"""Customers: adding punchout customers, their roles, settings and cXML identities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from domain import audit, punchout_keys
from domain.access import Ability, Viewer, require
from domain.errors import CustomerCode, CustomerRefused
from domain.key_vault import KeyVault
from domain.limits import NAME_MAX
from domain.roles import find_role
from persistence.tables import Company, Customer, CustomerRole

USERNAME_PATTERN = re.compile(rf"^[A-Za-z0-9.\-_@+]{{3,{NAME_MAX}}}$")
# An email's dot-atom local part may hold more than a plain name (RFC 5322, section 3.2.3).
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
DOMAIN_PATTERN = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def clean_username(username: str) -> str:
    username = username.strip()
    plain = USERNAME_PATTERN.fullmatch(username)
    if not (plain or (len(username) <= NAME_MAX and EMAIL_PATTERN.fullmatch(username))):
        raise CustomerRefused(
            CustomerCode.INVALID,
            f"A username is 3-{NAME_MAX} characters: an email, or letters, digits and . - _ @ + "
            "(no spaces).",
            "username",
        )
    return username


async def get_customer(viewer: Viewer, customer_id: int) -> Customer | None:
    """The customer if it exists and its company is in the viewer's scope."""
    if not viewer.can(Ability.REACH_COMPANIES):
        return None
    query = Customer.filter(id=customer_id)
    if viewer.scoped:
        reachable = Company.filter(viewer.company_scope()).values("id")
        query = query.filter(company_id__in=Subquery(reachable))
    return await query.first()


async def editable_customer(viewer: Viewer | None, customer_id: int) -> tuple[Viewer, Customer]:
    viewer = require(viewer, Ability.EDIT_CUSTOMERS)
    customer = await get_customer(viewer, customer_id)
    if customer is None:
        raise CustomerRefused(CustomerCode.NOT_FOUND, "No such customer.", "customerId")
    return viewer, customer


async def add_punchout_customer(
    vault: KeyVault, viewer: Viewer | None, company_id: int, username: str
) -> Customer:
    """Create a punchout customer with its PUNCHOUT API Key and an audit record, atomically."""
    viewer = require(viewer, Ability.ADD_PUNCHOUT_CUSTOMER)
    username = clean_username(username)
    company = await Company.filter(viewer.company_scope(), id=company_id).first()
    if company is None:
        raise CustomerRefused(CustomerCode.NOT_FOUND, "No such company.", "companyId")
    taken = CustomerRefused(
        CustomerCode.TAKEN, f"A customer named {username!r} exists already.", "username"
    )
    if await Customer.exists(username_key=username.lower()):
        raise taken
    try:
        async with in_transaction() as conn:
            customer = await Customer.create(
                company=company,
                username=username,
                username_key=username.lower(),
                is_punchout=True,
                using_db=conn,
            )
            await punchout_keys.issue(vault, customer, conn)
            await audit.record(
                viewer,
                "customer.add_punchout",
                "customer",
                customer.id,
                company_id=company.id,
                after={"username": username, "isPunchout": True},
                using=conn,
            )
    except IntegrityError as exc:  # a concurrent add of the same name won the race
        raise taken from exc
    return customer


async def assign_role(viewer: Viewer | None, customer_id: int, role_name: str) -> Customer:
    """Give a catalog role; giving it again changes nothing."""
    viewer, customer = await editable_customer(viewer, customer_id)
    role = find_role(role_name)
    if role is None:
        raise CustomerRefused(
            CustomerCode.UNKNOWN_ROLE, f"There is no role {role_name.strip()!r}.", "role"
        )
    if await CustomerRole.exists(customer_id=customer.id, role=role.name):
        return customer
    try:
        async with in_transaction() as conn:
            await CustomerRole.create(customer=customer, role=role.name, using_db=conn)
            await audit.record(
                viewer,
                "customer.assign_role",
                "customer",
                customer.id,
                company_id=customer.company_id,
                after={"role": role.name},
                using=conn,
            )
    except IntegrityError:
        pass  # assigned concurrently: stored once, as asked
    return customer


async def remove_role(viewer: Viewer | None, customer_id: int, role_name: str) -> Customer:
    """Take a role away; removing one the customer lacks changes nothing."""
    viewer, customer = await editable_customer(viewer, customer_id)
    role = find_role(role_name)
    if role is None:
        raise CustomerRefused(
            CustomerCode.UNKNOWN_ROLE, f"There is no role {role_name.strip()!r}.", "role"
        )
    async with in_transaction() as conn:
        removed = (
            await CustomerRole.filter(customer_id=customer.id, role=role.name)
            .using_db(conn)
            .delete()
        )
        if removed:
            await audit.record(
                viewer,
                "customer.remove_role",
                "customer",
                customer.id,
                company_id=customer.company_id,
                before={"role": role.name},
                using=conn,
            )
    return customer


async def set_buyer_identity(
    viewer: Viewer | None, customer_id: int, domain: str | None, identity: str | None
) -> Customer:
    """Store the buyer's own cXML From identity (e.g. DUNS 123456789); None clears it."""
    viewer, customer = await editable_customer(viewer, customer_id)
    domain = domain.strip() if domain else None
    identity = identity.strip() if identity else None
    if (domain is None) != (identity is None):
        raise CustomerRefused(
            CustomerCode.REQUIRED, "Give both a domain and an identity, or neither.", "domain"
        )
    if domain is not None and not DOMAIN_PATTERN.fullmatch(domain):
        raise CustomerRefused(
            CustomerCode.INVALID, "A domain is 1-64 letters, digits, '.', '_', '-'.", "domain"
        )
    if identity is not None and len(identity.lower()) > NAME_MAX:  # "İ".lower() is two characters
        raise CustomerRefused(
            CustomerCode.INVALID, f"An identity has at most {NAME_MAX} characters.", "identity"
        )
    before = {"domain": customer.buyer_domain, "identity": customer.buyer_identity}
    async with in_transaction() as conn:
        customer.buyer_domain, customer.buyer_identity = domain, identity
        customer.buyer_identity_key = identity.lower() if identity else None
        await customer.save(
            using_db=conn, update_fields=["buyer_domain", "buyer_identity", "buyer_identity_key"]
        )
        await audit.record(
            viewer,
            "customer.set_buyer_identity",
            "customer",
            customer.id,
            company_id=customer.company_id,
            before=before,
            after={"domain": domain, "identity": identity},
            using=conn,
        )
    return customer


@dataclass(frozen=True)
class Supplier:
    """The supplier's side of every cXML exchange, from configuration."""

    identity: str
    duns: str | None
    setup_url: str


@dataclass(frozen=True)
class Credentials:
    from_domain: str
    from_identity: str
    to_domain: str
    to_identity: str
    sender_domain: str
    sender_identity: str
    setup_url: str


def punchout_credentials(customer: Customer, supplier: Supplier) -> Credentials:
    """What the buyer's procurement system is to send. Only Sender and secret are checked."""
    if supplier.duns:
        to_domain, to_identity = "DUNS", supplier.duns
    else:
        to_domain, to_identity = "NetworkID", supplier.identity
    return Credentials(
        from_domain=customer.buyer_domain or "NetworkID",
        from_identity=customer.buyer_identity or customer.username,
        to_domain=to_domain,
        to_identity=to_identity,
        sender_domain="NetworkID",
        sender_identity=customer.username,
        setup_url=supplier.setup_url,
    )


async def set_enabled(viewer: Viewer | None, customer_id: int, enabled: bool) -> Customer:
    """Disable a customer (its correct cXML credentials then get 403) or enable it again."""
    viewer = require(viewer, Ability.MANAGE_PUNCHOUT_CONNECTION)
    customer = await get_customer(viewer, customer_id)
    if customer is None:
        raise CustomerRefused(CustomerCode.NOT_FOUND, "No such customer.", "customerId")
    if (customer.disabled_at is None) == enabled:
        return customer  # already so: nothing to change or audit
    async with in_transaction() as conn:
        customer.disabled_at = None if enabled else datetime.now(UTC)
        await customer.save(using_db=conn, update_fields=["disabled_at"])
        await audit.record(
            viewer,
            "customer.enable" if enabled else "customer.disable",
            "customer",
            customer.id,
            company_id=customer.company_id,
            using=conn,
        )
    return customer


async def record_key_read(viewer: Viewer | None, customer_id: int) -> None:
    """Reading a PUNCHOUT API Key is an audited event: who, when, which customer."""
    viewer = require(viewer, Ability.READ_API_KEY)
    customer = await Customer.get(id=customer_id)
    await audit.record(
        viewer, "customer.read_api_key", "customer", customer.id, company_id=customer.company_id
    )
