"""The permission table is read, not retyped: the API's descriptions of who may do what come
from it, and each ability guards what it is named for."""

from __future__ import annotations

from domain.access import COMPANY_EDIT, CRM_COMPANY_EDIT, Ability, Viewer, who_may
from graph.schema import schema
from persistence.tables import Staff


def _viewer(*roles: str) -> Viewer:
    return Viewer(Staff(email="x@supplier.example", password_hash="", roles=list(roles)))


def test_who_may_reads_the_table() -> None:
    assert who_may(Ability.READ_API_KEY) == "administrators and superusers"
    assert who_may(Ability.MANAGE_PUNCHOUT_CONNECTION) == "administrators and superusers"
    assert who_may(Ability.EDIT_COMPANIES) == "companyEdit and up"
    for ability in Ability:
        others_may = _viewer(COMPANY_EDIT).can(ability) or _viewer(CRM_COMPANY_EDIT).can(ability)
        assert others_may == (who_may(ability) != "administrators and superusers"), ability


def test_the_descriptions_say_what_the_table_says() -> None:
    sdl = schema.as_str()
    adding = who_may(Ability.ADD_PUNCHOUT_CUSTOMER)
    assert f"Add a punchout customer with a new PUNCHOUT API Key ({adding})" in " ".join(
        sdl.split()
    )
    assert f"Create a company ({who_may(Ability.EDIT_COMPANIES)})" in sdl


def test_rotation_and_disabling_have_their_own_ability() -> None:
    admin = Viewer(Staff(email="a@supplier.example", password_hash="", is_administrator=True))
    assert admin.can(Ability.MANAGE_PUNCHOUT_CONNECTION)
    assert not _viewer(COMPANY_EDIT, CRM_COMPANY_EDIT).can(Ability.MANAGE_PUNCHOUT_CONNECTION)
