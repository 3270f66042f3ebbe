"""Benchmark: the cXML setup path against a trivial GraphQL query, on one uvicorn worker.

    python bench/cxml_setup.py [--requests 2000] [--concurrency 8] [--database-url URL]

Starts `opsportal serve` (one worker) on a fresh database (SQLite in a temporary folder by
default), adds a punchout customer, then drives both workloads over HTTP on loopback in the
same run and prints requests per second and p50/p99 latency for each, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.access import Viewer  # noqa: E402
from domain.companies import create_company  # noqa: E402
from domain.customers import add_punchout_customer  # noqa: E402
from domain.key_vault import KeyVault, new_kek  # noqa: E402
from domain.punchout_keys import current_key  # noqa: E402
from domain.signin import add_staff  # noqa: E402
from opsportal.startup import started  # noqa: E402
from testkit.documents import setup_document  # noqa: E402
from testkit.servers import serving  # noqa: E402

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


async def drive(send, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """Run `requests` calls of `send` with `concurrency` in flight; (seconds, latencies)."""
    latencies: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            started = time.perf_counter()
            await send()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def summary(name: str, seconds: float, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    figures = {
        "rps": len(ordered) / seconds,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }
    print(f"{name:<28} {figures['rps']:>9.0f} {figures['p50']:>9.2f} {figures['p99']:>9.2f}")
    return figures


async def bench(base: str, username: str, key: str, requests: int, concurrency: int) -> None:
    document = setup_document(username, key).encode()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:

        async def setup() -> None:
            response = await http.post(
                "/cxml", content=document, headers={"Content-Type": "text/xml"}
            )
            assert b'code="200"' in response.content, response.text

        async def trivial() -> None:
            response = await http.post("/graphql", json=TYPENAME)
            assert response.status_code == 200

        for send in (setup, trivial):  # warm up both paths and the caches
            await drive(send, 200, concurrency)
        print(f"{'workload':<28} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
        cxml = summary("cXML PunchOutSetupRequest", *await drive(setup, requests, concurrency))
        graphql = summary("GraphQL { __typename }", *await drive(trivial, requests, concurrency))
        print(f"setup throughput / trivial query throughput: {cxml['rps'] / graphql['rps']:.2f}")


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
