"""`opsportal companies import` with the files spreadsheets and other systems write: encodings,
delimiters, bad rows (skipped with line and reason, never half way); SQLite and PostgreSQL."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pytest

from opsportal.company_csv import FIELD_LIMIT, guess_code_page
from tests.cli_helpers import Cli, cli_fixture, one_line  # noqa: F401 - the cli fixture

NAMES = {
    "W1": "Müller Stahl GmbH",
    "W2": "Ørsted Wind A/S",
    "W3": "Société Générale SA",
}
POLISH = {"P1": "Łódź Logistics Sp. z o.o.", "P2": "Zakład Przemysłowy Śląsk", "P3": "Kraków"}


def _write(folder: Path, name: str, text: str, encoding: str, bom: bytes = b"") -> Path:
    path = folder / name
    path.write_bytes(bom + text.encode(encoding))
    return path


def _table(rows: dict[str, str], delimiter: str, header: str = "code{d}name{d}country") -> str:
    lines = [header.format(d=delimiter)]
    lines += [f"{code}{delimiter}{name}{delimiter}XX" for code, name in rows.items()]
    return "\r\n".join(lines) + "\r\n"


async def _stored(cli: Cli) -> dict[str, str]:
    return dict(await cli.sql("SELECT code, name FROM company"))


async def test_encodings_and_delimiters_are_found(cli: Cli) -> None:
    cases = [
        # (file, bytes, what the command says it read)
        ("excel-western.csv", _table(NAMES, ","), "cp1252", b"", "cp1252 (guessed: not UTF-8)"),
        ("excel-polish.csv", _table(POLISH, ";"), "cp1250", b"", "cp1250 (guessed: not UTF-8)"),
        ("utf16.csv", _table({"U1": "Ünïcode Ltd"}, "\t"), "utf-16-le", codecs.BOM_UTF16_LE,
         "utf-16 (BOM)"),
        ("utf16be.csv", _table({"U2": "Big Énd AG"}, ";"), "utf-16-be", codecs.BOM_UTF16_BE,
         "utf-16 (BOM)"),
        ("bom.csv", _table({"B1": "Bömmel GmbH"}, "|"), "utf-8", codecs.BOM_UTF8,
         "utf-8-sig (BOM)"),
        ("plain.csv", _table({"C1": "Çelik A.Ş."}, ","), "utf-8", b"", "utf-8 (valid UTF-8)"),
    ]  # fmt: skip
    delimiters = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    for name, text, encoding, bom, said in cases:
        path = _write(cli.folder, name, text, encoding, bom)
        done = cli("companies", "import", str(path))
        assert done.returncode == 0, (name, done.stderr)
        delimiter = next(d for d in delimiters if f"code{d}name" in text)
        first = done.stdout.splitlines()[0]
        assert f"read as {said}, delimiter {delimiters[delimiter]} (sniffed)" in first, first
        assert "columns: code, name, country" in first
        assert "skipped 0" in done.stdout and "  skipped" not in done.stdout
    stored = await _stored(cli)
    assert {k: stored[k] for k in [*NAMES, *POLISH]} == {**NAMES, **POLISH}
    assert stored["U1"] == "Ünïcode Ltd" and stored["U2"] == "Big Énd AG"
    assert stored["B1"] == "Bömmel GmbH" and stored["C1"] == "Çelik A.Ş."


async def test_given_encoding_and_delimiter_win(cli: Cli) -> None:
    # Latin-1 is read as given, not guessed; a tab-separated file says so when told.
    path = _write(cli.folder, "l1.csv", "code\tname\nL1\tÆbelø ApS\n", "latin-1")
    done = cli("companies", "import", str(path), "--encoding", "latin-1", "--delimiter", "tab")
    assert done.returncode == 0, done.stderr
    assert "read as iso8859-1 (--encoding), delimiter tab (--delimiter)" in done.stdout
    assert (await _stored(cli))["L1"] == "Æbelø ApS"


def test_windows_1252_is_chosen_wherever_it_reads_as_well() -> None:
    western = "\n".join(["Ørsted Wind A/S", "Córdoba Foods SA", "São Paulo Ltda", "Ædelø"])
    assert guess_code_page(western.encode("cp1252")) == "cp1252"
    assert guess_code_page("Straße – “Größe”".encode("cp1252")) == "cp1252"
    czech = "Dvořák Strojírny s.r.o.\nPříbram Kovo a.s.\nČeské dráhy\nŽelezárny Třinec\n"
    assert guess_code_page(czech.encode("cp1250")) == "cp1250"
    # Too little to tell: a tie, which Windows-1252 (the most common) wins.
    assert guess_code_page("Škoda Auto a.s.\nDvořák".encode("cp1250")) == "cp1252"
    assert guess_code_page("ООО Ромашка\nСеверсталь".encode("cp1251")) == "cp1251"


@pytest.mark.parametrize(
    ("text", "args", "found"),
    [
        ("id;title\n1;Acme\n", [], "found 'id', 'title' (read as utf-8 (valid UTF-8), "
         "delimiter semicolon (sniffed))"),
        ("code;name\nA;Acme\n", ["--delimiter", ","], "found 'code;name'"),
        ("", [], "found none"),
    ],
)  # fmt: skip
def test_missing_columns_name_what_was_found(
    tmp_path: Path, text: str, args: list[str], found: str
) -> None:
    from tests.cli_helpers import clean_environment

    path = tmp_path / "in.csv"
    path.write_text(text)
    env = {**clean_environment(), "DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"}
    cli = Cli(tmp_path, env, env["DATABASE_URL"])
    done = cli("companies", "import", str(path), *args)
    assert done.returncode == 2 and done.stdout == ""
    line = one_line(done.stderr)
    assert "needs the columns code,name" in line and found in line, line
    assert not (tmp_path / "x.sqlite3").exists()  # refused before the database was opened


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--encoding", "klingon"], "unknown"),
        (["--delimiter", ";;"], "one character"),
        (["--rejects", "no/such/folder/r.csv"], "--rejects"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    from tests.cli_helpers import clean_environment

    (tmp_path / "in.csv").write_text("code,name\nA1,Acme\n")
    env = {**clean_environment(), "DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"}
    done = Cli(tmp_path, env, env["DATABASE_URL"])("companies", "import", "in.csv", *args)
    assert done.returncode == 2
    assert message in one_line(done.stderr)


async def test_bad_rows_are_skipped_with_line_and_reason_never_half_way(cli: Cli) -> None:
    good = [f"G{i},Good Company {i}" for i in range(11)]
    lines = [
        "code,name,notes",  # line 1
        *good,  # lines 2-12
        "HUGE," + "x" * 140_000,  # 13: a name of 140,000 characters
        "NUL1,Nul\x00Co",  # 14
        'BIG,Big Notes Ltd,"' + "n" * (FIELD_LIMIT + 10) + '"',  # 15: past the field limit
        "AFTER1,After The Big One",  # 16
        "",  # 17: blank, not a row
        "bad code,Bad Code Ltd",  # 18
        "G3,Repeated Code",  # 19
        'Q1,"Quoted, With Comma\nAnd A Newline"',  # 20-21
        "AFTER2,Last Good One",  # 22
    ]
    path = cli.folder / "mixed.csv"
    path.write_text("\n".join(lines) + "\n")
    done = cli("companies", "import", str(path), timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "imported 14 companies, skipped 5" in out
    assert "skipped 0" not in out
    for expected in [
        "  line 13: HUGE: name: A company name has at most 255 characters.",
        "  line 14: NUL1: name: A company name may not hold control characters.",
        f"  line 15: (no code): unreadable: field larger than field limit ({FIELD_LIMIT})",
        "  line 18: bad code: code: A company code has 1-64 characters",
        "  line 19: G3: duplicate code",
    ]:
        assert expected in out, out
    stored = await _stored(cli)
    assert len(stored) == 14
    assert stored["AFTER1"] == "After The Big One" and stored["AFTER2"] == "Last Good One"
    assert stored["Q1"] == "Quoted, With Comma And A Newline"
    assert "NUL1" not in stored and "HUGE" not in stored and "BIG" not in stored


async def test_twenty_on_screen_all_in_the_rejects_file(cli: Cli) -> None:
    rows = ["code,name", "OK1,Fine Ltd"] + [f"bad code {i},Bad {i}" for i in range(25)]
    rows.insert(10, "OK2,Fine Too\x01 Ltd")  # line 11: a control character
    (cli.folder / "many.csv").write_text("\n".join(rows) + "\n")
    done = cli("companies", "import", "many.csv")
    shown = [line for line in done.stdout.splitlines() if line.startswith("  line ")]
    assert len(shown) == 20 and shown[0].startswith("  line 3: bad code 0: code:")
    assert "  line 11: OK2: name: A company name may not hold control characters." in shown
    assert "...and 6 more: --rejects FILE.csv lists them all" in done.stdout

    again = cli("companies", "import", "many.csv", "--rejects", "rejects.csv")
    assert "all 27 are in rejects.csv" in again.stdout  # OK1 is a duplicate now
    with (cli.folder / "rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["line", "code", "name", "reason"]
    assert [int(r[0]) for r in written[1:]] == list(range(2, 29))
    assert written[1] == ["2", "OK1", "Fine Ltd", "duplicate code"]
    assert written[10][:3] == ["11", "OK2", "Fine Too\\x01 Ltd"]


async def test_a_row_the_database_refuses_is_skipped_alone(cli: Cli) -> None:
    assert cli("staff", "list").returncode == 0  # the schema, migrated
    if cli.dialect == "sqlite":
        refusal = (
            "CREATE TRIGGER refuse BEFORE INSERT ON company WHEN NEW.name = 'Refused Ltd' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    else:
        refusal = "ALTER TABLE company ADD CONSTRAINT refuse CHECK (name <> 'Refused Ltd')"
    await cli.sql(refusal)
    rows = ["code,name", "A1,Alpha Ltd", "R1,Refused Ltd", "A2,Beta Ltd"]
    (cli.folder / "r.csv").write_text("\n".join(rows) + "\n")
    done = cli("companies", "import", "r.csv")
    assert done.returncode == 0, done.stderr
    assert "imported 2 companies, skipped 1" in done.stdout
    assert "  line 3: R1: the database refused it (" in done.stdout
    assert await _stored(cli) == {"A1": "Alpha Ltd", "A2": "Beta Ltd"}
