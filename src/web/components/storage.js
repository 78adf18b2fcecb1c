// Storage problems where an owner sees them: a banner on every page when changes cannot be
// stored (a full disk, a database run from memory) or start-up found something (a damaged
// database kept aside, rows left out), from GET /api/v1/health's `storage`.
import { api } from "../lib/api.js";
import { html } from "../lib/html.js";
import { useData } from "../lib/ui.js";

/** The storage report, read again on each change of `key` (the page) and every 15 s; null when reads are locked. */
export function useStorage(key) {
  return useData(() => api("GET", "/api/v1/health").then((h) => h.storage), [key], 15_000).data;
}

/** "1.4 GB", "820 KB". */
export function bytes(n) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function StorageBanner({ storage }) {
  if (!storage || (storage.ok && storage.notices.length === 0)) return null;
  return html`<section class="banner" aria-labelledby="storage-banner-title">
    <h2 id="storage-banner-title">${storage.ok ? "Storage: what ledbox found when it started" : "Storage problem: changes are not being stored"}</h2>
    ${storage.problem && html`<p>${storage.problem}</p>`}
    ${storage.notices.length > 0 && html`<ul>${storage.notices.map((n, i) => html`<li key=${i}>${n}</li>`)}</ul>
      <p class="hint">Nothing was deleted: what was set aside stays in <code>${storage.dataDir}</code>. If something is missing, restore a backup (System).
        This note goes at the next restart.</p>`}
  </section>`;
}
