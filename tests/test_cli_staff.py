"""`opsportal staff ...` run as an operator runs it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

from tests.cli_helpers import Cli, cli_fixture, one_line  # noqa: F401 - the cli fixture

EMAIL = "ops@supplier.example"


def _listed(cli: Cli) -> dict[str, list[str]]:
    done = cli("staff", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["EMAIL", "FLAGS", "ROLES", "COMPANIES", "LAST", "SIGN-IN"]
    assert lines[-1] == f"{len(lines) - 2} staff members"
    return {line.split()[0]: line.split()[1:] for line in lines[1:-1]}


async def _audit(cli: Cli) -> list[tuple[str, dict, dict]]:
    rows = await cli.sql(
        "SELECT a.action, a.before, a.after FROM audit_event a JOIN staff s ON s.id = a.target_id "
        "WHERE a.target_type = 'staff' AND s.email = $1 ORDER BY a.id",
        EMAIL,
    )

    def parsed(value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    return [(action, parsed(before), parsed(after)) for action, before, after in rows]


async def test_add_refuses_an_existing_email_and_set_changes_only_what_it_names(cli: Cli) -> None:
    (cli.folder / "c.csv").write_text("code,name\nC1,First Co\nC2,Second Co\n")
    assert cli("companies", "import", "c.csv").returncode == 0
    added = cli("staff", "add", EMAIL.upper(), "--password", "first-password",
                "--administrator", "--role", "companyEdit", "--assign", "C1")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == (
        f"staff member {EMAIL} added: administrator, role companyEdit, company C1"
    )

    again = cli("staff", "add", EMAIL, "--password", "second-password")
    assert again.returncode == 2 and again.stdout == ""
    assert "exists already" in one_line(again.stderr) and "staff set" in again.stderr

    await cli.add_token(EMAIL)
    changed = cli("staff", "set", EMAIL, "--password", "second-password")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == f"staff member {EMAIL} changed: password; 1 tokens revoked"
    assert await cli.tokens(EMAIL) == 0
    assert _listed(cli)[EMAIL] == ["administrator", "companyEdit", "C1", "never"]

    await cli.add_token(EMAIL)
    rights = cli("staff", "set", EMAIL, "--no-administrator", "--no-role", "companyEdit",
                 "--role", "crmCompanyEdit", "--assign", "c2", "--unassign", "C1")  # fmt: skip
    assert rights.returncode == 0, rights.stderr
    assert "administrator, roles, assigned, unassigned; 1 tokens revoked" in rights.stdout
    assert _listed(cli)[EMAIL] == ["-", "crmCompanyEdit", "C2", "never"]

    await cli.add_token(EMAIL)
    assigned = cli("staff", "set", EMAIL, "--assign", "C1")
    assert assigned.stdout.strip() == f"staff member {EMAIL} changed: assigned"
    assert await cli.tokens(EMAIL) == 1  # assignments alone keep the tokens
    same = cli("staff", "set", EMAIL, "--role", "crmCompanyEdit", "--no-administrator")
    assert "nothing changed" in same.stdout

    assert await _audit(cli) == [
        ("staff.add", None, {"email": EMAIL, "administrator": True, "superuser": False,
                             "roles": ["companyEdit"], "companies": ["C1"]}),
        ("staff.change", None, {"password": "changed", "tokensRevoked": 1}),
        ("staff.change", {"administrator": True, "roles": ["companyEdit"]},
         {"administrator": False, "roles": ["crmCompanyEdit"], "assigned": ["C2"],
          "unassigned": ["C1"], "tokensRevoked": 1}),
        ("staff.change", None, {"assigned": ["C1"]}),
    ]  # fmt: skip
    stored = str(await cli.sql("SELECT * FROM audit_event"))
    assert "first-password" not in stored and "second-password" not in stored


async def test_disable_revokes_tokens_and_enable_restores(cli: Cli) -> None:
    assert cli("staff", "add", EMAIL, "--password", "a-longer-password").returncode == 0
    await cli.add_token(EMAIL)
    await cli.add_token(EMAIL)
    disabled = cli("staff", "disable", EMAIL)
    assert disabled.returncode == 0, disabled.stderr
    assert disabled.stdout.strip() == (
        f"staff member {EMAIL} disabled: sign-in refused, 2 tokens revoked"
    )
    assert await cli.tokens(EMAIL) == 0
    assert _listed(cli)[EMAIL][0] == "disabled"
    assert "disabled already" in cli("staff", "disable", EMAIL).stdout
    enabled = cli("staff", "enable", EMAIL)
    assert enabled.stdout.strip() == f"staff member {EMAIL} enabled: may sign in again"
    assert _listed(cli)[EMAIL][0] == "-"
    assert [a for a, _, _ in await _audit(cli)] == ["staff.add", "staff.disable", "staff.enable"]


async def test_removing_a_role_or_the_administrator_flag_alone_revokes_tokens(cli: Cli) -> None:
    added = cli("staff", "add", EMAIL, "--password", "a-longer-password", "--administrator",
                "--role", "companyEdit", "--role", "crmCompanyEdit")  # fmt: skip
    assert added.returncode == 0, added.stderr
    for option, what in (
        ("--no-role=crmCompanyEdit", "roles"),
        ("--no-administrator", "administrator"),
    ):
        await cli.add_token(EMAIL)
        done = cli("staff", "set", EMAIL, option)
        assert done.stdout.strip() == f"staff member {EMAIL} changed: {what}; 1 tokens revoked"
        assert await cli.tokens(EMAIL) == 0
    assert _listed(cli)[EMAIL] == ["-", "companyEdit", "-", "never"]


async def test_revoke_tokens(cli: Cli) -> None:
    assert cli("staff", "add", EMAIL, "--password", "a-longer-password").returncode == 0
    for _ in range(3):
        await cli.add_token(EMAIL)
    done = cli("staff", "revoke-tokens", EMAIL)
    assert done.stdout.strip() == f"staff member {EMAIL}: 3 tokens revoked"
    assert await cli.tokens(EMAIL) == 0
    assert (await _audit(cli))[-1] == ("staff.revoke_tokens", None, {"tokensRevoked": 3})


async def test_refusals_are_one_line_and_change_nothing(cli: Cli) -> None:
    assert cli("staff", "add", EMAIL, "--password", "a-longer-password").returncode == 0
    for args, words in [
        (["staff", "set", EMAIL], "name what to change"),
        (["staff", "set", EMAIL, "--role", "companyEdit", "--no-role", "companyEdit"], "both"),
        (["staff", "set", EMAIL, "--administrator", "--assign", "NOPE"], "NOPE"),
        (["staff", "set", EMAIL, "--password", "short"], "at least 12 characters"),
        (["staff", "set", EMAIL, "--password", " " * 12], "only spaces"),
        (["staff", "set", EMAIL, "--password", "123456789012"], "too easy to guess"),
        (["staff", "add", "new@supplier.example", "--password", "12345678"], "at least 12"),
        (["staff", "add", "new@supplier.example", "--password", "password1234"], "too easy"),
        (["demo", "--companies", "3", "--password", "iloveyou1234"], "too easy to guess"),
        (["staff", "set", "nobody@supplier.example", "--administrator"], "No staff member"),
        (["staff", "disable", "nobody@supplier.example"], "No staff member"),
        (["staff", "enable", "nobody@supplier.example"], "No staff member"),
        (["staff", "revoke-tokens", "nobody@supplier.example"], "No staff member"),
        (["staff", "add", "not-an-email", "--password", "a-longer-password"], "not an email"),
    ]:
        done = cli(*args)
        assert done.returncode == 2, args
        assert words in one_line(done.stderr), (args, done.stderr)
    assert _listed(cli)[EMAIL] == ["-", "-", "-", "never"]
    assert [a for a, _, _ in await _audit(cli)] == ["staff.add"]
    assert await cli.sql("SELECT count(*) FROM company") == [(0,)]  # the demo stopped first
