"""Customer mutations in GraphQL: adding punchout customers, roles, identities, Developer
Fields, enabling and key rotation. Each is a guarded call of one domain function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress

import strawberry

from domain import customers, developer_fields, key_rotation
from domain.access import Ability, who_may
from domain.errors import CustomerCode, CustomerRefused
from graph.context import Info
from graph.customer import Customer
from graph.errors import ONE_ERROR, CustomerError, refusals
from graph.pagination import parse_global_id
from graph.permissions import guard
from persistence.tables import Customer as CustomerRow


@strawberry.input(description="A punchout customer to add under a company.")
class AddPunchoutCustomerInput:
    company_id: strawberry.ID = strawberry.field(description="The parent company's ID.")
    username: str = strawberry.field(
        description="A username or email, e.g. punchout-114729@yourdomain.com; unique."
    )


@strawberry.input(description="A role to give to, or take from, a customer.")
class CustomerRoleInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's ID.")
    role: str = strawberry.field(description="A role name from `roles`, e.g. companyAdmin.")


@strawberry.input(description="The buyer's own From identity; both null to go back to defaults.")
class SetBuyerIdentityInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's ID.")
    domain: str | None = strawberry.field(description="e.g. DUNS, NetworkID, AribaNetworkUserId.")
    identity: str | None = strawberry.field(description="The buyer's identity in that domain.")


@strawberry.input(description="A new value for one of a customer's Developer Fields.")
class SetDeveloperFieldInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's ID.")
    key: str = strawberry.field(description="e.g. PUNCHOUT_IDENTITY_CREDENTIAL.")
    value: str = strawberry.field(description="One of the field's `choices`, where it has any.")


@strawberry.input(description="Enable or disable a customer.")
class SetCustomerEnabledInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's ID.")
    enabled: bool = strawberry.field(description="False disables the customer's connection.")


@strawberry.input(description="A new PUNCHOUT API Key for a customer.")
class RotatePunchoutKeyInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's ID.")
    grace_hours: float = strawberry.field(
        default=key_rotation.DEFAULT_GRACE_HOURS,
        description="How long the old key keeps working, in hours (0 stops it at once; at "
        f"most {key_rotation.MAX_GRACE_HOURS}).",
    )


@strawberry.type(description="The result of a customer mutation.")
class CustomerPayload:
    customer: Customer | None = strawberry.field(description="The customer, when it succeeded.")
    errors: list[CustomerError] = strawberry.field(
        description="What was wrong with the input.", metadata=ONE_ERROR
    )


def _id(value: str, field: str) -> int:
    row_id = parse_global_id(value, "Customer" if field == "customerId" else "Company")
    if row_id is None:
        raise CustomerRefused(CustomerCode.NOT_FOUND, "No such object.", field)
    return row_id


async def _run(change: Callable[[], Awaitable[CustomerRow]]) -> CustomerPayload:
    """Run a domain change; input problems become the payload's errors."""
    row, errors = await refusals(change, CustomerError)
    return CustomerPayload(customer=Customer.from_row(row) if row else None, errors=errors)


@strawberry.type
class CustomerMutation:
    @strawberry.mutation(
        extensions=[guard(Ability.ADD_PUNCHOUT_CUSTOMER)],
        description="Add a punchout customer with a new PUNCHOUT API Key "
        f"({who_may(Ability.ADD_PUNCHOUT_CUSTOMER)}).",
    )
    async def add_punchout_customer(
        self, info: Info, input: AddPunchoutCustomerInput
    ) -> CustomerPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: customers.add_punchout_customer(
                info.context.vault, viewer, _id(input.company_id, "companyId"), input.username
            )
        )

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CUSTOMERS)], description="Give a customer a role."
    )
    async def assign_role(self, info: Info, input: CustomerRoleInput) -> CustomerPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: customers.assign_role(viewer, _id(input.customer_id, "customerId"), input.role)
        )

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CUSTOMERS)], description="Take a role from a customer."
    )
    async def remove_role(self, info: Info, input: CustomerRoleInput) -> CustomerPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: customers.remove_role(viewer, _id(input.customer_id, "customerId"), input.role)
        )

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CUSTOMERS)],
        description="Store the buyer's own cXML From identity.",
    )
    async def set_buyer_identity(self, info: Info, input: SetBuyerIdentityInput) -> CustomerPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: customers.set_buyer_identity(
                viewer, _id(input.customer_id, "customerId"), input.domain, input.identity
            )
        )

    @strawberry.mutation(
        extensions=[guard(Ability.EDIT_CUSTOMERS)],
        description="Change one of a customer's Developer Fields (not the PUNCHOUT API Key).",
    )
    async def set_developer_field(
        self, info: Info, input: SetDeveloperFieldInput
    ) -> CustomerPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: developer_fields.set_developer_field(
                viewer, _id(input.customer_id, "customerId"), input.key, input.value
            )
        )

    @strawberry.mutation(
        extensions=[guard(Ability.MANAGE_PUNCHOUT_CONNECTION)],
        description="Disable a customer (its correct credentials get cXML 403; wrong ones still "
        f"401) or enable it again ({who_may(Ability.MANAGE_PUNCHOUT_CONNECTION)}).",
    )
    async def set_customer_enabled(
        self, info: Info, input: SetCustomerEnabledInput
    ) -> CustomerPayload:
        viewer = await info.context.viewer()
        return await _run(
            lambda: customers.set_enabled(
                viewer, _id(input.customer_id, "customerId"), input.enabled
            )
        )

    @strawberry.mutation(
        extensions=[guard(Ability.MANAGE_PUNCHOUT_CONNECTION)],
        description="Issue a new PUNCHOUT API Key; the old one keeps working for the grace "
        f"period, then stops ({who_may(Ability.MANAGE_PUNCHOUT_CONNECTION)}). Read the new "
        "key from `punchoutKeys` or `punchoutCredentials`.",
    )
    async def rotate_punchout_key(
        self, info: Info, input: RotatePunchoutKeyInput
    ) -> CustomerPayload:
        viewer = await info.context.viewer()
        payload = await _run(
            lambda: key_rotation.rotate(
                info.context.vault,
                viewer,
                _id(input.customer_id, "customerId"),
                key_rotation.grace_period(input.grace_hours),
            )
        )
        if payload.customer is not None:  # the keys this request read before are old now
            with suppress(KeyError):  # (not read before: nothing to forget)
                info.context.loaders.punchout_keys.clear(payload.customer.row.id)
        return payload
