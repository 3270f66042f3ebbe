"""Managing staff accounts: create, change only what is named, disable, revoke tokens, list.

Used by the command line (viewer None: the operator at the machine) and open to the API (a
viewer who is an administrator or superuser). Every change is audited in its own transaction;
a change of password, roles, administrator or superuser rights, and disabling, revoke the
account's existing tokens, so that nobody keeps rights through a token issued before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import STAFF_ROLES, Ability, Viewer
from domain.errors import AccessDenied, NotSignedIn, StaffCode, StaffRefused
from domain.limits import NAME_MAX
from domain.passwords import password_problem
from domain.signin import hash_password
from domain.text import code_key
from persistence.flat_values import flat_values
from persistence.tables import Company, Staff, StaffCompany, StaffToken


@dataclass(frozen=True)
class StaffChange:
    """What to change; None and empty mean "leave as it is"."""

    password: str | None = None
    administrator: bool | None = None
    superuser: bool | None = None
    add_roles: tuple[str, ...] = ()
    remove_roles: tuple[str, ...] = ()
    assign: tuple[str, ...] = ()  # company codes
    unassign: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return (
            self.password is None
            and self.administrator is None
            and self.superuser is None
            and not (self.add_roles or self.remove_roles or self.assign or self.unassign)
        )


@dataclass(frozen=True)
class Outcome:
    """What a change did: the names of what changed (empty: nothing), tokens revoked."""

    staff: Staff
    changed: tuple[str, ...]
    tokens_revoked: int


@dataclass(frozen=True)
class StaffSummary:
    email: str
    is_administrator: bool
    is_superuser: bool
    disabled: bool
    roles: tuple[str, ...]
    company_codes: tuple[str, ...]
    last_sign_in_at: datetime | None


# Changes after which a token issued before would carry rights the account no longer has.
REVOKING = frozenset({"password", "administrator", "superuser", "roles"})


def _operator(viewer: Viewer | None) -> None:
    """None is the operator at the command line; through the API, administrators only."""
    if viewer is None:
        return
    if not viewer.can(Ability.MANAGE_STAFF):
        raise AccessDenied("Only administrators and superusers manage staff.")


def clean_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > NAME_MAX or any(c.isspace() for c in email):
        raise StaffRefused(StaffCode.INVALID, f"{email!r} is not an email address.", "email")
    return email


def check_password(password: str, email: str) -> None:
    """A new password must follow domain.passwords' rules (existing ones are not checked)."""
    problem = password_problem(password, [email])
    if problem:
        raise StaffRefused(StaffCode.INVALID, problem, "password")


def _check_roles(roles: Iterable[str]) -> None:
    unknown = sorted(set(roles) - set(STAFF_ROLES))
    if unknown:
        raise StaffRefused(
            StaffCode.INVALID,
            f"Unknown staff role {unknown[0]!r}; known: {', '.join(STAFF_ROLES)}.",
            "roles",
        )


async def _companies(codes: Iterable[str]) -> dict[int, str]:
    """Company id -> code for the given codes; NOT_FOUND for the first unknown one."""
    found: dict[int, str] = {}
    for code in codes:
        company = await Company.get_or_none(code_key=code_key(code))
        if company is None:
            raise StaffRefused(StaffCode.NOT_FOUND, f"No company has the code {code!r}.", "assign")
        found[company.id] = company.code
    return found


async def _staff(email: str, conn: BaseDBAsyncClient | None = None) -> Staff:
    email = email.strip().lower()
    query = Staff.filter(email=email) if len(email) <= NAME_MAX else Staff.filter(id=-1)
    if conn is not None:
        query = query.using_db(conn).select_for_update()
    staff = await query.first()
    if staff is None:
        raise StaffRefused(StaffCode.NOT_FOUND, f"No staff member {email!r}.", "email")
    return staff


async def _revoke(staff_id: int, conn: BaseDBAsyncClient) -> int:
    return await StaffToken.filter(staff_id=staff_id).using_db(conn).delete()


async def create_staff(
    viewer: Viewer | None,
    email: str,
    password: str,
    *,
    administrator: bool = False,
    superuser: bool = False,
    roles: Iterable[str] = (),
    assign: Iterable[str] = (),
) -> Staff:
    """A new staff member; TAKEN if the email has an account already (change it instead)."""
    _operator(viewer)
    email = clean_email(email)
    check_password(password, email)
    roles = sorted(set(roles))
    _check_roles(roles)
    companies = await _companies(assign)
    taken = StaffRefused(StaffCode.TAKEN, f"A staff member {email!r} exists already.", "email")
    if await Staff.exists(email=email):
        raise taken
    password_hash = await asyncio.to_thread(hash_password, password)
    try:
        async with in_transaction() as conn:
            staff = await Staff.create(
                email=email,
                password_hash=password_hash,
                is_administrator=administrator,
                is_superuser=superuser,
                roles=roles,
                using_db=conn,
            )
            for company_id in companies:
                await StaffCompany.create(staff=staff, company_id=company_id, using_db=conn)
            after = {
                "email": email,
                "administrator": administrator,
                "superuser": superuser,
                "roles": roles,
                "companies": sorted(companies.values()),
            }
            await audit.record(
                viewer, "staff.add", "staff", staff.id, company_id=None, after=after, using=conn
            )
    except IntegrityError as exc:  # added concurrently under the same email
        raise taken from exc
    return staff


async def change_staff(viewer: Viewer | None, email: str, change: StaffChange) -> Outcome:
    """Change only what `change` names. Revokes the account's tokens when its password or
    rights changed; a change to what it already is changes (and audits) nothing."""
    _operator(viewer)
    if change.password is not None:
        check_password(change.password, email)
    _check_roles([*change.add_roles, *change.remove_roles])
    both = sorted(set(change.add_roles) & set(change.remove_roles))
    if both:
        raise StaffRefused(
            StaffCode.INVALID, f"Role {both[0]!r} is both added and removed.", "roles"
        )
    assign = await _companies(change.assign)
    unassign = await _companies(change.unassign)
    if set(assign) & set(unassign):
        code = assign[min(set(assign) & set(unassign))]
        raise StaffRefused(
            StaffCode.INVALID, f"Company {code!r} is both assigned and unassigned.", "assign"
        )
    password_hash = (
        await asyncio.to_thread(hash_password, change.password) if change.password else None
    )
    async with in_transaction() as conn:
        staff = await _staff(email, conn)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        fields: list[str] = []
        if password_hash is not None:
            staff.password_hash = password_hash
            fields.append("password_hash")
            after["password"] = "changed"
        for name, attribute, wanted in (
            ("administrator", "is_administrator", change.administrator),
            ("superuser", "is_superuser", change.superuser),
        ):
            if wanted is not None and getattr(staff, attribute) != wanted:
                before[name], after[name] = getattr(staff, attribute), wanted
                setattr(staff, attribute, wanted)
                fields.append(attribute)
        roles = sorted((set(staff.roles or ()) | set(change.add_roles)) - set(change.remove_roles))
        if roles != sorted(staff.roles or ()):
            before["roles"], after["roles"] = sorted(staff.roles or ()), roles
            staff.roles = roles
            fields.append("roles")
        if fields:
            await staff.save(using_db=conn, update_fields=fields)
        held: set[int] = set(
            await flat_values(StaffCompany.filter(staff_id=staff.id).using_db(conn), "company_id")
        )
        added = {i: c for i, c in assign.items() if i not in held}
        removed = {i: c for i, c in unassign.items() if i in held}
        for company_id in added:
            await StaffCompany.create(staff=staff, company_id=company_id, using_db=conn)
        if removed:
            await (
                StaffCompany.filter(staff_id=staff.id, company_id__in=list(removed))
                .using_db(conn)
                .delete()
            )
        if added:
            after["assigned"] = sorted(added.values())
        if removed:
            after["unassigned"] = sorted(removed.values())
        changed = tuple(after)
        revoked = 0
        if password_hash is not None or REVOKING & set(before):
            revoked = await _revoke(staff.id, conn)
            after["tokensRevoked"] = revoked
        if changed:
            await audit.record(
                viewer,
                "staff.change",
                "staff",
                staff.id,
                company_id=None,
                before=before or None,
                after=after,
                using=conn,
            )
    return Outcome(staff, changed, revoked)


async def set_staff_enabled(viewer: Viewer | None, email: str, enabled: bool) -> Outcome:
    """Disable (tokens revoked, sign-in refused) or enable again; as it is already: nothing."""
    _operator(viewer)
    async with in_transaction() as conn:
        staff = await _staff(email, conn)
        if (staff.disabled_at is None) == enabled:
            return Outcome(staff, (), 0)
        staff.disabled_at = None if enabled else datetime.now(UTC)
        await staff.save(using_db=conn, update_fields=["disabled_at"])
        revoked = 0 if enabled else await _revoke(staff.id, conn)
        after = {"tokensRevoked": revoked} if not enabled else None
        action = "staff.enable" if enabled else "staff.disable"
        await audit.record(
            viewer, action, "staff", staff.id, company_id=None, after=after, using=conn
        )
    return Outcome(staff, ("enabled" if enabled else "disabled",), revoked)


async def revoke_tokens(viewer: Viewer | None, email: str) -> int:
    """Sign a staff member out everywhere: every token of theirs stops working."""
    _operator(viewer)
    async with in_transaction() as conn:
        staff = await _staff(email, conn)
        revoked = await _revoke(staff.id, conn)
        await audit.record(
            viewer,
            "staff.revoke_tokens",
            "staff",
            staff.id,
            company_id=None,
            after={"tokensRevoked": revoked},
            using=conn,
        )
    return revoked


async def logout_everywhere(viewer: Viewer | None) -> int:
    """The signed-in staff member's own tokens, all of them, stop working."""
    if viewer is None:
        raise NotSignedIn()
    async with in_transaction() as conn:
        revoked = await _revoke(viewer.staff.id, conn)
        await audit.record(
            viewer,
            "staff.logout_everywhere",
            "staff",
            viewer.staff.id,
            company_id=None,
            after={"tokensRevoked": revoked},
            using=conn,
        )
    return revoked


async def list_staff() -> list[StaffSummary]:
    """Every staff member, by email, with the codes of their assigned companies."""
    codes: dict[int, list[str]] = {}
    for staff_id, code in await StaffCompany.all().values_list("staff_id", "company__code"):
        codes.setdefault(staff_id, []).append(code)
    return [
        StaffSummary(
            email=s.email,
            is_administrator=s.is_administrator,
            is_superuser=s.is_superuser,
            disabled=s.disabled_at is not None,
            roles=tuple(sorted(s.roles or ())),
            company_codes=tuple(sorted(codes.get(s.id, ()))),
            last_sign_in_at=s.last_sign_in_at,
        )
        for s in await Staff.all().order_by("email")
    ]
