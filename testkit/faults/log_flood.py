"""A flood of unauthenticated cXML requests with large bodies, and what it does to the database.

    python -m bench.faults.log_flood [--requests 600] [--concurrency 20] [--comment 65000]
                                     [--budget-mib 1] [--database-url URL | --postgres]

Starts `opsportal serve` (one worker, the connection log held to `budget-mib` of bodies:
OPSPORTAL_CXML_LOG_MAX_BYTES, purged every second) with one punchout customer, and sends
`requests` OrderRequests with `comment` characters in their Comments, `concurrency` at a time,
none authenticated: a third with the customer's name and a wrong secret (they land in its
log), a third from an unknown sender, a third not even XML. Expected: every one refused with
a cXML 401 or 406; the database growing by at most 16 KiB a request (a refused request's body
is kept to its first 4 KiB), where keeping the bodies whole would have cost the bytes sent;
every entry marked not authenticated and no body over 4 KiB, as staff read the log in GraphQL;
after a purge, at most `budget-mib` of bodies kept; the customer's own order, sent last, kept
whole; no HTTP 500, no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sqlite3
import sys
import time
from collections import Counter
from typing import Any

import httpx

from testkit.documents import order_document
from testkit.faults.common import (
    Bed,
    Report,
    Staff,
    add_database_arguments,
    database,
    post_cxml,
    sqlite_path,
)

PER_REQUEST = 16 * 1024  # the most a refused request may add: 4 KiB of body, and the rest
KEPT_BODY = 4 * 1024  # of a refused request's body, in UTF-8 bytes (then a line on the rest)
NOTE = "\n[... "
LOG_PAGE = """
query Log($id: ID!, $after: String) { customer(id: $id) { cxmlLog(first: 20, after: $after) {
  edges { node { authenticated failure requestBody responseBody } }
  pageInfo { hasNextPage endCursor } } } }"""
UNMATCHED_PAGE = """
query Unmatched($after: String) { cxmlLog(first: 20, after: $after) {
  edges { node { authenticated failure requestBody responseBody } }
  pageInfo { hasNextPage endCursor } } }"""


async def database_bytes(database_url: str) -> int:
    """The database's size on disk: SQLite's file once its write-ahead log is written back
    into it (the log itself is a fixed-size ring, 4 MB at most); PostgreSQL's
    pg_database_size."""
    if database_url.startswith("sqlite"):
        path = sqlite_path(database_url)
        with sqlite3.connect(path, timeout=30) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(path)
    import asyncpg

    server = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        size: int = await server.fetchval("SELECT pg_database_size(current_database())")
        return size
    finally:
        await server.close()


def flood_body(number: int, username: str, comment: str) -> bytes:
    """The `number`th request of the flood: a wrong secret with the customer's name, an
    unknown sender, or no XML at all, each carrying the comment."""
    kind = number % 3
    if kind == 2:
        return f"not xml {number} {comment}".encode()
    sender = username if kind == 0 else f"stranger-{number}@nowhere.example"
    document = order_document(
        sender, f"guess-{secrets.token_hex(8)}", order_id=f"F-{number}", payload=f"f{number}@x"
    )
    return document.replace("Please deliver before noon.", comment).encode()


async def _log(staff: Staff, query: str, variables: dict[str, Any], path: str) -> list[dict]:
    """Every entry of a log, as staff read it, page by page."""
    entries: list[dict[str, Any]] = []
    after = None
    while True:
        data = await staff.data(query, {**variables, "after": after})
        page = data["customer"]["cxmlLog"] if path == "customer" else data["cxmlLog"]
        entries += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return entries
        after = page["pageInfo"]["endCursor"]


def _body_bytes(entry: dict[str, Any]) -> int:
    return len(entry["requestBody"].encode()) + len(entry["responseBody"].encode())


async def _run(
    bed: Bed, requests: int, concurrency: int, comment_chars: int, budget: int, report: Report
) -> None:
    bed.env["OPSPORTAL_CXML_LOG_MAX_BYTES"] = str(budget)
    bed.env["OPSPORTAL_RETENTION_INTERVAL_SECONDS"] = "1"
    server = bed.start()
    comment = ("Attacker's words. " * (comment_chars // 18 + 1))[:comment_chars]
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=120) as http:
            staff = Staff(http)
            await staff.login(bed.email, bed.password)
            company_id = await staff.create_company(f"Flood {bed.tag} Ltd", f"FLOOD-{bed.tag}")
            username = f"flood-{bed.tag}@buyer.example"
            await staff.add_customer(company_id, username)
            [customer] = await staff.customers(company_id)
            before = await database_bytes(bed.database_url)

            gate = asyncio.Semaphore(concurrency)
            sent = 0

            async def one(number: int) -> str:
                nonlocal sent
                body = flood_body(number, username, comment)
                sent += len(body)
                async with gate:
                    status, code, _ = await post_cxml(http, body)
                return f"cXML {code}" + ("" if status == 200 else f" (HTTP {status})")

            started = time.perf_counter()
            answers = Counter(await asyncio.gather(*(one(n) for n in range(requests))))
            seconds = time.perf_counter() - started
            after = await database_bytes(bed.database_url)
            growth = after - before
            listed = ", ".join(f"{n} {a}" for a, n in answers.most_common())
            report.say(
                f"flood: {requests} unauthenticated requests, {sent / 1e6:.1f} MB sent in "
                f"{seconds:.1f} s ({concurrency} at a time): {listed}"
            )
            report.expect(set(answers) <= {"cXML 401", "cXML 406"}, f"unexpected answers: {listed}")
            report.say(
                f"database: {before / 1e6:.2f} MB before, {after / 1e6:.2f} MB after: "
                f"{growth / 1e6:+.2f} MB, {growth / requests / 1024:.1f} KiB a request "
                f"(bound {PER_REQUEST // 1024} KiB; the bodies whole: {sent / requests / 1024:.1f}"
                " KiB a request)"
            )
            report.expect(
                growth <= requests * PER_REQUEST,
                f"the database grew {growth / requests / 1024:.1f} KiB a request",
            )

            theirs = await _log(staff, LOG_PAGE, {"id": customer.id}, "customer")
            strangers = await _log(staff, UNMATCHED_PAGE, {}, "top")
            logged = theirs + strangers
            largest = max(
                (len(e["requestBody"].split(NOTE)[0].encode()) for e in logged), default=0
            )
            report.say(
                f"the log as staff read it: {len(theirs)} entries in the customer's log, "
                f"{len(strangers)} unmatched; authenticated: "
                f"{sum(e['authenticated'] for e in logged)}; largest body kept {largest:,} bytes"
            )
            report.expect(not any(e["authenticated"] for e in logged), "a stranger authenticated")
            report.expect(largest <= KEPT_BODY, f"a stranger's body kept {largest} bytes")

            await asyncio.sleep(2.5)  # a purge or two
            kept = sum(
                _body_bytes(e)
                for e in await _log(staff, LOG_PAGE, {"id": customer.id}, "customer")
                + await _log(staff, UNMATCHED_PAGE, {}, "top")
            )
            report.say(f"after a purge: {kept:,} bytes of bodies kept (budget {budget:,})")
            report.expect(kept <= budget, "the log holds more than its budget")

            own_words = comment[:50_000]
            order = order_document(
                username, customer.key or "", order_id="OWN-1", payload=f"own-{bed.tag}@buyer"
            ).replace("Please deliver before noon.", own_words)
            status, code, _ = await post_cxml(http, order.encode())
            newest = (await _log(staff, LOG_PAGE, {"id": customer.id}, "customer"))[0]
            whole = own_words in newest["requestBody"]
            report.say(
                f"the customer's own order: cXML {code}; authenticated: "
                f"{newest['authenticated']}; kept whole: {whole}"
            )
            report.expect(code == 200 and newest["authenticated"] and whole, "the own order")
    finally:
        server.process.terminate()
        await asyncio.to_thread(server.process.wait, 60)


def run(
    database_url: str,
    requests: int = 600,
    concurrency: int = 20,
    comment: int = 65_000,
    budget_mib: float = 1,
) -> Report:
    report = Report()
    bed = Bed(database_url)
    budget = int(budget_mib * 1024 * 1024)
    report.say(
        f"database: {bed.dialect}; one uvicorn worker; {requests} unauthenticated cXML requests "
        f"with {comment:,}-character comments; the log's budget {budget_mib:g} MiB of bodies"
    )
    bed.add_staff()
    asyncio.run(_run(bed, requests, concurrency, comment, budget, report))
    return bed.check_servers(report, access_log=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--comment", type=int, default=65_000, help="characters a comment")
    parser.add_argument("--budget-mib", type=float, default=1, help="OPSPORTAL_CXML_LOG_MAX_BYTES")
    add_database_arguments(parser)
    args = parser.parse_args()
    with database(args) as url:
        return run(url, args.requests, args.concurrency, args.comment, args.budget_mib).finish()


if __name__ == "__main__":
    sys.exit(main())
