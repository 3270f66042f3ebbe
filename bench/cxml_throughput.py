"""Benchmark: the cXML setup and order paths against a trivial GraphQL query, on one uvicorn
worker.

    python -m bench.cxml_throughput [--requests 2000] [--concurrency 8] [--database-url URL]

Starts `opsportal serve` (one worker) on a fresh database (SQLite in a temporary folder by
default), adds a punchout customer, then drives the three workloads over HTTP on loopback in
the same run: PunchOutSetupRequests, OrderRequests (each a new order of five plain lines, no
attachments) and `{ __typename }`; prints requests per second and p50/p95/p99 latency for
each, and each cXML workload's throughput as a ratio of the trivial query's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile

from domain.access import Viewer
from domain.companies import create_company
from domain.customers import add_punchout_customer
from domain.key_vault import KeyVault, new_kek
from domain.punchout_keys import current_key
from domain.signin import add_staff
from opsportal.startup import started
from testkit.documents import order_document, setup_document
from testkit.load import drive, lean_client
from testkit.servers import serving
from testkit.stats import Figures, header

TYPENAME = {"query": "{ __typename }"}


async def prepare(database_url: str) -> tuple[str, str]:
    # The server started later reads the same key-encryption key from the environment.
    os.environ.setdefault("OPSPORTAL_KEY_ENCRYPTION_KEY", new_kek())
    vault = KeyVault.from_text(os.environ["OPSPORTAL_KEY_ENCRYPTION_KEY"])
    async with started(database_url, vault):
        admin = Viewer(
            await add_staff("bench@supplier.example", "bench-password", administrator=True)
        )
        company = await create_company(admin, "Bench Buyer Ltd", "BENCH")
        customer = await add_punchout_customer(
            vault, admin, company.id, "bench-buyer@buyer.example"
        )
        key = await current_key(vault, customer.id)
        assert key is not None
        return customer.username, key


def summary(name: str, seconds: float, latencies: list[float]) -> Figures:
    figures = Figures.of(seconds, latencies)
    print(figures.row(name, 28))
    return figures


async def bench(base: str, username: str, key: str, requests: int, concurrency: int) -> None:
    document = setup_document(username, key).encode()
    orders = [
        order_document(
            username,
            key,
            order_id=f"PO-{number}",
            payload=f"order-{number}@buyer.example",
            lines=[(f"PART-{line}", "2", "1.25", f"Part {line}", None) for line in range(5)],
        ).encode()
        for number in range(requests + 200)
    ]
    async with lean_client(base, concurrency, timeout=30) as http:

        async def setup(_: int) -> None:
            response = await http.post(
                "/cxml", content=document, headers={"Content-Type": "text/xml"}
            )
            assert b'code="200"' in response.content, response.text

        async def order(number: int) -> None:
            response = await http.post(
                "/cxml", content=orders[number], headers={"Content-Type": "text/xml"}
            )
            assert b'code="200"' in response.content, response.text

        async def trivial(_: int) -> None:
            response = await http.post("/graphql", json=TYPENAME)
            assert response.status_code == 200

        warm = range(requests, requests + 200)  # order numbers the measured run does not use
        for send in (setup, order, trivial):  # warm up every path and the caches
            await drive(send, warm, concurrency)
        print(header(28, "workload"))
        cxml = summary(
            "cXML PunchOutSetupRequest", *await drive(setup, range(requests), concurrency)
        )
        placed = summary(
            "cXML OrderRequest (5 lines)", *await drive(order, range(requests), concurrency)
        )
        graphql = summary(
            "GraphQL { __typename }", *await drive(trivial, range(requests), concurrency)
        )
        print(f"setup throughput / trivial query throughput: {cxml.rps / graphql.rps:.2f}")
        print(f"order throughput / trivial query throughput: {placed.rps / graphql.rps:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="opsportal-bench-")
    database_url = args.database_url or f"sqlite://{folder}/bench.sqlite3"
    username, key = asyncio.run(prepare(database_url))
    with serving(database_url, folder) as base:
        print(
            f"database: {database_url.split('://')[0]}, one uvicorn worker, "
            f"{args.requests} requests per workload, {args.concurrency} in flight"
        )
        asyncio.run(bench(base, username, key, args.requests, args.concurrency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
