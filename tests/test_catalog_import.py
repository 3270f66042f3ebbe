"""The catalog and prices imports: upsert by part ID (and company code and start), bad rows
skipped with their lines, ranks and word index as after one sort; the real commands with the
companies import's reading of files; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.catalog import get_product_by_part
from domain.catalog_prices import price_for
from domain.company_import import Reject
from domain.price_import import import_prices
from domain.product_import import import_products
from domain.product_search import find_products
from persistence.catalog_tables import Product
from tests.cli_helpers import Cli, cli_fixture, one_line  # noqa: F401 - the cli fixture
from tests.conftest import World


def product(part: str, name: str, **more: str) -> dict[str, str]:
    return {
        "part_id": part,
        "name": name,
        "unit_price": "2.50",
        "currency": "EUR",
        "unit": "EA",
        "unspsc": "44121700",
        **more,
    }


async def names(search: str) -> list[str]:
    return [p.name for p, _ in (await find_products(search, 50))[0]]


async def ranks_in_order() -> bool:
    rows = await Product.all().order_by("name_key", "id").values_list("sort_rank", flat=True)
    return all(a is not None and a < b for a, b in zip(rows, rows[1:], strict=False))


async def test_a_catalog_is_imported_ranked_and_indexed(world: World) -> None:
    rejects: list[Reject] = []
    rows = [product(f"P-{n:03d}", f"Pen blue {n:03d}") for n in range(50)]
    rows += [
        product("PAP-1", "Copy paper A4", classifications="eCl@ss:24-31-01-01"),
        product("BAD-1", "Bad unit", unit="BX"),
        product("BAD-2", "Bad price", unit_price="1,5"),
        product("P-000", "Duplicate of a row above"),
        product("BAD-3", "Bad flag", active="perhaps"),
    ]
    report = await import_products(rows, on_reject=rejects.append)
    assert (report.imported, report.updated, report.skipped_total) == (51, 0, 4)
    assert [(r.line, r.code) for r in rejects] == [
        (52, "BAD-1"),
        (53, "BAD-2"),
        (54, "P-000"),
        (55, "BAD-3"),
    ]
    assert rejects[0].reason.startswith('unitOfMeasure "BX"')
    assert await ranks_in_order()
    assert await names("blue 00") == [f"Pen blue {n:03d}" for n in range(10)]
    paper = await get_product_by_part("PAP-1")
    assert paper is not None and [c.domain for c in paper.classifications] == ["UNSPSC", "eCl@ss"]
    # Again with changes: prices updated in place, a rename moves it in the index.
    again = [product("P-001", "Pen blue 001", unit_price="2.75"), product("P-002", "Stapler")]
    again.append(product("NEW-1", "Notebook A5"))
    report = await import_products(again)
    assert (report.imported, report.updated, report.skipped_total) == (1, 2, 0)
    assert str((await get_product_by_part("P-001")).unit_price) == "2.75"  # type: ignore[union-attr]
    assert await names("stapler") == ["Stapler"] and "Pen blue 002" not in await names("blue")
    assert await names("note") == ["Notebook A5"]
    assert await ranks_in_order()


async def test_prices_are_imported_by_part_company_and_start(world: World) -> None:
    await import_products([product("PAP-1", "Copy paper A4"), product("PAP-2", "Copy paper A3")])
    rows = [
        {"part_id": "PAP-1", "company_code": "acme", "unit_price": "2.10"},
        {
            "part_id": "PAP-1",
            "company_code": "ACME",
            "unit_price": "1.90",
            "valid_from": "2026-03-01",
        },
        {"part_id": "PAP-2", "company_code": "GLOBEX", "unit_price": "3", "currency": "usd"},
        {"part_id": "PAP-9", "company_code": "ACME", "unit_price": "1"},
        {"part_id": "PAP-2", "company_code": "NOPE", "unit_price": "1"},
        {"part_id": "PAP-2", "company_code": "ACME", "unit_price": "1", "valid_from": "1/3/26"},
    ]
    rejects: list[Reject] = []
    report = await import_prices(rows, on_reject=rejects.append)
    assert (report.imported, report.updated, report.skipped_total) == (3, 0, 3)
    assert [(r.line, r.reason.split(" ")[0]) for r in rejects] == [
        (4, "unknown"),
        (5, "unknown"),
        (6, "validFrom"),
    ]
    acme, globex = world.acme.id, world.globex.id
    assert str((await price_for(acme, "PAP-1", date(2026, 2, 1))).unit_price) == "2.10"  # type: ignore[union-attr]
    assert str((await price_for(acme, "PAP-1", date(2026, 3, 1))).unit_price) == "1.90"  # type: ignore[union-attr]
    assert (await price_for(globex, "PAP-2", date(2026, 3, 1))).currency == "USD"  # type: ignore[union-attr]
    report = await import_prices([{"part_id": "PAP-1", "company_code": "ACME", "unit_price": "2"}])
    assert (report.imported, report.updated) == (0, 1)
    assert str((await price_for(acme, "PAP-1", date(2026, 2, 1))).unit_price) == "2"  # type: ignore[union-attr]


async def test_the_commands_read_files_as_the_companies_import_does(cli: Cli) -> None:
    text = "Part_ID;Name;Unit_Price;Currency;Unit;UNSPSC\r\n"
    text += "PAP-1;Papier für Drucker;4,5;EUR;RM;14111507\r\n"
    text += "PAP-2;Papier für Kopierer;4.5;EUR;RM;14111507\r\n"
    (cli.folder / "p.csv").write_bytes(text.encode("cp1252"))
    done = cli("catalog", "import", "p.csv", "--rejects", "r.csv")
    assert done.returncode == 0, done.stderr
    assert "delimiter semicolon" in done.stdout and "cp1252" in done.stdout
    assert "imported 1 new products, updated 0, skipped 1" in done.stdout
    assert "line 2: PAP-1: unitPrice" in done.stdout
    assert (cli.folder / "r.csv").read_text(encoding="utf-8-sig").startswith("line,part_id,name")
    assert await cli.sql("SELECT name FROM product") == [("Papier für Kopierer",)]
    (cli.folder / "x.csv").write_text("code,name\nA,B\n")
    done = cli("prices", "import", "x.csv")
    assert done.returncode == 2 and done.stdout == ""
    assert "needs the columns part_id,company_code,unit_price" in one_line(done.stderr)
    done = cli("catalog", "import", "missing.csv")
    assert done.returncode == 2 and "no such file" in one_line(done.stderr)


def test_the_database_stays_closed_on_bad_input(tmp_path: Path) -> None:
    from tests.cli_helpers import clean_environment

    (tmp_path / "in.csv").write_text("part_id,name\nA,B\n")
    env = {**clean_environment(), "DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"}
    done = Cli(tmp_path, env, env["DATABASE_URL"])("catalog", "import", "in.csv")
    assert done.returncode == 2 and "unit_price" in one_line(done.stderr)
    assert not (tmp_path / "x.sqlite3").exists()


async def test_the_demo_catalog_is_deterministic_and_priced_for_acme(world: World) -> None:
    from opsportal.demo_catalog import demo_products, load_demo_catalog

    assert list(demo_products(50)) == list(demo_products(50))
    products, prices = await load_demo_catalog("ACME", 400)
    assert (products.imported, products.skipped_total) == (400, 0)
    assert prices.imported > 100 and prices.skipped_total == 0
    papers = [p for p, _ in (await find_products("paper", 50))[0]]
    assert len(papers) >= 20
    for paper in papers:  # every paper product has Acme's contract price
        found = await price_for(world.acme.id, paper.supplier_part_id, date.today())
        assert found is not None and found.is_contract_price
        assert found.unit_price < paper.unit_price
    again, _ = await load_demo_catalog("ACME", 400)
    assert (again.imported, again.updated) == (0, 400)
