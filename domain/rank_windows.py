"""Where a rank goes, computed from a few neighbours' ranks: no database here (domain.ranks
reads the neighbours and writes the result).

Ranks are integers in (name_key, id) order with gaps. A new rank normally splits the gap
between its two neighbours; when the gap is used up, a small window of neighbours around it
is respaced evenly (the smallest window that leaves room enough, at most WINDOW rows a side).
The rows of a window are rewritten in an order that keeps every rank unique and in order after
each single update, so that no statement ever meets the unique index half way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GAP = 1 << 20  # between neighbours after a renumbering: twenty halvings of room
ROOM = GAP >> 8  # a respaced window leaves at least this between neighbours, if it can
WINDOW = 128  # rows a side a request may respace: at most 2 * WINDOW + 1 ranks change
# Window sizes tried on each side (both sides' combinations; the smallest sum that leaves ROOM).
SIZES = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)


def split(low: int, high: int, left: int | None, right: int | None) -> int:
    """A rank strictly between `low` and `high` (high - low >= 2). `left` is the gap before
    `low` (None: `low` is the start, 0) and `right` the gap after `high` (None: no row
    after it, room without limit).

    Names often arrive in order (a series "Gap Co 0001", "Gap Co 0002"..., or the same name
    again: it goes after its namesakes). Halving would use a gap up in twenty steps; where the
    gap before is much tighter than the one after (a series growing to the right), the new rank
    takes an eighth and leaves the rest for the next one, and the mirror image likewise."""
    gap = high - low
    if left is None:  # against the start of the order: only a series coming down gets here
        cut = gap - gap // 8
    elif right is None or right >= 2 * max(left, gap):
        cut = gap // 8
    elif left >= 2 * max(right, gap):
        cut = gap - gap // 8
    else:
        cut = gap // 2
    return low + min(max(cut, 1), gap - 1)


@dataclass(frozen=True)
class Window:
    """The rows to respace around a point: `moves` are (id, old rank, new rank) in the order
    to apply them, `rank` is the new company's (None: none is placed), `spacing` the room
    left between neighbours."""

    moves: tuple[tuple[int, int, int], ...]
    rank: int | None
    spacing: int


@dataclass(frozen=True)
class Around:
    """Neighbours' (id, rank), nearest first: `before` in descending and `after` in ascending
    rank; `*_all` says no further row exists on that side."""

    before: Sequence[tuple[int, int]]
    after: Sequence[tuple[int, int]]
    before_all: bool
    after_all: bool


def _window(around: Around, a: int, b: int, slots: int) -> tuple[int, int, int, int] | None:
    """(rows before, rows after, low bound, spacing) for respacing `a` rows before and `b`
    after and `slots` more (the new company), or None if the rows known do not reach."""
    before, after = around.before, around.after
    # Beyond the last row of a side that has no more: the whole side (to 0, or without limit).
    if a > len(before) and around.before_all:
        a = len(before)
    if b > len(after) and around.after_all:
        b = len(after)
    if a > len(before) or (a == len(before) and not around.before_all):
        return None
    if b > len(after) or (b == len(after) and not around.after_all):
        return None
    low = before[a][1] if a < len(before) else 0
    if b == len(after):  # nothing beyond: ranks continue past the last row
        return a, b, low, GAP
    return a, b, low, (after[b][1] - low) // (a + b + slots + 1)


def respace(
    around: Around, room: int = ROOM, sizes: Sequence[int] = SIZES, *, insert: bool = True
) -> Window | None:
    """The smallest window whose even respacing leaves `room` between ranks (with a place for
    a new company in the middle, if `insert`); failing that, the one leaving the most room;
    None if no window within `sizes` leaves any."""
    found = {
        window
        for a in sizes
        for b in sizes
        if (window := _window(around, a, b, int(insert))) is not None
    }
    roomy = [f for f in found if f[3] >= room]
    if roomy:  # the fewest rows, then the most room
        a, b, low, spacing = min(roomy, key=lambda f: (f[0] + f[1], -f[3]))
    elif found:  # the most room, then the fewest rows
        a, b, low, spacing = max(found, key=lambda f: (f[3], -f[0] - f[1]))
    else:
        return None
    if spacing < 2:
        return None
    middle: list[tuple[int, int] | None] = [None] if insert else []
    rows = [*reversed(around.before[:a]), *middle, *around.after[:b]]
    ranks = [low + spacing * (i + 1) for i in range(len(rows))]
    moves = [(row[0], row[1], new) for row, new in zip(rows, ranks, strict=True) if row]
    return Window(safe_order(moves), ranks[a] if insert else None, spacing)


def safe_order(moves: Sequence[tuple[int, int, int]]) -> tuple[tuple[int, int, int], ...]:
    """Rows that move up, the highest first, then rows that move down, the lowest first: when
    old and new ranks are each in the same order, every state in between is in order too (a
    row moving up only passes into room its upper neighbour has left, and so on down), so
    ranks stay unique after each single update. Unmoved rows are left out."""
    up = sorted((m for m in moves if m[2] > m[1]), key=lambda m: -m[1])
    down = sorted((m for m in moves if m[2] < m[1]), key=lambda m: m[1])
    return (*up, *down)
