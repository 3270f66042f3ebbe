"""Benchmark: `opsportal companies import` against the database's own bulk load of the same rows.

    python -m bench.company_import [--rows 1000000] [--vocabulary faker|small]
                                   [--database-url URL | --postgres]

Writes a CSV of `code,name` rows (kept in the temporary folder for the next run): Faker's
company names of nine locales (`faker`, the demo's), or three words drawn from a list of 40
(`small`, so that words and whole names repeat, as in real customer lists). Then, in one run:
- the floor: the same rows read with `csv` and loaded by the driver alone into an equivalent
  schema. SQLite (`sqlite3`): a table with a unique code, an index on the folded name
  (`lower`) built after the rows, an FTS5 table with 2/3/4-character prefix indexes built
  once. PostgreSQL (`asyncpg`): a COPY into the same kind of table, its indexes built after,
  and a prefix table (as `company_prefix`) filled by one statement;
- the import: the real command in a subprocess, on a fresh, migrated database, from its start
  to its end, progress bar and all (it draws one only on a terminal);
and prints both times, each phase of the floor, and the ratio.
SQLite files go to a fresh temporary folder; `--database-url postgres://...` names a server
(its databases `opsportal_bench_import` and `opsportal_bench_floor` are created afresh),
`--postgres` starts a throwaway local cluster (testkit.postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from testkit.command import clean_environment
from testkit.postgres import create_database, throwaway_postgres

# Three of these make a name; a few fold (Müller -> muller, mueller; Łódź -> lodz).
SMALL_VOCABULARY = (
    "Acme Alpha Atlas Baltic Blue Central Delta Eastern Euro Global Green Harbor Iron Metro "
    "Müller Nord Northern Nova Ocean Pacific Prime Royal Silver Southern Star Sun Union "
    "United Western Zürich Łódź Logistics Trading Systems Industries Foods Textiles Chemicals "
    "Holdings Partners"
).split()


def companies(count: int, vocabulary: str) -> Iterator[tuple[str, str]]:
    if vocabulary == "faker":
        from opsportal.demo import demo_companies

        for row in demo_companies(count):
            yield row["code"], row["name"]
        return
    rng = random.Random(16)
    for i in range(count):
        yield f"S{i + 1:07d}", " ".join(rng.choice(SMALL_VOCABULARY) for _ in range(3))


def dataset(count: int, vocabulary: str) -> Path:
    """The CSV file, written once and kept for later runs."""
    folder = Path(tempfile.gettempdir()) / "opsportal-bench-import"
    folder.mkdir(exist_ok=True)
    path = folder / f"{vocabulary}-{count}.csv"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", "name"])
            writer.writerows(companies(count, vocabulary))
        partial.rename(path)
        print(f"wrote {path} in {time.perf_counter() - started:.1f} s")
    return path


def read_rows(path: Path) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [(code, name, name.lower()) for code, name in reader]


def sqlite_floor(path: Path, file: Path, *, indexes_first: bool) -> dict[str, float]:
    """The rows loaded by sqlite3 alone, with the driver's defaults (rollback journal): the
    table made with its indexes first (the issue's floor), or its name index built after."""
    phases: dict[str, float] = {}
    started = time.perf_counter()
    rows = read_rows(path)
    phases["read the CSV"] = time.perf_counter() - started
    db = sqlite3.connect(file, isolation_level=None)
    started = time.perf_counter()
    db.execute("BEGIN")
    db.execute(
        "CREATE TABLE company (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL, name_key TEXT NOT NULL)"
    )
    index = "CREATE INDEX company_name_key ON company (name_key)"
    if indexes_first:
        db.execute(index)
    db.executemany("INSERT INTO company (code, name, name_key) VALUES (?, ?, ?)", rows)
    if not indexes_first:
        db.execute(index)
    db.execute("COMMIT")
    phases["insert and index"] = time.perf_counter() - started
    started = time.perf_counter()
    db.execute("BEGIN")
    db.execute(
        "CREATE VIRTUAL TABLE company_fts USING fts5(name, content='company', "
        "content_rowid='id', prefix='2 3 4')"
    )
    db.execute("INSERT INTO company_fts(company_fts) VALUES ('rebuild')")
    db.execute("COMMIT")
    phases["FTS5 build"] = time.perf_counter() - started
    db.close()
    return phases


async def postgres_floor(path: Path, url: str, *, indexes_first: bool) -> dict[str, float]:
    """The rows COPYed by asyncpg alone into an equivalent table, with its indexes made first
    (the issue's floor) or built after; the prefix table filled, then its keys built."""
    import asyncpg

    phases: dict[str, float] = {}
    started = time.perf_counter()
    rows = [(i, *row) for i, row in enumerate(read_rows(path), start=1)]
    phases["read the CSV"] = time.perf_counter() - started
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    indexes = [
        "ALTER TABLE company ADD UNIQUE (code)",
        "CREATE INDEX company_name_key ON company (name_key, id)",
    ]
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(
                "CREATE TABLE company (id INTEGER PRIMARY KEY, code TEXT NOT NULL, "
                'name TEXT NOT NULL, name_key TEXT COLLATE "C" NOT NULL)'
            )
            for statement in indexes if indexes_first else []:
                await conn.execute(statement)
            await conn.copy_records_to_table(
                "company", records=rows, columns=["id", "code", "name", "name_key"]
            )
            for statement in [] if indexes_first else indexes:
                await conn.execute(statement)
        phases["COPY and index"] = time.perf_counter() - started
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(
                'CREATE TABLE company_prefix (prefix VARCHAR(4) COLLATE "C" NOT NULL, '
                "id INTEGER NOT NULL)"
            )
            await conn.execute(
                "INSERT INTO company_prefix SELECT p.prefix, c.id FROM company c CROSS JOIN "
                "LATERAL (SELECT DISTINCT left(w, k) AS prefix "
                "FROM unnest(string_to_array(c.name_key, ' ')) AS w, "
                "generate_series(1, 4) AS k WHERE length(w) >= k) AS p"
            )
            await conn.execute("ALTER TABLE company_prefix ADD PRIMARY KEY (prefix, id)")
            await conn.execute("CREATE INDEX company_prefix_id ON company_prefix (id)")
        phases["prefix table"] = time.perf_counter() - started
    finally:
        await conn.close()
    return phases


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(path: Path, database_url: str, folder: Path) -> tuple[float, float, str]:
    """The real command, timed from its start to its end, on a migrated database: wall
    and CPU seconds, and what it printed."""
    env = clean_environment({"DATABASE_URL": database_url})
    command = [sys.executable, "-m", "opsportal.cli"]
    migrated = subprocess.run([*command, "staff", "list"], env=env, capture_output=True)
    assert migrated.returncode == 0, migrated.stderr
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(
        [*command, "companies", "import", str(path)], env=env, cwd=folder, capture_output=True
    )
    took, cpu = time.perf_counter() - started, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"the import failed:\n{done.stderr.decode()}")
    return took, cpu, done.stdout.decode()


def show(name: str, phases: dict[str, float], cpu: float | None) -> float:
    total = sum(phases.values())
    print(name)
    for phase, seconds in phases.items():
        print(f"  {phase:<18} {seconds:8.1f} s")
    print(f"  {'total':<18} {total:8.1f} s" + (f" (CPU {cpu:.1f} s)" if cpu is not None else ""))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--vocabulary", choices=["faker", "small"], default="faker")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="a PostgreSQL server (default: SQLite files)")
    where.add_argument("--postgres", action="store_true", help="a throwaway local cluster")
    args = parser.parse_args()
    path = dataset(args.rows, args.vocabulary)
    print(
        f"{args.rows:,} rows, {args.vocabulary} names: {path}; {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    floors: dict[str, tuple[float, float | None]] = {}
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="opsportal-bench-import-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        server = args.database_url
        if args.postgres:
            server = stack.enter_context(throwaway_postgres())
        for first, label in ((True, "indexes made first"), (False, "indexes built after")):
            if server:
                name = f"the floor, asyncpg COPY into PostgreSQL, {label} (server CPU not seen):"
                floor_url = asyncio.run(create_database(server, "opsportal_bench_floor"))
                phases = asyncio.run(postgres_floor(path, floor_url, indexes_first=first))
                floors[label] = (show(name, phases, None), None)
                continue
            name = f"the floor, sqlite3 alone (SQLite {sqlite3.sqlite_version}), {label}:"
            started = time.process_time()
            phases = sqlite_floor(path, folder / f"floor-{first}.sqlite3", indexes_first=first)
            cpu = time.process_time() - started
            floors[label] = (show(name, phases, cpu), cpu)
        if server:
            url = asyncio.run(create_database(server, "opsportal_bench_import"))
        else:
            url = f"sqlite://{folder}/import.sqlite3"
        took, cpu, output = run_import(path, url, folder)
    print("opsportal companies import (a subprocess, on a migrated empty database):")
    for line in output.splitlines()[1:3]:
        print(f"  {line}")
    print(f"  {'total':<18} {took:8.1f} s (CPU {cpu:.1f} s, the client process)")
    for label, (total, floor_cpu) in floors.items():
        ratio = f"ratio to the floor with {label}: {took / total:.2f}"
        print(ratio + (f" (CPU time: {cpu / floor_cpu:.2f})" if floor_cpu else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
