// The console's only way to the server: GraphQL operations over JSON POST with the bearer
// token, as any third-party frontend sends them. The token lives in sessionStorage only.
const TOKEN_KEY = "opsportal.console.token";
const listeners = new Set();

export const session = {
  token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(reason) {
    const had = sessionStorage.getItem(TOKEN_KEY) !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (had) listeners.forEach((listener) => listener(reason));
  },
  onEnded(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export const UNREACHABLE =
  "The server did not answer (it may have stopped or restarted). Nothing you typed is lost: " +
  "try again in a moment.";

export class ApiError extends Error {
  // kind: aborted, network, server, unauthenticated, refused
  constructor(kind, message, code = null) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

function codeOf(error) {
  return (error && error.extensions && error.extensions.code) || null;
}

// Sends one operation. Resolves to {data, errors} (errors: the field-level refusals of a
// partial answer). Rejects with ApiError: "aborted" when `signal` fired, "network" when the
// server could not be reached, "unauthenticated" (the session is then ended), "refused" when
// the whole operation was refused (FORBIDDEN and the like), "server" for anything else.
export async function gql(query, variables = {}, { signal } = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST", headers, body: JSON.stringify({ query, variables }), signal,
    });
  } catch (error) {
    if (signal && signal.aborted) throw new ApiError("aborted", "Superseded by a newer request.");
    throw new ApiError("network", UNREACHABLE);
  }
  let body;
  try {
    body = await response.json();
  } catch (error) {
    if (signal && signal.aborted) throw new ApiError("aborted", "Superseded by a newer request.");
    throw new ApiError(
      response.status >= 500 ? "network" : "server",
      response.status >= 500 ? UNREACHABLE : `The server answered ${response.status}; try again.`,
    );
  }
  const errors = body.errors || [];
  const unauthenticated = errors.find((error) => codeOf(error) === "UNAUTHENTICATED");
  if (unauthenticated) {
    session.clear("expired");
    throw new ApiError("unauthenticated", unauthenticated.message, "UNAUTHENTICATED");
  }
  if (body.data == null || (errors.length && errors.some((e) => (e.path || []).length <= 1))) {
    const first = errors[0];
    if (first) throw new ApiError("refused", first.message, codeOf(first));
  }
  if (body.data == null) throw new ApiError("server", "The server gave no answer; try again.");
  return { data: body.data, errors };
}

// The refusal of one field of a partial answer (e.g. the key for staff who may not read it).
export function fieldRefusal(errors, name) {
  return errors.find((error) => (error.path || []).includes(name)) || null;
}

// Input problems of a mutation payload, by field (null: the form as a whole).
export function byField(payloadErrors) {
  const found = {};
  for (const error of payloadErrors || []) {
    const key = error.field || "";
    if (!(key in found)) found[key] = error;
  }
  return found;
}
