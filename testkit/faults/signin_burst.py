"""Concurrent sign-ins against the sign-in limits, and other requests answered meanwhile.

    python -m bench.faults.signin_burst [--wrong 40] [--emails 41]
                                        [--database-url URL | --postgres]

Starts `opsportal serve` (one worker) trusting loopback as its reverse proxy
(OPSPORTAL_TRUSTED_PROXIES=127.0.0.1), so that each burst comes from an address of its own,
named in X-Forwarded-For. Each login goes on its own connection, all at once:

- one account: `wrong` sign-ins with wrong passwords, and the right password sent as soon as
  the first RATE_LIMITED answer comes back, the others still in flight (or once every answer is
  back, if none is RATE_LIMITED). Expected: at most 5 passwords checked (answered
  INVALID_CREDENTIALS), every other answer RATE_LIMITED, the right password too; and another
  account still signs in from that address (a refused attempt is not a failure of the address).
- one address: sign-ins for `emails` different unknown emails. Expected: at most 20 checked,
  the others RATE_LIMITED; then a right password from that address is RATE_LIMITED too.

During each burst, `GET /healthz` and `{ __typename }` are sent every 20 ms from its start
until its last answer. Expected: some of them answered before the burst's last answer (argon2
runs off the event loop, a bounded number at a time, and a burst on one account or from one
address takes turns); their latencies are printed. The server's stderr must hold no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from testkit.faults.common import Bed, Report, add_database_arguments, database
from testkit.operations import LOGIN
from testkit.stats import percentile

ACCOUNT_LIMIT, ADDRESS_LIMIT = 5, 20  # domain/login_limits.py's defaults
PROBE_EVERY = 0.02


@dataclass
class Burst:
    """What one burst got back."""

    answers: Counter[str]  # INVALID_CREDENTIALS, RATE_LIMITED, "token"...
    right: str | None = None  # the right password's answer, in the account burst
    seconds: float = 0.0  # from sending the burst to its last answer
    probes: list[tuple[str, float, float]] = field(default_factory=list)  # what, sent, answered

    @property
    def checked(self) -> int:
        """Passwords the server checked: each wrong one answered INVALID_CREDENTIALS."""
        return self.answers["INVALID_CREDENTIALS"] + self.answers["token"]

    def probes_before_the_end(self) -> int:
        return sum(done < self.seconds for _, _, done in self.probes)

    def latency(self, what: str) -> str:
        ms = [(done - sent) * 1000 for name, sent, done in self.probes if name == what]
        if not ms:
            return f"{what}: none sent"
        median, slowest = percentile(ms, 0.5), max(ms)
        return f"{what}: {len(ms)} sent, median {median:.0f} ms, slowest {slowest:.0f} ms"


@dataclass
class Observed:
    account: Burst
    address: Burst
    other_account: str  # another account from the account burst's address: "token" or a code
    right_from_address: str  # the right password from the address burst's address


def _outcome(response: httpx.Response) -> str:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    if body.get("errors"):
        return f"GraphQL error: {body['errors'][0].get('message')}"
    login = body["data"]["login"]
    if login["token"]:
        return "token"
    return ",".join(e["code"] for e in login["errors"]) or "no token and no error"


async def _login(http: httpx.AsyncClient, email: str, password: str, address: str) -> str:
    try:
        response = await http.post(
            "/graphql",
            json={"query": LOGIN, "variables": {"email": email, "password": password}},
            headers={"X-Forwarded-For": address},
        )
    except httpx.TransportError as exc:
        return f"no answer ({type(exc).__name__})"
    return _outcome(response)


async def _probe(http: httpx.AsyncClient, what: str, start: float) -> tuple[str, float, float]:
    sent = time.perf_counter() - start
    if what == "/healthz":
        response = await http.get("/healthz")
    else:
        response = await http.post("/graphql", json={"query": "{ __typename }"})
    if response.status_code != 200:
        what = f"{what} HTTP {response.status_code}"
    return what, sent, time.perf_counter() - start


async def _burst(
    base: str, logins: list[tuple[str, str]], address: str, right: tuple[str, str] | None
) -> Burst:
    """Every login at once, each on its own connection; probes while they are in flight."""
    limits = httpx.Limits(max_connections=len(logins) + 8, max_keepalive_connections=0)
    async with (
        httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http,
        httpx.AsyncClient(base_url=base, timeout=60) as probes_http,
    ):
        start = time.perf_counter()
        finished: list[float] = []

        async def timed(email: str, password: str) -> str:
            outcome = await _login(http, email, password, address)
            finished.append(time.perf_counter() - start)
            return outcome

        tasks = [asyncio.create_task(timed(e, p)) for e, p in logins]
        probes: list[asyncio.Task[tuple[str, float, float]]] = []
        in_flight = set(tasks)

        async def probing() -> None:
            while in_flight:
                probes.extend(
                    asyncio.create_task(_probe(probes_http, what, start))
                    for what in ("/healthz", "{ __typename }")
                )
                await asyncio.sleep(PROBE_EVERY)

        prober = asyncio.create_task(probing())
        right_task = None
        if right:  # once the limit is known to be reached: a refusal (or every answer) is back
            pending = set(tasks)
            while pending and not any(t.result() == "RATE_LIMITED" for t in tasks if t.done()):
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            right_task = asyncio.create_task(timed(*right))
            in_flight.add(right_task)
        while in_flight:
            done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            in_flight.difference_update(done)
        await prober
        answers = Counter([await t for t in tasks])
        burst = Burst(answers, seconds=max(finished))
        burst.right = await right_task if right_task else None
        burst.probes = [await p for p in probes]
        return burst


def _add_staff(bed: Bed, email: str, password: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "opsportal.cli", "staff", "add", email, f"--password={password}"],
        cwd=bed.folder,
        env={**bed.env, "DATABASE_URL": bed.database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"opsportal staff add failed: {done.stderr.strip()}")


async def _observe(
    bed: Bed, base: str, wrong: int, emails: int, other: tuple[str, str]
) -> Observed:
    # Documentation addresses (RFC 5737), never contacted: only named in a header.
    first, second = (f"198.51.100.{secrets.randbelow(250) + 1}" for _ in range(2))
    while second == first:
        second = f"198.51.100.{secrets.randbelow(250) + 1}"
    guesses = [(bed.email, f"wrong guess {n} {secrets.token_hex(4)}") for n in range(wrong)]
    account = await _burst(base, guesses, first, (bed.email, bed.password))
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        other_answer = await _login(http, *other, first)
    unknown = [(f"nobody-{n}-{bed.tag}@supplier.example", "some password") for n in range(emails)]
    address = await _burst(base, unknown, second, None)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        right_answer = await _login(http, *other, second)
    return Observed(account, address, other_answer, right_answer)


def observe(database_url: str, wrong: int = 40, emails: int = 41) -> tuple[Observed, Bed]:
    """Both bursts against a new server on `database_url`: what came back, and the bed (its
    servers' output)."""
    bed = Bed(database_url)
    bed.env = {k: v for k, v in bed.env.items() if k != "FORWARDED_ALLOW_IPS"}
    bed.env["OPSPORTAL_TRUSTED_PROXIES"] = "127.0.0.1"
    bed.add_staff()
    other = (f"other-{bed.tag}@supplier.example", secrets.token_urlsafe(12))
    _add_staff(bed, *other)
    server = bed.start()
    try:
        return asyncio.run(_observe(bed, server.base, wrong, emails, other)), bed
    finally:
        server.process.terminate()
        server.process.wait(timeout=60)


def _shown(answers: Counter[str]) -> str:
    return ", ".join(f"{n} {what}" for what, n in answers.most_common())


def run(database_url: str, wrong: int = 40, emails: int = 41) -> Report:
    report = Report()
    report.say(
        f"database: {'sqlite' if database_url.startswith('sqlite') else 'postgres'}; one uvicorn "
        f"worker on loopback; {wrong} wrong passwords for one account and the right one, then "
        f"{emails} unknown emails from one address; limits {ACCOUNT_LIMIT} per account, "
        f"{ADDRESS_LIMIT} per address"
    )
    seen, bed = observe(database_url, wrong, emails)
    account, address = seen.account, seen.address
    report.say(
        f"one account: {_shown(account.answers)}; the right password: {account.right}; "
        f"passwords checked: {account.checked} (last answer after {account.seconds:.2f} s)"
    )
    report.say(f"  during it: {account.latency('/healthz')}; {account.latency('{ __typename }')}")
    report.say(f"  another account from that address: {seen.other_account}")
    report.expect(
        account.checked <= ACCOUNT_LIMIT,
        f"{account.checked} passwords of one account checked, over {ACCOUNT_LIMIT}",
    )
    report.expect(account.right == "RATE_LIMITED", f"the right password got {account.right}")
    report.expect(
        account.answers["RATE_LIMITED"] == wrong - account.checked,
        f"one account's answers were {dict(account.answers)}",
    )
    report.expect(
        seen.other_account == "token",
        "another account could not sign in from the address of the account burst: "
        f"{seen.other_account}",
    )
    report.say(
        f"one address: {_shown(address.answers)}; passwords checked: {address.checked} "
        f"(last answer after {address.seconds:.2f} s)"
    )
    report.say(f"  during it: {address.latency('/healthz')}; {address.latency('{ __typename }')}")
    report.say(f"  then a right password from that address: {seen.right_from_address}")
    report.expect(
        address.checked <= ADDRESS_LIMIT,
        f"{address.checked} passwords from one address checked, over {ADDRESS_LIMIT}",
    )
    report.expect(
        seen.right_from_address == "RATE_LIMITED",
        f"a right password from the limited address got {seen.right_from_address}",
    )
    for name, burst in (("account", account), ("address", address)):
        failed = [what for what, _, _ in burst.probes if "HTTP" in what]
        report.expect(not failed, f"{name} burst: probes failed: {failed}")
        report.expect(
            burst.probes_before_the_end() >= 2,
            f"{name} burst: no /healthz and {{ __typename }} answered before its last sign-in",
        )
    return bed.check_servers(report, access_log=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", type=int, default=40, help="wrong passwords for one account")
    parser.add_argument("--emails", type=int, default=41, help="unknown emails from one address")
    add_database_arguments(parser)
    args = parser.parse_args()
    with database(args) as url:
        return run(url, args.wrong, args.emails).finish()


if __name__ == "__main__":
    sys.exit(main())
