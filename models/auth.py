"""Staff sign-in: argon2 password hashes and opaque bearer tokens stored as SHA-256."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise import connections

from models import login_limits
from models.access import STAFF_ROLES, Viewer
from models.database import dialect
from models.errors import DomainError
from models.tables import Company, Staff, StaffCompany, StaffToken
from models.text import code_key

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_ok(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def login(
    email: str,
    password: str,
    token_ttl: timedelta,
    address: str | None = None,
    limits: login_limits.Limits | None = None,
) -> str:
    """A new bearer token for valid credentials; one error for any failure, and
    RATE_LIMITED while the account or the client address has failed too often."""
    email = email.strip().lower()
    limits = limits or login_limits.Limits()
    if await login_limits.limited(email, address, limits):
        raise DomainError(
            "RATE_LIMITED", "Too many failed sign-ins: wait a few minutes and try again."
        )
    # An email longer than the column is no one's (and the ORM would refuse to look it up).
    staff = await Staff.get_or_none(email=email) if len(email) <= 254 else None
    # argon2 takes tens of milliseconds of CPU on purpose: off the event loop.
    ok = await asyncio.to_thread(
        _password_ok, staff.password_hash if staff else _DUMMY_HASH, password
    )
    if staff is None or not ok:
        await login_limits.record_failure(email, address, limits)
        raise DomainError("INVALID_CREDENTIALS", "Wrong email or password.")
    if staff.disabled_at is not None:  # said only to whoever knows the password
        raise DomainError("ACCOUNT_DISABLED", "This account is disabled: ask an administrator.")
    await login_limits.clear_account(email)
    await Staff.filter(id=staff.id).update(last_sign_in_at=datetime.now(UTC))
    return await issue_token(staff, token_ttl)


async def issue_token(staff: Staff, token_ttl: timedelta) -> str:
    """A new opaque bearer token; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    await StaffToken.create(
        staff=staff, token_hash=_token_hash(token), expires_at=datetime.now(UTC) + token_ttl
    )
    return token


async def viewer_for_token(token: str) -> Viewer | None:
    """The signed-in staff member for a bearer token, or None if unknown or expired.

    Every staff request starts here, so it is one plain statement: the ORM's query building
    cost four times the query itself (0.40 ms against 0.09 ms on SQLite)."""
    postgres = dialect() == "postgres"
    now = datetime.now(UTC)
    rows = await connections.get("default").execute_query_dict(
        _TOKEN_LOOKUP["postgres" if postgres else "sqlite"],
        # SQLite holds times as text, as tortoise writes them: compared as text.
        [_token_hash(token), now if postgres else now.isoformat(" ", "microseconds")],
    )
    return Viewer(Staff._init_from_db(**rows[0])) if rows else None


_STAFF_COLUMNS = ", ".join(f's."{column}"' for column in Staff._meta.db_fields)
_TOKEN_LOOKUP = {
    dialect: f"SELECT {_STAFF_COLUMNS} FROM staff_token t JOIN staff s ON s.id = t.staff_id "
    f"WHERE t.token_hash = {one} AND t.expires_at > {two} AND s.disabled_at IS NULL"
    for dialect, one, two in (("sqlite", "?", "?"), ("postgres", "$1", "$2"))
}


async def logout(token: str) -> None:
    await StaffToken.filter(token_hash=_token_hash(token)).delete()


async def add_staff(
    email: str,
    password: str,
    *,
    administrator: bool = False,
    superuser: bool = False,
    roles: list[str] | None = None,
    assign_codes: list[str] | None = None,
) -> Staff:
    """Create a staff member, or overwrite the one with this email (benchmarks and tests; the
    command line and the demo use models.staff_admin, which changes only what is named)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError("INVALID", f"{email!r} is not an email address.", "email")
    if len(password) < MIN_PASSWORD:
        raise DomainError("INVALID", f"Passwords have at least {MIN_PASSWORD} characters.")
    unknown = sorted(set(roles or ()) - set(STAFF_ROLES))
    if unknown:
        raise DomainError(
            "INVALID", f"Unknown staff role {unknown[0]!r}; known: {', '.join(STAFF_ROLES)}."
        )
    companies = []
    for code in assign_codes or ():
        company = await Company.get_or_none(code_key=code_key(code))
        if company is None:
            raise DomainError("NOT_FOUND", f"No company has the code {code!r}.")
        companies.append(company)
    staff, created = await Staff.update_or_create(
        email=email,
        defaults={
            "password_hash": hash_password(password),
            "is_administrator": administrator,
            "is_superuser": superuser,
            "roles": sorted(set(roles or ())),
        },
    )
    if not created:  # a new password and rights: no token issued before keeps working
        await StaffToken.filter(staff_id=staff.id).delete()
    for company in companies:
        await StaffCompany.get_or_create(staff=staff, company=company)
    return staff
