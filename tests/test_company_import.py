"""The bulk import (domain.company_import) on SQLite and PostgreSQL: the ranks of a fresh import
from one sort, an import merged into the companies already there (in their gaps, or every
company renumbered), the typeahead finding what was imported, and bad rows skipped with their
line while every good row goes in."""

from __future__ import annotations

from datetime import timedelta

from domain.company_import import Reject, import_companies
from domain.import_ranks import MIN_STEP
from domain.ranks import GAP
from domain.signin import issue_token
from persistence.tables import Company, Staff
from testkit.operations import COMPANY_SEARCH
from tests.conftest import Api, World

# Words that repeat (and fold: Müller -> muller and mueller), so that names tie and the id
# decides among them; names start with one of the first two only.
WORDS = ["Acme", "Zulu", "Müller", "Mueller", "Office", "Łódź", "Supplies", "Öl", "Ltd"]


def rows(count: int, prefix: str) -> list[dict[str, str | None]]:
    return [
        {
            "code": f"{prefix}{i:05d}",
            "name": " ".join([WORDS[i % 2]] + [WORDS[2 + (i * k) % 7] for k in (3, 5)[: i % 3]]),
        }
        for i in range(count)
    ]


async def ranked() -> list[Company]:
    return await Company.all().order_by("sort_rank")


def alphabetical(companies: list[Company]) -> list[int]:
    return [c.id for c in sorted(companies, key=lambda c: (c.name_key, c.id))]


async def names(api: Api, token: str, search: str) -> list[str]:
    body = await api(COMPANY_SEARCH, {"search": search}, token)
    return [e["node"]["code"] for e in body["data"]["companies"]["edges"]]


def first_ten(companies: list[Company], word: str) -> list[str]:
    """What the typeahead lists for the start of a word that starts no name and no code: the
    companies with a word starting with it, alphabetically."""
    hits = [c for c in companies if any(w.startswith(word) for w in c.search_text.split())]
    return [c.code for c in sorted(hits, key=lambda c: (c.name_key, c.id))][:10]


async def test_a_fresh_import_is_ranked_by_one_sort_and_found(
    db: str, api: Api, password_hash: str
) -> None:
    given = rows(500, "F")
    report = await import_companies(given)
    assert report.imported == 500 and report.skipped_total == 0
    companies = await ranked()
    # One sort: GAP, 2 GAP, 3 GAP... in (name_key, id) order, no halved gaps.
    assert [c.sort_rank for c in companies] == [GAP * n for n in range(1, 501)]
    assert [c.id for c in companies] == alphabetical(companies)
    # Ids follow the rows, so that equal names keep the file's order.
    by_code = {c.code: c.id for c in companies}
    assert [by_code[r["code"]] for r in given] == sorted(by_code.values())
    staff = await Staff.create(
        email="importer@supplier.example", password_hash=password_hash, is_administrator=True
    )
    token = await issue_token(staff, timedelta(hours=1))
    for word in ("mue", "muel", "lod", "ol", "supp", "lt"):
        assert await names(api, token, word) == first_ten(companies, word), word
    assert await names(api, token, "F00042") == ["F00042"]
    acme = [c.code for c in companies if c.name_key.startswith("acme")]
    assert await names(api, token, "acme") == acme[:10]


async def test_an_import_fits_new_companies_into_the_gaps_of_those_there(
    world: World, api: Api
) -> None:
    before = {c.id: c.sort_rank for c in await Company.all()}  # ACME and GLOBEX, created
    given = [
        *rows(40, "M"),
        {"code": "AAA1", "name": "Aaa First"},
        {"code": "ZZZ1", "name": "Zzz Last"},
        {"code": "acme", "name": "A Duplicate Of ACME's Code"},
    ]
    report = await import_companies(given)
    assert report.imported == 42 and dict(report.skipped) == {"duplicate code": 1}
    companies = await ranked()
    assert {c.id: c.sort_rank for c in companies if c.id in before} == before  # not moved
    assert [c.id for c in companies] == alphabetical(companies)
    assert len({c.sort_rank for c in companies}) == len(companies)
    token = world.tokens["administrator"]
    for word in ("mu", "ol", "supp"):
        assert await names(api, token, word) == first_ten(companies, word), word
    assert await names(api, token, "zzz") == ["ZZZ1"]
    assert await names(api, token, "globex") == ["GLOBEX"]
    # The created ACME among the imported names that start alike, alphabetically (then the
    # names that only hold both words).
    acme = [c.code for c in companies if c.name_key.startswith("acme s")]
    assert "ACME" in acme and (await names(api, token, "acme s"))[: len(acme)] == acme


async def test_an_import_that_does_not_fit_its_gap_renumbers_every_company(
    world: World, api: Api
) -> None:
    # Between "acme supplies ltd" and "globex corporation" there is one GAP: more new names
    # than GAP / MIN_STEP cannot be spread over it.
    count = GAP // MIN_STEP + 10
    given = [{"code": f"B{i:05d}", "name": f"Bravo {i:05d}"} for i in range(count)]
    report = await import_companies(given)
    assert report.imported == count
    companies = await ranked()
    assert [c.sort_rank for c in companies] == [GAP * n for n in range(1, count + 3)]
    assert [c.id for c in companies] == alphabetical(companies)
    token = world.tokens["administrator"]
    assert await names(api, token, "acme") == ["ACME"]
    assert await names(api, token, "globex") == ["GLOBEX"]
    assert await names(api, token, "bravo 00017") == ["B00017"]
    assert await names(api, token, "bra") == [f"B{i:05d}" for i in range(10)]
    # Running it again adds nothing, and moves nothing.
    again = await import_companies(given)
    assert again.imported == 0 and dict(again.skipped) == {"duplicate code": count}
    assert [(c.id, c.sort_rank) for c in await ranked()] == [(c.id, c.sort_rank) for c in companies]


async def test_bad_rows_are_skipped_with_their_line_and_never_stored_cut(db: str) -> None:
    # Issue 15, item 16: a 140,000-character field stopped the import, losing the good rows
    # before it; a NUL inside a name was stored cut at the NUL.
    given: list[dict[str, str | None]] = [{"code": f"G{i}", "name": f"Good {i}"} for i in range(11)]
    given += [
        {"code": "HUGE", "name": "x" * 140_000},
        {"code": "NUL1", "name": "Nul\x00Co"},
        {"code": "G3", "name": "Repeated"},
        {"code": "", "name": "No Code"},
        {"code": "LAST", "name": "Last Good"},
    ]
    rejects: list[Reject] = []
    report = await import_companies(given, on_reject=rejects.append)
    assert report.imported == 12
    assert [(r.line, r.code, r.reason) for r in rejects] == [
        (12, "HUGE", "name: A company name has at most 255 characters."),
        (13, "NUL1", "name: A company name may not hold control characters."),
        (14, "G3", "duplicate code"),
        (15, "", "code: A company code has 1-64 characters: letters, digits, '.', '_', '-', '/'."),
    ]
    assert len(rejects[0].name) == 200  # what a report shows of it
    stored = {c.code: c.name for c in await Company.all()}
    assert set(stored) == {f"G{i}" for i in range(11)} | {"LAST"}
    assert not [n for n in stored.values() if n.startswith("Nul") or "\x00" in n]
