// "Connection": the connection sheet (the documentation's two tables, filled in for this
// customer), "Print", the buyer's own identity, key rotation and enabling/disabling.
import { byField, fieldRefusal, gql } from "./api.js";
import { html, useRef, useState } from "./lib.js";
import {
  CONNECTION, CONNECTION_SECRET, EXAMPLE_REQUEST, SET_BUYER_IDENTITY, ROTATE_KEY, SET_ENABLED,
} from "./operations.js";
import { Secret } from "./developer.js";
import { Field, Loading, Problem, useAction, useQuery } from "./ui.js";
import { abilities } from "./viewer.js";

function SheetTable({ caption, rows }) {
  return html`<table class="data sheet">
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
    <tbody>${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}</tbody>
  </table>`;
}

function BuyerIdentity({ customer, creds, onSaved }) {
  const custom = creds.fromDomain !== "NetworkID" || creds.fromIdentity !== creds.senderIdentity;
  const [domain, setDomain] = useState(custom ? creds.fromDomain : "");
  const [identity, setIdentity] = useState(custom ? creds.fromIdentity : "");
  const [errors, setErrors] = useState({});
  const [saved, setSaved] = useState("");
  const action = useAction();
  const send = async (input) => {
    setSaved("");
    const answer = await action.run(SET_BUYER_IDENTITY, { input: { customerId: customer.id, ...input } });
    if (!answer) return;
    const payload = answer.data.setBuyerIdentity;
    if (payload.customer) {
      setErrors({});
      setSaved("Saved.");
      onSaved();
    } else setErrors(byField(payload.errors));
  };
  const submit = (event) => {
    event.preventDefault();
    send({ domain: domain.trim() || null, identity: identity.trim() || null });
  };
  const reset = () => {
    setDomain("");
    setIdentity("");
    send({ domain: null, identity: null });
  };
  return html`<form class="narrow no-print" onSubmit=${submit} noValidate>
    <h3>The buyer's own identity</h3>
    <p class="hint">When the buyer's system sends its own From credential, store it here; the
      sheet then shows it under "Using known identifiers".</p>
    <${Problem} error=${action.error} />
    <${Field} id="buyer-domain" label="Buyer's From domain" hint="e.g. DUNS, NetworkID, AribaNetworkUserId" error=${errors.domain}>
      ${(p) => html`<input ...${p} type="text" value=${domain} onInput=${(e) => setDomain(e.currentTarget.value)} />`}
    <//>
    <${Field} id="buyer-identity" label="Buyer's From identity" error=${errors.identity || errors[""]}>
      ${(p) => html`<input ...${p} type="text" value=${identity} onInput=${(e) => setIdentity(e.currentTarget.value)} />`}
    <//>
    <div class="actions">
      <button type="submit" disabled=${action.busy}>Save buyer identity</button>
      <button type="button" disabled=${action.busy} onClick=${reset}>Use defaults</button>
      <span role="status" class="status">${saved}</span>
    </div>
  </form>`;
}

function Manage({ customer, onChanged }) {
  const [grace, setGrace] = useState("24");
  const [errors, setErrors] = useState({});
  const [done, setDone] = useState("");
  const action = useAction();
  const rotate = async (event) => {
    event.preventDefault();
    setDone("");
    const answer = await action.run(ROTATE_KEY, { customerId: customer.id, graceHours: Number(grace) });
    if (!answer) return;
    const payload = answer.data.rotatePunchoutKey;
    if (payload.customer) {
      setErrors({});
      setDone(`A new PUNCHOUT API Key is current; the old one keeps working for ${grace} hours. Give the buyer the new one.`);
      onChanged();
    } else setErrors(byField(payload.errors));
  };
  const toggle = async () => {
    setDone("");
    const answer = await action.run(SET_ENABLED, { customerId: customer.id, enabled: !customer.isEnabled });
    if (!answer) return;
    const payload = answer.data.setCustomerEnabled;
    if (payload.customer) {
      setDone(payload.customer.isEnabled ? "The customer is enabled." : "The customer is disabled: its buyer's requests are refused (cXML 403).");
      onChanged();
    } else setErrors(byField(payload.errors));
  };
  return html`<section class="danger no-print" aria-labelledby="manage-title">
    <h3 id="manage-title">Key and access</h3>
    <${Problem} error=${action.error} />
    <p role="status" class="status">${done}</p>
    <form class="inline" onSubmit=${rotate} noValidate>
      <${Field} id="rotate-grace" label="Grace period (hours)" hint="How long the old key keeps working: 0 to 720" error=${errors.graceHours}>
        ${(p) => html`<input ...${p} type="number" min="0" max="720" step="1" value=${grace} onInput=${(e) => setGrace(e.currentTarget.value)} />`}
      <//>
      <button type="submit" disabled=${action.busy}>Rotate key</button>
    </form>
    <p>${customer.isEnabled ? "Enabled: the buyer's system can connect." : "Disabled: the buyer's correct credentials get cXML 403."}</p>
    <button type="button" class=${customer.isEnabled ? "destructive" : ""} disabled=${action.busy} onClick=${toggle}>
      ${customer.isEnabled ? "Disable customer" : "Enable customer"}</button>
  </section>`;
}

export function ConnectionTab({ customer, viewer }) {
  const may = abilities(viewer);
  const { data, error, loading, reload } = useQuery(CONNECTION, { id: customer.id }, customer.id);
  const example = useQuery(EXAMPLE_REQUEST, { id: customer.id }, may.readKey ? null : customer.id);
  const [shownExample, setShownExample] = useState(null);
  const secret = useRef(null);
  const [generation, setGeneration] = useState(0); // a rotation forgets the key read before
  if (error) return html`<${Problem} error=${error} retry=${reload} />`;
  if (loading && !data) return html`<${Loading} />`;
  const creds = data.customer.punchoutCredentials;
  const loadSecret = () => {
    secret.current = secret.current || gql(CONNECTION_SECRET, { id: customer.id }).then(({ data: d, errors }) => {
      const refused = fieldRefusal(errors, "sharedSecret");
      if (refused) throw Object.assign(new Error(refused.message), { kind: "refused" });
      setShownExample(d.customer.punchoutCredentials.exampleSetupRequest);
      return d.customer.punchoutCredentials.sharedSecret;
    });
    secret.current.catch(() => { secret.current = null; });
    return secret.current;
  };
  const secretCell = html`<${Secret} key=${generation} label="Sender Shared Secret" may=${may.readKey} load=${loadSecret} />
    <span class="print-only secret-line">Given separately: ______________________________</span>`;
  const toDefault = creds.toDomain === "NetworkID" ? creds.toIdentity : "your supplier identifier (NetworkID)";
  const urls = [["Setup Request URL", html`<code>${creds.setupUrl}</code>`], ["Order Request URL", html`<code>${creds.setupUrl}</code>`]];
  const exampleText = may.readKey ? shownExample : example.data && example.data.customer.punchoutCredentials.exampleSetupRequest;
  return html`<div class="connection-sheet">
    <div class="print-only sheet-head">
      <h2>Punchout connection: ${data.customer.username}</h2>
      <p>${customer.company.name} (${customer.company.code}) · printed ${new Date().toLocaleString()}</p>
    </div>
    <div class="title-row no-print">
      <p>What to type into the buyer's procurement system. Only the Sender identity and the
        shared secret are checked.</p>
      <button type="button" onClick=${() => window.print()}>Print</button>
    </div>
    <p class="print-only">Only the Sender identity and the shared secret are checked.</p>
    <${SheetTable} caption="Using known identifiers" rows=${[
      ["From Domain", creds.fromDomain], ["From Identity", creds.fromIdentity],
      ["To Domain", creds.toDomain], ["To Identity", creds.toIdentity],
      ["Sender Domain", creds.senderDomain], ["Sender Identity", creds.senderIdentity],
      ["Sender Shared Secret", secretCell], ...urls]} />
    <${SheetTable} caption="Using defaults" rows=${[
      ["From Domain", "NetworkID"], ["From Identity", creds.senderIdentity],
      ["To Domain", "NetworkID"], ["To Identity", toDefault],
      ["Sender Domain", "NetworkID"], ["Sender Identity", creds.senderIdentity],
      ["Sender Shared Secret", "The same PUNCHOUT API Key as above"], ...urls]} />
    <div class="no-print">
      <h3>Example setup request</h3>
      ${exampleText ? html`<pre class="example" tabindex="0" aria-label="Example setup request">${exampleText}</pre>`
        : html`<p class="hint">The example carries the key: press "Show" on the shared secret to see it.</p>`}
    </div>
    ${may.editCustomers && html`<${BuyerIdentity} customer=${customer} creds=${creds} onSaved=${reload} />`}
    ${may.manageConnection ? html`<${Manage} customer=${data.customer} onChanged=${() => { secret.current = null; setShownExample(null); setGeneration(generation + 1); reload(); }} />`
      : html`<p class="refused no-print">Your account may not rotate the key or enable and disable customers.</p>`}
  </div>`;
}
