"""The retention policies beside the unmatched log's (domain/retention.py): the whole cXML
connection log by age and by the size of its bodies, sign-in failures past their window,
expired staff tokens, and punchout sessions (with their carts) some time after they ended.

Each works as retention.py's do: a batch at a time, every statement on an index, a pause for
the requests waiting between batches. Where rows expire in the order they were written (log
entries, tokens, sessions: their lifetimes are bounded), the purge reads from the oldest and
stops at the first batch holding a row still kept, so a run with nothing to drop reads one
batch; sign-in failures move their window when counted again, so their purge reads the table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from domain.retention import BATCH, Policy
from persistence.sql import Sql

# Rows whose body sizes one statement adds up (on the index of (id, body_bytes): no body read).
SUM_BATCH = 10_000
# Sessions dropped at once: each takes its cart (up to 1,000 lines) with it.
SESSION_BATCH = 100

Condition = Callable[[Sql], str]  # a WHERE condition, its parameters added to the statement


def _before(column: str, cutoff: datetime, at: bool = False) -> Condition:
    return lambda sql: f"{column} {'<=' if at else '<'} {sql.p(cutoff)}"


def _session_done(cutoff: datetime) -> Condition:
    """A punchout session that could last be used before `cutoff`: its cart handed back, the
    storefront's credential expired, or (never opened) its StartPage link expired."""
    return lambda sql: (
        f"(ended_at < {sql.p(cutoff)} OR session_expires_at < {sql.p(cutoff)} "
        f"OR (started_at IS NULL AND start_expires_at < {sql.p(cutoff)}))"
    )


async def _delete(table: str, ids: Sequence[int], still: Condition | None = None) -> None:
    if ids:
        sql = Sql()
        listed = sql.ps(ids)  # placeholders in the order of the statement (SQLite's are "?")
        also = f" AND {still(sql)}" if still else ""
        await sql.run(f"DELETE FROM {table} WHERE id IN ({listed}){also}")
        await asyncio.sleep(0)  # let the requests waiting meanwhile have the database


async def _oldest(table: str, columns: str, gone: Condition, batch: int) -> list[int]:
    """Of the oldest `batch` rows, those that meet `gone`."""
    sql = Sql()
    rows = await sql.rows(
        f"SELECT id, CASE WHEN {gone(sql)} THEN 1 ELSE 0 END AS old FROM (SELECT id, {columns} "
        f"FROM {table} ORDER BY id LIMIT {sql.p(batch)}) oldest ORDER BY id"
    )
    return [r["id"] for r in rows if r["old"]]


async def _drop_oldest_while(table: str, columns: str, gone: Condition, batch: int) -> int:
    """Oldest first, a batch at a time, the rows that meet `gone`, until a batch holds one
    that does not; how many went."""
    dropped = 0
    while True:
        old = await _oldest(table, columns, gone, batch)
        await _delete(table, old)
        dropped += len(old)
        if len(old) < batch:
            return dropped


def exchanges_by_age(max_age: timedelta, batch: int = BATCH) -> Policy:
    """Every cXML exchange, a customer's or a stranger's: kept for `max_age`."""

    async def purge(now: datetime) -> int:
        gone = _before("received_at", now - max_age)
        return await _drop_oldest_while("cxml_exchange", "received_at", gone, batch)

    return Policy("cXML exchanges past their age", purge)


def exchanges_by_size(max_bytes: int, batch: int = SUM_BATCH) -> Policy:
    """The cXML log holds at most `max_bytes` of bodies: past that, the oldest go."""

    async def purge(now: datetime) -> int:
        return await purge_exchanges_over(max_bytes, batch)

    return Policy("cXML exchanges over the log's size", purge)


def _newest(before: int | None, batch: int, sql: Sql) -> str:
    """The newest `batch` entries older than `before`: their ids and body sizes."""
    older = f"WHERE id < {sql.p(before)} " if before is not None else ""
    return f"SELECT id, body_bytes FROM cxml_exchange {older}ORDER BY id DESC LIMIT {sql.p(batch)}"


async def purge_exchanges_over(max_bytes: int, batch: int = SUM_BATCH) -> int:
    """Keep the newest exchanges whose bodies add up to at most `max_bytes`, drop the older
    ones; how many went. Sums a batch at a time from the newest, reading no body."""
    total, before = 0, None
    while True:
        sql = Sql()
        [page] = await sql.rows(
            "SELECT COUNT(*) AS n, COALESCE(SUM(body_bytes), 0) AS bytes, MIN(id) AS last "
            f"FROM ({_newest(before, batch, sql)}) page"
        )
        if total + page["bytes"] > max_bytes:
            break
        if page["n"] < batch:
            return 0  # all of it fits
        total, before = total + page["bytes"], page["last"]
        await asyncio.sleep(0)
    sql = Sql()
    for row in await sql.rows(_newest(before, batch, sql)):
        total += row["body_bytes"]
        if total > max_bytes:  # the newest entry that does not fit: it and every older one go
            return await _drop_up_to(row["id"])
    return 0  # the page changed meanwhile: the next run looks again


async def _drop_up_to(last: int) -> int:
    dropped = 0
    while True:
        sql = Sql()
        rows = await sql.rows(
            f"SELECT id FROM cxml_exchange WHERE id <= {sql.p(last)} "
            f"ORDER BY id LIMIT {sql.p(BATCH)}"
        )
        await _delete("cxml_exchange", [r["id"] for r in rows])
        dropped += len(rows)
        if len(rows) < BATCH:
            return dropped


def login_attempts(window: timedelta, batch: int = BATCH) -> Policy:
    """Counted sign-in failures whose window has passed: they count no more (the next failure
    starts a new window), so nothing is lost by dropping them."""

    async def purge(now: datetime) -> int:
        return await purge_login_attempts(now - window, batch)

    return Policy("sign-in failures past their window", purge)


async def purge_login_attempts(started_before: datetime, batch: int = BATCH) -> int:
    # As login_limits counts them: a window that started `window` ago counts no more.
    dropped, after, passed = 0, 0, _before("window_start", started_before, at=True)
    while True:
        sql = Sql()
        rows = await sql.rows(
            f"SELECT id FROM login_attempts WHERE id > {sql.p(after)} AND {passed(sql)} "
            f"ORDER BY id LIMIT {sql.p(batch)}"
        )
        ids = [r["id"] for r in rows]
        # Checked again as they go: a failure counted meanwhile has started a new window.
        await _delete("login_attempts", ids, passed)
        dropped += len(ids)
        if len(ids) < batch:
            return dropped
        after = ids[-1]


def expired_staff_tokens(batch: int = BATCH) -> Policy:
    """Staff sign-in tokens past their expiry: no request is served with one."""

    async def purge(now: datetime) -> int:
        gone = _before("expires_at", now)
        return await _drop_oldest_while("staff_token", "expires_at", gone, batch)

    return Policy("expired staff tokens", purge)


def ended_punchout_sessions(keep: timedelta, batch: int = SESSION_BATCH) -> Policy:
    """Punchout sessions, with their carts, `keep` after they could last be used. No order
    refers to a session (an order arrives on its own, as an OrderRequest)."""

    async def purge(now: datetime) -> int:
        return await purge_punchout_sessions(now - keep, batch)

    return Policy("ended punchout sessions", purge)


async def purge_punchout_sessions(done_before: datetime, batch: int = SESSION_BATCH) -> int:
    columns = "ended_at, session_expires_at, started_at, start_expires_at"
    dropped = 0
    while True:
        old = await _oldest("punchout_session", columns, _session_done(done_before), batch)
        if old:
            async with in_transaction() as conn:
                lines = Sql(conn)
                await lines.run(f"DELETE FROM cart_line WHERE session_id IN ({lines.ps(old)})")
                sessions = Sql(conn)
                await sessions.run(f"DELETE FROM punchout_session WHERE id IN ({sessions.ps(old)})")
            await asyncio.sleep(0)
        dropped += len(old)
        if len(old) < batch:
            return dropped
