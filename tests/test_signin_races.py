"""A sign-in whose password is being checked while the account's password is changed, or the
account disabled (issue 15, item 6: such changes revoke every token of the account). The token
must not outlive the change: before, the staff row was read, argon2 ran (tens of milliseconds,
in a thread) and the token was made afterwards, so a sign-in in flight across a password change
got a token that kept working, and one across a disabling got a token that worked again once
the account was enabled. On SQLite and PostgreSQL.

The check is held deterministically: the test takes every slot of the process's argon2
semaphore (domain.signin.VERIFY_SLOTS), so the sign-in waits there with the staff row already
read, and lets it go once the change has committed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from domain import signin
from domain.errors import SignInRefused
from domain.staff_admin import StaffChange, change_staff, create_staff, set_staff_enabled
from persistence.tables import StaffToken
from tests.conftest import PASSWORD, World

EMAIL = "kim@supplier.example"


@asynccontextmanager
async def checks_held() -> AsyncIterator[asyncio.Semaphore]:
    """Every password check of this process waits until the block ends."""
    loop = asyncio.get_running_loop()
    slots = signin._slots.setdefault(loop, asyncio.Semaphore(signin.VERIFY_SLOTS))
    for _ in range(signin.VERIFY_SLOTS):
        await slots.acquire()
    try:
        yield slots
    finally:
        for _ in range(signin.VERIFY_SLOTS):
            slots.release()


async def at_the_check(slots: asyncio.Semaphore) -> None:
    """Until a sign-in waits for its password check (its staff row read)."""
    for _ in range(1000):
        if slots._waiters:  # asyncio's queue of those waiting on the semaphore
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no sign-in reached its password check")


async def sign_in(password: str = PASSWORD) -> str:
    try:
        return await signin.login(EMAIL, password, timedelta(hours=1), address="192.0.2.7")
    except SignInRefused as refused:
        return refused.code.name


async def test_a_sign_in_checked_across_a_password_change_gets_no_token(world: World) -> None:
    await create_staff(None, EMAIL, PASSWORD, roles=["companyEdit"])
    async with checks_held() as slots:
        signing_in = asyncio.create_task(sign_in())
        await at_the_check(slots)
        outcome = await change_staff(None, EMAIL, StaffChange(password="a new long password"))
    assert await signing_in == "INVALID_CREDENTIALS"  # the password it checked is no more
    assert outcome.changed == ("password",)
    assert await StaffToken.filter(staff__email=EMAIL).count() == 0
    # The new password signs in; the old one does not.
    assert await signin.viewer_for_token(await sign_in("a new long password")) is not None
    assert await sign_in() == "INVALID_CREDENTIALS"


async def test_a_sign_in_checked_across_a_disabling_gets_no_token(world: World) -> None:
    await create_staff(None, EMAIL, PASSWORD, roles=["companyEdit"])
    async with checks_held() as slots:
        signing_in = asyncio.create_task(sign_in())
        await at_the_check(slots)
        await set_staff_enabled(None, EMAIL, False)
    assert await signing_in == "ACCOUNT_DISABLED"
    await set_staff_enabled(None, EMAIL, True)
    # No token made in the race comes back to life with the account.
    assert await StaffToken.filter(staff__email=EMAIL).count() == 0
    assert await signin.viewer_for_token(await sign_in()) is not None  # signs in again


async def test_a_sign_in_checked_across_other_changes_gets_its_token(world: World) -> None:
    await create_staff(None, EMAIL, PASSWORD, roles=["companyEdit"])
    async with checks_held() as slots:
        signing_in = asyncio.create_task(sign_in())
        await at_the_check(slots)
        await change_staff(None, EMAIL, StaffChange(assign=("ACME",)))  # revokes nothing
    token = await signing_in
    assert await signin.viewer_for_token(token) is not None
