"""Sign-in rate limits: failures per account and per client address, in a fixed window.

Kept in the database, so that the limit holds across workers and machines. An attempt is
counted before its password is checked (`reserve`): one statement upserts the account's and
the address's counters and returns them, in a transaction that is rolled back when either is
over its limit. Concurrent attempts queue on those rows (PostgreSQL's row locks, SQLite's one
writer), so whatever arrives at once, at most `per_account` passwords of an account and
`per_address` from an address are ever checked in a window; past that, sign-in answers
RATE_LIMITED, even with the right password, without checking it. A right password gives its
reservation back (`release`): it forgives the account's failures, and is no failure of the
address.

A reservation counts as a failure until it is given back, so attempts in flight at once would
use up the limit even when their passwords are right (twelve sign-ins of one script at once,
an office behind one address at nine). Within a process, attempts on one account, or from one
address, therefore take turns (`one_at_a_time`): each waits for the one before it to be
checked, and only failures fill the limit. Across workers, at most one per worker is in flight.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from persistence.sql import Sql
from persistence.tables import LoginAttempts

ADDRESS_SHOWN_MAX = 64  # longer "addresses" (a proxy's odd header) are stored hashed


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Reservation:
    """An attempt counted before its password is checked."""

    account: str
    address: str | None


class _OverLimit(Exception):
    """Rolls the reservation back."""


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _account(email: str) -> str:
    # Hashed: any typed email fits the key column (and the table does not list them plainly).
    return "email:" + _hashed(email)


def _address(address: str) -> str:
    shown = address if len(address) <= ADDRESS_SHOWN_MAX else "sha256:" + _hashed(address)
    return f"address:{shown}"


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


# Per event loop (a lock belongs to the loop it waits in): the keys with attempts in flight.
_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Turn]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def one_at_a_time(email: str, address: str | None) -> AsyncIterator[None]:
    """This process's attempts on the account and from the address, one after another (the
    account's turn taken first, as everywhere: no two attempts wait for each other)."""
    turns = _turns.setdefault(asyncio.get_running_loop(), {})
    keys = [_account(email), *([_address(address)] if address else [])]
    entered: list[tuple[str, _Turn]] = []
    held: list[_Turn] = []
    try:
        for key in keys:
            turn = turns.setdefault(key, _Turn())
            turn.waiting += 1
            entered.append((key, turn))
            await turn.lock.acquire()
            held.append(turn)
        yield
    finally:
        for turn in reversed(held):
            turn.lock.release()
        for key, turn in entered:
            turn.waiting -= 1
            if not turn.waiting:
                turns.pop(key, None)


async def reserve(email: str, address: str | None, limits: Limits) -> Reservation | None:
    """Count one attempt for the account and the address; None (nothing counted) when either
    has used up its failures for this window."""
    now = datetime.now(UTC)
    since = now - limits.window
    maximum = {_account(email): limits.per_account}
    if address:
        maximum[_address(address)] = limits.per_address
    try:
        async with in_transaction() as conn:
            sql = Sql(conn)
            # Always the account's row first: concurrent reservations lock in one order.
            rows = ", ".join(f"({sql.p(key)}, 1, {sql.p(now)})" for key in maximum)
            counted = await sql.rows(
                f"INSERT INTO login_attempts (key, failures, window_start) VALUES {rows} "
                "ON CONFLICT (key) DO UPDATE SET "
                f"failures = CASE WHEN login_attempts.window_start < {sql.p(since)} THEN 1 "
                "ELSE login_attempts.failures + 1 END, "
                f"window_start = CASE WHEN login_attempts.window_start < {sql.p(since)} "
                "THEN excluded.window_start ELSE login_attempts.window_start END "
                "RETURNING key, failures"
            )
            if any(row["failures"] > maximum[row["key"]] for row in counted):
                raise _OverLimit
    except _OverLimit:
        return None
    return Reservation(_account(email), _address(address) if address else None)


async def release(reservation: Reservation) -> None:
    """The password was right: the account's failures are forgiven, and the attempt is given
    back to the address (an office behind one address signs in all day)."""
    async with in_transaction() as conn:
        await LoginAttempts.filter(key=reservation.account).using_db(conn).delete()
        if reservation.address:
            sql = Sql(conn)
            await sql.run(
                "UPDATE login_attempts SET failures = failures - 1 "
                f"WHERE key = {sql.p(reservation.address)} AND failures > 0"
            )
