"""Managing staff (domain.staff_admin): changes touch only what they name, are audited, and a
change of password or rights, disabling, and logoutEverywhere end the account's tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.access import Viewer
from domain.errors import AccessDenied, DomainError, StaffRefused
from domain.signin import add_staff, hash_password, issue_token, viewer_for_token
from domain.staff_admin import (
    StaffChange,
    change_staff,
    create_staff,
    list_staff,
    revoke_tokens,
    set_staff_enabled,
)
from persistence.tables import AuditEvent, Staff, StaffCompany
from testkit.operations import LOGIN, VIEWER
from tests.conftest import PASSWORD, Api, World, error_codes

EMAIL = "kim@supplier.example"
LOGOUT_EVERYWHERE = "mutation { logoutEverywhere { loggedOut revokedTokens } }"


async def _kim(world: World) -> Staff:
    return await create_staff(
        None, " Kim@Supplier.example ", PASSWORD, administrator=True, roles=["companyEdit"],
        assign=["ACME"],
    )  # fmt: skip


async def _works(api: Api, token: str) -> bool:
    body = await api(VIEWER, token=token)
    if error_codes(body) == ["UNAUTHENTICATED"]:
        return False
    assert body["data"]["viewer"]["email"], body
    return True


async def _events(staff: Staff) -> list[tuple[str, object, object]]:
    rows = await AuditEvent.filter(target_type="staff", target_id=staff.id).order_by("id")
    return [(r.action, r.before, r.after) for r in rows]


async def test_create_refuses_an_existing_email_whatever_its_case(world: World) -> None:
    kim = await _kim(world)
    assert kim.email == EMAIL
    with pytest.raises(DomainError) as refused:
        await create_staff(None, "KIM@supplier.example", "another password")
    assert refused.value.code.name == "TAKEN"
    stored = await Staff.get(email=EMAIL)
    assert stored.is_administrator and stored.roles == ["companyEdit"]
    assert await _events(kim) == [
        (
            "staff.add",
            None,
            {
                "email": EMAIL,
                "administrator": True,
                "superuser": False,
                "roles": ["companyEdit"],
                "companies": ["ACME"],
            },
        )
    ]


async def test_a_password_change_keeps_rights_and_ends_old_tokens(api: Api, world: World) -> None:
    kim = await _kim(world)
    old = await api.login(EMAIL)
    outcome = await change_staff(None, EMAIL, StaffChange(password="a new long password"))
    assert outcome.changed == ("password",) and outcome.tokens_revoked == 1
    stored = await Staff.get(email=EMAIL)
    assert stored.is_administrator and stored.roles == ["companyEdit"]
    assert await StaffCompany.filter(staff_id=kim.id).count() == 1
    assert not await _works(api, old)
    assert (await api(LOGIN, {"email": EMAIL, "password": PASSWORD}))["data"]["login"][
        "token"
    ] is None
    assert await _works(api, await api.login(EMAIL, "a new long password"))
    events = await _events(kim)
    assert events[-1] == ("staff.change", None, {"password": "changed", "tokensRevoked": 1})
    assert PASSWORD not in str(events) and "a new long password" not in str(events)


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        (StaffChange(administrator=False), {"administrator": True}, {"administrator": False}),
        (StaffChange(superuser=True), {"superuser": False}, {"superuser": True}),
        (
            StaffChange(remove_roles=("companyEdit",), add_roles=("crmCompanyEdit",)),
            {"roles": ["companyEdit"]},
            {"roles": ["crmCompanyEdit"]},
        ),
        # Removing a role alone: the account keeps fewer rights, and no token keeps more.
        (StaffChange(remove_roles=("companyEdit",)), {"roles": ["companyEdit"]}, {"roles": []}),
    ],
)
async def test_a_change_of_rights_ends_tokens(
    api: Api, world: World, change: StaffChange, before: dict, after: dict
) -> None:
    kim = await _kim(world)
    tokens = [await api.login(EMAIL), await api.login(EMAIL)]
    outcome = await change_staff(None, EMAIL, change)
    assert outcome.tokens_revoked == 2
    assert [await _works(api, t) for t in tokens] == [False, False]
    assert (await _events(kim))[-1] == ("staff.change", before, {**after, "tokensRevoked": 2})


async def test_assignments_change_alone_and_keep_tokens(api: Api, world: World) -> None:
    kim = await _kim(world)
    token = await api.login(EMAIL)
    outcome = await change_staff(None, EMAIL, StaffChange(assign=("globex",), unassign=("ACME",)))
    assert outcome.changed == ("assigned", "unassigned") and outcome.tokens_revoked == 0
    codes = await StaffCompany.filter(staff_id=kim.id).values_list("company__code", flat=True)
    assert codes == ["GLOBEX"]
    assert await _works(api, token)
    stored = await Staff.get(email=EMAIL)
    assert stored.is_administrator and stored.roles == ["companyEdit"]
    assert (await _events(kim))[-1] == (
        "staff.change",
        None,
        {"assigned": ["GLOBEX"], "unassigned": ["ACME"]},
    )


async def test_asking_for_what_is_already_so_changes_nothing(api: Api, world: World) -> None:
    kim = await _kim(world)
    token = await api.login(EMAIL)
    same = StaffChange(administrator=True, add_roles=("companyEdit",), assign=("ACME",))
    outcome = await change_staff(None, EMAIL, same)
    assert outcome.changed == () and outcome.tokens_revoked == 0
    assert await _works(api, token)
    assert [e[0] for e in await _events(kim)] == ["staff.add"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (StaffChange(password="short"), "INVALID"),
        (StaffChange(add_roles=("boss",)), "INVALID"),
        (StaffChange(add_roles=("companyEdit",), remove_roles=("companyEdit",)), "INVALID"),
        (StaffChange(assign=("NOPE",)), "NOT_FOUND"),
        (StaffChange(assign=("ACME",), unassign=("acme",)), "INVALID"),
    ],
)
async def test_a_bad_change_is_refused_whole(world: World, change: StaffChange, code: str) -> None:
    kim = await _kim(world)
    with pytest.raises(DomainError) as refused:
        await change_staff(None, EMAIL, StaffChange(administrator=False, **_without(change)))
    assert refused.value.code.name == code
    assert (await Staff.get(email=EMAIL)).is_administrator  # the valid part was not applied
    assert [e[0] for e in await _events(kim)] == ["staff.add"]


def _without(change: StaffChange) -> dict:
    return {k: v for k, v in change.__dict__.items() if k != "administrator" and v}


async def test_unknown_staff_member_is_not_found(db: str) -> None:
    for call in (
        change_staff(None, "nobody@supplier.example", StaffChange(administrator=True)),
        set_staff_enabled(None, "nobody@supplier.example", False),
        revoke_tokens(None, "x" * 300 + "@supplier.example"),
    ):
        with pytest.raises(DomainError) as refused:
            await call
        assert refused.value.code.name == "NOT_FOUND"


async def test_disabled_staff_cannot_sign_in_and_tokens_end(api: Api, world: World) -> None:
    kim = await _kim(world)
    token = await api.login(EMAIL)
    outcome = await set_staff_enabled(None, EMAIL, False)
    assert outcome.tokens_revoked == 1
    assert not await _works(api, token)
    refused = (await api(LOGIN, {"email": EMAIL, "password": PASSWORD}))["data"]["login"]
    assert refused["token"] is None and refused["errors"][0]["code"] == "ACCOUNT_DISABLED"
    wrong = (await api(LOGIN, {"email": EMAIL, "password": "wrong password"}))["data"]["login"]
    assert wrong["errors"][0]["code"] == "INVALID_CREDENTIALS"  # says nothing without it
    # A token made in a race with the disabling does not work either.
    assert await viewer_for_token(await issue_token(kim, timedelta(hours=1))) is None
    assert (await set_staff_enabled(None, EMAIL, False)).changed == ()  # already so
    await set_staff_enabled(None, EMAIL, True)
    assert await _works(api, await api.login(EMAIL))
    assert [e[:1] + e[2:] for e in await _events(kim)][1:] == [
        ("staff.disable", {"tokensRevoked": 1}),
        ("staff.enable", None),
    ]


async def test_revoke_tokens_and_logout_everywhere(api: Api, world: World) -> None:
    kim = await _kim(world)
    tokens = [await api.login(EMAIL) for _ in range(3)]
    assert await revoke_tokens(None, EMAIL) == 3
    assert not any([await _works(api, t) for t in tokens])
    tokens = [await api.login(EMAIL) for _ in range(2)]
    other = await api.login("companyedit@supplier.example")
    body = await api(LOGOUT_EVERYWHERE, token=tokens[0])
    assert body["data"]["logoutEverywhere"] == {"loggedOut": True, "revokedTokens": 2}
    assert not any([await _works(api, t) for t in tokens])
    assert await _works(api, other)  # only the caller's own tokens
    assert error_codes(await api(LOGOUT_EVERYWHERE)) == ["UNAUTHENTICATED"]
    last = await AuditEvent.filter(target_type="staff", target_id=kim.id).order_by("-id").first()
    assert last is not None and last.action == "staff.logout_everywhere"
    assert last.actor_id == kim.id


async def test_only_administrators_manage_staff_through_the_api(world: World) -> None:
    await _kim(world)
    editor = Viewer(await Staff.get(email="companyedit@supplier.example"))
    with pytest.raises(AccessDenied):
        await change_staff(editor, EMAIL, StaffChange(administrator=False))
    with pytest.raises(AccessDenied):
        await create_staff(editor, "new@supplier.example", PASSWORD)
    admin = Viewer(await Staff.get(email="administrator@supplier.example"))
    outcome = await change_staff(admin, EMAIL, StaffChange(administrator=False))
    assert outcome.changed == ("administrator",)
    event = await AuditEvent.filter(action="staff.change").first()
    assert event is not None and event.actor_id == admin.staff.id


async def test_list_shows_rights_companies_and_last_sign_in(api: Api, world: World) -> None:
    await _kim(world)
    await change_staff(None, EMAIL, StaffChange(assign=("GLOBEX",)))
    before = {s.email: s for s in await list_staff()}
    assert before[EMAIL].last_sign_in_at is None
    await api.login(EMAIL)
    listed = {s.email: s for s in await list_staff()}
    kim = listed[EMAIL]
    assert kim.company_codes == ("ACME", "GLOBEX") and kim.roles == ("companyEdit",)
    assert kim.is_administrator and not kim.is_superuser and not kim.disabled
    assert kim.last_sign_in_at is not None
    assert listed["crmcompanyedit@supplier.example"].company_codes == ("ACME",)
    assert list(listed) == sorted(listed)


async def test_the_overwriting_add_staff_of_tests_and_benchmarks_ends_tokens_too(
    api: Api, world: World
) -> None:
    from domain.signin import add_staff

    await add_staff(EMAIL, PASSWORD, administrator=True)
    token = await api.login(EMAIL)
    await add_staff(EMAIL, "another long password")
    assert not await _works(api, token)


WEAK_PASSWORDS = [
    ("        ", "only spaces"),
    ("             ", "only spaces"),
    ("12345678", "at least 12 characters"),
    ("correct", "at least 12 characters"),
    ("123456789012", "too easy to guess"),
    ("password1234", "too easy to guess"),
    ("qwertyuiop12", "too easy to guess"),
    ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    (EMAIL, "too easy to guess"),  # the account's own email
]


@pytest.mark.parametrize(("password", "said"), WEAK_PASSWORDS)
async def test_a_weak_new_password_is_refused_wherever_one_is_set(
    world: World, password: str, said: str
) -> None:
    await _kim(world)
    for attempt in (
        create_staff(None, "new@supplier.example", password.replace(EMAIL, "new@supplier.example")),
        change_staff(None, EMAIL, StaffChange(password=password, administrator=False)),
        add_staff("new@supplier.example", password.replace(EMAIL, "new@supplier.example")),
    ):
        with pytest.raises(StaffRefused) as refused:
            await attempt
        assert refused.value.code.name == "INVALID" and refused.value.field == "password"
        assert said in refused.value.message, refused.value.message
    assert not await Staff.exists(email="new@supplier.example")
    assert (await Staff.get(email=EMAIL)).is_administrator  # the change was refused whole


async def test_a_password_set_before_the_rules_still_signs_in(api: Api, world: World) -> None:
    # Stored by an older version, which took 8 characters: only new passwords are checked.
    await Staff.create(email=EMAIL, password_hash=hash_password("12345678"), roles=["companyEdit"])
    assert await _works(api, await api.login(EMAIL, "12345678"))
    outcome = await change_staff(None, EMAIL, StaffChange(add_roles=("crmCompanyEdit",)))
    assert outcome.changed == ("roles",)
    assert await _works(api, await api.login(EMAIL, "12345678"))
    await change_staff(None, EMAIL, StaffChange(password="twelve chars but plain words"))
    assert await _works(api, await api.login(EMAIL, "twelve chars but plain words"))
