"""Generated GraphQL documents over HTTP: never a failure of ours, and a failed mutation
stores nothing.

hypothesis-graphql builds queries and mutations from the committed `schema.graphql` (valid ones,
and ones with one schema violation). Each goes through the ASGI app as the frontend sends it
(JSON POST, a bearer token), on SQLite and on PostgreSQL, as the administrator, as a
crmCompanyEdit member (scoped to ACME) and as a storefront's punchout session. Strings and IDs
are drawn a third each from what exists (real global IDs, role names, Developer Field keys and
choices, staff emails, cursors), from text that databases and Unicode make trouble of (NUL,
lengths past the columns', characters that grow when lower-cased or decomposed), and from
arbitrary text, so that documents reach the domain rules instead of stopping at NOT_FOUND. A
sweep then sets each String and ID argument of every field, in turn, to each hostile value:
random documents find such a value in one argument only now and then.

The properties:
- never HTTP 500 nor the masked "Internal server error." (graph/schema.py's MaskErrors): every
  error is either a request-level one (parsing, validation, the abuse and cost limits; no
  `path`) or an execution error with a code we hand out in `extensions.code`;
- a one-field mutation that failed (a top-level error and its field null, or `errors` in its
  payload, which is always selected) leaves every table as it was, row for row; only sign-in's
  bookkeeping (`login_attempts`, `staff_token`) may move.

pytest-asyncio runs the examples of an async `@given` test on the session loop, where the ORM's
connections live; the function-scoped fixtures (emptied tables, client, `world`, `scene`) are
made once per test, not once per example. That is right here: each example signs in afresh and
compares the database with itself before and after, so what earlier examples stored is only more
to trip over; it is also why failures are not shrunk (RUNS). Runs are derandomized, the same
documents every time; OPSPORTAL_PROPERTY_EXAMPLES=1000 gives a longer local run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode
from hypothesis_graphql import strategies as gql
from tortoise import connections

from domain.developer_fields import FIELDS
from domain.roles import CATALOG
from domain.signin import issue_token
from graph.codes import Code
from graph.pagination import MAX_ID, encode_cursor
from persistence.database import dialect
from persistence.punchout_tables import CartLine
from persistence.tables import Staff
from tests.conftest import PASSWORD, STAFF_KINDS, Api, World, global_id, make_buyer
from tests.storefront_helpers import ADD, line, open_session

SDL = (Path(__file__).resolve().parents[1] / "schema.graphql").read_text()
SCHEMA = graphql.build_schema(SDL)
assert SCHEMA.mutation_type is not None
MUTATIONS = sorted(SCHEMA.mutation_type.fields)
# Only a storefront's session credential opens these; a staff token gets UNAUTHENTICATED.
STOREFRONT = {"addCartLine", "updateCartLine", "removeCartLine", "transferPunchoutCart"}
FIELDS_FOR = {
    "administrator": [m for m in MUTATIONS if m not in STOREFRONT],
    "crmCompanyEdit": [m for m in MUTATIONS if m not in STOREFRONT],
    "storefront": [m for m in MUTATIONS if m in STOREFRONT or m == "login"],
}
MASKED = "Internal server error."  # graph/schema.py: MaskErrors(error_message=...)
KNOWN_CODES = {
    Code.UNAUTHENTICATED.value,
    Code.FORBIDDEN.value,
    Code.BAD_USER_INPUT.value,
    Code.TOO_COSTLY.value,
}
ERRORS = graphql.parse("{ errors { code } }").definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
# A failed sign-in counts against the account by design; every example signs in afresh.
UNWATCHED = {"login_attempts", "staff_token"}
HOSTILE = [
    "\x00",
    "ACME\x00",
    "x" * 256,
    "y" * 5000,
    "z" * 300 + "@supplier.example",
    "İ" * 200,  # lower-cases to 400 characters
    "ﷺ" * 15,  # decomposes (NFKD) to 270
    "\ud800",  # a lone surrogate: not encodable
    " \t\n",
    "1e400",
    "1e999999999",  # past decimal's Emax: arithmetic on it overflows
    "NaN",
    "-1",
    "9" * 40,
]

RUNS = settings(
    max_examples=int(os.environ.get("OPSPORTAL_PROPERTY_EXAMPLES", "30")),
    derandomize=True,
    # No shrinking: the database keeps what earlier examples stored, so a smaller document
    # need not fail the same way (and each try is a request); the failure shows the document.
    phases=[Phase.explicit, Phase.generate],
    database=None,
    deadline=None,  # PostgreSQL round trips vary; speed is not the property
    # Fixtures once per test is intended (module docstring); some documents are large.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Scene:
    """What exists for one test, and a fresh sign-in as `kind` for each example."""

    def __init__(self, api: Api, world: World, kind: str) -> None:
        self.api, self.world, self.kind = api, world, kind
        self.ids: list[str] = []
        self.line_ids: list[int] = []
        self.strings: list[str] = []
        self.session_token = ""

    async def build(self) -> Scene:
        self.buyer = await make_buyer(self.world.acme, "fuzz-acme@buyer.example")
        other = await make_buyer(self.world.globex, "fuzz-globex@buyer.example")
        await self.new_session()
        self.line_ids = list(await CartLine.all().values_list("id", flat=True))
        self.ids = [
            global_id("Company", self.world.acme.id),
            global_id("Company", self.world.globex.id),
            global_id("Customer", self.buyer.customer_id),
            global_id("Customer", other.customer_id),
            *[global_id("CartLine", i) for i in self.line_ids],
            global_id("Order", 1),
            global_id("Company", MAX_ID + 1),
            global_id("Customer", 10**30),
            global_id("Customer", -1),
            "Q29tcGFueTo=",  # "Company:"
            "not base64!",
        ]
        self.strings = [
            "",
            *(role.name for role in CATALOG),
            *(spec.key for spec in FIELDS),
            *(choice for spec in FIELDS for choice in spec.choices),
            *(f"{kind.lower()}@supplier.example" for kind in STAFF_KINDS),
            "founder@supplier.example",
            PASSWORD,
            "ACME",
            "acme sup",
            self.buyer.username,
            other.username,
            "DUNS",
            "123456789",
            "EUR",
            "EA",
            "44121704",
            "2",
            "1.25",
            encode_cursor(1),
            encode_cursor(MAX_ID + 1),
            encode_cursor(0, "acme", 1),
            encode_cursor(True),
        ]
        return self

    async def new_session(self) -> None:
        """A storefront session with a line in its cart (a transfer ends the one before)."""
        self.session_token = await open_session(self.api, self.buyer)
        body = await self.api(ADD, {"input": line()}, token=self.session_token)
        assert not body["data"]["addCartLine"]["errors"], body

    async def token(self) -> str:
        if self.kind == "storefront":
            return self.session_token
        staff = await Staff.get(email=f"{self.kind.lower()}@supplier.example")
        return await issue_token(staff, timedelta(hours=1))

    def scalars(self) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
        text = st.one_of(
            st.sampled_from(self.strings), st.sampled_from(HOSTILE), st.text(max_size=40)
        ).map(lambda s: graphql.StringValueNode(value=s))
        ids = st.sampled_from(self.ids).map(lambda s: graphql.StringValueNode(value=s))
        numbers = st.integers(-(2**31), 2**31 - 1).map(lambda n: graphql.IntValueNode(value=str(n)))
        return {"String": text, "ID": st.one_of(ids, text, numbers)}

    async def after(self, document: str) -> None:
        if self.kind == "storefront" and "transferPunchoutCart" in document:
            await self.new_session()


@pytest.fixture(params=list(FIELDS_FOR))
async def scene(api: Api, world: World, request: pytest.FixtureRequest) -> Scene:
    return await Scene(api, world, request.param).build()


async def post(
    http: httpx.AsyncClient, document: str, token: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str | None]:
    """The answer to a document, and what in it is a failure of ours (None when nothing is)."""
    # Serialised as a browser's JSON.stringify does: ASCII, a lone surrogate as an escape.
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": document, "variables": variables or {}}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    body = response.json() if response.status_code == 200 else {}
    ours = [
        error
        for error in body.get("errors") or []
        if error.get("message") == MASKED
        # An execution error (one with a path) must be one we explain with a code.
        or ("path" in error and (error.get("extensions") or {}).get("code") not in KNOWN_CODES)
    ]
    if response.status_code == 200 and not ours:
        return body, None
    return body, f"HTTP {response.status_code} {ours or response.text[:1000]}"


def outcome(body: dict[str, Any]) -> str:
    """How an answer went, for --hypothesis-show-statistics."""
    errors = body.get("errors") or []
    if any("path" not in e for e in errors):
        return "refused before running"
    codes = sorted({(e.get("extensions") or {}).get("code") for e in errors})
    return f"ran, errors {codes}" if codes else "ran"


@RUNS
@given(data=st.data())
async def test_generated_documents_never_fail_on_our_side(
    api: Api, scene: Scene, data: st.DataObject
) -> None:
    scalars = scene.scalars()
    valid = gql.from_schema(SDL, custom_scalars=scalars)
    invalid = gql.from_schema(SDL, custom_scalars=scalars, mode=Mode.NEGATIVE)
    document = data.draw(st.one_of(valid, valid, invalid), label="document")  # 2 valid to 1
    body, ours = await post(api.http, document, await scene.token())
    assert ours is None, f"\n{document}\n=> {ours}"
    event(outcome(body))
    await scene.after(document)


def with_payload_errors(document: graphql.DocumentNode) -> str:
    """The one-field mutation, its payload's `errors` selected: what tells it failed."""
    operation = document.definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    (root,) = operation.selection_set.selections
    assert isinstance(root, graphql.FieldNode) and root.selection_set is not None
    assert SCHEMA.mutation_type is not None
    payload = graphql.get_named_type(SCHEMA.mutation_type.fields[root.name.value].type)
    chosen = root.selection_set.selections
    if (
        isinstance(payload, graphql.GraphQLObjectType)
        and "errors" in payload.fields
        and not any(isinstance(s, graphql.FieldNode) and s.name.value == "errors" for s in chosen)
    ):
        root = replace(
            root, selection_set=replace(root.selection_set, selections=(*chosen, ERRORS))
        )
    operation = replace(
        operation, selection_set=replace(operation.selection_set, selections=(root,))
    )
    return graphql.print_ast(replace(document, definitions=(operation,)))


def failed(body: dict[str, Any], field: str) -> bool:
    payload = (body.get("data") or {}).get(field)
    return payload is None or bool(payload.get("errors"))


async def snapshot() -> dict[str, list[str]]:
    """Every row of every table (sign-in's bookkeeping aside, and its rows in SQLite's
    sqlite_sequence), comparably."""
    conn = connections.get("default")
    if dialect() == "postgres":
        names = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    else:
        names = "SELECT name FROM sqlite_master WHERE type = 'table'"
    tables = sorted(row["name"] for row in await conn.execute_query_dict(names))
    found = {}
    for table in tables:
        if table in UNWATCHED:
            continue
        rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')
        if table == "sqlite_sequence":
            rows = [row for row in rows if row["name"] not in UNWATCHED]
        found[table] = sorted(repr(sorted(row.items())) for row in rows)
    return found


@RUNS
@given(data=st.data())
async def test_a_failed_mutation_stores_nothing(
    api: Api, scene: Scene, data: st.DataObject
) -> None:
    field = data.draw(st.sampled_from(FIELDS_FOR[scene.kind]), label="field")
    document = data.draw(
        gql.mutations(
            SDL, fields=[field], custom_scalars=scene.scalars(), print_ast=with_payload_errors
        ),
        label="document",
    )
    token = await scene.token()
    before = await snapshot()
    body, ours = await post(api.http, document, token)
    event(f"{field}: {'failed' if failed(body, field) else 'done'}, {outcome(body)}")
    if failed(body, field):  # a failure of ours too: did it leave half a change behind?
        changed = [t for t, rows in (await snapshot()).items() if before.get(t) != rows]
        assert not changed, f"\n{document}\n=> {body}\nchanged: {changed}"
    assert ours is None, f"\n{document}\n=> {ours}"
    await scene.after(document)


# The sweep: each String and ID argument of each field, in turn, set to each of these, with
# every other argument plausible, so that the hostile value is what the domain rules meet.
SWEEP_VALUES = ["a\x00b", "z" * 300 + "@supplier.example", "İ" * 200, "1e999999999"]
PLAUSIBLE: dict[str, Any] = {
    "email": "administrator@supplier.example",
    "password": "not the password",
    "username": "sweep@buyer.example",
    "role": "buyer",
    "key": "PUNCHOUT_CART_ENCODING",
    "value": "cxml-base64",
    "domain": "DUNS",
    "identity": "123456789",
    "name": "Sweep Supplies",
    "code": "SWEEP",
    "assignedStaff": ["crmcompanyedit@supplier.example"],
    "search": "acme",
    **line(),
}
Leaf = tuple[str, ...]


@dataclass
class Case:
    operation: str
    field: str
    document: str
    variables: dict[str, Any]
    what: str


def leaves(type_: graphql.GraphQLInputType, path: Leaf = ()) -> list[Leaf]:
    """The paths to every String and ID value inside an argument of this type."""
    named = graphql.get_named_type(type_)
    if isinstance(named, graphql.GraphQLInputObjectType):
        return [leaf for name, f in named.fields.items() for leaf in leaves(f.type, (*path, name))]
    return [path] if named.name in ("String", "ID") else []


def plausible(type_: graphql.GraphQLInputType, name: str, ids: dict[str, str]) -> Any:
    named = graphql.get_named_type(type_)
    if isinstance(named, graphql.GraphQLInputObjectType):
        return {n: plausible(f.type, n, ids) for n, f in named.fields.items()}
    value = ids.get(name, PLAUSIBLE.get(name))
    if value is None:
        value = {"Int": 1, "Float": 1.0, "Boolean": True, "ID": ids["id"]}.get(named.name, "x")
    if isinstance(graphql.get_nullable_type(type_), graphql.GraphQLList):
        return value if isinstance(value, list) else [value]
    return value


def with_value(value: Any, leaf: Leaf, hostile: str) -> Any:
    if not leaf:
        return [hostile] if isinstance(value, list) else hostile
    return {**value, leaf[0]: with_value(value[leaf[0]], leaf[1:], hostile)}


def selection_of(field: graphql.GraphQLField) -> str:
    payload = graphql.get_named_type(field.type)
    if not isinstance(payload, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
        return ""
    errors = " errors { code }" if "errors" in payload.fields else ""
    return f" {{ __typename{errors} }}"


def sweep_cases(ids: dict[str, str]) -> list[Case]:
    """A case for every hostile value in every String or ID argument of every root field, and
    of the fields of Company and Customer (reached through `company(id:)`, `customer(id:)`)."""
    assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
    parents = [
        ("query", SCHEMA.query_type, ""),
        ("mutation", SCHEMA.mutation_type, ""),
        ("query", SCHEMA.type_map["Company"], "company"),
        ("query", SCHEMA.type_map["Customer"], "customer"),
    ]
    cases = []
    for operation, parent, via in parents:
        assert isinstance(parent, graphql.GraphQLObjectType)
        for name, field in parent.fields.items():
            required = {n: a for n, a in field.args.items() if graphql.is_required_argument(a)}
            for arg_name, arg in field.args.items():
                used = {**required, arg_name: arg}
                values = {n: plausible(a.type, n, ids) for n, a in used.items()}
                declared = ", ".join(f"${n}: {a.type}" for n, a in used.items())
                selection = f"{name}({', '.join(f'{n}: ${n}' for n in used)}){selection_of(field)}"
                if via:
                    declared += ", $via: ID!"
                    selection = f"{via}(id: $via) {{ {selection} }}"
                    values["via"] = ids[via]
                document = f"{operation} Sweep({declared}) {{ {selection} }}"
                for leaf in leaves(arg.type):
                    for hostile in SWEEP_VALUES:
                        hostile_values = {
                            **values,
                            arg_name: with_value(values[arg_name], leaf, hostile),
                        }
                        what = f"{arg_name}{''.join(f'.{p}' for p in leaf)}={hostile[:8]!r}..."
                        cases.append(Case(operation, name, document, hostile_values, what))
    return cases


@pytest.mark.parametrize("scene", ["administrator", "storefront"], indirect=True)
async def test_hostile_text_in_every_argument(api: Api, scene: Scene) -> None:
    """The sweep, the same every run, as variables (as the frontend sends them): never our
    failure, and a failed mutation stores nothing. The administrator reaches every staff
    field; the storefront's session, the cart's."""
    ids = {
        "id": global_id("Company", scene.world.acme.id),
        "companyId": global_id("Company", scene.world.acme.id),
        "customerId": global_id("Customer", scene.buyer.customer_id),
        "lineId": global_id("CartLine", scene.line_ids[0]),
        "company": global_id("Company", scene.world.acme.id),
        "customer": global_id("Customer", scene.buyer.customer_id),
    }
    failures = []
    for case in sweep_cases(ids):
        if (case.field in STOREFRONT or case.field == "punchoutSession") != (
            scene.kind == "storefront"
        ):
            continue
        before = await snapshot() if case.operation == "mutation" else None
        token = await scene.token()
        body, ours = await post(api.http, case.document, token, case.variables)
        if before is not None and failed(body, case.field) and await snapshot() != before:
            failures.append(f"{case.field}({case.what}) failed, yet stored something: {body}")
        if ours:
            failures.append(f"{case.field}({case.what}): {ours}")
        await scene.after(case.document)
    assert not failures, "\n".join(failures)
