// The customer screen: the tabs "Details", "Roles" and "More" (with its own tabs), each at
// its own URL.
import { byField, gql } from "./api.js";
import { NotFound } from "./company.js";
import { ConnectionTab } from "./connection.js";
import { DeveloperFieldsTab } from "./developer.js";
import { html, Time, useRef, useState } from "./lib.js";
import { AuditTab, ConnectionLogTab, OrdersTab } from "./logs.js";
import { ASSIGN_ROLE, CUSTOMER_SCREEN, REMOVE_ROLE, ROLE_SEARCH } from "./operations.js";
import { MORE_TABS, paths } from "./routes.js";
import { Loading, Problem, Tabs, useAction, useQuery } from "./ui.js";

function Details({ customer }) {
  return html`<dl class="facts">
    <dt>Username</dt><dd class="code">${customer.username}</dd>
    <dt>Company</dt><dd><a href=${paths.company(customer.company.id)}>${customer.company.name}</a>
      <span class="code"> ${customer.company.code}</span></dd>
    <dt>Punchout</dt><dd>${customer.isPunchout ? "Yes: connects over cXML punchout" : "No"}</dd>
    <dt>Status</dt><dd>${customer.isEnabled ? "Enabled" : "Disabled: its buyer's requests are refused"}</dd>
    <dt>Added</dt><dd><${Time} iso=${customer.createdAt} /></dd>
    <dt>Roles</dt><dd>${customer.roles.map((r) => r.name).join(", ") || "No roles"}</dd>
  </dl>`;
}

// "+ Assign role": a combobox offering the catalog's roles that start with what is typed.
function AssignRole({ customer, onChanged }) {
  const [text, setText] = useState("");
  const [options, setOptions] = useState([]);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState(null);
  const action = useAction();
  const pending = useRef(null);
  const suggest = (value) => {
    setText(value);
    setError(null);
    if (pending.current) pending.current.abort();
    const controller = new AbortController();
    pending.current = controller;
    gql(ROLE_SEARCH, { search: value.trim() }, { signal: controller.signal }).then(
      ({ data }) => {
        if (pending.current !== controller) return;
        const held = new Set(customer.roles.map((r) => r.name));
        setOptions(data.roles.filter((r) => !held.has(r.name)));
        setActive(-1);
      },
      () => {},
    );
  };
  const assign = async (role) => {
    setOptions([]);
    const answer = await action.run(ASSIGN_ROLE, { customerId: customer.id, role });
    if (!answer) return;
    const payload = answer.data.assignRole;
    if (payload.customer) {
      setText("");
      onChanged();
    } else {
      const found = byField(payload.errors);
      setError(found.role || Object.values(found)[0]);
    }
  };
  const onKey = (event) => {
    if (event.key === "ArrowDown" && options.length) setActive((active + 1) % options.length);
    else if (event.key === "ArrowUp" && options.length) setActive(active <= 0 ? options.length - 1 : active - 1);
    else if (event.key === "Enter") {
      const chosen = active >= 0 ? options[active].name : text.trim();
      if (chosen) assign(chosen);
    } else if (event.key === "Escape") setOptions([]);
    else return;
    event.preventDefault();
  };
  const open = options.length > 0;
  return html`<div class=${"field combobox" + (error ? " field-error" : "")}>
    <label for="assign-role">+ Assign role</label>
    <p class="hint" id="assign-role-hint">Type a role's name; choose with the arrow keys and Enter.</p>
    ${error && html`<p class="error-message" id="assign-role-error">${error.message} (${error.code})</p>`}
    ${action.error && html`<${Problem} error=${action.error} />`}
    <input id="assign-role" type="text" role="combobox" autocomplete="off" spellcheck="false"
      aria-autocomplete="list" aria-expanded=${open ? "true" : "false"} aria-controls="role-options"
      aria-describedby=${error ? "assign-role-hint assign-role-error" : "assign-role-hint"}
      aria-invalid=${error ? "true" : undefined}
      aria-activedescendant=${active >= 0 ? `role-option-${active}` : undefined}
      value=${text} onInput=${(e) => suggest(e.currentTarget.value)} onKeyDown=${onKey}
      onFocus=${() => suggest(text)} onBlur=${() => setTimeout(() => setOptions([]), 150)} />
    <ul role="listbox" id="role-options" aria-label="Roles" class="options" hidden=${!open}>
      ${options.map((role, index) => html`<li role="option" id=${`role-option-${index}`}
        aria-selected=${index === active ? "true" : "false"} class=${index === active ? "active" : ""}
        onMouseDown=${(e) => { e.preventDefault(); assign(role.name); }}>
        <span class="code">${role.name}</span> <span class="hint">${role.description}</span></li>`)}
    </ul>
  </div>`;
}

function Roles({ customer, onChanged }) {
  const action = useAction();
  const [errors, setErrors] = useState(null);
  const remove = async (role) => {
    const answer = await action.run(REMOVE_ROLE, { customerId: customer.id, role });
    if (!answer) return;
    const payload = answer.data.removeRole;
    if (payload.customer) onChanged();
    else setErrors(payload.errors);
  };
  return html`<div>
    <${Problem} error=${action.error} />
    ${errors && html`<p class="error-message" role="alert">${errors.map((e) => e.message).join(" ")}</p>`}
    ${customer.roles.length === 0 ? html`<p class="empty">No roles yet.</p>` : html`
      <ul class="roles">${customer.roles.map((role) => html`<li key=${role.name}>
        <span class="code">${role.name}</span> <span class="hint">${role.description}</span>
        <button type="button" class="small" aria-label=${`Remove ${role.name}`}
          disabled=${action.busy} onClick=${() => remove(role.name)}>Remove</button></li>`)}</ul>`}
    <${AssignRole} customer=${customer} onChanged=${onChanged} />
  </div>`;
}

function More({ route, customer, viewer }) {
  const subtab = route.sub;
  const panels = {
    "developer-fields": DeveloperFieldsTab, connection: ConnectionTab,
    "connection-log": ConnectionLogTab, orders: OrdersTab, audit: AuditTab,
  };
  const Panel = panels[subtab];
  return html`<div>
    <${Tabs} label="More" panelId="more-panel" current=${subtab}
      tabs=${MORE_TABS.map(([slug, name]) => ({ slug, name, href: paths.customer(customer.id, "more", slug) }))} />
    <div role="tabpanel" id="more-panel" aria-labelledby=${`tab-more-panel-${subtab}`} class="panel">
      <${Panel} key=${subtab} customer=${customer} viewer=${viewer} />
    </div>
  </div>`;
}

export function CustomerScreen({ route, viewer }) {
  const { data, error, loading, reload } = useQuery(CUSTOMER_SCREEN, { id: route.id }, route.id);
  if (error) return html`<${Problem} error=${error} retry=${reload} />`;
  if (loading && !data) return html`<${Loading} />`;
  const customer = data.customer;
  if (!customer) return html`<${NotFound} what="Customer" />`;
  const tabs = [["details", "Details"], ["roles", "Roles"], ["more", "More"]].map(([slug, name]) => ({
    slug, name, href: paths.customer(customer.id, slug, slug === "more" ? route.sub : null),
  }));
  return html`<section class="customer">
    <p class="breadcrumb"><a href=${paths.companies()}>Companies</a> ›
      <a href=${paths.company(customer.company.id)}> ${customer.company.name}</a> ›</p>
    <h1>${customer.username} ${!customer.isEnabled && html`<span class="badge">Disabled</span>`}</h1>
    <p class="subtitle">${customer.isPunchout ? "Punchout customer" : "Customer"} of ${customer.company.name}${" "}
      (<span class="code">${customer.company.code}</span>)</p>
    <${Tabs} label="Customer" panelId="customer-panel" current=${route.tab} tabs=${tabs} />
    <div role="tabpanel" id="customer-panel" aria-labelledby=${`tab-customer-panel-${route.tab}`} class="panel">
      ${route.tab === "details" && html`<${Details} customer=${customer} />`}
      ${route.tab === "roles" && html`<${Roles} customer=${customer} onChanged=${reload} />`}
      ${route.tab === "more" && html`<${More} route=${route} customer=${customer} viewer=${viewer} />`}
    </div>
  </section>`;
}
