"""No single staff request holds the database for long (issue 15, item 4), shown by what a
request writes rather than by a clock: at a few thousand companies, company writes driven into
one gap until it is used up, again and again (names falling into it, namesakes after each
other, renames), each rewrite at most a window of ranks, however many companies there are; and
where no window has room, at most the last resort's. Before, every ~21st such create renumbered
every company (2.5-5.9 s at 100,000, with /healthz waiting behind it). On SQLite and
PostgreSQL, in process: each write's changed ranks are counted from before and after."""

from __future__ import annotations

import time

from domain import rank_spread
from domain.access import Viewer
from domain.companies import create_company, update_company
from domain.company_import import import_companies
from domain.rank_windows import WINDOW
from domain.ranks import LAST_RESORT
from persistence.tables import Company, Staff
from tests.conftest import World

COMPANIES = 3_000


async def ranks() -> dict[int, int | None]:
    return dict(await Company.all().values_list("id", "sort_rank"))


async def in_order() -> bool:
    rows = await Company.all().order_by("name_key", "id").values_list("sort_rank", flat=True)
    return None not in rows and all(a < b for a, b in zip(rows, rows[1:], strict=False))


async def test_company_writes_into_one_gap_rewrite_a_bounded_window(world: World) -> None:
    await import_companies(
        [{"code": f"S{i:05d}", "name": f"Scale {i:05d}"} for i in range(COMPANIES)]
    )
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    scaled = await Company.filter(code__startswith="S").order_by("id").limit(150)
    runs = {
        # each name goes just before the one made before it: one gap, ever smaller
        "falling": [("create", f"Scale 01500 Wedge {i:04d}") for i in range(300, 0, -1)],
        # each goes after its namesakes: the same gap again
        "namesakes": [("create", "Scale 02200")] * 300,
        # companies renamed into one gap
        "renamed": [("rename", f"Scale 00700 Moved {i:04d}") for i in range(150)],
    }
    rewritten: dict[str, list[int]] = {}
    slowest = 0.0
    for run, writes in runs.items():
        rewritten[run] = []
        before = await ranks()
        for i, (kind, name) in enumerate(writes):
            started = time.perf_counter()
            if kind == "create":
                made = await create_company(viewer, name, f"{run[:2].upper()}{i:04d}")
                moved_self = made.id
            else:
                await update_company(viewer, scaled[i].id, name=name)
                moved_self = scaled[i].id
            slowest = max(slowest, time.perf_counter() - started)
            after = await ranks()
            rewritten[run].append(
                sum(1 for c, r in before.items() if c != moved_self and after.get(c) != r)
            )
            before = after
    await rank_spread.settled()
    assert len(await ranks()) >= COMPANIES + 600
    for run, counts in rewritten.items():
        # The gap was used up, and respaced, in every run...
        assert any(counts), (run, counts)
        # ...each time a window of neighbours, never every company: at most 2 x 128 + 1 of
        # the 3,600 ranks, whatever their number.
        assert max(counts) <= 2 * WINDOW + 1, (run, max(counts))
    assert await in_order()
    print(f"slowest company write at {COMPANIES:,} companies: {slowest * 1000:.0f} ms")


async def test_where_no_window_has_room_the_last_resort_is_bounded_too(world: World) -> None:
    await import_companies(
        [{"code": f"S{i:05d}", "name": f"Scale {i:05d}"} for i in range(COMPANIES)]
    )
    # Half of them, around where the new name goes, each ranked next to the one before: no
    # room within a window (as before the background spreading reaches a crowded stretch).
    ordered = [c.id for c in await Company.all().order_by("name_key", "id")]
    crowded = ordered[len(ordered) // 4 : len(ordered) * 3 // 4]
    start = (await Company.get(id=crowded[0])).sort_rank
    await Company.filter(id__in=crowded).update(sort_rank=None)
    for offset, company_id in enumerate(crowded):
        await Company.filter(id=company_id).update(sort_rank=start + offset)
    viewer = Viewer(await Staff.get(email="founder@supplier.example"))
    before = await ranks()
    made = await create_company(viewer, "Scale 01500 Squeezed", "SQUEEZED")
    after = await ranks()
    changed = sum(1 for c, r in before.items() if after[c] != r)
    # More than a window (none had room), at most the last resort's: not even the whole
    # crowded stretch, let alone every company.
    assert 2 * WINDOW + 1 < changed <= 2 * LAST_RESORT + 1, changed
    assert changed < len(crowded) < COMPANIES
    assert made.id in after
    await rank_spread.settled()
    assert await in_order()
