// The storefront's entry: the session's credential from the URL fragment, then the shop (who
// punched out and from where, the product search, the cart), or a page saying why not.
import { html, render, useEffect, useState } from "../console/lib.js";
import { Loading, Problem } from "../console/ui.js";
import { credential, gql } from "./api.js";
import { CartPanel, useCart } from "./cart.js";
import { SESSION } from "./operations.js";
import { ProductSearch } from "./search.js";
import { SessionBar } from "./session.js";

const ENDED = {
  none: ["No punchout session",
    "This is the supplier's storefront for punchout. Open it from your procurement system: " +
    "its punchout link opens one shopping session here."],
  ended: ["Punchout session ended",
    "This punchout session has ended: its cart was returned to your procurement system, or " +
    "the session expired. Start again from your procurement system."],
};

function Ended({ why }) {
  const [title, text] = ENDED[why];
  useEffect(() => { document.title = `${title} · Storefront`; }, [why]);
  return html`<main id="main" class="ended" tabindex="-1">
    <h1>${title}</h1>
    <p>${text}</p>
  </main>`;
}

function Shop({ session, onEnded }) {
  const readOnly = !session.cart.editable;
  const shop = useCart(session.cart);
  useEffect(() => { document.title = `${session.companyName} · Storefront`; }, []);
  return html`
    <a class="skip" href="#product-search">Skip to the product search</a>
    <${SessionBar} session=${session} onExpired=${onEnded} />
    <main id="main" class=${readOnly ? "shop read-only" : "shop"}>
      <h1 class="visually-hidden">Storefront for ${session.companyName}</h1>
      <p class="visually-hidden" role="status">${shop.status}</p>
      ${!readOnly && html`<${ProductSearch} onAdd=${shop.add} />`}
      <${CartPanel} shop=${shop} readOnly=${readOnly} />
    </main>`;
}

function App() {
  const [state, setState] = useState(() => {
    if (credential.adopt()) return { loading: true };
    return { ended: credential.ended() ? "ended" : "none" };
  });
  const load = async () => {
    setState({ loading: true });
    try {
      const { data } = await gql(SESSION);
      setState({ session: data.punchoutSession });
    } catch (error) {
      setState(error.kind === "unauthenticated" ? { ended: "ended" } : { error });
    }
  };
  useEffect(() => {
    if (state.loading) load();
    return credential.onEnded(() => setState({ ended: "ended" }));
  }, []);
  const end = () => {
    credential.forget();
    setState({ ended: "ended" });
  };
  if (state.ended) return html`<${Ended} why=${state.ended} />`;
  if (state.error) {
    return html`<main id="main"><h1>Storefront</h1><${Problem} error=${state.error} retry=${load} /></main>`;
  }
  if (state.loading) {
    return html`<main id="main" aria-busy="true"><h1>Storefront</h1><${Loading} rows=${4} /></main>`;
  }
  return html`<${Shop} session=${state.session} onEnded=${end} />`;
}

const root = document.getElementById("storefront");
root.textContent = "";
render(html`<${App} />`, root);
