"""The `opsportal` command, run as a user runs it: a process in a working folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from opsportal.config import ConfigError, Settings
from testkit.command import clean_environment, opsportal
from testkit.operations import LOGIN
from testkit.servers import start_server
from tests.cli_helpers import Cli, cli_fixture  # noqa: F401 - the cli fixture


def test_demo_then_staff_then_import(tmp_path: Path) -> None:
    done = opsportal(tmp_path, "demo", "--companies", "50", "--password", "demo-pass-123")
    assert done.returncode == 0, done.stderr
    assert "admin@demo.example" in done.stdout and "demo-pass-123" in done.stdout
    assert (tmp_path / "opsportal.sqlite3").exists()  # the default: a file in the folder

    again = opsportal(tmp_path, "demo", "--companies", "50", "--password", "demo-pass-123")
    assert again.returncode == 0 and "0 new, 50 already there" in again.stdout

    added = opsportal(
        tmp_path,
        "staff",
        "add",
        "Kim@Supplier.example",
        "--password",
        "kims-long-password",
        "--role",
        "crmCompanyEdit",
        "--assign",
        "C000001",
    )
    assert added.returncode == 0, added.stderr
    assert "kim@supplier.example" in added.stdout

    csv = tmp_path / "companies.csv"
    csv.write_text(
        "Code,Name,Country\nNEW1,Brand New Ltd,DE\nC000001,Duplicate,FR\nbad code,Bad,US\n"
        "NEW2,,US\nNEW3,Ørsted Wind A/S,DK\n",
        encoding="utf-8",
    )
    imported = opsportal(tmp_path, "companies", "import", str(csv))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 companies, skipped 3" in imported.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staff", "add", "not-an-email", "--password", "long-enough-password"], "not an email"),
        (["staff", "add", "a@b.example", "--password", "short"], "at least 12"),
        (
            ["staff", "add", "a@b.example", "--password", "long-enough-password", "--role", "boss"],
            "invalid choice",
        ),
        (
            [
                "staff",
                "add",
                "a@b.example",
                "--password",
                "long-enough-password",
                "--assign",
                "NOPE",
            ],
            "NOPE",
        ),
        (["companies", "import", "missing.csv"], "no such file"),
        (["serve", "--port", "eighty"], "invalid int"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_arguments_give_a_message_and_fail(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = opsportal(tmp_path, *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        [b"staff", b"add", b"ops\xff@x.example", b"--password", b"long unguessable phrase 7"],
        [b"staff", b"add", b"ops@x.example", b"--password", b"\xfflong unguessable phrase"],
        [b"companies", b"import", b"in.csv", b"--encoding", b"\xff"],
    ],
)
def test_arguments_that_are_not_utf8_are_one_line(tmp_path: Path, args: list[bytes]) -> None:
    """Python reads such bytes as lone surrogates, which argon2 and the database drivers
    refused with a traceback."""
    env = clean_environment({"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"})
    command = [sys.executable.encode(), b"-m", b"opsportal.cli", *args]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    said = done.stderr.decode()
    assert done.returncode == 2, said
    assert "Traceback" not in said and len(said.strip().splitlines()) == 1, said
    assert "is not UTF-8 text" in said
    assert not (tmp_path / "x.sqlite3").exists()  # refused before anything was opened


def test_a_file_name_that_is_not_utf8_is_still_read(tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"caf\xe9.csv")).write_text("code,name\nC1,Cafe Ltd\n")
    env = clean_environment({"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"})
    command = [sys.executable.encode(), b"-m", b"opsportal.cli", b"companies", b"import"]
    done = subprocess.run([*command, b"caf\xe9.csv"], cwd=tmp_path, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert b"imported 1 companies" in done.stdout


def test_import_needs_code_and_name_columns(tmp_path: Path) -> None:
    csv = tmp_path / "wrong.csv"
    csv.write_text("id,title\n1,Acme\n")
    done = opsportal(tmp_path, "companies", "import", str(csv))
    assert done.returncode == 2
    assert "code,name" in done.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPSPORTAL_SUPPLIER_IDENTITY": "ACME supplier!"}, "only letters, digits"),
        ({"OPSPORTAL_SUPPLIER_DUNS": "12-345"}, "DUNS number"),
        ({"OPSPORTAL_PUBLIC_URL": "punchout.example.com"}, "public base URL"),
        ({"OPSPORTAL_TOKEN_TTL_MINUTES": "soon"}, "not a number"),
        ({"OPSPORTAL_TOKEN_TTL_MINUTES": "nan"}, "not a number"),
        ({"OPSPORTAL_CURRENCY": "euros"}, "ISO 4217"),
        ({"OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES": "1000000"}, "at least 4194304"),
        ({"OPSPORTAL_GRAPHQL_MAX_RESPONSE_BYTES": "lots"}, "not a number"),
        ({"DATABASE_URL": "mysql://u:S3cretPw@db/x"}, "sqlite://PATH"),
    ],
)
def test_serve_refuses_bad_configuration(tmp_path: Path, env: dict[str, str], message: str) -> None:
    done = opsportal(tmp_path, "serve", "--port", "1", env=env)
    assert done.returncode == 2
    assert message in done.stderr


def test_the_database_password_is_never_printed(tmp_path: Path) -> None:
    done = opsportal(tmp_path, "serve", env={"DATABASE_URL": "mysql://u:S3cretPw@db/x"})
    assert "S3cretPw" not in done.stdout + done.stderr
    shown = Settings(database_url="postgres://app:S3cretPw@db.example:5432/portal").database_shown
    assert shown == "postgres://app:***@db.example:5432/portal"


def test_supplier_identity_rule() -> None:
    for good in ("acme-supplies_1.0", "AN01000000001"):
        assert Settings(supplier_identity=good).supplier.identity == good
    for bad in ("", "with space", "ümlaut", "a/b", "x\n"):
        with pytest.raises(ConfigError):
            Settings(supplier_identity=bad)


def test_serve_answers_over_real_http(tmp_path: Path) -> None:
    assert (
        opsportal(tmp_path, "demo", "--companies", "10", "--password", "demo-pass-123").returncode
        == 0
    )
    server = start_server(
        None,  # the default: the demo's SQLite file in the working folder
        tmp_path,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_timeout=30,
    )
    try:
        answer = httpx.post(
            f"{server.base}/graphql",
            json={
                "query": LOGIN,
                "variables": {"email": "admin@demo.example", "password": "demo-pass-123"},
            },
        ).json()
        assert answer["data"]["login"]["token"]
        page = httpx.get(f"{server.base}/graphql", headers={"Accept": "text/html"}).text
        assert "<html" in page.lower()
    finally:
        output = server.stop(timeout=20)
    assert "demo-pass-123" not in output  # no secrets in the logs
    assert answer["data"]["login"]["token"] not in output


def test_import_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import pty

    csv = tmp_path / "many.csv"
    csv.write_text("code,name\n" + "".join(f"K{i},Company {i}\n" for i in range(12_000)))
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", "companies", "import", str(csv)],
        cwd=tmp_path,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        timeout=120,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert "imported 12,000 companies" in done.stdout
    text = shown.decode()
    for phase in ("reading ", "storing "):  # each phase's bar reaches the end
        assert f"[{'#' * 40}] {phase} 100% 12,000/12,000" in text
    assert "12,000/12,000" not in done.stdout  # the bar is for the terminal only


async def test_demo_again_keeps_passwords_and_says_who_may_do_what(cli: Cli) -> None:
    from argon2 import PasswordHasher

    async def passwords_work(password: str) -> bool:
        rows = await cli.sql("SELECT email, password_hash FROM staff ORDER BY email")
        assert [email for email, _ in rows] == [
            "admin@demo.example",
            "crm@demo.example",
            "editor@demo.example",
        ]
        hasher = PasswordHasher()
        try:
            return all(hasher.verify(stored, password) for _, stored in rows)
        except Exception:  # noqa: BLE001 - argon2's mismatch errors
            return False

    first = cli("demo", "--companies", "20")
    assert first.returncode == 0, first.stderr
    found = re.search(r"^password of every demo login: (\S+)$", first.stdout, re.M)
    assert found, first.stdout
    generated = found.group(1)
    assert await passwords_work(generated)
    catalog = "create and edit products and contract prices"
    may_edit = f"may create and edit companies, change customers' roles and identities, {catalog}"
    for line in [
        "  admin@demo.example   administrator: every company; may create and edit companies, "
        "add punchout customers, rotate PUNCHOUT API Keys or disable punchout customers, "
        "change customers' roles and identities, read PUNCHOUT API Keys, "
        f"read the cXML requests no customer was matched to, manage staff accounts, {catalog}",
        f"  editor@demo.example  companyEdit: every company; {may_edit}",
    ]:
        assert line in first.stdout.splitlines(), first.stdout
    crm = re.search(r"^  crm@demo.example     crmCompanyEdit: companies (.*)$", first.stdout, re.M)
    assert crm and re.fullmatch(
        r"C000001 \(.+\), C000002 \(.+\); may change customers' roles and identities", crm[1]
    )

    again = cli("demo", "--companies", "20")
    assert again.returncode == 0, again.stderr
    assert "0 new, 20 already there" in again.stdout
    assert "password of every demo login: kept from an earlier run" in again.stdout
    assert generated not in again.stdout
    assert await passwords_work(generated)

    await cli.add_token("crm@demo.example")
    third = cli("demo", "--companies", "20", "--password", "a-new-demo-password")
    assert "password of every demo login: a-new-demo-password" in third.stdout
    assert await passwords_work("a-new-demo-password")
    assert await cli.tokens("crm@demo.example") == 0  # a new password ends old sign-ins
