// Match schedules: the sources (a SpeedGaming event, a calendar) with how their last import went,
// and the next matches with a live countdown, yours marked.
import { useEffect, useState } from "preact/hooks";
import { RecordEditor } from "../components/editor.js";
import { api } from "../lib/api.js";
import { html } from "../lib/html.js";
import { ago, Card, Message, Pill, useAction, useData } from "../lib/ui.js";

/** "in 4:32", "in 2 h 05 min", "in 3 d 4 h", "now". */
function countdown(ms) {
  if (ms <= 0) return "now";
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  if (h >= 24) return `in ${Math.floor(h / 24)} d ${h % 24} h`;
  return h ? `in ${h} h ${String(m).padStart(2, "0")} min` : `in ${m}:${String(s % 60).padStart(2, "0")}`;
}

function useNow() {
  const [now, set] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => set(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function Matches() {
  const data = useData(() => api("GET", "/api/v1/matches"), [], 60_000);
  const now = useNow();
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const { matches, timeZone } = data.data;
  const skew = Date.parse(data.data.now) - Date.now();
  const when = { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false };
  return html`<${Card} title="Next matches" id="matches-title">
    ${matches.length === 0 ? html`<p class="empty">No matches ahead.</p>` : html`<ul class="plain matches">${matches.slice(0, 12).map((m) => html`<li key=${`${m.source.id}/${m.externalId}`} class=${m.mine ? "mine" : ""}>
      <b>${m.title}</b>${m.mine && html` <${Pill} tone="ok">yours</${Pill}>`}<br />
      <small>${new Date(m.start).toLocaleString([], when)} · ${m.source.name}${m.players.length ? ` · ${m.players.join(" vs ")}` : ""}</small>
      <span class="left">${countdown(Date.parse(m.start) - (now + skew))}</span></li>`)}</ul>`}
    <p class="hint">Times in the device's zone (${timeZone}).</p>
  </${Card}>`;
}

function SourceForm({ schema, source, onDone }) {
  return html`<${RecordEditor} schema=${schema} record=${source} blank=${{ name: "", kind: "ical" }}
    save=${(value) => (source ? api("PUT", `/api/v1/schedules/${source.id}`, value) : api("POST", "/api/v1/schedules", value))}
    saveLabel=${source ? "Save" : "Add source"} onDone=${onDone} />`;
}

function Source({ s, schema, onChanged }) {
  const status = useData(() => api("GET", `/api/v1/schedules/${s.id}/status`), [s.id], 10_000);
  const [editing, setEditing] = useState(false);
  const a = useAction();
  const st = status.data;
  const l = st?.last;
  return html`<li>
    <b>${s.name}</b> <small class="muted">${s.kind}</small> ${st && html`<${Pill} tone=${st.problem ? "bad" : st.state === "ok" ? "ok" : "warn"}>${st.state}</${Pill}>`}
    ${st && html`<br /><small>${st.problem ?? st.clockProblem ?? (l ? `${st.matches} matches · imported ${ago(st.lastOkAt)} (+${l.imported} ~${l.updated} −${l.removed}${l.skipped ? `, ${l.skipped} skipped` : ""})` : "not imported yet")}</small>`}
    <div class="row">
      <button type="button" onClick=${() => a.run(async () => (await api("POST", `/api/v1/schedules/${s.id}/import`), status.reload()), "Imported.")}>Import now</button>
      <button type="button" onClick=${() => setEditing(!editing)} aria-expanded=${editing}>Edit</button>
      <button type="button" class="link" onClick=${() => confirm(`Delete "${s.name}" and its matches?`) && a.run(async () => (await api("DELETE", `/api/v1/schedules/${s.id}`), onChanged()))}>Delete</button>
    </div>
    ${editing && html`<${SourceForm} schema=${schema} source=${s} onDone=${() => (setEditing(false), onChanged())} />`}
    <${Message} error=${a.error ?? status.error} ok=${a.ok} />
  </li>`;
}

export function Schedules() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/schedules"), api("GET", "/api/v1/schemas")]), []);
  const [adding, setAdding] = useState(false);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [sources, schemas] = data.data;
  return html`<${Matches} />
    <${Card} title="Schedule sources" id="sources-title" actions=${!adding && html`<button type="button" class="primary" onClick=${() => setAdding(true)}>Add a source</button>`}>
      <p class="hint">A SpeedGaming event (its slug) or any calendar (.ics URL). Apply the Match Day preset (Mappings) for a countdown on the strip.</p>
      ${adding && html`<${SourceForm} schema=${schemas.schedule} onDone=${() => (setAdding(false), data.reload())} />`}
      ${sources.length === 0 && !adding ? html`<p class="empty">No sources yet.</p>` : html`<ul class="plain sources">${sources.map((s) => html`<${Source} key=${s.id} s=${s} schema=${schemas.schedule} onChanged=${data.reload} />`)}</ul>`}
    </${Card}>`;
}
