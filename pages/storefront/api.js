// The storefront's only way to the server: the storefront operations of the GraphQL API, sent
// with the punchout session's credential (never a staff token). The credential arrives in the
// URL fragment of the StartPage redirect (#session=pos_...), which browsers never send to a
// server; it is kept in this tab's sessionStorage and removed from the address bar at once.
import { ApiError, UNREACHABLE } from "../console/api.js";

export { ApiError };
const KEY = "opsportal.storefront.session";
const ENDED = "opsportal.storefront.ended"; // this tab's session has ended: say so, not "none"
const listeners = new Set();

export const credential = {
  // Takes the credential out of the fragment, if there is one (a new session replaces an
  // older one of this tab); the one this tab holds.
  adopt() {
    const found = new URLSearchParams(location.hash.slice(1)).get("session");
    if (found) {
      sessionStorage.setItem(KEY, found);
      sessionStorage.removeItem(ENDED);
      history.replaceState(history.state, "", location.pathname + location.search);
    }
    return sessionStorage.getItem(KEY);
  },
  get() {
    return sessionStorage.getItem(KEY);
  },
  // The session has ended (its cart returned, or expired): its credential opens nothing now.
  forget() {
    if (sessionStorage.getItem(KEY) !== null) sessionStorage.setItem(ENDED, "1");
    sessionStorage.removeItem(KEY);
  },
  ended() {
    return sessionStorage.getItem(ENDED) !== null;
  },
  onEnded(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

function codeOf(error) {
  return (error && error.extensions && error.extensions.code) || null;
}

// Sends one operation with the session's credential. Resolves to {data, errors}; rejects with
// an ApiError: "aborted", "network", "unauthenticated" (the session has ended or expired: the
// credential is forgotten and the listeners told), "refused", "server".
export async function gql(query, variables = {}, { signal } = {}) {
  const token = credential.get();
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  let body;
  try {
    response = await fetch("/graphql", {
      method: "POST", headers, body: JSON.stringify({ query, variables }), signal,
      credentials: "omit", referrerPolicy: "no-referrer",
    });
    body = await response.json();
  } catch (error) {
    if (signal && signal.aborted) throw new ApiError("aborted", "Superseded by a newer request.");
    if (!response || response.status >= 500) throw new ApiError("network", UNREACHABLE);
    throw new ApiError("server", `The server answered ${response.status}; try again.`);
  }
  const errors = body.errors || [];
  const ended = errors.find((error) => codeOf(error) === "UNAUTHENTICATED");
  if (ended || !token) {
    credential.forget();
    listeners.forEach((listener) => listener());
    throw new ApiError("unauthenticated", ended ? ended.message : "No punchout session.",
      "UNAUTHENTICATED");
  }
  if (errors.length && body.data == null) {
    throw new ApiError("refused", errors[0].message, codeOf(errors[0]));
  }
  if (errors.length) throw new ApiError("server", errors[0].message, codeOf(errors[0]));
  return { data: body.data, errors };
}
