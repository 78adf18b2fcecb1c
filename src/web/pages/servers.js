// Game servers: each with its state, map, players, bots and last problem; a server's page with
// who is on now, recent sessions and a chart of players over the last day; add, edit, switch off.
import { useState } from "preact/hooks";
import { RecordEditor } from "../components/editor.js";
import { api } from "../lib/api.js";
import { html } from "../lib/html.js";
import { ago, Card, Message, Pill, useAction, useData } from "../lib/ui.js";

const TONE = { online: "ok", offline: "bad", unknown: "warn", disabled: "off" };

function ServerForm({ schema, server, onDone }) {
  return html`<${RecordEditor} schema=${schema} record=${server} blank=${{ name: "", kind: "source", host: "" }}
    save=${(value) => (server ? api("PUT", `/api/v1/servers/${server.id}`, value) : api("POST", "/api/v1/servers", value))}
    saveLabel=${server ? "Save" : "Add server"} onDone=${onDone}
    hint=${server?.hasRconPassword && html`<p class="hint">An RCON password is stored; leave the field empty to keep it.</p>`} />`;
}

/** Players over time as a step line; the gaps (nothing known) stay empty. */
function Chart({ history }) {
  const W = 600, H = 140, P = 24;
  const t0 = Date.now() - 86_400_000, t1 = Date.now();
  const max = Math.max(1, ...history.map((h) => h.maxPlayers ?? h.players));
  const x = (t) => P + ((Date.parse(t) - t0) / (t1 - t0)) * (W - 2 * P);
  const y = (v) => H - P - (v / max) * (H - 2 * P);
  const rows = history.filter((h) => Date.parse(h.to) >= t0);
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`Players over the last 24 hours, at most ${Math.max(0, ...rows.map((h) => h.players))}`}>
      <line x1=${P} y1=${H - P} x2=${W - P} y2=${H - P} class="axis" />
      <text x=${P} y=${H - 6} class="tick">24 h ago</text><text x=${W - P} y=${H - 6} class="tick end">now</text>
      <text x=${4} y=${y(max) + 4} class="tick">${max}</text>
      ${rows.map((h, i) => html`<rect key=${i} x=${x(h.from < new Date(t0).toISOString() ? new Date(t0).toISOString() : h.from)} y=${y(h.players)}
        width=${Math.max(1, x(h.to) - x(h.from < new Date(t0).toISOString() ? new Date(t0).toISOString() : h.from))} height=${H - P - y(h.players)}
        class=${h.online ? "bar" : "bar off"} />`)}
    </svg>
    <figcaption class="hint">Grey: offline. Empty: ledbox was not watching.</figcaption>
  </figure>`;
}

function ServerDetail({ id }) {
  const data = useData(() => Promise.all([api("GET", `/api/v1/servers/${id}/status`), api("GET", `/api/v1/servers/${id}/players`), api("GET", `/api/v1/servers/${id}/history`)]), [id], 5000);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [status, players, history] = data.data;
  const person = (p) => html`${p.profile?.avatar && html`<img class="avatar" src=${p.profile.avatar} alt="" width="24" height="24" />`}
    ${p.profile?.name ?? p.name}${p.profile && p.profile.name !== p.name ? html` <small class="muted">(${p.name})</small>` : ""}`;
  return html`<div class="detail">
    <${Chart} history=${history} />
    <h4>On the server now ${players.roster === "unknown" ? html`<small class="muted">(the list cannot be read right now: as last seen)</small>` : ""}</h4>
    ${players.current.length === 0 ? html`<p class="empty">Nobody.</p>`
      : html`<ul class="plain">${players.current.map((p, i) => html`<li key=${i}>${person(p)} · ${Math.round(p.connectedS / 60)} min${p.pingMax !== null ? ` · ping ${p.pingMin}–${p.pingMax} ms` : ""}</li>`)}</ul>`}
    <h4>Recent sessions</h4>
    ${players.recent.length === 0 ? html`<p class="empty">None yet.</p>`
      : html`<ul class="plain">${players.recent.slice(0, 15).map((p, i) => html`<li key=${i}>${person(p)} · left ${ago(p.leftAt)} after ${Math.round(p.connectedS / 60)} min</li>`)}</ul>`}
    ${status.notes.map((n) => html`<p class="hint">${n}</p>`)}
  </div>`;
}

function ServerRow({ s, schema, onChanged }) {
  const status = useData(() => api("GET", `/api/v1/servers/${s.id}/status`), [s.id], 5000);
  const [open, setOpen] = useState(null);
  const a = useAction();
  const st = status.data;
  const srv = st?.server;
  // The state shown is the status's: read it again with the list, or a switched-off server reads "online" until the next poll.
  const changed = () => (status.reload(), onChanged());
  return html`<article class="card" aria-labelledby=${`s-${s.id}`}>
    <div class="card-head"><h3 id=${`s-${s.id}`}>${s.name}</h3><${Pill} tone=${TONE[st?.state ?? s.state] ?? "warn"}>${st?.state ?? s.state}</${Pill}></div>
    <p class="muted">${s.kind} · ${st?.address ?? ""}</p>
    ${srv && html`<p>${srv.map ?? ""} · <b>${srv.players}</b>${srv.maxPlayers ? ` / ${srv.maxPlayers}` : ""} players${srv.bots ? ` · ${srv.bots} bots` : ""}${srv.version ? ` · ${srv.version}` : ""}</p>`}
    ${st?.problem && html`<p class="error" role="alert">${st.problem}</p>`}
    <div class="row">
      <button type="button" aria-expanded=${open === "detail"} onClick=${() => setOpen(open === "detail" ? null : "detail")}>Players and history</button>
      <button type="button" aria-expanded=${open === "edit"} onClick=${() => setOpen(open === "edit" ? null : "edit")}>Edit</button>
      <button type="button" onClick=${() => a.run(async () => (await api("PUT", `/api/v1/servers/${s.id}`, { enabled: !s.enabled }), changed()))}>${s.enabled ? "Switch off" : "Switch on"}</button>
      <button type="button" class="link" onClick=${() => confirm(`Delete "${s.name}" and its history?`) && a.run(async () => (await api("DELETE", `/api/v1/servers/${s.id}`), onChanged()))}>Delete</button>
    </div>
    ${open === "detail" && html`<${ServerDetail} id=${s.id} />`}
    ${open === "edit" && html`<${ServerForm} schema=${schema} server=${s} onDone=${() => (setOpen(null), changed())} />`}
    <${Message} error=${a.error ?? status.error} />
  </article>`;
}

function SteamOptions() {
  const opts = useData(() => api("GET", "/api/v1/servers/options"), []);
  const [key, setKey] = useState("");
  const a = useAction();
  if (!opts.data) return html`<${Message} error=${opts.error} />`;
  const s = opts.data.steam;
  const save = (steam, ok) => a.run(async () => (await api("PUT", "/api/v1/servers/options", { steam }), setKey(""), opts.reload()), ok);
  return html`<${Card} title="Steam profiles" id="steam-title">
    <p class="hint">Off by default: with a Steam Web API key, players' Steam names and avatars show (fetched by the device and kept on it).</p>
    <form noValidate class="row" onSubmit=${(e) => (e.preventDefault(), save({ enabled: true, apiKey: key || undefined }, "Steam profiles on."))}>
      <div class="field grow"><label for="steam-key">API key ${s.hasApiKey ? html`<small class="muted">(one is stored)</small>` : ""}</label>
        <input id="steam-key" type="password" autocomplete="off" value=${key} onInput=${(e) => setKey(e.currentTarget.value)} /></div>
      <button class="primary">${s.enabled ? "Save key" : "Switch on"}</button>
      ${s.enabled && html`<button type="button" onClick=${() => save({ enabled: false }, "Steam profiles off.")}>Switch off</button>`}
    </form>
    ${s.lastProblem && html`<p class="error" role="alert">${s.lastProblem}</p>`}
    <${Message} error=${a.error} ok=${a.ok} />
  </${Card}>`;
}

export function Servers() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/servers"), api("GET", "/api/v1/schemas")]), []);
  const [adding, setAdding] = useState(false);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [list, schemas] = data.data;
  return html`
    <${Card} title="Game servers" id="servers-title" actions=${!adding && html`<button type="button" class="primary" onClick=${() => setAdding(true)}>Add a server</button>`}>
      <p class="hint">Source games (A2S; with RCON for Steam ids), Minecraft, or any JSON endpoint on your LAN. Apply the Game Servers preset (Mappings) to light the room for them.</p>
      ${adding && html`<${ServerForm} schema=${schemas.server} onDone=${() => (setAdding(false), data.reload())} />`}
      ${list.length === 0 && !adding && html`<p class="empty">No servers yet.</p>`}
    </${Card}>
    <div class="cards">${list.map((s) => html`<${ServerRow} key=${s.id} s=${s} schema=${schemas.server} onChanged=${data.reload} />`)}</div>
    <${SteamOptions} />`;
}
