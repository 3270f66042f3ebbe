"""The cXML requests no customer could be matched to, explained for staff.

Each is stored with its reason (domain.punchout says which identities named no one). When staff
read a page of them, an identity sent that is a few keystrokes from a punchout customer's name
gets "did you mean `...`?": worked out then, for that page only, never while answering the
request (strangers send those; a flood of them must not become a scan of every customer each).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from domain.developer_fields import IDENTITY_SETTING, setting
from domain.errors import Failure
from domain.limits import NAME_MAX
from domain.records import Identities
from persistence.punchout_tables import CxmlExchange
from persistence.sql import Sql

# Identities of one entry that are compared (a document may carry many credentials).
COMPARED_PER_PART = 3
# The most edits an identity may be from a name for it to be suggested: a third of its length
# ("acme-procure" is 4 from "acme-procurement"), at least 1, at most MOST_EDITS.
MOST_EDITS = 6
SENDER, FROM = "Sender", "From"


@dataclass(frozen=True)
class Name:
    """What names a punchout customer in cXML: its username (Sender), or, where its setting
    says From, its buyer identity (else its username)."""

    shown: str  # as stored, in its own case
    key: str  # lower-cased, as authentication compares it
    named_by: str  # SENDER or FROM


async def punchout_names() -> list[Name]:
    """Every punchout customer's cXML name, in one statement."""
    sql = Sql()
    rows = await sql.rows(
        "SELECT c.username, c.username_key, c.buyer_identity, c.buyer_identity_key, "
        "s.value AS named_by FROM customer c LEFT JOIN customer_setting s "
        f"ON s.customer_id = c.id AND s.key = {sql.p(IDENTITY_SETTING)} "
        f"WHERE c.is_punchout = {sql.p(True)} ORDER BY c.username_key"
    )
    names = []
    for row in rows:
        stored = {IDENTITY_SETTING: row["named_by"]} if row["named_by"] else {}
        if setting(stored, IDENTITY_SETTING) == FROM and row["buyer_identity_key"]:
            names.append(Name(row["buyer_identity"], row["buyer_identity_key"], FROM))
        else:
            named_by = FROM if setting(stored, IDENTITY_SETTING) == FROM else SENDER
            names.append(Name(row["username"], row["username_key"], named_by))
    return names


def _most_edits(key: str) -> int:
    return max(1, min(MOST_EDITS, len(key) // 3))


class Directory:
    """The punchout customers' names, to compare identities against (each identity once)."""

    def __init__(self, names: Sequence[Name]) -> None:
        self.names = list(names)
        self.keys = [n.key for n in self.names]
        self.seen: dict[tuple[str, str], tuple[int, Name] | None] = {}

    def nearest(self, sent: str, part: str) -> tuple[int, Name] | None:
        """The name closest to an identity sent as `part` (Sender or From), within a few
        edits, with its distance; a name of the same part wins a tie. An exact match of the
        same part would have been accepted, so it is none."""
        key = sent.strip().lower()
        if (key, part) not in self.seen:
            self.seen[key, part] = self._nearest(key, part)
        return self.seen[key, part]

    def _nearest(self, key: str, part: str) -> tuple[int, Name] | None:
        if not key or len(key) > NAME_MAX:
            return None
        found = process.extract(
            key, self.keys, scorer=Levenshtein.distance, score_cutoff=_most_edits(key), limit=8
        )
        ranked = sorted(
            (int(distance), self.names[index].named_by != part, self.names[index].key, index)
            for _, distance, index in found
            if distance > 0 or self.names[index].named_by != part
        )
        if not ranked:
            return None
        return ranked[0][0], self.names[ranked[0][3]]

    def hint(self, identities: Identities) -> str | None:
        """ "did you mean `...`?" for the identity sent nearest to a customer's name, if any."""
        best: tuple[int, bool, str, Name] | None = None
        for sent, part in _sent(identities):
            found = self.nearest(sent, part)
            if found is not None:
                distance, name = found
                candidate = (distance, name.named_by != part, name.key, name)
                if best is None or candidate[:3] < best[:3]:
                    best = candidate
        if best is None:
            return None
        name = best[3]
        if best[1]:  # the customer is named by the other credential
            return f"did you mean `{name.shown}`, sent as the {name.named_by} identity?"
        return f"did you mean `{name.shown}`?"


def _sent(identities: Identities) -> list[tuple[str, str]]:
    return [(c.identity, SENDER) for c in identities.sender[:COMPARED_PER_PART]] + [
        (c.identity, FROM) for c in identities.from_[:COMPARED_PER_PART]
    ]


def _needs_hint(row: CxmlExchange) -> bool:
    return row.failure == Failure.UNKNOWN_SENDER.name and bool(row.identities)


async def staff_reasons(rows: Iterable[CxmlExchange]) -> dict[int, str]:
    """The reason to show for each entry of a page, by id: the stored one, with a suggestion
    where an identity sent is near a customer's name. Reads the customers' names once, and
    only when the page holds an unknown sender."""
    rows = list(rows)
    reasons = {row.id: row.reason for row in rows if row.reason}
    asking = [row for row in rows if _needs_hint(row)]
    if not asking:
        return reasons
    directory = Directory(await punchout_names())
    for row in asking:
        suggestion = directory.hint(Identities.from_json(row.identities or {}))
        if suggestion:
            stated = (row.reason or Failure.UNKNOWN_SENDER.value).rstrip(". ")
            reasons[row.id] = f"{stated}; {suggestion}"
    return reasons
