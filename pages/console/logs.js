// "Connection log", "Orders", "Audit": newest first, a page at a time.
import { html, Time } from "./lib.js";
import { AUDIT, CXML_LOG, ORDERS } from "./operations.js";
import { Loading, Pager, Problem, useCursorPages, useQuery } from "./ui.js";

// What each failure class means, in words (the API's CxmlFailure descriptions).
const FAILURES = {
  OVERSIZED_BODY: "The body is larger than the server accepts.",
  MALFORMED_XML: "The body is not well-formed XML.",
  MALFORMED_MULTIPART: "A multipart body (cXML with attachments) cannot be read as MIME.",
  HOSTILE_XML: "The document declares entities or nests too deeply.",
  NOT_CXML: "The document is XML but not cXML.",
  MISSING_HEADER: "The cXML Header lacks From, To or Sender credentials.",
  UNSUPPORTED_REQUEST: "The request type is not one this server implements.",
  INVALID_REQUEST: "The request is cXML but lacks or misstates a required part.",
  MISSING_ATTACHMENT: "An Attachment's cid: URL names no part of the multipart body.",
  UNKNOWN_SENDER: "No punchout customer has the identity sent.",
  MISSING_SECRET: "The Sender credential carries no SharedSecret.",
  WRONG_SECRET: "The SharedSecret is not the customer's PUNCHOUT API Key.",
  CUSTOMER_DISABLED: "The credentials are right, but the customer is disabled.",
  DUPLICATE_PAYLOAD: "The payloadID was used before, for a different document.",
  DUPLICATE_ORDER: "A new order repeats an orderID this customer has already sent.",
  UNKNOWN_ORDER: "An update or delete names an order this customer never sent.",
  PRICE_MISMATCH: "An order line's price differs from the catalog's, or its part is not in the catalog (refused: OPSPORTAL_ORDER_PRICE_CHECK=reject).",
  CLIENT_DISCONNECTED: "The client went away, or its body missed the deadline, mid-request.",
  INTERNAL_ERROR: "The server failed; the buyer may retry.",
};

function usePaged(query, customer, field) {
  const pages = useCursorPages();
  const result = useQuery(query, { id: customer.id, after: pages.after }, `${customer.id}:${pages.after}`);
  const connection = result.data && result.data.customer && result.data.customer[field];
  return { pages, result, connection };
}

function Paged({ pages, result, connection, noun, empty, children }) {
  if (result.error) return html`<${Problem} error=${result.error} retry=${result.reload} />`;
  if (!connection) return html`<${Loading} />`;
  const nodes = connection.edges.map((edge) => edge.node);
  if (!nodes.length && pages.page === 1) return html`<p class="empty">${empty}</p>`;
  const older = connection.pageInfo.hasNextPage ? () => pages.older(connection.pageInfo.endCursor) : null;
  return html`<div aria-busy=${result.loading ? "true" : "false"}>${children(nodes)}
    <${Pager} page=${pages.page} onOlder=${older} onNewer=${pages.newer} noun=${noun} /></div>`;
}

export function ConnectionLogTab({ customer }) {
  const paged = usePaged(CXML_LOG, customer, "cxmlLog");
  return html`<${Paged} ...${paged} noun="requests" empty="No cXML requests from this customer's system yet.">
    ${(entries) => html`<table class="data">
      <thead><tr><th scope="col">Received</th><th scope="col">Request</th><th scope="col">Answer</th>
        <th scope="col">What went wrong</th><th scope="col" class="number">Time (ms)</th><th scope="col">Bodies</th></tr></thead>
      <tbody>${entries.map((entry) => html`<tr>
        <td><${Time} iso=${entry.receivedAt} /></td>
        <td>${entry.requestType || "(unreadable)"}<br /><span class="hint code">${entry.route}</span>
          ${!entry.authenticated && html`<br /><span class="badge badge-warn"
            title="The sender did not prove to be this customer: anyone may have sent it. Only its first 4 KiB are kept.">not authenticated</span>`}</td>
        <td><span class=${entry.failure ? "status-bad" : "status-ok"}>${entry.statusCode} ${entry.statusText}</span></td>
        <td>${entry.failure ? html`<strong>${entry.failure}</strong>: ${FAILURES[entry.failure] || ""}
          ${entry.reason && html`<br />${entry.reason}`}` : "Succeeded"}</td>
        <td class="number">${entry.durationMs.toFixed(1)}</td>
        <td><details><summary>Show bodies</summary>
          <p>Request (secrets shown as ***)</p><pre>${entry.requestBody}</pre>
          <p>Answer</p><pre>${entry.responseBody}</pre></details></td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}

function money(amount, currency) {
  return amount == null ? "—" : `${amount} ${currency || ""}`.trim();
}

// The catalog check made when the order came in (priceExceptions null: received before it).
function PriceExceptions({ order }) {
  if (!order.priceExceptions) return null; // not checked, or every line at the catalog's price
  const n = order.priceExceptions;
  return html`<span class="badge badge-warn">${n} price ${n === 1 ? "exception" : "exceptions"}</span>`;
}

function checkedAgainst(order) {
  if (order.priceExceptions == null) return " · prices not checked (received before the catalog check)";
  return ` · prices checked against the catalog of ${order.priceDate}`;
}

function catalogPrice(line) {
  if (line.catalogUnitPrice == null) return "—";
  const source = line.catalogPriceSource === "CONTRACT" ? "contract" : "list";
  return html`${money(line.catalogUnitPrice, line.catalogCurrency)} <span class="hint">(${source})</span>`;
}

function priceCheck(order, line) {
  if (order.priceExceptions == null) return "";
  if (!line.priceMismatch) return html`<span class="status-ok">Catalog price</span>`;
  let why = "Price differs";
  if (line.catalogUnitPrice == null) why = "Not in the catalog";
  else if (line.unitPrice != null && line.currency !== line.catalogCurrency) why = "Other currency";
  return html`<strong class="status-bad">${why}</strong>`;
}

export function OrdersTab({ customer }) {
  const paged = usePaged(ORDERS, customer, "orders");
  return html`<${Paged} ...${paged} noun="orders" empty="No orders from this customer yet.">
    ${(orders) => orders.map((order) => html`<article class="order" key=${order.id}>
      <h3>Order <span class="code">${order.orderId}</span> ${order.isTest && html`<span class="badge">Test</span>`} <${PriceExceptions} order=${order} /></h3>
      <p>${order.orderType}, received <${Time} iso=${order.receivedAt} />${order.orderDate && `, dated ${order.orderDate}`}${" "}
        · total <strong class="number">${money(order.total, order.currency)}</strong>${checkedAgainst(order)}</p>
      ${order.comments && html`<p class="hint">${order.comments}</p>`}
      <table class="data">
        <thead><tr><th scope="col" class="number">Line</th><th scope="col">Part</th><th scope="col">Description</th>
          <th scope="col" class="number">Quantity</th><th scope="col">Unit</th><th scope="col" class="number">Unit price</th>
          <th scope="col" class="number">Catalog price</th><th scope="col">Price check</th></tr></thead>
        <tbody>${order.lines.map((line) => html`<tr class=${line.priceMismatch ? "price-mismatch" : ""}>
          <td class="number">${line.lineNumber}</td><td class="code">${line.supplierPartId}</td>
          <td>${line.description || ""}</td><td class="number">${line.quantity}</td>
          <td>${line.unitOfMeasure || ""}</td><td class="number">${money(line.unitPrice, line.currency)}</td>
          <td class="number">${catalogPrice(line)}</td><td>${priceCheck(order, line)}</td>
        </tr>`)}</tbody>
      </table>
    </article>`)}
  <//>`;
}

export function AuditTab({ customer }) {
  const paged = usePaged(AUDIT, customer, "auditEvents");
  return html`<${Paged} ...${paged} noun="events" empty="Nothing recorded yet.">
    ${(events) => html`<table class="data">
      <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Change</th></tr></thead>
      <tbody>${events.map((event) => html`<tr>
        <td><${Time} iso=${event.at} /></td><td>${event.actorEmail || "the system"}</td>
        <td class="code">${event.action}</td>
        <td>${event.before && html`<div><span class="hint">before</span> <code>${event.before}</code></div>`}
          ${event.after && html`<div><span class="hint">after</span> <code>${event.after}</code></div>`}</td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}
