"""Alphabetical ranks for a bulk load (domain.company_import), from one sort.

A company's rank is its place in (name_key, id) order, with gaps (domain.ranks). The new
companies are sorted once; into an empty table they get GAP, 2 GAP, 3 GAP... in that order.
Into a table with companies, the sorted new ones are merged with the present ones (read in
rank order): each run of new companies between two present neighbours is spread evenly over
the gap between their ranks, and the present ones keep theirs. Where a run does not fit with
at least MIN_STEP between ranks (or the present ranks are not in order), every company is
numbered afresh from the merged order instead, and the present ones move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.ranks import GAP

MIN_STEP = 1 << 10  # ten halvings left between two imported neighbours for later creations


@dataclass
class BulkRanks:
    new: list[int]  # the rank of each new company, in the order given
    order: list[int]  # the new companies' positions in rank order
    moves: list[tuple[int, int]] = field(default_factory=list)  # (id, rank) of present ones

    @property
    def renumbered(self) -> bool:
        return bool(self.moves)


def bulk_ranks(
    present: Sequence[tuple[str, int, int | None]], name_keys: Sequence[str]
) -> BulkRanks:
    """Ranks for new companies, given by name key in the order of their ids (which are above
    every present id), among the `present` ones, given as (name_key, id, sort_rank) in
    (name_key, id) order."""
    # One sort: by name key, and by id among equal keys (the ids ascend with the position).
    order = sorted(range(len(name_keys)), key=name_keys.__getitem__)
    ranks = [0] * len(name_keys)
    if not present:
        for place, i in enumerate(order, start=1):
            ranks[i] = place * GAP
        return BulkRanks(ranks, order)
    if _fit_in_gaps(present, name_keys, order, ranks):
        return BulkRanks(ranks, order)
    return _renumbered(present, name_keys, order)


def _fit_in_gaps(
    present: Sequence[tuple[str, int, int | None]],
    name_keys: Sequence[str],
    order: list[int],
    ranks: list[int],
) -> bool:
    """Spread each run of new companies over the gap it falls in; False where one does not
    fit (or a present rank is missing or out of order)."""
    low, at = 0, 0
    run: list[int] = []
    for i in order:
        key = name_keys[i]
        # Present companies of the same name come first: their ids are lower.
        while at < len(present) and present[at][0] <= key:
            high = present[at][2]
            if high is None or high <= low or not _spread(run, low, high, ranks):
                return False
            low, at, run = high, at + 1, []
        run.append(i)
    for _, _, high in present[at:]:
        if high is None or high <= low or not _spread(run, low, high, ranks):
            return False
        low, run = high, []
    return _spread(run, low, None, ranks)


def _spread(run: list[int], low: int, high: int | None, ranks: list[int]) -> bool:
    if not run:
        return True
    step = GAP if high is None else (high - low) // (len(run) + 1)
    if step < MIN_STEP:
        return False
    for n, i in enumerate(run, start=1):
        ranks[i] = low + n * step
    return True


def _renumbered(
    present: Sequence[tuple[str, int, int | None]],
    name_keys: Sequence[str],
    order: list[int],
) -> BulkRanks:
    """Every company numbered afresh from one merged order."""
    ranks = [0] * len(name_keys)
    moves: list[tuple[int, int]] = []
    at, place = 0, 0
    for i in order:
        while at < len(present) and present[at][0] <= name_keys[i]:
            place += 1
            moves.append((present[at][1], place * GAP))
            at += 1
        place += 1
        ranks[i] = place * GAP
    for _, company_id, _ in present[at:]:
        place += 1
        moves.append((company_id, place * GAP))
    return BulkRanks(ranks, order, moves)
