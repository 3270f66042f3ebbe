"""Where a rank goes (domain.rank_windows), without a database: splitting a gap, choosing the
window to respace, and the order that keeps ranks unique while it is rewritten."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from domain.rank_windows import GAP, ROOM, WINDOW, Around, respace, safe_order, split


def test_a_gap_is_halved_unless_a_series_is_running_through_it() -> None:
    assert split(0, 1000, 1000, 1000) == 500
    # Tight below, wide above: names arriving in order; the next one will come above.
    assert split(1000, 1500, 100, 5000) == 1000 + 500 // 8
    # The mirror image: a series coming down.
    assert split(1000, 1500, 5000, 100) == 1500 - 500 // 8
    # The last company above: room without limit; nothing below but 0: a series coming down.
    assert split(1000, 1500, 1000, None) == 1000 + 500 // 8
    assert split(0, 1500, None, 1000) == 1500 - 1500 // 8
    for low, high in [(0, 2), (5, 7), (5, 8), (10, 12)]:
        assert low < split(low, high, 1, 10**6) < high
        assert low < split(low, high, 10**6, 1) < high


def test_the_smallest_window_with_room_is_respaced() -> None:
    # Neighbours one apart, then the usual gaps: one row above moved is enough.
    around = Around([(1, 100)], [(2, 101), (3, 101 + GAP), (4, 101 + 2 * GAP)], False, False)
    window = respace(around)
    assert window is not None and window.rank is not None and window.spacing >= ROOM
    assert [m[0] for m in window.moves] == [2]
    assert 100 < window.rank < window.moves[0][2] < 101 + GAP


def test_at_the_end_the_rows_beyond_go_without_limit() -> None:
    around = Around([(1, 100)], [(2, 101), (3, 102)], False, True)
    window = respace(around)
    assert window is not None and window.spacing == GAP
    assert window.rank == 100 + GAP
    assert [(m[0], m[2]) for m in window.moves] == [(3, 100 + 3 * GAP), (2, 100 + 2 * GAP)]


def test_no_room_within_reach_is_none() -> None:
    before = [(i, 1000 - i) for i in range(WINDOW + 1)]
    after = [(1000 + i, 1001 + i) for i in range(WINDOW + 1)]
    assert respace(Around(before, after, False, False)) is None


@given(st.data())
def test_a_window_is_rewritten_in_an_order_that_keeps_ranks_unique(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 30))
    distinct = st.lists(st.integers(1, 200), min_size=count, max_size=count, unique=True)
    old, new = sorted(data.draw(distinct)), sorted(data.draw(distinct))
    moves = [(i, o, n) for i, (o, n) in enumerate(zip(old, new, strict=True))]
    state = {i: o for i, o, _ in moves}
    for company_id, was, becomes in safe_order(moves):
        assert state[company_id] == was
        state[company_id] = becomes
        ranks = [state[i] for i in range(count)]
        assert ranks == sorted(set(ranks)), "a rank met another or left the order"
    assert [state[i] for i in range(count)] == new


def simulate(pattern: str, inserts: int) -> list[int]:
    """Insert into a renumbered list as domain.ranks does; the rows moved by each insert."""
    rng = random.Random(3)
    ranks = [GAP * (i + 1) for i in range(2000)]
    ids = list(range(2000))
    first = last = 1000  # the inserted names lie between these positions
    moved: list[int] = []
    for n in range(inserts):
        i = {"rising": last, "falling": first, "anywhere": rng.randint(first, last)}[pattern]
        low = ranks[i - 1] if i else 0
        high = ranks[i]
        if high - low >= 2:
            left = low - (ranks[i - 2] if i > 1 else 0) if i else None
            right = ranks[i + 1] - high if i + 1 < len(ranks) else None
            rank, moves = split(low, high, left, right), ()
        else:
            reach = WINDOW + 1
            before = [(ids[j], ranks[j]) for j in range(i - 1, max(-1, i - 1 - reach), -1)]
            after = [(ids[j], ranks[j]) for j in range(i, min(len(ranks), i + reach))]
            window = respace(Around(before, after, len(before) < reach, len(after) < reach))
            assert window is not None and window.rank is not None
            rank, moves = window.rank, window.moves
            where = {company_id: j for j, company_id in enumerate(ids)}
            for company_id, was, becomes in moves:
                assert ranks[where[company_id]] == was
                ranks[where[company_id]] = becomes
        ranks.insert(i, rank)
        ids.insert(i, 10_000 + n)
        last += 1
        moved.append(len(moves))
        assert ranks[max(0, i - 1) : i + 2] == sorted(set(ranks[max(0, i - 1) : i + 2]))
    assert ranks == sorted(set(ranks)) and ranks[0] > 0
    return moved


def test_series_into_one_gap_respace_rarely_and_little() -> None:
    for pattern in ("rising", "falling"):
        moved = simulate(pattern, 3000)
        respaced = [m for m in moved if m]
        assert len(respaced) < 0.03 * len(moved), (pattern, len(respaced))
        assert max(moved) <= 32, (pattern, max(moved))


def test_names_anywhere_in_one_stretch_never_move_more_than_a_window() -> None:
    moved = simulate("anywhere", 3000)
    assert max(moved) <= 2 * WINDOW + 1
