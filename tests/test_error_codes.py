"""Every code the domain can raise reaches a client as a declared code, never as a masked
"Internal server error."."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import domain
from cxml.errors import STATUS
from domain.errors import (
    AccessCode,
    AccessDenied,
    CxmlRefused,
    DomainError,
    Failure,
    SessionGone,
    StaffRefused,
)
from graph.codes import Code
from graph.cxml_log import CxmlFailure
from graph.errors import PAYLOAD_ERRORS

ROOT = Path(__file__).resolve().parents[1]


def _all_domain_errors() -> set[type[DomainError]]:
    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{module.name}")
    found: set[type[DomainError]] = set()
    todo = [DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_payload_code_has_its_graphql_member() -> None:
    for error, (_, graphql_codes) in PAYLOAD_ERRORS.items():
        domain_codes = error.__annotations__["code"]
        codes = getattr(domain.errors, domain_codes)
        assert [c.name for c in codes] == [m.name for m in graphql_codes], error


def test_every_domain_error_has_a_surface_that_answers_it() -> None:
    answered_elsewhere = {
        SessionGone: "the start route's 410 page",
        StaffRefused: "the command line's one line and exit 2",
        CxmlRefused: "a cXML Status",
    }
    for error in _all_domain_errors():
        is_access = issubclass(error, AccessDenied)  # top-level errors, codes below
        assert error in PAYLOAD_ERRORS or error in answered_elsewhere or is_access, error


def test_access_codes_and_failures_are_declared_by_their_surfaces() -> None:
    assert {c.name for c in AccessCode} <= {c.name for c in Code}
    assert set(STATUS) == set(Failure)
    assert [f.name for f in Failure] == [m.name for m in CxmlFailure]


def test_top_level_codes_are_declared_in_one_module() -> None:
    literal = re.compile(r"""["']code["']\s*:\s*["'][A-Z_]+["']""")
    for path in [*ROOT.glob("graph/*.py"), *ROOT.glob("opsportal/*.py")]:
        assert not literal.search(path.read_text()), f"{path.name} spells out a code"
