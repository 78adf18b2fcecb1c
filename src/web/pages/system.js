// The device: version and uptime, the log, backup and restore of everything stored, restart.
import { useRef } from "preact/hooks";
import { bytes, useStorage } from "../components/storage.js";
import { api, download } from "../lib/api.js";
import { html } from "../lib/html.js";
import { Card, Message, useAction, useData } from "../lib/ui.js";

function Backup() {
  const a = useAction();
  const file = useRef(null);
  const save = () => a.run(async () => {
    const res = await fetch("/api/v1/system/backup");
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `ledbox answered ${res.status}`);
    const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "ledbox-backup.db";
    download(name, await res.blob());
  }, "Backup downloaded. It holds the device's secrets (passwords, tokens): keep it safe.");
  const restore = (e) => {
    e.preventDefault();
    const f = file.current?.files?.[0];
    if (!f || !confirm(`Replace everything on this ledbox with ${f.name}? The current data is kept on the device beside it.`)) return;
    a.run(async () => {
      const res = await fetch("/api/v1/system/restore", { method: "POST", headers: { "content-type": "application/octet-stream" }, body: f });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error ?? `ledbox answered ${res.status}`);
    }, "Backup checked: ledbox is restarting on it. This page reconnects by itself.");
  };
  return html`<${Card} title="Backup and restore" id="backup-title">
    <p class="hint">One file with everything: settings, mappings, games, servers and their history, tokens and the password.</p>
    <button type="button" class="primary" onClick=${save} disabled=${a.busy}>Download a backup</button>
    <form noValidate onSubmit=${restore} class="row">
      <div class="field grow"><label for="restore-file">Restore from a backup</label><input id="restore-file" type="file" accept=".db,application/vnd.sqlite3" ref=${file} /></div>
      <button disabled=${a.busy}>Restore</button>
    </form>
    <${Message} error=${a.error} ok=${a.ok} />
  </${Card}>`;
}

export function System() {
  const info = useData(() => api("GET", "/api/v1/system"), [], 10_000);
  const log = useData(() => api("GET", "/api/v1/system/log?lines=200"), []);
  const storage = useStorage("system");
  const a = useAction();
  const i = info.data;
  return html`
    <${Card} title="This ledbox" id="system-title">
      ${i && html`<dl class="kv"><dt>Version</dt><dd>${i.version}</dd><dt>Host</dt><dd>${i.hostname}</dd><dt>Runtime</dt><dd>${i.runtime}</dd>
        <dt>Running for</dt><dd>${Math.floor(i.uptimeS / 3600)} h ${Math.floor((i.uptimeS % 3600) / 60)} min</dd><dt>Data</dt><dd><code>${i.dataDir}</code></dd>
        ${storage && html`<dt>Storage</dt><dd>${storage.ok ? "ok" : html`<span class="error">${storage.problem}</span>`}${storage.freeBytes !== null ? ` · ${bytes(storage.freeBytes)} free` : ""}</dd>`}</dl>`}
      <button type="button" onClick=${() => confirm("Restart ledbox? The strip goes dark for a moment.") && a.run(() => api("POST", "/api/v1/system/restart"), "Restarting: this page reconnects by itself.")}>Restart</button>
      <p class="hint"><a href="/api/docs">API documentation</a> (served by the device).</p>
      <${Message} error=${a.error ?? info.error} ok=${a.ok} />
    </${Card}>
    <${Backup} />
    <${Card} title="Log" id="log-title" actions=${html`<button type="button" onClick=${log.reload}>Refresh</button>`}>
      <pre class="log" tabindex="0" aria-label="The newest log lines">${log.data?.lines.join("\n") ?? ""}</pre>
      <${Message} error=${log.error} />
    </${Card}>`;
}
