// The one place the vendored library is imported: Preact, its hooks, and htm's templates.
import { h, render, Fragment } from "./vendor/preact/preact.module.js";
import {
  useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState,
} from "./vendor/preact/hooks.module.js";
import htm from "./vendor/htm/htm.module.js";

export const html = htm.bind(h);
export {
  Fragment, render, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState,
};

// Times in the viewer's zone; the offset on hover (title).
export function localTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function offsetTitle(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${date.toISOString()} (your zone: UTC${sign}${hh}:${mm})`;
}

export function Time({ iso }) {
  return html`<time datetime=${iso} title=${offsetTitle(iso)}>${localTime(iso)}</time>`;
}
