"""The PUNCHOUT API Key's life cycle: issued with the customer, rotated with a grace period,
sealed at rest, its last use noted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.key_vault import SEALED_PREFIX, KeyVault, VaultError
from domain.tokens import new_token
from persistence.sql import Sql
from persistence.tables import Customer, PunchoutKey

LEGACY_SETTING = "PUNCHOUT_API_KEY"  # where keys lived, in the clear, before migration 0011
# Noting every use would make every cXML request a write; to the minute is what staff need.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def new_api_key() -> str:
    """A fresh PUNCHOUT API Key: 32 random bytes, URL-safe (43 characters)."""
    return new_token()


@dataclass(frozen=True)
class OpenedKey:
    """A working key, opened."""

    row: PunchoutKey
    value: str = field(repr=False)  # never in a traceback's locals or a stray log line

    @property
    def is_current(self) -> bool:
        return self.row.expires_at is None


def working(now: datetime | None = None) -> Q:
    """Keys that still open a connection: the current one, and old ones within their grace."""
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now or datetime.now(UTC))


def opened(vault: KeyVault, rows: Iterable[PunchoutKey]) -> list[OpenedKey]:
    return [OpenedKey(row, vault.open(row.sealed, row.customer_id)) for row in rows]


async def issue(vault: KeyVault, customer: Customer, using: BaseDBAsyncClient) -> str:
    """Store a new current key for the customer (inside the caller's transaction)."""
    key = new_api_key()
    await PunchoutKey.create(customer=customer, sealed=vault.seal(key, customer.id), using_db=using)
    return key


async def working_keys(vault: KeyVault, customer_ids: Sequence[int]) -> dict[int, list[OpenedKey]]:
    """Each customer's working keys, newest (the current one) first: one query."""
    found: dict[int, list[OpenedKey]] = defaultdict(list)
    rows = await PunchoutKey.filter(working(), customer_id__in=list(customer_ids)).order_by("-id")
    for key in opened(vault, rows):
        found[key.row.customer_id].append(key)
    return found


def current(keys: Sequence[OpenedKey]) -> OpenedKey | None:
    return next((k for k in keys if k.is_current), None)


async def current_key(vault: KeyVault, customer_id: int) -> str | None:
    """The customer's current key, opened (for the demo and tools; not audited)."""
    key = current((await working_keys(vault, [customer_id]))[customer_id])
    return key.value if key else None


def _as_time(value: object) -> datetime | None:
    """A time as the database gives it: text as tortoise writes it on SQLite (isoformat with
    its offset, read by the standard library's fast parser), a datetime on PostgreSQL."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    field = PunchoutKey._meta.fields_map["last_used_at"]
    return field.to_python_value(value)  # type: ignore[no-any-return]


async def note_use(key_id: int, last_used_at: object) -> None:
    """Note that the key opened a connection now, unless noted within the last minute.
    `last_used_at` is the column's value as the database gave it (text on SQLite)."""
    now = datetime.now(UTC)
    last = _as_time(last_used_at)
    if last is None or now - last >= LAST_USE_RESOLUTION:
        await PunchoutKey.filter(id=key_id).update(last_used_at=now)


async def seal_legacy(vault: KeyVault) -> int:
    """Move keys stored in the clear (before migration 0011) into punchout_key, sealed. The
    rows are taken with DELETE ... RETURNING inside the transaction, so of several servers
    starting at once, each key is sealed by exactly one."""
    async with in_transaction() as conn:
        sql = Sql(conn)
        taken = await sql.rows(
            f"DELETE FROM customer_setting WHERE key = {sql.p(LEGACY_SETTING)} "
            "RETURNING customer_id, value"
        )
        sealed = [
            PunchoutKey(
                customer_id=row["customer_id"], sealed=vault.seal(row["value"], row["customer_id"])
            )
            for row in taken
        ]
        await PunchoutKey.bulk_create(sealed, using_db=conn)
    return len(taken)


async def check_vault(vault: KeyVault) -> None:
    """Refuse to run with KEKs that do not open the stored keys (a wrong or lost KEK would
    otherwise turn buyers away, and half-finished KEK change would fail some of them): one
    working key sealed under each KEK in use is opened."""
    conn = get_connection("default")
    prefixes = await conn.execute_query_dict(
        f"SELECT DISTINCT substr(sealed, 1, {SEALED_PREFIX}) AS prefix FROM punchout_key"
    )
    for prefix in (row["prefix"] for row in prefixes):
        row = await PunchoutKey.filter(working(), sealed__startswith=prefix).first()
        if row is not None:
            vault.open(row.sealed, row.customer_id)


async def reseal(vault: KeyVault) -> int:
    """Seal every key under the sealing (first) KEK; after this the old KEKs may go."""
    count = 0
    async with in_transaction() as conn:
        # Expired keys open nothing any more; one sealed under a KEK already dropped would
        # otherwise stop the reseal.
        await PunchoutKey.filter(expires_at__lte=datetime.now(UTC)).using_db(conn).delete()
        for row in await PunchoutKey.all().using_db(conn).select_for_update():
            if vault.is_current(row.sealed):
                continue
            row.sealed = vault.seal(vault.open(row.sealed, row.customer_id), row.customer_id)
            await row.save(using_db=conn, update_fields=["sealed"])
            count += 1
    return count


async def discard_unopenable(vault: KeyVault) -> list[str]:
    """After a KEK is lost: delete the keys the configured KEKs cannot open, so the server can
    start again (their customers then need `rotatePunchoutKey` and the buyer a new key). Each
    affected customer gets an audit record; their usernames are returned."""
    lost: dict[int, int] = {}
    async with in_transaction() as conn:
        rows = await PunchoutKey.all().using_db(conn).select_for_update()
        for row in rows:
            try:
                vault.open(row.sealed, row.customer_id)
            except VaultError:
                lost[row.id] = row.customer_id
        await PunchoutKey.filter(id__in=list(lost)).using_db(conn).delete()
        customers = await Customer.filter(id__in=set(lost.values())).using_db(conn).order_by("id")
        for customer in customers:
            await audit.record(
                None,
                "customer.discard_api_keys",
                "customer",
                customer.id,
                company_id=customer.company_id,
                after={"keys": sum(1 for c in lost.values() if c == customer.id)},
                using=conn,
            )
    return [c.username for c in customers]


__all__ = [
    "VaultError",
    "check_vault",
    "discard_unopenable",
    "issue",
    "reseal",
    "seal_legacy",
]
