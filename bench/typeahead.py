"""Benchmark: the ranked company typeahead at a million companies, on one uvicorn worker.

    python -m bench.typeahead [--companies 1000000] [--database-url URL] [--queries 1000]

Fills the database itself (demo companies, imported in bulk; a database that has them
already is reused), starts `opsportal serve` with one worker, and measures over HTTP on
loopback, in one run:
- the CompanySearch operation with typed texts of 2-12 characters and 1-3 words, taken from
  real company names: unloaded latency (one request at a time) and throughput (8 in flight);
- the trivial query `{ __typename }`, the same way;
- the database query behind the search (domain.search, in this process, no HTTP).
Prints p50/p95/p99 latency and requests per second for each, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from domain.access import Viewer
from domain.company_import import import_companies
from domain.search import search
from domain.signin import add_staff, issue_token
from opsportal.demo import demo_companies
from persistence.database import open_database
from persistence.flat_values import flat_values
from persistence.tables import Company, Staff
from testkit.load import drive, lean_client
from testkit.operations import COMPANY_SEARCH
from testkit.servers import serving
from testkit.stats import Figures, header

TRIVIAL = {"query": "{ __typename }"}


def typed_texts(names: list[str], count: int, seed: int = 7) -> list[str]:
    """What people type: 1-3 words of a real name, each cut to a prefix, 2-12 characters."""
    rng = random.Random(seed)
    texts: list[str] = []
    while len(texts) < count:
        words = rng.choice(names).split()
        taken = words[: rng.randint(1, min(3, len(words)))]
        text = " ".join(w[: rng.randint(1, len(w))] for w in taken)[: rng.randint(2, 12)].strip()
        if len(text.replace(" ", "")) >= 2:
            texts.append(text)
    return texts


async def prepare(database_url: str, companies: int, count: int) -> tuple[str, list[str]]:
    async with open_database(database_url):
        have = await Company.all().count()
        if have < companies:
            started = time.perf_counter()
            rows = list(demo_companies(companies))
            generated = time.perf_counter() - started
            started = time.perf_counter()
            report = await import_companies(rows)
            took = time.perf_counter() - started
            print(
                f"filled: {report.imported:,} companies imported in {took:.1f} s "
                f"({report.imported / took:,.0f} rows/s; generating them took {generated:.1f} s)"
            )
        staff = await add_staff("bench@supplier.example", "bench-password", administrator=True)
        token = await issue_token(staff, timedelta(hours=2))
        rng = random.Random(11)
        top = await Company.all().order_by("-id").first()
        ids = [rng.randint(1, top.id) for _ in range(count)] if top else []
        names = await flat_values(Company.filter(id__in=ids), "name")
        return token, typed_texts(names, count)


def figures(name: str, seconds: float, latencies: list[float]) -> Figures:
    row = Figures.of(seconds, latencies)
    print(row.row(name))
    return row


async def over_http(base: str, token: str, texts: list[str]) -> dict[str, Figures]:
    async with lean_client(base, 8, token=token) as http:

        async def typeahead(text: str) -> None:
            response = await http.post(
                "/graphql", json={"query": COMPANY_SEARCH, "variables": {"search": text}}
            )
            assert "errors" not in response.json(), response.text

        async def trivial(_: object) -> None:
            assert (await http.post("/graphql", json=TRIVIAL)).status_code == 200

        await drive(typeahead, texts[:100], 4)  # warm the caches
        await drive(trivial, list(range(200)), 4)
        workloads: list[tuple[str, Callable[[str], Awaitable[None]], int]] = [
            ("typeahead, one at a time", typeahead, 1),
            ("{ __typename }, one at a time", trivial, 1),
            ("typeahead, 8 in flight", typeahead, 8),
            ("{ __typename }, 8 in flight", trivial, 8),
        ]
        return {
            name: figures(name, *await drive(send, texts, concurrency))
            for name, send, concurrency in workloads
        }


async def in_process(database_url: str, texts: list[str]) -> Figures:
    async with open_database(database_url):
        viewer = Viewer(await Staff.get(email="bench@supplier.example"))

        async def query(text: str) -> None:
            await search(viewer, text, 10)

        await drive(query, texts[:100], 1)
        return figures("database query (domain.search)", *await drive(query, texts, 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--database-url",
        help="default: a SQLite file in the system's temporary folder, kept for the next run",
    )
    args = parser.parse_args()
    database_url = args.database_url or (
        f"sqlite://{tempfile.gettempdir()}/opsportal-bench-{args.companies}.sqlite3"
    )
    token, texts = asyncio.run(prepare(database_url, args.companies, args.queries))
    with serving(database_url, tempfile.gettempdir()) as base:
        print(
            f"\n{args.companies:,} companies on {database_url.split('://')[0]}, one uvicorn "
            f"worker, {len(texts)} typed texts (2-12 characters, 1-3 words)"
        )
        print(header())
        http = asyncio.run(over_http(base, token, texts))
    raw = asyncio.run(in_process(database_url, texts))
    ratio = http["typeahead, 8 in flight"].rps / http["{ __typename }, 8 in flight"].rps
    print(f"typeahead throughput / trivial query throughput (8 in flight): {ratio:.2f}")
    overhead = http["typeahead, one at a time"].p50 / raw.p50
    print(f"typeahead over HTTP p50 / database query p50: {overhead:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
