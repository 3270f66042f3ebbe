"""The schema: every domain's queries and mutations, plus `node(id:)`."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from domain.access import Ability
from graph.company import Company, CompanyMutation, CompanyQuery, company_by_id
from graph.context import Info
from graph.cost import ConnectionCost
from graph.customer import Customer, CustomerQuery, customer_by_id
from graph.customer_mutations import CustomerMutation
from graph.cxml_log import CxmlLogQuery
from graph.document_size import ExpandedSizeLimit
from graph.number_literals import RefuseLongNumbers
from graph.order import order_by_id
from graph.permissions import staff_or_punchout_session
from graph.product import Product, ProductQuery, product_by_id
from graph.product_mutations import CatalogMutation
from graph.response_size import ResponseBudget
from graph.role import RoleQuery
from graph.staff import StaffMutation, StaffQuery
from graph.storefront import StorefrontMutation, StorefrontQuery, cart_line_by_id
from graph.text_input import RefuseUnstorableText

MAX_TOKENS = 2000
MAX_DEPTH = 12
MAX_ALIASES = 20
# Built once: the validation cache is keyed by the rule classes, so rules made afresh for each
# request (as QueryDepthLimiter and MaxAliasesLimiter do) would validate every request anew.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_DEPTH, None, None),
    aliases_rule(MAX_ALIASES),
]


async def resolve_node(info: Info, id: strawberry.ID) -> relay.Node | None:
    try:
        type_name = relay.GlobalID.from_id(id).type_name
    except Exception:  # noqa: BLE001 - a malformed id is a missing object
        return None
    if type_name == "CartLine":
        return await cart_line_by_id(info, id)
    if await info.context.punchout_session() is not None:
        return None  # a storefront's credential reaches the lines of its own cart only
    by_type = {
        "Company": company_by_id,
        "Customer": customer_by_id,
        "Order": order_by_id,
        "Product": product_by_id,
    }
    resolver = by_type.get(type_name)
    return await resolver(info, id) if resolver else None


@strawberry.type
class NodeQuery:
    node: relay.Node | None = strawberry.field(
        resolver=resolve_node,
        extensions=[staff_or_punchout_session(Ability.REACH_COMPANIES)],
        description="Any object by its global ID; null when missing or out of your scope.",
    )


@strawberry.type(
    description="Everything staff read (send `Authorization: Bearer <token>` from `login`), "
    "and the storefront's `punchoutSession` (send its session credential instead)."
)
class Query(
    StaffQuery,
    CompanyQuery,
    CustomerQuery,
    RoleQuery,
    NodeQuery,
    StorefrontQuery,
    CxmlLogQuery,
    ProductQuery,
):
    pass


@strawberry.type(
    description="Every change staff make. Input problems come back in each payload's `errors`; "
    "refusals as GraphQL errors with `extensions.code` FORBIDDEN or UNAUTHENTICATED."
)
class Mutation(
    StaffMutation, CompanyMutation, CustomerMutation, StorefrontMutation, CatalogMutation
):
    pass


def should_mask(error: GraphQLError) -> bool:
    """Mask unexpected exceptions; let validation errors and our coded errors through."""
    original = error.original_error
    if original is None:
        return False
    if isinstance(original, GraphQLError):
        return False
    return not (error.extensions or {}).get("code")


class PortalSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Log what went wrong on our side; a refusal or a bad query is the client's answer.
        super().process_errors([e for e in errors if should_mask(e)], execution_context)


schema = PortalSchema(
    query=Query,
    mutation=Mutation,
    types=[Company, Customer, Product],
    # Factories: a fresh extension per request; the parse/validate caches are shared anyway.
    extensions=[
        # Abuse limits, checked before anything runs: far above what the frontend sends.
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ExpandedSizeLimit,  # before validation, which walks the expanded document
        RefuseLongNumbers,  # before validation, which reads Int literals with int()
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        ConnectionCost,  # needs the variables: counted per request, after validation
        RefuseUnstorableText,
        ResponseBudget,  # counts the answer as it is built: stops it past the response bound
        lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal server error."),
    ],
)
