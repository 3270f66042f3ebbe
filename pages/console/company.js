// The company screen (name, code, assigned staff, customers, the "More" menu), the "Add
// Punchout Customer" dialog, and creating or editing a company.
import { byField } from "./api.js";
import { html, useState } from "./lib.js";
import {
  ADD_PUNCHOUT_CUSTOMER, COMPANY_SCREEN, CREATE_COMPANY, UPDATE_COMPANY,
} from "./operations.js";
import { navigate, paths } from "./routes.js";
import {
  Dialog, ErrorSummary, Field, Loading, MenuButton, Problem, useAction, useQuery,
} from "./ui.js";
import { abilities } from "./viewer.js";

export function NotFound({ what }) {
  return html`<section><h1>${what} not found</h1>
    <p>This ${what.toLowerCase()} was not found: it does not exist, or your account may not reach it.</p>
    <p><a href=${paths.companies()}>Back to Companies</a></p></section>`;
}

function AddPunchoutCustomer({ company, onClose }) {
  const [username, setUsername] = useState("");
  const [errors, setErrors] = useState({});
  const action = useAction();
  const submit = async (event) => {
    event.preventDefault();
    const answer = await action.run(ADD_PUNCHOUT_CUSTOMER, { companyId: company.id, username });
    if (!answer) return;
    const payload = answer.data.addPunchoutCustomer;
    if (payload.customer) {
      onClose();
      navigate(paths.customer(payload.customer.id, "details"));
      return;
    }
    setErrors(byField(payload.errors));
  };
  const fieldError = errors.username || errors[""] || null;
  const hint = html`For example <code>punchout-114729@yourdomain.com</code>; using the company code
    helps staff find it later, e.g. <code>punchout-${company.code}@yourdomain.com</code>.`;
  return html`<${Dialog} title="Add Punchout Customer" onClose=${onClose}>
    <form onSubmit=${submit} noValidate>
      <p>A new customer of <strong>${company.name}</strong> (${company.code}) that connects over
        cXML punchout, with a new PUNCHOUT API Key.</p>
      <${Problem} error=${action.error} />
      ${errors.companyId && html`<p class="error-message">${errors.companyId.message}</p>`}
      <${Field} id="add-punchout-username" label="Username or email" hint=${hint} error=${fieldError}>
        ${(props) => html`<input ...${props} type="text" autocomplete="off" spellcheck="false"
          value=${username} onInput=${(e) => setUsername(e.currentTarget.value)} />`}
      <//>
      <div class="actions">
        <button type="submit" class="primary" disabled=${action.busy}>Add</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

export function CompanyScreen({ id, viewer }) {
  const may = abilities(viewer);
  const { data, error, loading, reload } = useQuery(COMPANY_SCREEN, { id }, id);
  const [adding, setAdding] = useState(false);
  if (error) return html`<${Problem} error=${error} retry=${reload} />`;
  if (loading && !data) return html`<${Loading} />`;
  const company = data.company;
  if (!company) return html`<${NotFound} what="Company" />`;
  const items = [];
  if (may.addPunchoutCustomer) items.push({ label: "Add Punchout Customer", action: () => setAdding(true) });
  if (may.editCompanies) items.push({ label: "Edit company", action: () => navigate(paths.editCompany(company.id)) });
  const customers = company.customers.edges.map((edge) => edge.node);
  return html`<section>
    <p class="breadcrumb"><a href=${paths.companies()}>Companies</a> ›</p>
    <div class="title-row">
      <h1>${company.name} <span class="code">${company.code}</span></h1>
      ${items.length > 0 && html`<${MenuButton} label="More" items=${items} />`}
    </div>
    <dl class="facts">
      <dt>Code</dt><dd class="code">${company.code}</dd>
      <dt>Assigned staff</dt>
      <dd>${company.assignedStaff.length ? company.assignedStaff.join(", ") : "None assigned"}</dd>
    </dl>
    <h2>Customers</h2>
    ${customers.length === 0 ? html`<p class="empty">No customers yet.</p>` : html`
      <table class="data">
        <thead><tr><th scope="col">Username</th><th scope="col">Punchout</th>
          <th scope="col">Status</th><th scope="col">Roles</th></tr></thead>
        <tbody>${customers.map((c) => html`<tr key=${c.id}>
          <td><a href=${paths.customer(c.id)}>${c.username}</a></td>
          <td>${c.isPunchout ? "Punchout" : "Not punchout"}</td>
          <td>${c.isEnabled ? "Enabled" : "Disabled"}</td>
          <td>${c.roles.map((r) => r.name).join(", ") || "No roles"}</td>
        </tr>`)}</tbody>
      </table>`}
    ${company.customers.pageInfo.hasNextPage && html`<p class="hint">Only the first 100 customers are listed.</p>`}
    ${adding && html`<${AddPunchoutCustomer} company=${company} onClose=${() => { setAdding(false); reload(); }} />`}
  </section>`;
}

function staffList(text) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

export function CompanyForm({ id, viewer }) {
  const editing = Boolean(id);
  const existing = useQuery(COMPANY_SCREEN, { id }, id || null);
  // null until the user types: until then the form shows the company as loaded. (Filling it
  // from an effect once loaded could overwrite what was typed in between.)
  const [typed, setForm] = useState(null);
  const [errors, setErrors] = useState({});
  const action = useAction();
  const company = existing.data && existing.data.company;
  const form = typed || (company
    ? { name: company.name, code: company.code, staff: company.assignedStaff.join("\n") }
    : { name: "", code: "", staff: "" });
  if (!abilities(viewer).editCompanies) {
    return html`<section><h1>${editing ? "Edit company" : "New company"}</h1>
      <p class="refused">Your account may not create and edit companies.</p></section>`;
  }
  if (editing && existing.error) return html`<${Problem} error=${existing.error} retry=${existing.reload} />`;
  if (editing && !company) return existing.loading ? html`<${Loading} />` : html`<${NotFound} what="Company" />`;
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    const input = { name: form.name, code: form.code, assignedStaff: staffList(form.staff) };
    const answer = editing
      ? await action.run(UPDATE_COMPANY, { input: { id, ...input } })
      : await action.run(CREATE_COMPANY, { input });
    if (!answer) return;
    const payload = editing ? answer.data.updateCompany : answer.data.createCompany;
    if (payload.company) navigate(paths.company(payload.company.id));
    else setErrors(byField(payload.errors));
  };
  return html`<section>
    <p class="breadcrumb"><a href=${paths.companies()}>Companies</a> ›
      ${editing && html` <a href=${paths.company(id)}>${company.name}</a> ›`}</p>
    <h1>${editing ? "Edit company" : "New company"}</h1>
    <form onSubmit=${submit} noValidate class="narrow">
      <${ErrorSummary} errors=${errors} />
      <${Problem} error=${action.error} />
      <${Field} id="company-name" label="Name" error=${errors.name}>
        ${(p) => html`<input ...${p} type="text" value=${form.name} onInput=${set("name")} />`}
      <//>
      <${Field} id="company-code" label="Code" hint="Unique: letters, digits and . _ - /" error=${errors.code}>
        ${(p) => html`<input ...${p} type="text" class="code" value=${form.code} onInput=${set("code")} />`}
      <//>
      <${Field} id="company-staff" label="Assigned staff"
        hint="Emails of crmCompanyEdit staff who look after it, one per line" error=${errors.assignedStaff}>
        ${(p) => html`<textarea ...${p} rows="3" value=${form.staff} onInput=${set("staff")}></textarea>`}
      <//>
      <div class="actions">
        <button type="submit" class="primary" disabled=${action.busy}>${editing ? "Save" : "Create company"}</button>
        <a href=${editing ? paths.company(id) : paths.companies()}>Cancel</a>
      </div>
    </form>
  </section>`;
}
