"""Fifty concurrent addPunchoutCustomer of one username, in mixed case and padding.

    python -m bench.faults.concurrent_add [--concurrency 50] [--rounds 3]
                                          [--database-url URL | --postgres]

Through a real uvicorn on loopback (`opsportal serve`, one worker), each round sends
`concurrency` mutations at once, as an administrator, naming one new customer in as many
spellings (random case, spaces and tabs around it). Expected: exactly one customer, with one
key (which opens a punchout session) and one audit record of its creation; every other answer
TAKEN; no HTTP 500, and no 'database is locked' (nor any traceback) in the server's stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter

import httpx

from testkit.faults.common import (
    Bed,
    Report,
    Staff,
    add_database_arguments,
    add_outcome,
    database,
    setup_works,
)

PADDING = ["", " ", "  ", "\t", " \t", "\t  "]
COMPANY_CREATIONS = """
query Creations($id: ID!) { company(id: $id) { auditEvents(first: 100) { edges { node {
  action } } } } }"""


def spelling(username: str, rng: random.Random) -> str:
    """The same username in random case, with random padding."""
    cased = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in username)
    return rng.choice(PADDING) + cased + rng.choice(PADDING)


async def _round(
    staff: Staff, company_id: str, number: int, concurrency: int, tag: str, report: Report
) -> None:
    rng = random.Random()
    name = f"race-{tag}-{number}@buyer.example"
    spellings = [spelling(name, rng) for _ in range(concurrency)]
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(staff.add_customer(company_id, s) for s in spellings), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    outcomes = Counter(
        add_outcome(a) if isinstance(a, httpx.Response) else f"no answer ({type(a).__name__})"
        for a in answers
    )
    shown = ", ".join(f"{n} {outcome}" for outcome, n in outcomes.most_common())
    report.say(
        f"round {number}: {concurrency} spellings of {name!r} at once, e.g. {spellings[0]!r}, "
        f"{spellings[1]!r}: {shown} ({elapsed:.2f} s)"
    )
    report.expect(
        outcomes == Counter({"created": 1, "TAKEN": concurrency - 1}),
        f"round {number}: answers were {dict(outcomes)}, not 1 created and {concurrency - 1} TAKEN",
    )

    named = [c for c in await staff.customers(company_id) if c.username.lower() == name]
    key = named[0].key if named else None
    opens = await setup_works(staff.http, name, key) if key else False
    creations = await staff.data(COMPANY_CREATIONS, {"id": company_id})
    actions = [e["node"]["action"] for e in creations["company"]["auditEvents"]["edges"]]
    report.say(
        f"  customers named so: {len(named)}"
        + (
            f" (stored as {named[0].username!r}); its keys: {named[0].keys}, the current one "
            f"{len(named[0].key or '')} characters, {'opens' if opens else 'does NOT open'} a "
            "punchout session; "
            f"records of its creation: {named[0].creations}"
            if named
            else ""
        )
        + f"; creation records in the company's trail: {actions.count('customer.add_punchout')}"
        f" after {number} round(s)"
    )
    report.expect(len(named) == 1, f"round {number}: {len(named)} customers named {name!r}")
    if named:
        report.expect(
            named[0].username in {s.strip() for s in spellings},
            f"round {number}: stored as {named[0].username!r}, not one of the trimmed spellings",
        )
        report.expect(
            named[0].whole, f"round {number}: the customer lacks its one key or its record"
        )
        report.expect(opens, f"round {number}: the customer's key does not open a session")
    report.expect(
        actions.count("customer.add_punchout") == number,
        f"round {number}: {actions.count('customer.add_punchout')} creation records in the "
        f"company's trail, not {number}",
    )


async def _drive(bed: Bed, base: str, concurrency: int, rounds: int, report: Report) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        staff = Staff(http)
        await staff.login(bed.email, bed.password)
        company_id = await staff.create_company(f"Race {bed.tag} Ltd", f"RACE-{bed.tag}")
        for number in range(1, rounds + 1):
            await _round(staff, company_id, number, concurrency, bed.tag, report)


def run(database_url: str, concurrency: int = 50, rounds: int = 3) -> Report:
    report = Report()
    bed = Bed(database_url)
    report.say(
        f"database: {bed.dialect}; one uvicorn worker on loopback; {rounds} round(s) of "
        f"{concurrency} concurrent addPunchoutCustomer"
    )
    bed.add_staff()
    server = bed.start()
    try:
        asyncio.run(_drive(bed, server.base, concurrency, rounds, report))
    finally:
        server.process.terminate()
        server.process.wait(timeout=60)
    return bed.check_servers(report, access_log=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    add_database_arguments(parser)
    args = parser.parse_args()
    with database(args) as url:
        return run(url, args.concurrency, args.rounds).finish()


if __name__ == "__main__":
    sys.exit(main())
