// Clean URLs through the History API: every screen and tab has one, and the server answers
// each with the same shell. Links are plain <a href>; a click on one is handled here.
import { useEffect, useState } from "./lib.js";

export const MORE_TABS = [
  ["developer-fields", "Developer Fields"],
  ["connection", "Connection"],
  ["connection-log", "Connection log"],
  ["orders", "Orders"],
  ["audit", "Audit"],
];
const CUSTOMER_TABS = ["details", "roles", "more"];

// IDs are base64: only "/" needs escaping in a path segment ("=" and "+" may stay).
const segment = (id) => encodeURIComponent(id).replace(/%3D/g, "=").replace(/%2B/g, "+");

export const paths = {
  home: () => "/",
  companies: (q) => (q ? `/companies?q=${encodeURIComponent(q)}` : "/companies"),
  newCompany: () => "/companies/new",
  company: (id) => `/companies/${segment(id)}`,
  editCompany: (id) => `/companies/${segment(id)}/edit`,
  customer: (id, tab = "details", sub = null) =>
    `/customers/${segment(id)}/${tab}` + (tab === "more" ? `/${sub || "developer-fields"}` : ""),
};

export function parse(location) {
  const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(location.search);
  if (parts.length === 0) return { screen: "home" };
  if (parts[0] === "companies") {
    if (parts.length === 1) return { screen: "companies", q: query.get("q") || "" };
    if (parts[1] === "new" && parts.length === 2) return { screen: "company-new" };
    if (parts.length === 2) return { screen: "company", id: parts[1] };
    if (parts.length === 3 && parts[2] === "edit") return { screen: "company-edit", id: parts[1] };
  }
  if (parts[0] === "customers" && parts.length >= 2) {
    const tab = parts[2] || "details";
    if (!CUSTOMER_TABS.includes(tab)) return { screen: "missing" };
    const sub = tab === "more" ? parts[3] || "developer-fields" : null;
    if (sub && !MORE_TABS.some(([slug]) => slug === sub)) return { screen: "missing" };
    if (parts.length > (tab === "more" ? 4 : 3)) return { screen: "missing" };
    return { screen: "customer", id: parts[1], tab, sub };
  }
  return { screen: "missing" };
}

const CHANGED = "console:navigate";

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  window.dispatchEvent(new Event(CHANGED));
}

export function useRoute() {
  const [route, setRoute] = useState(() => parse(window.location));
  useEffect(() => {
    const update = () => setRoute(parse(window.location));
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return route;
}

// Same-origin links are handled without reloading the page (the modifier keys still open
// new tabs as usual).
export function interceptLinks(root) {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith("/pages/")) return;
    if (url.pathname === "/graphql") return;
    event.preventDefault();
    if (url.pathname + url.search !== window.location.pathname + window.location.search) {
      navigate(url.pathname + url.search);
    }
  });
}
