"""The sign-in limits under concurrency, through a real `opsportal serve` on SQLite and on
PostgreSQL (the scenario of bench/faults/signin_burst.py): however many sign-ins arrive at once,
at most 5 wrong passwords per account and 20 per address are checked in a window, the right
password is refused once the limit is reached, and other requests are answered meanwhile."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from testkit.faults import signin_burst
from testkit.postgres import fresh_database

pytestmark = pytest.mark.faults


@pytest.fixture(params=["sqlite", "postgres"])
def server_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path}/burst.sqlite3"
    else:
        url = fresh_database(request.getfixturevalue("postgres_url"), "opsportal_signin_burst")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the servers' logs
    return url


def test_a_burst_of_sign_ins_checks_at_most_the_limits(server_database: str) -> None:
    seen, bed = signin_burst.observe(server_database, wrong=40, emails=41)
    account, address = seen.account, seen.address
    # One account, 40 wrong passwords at once, and the right one: 5 checked, the rest refused
    # unchecked, the right one among them.
    assert account.answers["INVALID_CREDENTIALS"] <= 5, account.answers
    assert account.answers["INVALID_CREDENTIALS"] + account.answers["RATE_LIMITED"] == 40
    assert account.right == "RATE_LIMITED"
    # Refused attempts are no failures of the address: another account signs in from it.
    assert seen.other_account == "token"
    # One address, 41 unknown emails at once: 20 checked; then the address is refused.
    assert address.answers["INVALID_CREDENTIALS"] <= 20, address.answers
    assert address.answers["INVALID_CREDENTIALS"] + address.answers["RATE_LIMITED"] == 41
    assert seen.right_from_address == "RATE_LIMITED"
    # Other requests sent during each burst were answered while its sign-ins were in flight.
    for burst in (account, address):
        assert all("HTTP" not in what for what, _, _ in burst.probes), burst.probes
        assert burst.probes_before_the_end() >= 2, (burst.probes, burst.seconds)
    assert bed.stderr_findings()["Traceback"] == 0
