"""Staff sign-in: argon2 passwords, hashed bearer tokens with an expiry, logout."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from domain.errors import SignInRefused
from domain.signin import add_staff, login
from persistence.tables import Staff, StaffToken
from testkit.operations import LOGIN, VIEWER
from tests.conftest import PASSWORD, Api, World, error_codes

LOGOUT = "mutation { logout { loggedOut } }"


async def test_login_returns_a_token_stored_only_as_a_hash(api: Api, world: World) -> None:
    body = await api(LOGIN, {"email": " SuperUser@supplier.example ", "password": PASSWORD})
    token = body["data"]["login"]["token"]
    assert body["data"]["login"]["errors"] == []
    stored = await StaffToken.filter(staff__email="superuser@supplier.example").values_list(
        "token_hash", flat=True
    )
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in stored
    viewer = (await api(VIEWER, token=token))["data"]["viewer"]
    assert viewer["email"] == "superuser@supplier.example" and viewer["isSuperuser"] is True


async def test_password_is_hashed_with_argon2(db: str) -> None:
    staff = await add_staff("new@supplier.example", "a long password", roles=["companyEdit"])
    assert staff.password_hash.startswith("$argon2id$")
    assert "a long password" not in staff.password_hash


async def test_wrong_password_and_unknown_email_look_the_same(api: Api, world: World) -> None:
    answers = []
    for email, password in (
        ("administrator@supplier.example", "wrong password"),
        ("nobody@supplier.example", PASSWORD),
        ("administrator@supplier.example", ""),
    ):
        body = await api(LOGIN, {"email": email, "password": password})
        answers.append(body["data"]["login"])
    assert all(a == answers[0] for a in answers)
    assert answers[0]["token"] is None
    assert [e["code"] for e in answers[0]["errors"]] == ["INVALID_CREDENTIALS"]


async def test_logout_ends_the_token_only(api: Api, world: World) -> None:
    other = await api.login("administrator@supplier.example")
    token = world.tokens["administrator"]
    body = await api(LOGOUT, token=token)
    assert body["data"]["logout"] == {"loggedOut": True}
    assert error_codes(await api(VIEWER, token=token)) == ["UNAUTHENTICATED"]
    assert "errors" not in await api(VIEWER, token=other)
    assert error_codes(await api(LOGOUT)) == ["UNAUTHENTICATED"]


async def test_expired_token_is_unauthenticated(api: Api, world: World) -> None:
    token = world.tokens["companyEdit"]
    await StaffToken.filter(staff__email="companyedit@supplier.example").update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert error_codes(await api(VIEWER, token=token)) == ["UNAUTHENTICATED"]


async def test_token_lifetime_comes_from_configuration(api: Api, world: World) -> None:
    before = datetime.now(UTC)
    await api.login("none@supplier.example")
    newest = await StaffToken.filter(staff__email="none@supplier.example").order_by("-id").first()
    assert newest is not None
    # The test settings keep the default of 12 hours.
    assert (
        timedelta(hours=11, minutes=59)
        < newest.expires_at - before
        <= timedelta(hours=12, minutes=1)
    )


async def test_malformed_authorization_header_is_unauthenticated(api: Api, world: World) -> None:
    for header in ("Basic abc", "Bearer", "bearer " + world.tokens["administrator"] + " extra"):
        response = await api.http.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": header}
        )
        assert error_codes(response.json()) == ["UNAUTHENTICATED"], header
    assert await Staff.all().count() == 6


async def test_failed_sign_ins_are_limited_per_account_and_address(api: Api, world: World) -> None:
    from persistence.tables import LoginAttempts

    async def attempt(email: str, password: str) -> dict:
        return (await api(LOGIN, {"email": email, "password": password}))["data"]["login"]

    for _ in range(5):
        failed = await attempt("administrator@supplier.example", "wrong password")
        assert [e["code"] for e in failed["errors"]] == ["INVALID_CREDENTIALS"]
    # Now even the right password is refused, without being checked.
    limited = await attempt("administrator@supplier.example", PASSWORD)
    assert limited["token"] is None
    assert [e["code"] for e in limited["errors"]] == ["RATE_LIMITED"]
    # Another account from the same address still signs in...
    assert (await attempt("superuser@supplier.example", PASSWORD))["token"]
    # ...until the address has failed 20 times (unknown emails count too).
    for i in range(15):  # 5 + 15 = 20 failures from this address
        await attempt(f"nobody-{i}@supplier.example", "x")
    blocked = await attempt("companyedit@supplier.example", PASSWORD)
    assert [e["code"] for e in blocked["errors"]] == ["RATE_LIMITED"]
    # A window later, both are forgiven.
    await LoginAttempts.all().update(window_start=datetime.now(UTC) - timedelta(minutes=16))
    assert (await attempt("administrator@supplier.example", PASSWORD))["token"]


async def _sign_in(email: str, password: str, address: str) -> str:
    try:
        await login(email, password, timedelta(hours=1), address=address)
    except SignInRefused as refused:
        return refused.code.name
    return "token"


async def test_concurrent_guesses_check_at_most_the_limit(world: World) -> None:
    # All at once, in one process: each is counted before its password is checked.
    admin, other = "administrator@supplier.example", "superuser@supplier.example"
    answers = await asyncio.gather(
        *(_sign_in(admin, f"wrong password {n}", "192.0.2.1") for n in range(40))
    )
    assert sorted(answers) == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 35
    assert await _sign_in(admin, PASSWORD, "192.0.2.99") == "RATE_LIMITED"  # not checked
    # The 35 refused attempts were no failures of the address: 5 of its 20 are used.
    assert await _sign_in(other, PASSWORD, "192.0.2.1") == "token"
    unknown = await asyncio.gather(
        *(_sign_in(f"nobody-{n}@supplier.example", "x", "192.0.2.2") for n in range(41))
    )
    assert sorted(unknown) == ["INVALID_CREDENTIALS"] * 20 + ["RATE_LIMITED"] * 21
    assert await _sign_in(other, PASSWORD, "192.0.2.2") == "RATE_LIMITED"


async def test_concurrent_right_passwords_are_not_refused(world: World) -> None:
    # Attempts in flight count against the limits until checked: taking turns per account and
    # per address, 8 sign-ins of each of 3 accounts at once from one address all get in.
    emails = [
        "administrator@supplier.example",
        "superuser@supplier.example",
        "none@supplier.example",
    ]
    answers = await asyncio.gather(
        *(_sign_in(email, PASSWORD, "192.0.2.4") for _ in range(8) for email in emails)
    )
    assert answers == ["token"] * 24


async def test_a_right_password_gives_its_attempt_back(world: World) -> None:
    from persistence.tables import LoginAttempts

    admin = "administrator@supplier.example"
    for _ in range(4):
        assert await _sign_in(admin, "wrong password", "192.0.2.3") == "INVALID_CREDENTIALS"
    assert await _sign_in(admin, PASSWORD, "192.0.2.3") == "token"
    # The account's failures are forgiven; the address keeps only the 4 failures.
    rows = {row.key: row.failures for row in await LoginAttempts.all()}
    assert rows == {"address:192.0.2.3": 4}
    for _ in range(30):  # an office behind one address signs in all day
        assert await _sign_in(admin, PASSWORD, "192.0.2.3") == "token"
