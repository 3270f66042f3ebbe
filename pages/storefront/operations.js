// Every GraphQL operation the storefront sends: the storefront operations of the public API,
// which a headless shop sends the same way (tests/test_storefront_page.py validates them).
const CART = `editable total currency
  lines { id supplierPartId description quantity unitOfMeasure unitPrice currency amount }`;

export const SESSION = `
query StorefrontSession {
  punchoutSession {
    operation deploymentMode expiresAt expiresInSeconds userAgent returnUrl
    companyName companyCode user { email fullName firstName lastName }
    cart { ${CART} }
  }
}`;
export const PRODUCTS = `
query Products($search: String!) {
  products(search: $search, first: 10) {
    edges { node {
      id supplierPartId name description unitOfMeasure manufacturerName leadTimeDays
      price { unitPrice currency isContractPrice }
    } }
    pageInfo { hasNextPage }
  }
}`;
export const ADD_TO_CART = `
mutation AddToCart($productId: ID!, $quantity: String!) {
  addCartLine(input: {productId: $productId, quantity: $quantity}) {
    cart { ${CART} } errors { field code message }
  }
}`;
export const CHANGE_QUANTITY = `
mutation ChangeQuantity($lineId: ID!, $quantity: String!) {
  updateCartLine(input: {lineId: $lineId, quantity: $quantity}) {
    cart { ${CART} } errors { field code message }
  }
}`;
export const REMOVE_LINE = `
mutation RemoveLine($lineId: ID!) {
  removeCartLine(input: {lineId: $lineId}) { cart { ${CART} } errors { field code message } }
}`;
// The hand-off page (return.js): where the cart goes, then the transfer itself.
export const RETURN_URL = "query ReturnUrl { punchoutSession { returnUrl } }";
export const TRANSFER = `
mutation TransferCart {
  transferPunchoutCart {
    transfer { url fieldName fieldValue }
    errors { field code message }
  }
}`;
