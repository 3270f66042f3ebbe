// Shared pieces of the screens: loading data, fields with their errors, dialogs, menus, tabs.
import { ApiError, gql } from "./api.js";
import { html, useCallback, useEffect, useId, useRef, useState } from "./lib.js";

// Runs `query` whenever `key` changes; a newer run aborts the older one, so a stale answer
// never replaces a newer one.
export function useQuery(query, variables, key) {
  const [state, setState] = useState({ loading: true, data: null, errors: [], error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (key === null) {  // nothing to ask for
      setState({ loading: false, data: null, errors: [], error: null });
      return undefined;
    }
    const controller = new AbortController();
    setState((old) => ({ ...old, loading: true, error: null }));
    gql(query, variables, { signal: controller.signal }).then(
      ({ data, errors }) => setState({ loading: false, data, errors, error: null }),
      (error) => {
        if (error.kind !== "aborted") setState((old) => ({ ...old, loading: false, error }));
      },
    );
    return () => controller.abort();
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

// Sends a mutation (or a one-off query) and keeps what the person typed whatever happens.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async (query, variables) => {
    setBusy(true);
    setError(null);
    try {
      return await gql(query, variables);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError("server", String(caught)));
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

export function Problem({ error, retry }) {
  if (!error || error.kind === "aborted" || error.kind === "unauthenticated") return null;
  const title = error.kind === "network" ? "The server did not answer"
    : error.kind === "refused" ? "Refused" : "Something went wrong";
  return html`<div class="problem" role="alert">
    <p><strong>${title}:</strong> ${error.message}</p>
    ${retry && html`<button type="button" onClick=${retry}>Try again</button>`}
  </div>`;
}

export function Loading({ rows = 3 }) {
  return html`<div class="skeleton" aria-busy="true"><span class="visually-hidden">Loading…</span>
    ${Array.from({ length: rows }, () => html`<div class="skeleton-row"></div>`)}
  </div>`;
}

// A labelled input with its hint and error (GOV.UK style: the error next to the field).
export function Field({ label, hint, error, children, id }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint && hintId, error && errorId].filter(Boolean).join(" ") || undefined;
  return html`<div class=${"field" + (error ? " field-error" : "")}>
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${hintId}>${hint}</p>`}
    ${error && html`<p class="error-message" id=${errorId}><span class="visually-hidden">Error: </span>${error.message} (${error.code})</p>`}
    ${children({ id, "aria-describedby": described, "aria-invalid": error ? "true" : undefined })}
  </div>`;
}

export function ErrorSummary({ errors }) {
  const list = Object.values(errors || {});
  const ref = useRef(null);
  useEffect(() => {
    if (list.length && ref.current) ref.current.focus();
  }, [errors]);
  if (!list.length) return null;
  return html`<div class="error-summary" role="alert" tabindex="-1" ref=${ref}>
    <h2>There is a problem</h2>
    <ul>${list.map((e) => html`<li>${e.message}</li>`)}</ul>
  </div>`;
}

// A modal dialog (the native <dialog>: focus stays inside; Escape closes; focus goes back
// to what opened it).
export function Dialog({ title, onClose, children }) {
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement;
    const dialog = ref.current;
    dialog.showModal();
    const cancel = (event) => {
      event.preventDefault();
      onClose();
    };
    dialog.addEventListener("cancel", cancel);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);
  return html`<dialog ref=${ref} aria-labelledby=${titleId} class="dialog">
    <h2 id=${titleId}>${title}</h2>
    ${children}
  </dialog>`;
}

// The menu button pattern: Enter/Space/ArrowDown open it on the first item, arrows move,
// Escape closes and returns to the button.
export function MenuButton({ label, items }) {
  const [open, setOpen] = useState(false);
  const button = useRef(null);
  const menu = useRef(null);
  const menuId = useId();
  const focusItem = (index) => {
    const all = menu.current ? [...menu.current.querySelectorAll("[role=menuitem]")] : [];
    if (all.length) all[(index + all.length) % all.length].focus();
  };
  useEffect(() => {
    if (!open) return undefined;
    focusItem(0);
    const outside = (event) => {
      if (!menu.current?.contains(event.target) && event.target !== button.current) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);
  const onMenuKey = (event) => {
    const all = [...menu.current.querySelectorAll("[role=menuitem]")];
    const index = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown") focusItem(index + 1);
    else if (event.key === "ArrowUp") focusItem(index - 1);
    else if (event.key === "Home") focusItem(0);
    else if (event.key === "End") focusItem(all.length - 1);
    else if (event.key === "Escape" || event.key === "Tab") {
      setOpen(false);
      if (event.key === "Escape") button.current.focus();
    } else return;
    if (event.key !== "Tab") event.preventDefault();
  };
  const choose = (item) => {
    setOpen(false);
    button.current.focus(); // what a dialog opened by the item gives focus back to
    item.action();
  };
  return html`<div class="menu-button">
    <button type="button" ref=${button} aria-haspopup="menu" aria-expanded=${open ? "true" : "false"}
      aria-controls=${menuId} onClick=${() => setOpen(!open)}
      onKeyDown=${(e) => { if (e.key === "ArrowDown") { e.preventDefault(); setOpen(true); } }}>
      ${label} <span aria-hidden="true">▾</span>
    </button>
    <ul role="menu" id=${menuId} aria-label=${label} ref=${menu} hidden=${!open} onKeyDown=${onMenuKey}>
      ${items.map((item) => html`<li role="menuitem" tabindex="-1"
        onClick=${() => choose(item)}
        onKeyDown=${(e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(item); } }}>${item.label}</li>`)}
    </ul>
  </div>`;
}

// Tabs whose every tab is a link (each has its URL); arrow keys move between them.
export function Tabs({ label, tabs, current, panelId }) {
  const onKey = (event) => {
    const all = [...event.currentTarget.querySelectorAll("[role=tab]")];
    const index = all.indexOf(document.activeElement);
    let next = null;
    if (event.key === "ArrowRight") next = all[(index + 1) % all.length];
    else if (event.key === "ArrowLeft") next = all[(index - 1 + all.length) % all.length];
    else if (event.key === "Home") next = all[0];
    else if (event.key === "End") next = all[all.length - 1];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };
  return html`<div role="tablist" aria-label=${label} class="tabs" onKeyDown=${onKey}>
    ${tabs.map((tab) => html`<a role="tab" href=${tab.href} id=${`tab-${panelId}-${tab.slug}`}
      aria-selected=${tab.slug === current ? "true" : "false"} aria-controls=${panelId}
      tabindex=${tab.slug === current ? "0" : "-1"}>${tab.name}</a>`)}
  </div>`;
}

export function Pager({ page, onOlder, onNewer, noun }) {
  return html`<div class="pager">
    <button type="button" disabled=${!onNewer} onClick=${onNewer}>Newer ${noun}</button>
    <span>Page ${page}</span>
    <button type="button" disabled=${!onOlder} onClick=${onOlder}>Older ${noun}</button>
  </div>`;
}

// Newest-first pages through a connection: a stack of the cursors that led to each page.
export function useCursorPages() {
  const [cursors, setCursors] = useState([null]);
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    older: (endCursor) => setCursors([...cursors, endCursor]),
    newer: cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : null,
  };
}
