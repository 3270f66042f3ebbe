"""`opsportal companies import FILE.csv`: what was read how, what was imported, and every
skipped row with its line and reason (the first 20 on screen, all in --rejects FILE.csv)."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from domain.errors import CompanyCode, CompanyRefused, DomainError
from domain.key_vault import KeyVault
from opsportal.cli_runtime import run_with_database
from opsportal.config import Settings

if TYPE_CHECKING:
    from domain.company_import import ImportReport, Progress, Reject, SourceRow

# An import: its rows, a progress callback and a reject callback in; its report out.
Importer = Callable[
    [Iterator["SourceRow"], "Progress", Callable[["Reject"], None]], Awaitable["ImportReport"]
]

BAR = 40
ON_SCREEN = 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text as a terminal or spreadsheet may show it: control characters as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _count_rows(path: Path) -> int:
    """Data rows in a CSV file, counted fast for the progress bar (a quoted newline inside a
    field makes it an estimate, which is all a progress bar needs)."""
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def _open_rejects(path: str | None, source: Path) -> TextIO | None:
    if path is None:
        return None
    target = Path(path)
    if target.exists() and target.resolve() == source.resolve():
        raise CompanyRefused(
            CompanyCode.INVALID, f"--rejects {path}: that is the file being imported."
        )
    try:
        # With a BOM: the spreadsheet that opens it then reads it as UTF-8.
        return target.open("w", newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CompanyRefused(CompanyCode.INVALID, f"--rejects {path}: {exc.strerror}.") from None


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    def importer() -> Importer:
        from domain.company_import import import_companies

        return import_companies

    return run_import(
        args,
        settings,
        importer,
        key_columns=("code", "name"),
        summary=lambda r: f"imported {r.imported:,} companies, skipped {r.skipped_total:,}",
    )


def run_import(
    args: argparse.Namespace,
    settings: Settings,
    importer: Callable[[], Importer],
    *,
    key_columns: tuple[str, str],
    summary: Callable[[Any], str],
    required: tuple[str, ...] | None = None,
) -> int:
    """An import command (companies, the catalog, contract prices): the file read as
    opsportal.company_csv reads it (refused before the database is opened), a progress bar on
    a terminal, every skipped row with its line and reason (the first ON_SCREEN on screen, all
    in --rejects), one line when the import fails (nothing is imported: one transaction)."""
    from opsportal.company_csv import layout, parse_delimiter, rows

    path = Path(args.file)
    if not path.is_file():
        raise CompanyRefused(CompanyCode.NOT_FOUND, f"{path}: no such file.")
    delimiter = parse_delimiter(args.delimiter) if args.delimiter is not None else None
    shape = layout(path, args.encoding, delimiter, *([required] if required else []))
    print(f"{path}: {shape.describe()}")
    total = _count_rows(path) if sys.stderr.isatty() else 0

    def progress(phase: str, done: int, of: int) -> None:
        # Reading counts the file's lines, storing the good rows; indexing is one step.
        if total:
            of = of or total
            if phase == "indexing":
                filled, said = BAR, "the word index, then the commit"
            else:
                filled, said = int(BAR * min(done, of) / of), f"{done / of:4.0%} {done:,}/{of:,}"
            bar = "#" * filled + "-" * (BAR - filled)
            print(f"\r[{bar}] {phase:<8} {said:<32}", end="", file=sys.stderr, flush=True)

    shown: list[Reject] = []

    async def work(vault: KeyVault | None) -> int:
        out = _open_rejects(args.rejects, path)
        writer = csv.writer(out) if out else None
        if writer:
            writer.writerow(["line", *key_columns, "reason"])

        def rejected(reject: Reject) -> None:
            if len(shown) < ON_SCREEN:
                shown.append(reject)
            if writer:
                code, name = printable(reject.code), printable(reject.name)
                writer.writerow([reject.line, code, name, reject.reason])

        try:
            report: Any = await importer()(rows(path, shape), progress, rejected)
        except DomainError:
            raise
        except Exception as exc:  # noqa: BLE001 - one transaction: it is undone whole
            detail = (str(exc).strip().splitlines() or [""])[0][:300]
            print(
                f"{chr(10) if total else ''}opsportal: the import failed and nothing was "
                f"imported ({type(exc).__name__}: {detail})",
                file=sys.stderr,
            )
            return 1
        finally:
            if out:
                out.close()
        if total:
            print(file=sys.stderr)
        print(summary(report))
        for reason, count in report.skipped.most_common():
            if count:
                print(f"  skipped {count:,}: {reason}")
        if shown:
            print("skipped rows:")
            for reject in shown:
                code = printable(reject.code[:40]) or f"(no {key_columns[0]})"
                print(f"  line {reject.line}: {code}: {reject.reason}")
            more = report.skipped_total - len(shown)
            if more and not args.rejects:
                print(f"  ...and {more:,} more: --rejects FILE.csv lists them all")
            elif args.rejects:
                print(f"  all {report.skipped_total:,} are in {args.rejects}")
        return 0

    return run_with_database(settings, work, keys=False)


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    formatter: type[argparse.HelpFormatter],
) -> None:
    """The `companies` command."""
    companies = commands.add_parser(
        "companies",
        help="manage companies (import)",
        description="Manage companies: `opsportal companies import FILE.csv`.",
        formatter_class=formatter,
    ).add_subparsers(dest="companies_command", required=True, metavar="SUBCOMMAND")
    imp = companies.add_parser(
        "import",
        help="import companies from a CSV file with the columns code and name",
        description="Import companies from a CSV file with the columns code and name (any "
        "order, any case; other columns are ignored). Codes already present, and rows with a "
        "bad code or name, are skipped with their line and reason; the import never stops "
        "half way, and running it again adds nothing twice.",
        formatter_class=formatter,
    )
    imp.add_argument("file", metavar="FILE.csv", help="the CSV file")
    imp.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's encoding, e.g. utf-8, cp1252, cp1250, latin-1, utf-16 (default: a "
        "BOM's, else UTF-8 when the file is valid UTF-8, else guessed among the Windows code "
        "pages, Windows-1252 first)",
    )
    imp.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="the field delimiter: one character, or 'tab' (default: sniffed from the file "
        "among , ; tab |)",
    )
    imp.add_argument(
        "--rejects",
        metavar="FILE.csv",
        help="write every skipped row (line, code, name, reason) to this CSV file (default: "
        f"none; the first {ON_SCREEN} are shown on screen)",
    )
    imp.set_defaults(handler=cmd_import)
