"""Sign-in rate limits: failures per account and per client address, in a fixed window.

Kept in the database (one upsert per failure), so that the limit holds across workers and
machines. While an account or an address is over its limit, sign-in answers RATE_LIMITED,
even with the right password, without checking it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from persistence.sql import Sql
from persistence.tables import LoginAttempts


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


def _account(email: str) -> str:
    # Hashed: any typed email fits the key column (and the table does not list them plainly).
    return "email:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


def _keys(email: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("account", _account(email))]
    if address:
        keys.append(("address", f"address:{address}"))
    return keys


async def limited(email: str, address: str | None, limits: Limits) -> bool:
    """Whether this account or this address has used up its failures for now."""
    since = datetime.now(UTC) - limits.window
    keys = dict(_keys(email, address))
    rows = await LoginAttempts.filter(key__in=list(keys.values()), window_start__gt=since)
    maximum = {"account": limits.per_account, "address": limits.per_address}
    by_key = {v: k for k, v in keys.items()}
    return any(row.failures >= maximum[by_key[row.key]] for row in rows)


async def record_failure(email: str, address: str | None, limits: Limits) -> None:
    """Count a failure; a window that has passed starts again at one."""
    now = datetime.now(UTC)
    since = now - limits.window
    for _, key in _keys(email, address):
        sql = Sql()
        await sql.run(
            f"INSERT INTO login_attempts (key, failures, window_start) VALUES ({sql.p(key)}, 1, "
            f"{sql.p(now)}) ON CONFLICT (key) DO UPDATE SET "
            f"failures = CASE WHEN login_attempts.window_start < {sql.p(since)} THEN 1 "
            "ELSE login_attempts.failures + 1 END, "
            f"window_start = CASE WHEN login_attempts.window_start < {sql.p(since)} "
            "THEN excluded.window_start ELSE login_attempts.window_start END"
        )


async def clear_account(email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's)."""
    await LoginAttempts.filter(key=_account(email)).delete()
