// Small pieces every page uses: cards, messages, status words, data loading.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";

export const Card = ({ title, id, children, actions }) => html`<section class="card" aria-labelledby=${id}>
  <div class="card-head"><h2 id=${id}>${title}</h2>${actions}</div>
  ${children}
</section>`;

/** An error (role=alert) or a confirmation (role=status); nothing when empty. */
export const Message = ({ error, ok }) => html`
  ${error && html`<p class="error" role="alert">${String(error.message ?? error)}</p>`}
  ${ok && html`<p class="ok" role="status">${ok}</p>`}`;

/** A state in words with its colour: ok, warn (retrying, waiting), bad (error), off. */
export const Pill = ({ tone, children }) => html`<span class=${`pill ${tone}`}>${children}</span>`;

/** Loads `load()` now and whenever `deps` change, and every `everyMs` if given; `reload` forces it. */
export function useData(load, deps = [], everyMs = 0) {
  const [state, set] = useState({ data: null, error: null, loading: true });
  const current = useRef(0);
  const reload = useCallback(async () => {
    const n = ++current.current;
    try {
      const data = await load();
      if (n === current.current) set({ data, error: null, loading: false });
    } catch (error) {
      if (n === current.current) set((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    reload();
    if (!everyMs) return;
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, [reload]);
  return { ...state, reload };
}

/** Runs an action, keeping its error and a short confirmation for the form that started it. */
export function useAction() {
  const [state, set] = useState({ busy: false, error: null, ok: "" });
  const run = useCallback(async (fn, ok = "") => {
    set({ busy: true, error: null, ok: "" });
    try {
      const r = await fn();
      set({ busy: false, error: null, ok });
      return r;
    } catch (error) {
      set({ busy: false, error, ok: "" });
      return undefined;
    }
  }, []);
  return { ...state, run, clear: () => set({ busy: false, error: null, ok: "" }) };
}

/** "12 s ago", "3 min ago", or the date. */
export function ago(iso) {
  if (!iso) return "never";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 5) return "just now";
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

/** An output's or unit's health in words and a tone. */
export function healthWords(h) {
  if (h.ok) return { tone: "ok", text: "ok" };
  if (/retrying/.test(h.message ?? "")) return { tone: "warn", text: `retrying: ${h.message}` };
  return { tone: "bad", text: `error: ${h.message ?? "not working"}` };
}
