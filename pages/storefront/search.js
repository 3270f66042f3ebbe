// "Search products": the catalog's typeahead with the company's prices, as a WAI-ARIA combobox
// whose popup is a grid (each row: the product, its price, a quantity and "Add to cart").
// Arrow keys choose a product and Enter adds it; Tab reaches each row's quantity and button.
// Every keystroke sends the search and aborts the one before: an older answer never wins.
import { html, useEffect, useRef, useState } from "../console/lib.js";
import { Problem } from "../console/ui.js";
import { gql } from "./api.js";
import { PRODUCTS } from "./operations.js";

function useProductSearch() {
  const [text, setText] = useState("");
  const [state, setState] = useState({ query: "", results: [], more: false, error: null });
  const pending = useRef(null);
  const sent = useRef(null);
  const search = (value, again = false) => {
    setText(value);
    const query = value.trim();
    if (query === sent.current && !again) return;
    sent.current = query;
    if (pending.current) pending.current.abort();
    if (!query) {
      pending.current = null;
      setState({ query: "", results: [], more: false, error: null });
      return;
    }
    const controller = new AbortController();
    pending.current = controller;
    gql(PRODUCTS, { search: query }, { signal: controller.signal }).then(
      ({ data }) => {
        if (pending.current !== controller) return;
        const { edges, pageInfo } = data.products;
        setState({ query, results: edges.map((e) => e.node), more: pageInfo.hasNextPage, error: null });
      },
      (error) => {
        if (error.kind === "aborted" || pending.current !== controller) return;
        sent.current = null;
        setState({ query, results: [], more: false, error });
      },
    );
  };
  useEffect(() => () => pending.current && pending.current.abort(), []);
  return { text, search, ...state };
}

export function Price({ price }) {
  return html`${price.unitPrice} ${price.currency}${price.isContractPrice
    && html` <span class="badge contract" title="Your company's contract price">contract price</span>`}`;
}

export function ProductSearch({ onAdd }) {
  const { text, search, query, results, more, error } = useProductSearch();
  const [chosen, setChosen] = useState({ results: null, index: -1 });
  const active = chosen.results === results ? chosen.index : -1;
  const setActive = (index) => setChosen({ results, index });
  const [quantities, setQuantities] = useState({});
  const quantityOf = (product) => quantities[product.id] ?? "1";
  const setQuantity = (product, value) => setQuantities({ ...quantities, [product.id]: value });
  const input = useRef(null);
  useEffect(() => input.current && input.current.focus(), []);
  const [refusals, setRefusals] = useState({}); // by product: why it was not added
  const add = async (product) => {
    const refused = await onAdd(product, quantityOf(product).trim());
    setRefusals((old) => ({ ...old, [product.id]: refused }));
  };
  const open = Boolean(query) && text.trim() === query && (results.length > 0 || !error);
  const onKey = (event) => {
    if (event.key === "ArrowDown" && results.length) setActive((active + 1) % results.length);
    else if (event.key === "ArrowUp" && results.length) {
      setActive(active <= 0 ? results.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && results[active]) add(results[active]);
    else if (event.key === "Escape") {
      if (active >= 0) setActive(-1);
      else search("");
    } else return;
    event.preventDefault();
  };
  const count = `${results.length}${more ? " or more" : ""} ${
    results.length === 1 && !more ? "product matches" : "products match"}`;
  return html`<section class="shop-search" aria-labelledby="search-title">
    <h2 id="search-title">Products</h2>
    <div class="field combobox">
      <label for="product-search">Search products</label>
      <p class="hint" id="product-search-hint">A product's name, words of it, or its part
        number. Arrow keys choose a product and Enter adds it; Tab reaches each quantity and
        "Add to cart".</p>
      <input id="product-search" ref=${input} type="text" role="combobox" autocomplete="off"
        spellcheck="false" aria-autocomplete="list" aria-haspopup="grid"
        aria-expanded=${open ? "true" : "false"} aria-controls="product-results"
        aria-describedby="product-search-hint"
        aria-activedescendant=${active >= 0 ? `product-option-${active}` : undefined}
        value=${text} onInput=${(e) => search(e.currentTarget.value)} onKeyDown=${onKey} />
    </div>
    <p class="visually-hidden" role="status">${query && !error ? count : ""}</p>
    ${error && html`<${Problem} error=${error} retry=${() => search(text, true)} />`}
    ${query && !error && results.length === 0 && html`<p class="empty">No product matches
      '${query}'.</p>`}
    <table role="grid" id="product-results" class="results products" aria-label="Matching products"
      data-query=${query} hidden=${!results.length}>
      <thead><tr>
        <th scope="col">Product</th>
        <th scope="col" class="number">Price</th><th scope="col">Unit</th>
        <th scope="col">Quantity</th><th scope="col"><span class="visually-hidden">Add</span></th>
      </tr></thead>
      <tbody>
        ${results.map((product, index) => html`<tr key=${product.id}
          class=${index === active ? "active" : ""} aria-selected=${index === active ? "true" : "false"}
          data-part=${product.supplierPartId} onMouseEnter=${() => setActive(index)}>
          <td id=${`product-option-${index}`}><span class="product-name">${product.name}</span>
            ${product.description && product.description !== product.name
              && html`<span class="hint product-description"
                title=${product.description}>${product.description}</span>`}
            <span class="code part">${product.supplierPartId}</span></td>
          <td class="number"><${Price} price=${product.price} /></td>
          <td>${product.unitOfMeasure}</td>
          <td><div class=${refusals[product.id] ? "field-error quantity-field" : "quantity-field"}>
            ${refusals[product.id] && html`<p class="error-message" id=${`add-error-${index}`}>
              <span class="visually-hidden">Error: </span>${refusals[product.id].message}</p>`}
            <input class="quantity" type="text" inputmode="decimal" autocomplete="off"
            aria-label=${`Quantity of ${product.name}`} value=${quantityOf(product)}
            aria-invalid=${refusals[product.id] ? "true" : undefined}
            aria-describedby=${refusals[product.id] ? `add-error-${index}` : undefined}
            onInput=${(e) => setQuantity(product, e.currentTarget.value)}
            onKeyDown=${(e) => { if (e.key === "Enter") { e.preventDefault(); add(product); } }} />
          </div></td>
          <td><button type="button"
            aria-describedby=${`product-option-${index}`}
            onClick=${() => add(product)}>Add to cart</button></td>
        </tr>`)}
      </tbody>
    </table>
    ${more && html`<p class="hint">More products match: type more of the name or part number.</p>`}
  </section>`;
}
