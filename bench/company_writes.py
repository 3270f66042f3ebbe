"""Benchmark: creating and renaming companies at a million companies, names landing in one gap.

    python -m bench.company_writes [--companies 1000000] [--database-url URL] [--writes 500]

Fills the database itself (demo companies, imported in bulk; a database that has them
already is reused, and each run's companies land in gaps of their own), starts `opsportal
serve` with one worker, and measures over HTTP on loopback, one request at a time, in one run:
- `{ __typename }`: the floor;
- createCompany with names spread over the alphabet;
- createCompany with a series of names that all fall into one gap between two neighbours
  ("<name> 00001", "<name> 00002", ...), the same series coming down, and one name given
  again and again (each goes after its namesakes: the same gap again);
- updateCompany renaming companies into one gap, and to names spread over the alphabet;
- while a one-gap series runs, `GET /healthz` (one statement) on a second connection: whether
  any request waits behind a write.
Prints p50/p95/p99 and the slowest, and each p99 against the floor's p50 (target: 10), the
floor measured again (300 requests) just before each workload, as a shared machine's load
drifts; then checks that every company's rank is still in alphabetical order.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from faker import Faker

from domain.companies import search_keys
from domain.company_import import import_companies
from domain.key_vault import new_kek
from domain.signin import add_staff, issue_token
from opsportal.demo import FAKER_LOCALES, demo_companies
from persistence.database import open_database
from persistence.flat_values import flat_values
from persistence.tables import Company
from testkit.load import LeanClient, Run, one_at_a_time
from testkit.servers import serving
from testkit.stats import Figures, header

TRIVIAL = {"query": "{ __typename }"}
CREATE = """mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id } errors { code message } } }"""
UPDATE = """mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) { company { id } errors { code message } } }"""
WIDTH = 44


async def fill(companies: int) -> None:
    if await Company.all().count() >= companies:
        return
    started = time.perf_counter()
    report = await import_companies(demo_companies(companies))  # codes already there: skipped
    print(f"filled: {report.imported:,} companies in {time.perf_counter() - started:.1f} s")


async def a_gap(rng: random.Random, tag: str, count: int) -> tuple[str, list[str]]:
    """An existing name, and `count` names that all sort between it and the next name."""
    while True:
        top = await Company.all().order_by("-id").first()
        assert top is not None
        company = await Company.filter(id=rng.randint(1, top.id)).first()
        if company is None:
            continue
        name = company.name
        key = search_keys(name, "X").name_key
        after = await flat_values(
            Company.filter(name_key__gt=key).order_by("name_key").limit(1), "name_key"
        )
        series = [f"{name} {tag} {i:05d}" for i in range(1, count + 1)]
        keys = [search_keys(s, "X").name_key for s in series]
        if all(key < k and (not after or k < after[0]) for k in keys):
            return name, series


@dataclass(frozen=True)
class Plan:
    token: str
    tag: str  # this run's: its names and codes are new even on a reused database
    total: int
    same_name: str
    rising: list[str]
    watched: list[str]
    falling: list[str]
    renamed_into: list[str]
    spread: list[str]
    to_rename: list[int]


async def prepare(database_url: str, companies: int, writes: int) -> Plan:
    async with open_database(database_url):
        await fill(companies)
        tag = f"{int(time.time()) % 100000:05d}"
        staff = await add_staff(f"writes-{tag}@bench.example", "bench-password", superuser=True)
        rng = random.Random(int(tag))
        same_name, _ = await a_gap(rng, tag, 1)
        _, rising = await a_gap(rng, tag, writes)
        _, watched = await a_gap(rng, tag, writes)
        _, falling = await a_gap(rng, tag, writes)
        _, renamed_into = await a_gap(rng, tag, writes)
        fake = Faker(FAKER_LOCALES)
        fake.seed_instance(int(tag))
        top = await Company.all().order_by("-id").first()
        assert top is not None
        return Plan(
            token=await issue_token(staff, timedelta(hours=2)),
            tag=tag,
            total=await Company.all().count(),
            same_name=same_name,
            rising=rising,
            watched=watched,
            falling=list(reversed(falling)),
            renamed_into=renamed_into,
            spread=[f"{fake.company()} {tag}" for _ in range(writes)],
            to_rename=rng.sample(range(1, top.id + 1), 2 * writes),
        )


def show(name: str, run: Run, floor: float | None) -> Figures:
    """A row: the figures, the slowest, and, against `floor` (the trivial query's p50 just
    before), that floor and p99/floor."""
    row = run.figures
    slowest = max(run.latencies) * 1000
    against = f" {floor:>9.2f} {row.p99 / floor:>9.1f}" if floor else ""
    print(f"{row.row(name, WIDTH)} {slowest:>8.2f}{against}")
    return row


def global_id(company_id: int) -> str:
    return base64.b64encode(f"Company:{company_id}".encode()).decode()


def graphql(client: LeanClient, body: dict[str, Any], field: str | None = None) -> None:
    answer = client.graphql(body["query"], body.get("variables"))
    data = answer.json()
    assert answer.status == 200 and "errors" not in data, answer.body
    assert field is None or not data["data"][field]["errors"], answer.body


def trivial(client: LeanClient, _: object) -> None:
    graphql(client, TRIVIAL)


def floor(client: LeanClient) -> float:
    """The trivial query's p50 right now: the machine's load drifts during a run, so each
    workload is set against the floor measured just before it."""
    return one_at_a_time(client, trivial, range(300)).figures.p50


def measure(base: str, plan: Plan, writes: int) -> None:
    codes = iter(range(10**9))
    client = LeanClient(base, token=plan.token)

    def create(client: LeanClient, name: str) -> None:
        variables = {"input": {"name": name, "code": f"W{plan.tag}-{next(codes)}"}}
        graphql(client, {"query": CREATE, "variables": variables}, "createCompany")

    def rename(client: LeanClient, pair: tuple[int, str]) -> None:
        variables = {"input": {"id": global_id(pair[0]), "name": pair[1]}}
        graphql(client, {"query": UPDATE, "variables": variables}, "updateCompany")

    one_at_a_time(client, trivial, range(300))  # warm up
    show("{ __typename }: the floor", one_at_a_time(client, trivial, range(2000)), None)
    creates: list[tuple[str, list[str]]] = [
        ("createCompany, names spread out", plan.spread),
        ("createCompany, one gap, a rising series", plan.rising),
        ("createCompany, one gap, a falling series", plan.falling),
        ("createCompany, the same name again", [plan.same_name] * writes),
    ]
    for name, names in creates:
        before = floor(client)
        show(name, one_at_a_time(client, create, names), before)
    into, spread = plan.to_rename[:writes], plan.to_rename[writes:]
    renames: list[tuple[str, list[tuple[int, str]]]] = [
        ("updateCompany, renamed into a gap", list(zip(into, plan.renamed_into, strict=True))),
        ("updateCompany, names spread out", list(zip(spread, plan.spread, strict=True))),
    ]
    for name, pairs in renames:
        before = floor(client)
        show(name, one_at_a_time(client, rename, pairs), before)

    # A second connection asks /healthz (one statement) while a one-gap series is written:
    # a request that waits behind a write shows here.
    probe: list[float] = []
    done = threading.Event()

    def watch() -> None:
        second = LeanClient(base)
        while not done.is_set():
            started = time.perf_counter()
            assert second.get("/healthz").status == 200
            probe.append(time.perf_counter() - started)
            time.sleep(0.002)
        second.close()

    before = floor(client)
    watcher = threading.Thread(target=watch)
    watcher.start()
    run = one_at_a_time(client, create, plan.watched)
    done.set()
    watcher.join()
    client.close()
    show("createCompany, one gap, with the probe", run, before)
    show("GET /healthz meanwhile, 2nd connection", Run(run.seconds, probe, 0.0), before)


async def check(database_url: str) -> None:
    """The ranks after the run: every company ranked, in alphabetical order."""
    async with open_database(database_url):
        ranks = await Company.all().order_by("name_key", "id").values_list("sort_rank", flat=True)
    ordered = None not in ranks and all(a < b for a, b in zip(ranks, ranks[1:], strict=False))
    print(f"ranks of all {len(ranks):,} companies in alphabetical order afterwards: {ordered}")
    if not ordered:
        raise SystemExit("ranks out of order")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=500, help="requests per workload")
    parser.add_argument(
        "--database-url",
        help="default: a SQLite file in the system's temporary folder, kept for the next run",
    )
    args = parser.parse_args()
    database_url = args.database_url or (
        f"sqlite://{tempfile.gettempdir()}/opsportal-bench-writes-{args.companies}.sqlite3"
    )
    # PostgreSQL servers need a key-encryption key (this data set stores no keys: any will do).
    os.environ.setdefault("OPSPORTAL_KEY_ENCRYPTION_KEY", new_kek())
    plan = asyncio.run(prepare(database_url, args.companies, args.writes))
    with serving(database_url, tempfile.gettempdir()) as base:
        print(
            f"\n{plan.total:,} companies (demo data) on {database_url.split('://')[0]}, one "
            f"uvicorn worker, one request at a time, {args.writes} requests a workload"
        )
        print(f"{header(WIDTH)} {'max ms':>8} {'floor p50':>9} {'p99/floor':>9}")
        measure(base, plan, args.writes)
    asyncio.run(check(database_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
