// Who punched out and from where: the buyer's name and email, the company, the procurement
// system (the setup request's UserAgent), "test" for a test session, and the time left.
import { Time, html, useEffect, useState } from "../console/lib.js";

// Seconds left, counted down from the server's figure (not from expiresAt: the viewer's clock
// may be wrong); `onZero` once it reaches 0.
export function useCountdown(seconds, onZero) {
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    const start = performance.now();
    setLeft(seconds);
    const tick = () => {
      const now = Math.max(0, Math.ceil(seconds - (performance.now() - start) / 1000));
      setLeft(now);
      if (now === 0) {
        clearInterval(timer);
        onZero();
      }
    };
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [seconds]);
  return left;
}

export function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

function spoken(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.ceil((seconds % 3600) / 60);
  if (h) return `${h} hour${h === 1 ? "" : "s"} ${m} minute${m === 1 ? "" : "s"}`;
  return `${m} minute${m === 1 ? "" : "s"}`;
}

function buyerName(user) {
  const named = user.fullName || [user.firstName, user.lastName].filter(Boolean).join(" ");
  return named || null;
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch (error) {
    return null;
  }
}

export function SessionBar({ session, onExpired }) {
  const left = useCountdown(session.expiresInSeconds, onExpired);
  const name = buyerName(session.user);
  const returnsTo = session.returnUrl ? hostOf(session.returnUrl) : null;
  const soon = left < 300;
  return html`<header class="top shop-top">
    <span class="brand">Storefront</span>
    <dl class="session-facts" aria-label="Punchout session">
      <div><dt>Buyer</dt><dd>${name && html`<span class="buyer-name">${name}</span> `}
        ${session.user.email
          ? html`<span class="buyer-email">${session.user.email}</span>`
          : !name && html`<span class="refused">not sent</span>`}</dd></div>
      <div><dt>Company</dt><dd>${session.companyName} <code>${session.companyCode}</code></dd></div>
      <div><dt>Procurement system</dt><dd>
        <span class="user-agent">${session.userAgent || "not named"}</span>
        ${returnsTo && html` <span class="hint">(returns to ${returnsTo})</span>`}
        ${session.deploymentMode === "test" && html` <span class="badge test"
          title=${'deploymentMode="test": a test punchout'}>test</span>`}
      </dd></div>
      <div><dt>Time left</dt><dd>
        <span role="timer" class=${soon ? "time-left soon" : "time-left"}
          aria-label=${`${spoken(left)} left`}>${clock(left)}</span>
        <span class="hint"> (until <${Time} iso=${session.expiresAt} />)</span>
      </dd></div>
    </dl>
  </header>`;
}
