"""GraphQL operations the tests and the scripts send.

The first group is the frontend's (issue 2), verbatim: the README quotes them and a test
checks that it still does.
"""

from __future__ import annotations

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token errors { field code message } }
}"""
VIEWER = "query Viewer { viewer { email isAdministrator isSuperuser roles } }"
COMPANY_SEARCH = """
query CompanySearch($search: String!) {
  companies(search: $search, first: 10) { edges { node { id name code } } pageInfo { hasNextPage endCursor } }
}"""
COMPANY_DETAILS = """
query CompanyDetails($id: ID!) {
  company(id: $id) { id name code customers(first: 50) { edges { node { id username isPunchout } } } }
}"""
ADD_PUNCHOUT_CUSTOMER = """
mutation AddPunchoutCustomer($companyId: ID!, $username: String!) {
  addPunchoutCustomer(input: {companyId: $companyId, username: $username}) {
    customer { id username isPunchout company { id } }
    errors { field code message }
  }
}"""
ROLE_SEARCH = """
query RoleSearch($search: String!) { roles(search: $search, first: 10) { name description } }"""
ASSIGN_ROLE = """
mutation AssignRole($customerId: ID!, $role: String!) {
  assignRole(input: {customerId: $customerId, role: $role}) {
    customer { id roles { name } }
    errors { field code message }
  }
}"""
REMOVE_ROLE = """
mutation RemoveRole($customerId: ID!, $role: String!) {
  removeRole(input: {customerId: $customerId, role: $role}) { customer { id roles { name } } errors { field code message } }
}"""
CUSTOMER_DETAILS = """
query CustomerDetails($id: ID!) {
  customer(id: $id) {
    id username isPunchout createdAt company { id name }
    roles { name }
    developerFields { key label value }
    punchoutCredentials {
      fromDomain fromIdentity toDomain toIdentity senderDomain senderIdentity sharedSecret setupUrl
    }
  }
}"""
# Administration beyond the frontend's first screens.
KEYS = """
query Keys($id: ID!) {
  customer(id: $id) {
    punchoutKeys { value isCurrent createdAt expiresAt lastUsedAt }
    punchoutCredentials { sharedSecret }
  }
}
"""
ROTATE = """
mutation Rotate($input: RotatePunchoutKeyInput!) {
  rotatePunchoutKey(input: $input) {
    customer { id }
    errors { field code message }
  }
}
"""
SET_FIELD = """
mutation($input: SetDeveloperFieldInput!) {
  setDeveloperField(input: $input) {
    customer { developerFields { key value } }
    errors { field code message }
  }
}"""
