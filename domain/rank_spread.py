"""Spreading out a crowded stretch of ranks in the background, in short batches.

A request respaces at most a few hundred neighbours (domain.ranks). Names that keep landing
in the middle of one stretch (not at its ends) can crowd it until no such window has room;
long before that, the request that found it tight asks for this. The task finds the smallest
stretch around the point that holds room enough (SPREAD_ROOM between ranks), respaces it
evenly, and writes it BATCH rows a transaction, each under the placement lock: requests run
between batches, and none waits for more than one batch.

Requests may create or rename companies inside the stretch meanwhile. Each batch first reads
the ranks it is about to cross: if any is not what the plan expects, the plan is dropped and
made again from what is there now. Every batch keeps the ranks unique and in order, so
stopping anywhere (a conflict, a shutdown) leaves a correct order behind.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Sequence

from tortoise.transactions import in_transaction

from domain import rank_store
from domain.rank_windows import GAP, WINDOW, Around, Window, respace
from persistence.search_corpus import COMPANIES, Corpus

log = logging.getLogger("opsportal.ranks")

SPREAD_ROOM = GAP >> 4  # the room the stretch is respaced to
BATCH = 200  # rows a transaction
REACH = 1 << 17  # rows a side the task looks at, at most
ATTEMPTS = 3  # plans made again after a request changed the stretch

_points: list[tuple[int, Corpus]] = []
_task: asyncio.Task[None] | None = None


def spread_later(point: int, corpus: Corpus = COMPANIES) -> None:
    """Ask for the stretch around rank `point` to be spread out, once the caller's
    transaction has ended (the task's first batch waits for the placement lock)."""
    global _task
    _points.append((point, corpus))
    if _task is None or _task.done():
        # A context of its own: the caller's holds its transaction's connection (tortoise
        # keeps it in a context variable), which a task started here would otherwise share.
        _task = asyncio.get_running_loop().create_task(_run(), context=contextvars.Context())


async def settled() -> None:
    """Wait until every spreading asked for so far has finished."""
    while _task is not None and not _task.done():
        await asyncio.wait({_task})


async def stop() -> None:
    """Cancel the spreading (at shutdown): what is written so far is in order."""
    _points.clear()
    if _task is not None and not _task.done():
        _task.cancel()
        try:
            await _task
        except asyncio.CancelledError:
            pass


async def _run() -> None:
    while _points:
        point, corpus = _points.pop()
        try:
            await spread(point, corpus)
        except asyncio.CancelledError:
            raise
        except Exception:  # the next crowded placement asks again; the server goes on
            log.exception("spreading the ranks around %d stopped", point)


async def spread(point: int, corpus: Corpus = COMPANIES) -> bool:
    """Spread out the stretch around rank `point`; False if requests kept changing it."""
    async with in_transaction() as conn:
        await rank_store.lock(conn, corpus)  # the asking request's transaction has ended
    for _ in range(ATTEMPTS):
        window = await _plan(point, corpus)
        if window is None or not window.moves:
            return True
        if await _write(window.moves, corpus):
            return True
    log.warning("spreading the ranks around %d gave way to requests %d times", point, ATTEMPTS)
    return False


def _sizes(reach: int) -> list[int]:
    """At least WINDOW rows a side (a request's reach), doubling; a size past a side's last
    row means the whole side (domain.rank_windows)."""
    sizes, size = [], WINDOW
    while size <= reach:
        sizes.append(size)
        size *= 2
    return sizes


async def _plan(point: int, corpus: Corpus) -> Window | None:
    reach = 4 * WINDOW
    while True:
        before = await rank_store.side_by_rank(point, down=True, count=reach + 1, corpus=corpus)
        after = await rank_store.side_by_rank(point, down=False, count=reach + 1, corpus=corpus)
        around = Around(before, after, len(before) <= reach, len(after) <= reach)
        if _roomy(around):
            return None
        window = respace(around, SPREAD_ROOM, _sizes(reach), insert=False)
        ends = around.before_all and around.after_all
        if (window and window.spacing >= SPREAD_ROOM) or ends or reach >= REACH:
            return window
        reach *= 4


def _roomy(around: Around) -> bool:
    """Whether a request's window here already finds SPREAD_ROOM: nothing to do."""
    nearby = respace(around, SPREAD_ROOM, (WINDOW,), insert=False)
    return nearby is not None and nearby.spacing >= SPREAD_ROOM


async def _write(moves: Sequence[tuple[int, int, int]], corpus: Corpus) -> bool:
    """Apply the plan BATCH moves a transaction; False (and stop) where a request has changed
    the ranks a batch would cross."""
    expected = {company_id: old for company_id, old, _ in moves}
    for start in range(0, len(moves), BATCH):
        batch = moves[start : start + BATCH]
        low = min(min(old, new) for _, old, new in batch)
        high = max(max(old, new) for _, old, new in batch)
        async with in_transaction() as conn:
            await rank_store.lock(conn, corpus)
            found = await rank_store.ranks_between(conn, low, high, 4 * BATCH + 1, corpus)
            unchanged = len(found) <= 4 * BATCH and all(
                expected.get(company_id) == rank for company_id, rank in found.items()
            )
            if not unchanged or any(found.get(c) != old for c, old, _ in batch):
                return False
            await rank_store.move(conn, batch, corpus)
        expected.update((company_id, new) for company_id, _, new in batch)
        await asyncio.sleep(0)  # let waiting requests in between batches
    return True
