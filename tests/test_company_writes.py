"""Creating and renaming companies at scale (issue 16) and without holding the database
(issue 15, item 4): a write rewrites at most a bounded window of ranks, never every company;
its statement count is fixed; ranks, SQLite's FTS5 index and PostgreSQL's prefix streams stay
in step and in alphabetical order through window respacing, background spreading and
concurrent creates into one gap. On both databases."""

from __future__ import annotations

import asyncio
import logging

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain import rank_spread
from domain.access import Viewer
from domain.companies import create_company, search_keys, update_company
from domain.company_import import import_companies
from domain.rank_spread import SPREAD_ROOM
from domain.rank_store import AFTER_EVERY_ID, neighbours_query
from domain.rank_windows import WINDOW
from domain.ranks import LAST_RESORT
from persistence.search_index import POSTGRES_PREFIX_FILL
from persistence.sql import Sql, is_postgres
from persistence.tables import Company, Staff
from tests.conftest import Api, World, global_id

CREATE = """mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id } errors { field code message } } }"""
UPDATE = """mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) { company { id } errors { field code message } } }"""
PAGE = """query($search: String!, $after: String) {
  companies(search: $search, first: 50, after: $after) {
    edges { node { code } } pageInfo { hasNextPage endCursor } } }"""


async def admin() -> Viewer:
    return Viewer(await Staff.get(email="founder@supplier.example"))


async def ranks() -> dict[int, int | None]:
    rows = await Company.all().values_list("id", "sort_rank")
    return {company_id: rank for company_id, rank in rows}


async def assert_in_order_and_indexed() -> None:
    """Every company ranked, ranks unique and in (name_key, id) order, and the word index
    (SQLite's FTS5 table, PostgreSQL's company_prefix) exactly what the companies say."""
    rows = await Company.all().order_by("name_key", "id").values_list("sort_rank", flat=True)
    assert None not in rows
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(rows, rows[1:], strict=False)) if a >= b]
    assert not bad, bad[:5]
    conn = get_connection("default")
    if is_postgres(conn):
        expected = "SELECT " + POSTGRES_PREFIX_FILL.split(" SELECT ", 1)[1]
        stored = "SELECT prefix, sort_rank FROM company_prefix"
        for one, other in [(expected, stored), (stored, expected)]:
            differ = await conn.execute_query_dict(f"{one} EXCEPT {other}")
            assert differ == [], differ[:5]
    else:
        # With rank 1, FTS5 checks its index against the content table, row by row.
        await conn.execute_script(
            "INSERT INTO company_fts(company_fts, rank) VALUES ('integrity-check', 1)"
        )


async def found(api: Api, token: str, search: str) -> list[str]:
    codes: list[str] = []
    after = None
    while True:
        page = (await api(PAGE, {"search": search, "after": after}, token))["data"]["companies"]
        codes += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return codes
        after = page["pageInfo"]["endCursor"]


async def alphabetical_codes(prefix: str) -> list[str]:
    rows = await Company.filter(code__startswith=prefix).order_by("name_key", "id")
    return [row.code for row in rows]


async def use_up_the_gap(name: str, me: int = AFTER_EVERY_ID) -> None:
    """Leave no free rank where `name` goes: its upper neighbour moved next to its lower one
    (worked out here from the names, not by the code under test)."""
    key = search_keys(name, "X").name_key
    rows = await Company.exclude(id=me).order_by("name_key", "id").values("id", "name_key")
    before = [r for r in rows if (r["name_key"], r["id"]) < (key, me)]
    after = [r for r in rows if (r["name_key"], r["id"]) > (key, me)]
    low = await Company.get(id=before[-1]["id"])
    await Company.filter(id=after[0]["id"]).update(sort_rank=low.sort_rank + 1)


async def fill(count: int, prefix: str = "Filler") -> None:
    await import_companies(
        [{"code": f"F{i:05d}", "name": f"{prefix} {i:05d}"} for i in range(count)]
    )


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def statements(api: Api, query: str, variables: dict[str, object], token: str) -> int:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        body = await api(query, variables, token)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "errors" not in body, body
    payload = next(iter(body["data"].values()))
    assert payload["errors"] == [], payload
    return handler.count


async def test_a_company_write_has_a_fixed_statement_count(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    acme = {"id": global_id("Company", world.acme.id)}

    async def create(name: str, code: str) -> int:
        return await statements(api, CREATE, {"input": {"name": name, "code": code}}, token)

    async def rename(name: str) -> int:
        return await statements(api, UPDATE, {"input": {**acme, "name": name}}, token)

    small = [await create("Beta One", "B1"), await rename("Delta Renamed 1")]
    await fill(300)
    large = [await create("Beta Two", "B2"), await rename("Delta Renamed 2")]
    assert large == small
    # A used-up gap: the window's ranks are read and rewritten, in two statements however
    # many rows move; a rename also takes its company out of its old place first.
    await use_up_the_gap("Beta Three")
    assert await create("Beta Three", "B3") == small[0] + 2
    await use_up_the_gap("Delta Renamed 3", world.acme.id)
    assert await rename("Delta Renamed 3") == small[1] + 3
    await assert_in_order_and_indexed()


async def test_long_runs_into_one_gap_rewrite_a_bounded_window(api: Api, world: World) -> None:
    await fill(600)
    viewer = await admin()
    # A gap of 2^20 holds about a hundred names of a series (each takes an eighth of it).
    runs = {
        "rising": [f"Gap Co {i:04d}" for i in range(1, 161)],
        "falling": [f"Gap Down {i:04d}" for i in range(160, 0, -1)],
        "same": ["Filler 00300"] * 160,  # each goes after its namesakes: the same gap again
    }
    rewritten: dict[str, list[int]] = {}
    for run, names in runs.items():
        rewritten[run] = []
        before = await ranks()
        for i, name in enumerate(names):
            made = await create_company(viewer, name, f"{run}-{i}")
            after = await ranks()
            rewritten[run].append(sum(1 for c, r in before.items() if after[c] != r))
            assert made.id not in before
            before = after
    renamed: list[int] = []
    before = await ranks()
    fillers = await Company.filter(code__startswith="F").order_by("id").limit(130)
    for i, company in enumerate(fillers):  # renames land in one gap as well
        await update_company(viewer, company.id, name=f"Gap Renamed {i:04d}")
        after = await ranks()
        renamed.append(sum(1 for c, r in before.items() if after[c] != r and c != company.id))
        before = after
    for run, counts in [*rewritten.items(), ("renamed", renamed)]:
        assert max(counts) <= 2 * WINDOW + 1, (run, max(counts))
        assert sum(1 for c in counts if c) >= 1, f"{run}: the gap was never used up"
    await assert_in_order_and_indexed()
    token = world.tokens["administrator"]
    assert await found(api, token, "gap co") == await alphabetical_codes("rising-")
    assert await found(api, token, "gap down") == await alphabetical_codes("falling-")


async def test_concurrent_creates_into_one_used_up_gap(api: Api, world: World) -> None:
    await fill(200)
    viewer = await admin()
    await use_up_the_gap("Filler 00100 Twin")
    made = await asyncio.gather(
        *(create_company(viewer, f"Filler 00100 Twin {i:02d}", f"TW{i:02d}") for i in range(30))
    )
    assert len({c.id for c in made}) == 30
    await assert_in_order_and_indexed()
    token = world.tokens["administrator"]
    assert await found(api, token, "filler 00100 twin") == await alphabetical_codes("TW")


async def crowd(count: int, spacing: int) -> list[int]:
    """`count` companies ranked `spacing` apart, as though countless names had landed among
    them, between others ranked as a renumbering leaves them."""
    await fill(count, "Crowd")
    await import_companies([{"code": f"G{i:03d}", "name": f"Dense {i:03d}"} for i in range(200)])
    ids = [c.id for c in await Company.filter(code__startswith="F").order_by("name_key", "id")]
    start = (await Company.get(id=ids[0])).sort_rank
    await Company.filter(id__in=ids).update(sort_rank=None)
    for i, company_id in enumerate(ids):
        await Company.filter(id=company_id).update(sort_rank=start + i * spacing)
    return ids


async def test_a_crowded_stretch_is_spread_out_in_the_background(api: Api, world: World) -> None:
    ids = await crowd(700, 64)
    viewer = await admin()
    await use_up_the_gap("Crowd 00350 New")
    before = await ranks()
    made = await create_company(viewer, "Crowd 00350 New", "NEW")
    after = await ranks()
    # The request respaced no more than its window (leaving under ROOM, it asked for more).
    assert 0 < sum(1 for c, r in before.items() if after[c] != r) <= 2 * WINDOW + 1
    await rank_spread.settled()
    # Around it now, as far as a request's window reaches, room for many more.
    ranked = await Company.all().order_by("sort_rank").values_list("id", "sort_rank")
    at = [company_id for company_id, _ in ranked].index(made.id)
    nearby = [rank for _, rank in ranked[at - WINDOW : at + WINDOW + 1]]
    assert min(b - a for a, b in zip(nearby, nearby[1:], strict=False)) >= SPREAD_ROOM
    await assert_in_order_and_indexed()
    crowded = await Company.filter(id__in=[*ids, made.id]).order_by("name_key", "id")
    assert await found(api, world.tokens["administrator"], "crowd 0035") == [
        c.code for c in crowded if c.name.startswith("Crowd 0035")
    ]


async def test_where_no_window_has_room_a_wider_one_is_respaced(world: World) -> None:
    await crowd(700, 1)
    before = await ranks()
    await create_company(await admin(), "Crowd 00350 New", "NEW")
    after = await ranks()
    assert 2 * WINDOW + 1 < sum(1 for c, r in before.items() if after[c] != r)
    assert sum(1 for c, r in before.items() if after[c] != r) <= 2 * LAST_RESORT + 1
    await rank_spread.settled()
    await assert_in_order_and_indexed()


async def test_spreading_gives_way_to_requests_and_leaves_order_behind(world: World) -> None:
    ids = await crowd(600, 64)
    viewer = await admin()
    point = (await Company.get(id=ids[300])).sort_rank
    await asyncio.gather(
        rank_spread.spread(point),
        *(create_company(viewer, f"Crowd 00{300 + i} Meanwhile", f"MW{i}") for i in range(20)),
    )
    await rank_spread.settled()
    await assert_in_order_and_indexed()


async def test_neighbours_are_read_as_index_ranges(world: World) -> None:
    await fill(300)
    await import_companies([{"code": f"SAME{i}", "name": "Filler 00150"} for i in range(50)])
    async with in_transaction() as conn:
        sql = Sql(conn)
        query = neighbours_query(sql, "filler 00150", 200, 2)
        if is_postgres(conn):
            # Nothing else available: each range must come from the index in its order.
            await conn.execute_script(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; "
                "SET LOCAL enable_sort = off"
            )
            rows = await conn.execute_query_dict(f"EXPLAIN {query}", sql.params)
            plan = "\n".join(r["QUERY PLAN"] for r in rows)
            assert "Sort" not in plan and "Seq Scan" not in plan, plan
            assert plan.count("Index Scan") == 4, plan
        else:
            rows = await conn.execute_query_dict(f"EXPLAIN QUERY PLAN {query}", sql.params)
            steps = [r["detail"] for r in rows if "company" in r["detail"]]
            assert len(steps) == 4, steps
            assert all(s.startswith("SEARCH company USING INDEX") for s in steps), steps
            # The namesakes are a range of (name_key, id), not read through one by one.
            assert sum("(name_key=? AND id" in s for s in steps) == 2, steps
            assert not any("TEMP B-TREE" in s or "MULTI-INDEX" in s for s in steps), steps


def test_the_benchmark_runs_from_the_root() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "bench.company_writes", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
