"""The catalog through HTTP, as staff tools use it: createProduct, updateProduct,
setContractPrice, products(search:), product(id:), node(id:) and company { prices }."""

from __future__ import annotations

import logging
from typing import Any

from tests.conftest import Api, World, error_codes, global_id

CREATE = """mutation($input: CreateProductInput!) { createProduct(input: $input) {
  product { id supplierPartId name unitPrice currency unitOfMeasure unspsc imageUrl active
            leadTimeDays classifications { domain value } }
  errors { field code message } } }"""
UPDATE = """mutation($input: UpdateProductInput!) { updateProduct(input: $input) {
  product { id name unitPrice imageUrl leadTimeDays manufacturerName active }
  errors { field code message } } }"""
SET_PRICE = """mutation($input: SetContractPriceInput!) { setContractPrice(input: $input) {
  contractPrice { unitPrice currency validFrom validUntil product { supplierPartId } }
  errors { field code message } } }"""
SEARCH = """query($search: String!, $first: Int!, $after: String) {
  products(search: $search, first: $first, after: $after) {
    edges { node { supplierPartId name unitPrice } } pageInfo { hasNextPage endCursor } } }"""
WHOLE_SEARCH = """query($search: String!, $first: Int!) { products(search: $search, first: $first) {
  edges { node { name description unspsc classifications { domain value } imageUrl
                 leadTimeDays manufacturerName createdAt } } } }"""
PRICES = """query($id: ID!, $after: String) { company(id: $id) {
  prices(first: 2, after: $after) { edges { node { unitPrice product { name } } }
  pageInfo { hasNextPage endCursor } } } }"""
PRODUCT = """query($id: ID!) { product(id: $id) { name unitPrice }
  node(id: $id) { ... on Product { supplierPartId } } }"""
AUDIT = (
    """query($id: ID!) { company(id: $id) { auditEvents { edges { node { action after } } } } }"""
)


def product_input(part: str = "PAP-A4-80", **changes: Any) -> dict[str, Any]:
    values = {
        "supplierPartId": part,
        "name": "Copy paper A4 80 g",
        "unitPrice": "4.25",
        "currency": "EUR",
        "unitOfMeasure": "RM",
        "classifications": [{"domain": "UNSPSC", "value": "14111507"}],
        "imageUrl": "https://images.example.com/paper.png",
        "leadTimeDays": 2,
        "manufacturerName": "Navigator",
    }
    return {**values, **changes}


async def create(api: Api, token: str, **changes: Any) -> dict[str, Any]:
    body = await api(CREATE, {"input": product_input(**changes)}, token)
    return body["data"]["createProduct"]


async def test_staff_who_may_edit_the_catalog_create_and_change_products(
    api: Api, world: World
) -> None:
    made = await create(api, world.tokens["companyEdit"])
    assert made["errors"] == []
    product = made["product"]
    assert product["unitPrice"] == "4.25" and product["unitOfMeasure"] == "RM"
    assert product["unspsc"] == "14111507" and product["active"] is True
    changed = await api(
        UPDATE,
        {"input": {"id": product["id"], "unitPrice": "3.9900", "imageUrl": None, "active": False}},
        world.tokens["superuser"],
    )
    assert changed["data"]["updateProduct"] == {
        "product": {
            "id": product["id"],
            "name": "Copy paper A4 80 g",
            "unitPrice": "3.99",
            "imageUrl": None,
            "leadTimeDays": 2,
            "manufacturerName": "Navigator",
            "active": False,
        },
        "errors": [],
    }
    found = await api(PRODUCT, {"id": product["id"]}, world.tokens["crmCompanyEdit"])
    assert found["data"] == {
        "product": {"name": "Copy paper A4 80 g", "unitPrice": "3.99"},
        "node": {"supplierPartId": "PAP-A4-80"},
    }


async def test_bad_input_comes_back_in_the_payload(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    assert (await create(api, token, unitOfMeasure="BX"))["errors"][0]["code"] == "UNKNOWN_UNIT"
    bad = await create(api, token, imageUrl="javascript:alert(1)")
    assert bad["product"] is None and bad["errors"][0]["field"] == "imageUrl"
    await create(api, token)
    taken = await create(api, token, name="Another")
    assert taken["errors"][0]["code"] == "TAKEN"
    missing = await api(UPDATE, {"input": {"id": global_id("Product", 999), "name": "x"}}, token)
    assert missing["data"]["updateProduct"]["errors"][0]["code"] == "NOT_FOUND"


async def test_who_may_not(api: Api, world: World) -> None:
    for kind, code in (("crmCompanyEdit", "FORBIDDEN"), ("none", "FORBIDDEN")):
        body = await api(CREATE, {"input": product_input()}, world.tokens[kind])
        assert error_codes(body) == [code]
    assert error_codes(await api(CREATE, {"input": product_input()})) == ["UNAUTHENTICATED"]
    body = await api(SEARCH, {"search": "", "first": 5}, world.tokens["none"])
    assert error_codes(body) == ["FORBIDDEN"]


async def test_contract_prices_per_company_page_by_page(api: Api, world: World) -> None:
    token = world.tokens["companyEdit"]
    acme = global_id("Company", world.acme.id)
    for n in range(3):
        product = (await create(api, token, supplierPartId=f"P-{n}", name=f"Paper {n}"))["product"]
        body = await api(
            SET_PRICE,
            {"input": {"productId": product["id"], "companyId": acme, "unitPrice": f"{n}.5"}},
            token,
        )
        assert body["data"]["setContractPrice"]["contractPrice"] == {
            "unitPrice": f"{n}.50",
            "currency": "EUR",
            "validFrom": None,
            "validUntil": None,
            "product": {"supplierPartId": f"P-{n}"},
        }
    dated = await api(
        SET_PRICE,
        {
            "input": {
                "productId": product["id"],
                "companyId": acme,
                "unitPrice": "1",
                "validFrom": "2026-05-02",
                "validUntil": "2026-05-01",
            }
        },
        token,
    )
    assert dated["data"]["setContractPrice"]["errors"][0]["field"] == "validUntil"
    crm = world.tokens["crmCompanyEdit"]  # assigned to ACME
    first = (await api(PRICES, {"id": acme}, crm))["data"]["company"]["prices"]
    assert [e["node"]["product"]["name"] for e in first["edges"]] == ["Paper 0", "Paper 1"]
    after = first["pageInfo"]["endCursor"]
    rest = (await api(PRICES, {"id": acme, "after": after}, crm))["data"]["company"]["prices"]
    assert [e["node"]["unitPrice"] for e in rest["edges"]] == ["2.50"]
    assert not rest["pageInfo"]["hasNextPage"]
    globex = global_id("Company", world.globex.id)
    assert (await api(PRICES, {"id": globex}, crm))["data"]["company"] is None
    audit = await api(AUDIT, {"id": acme}, token)
    actions = [e["node"]["action"] for e in audit["data"]["company"]["auditEvents"]["edges"]]
    assert actions.count("contract_price.set") == 3


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def statements(api: Api, token: str, search: str, query: str = SEARCH) -> int:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        body = await api(query, {"search": search, "first": 10}, token)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "errors" not in body, body
    return handler.count


async def test_search_statements_do_not_grow_with_the_catalog(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    texts = ["", "paper", "pap", "P-3", "copy pap", "nothing"]
    for n in range(5):
        await create(api, token, supplierPartId=f"P-{n}", name=f"Copy paper {n}")
    small = [await statements(api, token, t) for t in texts]
    for n in range(5, 60):
        await create(api, token, supplierPartId=f"P-{n}", name=f"Copy paper {n}")
    large = [await statements(api, token, t) for t in texts]
    # Fewer, if anything: a fuller catalog fills a page in the earlier tiers.
    assert all(n <= m for n, m in zip(large, small, strict=True)), (small, large)
    # The viewer's token, then at most the tiers and the word tier's parts.
    assert max(small) <= 4, small


async def test_search_hits_load_the_rest_of_a_product_for_the_whole_page_at_once(
    api: Api, world: World
) -> None:
    token = world.tokens["administrator"]
    for n in range(4):
        await create(api, token, supplierPartId=f"P-{n}", name=f"Copy paper {n}", leadTimeDays=n)
    body = await api(WHOLE_SEARCH, {"search": "copy pap", "first": 10}, token)
    nodes = [e["node"] for e in body["data"]["products"]["edges"]]
    assert [(n["name"], n["leadTimeDays"]) for n in nodes] == [
        (f"Copy paper {n}", n) for n in range(4)
    ]
    assert {n["unspsc"] for n in nodes} == {"14111507"} and nodes[0]["description"] == ""
    assert nodes[0]["classifications"] == [{"domain": "UNSPSC", "value": "14111507"}]
    assert nodes[0]["manufacturerName"] == "Navigator" and nodes[0]["createdAt"]
    # A hit holds what a typeahead shows; the rest is one more statement for the page.
    lean = await statements(api, token, "copy pap")
    assert await statements(api, token, "copy pap", WHOLE_SEARCH) == lean + 1


async def test_the_typeahead_pages_through_the_catalog(api: Api, world: World) -> None:
    token = world.tokens["administrator"]
    for n in range(7):
        await create(api, token, supplierPartId=f"PAPER-{n}", name=f"Paper {n}")
    await create(api, token, supplierPartId="ENV", name="Envelopes with paper window")
    seen, after = [], None
    while True:
        body = await api(SEARCH, {"search": "paper", "first": 3, "after": after}, token)
        page = body["data"]["products"]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"Paper {n}" for n in range(7)] + ["Envelopes with paper window"]
