"""Companies: creating, editing, importing, and finding them in the viewer's scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from models import audit
from models.access import Ability, Viewer, require
from models.errors import DomainError
from models.tables import Company, CompanyWord, Staff, StaffCompany
from models.text import MAX_WORD, code_key, name_key, prefix_upper_bound, words

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")
IMPORT_BATCH = 1000


def company_words(name: str, code: str) -> set[str]:
    """Every word the typeahead matches a typed prefix against: the name's and the code's."""
    return {*words(name), *words(code), code_key(code)[:MAX_WORD]}


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or not words(name):
        raise DomainError("REQUIRED", "A company needs a name.", "name")
    if len(name) > 255:
        raise DomainError("INVALID", "A company name has at most 255 characters.", "name")
    return name


def clean_code(code: str) -> str:
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise DomainError(
            "INVALID",
            "A company code has 1-64 characters: letters, digits, '.', '_', '-', '/'.",
            "code",
        )
    return code


async def get_company(viewer: Viewer, company_id: int) -> Company | None:
    """The company if it exists and the viewer may reach it; None either way otherwise."""
    return await Company.filter(viewer.company_scope(), id=company_id).first()


async def _staff_by_email(emails: Iterable[str]) -> list[Staff]:
    wanted = {e.strip().lower() for e in emails}
    found = await Staff.filter(email__in=wanted)
    missing = wanted - {s.email for s in found}
    if missing:
        raise DomainError("NOT_FOUND", f"No staff member {sorted(missing)[0]!r}.", "assignedStaff")
    return found


async def create_company(
    viewer: Viewer | None, name: str, code: str, assigned_staff: list[str] | None = None
) -> Company:
    viewer = require(viewer, Ability.EDIT_COMPANIES)
    name, code = clean_name(name), clean_code(code)
    staff = await _staff_by_email(assigned_staff or ())
    try:
        async with in_transaction() as conn:
            company = await Company.create(
                name=name,
                code=code,
                code_key=code_key(code),
                name_key=name_key(name),
                using_db=conn,
            )
            await CompanyWord.bulk_create(
                [CompanyWord(company=company, word=w) for w in company_words(name, code)],
                using_db=conn,
            )
            for member in staff:
                await StaffCompany.create(staff=member, company=company, using_db=conn)
            await audit.record(
                viewer,
                "company.create",
                "company",
                company.id,
                company_id=company.id,
                after={"name": name, "code": code, "assignedStaff": sorted(s.email for s in staff)},
                using=conn,
            )
    except IntegrityError as exc:
        raise DomainError("TAKEN", f"Another company has the code {code!r}.", "code") from exc
    return company


async def update_company(
    viewer: Viewer | None,
    company_id: int,
    *,
    name: str | None = None,
    code: str | None = None,
    assigned_staff: list[str] | None = None,
) -> Company:
    viewer = require(viewer, Ability.EDIT_COMPANIES)
    company = await get_company(viewer, company_id)
    if company is None:
        raise DomainError("NOT_FOUND", "No such company.", "id")
    before = {"name": company.name, "code": company.code}
    new_name = clean_name(name) if name is not None else company.name
    new_code = clean_code(code) if code is not None else company.code
    staff = await _staff_by_email(assigned_staff) if assigned_staff is not None else None
    try:
        async with in_transaction() as conn:
            company.name, company.code = new_name, new_code
            company.name_key, company.code_key = name_key(new_name), code_key(new_code)
            await company.save(using_db=conn)
            await CompanyWord.filter(company_id=company.id).using_db(conn).delete()
            await CompanyWord.bulk_create(
                [CompanyWord(company=company, word=w) for w in company_words(new_name, new_code)],
                using_db=conn,
            )
            after: dict[str, object] = {"name": new_name, "code": new_code}
            if staff is not None:
                old = (
                    await StaffCompany.filter(company_id=company.id)
                    .using_db(conn)
                    .values_list("staff__email", flat=True)
                )
                before["assignedStaff"] = sorted(old)  # type: ignore[assignment]
                after["assignedStaff"] = sorted(s.email for s in staff)
                await StaffCompany.filter(company_id=company.id).using_db(conn).delete()
                for member in staff:
                    await StaffCompany.create(staff=member, company=company, using_db=conn)
            await audit.record(
                viewer,
                "company.update",
                "company",
                company.id,
                company_id=company.id,
                before=before,
                after=after,
                using=conn,
            )
    except IntegrityError as exc:
        raise DomainError("TAKEN", f"Another company has the code {new_code!r}.", "code") from exc
    return company


@dataclass(frozen=True)
class SearchPosition:
    """Where a result sits in the ranking: its tier, then alphabetical order."""

    tier: int
    name_key: str
    id: int


EXACT_CODE, NAME_PREFIX, WORD_PREFIX = 0, 1, 2


def _word_match(token: str) -> Q:
    hits = CompanyWord.filter(word__gte=token, word__lt=prefix_upper_bound(token))
    return Q(id__in=Subquery(hits.values("company_id")))


def _tiers(search: str) -> list[tuple[int, Q]]:
    """The ranking's tiers as disjoint filters, best first. Each is served by an index."""
    tokens = words(search)
    if not tokens:
        return [(NAME_PREFIX, Q())]
    phrase = " ".join(tokens)
    exact = Q(code_key=code_key(search))
    prefix = Q(name_key__gte=phrase, name_key__lt=prefix_upper_bound(phrase))
    all_words = Q(*[_word_match(t) for t in tokens])
    return [
        (EXACT_CODE, exact),
        (NAME_PREFIX, prefix & ~exact),
        (WORD_PREFIX, all_words & ~prefix & ~exact),
    ]


async def search_companies(
    viewer: Viewer | None, search: str, first: int, after: SearchPosition | None = None
) -> tuple[list[tuple[Company, SearchPosition]], bool]:
    """Ranked typeahead: exact code, then name prefix, then every typed word a word prefix;
    alphabetical within a tier. Returns up to `first` results and whether more follow."""
    viewer = require(viewer, Ability.REACH_COMPANIES)
    scope = viewer.company_scope()
    found: list[tuple[Company, SearchPosition]] = []
    for tier, match in _tiers(search):
        if after is not None and tier < after.tier:
            continue
        query = Company.filter(scope, match)
        if after is not None and tier == after.tier:
            query = query.filter(
                Q(name_key__gt=after.name_key) | Q(name_key=after.name_key, id__gt=after.id)
            )
        rows = await query.order_by("name_key", "id").limit(first + 1 - len(found))
        found += [(c, SearchPosition(tier, c.name_key, c.id)) for c in rows]
        if len(found) > first:
            break
    return found[:first], len(found) > first
