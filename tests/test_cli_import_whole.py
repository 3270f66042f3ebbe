"""`opsportal companies import` is all or nothing: a database failure half way, or the process
killed half way, leaves no company behind and the schema as it was, and the same command then
imports everything; its progress bar on a terminal; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.cli_helpers import Cli, cli_fixture, one_line  # noqa: F401 - the cli fixture


def write_rows(path: Path, count: int, special: dict[int, str] | None = None) -> None:
    lines = ["code,name"]
    for i in range(count):
        code = (special or {}).get(i, f"W{i:06d}")
        lines.append(f"{code},Whole Company {i % 977} {('Nord', 'Süd', 'Ost')[i % 3]}")
    path.write_text("\n".join(lines) + "\n")


def on_terminal(
    cli: Cli, args: list[str], until: str | None = None, timeout: float = 300
) -> tuple[subprocess.Popen[str], str]:
    """The command with a terminal for stderr (where the progress bar goes): what it drew,
    up to `until` (the process left running) or to its end."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "opsportal.cli", *args],
        cwd=cli.folder,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    )
    os.close(follower)
    drawn, deadline = "", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not (until and until in drawn):
            if select.select([leader], [], [], 0.2)[0]:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the process has ended and closed the terminal
                    break
                if not chunk:
                    break
                drawn += chunk.decode(errors="replace")
            elif process.poll() is not None:
                break
    finally:
        os.close(leader)
    return process, drawn


async def schema(cli: Cli) -> list[tuple[object, ...]]:
    """The company tables' indexes, constraints and triggers, as they stand."""
    if cli.dialect == "sqlite":
        return sorted(
            await cli.sql(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name LIKE 'company%'"
            )
        )
    indexes = await cli.sql(
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE tablename IN ('company', 'company_prefix')"
    )
    triggers = await cli.sql(
        "SELECT tgname, tgenabled FROM pg_trigger "
        "WHERE tgrelid = 'company'::regclass AND NOT tgisinternal"
    )
    return sorted(indexes) + sorted(triggers)


async def left_behind(cli: Cli) -> tuple[int, int, object]:
    """Companies, those the word index finds by the word every one has ("whole"), and
    whether the word index's triggers are paused."""
    if cli.dialect == "sqlite":  # a count(*) of FTS5 with external content counts the table
        found = "SELECT count(*) FROM company_fts WHERE company_fts MATCH 'whole'"
    else:
        found = "SELECT count(*) FROM company_prefix WHERE prefix = 'w'"
    companies = (await cli.sql("SELECT count(*) FROM company"))[0][0]
    entries = (await cli.sql(found))[0][0]
    paused = (await cli.sql("SELECT paused FROM search_index_state"))[0][0]
    return int(companies), int(entries), bool(paused)


async def test_a_database_failure_half_way_leaves_nothing(cli: Cli) -> None:
    assert cli("staff", "list").returncode == 0  # the schema, migrated
    before = await schema(cli)
    # The database fails (not a refused row: the whole transaction goes) at row 45,000 of
    # 50,000, in the third batch.
    if cli.dialect == "sqlite":
        await cli.sql(
            "CREATE TRIGGER boom BEFORE INSERT ON company WHEN NEW.code = 'BOOM' "
            "BEGIN SELECT RAISE(ROLLBACK, 'the disk is on fire'); END"
        )
    else:
        await cli.sql(
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.code = 'BOOM' THEN RAISE EXCEPTION 'the disk is on fire'; END IF; "
            "RETURN NEW; END $$"
        )
        await cli.sql(
            "CREATE TRIGGER boom BEFORE INSERT ON company FOR EACH ROW EXECUTE FUNCTION boom()"
        )
    write_rows(cli.folder / "whole.csv", 50_000, {45_000: "BOOM"})
    done = cli("companies", "import", "whole.csv", timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    line = one_line(done.stderr)
    assert "the import failed and nothing was imported" in line and "disk is on fire" in line
    assert "imported 5" not in done.stdout
    assert await left_behind(cli) == (0, 0, False)
    await cli.sql("DROP TRIGGER boom" + (" ON company" if cli.dialect == "postgres" else ""))
    assert await schema(cli) == before

    again = cli("companies", "import", "whole.csv", timeout=600)
    assert again.returncode == 0, again.stderr
    assert "imported 50,000 companies, skipped 0" in again.stdout
    companies, entries, paused = await left_behind(cli)
    assert (companies, entries, paused) == (50_000, 50_000, False)
    assert await schema(cli) == before


async def test_killed_half_way_leaves_nothing_and_the_bar_is_drawn(cli: Cli) -> None:
    assert cli("staff", "list").returncode == 0
    before = await schema(cli)
    write_rows(cli.folder / "big.csv", 100_000)
    process, drawn = on_terminal(cli, ["companies", "import", "big.csv"], until="storing")
    process.kill()
    process.wait()
    assert "] reading " in drawn and "] storing " in drawn, drawn
    assert "imported" not in (process.stdout.read() if process.stdout else "")
    deadline = time.monotonic() + 60  # PostgreSQL ends the killed client's session
    while (await left_behind(cli))[0] and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    assert await left_behind(cli) == (0, 0, False)
    assert await schema(cli) == before

    process, drawn = on_terminal(cli, ["companies", "import", "big.csv"])
    assert process.wait() == 0
    out = process.stdout.read() if process.stdout else ""
    assert "imported 100,000 companies, skipped 0" in out
    assert "100% 100,001/100,000" not in drawn  # the bar counts the file's lines, no more
    for shown in ("] reading ", "] storing  100% 100,000/100,000", "] indexing the word index"):
        assert shown in drawn, (shown, drawn[-500:])
    assert await left_behind(cli) == (100_000, 100_000, False)
    assert await schema(cli) == before
