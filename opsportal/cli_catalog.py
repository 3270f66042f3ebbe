"""`opsportal catalog import FILE.csv` and `opsportal prices import FILE.csv`: the companies
import's command (opsportal.cli_import) for the catalog: the same reading (encodings,
delimiter, line numbers), progress bar, rejects on screen and in --rejects, one line and exit
2 on bad input, and an import that is all or nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from opsportal.cli_import import ON_SCREEN, Importer, run_import
from opsportal.config import Settings


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
    kind = _kinds()[args.command]
    return run_import(
        args,
        settings,
        kind.importer,
        key_columns=kind.key_columns,
        required=kind.required,
        summary=lambda r: (
            f"imported {r.imported:,} new {kind.what}, updated {r.updated:,}, "
            f"skipped {r.skipped_total:,}"
        ),
    )


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
