// "Sign in": Email, Password; errors at the form and at the top, RATE_LIMITED explained.
import { gql, session } from "./api.js";
import { html, useState } from "./lib.js";
import { LOGIN, VIEWER } from "./operations.js";
import { ErrorSummary, Field, Problem } from "./ui.js";

const EXPLAIN = {
  RATE_LIMITED: "Too many failed sign-ins for this account or from this address. Sign-in stays " +
    "paused, even with the right password, until 15 minutes have passed since those failures: " +
    "wait, then try again.",
  INVALID_CREDENTIALS: "The email or the password is wrong. Check both and try again.",
};

export function SignIn({ ended, onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const missing = {};
    if (!email.trim()) missing.email = { code: "REQUIRED", message: "Enter your email." };
    if (!password) missing.password = { code: "REQUIRED", message: "Enter your password." };
    setErrors(missing);
    setProblem(null);
    if (Object.keys(missing).length) return;
    setBusy(true);
    try {
      const { data } = await gql(LOGIN, { email: email.trim(), password });
      const { token, errors: refused } = data.login;
      if (!token) {
        const first = refused[0];
        setErrors({ form: { code: first.code, message: EXPLAIN[first.code] || first.message } });
        return;
      }
      session.set(token);
      const viewer = await gql(VIEWER);
      onSignedIn(viewer.data.viewer);
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  return html`<main id="main" class="signin">
    <h1>Operations Portal</h1>
    <form onSubmit=${submit} noValidate aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      ${ended === "expired" && html`<p class="notice" role="status">Your session has ended. Sign in
        again to go back to where you were.</p>`}
      ${ended === "signed-out" && html`<p class="notice" role="status">You have signed out.</p>`}
      <${ErrorSummary} errors=${errors} />
      <${Problem} error=${problem} />
      <${Field} id="signin-email" label="Email" error=${errors.email}>
        ${(props) => html`<input ...${props} type="email" name="email" autocomplete="username"
          value=${email} onInput=${(e) => setEmail(e.currentTarget.value)} />`}
      <//>
      <${Field} id="signin-password" label="Password" error=${errors.password}>
        ${(props) => html`<input ...${props} type="password" name="password"
          autocomplete="current-password" value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)} />`}
      <//>
      ${errors.form && html`<p class="error-message form-error" id="signin-error">
        ${errors.form.message} (${errors.form.code})</p>`}
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}
