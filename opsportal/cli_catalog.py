"""`opsportal catalog import FILE.csv` and `opsportal prices import FILE.csv`: the companies
import's command (opsportal.cli_import) for the catalog: the same reading (encodings,
delimiter, line numbers), progress bar, rejects on screen and in --rejects, one line and exit
2 on bad input, and an import that is all or nothing."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.company_import import ImportReport, Progress, Reject, SourceRow
from domain.errors import CompanyCode, CompanyRefused, DomainError
from domain.key_vault import KeyVault
from opsportal.cli_import import BAR, ON_SCREEN, _count_rows, _open_rejects, printable
from opsportal.cli_runtime import run_with_database
from opsportal.config import Settings

Importer = Callable[
    [Iterator[SourceRow], Progress, Callable[[Reject], None]], Awaitable[ImportReport]
]


@dataclass(frozen=True)
class Kind:
    """What one import command reads and calls."""

    what: str  # "products", "contract prices"
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key_columns: tuple[str, str]  # the reject file's two identifying columns
    importer: Callable[[], Importer]


def _products() -> Importer:
    from domain.product_import import import_products

    return import_products


def _prices() -> Importer:
    from domain.price_import import import_prices

    return import_prices


def _kinds() -> dict[str, Kind]:
    from domain import price_import, product_import

    return {
        "catalog": Kind(
            "products",
            product_import.REQUIRED,
            product_import.OPTIONAL,
            ("part_id", "name"),
            _products,
        ),
        "prices": Kind(
            "contract prices",
            price_import.REQUIRED,
            price_import.OPTIONAL,
            ("part_id", "company_code"),
            _prices,
        ),
    }


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from opsportal.company_csv import layout, parse_delimiter, rows

    kind = _kinds()[args.command]
    path = Path(args.file)
    if not path.is_file():
        raise CompanyRefused(CompanyCode.NOT_FOUND, f"{path}: no such file.")
    delimiter = parse_delimiter(args.delimiter) if args.delimiter is not None else None
    shape = layout(path, args.encoding, delimiter, kind.required)  # before the database
    print(f"{path}: {shape.describe()}")
    total = _count_rows(path) if sys.stderr.isatty() else 0

    def progress(phase: str, done: int, of: int) -> None:
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
            writer.writerow(["line", *kind.key_columns, "reason"])

        def rejected(reject: Reject) -> None:
            if len(shown) < ON_SCREEN:
                shown.append(reject)
            if writer:
                writer.writerow(
                    [reject.line, printable(reject.code), printable(reject.name), reject.reason]
                )

        try:
            report: Any = await kind.importer()(rows(path, shape), progress, rejected)
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
        print(
            f"imported {report.imported:,} new {kind.what}, updated {report.updated:,}, "
            f"skipped {report.skipped_total:,}"
        )
        for reason, count in report.skipped.most_common():
            print(f"  skipped {count:,}: {reason}")
        if shown:
            print("skipped rows:")
            for reject in shown:
                print(f"  line {reject.line}: {printable(reject.code[:40])}: {reject.reason}")
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
    """The `catalog` and `prices` commands."""
    for name, kind in _kinds().items():
        group = commands.add_parser(
            name,
            help=f"manage {kind.what} (import)",
            description=f"Manage {kind.what}: `opsportal {name} import FILE.csv`.",
            formatter_class=formatter,
        ).add_subparsers(dest=f"{name}_command", required=True, metavar="SUBCOMMAND")
        imp = group.add_parser(
            "import",
            help=f"import {kind.what} from a CSV file (upsert)",
            description=f"Import {kind.what} from a CSV file with the columns "
            f"{', '.join(kind.required)} and optionally {', '.join(kind.optional)} (any "
            "order, any case; other columns are ignored); see the README for each column. "
            "Rows already there are updated, new ones added; bad rows are skipped with their "
            "line and reason. The import is all or nothing: one transaction.",
            formatter_class=formatter,
        )
        imp.add_argument("file", metavar="FILE.csv", help="the CSV file")
        imp.add_argument(
            "--encoding",
            metavar="NAME",
            help="the file's encoding, e.g. utf-8, cp1252, latin-1, utf-16 (default: a BOM's, "
            "else UTF-8 when the file is valid UTF-8, else guessed among the Windows code pages)",
        )
        imp.add_argument(
            "--delimiter",
            metavar="CHAR",
            help="the field delimiter: one character, or 'tab' (default: sniffed among , ; tab |)",
        )
        imp.add_argument(
            "--rejects",
            metavar="FILE.csv",
            help=f"write every skipped row (line, {', '.join(kind.key_columns)}, reason) to this "
            f"CSV file (default: none; the first {ON_SCREEN} are shown on screen)",
        )
        imp.set_defaults(handler=cmd_import, command=name)
