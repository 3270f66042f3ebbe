// The cart: its lines with editable quantities and "Remove", the total, and the hand-back
// ("Return cart to procurement"; "Return to procurement" for an inspect session, read-only).
// Changes go to the server one at a time, in the order made; the hand-back waits for them.
import { html, useEffect, useRef, useState } from "../console/lib.js";
import { Problem } from "../console/ui.js";
import { ApiError, credential, gql } from "./api.js";
import { ADD_TO_CART, CHANGE_QUANTITY, REMOVE_LINE } from "./operations.js";

export const RETURN_PATH = "/storefront/return";

export function useCart(initial) {
  const [cart, setCart] = useState(initial);
  const [lineErrors, setLineErrors] = useState({});
  const invalid = useRef({}); // the same, for the hand-back, which runs after a render
  const [problem, setProblem] = useState(null);
  const [status, setStatus] = useState("");
  const queue = useRef(Promise.resolve());
  // Runs `change` after those before it; resolves to its payload's first error, or null.
  const enqueue = (mutation, variables, name) => {
    const run = queue.current.then(async () => {
      setProblem(null);
      try {
        const { data } = await gql(mutation, variables);
        const payload = data[name];
        if (payload.errors.length) return payload.errors[0];
        setCart(payload.cart);
        return null;
      } catch (error) {
        if (error.kind !== "unauthenticated") setProblem(error);
        return error instanceof ApiError ? { code: error.code, message: error.message } : error;
      }
    });
    queue.current = run.catch(() => null);
    return run;
  };
  const lineError = (lineId, error) => setLineErrors((old) => {
    const next = { ...old };
    if (error) next[lineId] = error;
    else delete next[lineId];
    invalid.current = next;
    return next;
  });
  return {
    cart, lineErrors, problem, status,
    async add(product, quantity) {
      const refused = await enqueue(ADD_TO_CART, { productId: product.id, quantity }, "addCartLine");
      setStatus(refused ? `Not added: ${refused.message}`
        : `Added ${quantity} × ${product.name} to the cart.`);
      return refused;
    },
    async change(line, quantity) {
      const refused = await enqueue(CHANGE_QUANTITY, { lineId: line.id, quantity }, "updateCartLine");
      lineError(line.id, refused);
      if (!refused) setStatus(`Quantity of ${line.description} changed to ${quantity}.`);
      return refused;
    },
    async remove(line) {
      const refused = await enqueue(REMOVE_LINE, { lineId: line.id }, "removeCartLine");
      if (!refused) {
        lineError(line.id, null);
        setStatus(`Removed ${line.description} from the cart.`);
      }
      return refused;
    },
    // Resolves once every change made so far has been answered: true if none is refused.
    settled: async () => {
      await queue.current;
      return Object.keys(invalid.current).length === 0;
    },
  };
}

function QuantityField({ line, error, onCommit }) {
  const [text, setText] = useState(line.quantity);
  const editing = useRef(false);
  useEffect(() => {
    if (!editing.current && !error) setText(line.quantity);
  }, [line.quantity]);
  const commit = () => {
    editing.current = false;
    if (text.trim() !== line.quantity || error) onCommit(text.trim());
  };
  const id = `quantity-${line.id}`;
  return html`<div class=${error ? "field-error quantity-field" : "quantity-field"}>
    <label class="visually-hidden" for=${id}>Quantity of ${line.description}</label>
    ${error && html`<p class="error-message" id=${`${id}-error`}><span class="visually-hidden">Error: </span>${error.message}</p>`}
    <input id=${id} class="quantity" type="text" inputmode="decimal" autocomplete="off"
      value=${text} aria-invalid=${error ? "true" : undefined}
      aria-describedby=${error ? `${id}-error` : undefined}
      onInput=${(e) => { editing.current = true; setText(e.currentTarget.value); }}
      onChange=${commit}
      onKeyDown=${(e) => { if (e.key === "Enter") { e.preventDefault(); commit(); } }} />
  </div>`;
}

export function CartPanel({ shop, readOnly }) {
  const { cart, lineErrors, problem } = shop;
  const form = useRef(null);
  const [returning, setReturning] = useState(false);
  const [blocked, setBlocked] = useState(null);
  const label = readOnly ? "Return to procurement" : "Return cart to procurement";
  const handBack = async () => {
    setBlocked(null);
    setReturning(true);
    const valid = await shop.settled();
    const token = credential.get();
    if (!token || !valid) {
      setReturning(false);
      if (!valid) setBlocked("A quantity in the cart is not valid: correct it or remove the line first.");
      return;
    }
    // A same-origin form post: the hand-off page's policy names the buyer's system alone.
    form.current.elements.session.value = token;
    form.current.submit();
  };
  return html`<section class="shop-cart" aria-labelledby="cart-title">
    <h2 id="cart-title">Your cart</h2>
    ${readOnly && html`<p class="notice">Your procurement system opened this cart to look at it
      (inspect): it cannot be changed here.</p>`}
    <${Problem} error=${problem} />
    ${cart.lines.length === 0
      ? html`<p class="empty">Your cart is empty.${readOnly ? "" : " Search for products and add them."}</p>`
      : html`<table class="cart">
        <thead><tr>
          <th scope="col">Product</th><th scope="col" class="number">Unit price</th>
          <th scope="col" class="number">Quantity</th><th scope="col" class="number">Amount</th>
          ${!readOnly && html`<th scope="col"><span class="visually-hidden">Remove</span></th>`}
        </tr></thead>
        <tbody>${cart.lines.map((line) => html`<tr key=${line.id} data-part=${line.supplierPartId}>
          <td><span id=${`line-${line.id}`}>${line.description}</span>
            <span class="code part">${line.supplierPartId}</span></td>
          <td class="number">${line.unitPrice} ${line.currency}</td>
          <td class="number">${readOnly ? line.quantity : html`<${QuantityField} line=${line}
            error=${lineErrors[line.id]} onCommit=${(q) => shop.change(line, q)} />`}
            <span class="unit">${" "}${line.unitOfMeasure}</span></td>
          <td class="number">${line.amount} ${line.currency}</td>
          ${!readOnly && html`<td><button type="button" class="destructive small"
            aria-describedby=${`line-${line.id}`}
            onClick=${() => shop.remove(line)}>Remove</button></td>`}
        </tr>`)}</tbody>
      </table>`}
    <p class="total"><span>Total</span> <strong class="number" id="cart-total">${cart.total}${cart.currency ? ` ${cart.currency}` : ""}</strong></p>
    ${blocked && html`<p class="error-message" role="alert">${blocked}</p>`}
    <div class="actions hand-back">
      <button type="button" class="primary" disabled=${returning} onClick=${handBack}>${label}</button>
      ${returning && html`<span role="status">Handing the cart back…</span>`}
    </div>
    <form ref=${form} method="post" action=${RETURN_PATH} hidden>
      <input type="hidden" name="session" value="" />
    </form>
  </section>`;
}
