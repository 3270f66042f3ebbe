// "Companies": the ranked typeahead of the API as a WAI-ARIA combobox whose popup is a grid
// (each row: name, code, and its link "More details"). Every keystroke sends the search and
// aborts the one before, so an older answer can never replace a newer one.
import { gql } from "./api.js";
import { html, useEffect, useRef, useState } from "./lib.js";
import { COMPANY_SEARCH } from "./operations.js";
import { navigate, paths } from "./routes.js";
import { Problem } from "./ui.js";
import { abilities } from "./viewer.js";

export function useTypeahead(initial) {
  const [text, setText] = useState(initial);
  const [state, setState] = useState({ query: "", results: [], more: false, error: null });
  const pending = useRef(null);
  const sent = useRef(null); // the text of the last search sent, answered or not
  const search = (value, again = false) => {
    setText(value);
    const query = value.trim();
    if (query === sent.current && !again) return; // e.g. a space typed: nothing new to ask
    sent.current = query;
    if (pending.current) pending.current.abort();
    if (!query) {
      pending.current = null;
      setState({ query: "", results: [], more: false, error: null });
      return;
    }
    const controller = new AbortController();
    pending.current = controller;
    gql(COMPANY_SEARCH, { search: query }, { signal: controller.signal }).then(
      ({ data }) => {
        if (pending.current !== controller) return; // superseded (belt and braces)
        const { edges, pageInfo } = data.companies;
        setState({ query, results: edges.map((e) => e.node), more: pageInfo.hasNextPage, error: null });
      },
      (error) => {
        if (error.kind === "aborted" || pending.current !== controller) return;
        sent.current = null; // asking again is worth it
        setState({ query, results: [], more: false, error });
      },
    );
  };
  useEffect(() => {
    if (initial) search(initial);
    return () => pending.current && pending.current.abort();
  }, []);
  return { text, search, ...state };
}

export function CompaniesScreen({ route, viewer }) {
  const may = abilities(viewer);
  const { text, search, query, results, more, error } = useTypeahead(route.q);
  // The highlighted result belongs to the results it was chosen in: new results start with
  // none, at once (an effect resetting it after the render could undo a quick arrow key).
  const [chosen, setChosen] = useState({ results: null, index: -1 });
  const active = chosen.results === results ? chosen.index : -1;
  const setActive = (index) => setChosen({ results, index });
  const input = useRef(null);
  useEffect(() => input.current && input.current.focus(), []);
  // The typed text is kept in the address, so Back comes back to the same results.
  useEffect(() => {
    const url = paths.companies(text.trim());
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  }, [text]);
  const open = Boolean(query) && text.trim() === query && (results.length > 0 || !error);
  const onKey = (event) => {
    if (event.key === "ArrowDown" && results.length) {
      setActive((active + 1) % results.length);
    } else if (event.key === "ArrowUp" && results.length) {
      setActive(active <= 0 ? results.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && results[active]) {
      navigate(paths.company(results[active].id));
    } else if (event.key === "Escape") {
      if (active >= 0) setActive(-1);
      else search("");
    } else return;
    event.preventDefault();
  };
  return html`<section>
    <div class="title-row">
      <h1>Companies</h1>
      ${may.editCompanies && html`<a class="button" href=${paths.newCompany()}>New company</a>`}
    </div>
    <div class="field combobox">
      <label for="company-search">Search companies</label>
      <p class="hint" id="company-search-hint">A name or a code; every word must match the start
        of a word. Arrow keys choose a company, Enter opens it.</p>
      <input id="company-search" ref=${input} type="text" role="combobox" autocomplete="off"
        spellcheck="false" aria-autocomplete="list" aria-haspopup="grid"
        aria-expanded=${open ? "true" : "false"} aria-controls="company-results"
        aria-describedby="company-search-hint"
        aria-activedescendant=${active >= 0 ? `company-option-${active}` : undefined}
        value=${text} onInput=${(e) => search(e.currentTarget.value)} onKeyDown=${onKey} />
    </div>
    <p class="visually-hidden" role="status">${query && !error
      ? `${results.length}${more ? " or more" : ""} ${results.length === 1 && !more ? "company matches" : "companies match"}` : ""}</p>
    ${error && html`<${Problem} error=${error} retry=${() => search(text, true)} />`}
    ${query && !error && results.length === 0 && html`<p class="empty">No company matches
      '${query}'.</p>`}
    <table role="grid" id="company-results" class="results" aria-label="Matching companies"
      data-query=${query} hidden=${!results.length}>
      <thead><tr><th scope="col">Name</th><th scope="col">Code</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead>
      <tbody>
        ${results.map((company, index) => html`<tr key=${company.id}
          class=${index === active ? "active" : ""} aria-selected=${index === active ? "true" : "false"}
          onMouseEnter=${() => setActive(index)}>
          <td id=${`company-option-${index}`}>${company.name}</td>
          <td class="code">${company.code}</td>
          <td><a href=${paths.company(company.id)} tabindex="-1">More details</a></td>
        </tr>`)}
      </tbody>
    </table>
    ${more && html`<p class="hint">More companies match: type more of the name or code.</p>`}
  </section>`;
}
