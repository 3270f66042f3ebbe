"""Retention: what each table keeps, and the one scheduler that drops the rest.

A policy is a name and a function that drops what its table no longer keeps and says how many
rows went. Each works in small batches, every statement one an index serves, so that a purge
never holds the database for long and costs little when there is nothing to drop. The server
runs every policy when it starts and then at an interval (opsportal/startup.py lists them,
from the settings); each worker does, which is harmless: a row is dropped once, whoever asks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from persistence.sql import Sql

log = logging.getLogger("opsportal.retention")

BATCH = 500  # rows a statement drops: a few milliseconds of the database's time
# The log of requests no customer was matched to: served by the index on (customer_id, id),
# which reads the null customer's entries in id order, oldest first.
_UNMATCHED = "FROM cxml_exchange WHERE customer_id IS NULL"


@dataclass(frozen=True)
class Policy:
    """One table's rule: `purge(now)` drops what is no longer kept; returns how many rows."""

    name: str
    purge: Callable[[datetime], Awaitable[int]]


def unmatched_exchanges(max_age: timedelta, max_rows: int, batch: int = BATCH) -> Policy:
    """The cXML exchanges no customer was matched to: kept for `max_age`, at most `max_rows`
    of them, the oldest dropped first."""

    async def purge(now: datetime) -> int:
        return await purge_unmatched_exchanges(now - max_age, max_rows, batch)

    return Policy("unmatched cXML exchanges", purge)


async def purge_unmatched_exchanges(older_than: datetime, keep: int, batch: int = BATCH) -> int:
    """Drop the unmatched exchanges received before `older_than`, and all but the newest
    `keep`; how many went."""
    return await _drop_all_but_newest(keep, batch) + await _drop_received_before(older_than, batch)


async def _drop(ids: Sequence[int]) -> None:
    if ids:
        sql = Sql()
        await sql.run(f"DELETE {_UNMATCHED} AND id IN ({sql.ps(ids)})")
        await asyncio.sleep(0)  # let the requests waiting meanwhile have the database


async def _drop_all_but_newest(keep: int, batch: int) -> int:
    sql = Sql()
    boundary = await sql.rows(
        f"SELECT id {_UNMATCHED} ORDER BY id DESC LIMIT 1 OFFSET {sql.p(keep)}"
    )
    if not boundary:
        return 0
    last, dropped = boundary[0]["id"], 0
    while True:
        sql = Sql()
        rows = await sql.rows(
            f"SELECT id {_UNMATCHED} AND id <= {sql.p(last)} ORDER BY id LIMIT {sql.p(batch)}"
        )
        await _drop([r["id"] for r in rows])
        dropped += len(rows)
        if len(rows) < batch:
            return dropped


async def _drop_received_before(cutoff: datetime, batch: int) -> int:
    """Oldest first, a batch at a time, until a batch holds an entry still kept: each look
    reads at most `batch` entries of the index, never the whole log."""
    dropped = 0
    while True:
        sql = Sql()
        rows = await sql.rows(
            f"SELECT id, CASE WHEN received_at < {sql.p(cutoff)} THEN 1 ELSE 0 END AS old "
            f"FROM (SELECT id, received_at {_UNMATCHED} ORDER BY id LIMIT {sql.p(batch)}) oldest"
        )
        old = [r["id"] for r in rows if r["old"]]
        await _drop(old)
        dropped += len(old)
        if len(old) < batch:
            return dropped


async def run_once(policies: Sequence[Policy], now: datetime | None = None) -> dict[str, int]:
    """Every policy once; a policy that fails is logged and the others still run."""
    now = now or datetime.now(UTC)
    dropped: dict[str, int] = {}
    for policy in policies:
        try:
            dropped[policy.name] = await policy.purge(now)
        except Exception:  # noqa: BLE001 - retried at the next run; the server keeps serving
            log.exception("retention: dropping old %s failed", policy.name)
            continue
        if dropped[policy.name]:
            log.info("retention: dropped %d %s", dropped[policy.name], policy.name)
    return dropped


async def run_forever(policies: Sequence[Policy], interval: timedelta) -> None:
    while True:
        await run_once(policies)
        await asyncio.sleep(interval.total_seconds())


@asynccontextmanager
async def scheduled(policies: Sequence[Policy], interval: timedelta) -> AsyncIterator[None]:
    """The policies run now and every `interval` in the background, for the block's duration."""
    task = asyncio.create_task(run_forever(policies, interval), name="opsportal retention")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
