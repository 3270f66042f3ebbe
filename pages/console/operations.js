// Every GraphQL operation the console sends: the public API's, nothing private. The first
// ones are the README's walkthrough, verbatim; the rest ask for what the screens show.
export const LOGIN = `
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token errors { field code message } }
}`;
export const LOGOUT = "mutation Logout { logout { loggedOut } }";
export const VIEWER = "query Viewer { viewer { email isAdministrator isSuperuser roles } }";
export const COMPANY_SEARCH = `
query CompanySearch($search: String!) {
  companies(search: $search, first: 10) { edges { node { id name code } } pageInfo { hasNextPage endCursor } }
}`;
export const ADD_PUNCHOUT_CUSTOMER = `
mutation AddPunchoutCustomer($companyId: ID!, $username: String!) {
  addPunchoutCustomer(input: {companyId: $companyId, username: $username}) {
    customer { id username isPunchout company { id } }
    errors { field code message }
  }
}`;
export const ROLE_SEARCH = `
query RoleSearch($search: String!) { roles(search: $search, first: 10) { name description } }`;
export const ASSIGN_ROLE = `
mutation AssignRole($customerId: ID!, $role: String!) {
  assignRole(input: {customerId: $customerId, role: $role}) {
    customer { id roles { name } }
    errors { field code message }
  }
}`;
export const REMOVE_ROLE = `
mutation RemoveRole($customerId: ID!, $role: String!) {
  removeRole(input: {customerId: $customerId, role: $role}) { customer { id roles { name } } errors { field code message } }
}`;

// The screens.
export const COMPANY_SCREEN = `
query CompanyScreen($id: ID!) {
  company(id: $id) {
    id name code assignedStaff
    customers(first: 100) {
      edges { node { id username isPunchout isEnabled roles { name } } }
      pageInfo { hasNextPage }
    }
  }
}`;
export const CREATE_COMPANY = `
mutation CreateCompany($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id } errors { field code message } }
}`;
export const UPDATE_COMPANY = `
mutation UpdateCompany($input: UpdateCompanyInput!) {
  updateCompany(input: $input) { company { id } errors { field code message } }
}`;
export const CUSTOMER_SCREEN = `
query CustomerScreen($id: ID!) {
  customer(id: $id) {
    id username isPunchout isEnabled createdAt
    company { id name code }
    roles { name description }
  }
}`;
// The key's value is left out (secrets: false): reading it is audited, so only "Show" and
// "Copy" ask for it.
export const DEVELOPER_FIELDS = `
query DeveloperFields($id: ID!) {
  customer(id: $id) { id developerFields(secrets: false) { key label description choices isSecret value } }
}`;
export const API_KEY = `
query ApiKey($id: ID!) { customer(id: $id) { id developerFields { key value } } }`;
export const SET_FIELD = `
mutation SetDeveloperField($input: SetDeveloperFieldInput!) {
  setDeveloperField(input: $input) {
    customer { id developerFields(secrets: false) { key value } }
    errors { field code message }
  }
}`;
export const CONNECTION = `
query Connection($id: ID!) {
  customer(id: $id) {
    id username isEnabled
    punchoutCredentials { fromDomain fromIdentity toDomain toIdentity senderDomain senderIdentity setupUrl }
  }
}`;
// Reads the key (audited): only when staff press "Show" or "Copy" on the connection sheet.
export const CONNECTION_SECRET = `
query ConnectionSecret($id: ID!) {
  customer(id: $id) { id punchoutCredentials { sharedSecret exampleSetupRequest } }
}`;
// For staff who may not read the key: the example carries the placeholder instead.
export const EXAMPLE_REQUEST = `
query ExampleRequest($id: ID!) { customer(id: $id) { id punchoutCredentials { exampleSetupRequest } } }`;
export const SET_BUYER_IDENTITY = `
mutation SetBuyerIdentity($input: SetBuyerIdentityInput!) {
  setBuyerIdentity(input: $input) { customer { id } errors { field code message } }
}`;
export const ROTATE_KEY = `
mutation RotatePunchoutKey($customerId: ID!, $graceHours: Float!) {
  rotatePunchoutKey(input: {customerId: $customerId, graceHours: $graceHours}) {
    customer { id } errors { field code message }
  }
}`;
export const SET_ENABLED = `
mutation SetCustomerEnabled($customerId: ID!, $enabled: Boolean!) {
  setCustomerEnabled(input: {customerId: $customerId, enabled: $enabled}) {
    customer { id isEnabled } errors { field code message }
  }
}`;
export const CXML_LOG = `
query ConnectionLog($id: ID!, $after: String) {
  customer(id: $id) {
    id
    cxmlLog(first: 20, after: $after) {
      edges { node {
        receivedAt route requestType payloadId statusCode statusText failure reason durationMs
        authenticated requestBody responseBody
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
export const ORDERS = `
query Orders($id: ID!, $after: String) {
  customer(id: $id) {
    id
    orders(first: 10, after: $after) {
      edges { node {
        id orderId orderType orderDate deploymentMode isTest receivedAt total currency comments
        priceExceptions priceDate
        lines { lineNumber quantity supplierPartId description unitPrice currency unitOfMeasure
                catalogUnitPrice catalogCurrency catalogPriceSource priceMismatch }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
export const AUDIT = `
query Audit($id: ID!, $after: String) {
  customer(id: $id) {
    id
    auditEvents(first: 20, after: $after) {
      edges { node { at actorEmail action before after } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
