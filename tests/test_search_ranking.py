"""The typeahead's ranking, against a plain Python reading of the rule, on many companies."""

from __future__ import annotations

import random

import pytest

from domain.companies import search_keys
from domain.company_import import import_companies
from domain.ranks import GAP, renumber, repair_if_needed
from domain.text import code_key, words
from persistence.tables import Company
from testkit.operations import ROLE_SEARCH
from tests.conftest import Api, World

PAGE = """query($search: String!, $after: String) {
  companies(search: $search, first: 7, after: $after) {
    edges { node { code } } pageInfo { hasNextPage endCursor } } }"""
VOCABULARY = [
    "Acme",
    "Acorn",
    "Ace",
    "Supplies",
    "Supreme",
    "Zürich",
    "Zulu",
    "Office",
    "Offshore",
    "Müller",
    "Mueller",
    "Ltd",
    "GmbH",
    "S.A.",
    "and",
    "Sons",
    "A/S",
    "Łódź",
    "Ørsted",
    "Øresund",
    "Łąka",
    "Muller",
    "Bäcker",
    "Öl",
    "Straße",
]


def expected(companies: list[tuple[int, str, str]], typed: str) -> list[str]:
    """Exact code, then name prefix (of either reading of the name), then every typed word a
    word prefix (of either reading); alphabetical."""
    tokens = list(dict.fromkeys(words(typed)))
    phrase = " ".join(tokens)
    tiers: dict[int, list[tuple[str, int, str]]] = {0: [], 1: [], 2: []}
    for company_id, name, code in companies:
        keys = search_keys(name, code)
        key = (keys.name_key, company_id, code)
        company_words = keys.search_text.split()
        readings = [keys.name_key, keys.german_name_key or keys.name_key]
        if tokens and code_key(code) == code_key(typed):
            tiers[0].append(key)
        elif any(r.startswith(phrase) for r in readings):
            tiers[1].append(key)
        elif tokens and all(any(w.startswith(t) for w in company_words) for t in tokens):
            tiers[2].append(key)
    return [code for tier in (0, 1, 2) for _, _, code in sorted(tiers[tier])]


async def every_page(api: Api, token: str, typed: str) -> list[str]:
    codes, after = [], None
    while True:
        body = await api(PAGE, {"search": typed, "after": after}, token)
        page = body["data"]["companies"]
        codes += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return codes
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
async def many(world: World) -> list[tuple[int, str, str]]:
    rng = random.Random(5)
    rows = [
        {
            "code": f"K{i:04d}",
            "name": " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 4))),
        }
        for i in range(400)
    ]
    rows.append({"code": "ACME-1", "name": "Zulu Office"})
    await import_companies(rows)
    return [(c.id, c.name, c.code) for c in await Company.all()]


async def test_ranking_and_paging_match_the_rule(api: Api, world: World, many) -> None:
    token = world.tokens["administrator"]
    for typed in [
        "ac",
        "acme",
        "a",
        "s",
        "su of",
        "zu",
        "mu",
        "mü",
        "of l",
        "a s",
        "acme-1",
        "k0001",
        "sons ltd",
        "x",
        "gmbh and",
        "lodz",
        "orsted",
        "oresund",
        "laka",
        "mueller",
        "muller",
        "mue",
        "muel",
        "baecker",
        "oel",
        "ö",
        "strasse",
        "sons mueller",
    ]:
        assert await every_page(api, token, typed) == expected(many, typed), typed


async def test_a_scoped_viewer_gets_the_same_ranking_of_their_companies(
    api: Api, world: World, many
) -> None:
    from persistence.tables import Staff, StaffCompany

    crm = await Staff.get(email="crmcompanyedit@supplier.example")
    assigned = [c for c in many if c[0] % 3 == 0]
    for company_id, _, _ in assigned:
        await StaffCompany.get_or_create(staff=crm, company_id=company_id)
    assigned += [c for c in many if c[2] == "ACME" and c not in assigned]
    token = world.tokens["crmCompanyEdit"]
    for typed in ["ac", "s", "su of", "mü", "a s", "k0003", "mueller", "oel", "lodz"]:
        assert await every_page(api, token, typed) == expected(assigned, typed), typed


async def test_renames_and_new_companies_keep_their_place(api: Api, world: World, many) -> None:
    from domain.access import Viewer
    from domain.companies import create_company, update_company
    from persistence.tables import Staff

    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    # Many names squeezed between two neighbours use up the gap: a window is respaced.
    for i in range(30):
        await create_company(admin, "Acme " + "a" * (30 - i), f"SQ{i}")
    first = await Company.get(code="K0001")
    await update_company(admin, first.id, name="Aaaa Acme Renamed")
    companies = [(c.id, c.name, c.code) for c in await Company.all()]
    token = world.tokens["administrator"]
    for typed in ["acme", "a", "renamed", "aa"]:
        assert await every_page(api, token, typed) == expected(companies, typed), typed


async def test_an_interrupted_bulk_load_is_repaired(api: Api, world: World, many) -> None:
    await Company.filter(code__in=["K0001", "K0002"]).update(sort_rank=None)
    await repair_if_needed()
    assert not await Company.filter(sort_rank__isnull=True).exists()
    ranks = await Company.all().order_by("name_key", "id").values_list("sort_rank", flat=True)
    assert ranks == [GAP * (i + 1) for i in range(len(ranks))]
    companies = [(c.id, c.name, c.code) for c in await Company.all()]
    assert await every_page(api, world.tokens["administrator"], "acme") == expected(
        companies, "acme"
    )
    await renumber()


async def test_concurrent_creations_between_the_same_neighbours_all_succeed(
    api: Api, world: World
) -> None:
    import asyncio

    from domain.access import Viewer
    from domain.companies import create_company
    from persistence.tables import Staff

    admin = Viewer(await Staff.get(email="founder@supplier.example"))
    made = await asyncio.gather(
        *(create_company(admin, f"Acme Twin {i:02d}", f"TW{i:02d}") for i in range(12))
    )
    assert len({c.sort_rank for c in made}) == 12
    companies = [(c.id, c.name, c.code) for c in await Company.all()]
    assert await every_page(api, world.tokens["administrator"], "acme tw") == expected(
        companies, "acme tw"
    )


async def test_roles_are_found_by_every_word_of_name_and_description(
    api: Api, world: World
) -> None:
    token = world.tokens["companyEdit"]

    async def found(typed: str) -> list[str]:
        body = await api(ROLE_SEARCH, {"search": typed}, token)
        return [r["name"] for r in body["data"]["roles"]]

    # A word of the camelCase name, not only its start.
    assert await found("admin") == ["companyAdmin"]
    assert await found("USER") == ["punchoutUser", "companyAdmin"]  # "users" described
    # The name's start first, then a word of the name, then of the description.
    assert await found("viewer") == ["viewer", "invoiceViewer"]
    assert await found("compa") == ["companyAdmin", "approver", "invoiceViewer"]
    assert await found("company admin") == ["companyAdmin"]
    assert await found("orders") == ["approver", "buyer"]
    assert await found("invoices") == ["invoiceViewer"]
    assert await found("mänages") == ["companyAdmin"]  # accents folded as everywhere
    assert await found("admin orders") == []
    assert await found("!!!") == []
