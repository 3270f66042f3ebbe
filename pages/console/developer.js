// "Developer Fields": the customer's settings as "Setting" / "Value"; the PUNCHOUT API Key
// masked, "Show" and "Copy" reading it (an audited read) only when pressed.
import { byField, fieldRefusal, gql } from "./api.js";
import { html, useState } from "./lib.js";
import { API_KEY, DEVELOPER_FIELDS, SET_FIELD } from "./operations.js";
import { Loading, Problem, useAction, useQuery } from "./ui.js";
import { abilities } from "./viewer.js";

export const MASK = "••••••••";
export const READ_NOTE = "Showing or copying the key reads it, and every read is recorded on " +
  "the customer's audit trail.";
export const MAY_NOT_READ = "Your account may not read the PUNCHOUT API Key.";

// A secret: masked; "Show" reveals it, "Copy" puts it on the clipboard without showing it.
// `load` reads it from the API (each call an audited read).
export function Secret({ load, may, label, onShown }) {
  const [value, setValue] = useState(null);
  const [shown, setShown] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState(null);
  if (!may) return html`<span class="refused">${MAY_NOT_READ}</span>`;
  const read = async () => {
    if (value !== null) return value;
    setError(null);
    try {
      const secret = await load();
      setValue(secret);
      return secret;
    } catch (caught) {
      setError(caught);
      return null;
    }
  };
  const show = async () => {
    if (shown) {
      setShown(false);
      return;
    }
    const secret = await read();
    if (secret !== null) {
      setShown(true);
      setStatus("Shown: this read is on the audit trail.");
      if (onShown) onShown(secret);
    }
  };
  const copy = async () => {
    const secret = await read();
    if (secret === null) return;
    try {
      await navigator.clipboard.writeText(secret);
      setStatus("Copied to the clipboard (the read is on the audit trail).");
    } catch (caught) {
      setStatus(`Could not copy: ${caught.message}. Use "Show" and copy it by hand.`);
    }
  };
  return html`<div class="secret">
    <code class=${shown ? "secret-value shown" : "secret-value"} aria-label=${shown ? label : `${label}, hidden`}>
      ${shown ? value : MASK}</code>
    <button type="button" class="small" onClick=${show} aria-pressed=${shown ? "true" : "false"}>${shown ? "Hide" : "Show"}</button>
    <button type="button" class="small" onClick=${copy}>Copy</button>
    <p class="hint">${READ_NOTE}</p>
    <p class="status" role="status">${status}</p>
    <${Problem} error=${error} />
  </div>`;
}

export async function readApiKey(customerId) {
  const { data, errors } = await gql(API_KEY, { id: customerId });
  const refused = fieldRefusal(errors, "value");
  if (refused) throw Object.assign(new Error(refused.message), { kind: "refused" });
  const field = data.customer.developerFields.find((f) => f.key === "PUNCHOUT_API_KEY");
  if (!field || field.value === null) {
    throw Object.assign(new Error("This customer has no PUNCHOUT API Key."), { kind: "refused" });
  }
  return field.value;
}

function EditableValue({ customer, field, may, onSaved }) {
  const [value, setValue] = useState(field.value || "");
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState("");
  const action = useAction();
  const id = `field-${field.key}`;
  if (!may) return html`<span>${field.value || "—"}</span>`;
  const save = async (event) => {
    event.preventDefault();
    setSaved("");
    const answer = await action.run(SET_FIELD, { input: { customerId: customer.id, key: field.key, value } });
    if (!answer) return;
    const payload = answer.data.setDeveloperField;
    if (payload.customer) {
      setError(null);
      setSaved("Saved.");
      onSaved();
    } else setError(Object.values(byField(payload.errors))[0]);
  };
  return html`<form class="inline" onSubmit=${save}>
    ${field.choices.length
      ? html`<select id=${id} aria-label=${field.label} value=${value} onChange=${(e) => setValue(e.currentTarget.value)}>
          ${field.choices.map((choice) => html`<option value=${choice}>${choice}</option>`)}</select>`
      : html`<input id=${id} aria-label=${field.label} type="text" value=${value}
          onInput=${(e) => setValue(e.currentTarget.value)} />`}
    <button type="submit" class="small" disabled=${action.busy || value === (field.value || "")}
      aria-label=${`Save ${field.label}`}>Save</button>
    <span role="status" class="status">${saved}</span>
    ${error && html`<p class="error-message">${error.message} (${error.code})</p>`}
    <${Problem} error=${action.error} />
  </form>`;
}

export function DeveloperFieldsTab({ customer, viewer }) {
  const may = abilities(viewer);
  const { data, error, loading, reload } = useQuery(DEVELOPER_FIELDS, { id: customer.id }, customer.id);
  if (error) return html`<${Problem} error=${error} retry=${reload} />`;
  if (loading && !data) return html`<${Loading} />`;
  return html`<table class="data settings">
    <caption class="visually-hidden">Developer Fields</caption>
    <thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
    <tbody>${data.customer.developerFields.map((field) => html`<tr key=${field.key}>
      <th scope="row">${field.label}<p class="hint">${field.description}</p></th>
      <td>${field.isSecret
        ? html`<${Secret} label=${field.label} may=${may.readKey} load=${() => readApiKey(customer.id)} />`
        : html`<${EditableValue} customer=${customer} field=${field} may=${may.editCustomers} onSaved=${reload} />`}</td>
    </tr>`)}</tbody>
  </table>`;
}
