"""The server killed with SIGKILL, again and again, while a client adds customers.

    python -m bench.faults.sigkill [--kills 10] [--writers 4] [--seed N]
                                   [--database-url URL | --postgres]

Each round starts `opsportal serve` (one worker), lets `writers` clients add customers
(one mutation at a time each, every name new) for a random 0.3-1.5 s, and kills the server
with SIGKILL. On SQLite the file is then opened read-only with sqlite3 and must pass
`PRAGMA integrity_check` and `PRAGMA foreign_key_check`. The server must start again on it;
through the API, every customer must have its key and exactly one record of its creation,
and every add that was answered "created" before the kill must be there. Adds cut off by the
kill may or may not have happened; those that did must be whole too.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass, field

import httpx

from testkit.faults.common import (
    Bed,
    Report,
    Staff,
    add_database_arguments,
    add_outcome,
    database,
    sqlite_path,
)
from testkit.servers import Server


@dataclass
class Adds:
    acknowledged: set[str] = field(default_factory=set)  # answered "created"
    cut_off: set[str] = field(default_factory=set)  # no answer: the server died
    other: list[str] = field(default_factory=list)  # any other answer (a problem)


async def _writer(staff: Staff, company_id: str, prefix: str, adds: Adds) -> None:
    """Adds customers one after another until the server stops answering."""
    for n in range(1_000_000):
        name = f"{prefix}-{n}@buyer.example"
        try:
            response = await staff.add_customer(company_id, name)
        except httpx.TransportError:
            adds.cut_off.add(name)
            return
        outcome = add_outcome(response)
        if outcome == "created":
            adds.acknowledged.add(name)
        else:
            adds.other.append(f"{name}: {outcome}")


def sqlite_checks(database_url: str) -> tuple[str, list[tuple[object, ...]]]:
    """integrity_check's verdict and foreign_key_check's rows, on the file as it was left."""
    path = sqlite_path(database_url)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return integrity, foreign


async def _check(
    bed: Bed, server: Server, company_id: str, token: str, everything: Adds, report: Report
) -> str:
    """The API-level checks after a (re)start; a summary for the round's line."""
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
        customers = await Staff(http, token).customers(company_id)
    names = {c.username for c in customers}
    broken = [c for c in customers if not c.whole]
    lost = everything.acknowledged - names
    happened = len(everything.cut_off & names)
    report.expect(
        not broken,
        "customers without their one key or their creation record: "
        + ", ".join(
            f"{c.username} (current key {'present' if c.key else 'MISSING'}, {c.keys} keys, "
            f"{c.creations} creation records)"
            for c in broken[:5]
        ),
    )
    report.expect(not lost, f"acknowledged adds missing after the restart: {sorted(lost)[:5]}")
    return (
        f"{len(customers)} customers, {len(broken)} without their one key or creation record; "
        f"acknowledged adds present: {len(everything.acknowledged) - len(lost)}/"
        f"{len(everything.acknowledged)}; cut-off adds that happened: {happened}/"
        f"{len(everything.cut_off)}"
    )


async def _run(bed: Bed, kills: int, writers: int, rng: random.Random, report: Report) -> None:
    everything = Adds()
    server = bed.start()
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
        staff = Staff(http)
        token = await staff.login(bed.email, bed.password)
        company_id = await staff.create_company(f"Kill {bed.tag} Ltd", f"KILL-{bed.tag}")
    for kill in range(1, kills + 1):
        adds = Adds()
        limits = httpx.Limits(max_connections=writers)
        async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=60) as http:
            staff = Staff(http, token)
            tasks = [
                asyncio.create_task(_writer(staff, company_id, f"k{bed.tag}-{kill}-{w}", adds))
                for w in range(writers)
            ]
            delay = rng.uniform(0.3, 1.5)
            await asyncio.sleep(delay)
            server.process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(server.process.wait)
            await asyncio.gather(*tasks)
        everything.acknowledged |= adds.acknowledged
        everything.cut_off |= adds.cut_off
        everything.other += adds.other
        report.expect(not adds.other, f"kill {kill}: unexpected answers {adds.other[:3]}")
        line = (
            f"kill {kill} after {delay:.2f} s: {len(adds.acknowledged)} adds acknowledged, "
            f"{len(adds.cut_off)} cut off"
            + (f", {len(adds.other)} other answers" if adds.other else "")
        )
        if bed.dialect == "sqlite":
            integrity, foreign = sqlite_checks(bed.database_url)
            report.expect(integrity == "ok", f"kill {kill}: integrity_check says {integrity!r}")
            report.expect(not foreign, f"kill {kill}: foreign_key_check found {foreign[:5]}")
            line += f"; integrity_check: {integrity}; foreign_key_check: {len(foreign)} rows"
        started = time.perf_counter()
        server = await asyncio.to_thread(bed.start)
        line += f"; restarted in {time.perf_counter() - started:.1f} s"
        report.say(line)
        report.say("  " + await _check(bed, server, company_id, token, everything, report))
    server.process.terminate()
    await asyncio.to_thread(server.process.wait, 60)
    report.say(
        f"in all: {kills} kills, {len(everything.acknowledged)} adds acknowledged, "
        f"{len(everything.cut_off)} cut off; the server started again every time"
    )


def run(database_url: str, kills: int = 10, writers: int = 4, seed: int | None = None) -> Report:
    report = Report()
    seed = random.randrange(10**6) if seed is None else seed
    bed = Bed(database_url)
    report.say(
        f"database: {bed.dialect}; one uvicorn worker; {kills} SIGKILLs, {writers} clients "
        f"adding customers meanwhile; seed {seed}"
    )
    bed.add_staff()
    asyncio.run(_run(bed, kills, writers, random.Random(seed), report))
    return bed.check_servers(report, access_log=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seed", type=int, help="for the delays before each kill")
    add_database_arguments(parser)
    args = parser.parse_args()
    with database(args) as url:
        return run(url, args.kills, args.writers, args.seed).finish()


if __name__ == "__main__":
    sys.exit(main())
