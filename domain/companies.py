"""Companies: creating, editing, importing, and finding them in the viewer's scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import CRM_COMPANY_EDIT, Ability, Viewer, require
from domain.errors import CompanyCode, CompanyRefused
from domain.limits import MAX_ASSIGNED_STAFF, NAME_MAX
from domain.ranks import place
from domain.text import code_key, german_words, words
from persistence.flat_values import flat_values
from persistence.tables import Company, Staff, StaffCompany

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")
# Control characters (NUL among them: PostgreSQL cannot store it, SQLite cuts the name at it),
# lone surrogates and noncharacters: no name holds them. Tabs and newlines are spaces by then.
NOT_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class SearchKeys:
    """What the typeahead's indexes hold of a company (domain.search)."""

    name_key: str
    german_name_key: str | None  # only where the German reading differs
    search_text: str  # the words of both readings of the name, and of the code


def search_keys(name: str, code: str) -> SearchKeys:
    plain, german = words(name), german_words(name)
    key = " ".join(plain)[:255]
    german_key = " ".join(german)[:255]
    return SearchKeys(
        key,
        german_key if german_key and german_key != key else None,
        " ".join(dict.fromkeys([*plain, *german, *words(code)])),
    )


def search_text(name: str, code: str) -> str:
    """The folded words of a company's name and code, as the typeahead's index holds them."""
    return search_keys(name, code).search_text


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or not words(name):
        raise CompanyRefused(CompanyCode.REQUIRED, "A company needs a name.", "name")
    if len(name) > 255:
        raise CompanyRefused(
            CompanyCode.INVALID, "A company name has at most 255 characters.", "name"
        )
    if NOT_IN_NAMES.search(name):
        raise CompanyRefused(
            CompanyCode.INVALID, "A company name may not hold control characters.", "name"
        )
    return name


def clean_code(code: str) -> str:
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise CompanyRefused(
            CompanyCode.INVALID,
            "A company code has 1-64 characters: letters, digits, '.', '_', '-', '/'.",
            "code",
        )
    return code


async def get_company(viewer: Viewer, company_id: int) -> Company | None:
    """The company if it exists and the viewer may reach it; None either way otherwise."""
    return await Company.filter(viewer.company_scope(), id=company_id).first()


async def _assignable_staff(
    viewer: Viewer, emails: Iterable[str], conn: BaseDBAsyncClient, company_id: int | None = None
) -> list[Staff]:
    """The staff members named for `assignedStaff`. Whoever may manage staff may name anyone,
    and is told which email is no account. Others may name crmCompanyEdit staff (whose scope
    assignments are) and those assigned to this company already (which it shows them); any
    other email, an account or not, gets the same NOT_FOUND, so that the answer does not tell
    them which emails are staff accounts."""
    wanted = {e.strip().lower() for e in emails}
    if not wanted:  # no statement for nothing: a company write's cost is counted (issue 16)
        return []
    if len(wanted) > MAX_ASSIGNED_STAFF:  # the bound of Company.assignedStaff in the API
        raise CompanyRefused(
            CompanyCode.INVALID,
            f"A company has at most {MAX_ASSIGNED_STAFF} assigned staff members.",
            "assignedStaff",
        )
    # No staff email is longer than its column; such a value is simply no one's.
    query = Staff.filter(email__in=[e for e in wanted if len(e) <= NAME_MAX]).using_db(conn)
    found = {s.email: s for s in await query}
    directory = viewer.can(Ability.MANAGE_STAFF)
    if not directory:
        already: set[int] = set()
        if company_id is not None:
            assigned = StaffCompany.filter(company_id=company_id).using_db(conn)
            already = set(await flat_values(assigned, "staff_id"))
        found = {
            email: s
            for email, s in found.items()
            if CRM_COMPANY_EDIT in (s.roles or ()) or s.id in already
        }
    missing = sorted(wanted - set(found))
    if missing:
        who = "staff member" if directory else f"{CRM_COMPANY_EDIT} staff member"
        raise CompanyRefused(CompanyCode.NOT_FOUND, f"No {who} {missing[0]!r}.", "assignedStaff")
    return list(found.values())


async def create_company(
    viewer: Viewer | None, name: str, code: str, assigned_staff: list[str] | None = None
) -> Company:
    viewer = require(viewer, Ability.EDIT_COMPANIES)
    name, code = clean_name(name), clean_code(code)
    try:
        return await _insert_company(viewer, name, code, assigned_staff or [])
    except IntegrityError as exc:
        raise CompanyRefused(
            CompanyCode.TAKEN, f"Another company has the code {code!r}.", "code"
        ) from exc


async def _insert_company(viewer: Viewer, name: str, code: str, emails: list[str]) -> Company:
    async with in_transaction() as conn:
        keys = search_keys(name, code)
        company = await Company.create(
            name=name,
            code=code,
            code_key=code_key(code),
            name_key=keys.name_key,
            german_name_key=keys.german_name_key,
            search_text=keys.search_text,
            sort_rank=await place(keys.name_key, None, conn),
            using_db=conn,
        )
        # Only once the company is known to be valid (its code free): the staff named are
        # looked up after, so that no answer about them comes before the company's own.
        staff = await _assignable_staff(viewer, emails, conn)
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
    return company


# What an update writes (the rank only when it places the company again).
_FIELDS = ["name", "code", "name_key", "code_key", "german_name_key", "search_text", "updated_at"]


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
        raise CompanyRefused(CompanyCode.NOT_FOUND, "No such company.", "id")
    before: dict[str, object] = {"name": company.name, "code": company.code}
    new_name = clean_name(name) if name is not None else company.name
    new_code = clean_code(code) if code is not None else company.code
    try:
        async with in_transaction() as conn:
            keys = search_keys(new_name, new_code)
            changed = [*_FIELDS]
            if keys.name_key != company.name_key:
                company.sort_rank = await place(keys.name_key, company.id, conn)
                changed.append("sort_rank")
            company.name, company.code = new_name, new_code
            company.name_key, company.code_key = keys.name_key, code_key(new_code)
            company.german_name_key = keys.german_name_key
            company.search_text = keys.search_text
            # The rank only where it was placed here, under the lock: the one read with the
            # company may since have moved with a window respaced by another write.
            await company.save(using_db=conn, update_fields=changed)
            after: dict[str, object] = {"name": new_name, "code": new_code}
            if assigned_staff is not None:
                staff = await _assignable_staff(viewer, assigned_staff, conn, company.id)
                old = await flat_values(
                    StaffCompany.filter(company_id=company.id).using_db(conn), "staff__email"
                )
                before["assignedStaff"] = sorted(old)
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
        raise CompanyRefused(
            CompanyCode.TAKEN, f"Another company has the code {new_code!r}.", "code"
        ) from exc
    return company
