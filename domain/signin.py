"""Staff sign-in: argon2 password hashes and opaque bearer tokens stored as SHA-256."""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain import login_limits
from domain.access import STAFF_ROLES, Viewer
from domain.errors import SignInCode, SignInRefused, StaffCode, StaffRefused
from domain.limits import NAME_MAX
from domain.passwords import password_problem
from domain.text import code_key
from domain.tokens import new_token, token_hash
from persistence.sql import Sql, columns, hydrate
from persistence.tables import Company, Staff, StaffCompany, StaffToken

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_ok(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# argon2 takes tens of milliseconds of CPU on purpose. At most this many run at once, each in
# a thread (argon2 releases the GIL), so a burst of sign-ins queues here instead of taking
# every core (and every thread of the default executor) from the other requests.
VERIFY_SLOTS = _cores()
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches the stored argon2 hash: off the event loop, and no more than
    VERIFY_SLOTS at a time in this process."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:  # one per event loop (a semaphore belongs to the loop it waits in)
        slots = _slots[loop] = asyncio.Semaphore(VERIFY_SLOTS)
    async with slots:
        return await asyncio.to_thread(_password_ok, stored_hash, password)


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
    async with login_limits.one_at_a_time(email, address):
        staff = await _checked(email, password, address, limits)
    if staff.disabled_at is not None:  # said only to whoever knows the password
        raise _disabled()
    token = await _issue_if_unchanged(staff, token_ttl)
    if token is None:  # changed while the password was being checked: as it is now
        current = await Staff.get_or_none(id=staff.id)
        if current is not None and current.password_hash == staff.password_hash:
            raise _disabled()
        raise SignInRefused(SignInCode.INVALID_CREDENTIALS, "Wrong email or password.")
    await Staff.filter(id=staff.id).update(last_sign_in_at=datetime.now(UTC))
    return token


def _disabled() -> SignInRefused:
    return SignInRefused(
        SignInCode.ACCOUNT_DISABLED, "This account is disabled: ask an administrator."
    )


async def _issue_if_unchanged(staff: Staff, token_ttl: timedelta) -> str | None:
    """A new token, unless the account's password is no longer the one just checked or the
    account was disabled meanwhile (None). One statement, holding the staff row (PostgreSQL;
    SQLite has one writer): a password change or a disabling, which revokes the account's
    tokens in the transaction that locks that row, comes wholly before it (no token is made)
    or wholly after (it revokes this one too). Issued after the staff row was read, the
    token outlived the change that was to end every token (argon2's check takes a while)."""
    token = new_token()
    now = datetime.now(UTC)
    sql = Sql()
    rows = await sql.rows(
        "INSERT INTO staff_token (staff_id, token_hash, created_at, expires_at) "
        f"SELECT id, {sql.p(token_hash(token))}, {sql.p(now)}, {sql.p(now + token_ttl)} "
        f"FROM staff WHERE id = {sql.p(staff.id)} AND password_hash = {sql.p(staff.password_hash)} "
        "AND disabled_at IS NULL" + (" FOR SHARE" if sql.postgres else "") + " RETURNING id"
    )
    return token if rows else None


async def _checked(
    email: str, password: str, address: str | None, limits: login_limits.Limits
) -> Staff:
    """The staff member whose password this is; refused otherwise, or unchecked over a limit."""
    # Counted before the password is checked, so that concurrent guesses cannot all slip in
    # under the limit; refused ones are not checked at all (nor counted).
    reservation = await login_limits.reserve(email, address, limits)
    if reservation is None:
        raise SignInRefused(
            SignInCode.RATE_LIMITED, "Too many failed sign-ins: wait a few minutes and try again."
        )
    # An email longer than the column is no one's (and the ORM would refuse to look it up).
    staff = await Staff.get_or_none(email=email) if len(email) <= NAME_MAX else None
    ok = await verify_password(staff.password_hash if staff else _DUMMY_HASH, password)
    if staff is None or not ok:
        raise SignInRefused(SignInCode.INVALID_CREDENTIALS, "Wrong email or password.")
    await login_limits.release(reservation)  # the right password: not a failure
    return staff


async def issue_token(staff: Staff, token_ttl: timedelta) -> str:
    """A new opaque bearer token; only its hash is kept."""
    token = new_token()
    await StaffToken.create(
        staff=staff, token_hash=token_hash(token), expires_at=datetime.now(UTC) + token_ttl
    )
    return token


async def viewer_for_token(token: str) -> Viewer | None:
    """The signed-in staff member for a bearer token, or None if unknown or expired.

    Every staff request starts here, so it is one plain statement: the ORM's query building
    cost four times the query itself (0.40 ms against 0.09 ms on SQLite)."""
    sql = Sql()
    rows = await sql.rows(
        f"SELECT {columns(Staff, 's')} FROM staff_token t JOIN staff s ON s.id = t.staff_id "
        f"WHERE t.token_hash = {sql.p(token_hash(token))} "
        f"AND t.expires_at > {sql.p(datetime.now(UTC))} AND s.disabled_at IS NULL"
    )
    return Viewer(hydrate(Staff, rows[0], "s")) if rows else None


async def logout(token: str) -> None:
    await StaffToken.filter(token_hash=token_hash(token)).delete()


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
    command line and the demo use domain.staff_admin, which changes only what is named)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > NAME_MAX:
        raise StaffRefused(StaffCode.INVALID, f"{email!r} is not an email address.", "email")
    problem = password_problem(password, [email])
    if problem:
        raise StaffRefused(StaffCode.INVALID, problem, "password")
    unknown = sorted(set(roles or ()) - set(STAFF_ROLES))
    if unknown:
        raise StaffRefused(
            StaffCode.INVALID,
            f"Unknown staff role {unknown[0]!r}; known: {', '.join(STAFF_ROLES)}.",
        )
    companies = []
    for code in assign_codes or ():
        company = await Company.get_or_none(code_key=code_key(code))
        if company is None:
            raise StaffRefused(StaffCode.NOT_FOUND, f"No company has the code {code!r}.")
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
