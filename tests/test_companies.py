"""The company typeahead and company editing, through HTTP."""

from __future__ import annotations

import pytest

from domain.company_import import import_companies
from persistence.tables import AuditEvent, Company, Staff, StaffCompany
from testkit.operations import COMPANY_SEARCH
from tests.conftest import Api, World, error_codes, global_id

PAGE = """
query($search: String!, $first: Int!, $after: String) {
  companies(search: $search, first: $first, after: $after) {
    edges { node { name code } } pageInfo { hasNextPage endCursor }
  }
}"""
CREATE = """
mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id name code } errors { field code message } }
}"""
UPDATE = """
mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) { company { id name code } errors { field code message } }
}"""


async def names(api: Api, token: str, search: str) -> list[str]:
    body = await api(COMPANY_SEARCH, {"search": search}, token)
    return [e["node"]["name"] for e in body["data"]["companies"]["edges"]]


@pytest.fixture
async def catalogue(world: World) -> str:
    await import_companies(
        [
            {"code": "SUP-1", "name": "Supreme Office Furniture"},
            {"code": "ACME2", "name": "Acme Trading GmbH"},
            {"code": "ZRH", "name": "Zürich Versicherungs AG"},
            {"code": "BLUE", "name": "Blue Sun Corporation"},
            {"code": "ACM", "name": "Zenith Holdings"},
            {"code": "OSTER", "name": "Öster Supplies"},
        ]
    )
    return world.tokens["administrator"]


async def test_every_typed_word_must_match_a_word_prefix(api: Api, catalogue: str) -> None:
    assert await names(api, catalogue, "acm sup") == ["ACME Supplies Ltd"]
    assert await names(api, catalogue, "SUP acm") == ["ACME Supplies Ltd"]
    assert await names(api, catalogue, "acme trading gmbh") == ["Acme Trading GmbH"]
    assert await names(api, catalogue, "acme nothing") == []
    assert await names(api, catalogue, "pplies") == []  # word prefixes, not substrings


async def test_ranking_exact_code_then_name_prefix_then_word_prefix(
    api: Api, catalogue: str
) -> None:
    # "acm" is Zenith's exact code; two names start with "acm"; none only contains it.
    assert await names(api, catalogue, "acm") == [
        "Zenith Holdings",
        "ACME Supplies Ltd",
        "Acme Trading GmbH",
    ]
    # Name prefixes before word prefixes, alphabetical within each.
    assert await names(api, catalogue, "sup") == [
        "Supreme Office Furniture",
        "ACME Supplies Ltd",
        "Öster Supplies",
    ]


async def test_case_and_accent_insensitive(api: Api, catalogue: str) -> None:
    assert await names(api, catalogue, "zurich") == ["Zürich Versicherungs AG"]
    assert await names(api, catalogue, "ZÜRI") == ["Zürich Versicherungs AG"]
    assert await names(api, catalogue, "oster") == ["Öster Supplies"]


@pytest.fixture
async def european(world: World) -> str:
    await import_companies(
        [
            {"code": "LDZ", "name": "Łódź Logistics Sp. z o.o."},
            {"code": "ORS", "name": "Ørsted A/S"},
            {"code": "BRO", "name": "Øresund Bridge"},
            {"code": "LAK", "name": "Łąka Ogrody"},
            {"code": "DE1", "name": "Müller Bau GmbH"},
            {"code": "DE2", "name": "Mueller Trading"},
            {"code": "DE3", "name": "Muller Metals"},
            {"code": "BAE", "name": "Bäckerei Müller"},
            {"code": "STR", "name": "Straße der Einheit AG"},
        ]
    )
    return world.tokens["administrator"]


async def test_letters_that_do_not_decompose_are_folded_too(api: Api, european: str) -> None:
    assert await names(api, european, "lodz") == ["Łódź Logistics Sp. z o.o."]
    assert await names(api, european, "LODZ log") == ["Łódź Logistics Sp. z o.o."]
    assert await names(api, european, "łódź") == ["Łódź Logistics Sp. z o.o."]
    assert await names(api, european, "orsted") == ["Ørsted A/S"]
    assert await names(api, european, "oresund") == ["Øresund Bridge"]
    assert await names(api, european, "laka") == ["Łąka Ogrody"]
    assert await names(api, european, "strasse") == ["Straße der Einheit AG"]


async def test_a_german_umlaut_is_found_spelt_out_or_plain(api: Api, european: str) -> None:
    # Name prefixes in either reading first, alphabetically by the plain reading
    # ("mueller trading" < "muller bau gmbh" < "muller metals"), then word prefixes.
    assert await names(api, european, "mueller") == [
        "Mueller Trading",
        "Müller Bau GmbH",
        "Bäckerei Müller",
    ]
    assert await names(api, european, "muller") == [
        "Müller Bau GmbH",
        "Muller Metals",
        "Bäckerei Müller",
    ]
    assert await names(api, european, "müller") == await names(api, european, "muller")
    assert await names(api, european, "mue") == [
        "Mueller Trading",
        "Müller Bau GmbH",
        "Bäckerei Müller",
    ]
    assert await names(api, european, "baeckerei mue") == ["Bäckerei Müller"]
    assert await names(api, european, "backerei") == ["Bäckerei Müller"]
    assert await names(api, european, "bau mueller") == ["Müller Bau GmbH"]


async def test_a_german_reading_pages_on_without_gaps(api: Api, european: str) -> None:
    seen, after = [], None
    while True:
        body = await api(PAGE, {"search": "mue", "first": 1, "after": after}, european)
        page = body["data"]["companies"]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Mueller Trading", "Müller Bau GmbH", "Bäckerei Müller"]


async def test_a_crm_viewer_finds_the_german_reading_of_their_companies(
    api: Api, world: World, european: str
) -> None:
    crm = await Staff.get(email="crmcompanyedit@supplier.example")
    for company in await Company.filter(code__in=["DE1", "BAE", "DE3"]):
        await StaffCompany.create(staff=crm, company=company)
    token = world.tokens["crmCompanyEdit"]
    assert await names(api, token, "mueller") == ["Müller Bau GmbH", "Bäckerei Müller"]
    assert await names(api, token, "muller") == [
        "Müller Bau GmbH",
        "Muller Metals",
        "Bäckerei Müller",
    ]


async def test_a_text_that_is_no_code_leaves_no_company_out(api: Api, world: World) -> None:
    # "Café" cannot be a code, so no exact-code hit was shown: the company whose code folds
    # alike ("CAFE") is still a name-prefix hit.
    await import_companies([{"code": "CAFE", "name": "Café Central"}])
    assert await names(api, world.tokens["administrator"], "Café") == ["Café Central"]


async def test_matches_the_code(api: Api, catalogue: str) -> None:
    assert await names(api, catalogue, "sup-1") == ["Supreme Office Furniture"]
    assert await names(api, catalogue, "blue") == ["Blue Sun Corporation"]
    assert await names(api, catalogue, "glob") == ["Globex Corporation"]


async def test_first_defaults_to_ten_and_is_capped_at_fifty(api: Api, world: World) -> None:
    await import_companies(
        {"code": f"BULK{i:03d}", "name": f"Bulk Buyer {i:03d}"} for i in range(60)
    )
    token = world.tokens["administrator"]
    default = await api('{ companies(search: "bulk") { edges { node { code } } } }', token=token)
    assert len(default["data"]["companies"]["edges"]) == 10
    body = await api(PAGE, {"search": "bulk", "first": 500}, token)
    assert len(body["data"]["companies"]["edges"]) == 50
    assert body["data"]["companies"]["pageInfo"]["hasNextPage"] is True
    body = await api(PAGE, {"search": "bulk", "first": -1}, token)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_pages_follow_on_across_tiers_without_gaps(api: Api, catalogue: str) -> None:
    seen, after = [], None
    while True:
        body = await api(PAGE, {"search": "s", "first": 2, "after": after}, catalogue)
        page = body["data"]["companies"]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = await api(PAGE, {"search": "s", "first": 50}, catalogue)
    assert seen == [e["node"]["name"] for e in everything["data"]["companies"]["edges"]]
    assert seen[:2] == ["Supreme Office Furniture", "ACME Supplies Ltd"]
    assert len(seen) == len(set(seen)) == 4


async def test_a_forged_cursor_is_bad_input(api: Api, catalogue: str) -> None:
    body = await api(PAGE, {"search": "acme", "first": 5, "after": "bm90IGEgY3Vyc29y"}, catalogue)
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("kind", ["administrator", "superuser", "companyEdit"])
async def test_company_edit_and_up_create_and_update_companies(
    api: Api, world: World, kind: str
) -> None:
    token = world.tokens[kind]
    body = await api(
        CREATE,
        {
            "input": {
                "name": " Initech  Inc. ",
                "code": "INI",
                "assignedStaff": ["crmcompanyedit@supplier.example"],
            }
        },
        token,
    )
    payload = body["data"]["createCompany"]
    assert payload["errors"] == []
    assert payload["company"]["name"] == "Initech Inc."
    company_id = payload["company"]["id"]
    assert await names(api, world.tokens["crmCompanyEdit"], "initech") == ["Initech Inc."]

    body = await api(UPDATE, {"input": {"id": company_id, "name": "Initrode"}}, token)
    assert body["data"]["updateCompany"]["company"]["name"] == "Initrode"
    assert await names(api, token, "initech") == []
    assert await names(api, token, "initr") == ["Initrode"]
    assert await AuditEvent.filter(target_type="company").count() == 2 + 2  # world's own two


@pytest.mark.parametrize(
    ("kind", "code"),
    [("crmCompanyEdit", "FORBIDDEN"), ("none", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")],
)
async def test_others_may_not_create_or_update(
    api: Api, world: World, kind: str, code: str
) -> None:
    token = None if kind == "anonymous" else world.tokens[kind]
    body = await api(CREATE, {"input": {"name": "Initech", "code": "INI"}}, token)
    assert error_codes(body) == [code]
    body = await api(
        UPDATE, {"input": {"id": global_id("Company", world.acme.id), "name": "Mine"}}, token
    )
    assert error_codes(body) == [code]
    assert await Company.filter(name__in=["Initech", "Mine"]).count() == 0


async def test_company_input_errors_change_nothing(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    cases = [
        ({"name": "Acme Again", "code": "acme"}, ("code", "TAKEN")),
        ({"name": "   ", "code": "NEW"}, ("name", "REQUIRED")),
        ({"name": "Bad Code", "code": "has space"}, ("code", "INVALID")),
        (
            {"name": "Nobody", "code": "NOB", "assignedStaff": ["ghost@x.example"]},
            ("assignedStaff", "NOT_FOUND"),
        ),
    ]
    for given, (field, code) in cases:
        body = await api(CREATE, {"input": given}, token)
        payload = body["data"]["createCompany"]
        assert payload["company"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert await Company.all().count() == 2
    body = await api(UPDATE, {"input": {"id": global_id("Company", 999), "name": "X"}}, token)
    assert [e["code"] for e in body["data"]["updateCompany"]["errors"]] == ["NOT_FOUND"]
    assert await StaffCompany.all().count() == 1


async def _company_errors(api: Api, token: str, mutation: str, given: dict) -> list[tuple]:
    body = await api(mutation, {"input": given}, token)
    payload = body["data"]["createCompany" if mutation == CREATE else "updateCompany"]
    return [(e["field"], e["code"], e["message"]) for e in payload["errors"]]


async def test_assigned_staff_does_not_tell_a_company_editor_which_emails_are_accounts(
    api: Api, world: World
) -> None:
    editor = world.tokens["companyEdit"]
    accounts = ["administrator@supplier.example", "superuser@supplier.example"]
    ghost = "ghost@supplier.example"
    # The company is validated first: a taken code is told as such, whoever is named.
    for named in [[accounts[0]], [ghost]]:
        given = {"name": "Acme Again", "code": "ACME", "assignedStaff": named}
        assert [e[:2] for e in await _company_errors(api, editor, CREATE, given)] == [
            ("code", "TAKEN")
        ]
    # A free code: an account that is no crmCompanyEdit member answers as no account does.
    answers = []
    for email in [*accounts, ghost]:
        given = {"name": "New Co", "code": "NEW-1", "assignedStaff": [email]}
        errors = await _company_errors(api, editor, CREATE, given)
        answers.append([(f, c, m.replace(email, "EMAIL")) for f, c, m in errors])
    assert answers[0] == answers[1] == answers[2] != []
    assert answers[0][0][:2] == ("assignedStaff", "NOT_FOUND")
    # Updating a company: the same.
    acme = global_id("Company", world.acme.id)
    for email in [accounts[0], ghost]:
        given = {"id": acme, "assignedStaff": [email]}
        errors = await _company_errors(api, editor, UPDATE, given)
        assert [(f, c, m.replace(email, "EMAIL")) for f, c, m in errors] == answers[0]
    assert await Company.filter(code="NEW-1").count() == 0
    assert await StaffCompany.all().count() == 1  # crmCompanyEdit's ACME, as the world made it


async def test_who_may_be_assigned_to_a_company(api: Api, world: World) -> None:
    editor, admin = world.tokens["companyEdit"], world.tokens["administrator"]
    crm = "crmcompanyedit@supplier.example"
    # A company editor assigns crmCompanyEdit staff, whose scope it is.
    given = {"name": "Initech", "code": "INI", "assignedStaff": [crm.upper()]}
    assert await _company_errors(api, editor, CREATE, given) == []
    # An administrator, who manages staff, may assign any staff member, and is told which
    # email is no account.
    given = {"name": "Initrode", "code": "INR", "assignedStaff": ["companyedit@supplier.example"]}
    assert await _company_errors(api, admin, CREATE, given) == []
    given = {"name": "Nobody", "code": "NOB", "assignedStaff": ["ghost@supplier.example"]}
    assert await _company_errors(api, admin, CREATE, given) == [
        ("assignedStaff", "NOT_FOUND", "No staff member 'ghost@supplier.example'.")
    ]
    # Whoever is assigned to a company already stays assignable to it by its editors (the
    # company shows them in assignedStaff): a company editor can send the list back.
    initrode = await Company.get(code="INR")
    given = {
        "id": global_id("Company", initrode.id),
        "assignedStaff": ["companyedit@supplier.example", crm],
    }
    assert await _company_errors(api, editor, UPDATE, given) == []
    assigned = await StaffCompany.filter(company_id=initrode.id).values_list(
        "staff__email", flat=True
    )
    assert sorted(assigned) == ["companyedit@supplier.example", crm]
