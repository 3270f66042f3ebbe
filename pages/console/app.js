// The console's entry: who is signed in, the navigation, and the screen the URL names.
import { gql, session } from "./api.js";
import { CompaniesScreen } from "./companies.js";
import { CompanyForm, CompanyScreen } from "./company.js";
import { CustomerScreen } from "./customer.js";
import { html, render, useEffect, useState } from "./lib.js";
import { LOGOUT, VIEWER } from "./operations.js";
import { interceptLinks, paths, useRoute } from "./routes.js";
import { SignIn } from "./signin.js";
import { Problem } from "./ui.js";
import { abilities } from "./viewer.js";

const TITLE = "Operations Portal";

function Navigation({ route, viewer, onSignOut }) {
  const inCrm = ["companies", "company", "company-new", "company-edit", "customer"].includes(route.screen);
  const [crmOpen, setCrmOpen] = useState(inCrm);
  useEffect(() => setCrmOpen(inCrm), [inCrm]);
  return html`<header class="top">
    <a class="brand" href="/">${TITLE}</a>
    <nav aria-label="Main">
      <ul class="nav">
        <li>
          <button type="button" class="nav-group" aria-expanded=${crmOpen ? "true" : "false"}
            aria-controls="nav-crm" onClick=${() => setCrmOpen(!crmOpen)}>CRM</button>
          <ul id="nav-crm" hidden=${!crmOpen}>
            <li><a href=${paths.companies()}
              aria-current=${inCrm ? "page" : undefined}>Companies</a></li>
          </ul>
        </li>
      </ul>
    </nav>
    <div class="who">
      <span>${viewer.email}</span>
      <button type="button" onClick=${onSignOut}>Sign out</button>
    </div>
  </header>`;
}

function Home({ viewer }) {
  const may = abilities(viewer);
  return html`<section>
    <h1>Welcome</h1>
    <p>Signed in as <strong>${viewer.email}</strong> (${may.summary}).</p>
    <p>Start from <strong>CRM › Companies</strong> in the navigation: find a company as you
      type, open it, add its punchout customer and hand the buyer its connection sheet.</p>
  </section>`;
}

function Screen({ route, viewer }) {
  switch (route.screen) {
    case "home": return html`<${Home} viewer=${viewer} />`;
    case "companies": return html`<${CompaniesScreen} route=${route} viewer=${viewer} />`;
    case "company-new": return html`<${CompanyForm} viewer=${viewer} />`;
    case "company-edit": return html`<${CompanyForm} id=${route.id} viewer=${viewer} />`;
    case "company": return html`<${CompanyScreen} key=${route.id} id=${route.id} viewer=${viewer} />`;
    case "customer": return html`<${CustomerScreen} key=${route.id} route=${route} viewer=${viewer} />`;
    default: return html`<section><h1>Page not found</h1>
      <p>No screen has this address. Go to <a href=${paths.companies()}>Companies</a>.</p></section>`;
  }
}

function useTitle(route) {
  useEffect(() => {
    const names = {
      home: "Home", companies: "Companies", "company-new": "New company",
      "company-edit": "Edit company", company: "Company", customer: "Customer",
    };
    document.title = `${names[route.screen] || "Not found"} · ${TITLE}`;
  }, [route.screen]);
}

function App() {
  const route = useRoute();
  const [viewer, setViewer] = useState(null);
  const [checking, setChecking] = useState(Boolean(session.token()));
  const [ended, setEnded] = useState(null);
  const [problem, setProblem] = useState(null);
  useTitle(route);
  useEffect(() => session.onEnded((reason) => {
    setViewer(null);
    setEnded(reason);
  }), []);
  const loadViewer = async () => {
    setProblem(null);
    setChecking(true);
    try {
      const { data } = await gql(VIEWER);
      setViewer(data.viewer);
    } catch (error) {
      if (error.kind !== "unauthenticated") setProblem(error);
    } finally {
      setChecking(false);
    }
  };
  useEffect(() => {
    if (session.token()) loadViewer();
  }, []);
  const signOut = async () => {
    try {
      await gql(LOGOUT);
    } catch (error) {
      // Signed out here whatever the server said: the token is forgotten below.
    }
    session.clear("signed-out");
    setEnded("signed-out");
    setViewer(null);
  };
  if (problem) {
    return html`<main id="main"><${Problem} error=${problem} retry=${loadViewer} /></main>`;
  }
  if (checking) return html`<main id="main" aria-busy="true"><p>Loading…</p></main>`;
  if (!viewer) {
    return html`<${SignIn} ended=${ended} onSignedIn=${(v) => { setEnded(null); setViewer(v); }} />`;
  }
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <${Navigation} route=${route} viewer=${viewer} onSignOut=${signOut} />
    <main id="main" tabindex="-1"><${Screen} route=${route} viewer=${viewer} /></main>`;
}

const root = document.getElementById("console");
root.textContent = "";
interceptLinks(document.body);
render(html`<${App} />`, root);
