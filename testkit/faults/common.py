"""What the fault scripts share: a database, servers started on it, and the public APIs.

Everything is checked through GraphQL over HTTP and the cXML route, as a frontend or a buyer
sees it; never by reading tables.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from testkit.documents import SAFE_XML, setup_document
from testkit.operations import ADD_PUNCHOUT_CUSTOMER, LOGIN
from testkit.postgres import throwaway_postgres
from testkit.servers import Server, start_server


class Report:
    """Prints each observation as it comes, and keeps the problems for the verdict."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def say(self, line: str) -> None:
        print(line, flush=True)

    def expect(self, ok: bool, problem: str) -> bool:
        if not ok:
            self.problems.append(problem)
        return ok

    def finish(self) -> int:
        """Prints the verdict; the exit status."""
        if not self.problems:
            self.say("result: PASS")
            return 0
        self.say("result: FAIL")
        for problem in self.problems:
            self.say(f"  - {problem}")
        return 1


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--database-url",
        help="sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB (its data is kept; the "
        "script adds its own, under fresh names); default: SQLite in a temporary folder",
    )
    where.add_argument(
        "--postgres",
        action="store_true",
        help="PostgreSQL on a throwaway local cluster (needs PostgreSQL's server binaries)",
    )


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """The database URL the arguments ask for."""
    if args.database_url:
        yield args.database_url
    elif args.postgres:
        with throwaway_postgres() as url:
            yield url
    else:
        yield f"sqlite://{tempfile.mkdtemp(prefix='opsportal-faults-')}/faults.sqlite3"


def dialect(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite://").split("?", 1)[0])


class Bed:
    """A database, a working folder, a staff administrator, and the servers started on it one
    after another (their output kept in the folder, one file per start)."""

    def __init__(self, database_url: str) -> None:
        if database_url.startswith("sqlite://"):  # the servers run in another folder
            path, mark, options = database_url.removeprefix("sqlite://").partition("?")
            database_url = f"sqlite://{Path(path).resolve()}{mark}{options}"
        self.database_url = database_url
        self.dialect = dialect(database_url)
        self.folder = Path(tempfile.mkdtemp(prefix="opsportal-faults-run-"))
        self.tag = secrets.token_hex(3)  # fresh names for this run's staff, company, customers
        self.email = f"faults-{self.tag}@supplier.example"
        self.password = secrets.token_urlsafe(12)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        # The key-encryption key that seals PUNCHOUT API Keys (PostgreSQL needs one given): one
        # for the whole run, as a restarted server must open what the one before it sealed.
        env.setdefault(
            "OPSPORTAL_KEY_ENCRYPTION_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode()
        )
        self.env = env
        self.starts = 0

    def add_staff(self) -> None:
        """The run's administrator, through the command line (which also migrates)."""
        done = subprocess.run(
            [sys.executable, "-m", "opsportal.cli", "staff", "add", self.email]
            + [f"--password={self.password}", "--administrator"],  # it may begin with "-"
            cwd=self.folder,
            env={**self.env, "DATABASE_URL": self.database_url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"opsportal staff add failed: {done.stderr.strip()}")

    def start(self, workers: int = 1) -> Server:
        """`opsportal serve`, answering /healthz."""
        self.starts += 1
        out = (self.folder / f"server-{self.starts}.stdout").open("w")
        err = (self.folder / f"server-{self.starts}.stderr").open("w")
        try:
            return start_server(
                self.database_url,
                self.folder,
                env=self.env,
                workers=workers,
                stdout=out,
                stderr=err,
            )
        finally:
            out.close()
            err.close()

    def server_stderr(self) -> str:
        return "".join(p.read_text() for p in sorted(self.folder.glob("server-*.stderr")))

    def server_stdout(self) -> str:
        return "".join(p.read_text() for p in sorted(self.folder.glob("server-*.stdout")))

    def stderr_findings(self) -> dict[str, int]:
        """How often the servers' stderr says what it never should."""
        text = self.server_stderr()
        return {
            "database is locked": text.count("database is locked"),
            "Traceback": text.count("Traceback"),
        }

    def check_servers(self, report: Report, *, access_log: bool) -> Report:
        """Report what the servers' output says (HTTP 500s in the access log, when asked;
        what their stderr should never say) and expect none of it."""
        findings = self.stderr_findings()
        said = ", ".join(f"{n} {what!r}" for what, n in findings.items())
        if access_log:
            errors = self.server_stdout().count('" 500')
            report.say(f"server: {errors} HTTP 500 answers in its access log; stderr: {said}")
            report.expect(errors == 0, f"{errors} HTTP 500 answers")
        else:
            report.say(f"servers' stderr: {said}")
        for what, n in findings.items():
            report.expect(n == 0, f"{n} {what!r} in the servers' stderr (see {self.folder})")
        return report


class Staff:
    """The GraphQL API as the frontend uses it: JSON POST with a bearer token."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http, self.token = http, token

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The answer's data; RuntimeError on any error."""
        response = await self.post(query, variables)
        body = response.json() if response.status_code == 200 else {}
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"GraphQL failed: HTTP {response.status_code} {response.text}")
        data: dict[str, Any] = body["data"]
        return data

    async def login(self, email: str, password: str) -> str:
        data = await self.data(LOGIN, {"email": email, "password": password})
        token: str | None = data["login"]["token"]
        if not token:
            raise RuntimeError(f"login failed: {data}")
        self.token = token
        return token

    async def create_company(self, name: str, code: str) -> str:
        data = await self.data(CREATE_COMPANY, {"name": name, "code": code})
        payload = data["createCompany"]
        if payload["errors"]:
            raise RuntimeError(f"createCompany failed: {payload['errors']}")
        company_id: str = payload["company"]["id"]
        return company_id

    async def add_customer(self, company_id: str, username: str) -> httpx.Response:
        return await self.post(
            ADD_PUNCHOUT_CUSTOMER, {"companyId": company_id, "username": username}
        )

    async def customers(self, company_id: str) -> list[CustomerState]:
        """Every customer of the company: its key as an administrator reads it, how many keys
        it has, and how many records of its creation its audit trail holds."""
        found: list[CustomerState] = []
        after = None
        while True:
            data = await self.data(CUSTOMERS_CHECK, {"id": company_id, "after": after})
            page = data["company"]["customers"]
            for edge in page["edges"]:
                node = edge["node"]
                actions = [e["node"]["action"] for e in node["auditEvents"]["edges"]]
                found.append(
                    CustomerState(
                        id=node["id"],
                        username=node["username"],
                        key=node["punchoutCredentials"]["sharedSecret"],
                        keys=len(node["punchoutKeys"]),
                        creations=actions.count("customer.add_punchout"),
                    )
                )
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]


CREATE_COMPANY = """
mutation CreateCompany($name: String!, $code: String!) {
  createCompany(input: {name: $name, code: $code}) { company { id } errors { code message } }
}"""
# Newest first: a creation record stays on the first page as long as a customer has fewer
# than 100 later events (each check reads the key once, and that read is one).
CUSTOMERS_CHECK = """
query Check($id: ID!, $after: String) { company(id: $id) {
  customers(first: 50, after: $after) {
    edges { node { id username punchoutCredentials { sharedSecret } punchoutKeys { isCurrent }
      auditEvents(first: 100) { edges { node { action } } } } }
    pageInfo { hasNextPage endCursor }
  }
} }"""


@dataclass
class CustomerState:
    id: str
    username: str
    key: str | None  # the current key, as punchoutCredentials gives it
    keys: int  # how many punchoutKeys it has (one, unless rotated)
    creations: int  # records of its creation in its audit trail

    @property
    def whole(self) -> bool:
        """It has its one key and exactly one record of its creation."""
        return bool(self.key) and self.keys == 1 and self.creations == 1


def add_outcome(response: httpx.Response) -> str:
    """'created', an error code such as 'TAKEN', or what went wrong instead."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    if body.get("errors"):
        return f"GraphQL error: {body['errors'][0].get('message')}"
    payload = body["data"]["addPunchoutCustomer"]
    if payload["errors"]:
        return ",".join(e["code"] for e in payload["errors"])
    return "created" if payload["customer"] else "no customer and no error"


async def post_cxml(
    http: httpx.AsyncClient, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, int | None, etree._Element | None]:
    """(HTTP status, cXML Status code, the answer's root) of one POST to /cxml."""
    response = await http.post(
        "/cxml", content=body, headers=headers or {"Content-Type": "text/xml"}
    )
    try:
        root = etree.fromstring(response.content, SAFE_XML)
        status = root.find("Response/Status")
        code = int(status.get("code") or "") if status is not None else None
    except (etree.XMLSyntaxError, TypeError, ValueError):
        root, code = None, None
    return response.status_code, code, root


async def setup_works(http: httpx.AsyncClient, username: str, key: str) -> bool:
    """A PunchOutSetupRequest with this Sender and key gets a StartPage URL."""
    document = setup_document(username, key, payload=f"{secrets.token_hex(8)}@faults.example")
    status, code, root = await post_cxml(http, document.encode())
    start = (
        root.findtext("Response/PunchOutSetupResponse/StartPage/URL") if root is not None else None
    )
    return status == 200 and code == 200 and bool(start)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak) of a process, in KiB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0])
    return figures


def reset_peak(pid: int) -> bool:
    """Start VmHWM again from the current RSS (Linux: clear_refs 5); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"
