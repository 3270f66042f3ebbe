"""Importing companies in bulk from rows of `code,name` (a CSV file, the demo)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models.companies import clean_code, clean_name, company_words
from models.errors import DomainError
from models.tables import Company, CompanyWord
from models.text import code_key, name_key

BATCH = 1000


@dataclass
class ImportReport:
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


async def import_companies(
    rows: Iterable[Mapping[str, str | None]],
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Insert new companies in batches; a bad row is counted and skipped, never fatal."""
    report = ImportReport()
    batch: dict[str, tuple[str, str]] = {}
    for row in rows:
        try:
            code = clean_code(row.get("code") or "")
            name = clean_name(row.get("name") or "")
        except DomainError as exc:
            report.skipped[f"{exc.field}: {exc.message}"] += 1
            continue
        key = code_key(code)
        if key in batch:
            report.skipped["duplicate code"] += 1
            continue
        batch[key] = (code, name)
        if len(batch) >= BATCH:
            await _insert(batch, report)
            batch = {}
            if progress:
                progress(report.imported + report.skipped_total)
    if batch:
        await _insert(batch, report)
        if progress:
            progress(report.imported + report.skipped_total)
    return report


async def _insert(batch: dict[str, tuple[str, str]], report: ImportReport) -> None:
    async with in_transaction() as conn:
        existing = set(
            await Company.filter(code_key__in=list(batch))
            .using_db(conn)
            .values_list("code_key", flat=True)
        )
        new = {k: v for k, v in batch.items() if k not in existing}
        report.skipped["duplicate code"] += len(batch) - len(new)
        if not new:
            return
        await Company.bulk_create(
            [
                Company(name=name, code=code, code_key=key, name_key=name_key(name))
                for key, (code, name) in new.items()
            ],
            using_db=conn,
        )
        ids = dict(
            await Company.filter(code_key__in=list(new))
            .using_db(conn)
            .values_list("code_key", "id")
        )
        await CompanyWord.bulk_create(
            [
                CompanyWord(company_id=ids[key], word=word)
                for key, (code, name) in new.items()
                for word in company_words(name, code)
            ],
            using_db=conn,
        )
        report.imported += len(new)
