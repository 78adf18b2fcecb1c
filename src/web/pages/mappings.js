// Mappings: what each event does, per game — readable; an editor built from the API's mapping
// schema with a "try it" that plays it on the strip, seen in the live preview above; presets,
// each readable, applied or copied into your own mappings.
import { useState } from "preact/hooks";
import { RecordEditor } from "../components/editor.js";
import { Strip } from "../components/strip.js";
import { api } from "../lib/api.js";
import { sampleEvent } from "../lib/events.js";
import { html } from "../lib/html.js";
import { Card, Message, useAction, useData } from "../lib/ui.js";

/** "Kill (headshot) → sweep #ffd000, #ffffff for 400 ms on all segments". */
export function describe(m) {
  const when = [m.event, m.game && `in ${m.game}`, m.match && `with ${Object.entries(m.match).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    m.condition && `when ${m.condition.op} ${m.condition.value}`, m.cooldownMs && `at most every ${m.cooldownMs / 1000} s`].filter(Boolean).join(" ");
  const a = m.action;
  const where = !a.segment || a.segment === "*" ? "" : ` on ${a.segment}`;
  const colors = (a.colors ?? a.gradient ?? []).join(", ");
  const what = a.kind === "clear" ? `clears ${a.effect ?? "every effect"}${where}`
    : a.kind === "meter" ? `drives the ${a.meter ?? m.event} meter${colors ? ` (${colors})` : ""}${where}`
    : `${a.effect}${colors ? ` ${colors}` : ""}${a.durationMs ? ` for ${a.durationMs} ms` : ""}${where}${a.hold ? " while it holds" : ""}`;
  return { when, what };
}

/** An event that fires this mapping, for "Try it". */
const sample = (m) => sampleEvent(m.event, m);

/**
 * "Try it" in the editor: the action as it stands in the form, saved or not — an effect plays
 * directly, a clear clears; a meter needs its value events, so a test event goes (it drives what
 * is saved).
 */
function tryDraft(m) {
  const { kind, scaleByValue, timeoutMs, meter, ...spec } = m.action ?? {};
  if (kind === "effect" || kind === "hold") return api("POST", "/api/v1/scene/effects", spec);
  if (kind === "clear") return api("DELETE", `/api/v1/scene/effects?${new URLSearchParams(Object.entries(spec).filter(([, v]) => v !== undefined))}`);
  return api("POST", "/api/v1/events", sample(m));
}

function Editor({ schema, mapping, onDone }) {
  return html`<${RecordEditor} schema=${schema} record=${mapping} blank=${{ name: "", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#ffffff"] } }}
    save=${(value) => (mapping ? api("PUT", `/api/v1/mappings/${mapping.id}`, value) : api("POST", "/api/v1/mappings", value))}
    saveLabel=${mapping ? "Save" : "Add mapping"} onDone=${onDone}
    extra=${(value, form) => html`<button type="button" onClick=${() => form.run(() => tryDraft(value), value.action?.kind === "meter" ? "Sent a test event (a meter shows once saved)." : "Playing it on the strip.")}>Try it</button>`} />`;
}

function MappingRow({ m, onEdit, onChanged }) {
  const a = useAction();
  const { when, what } = describe(m);
  return html`<li class="mapping">
    <div><b>${m.name}</b>${m.enabled === false && html` <small class="muted">(off)</small>`}${m.preset && html` <small class="muted">from a preset</small>`}<br />
      <span>${when}</span> → <span>${what}</span></div>
    <div class="row">
      <button type="button" onClick=${() => a.run(() => api("POST", "/api/v1/events", sample(m)))} aria-label=${`Try it: ${m.name}`}>Try it</button>
      <button type="button" onClick=${onEdit} aria-label=${`Edit: ${m.name}`}>Edit</button>
      <button type="button" class="link" onClick=${() => confirm(`Delete the mapping "${m.name}"?`) && a.run(async () => (await api("DELETE", `/api/v1/mappings/${m.id}`), onChanged()))} aria-label=${`Delete: ${m.name}`}>Delete</button>
    </div>
    <${Message} error=${a.error} />
  </li>`;
}

function Presets({ presets, active, onChanged }) {
  const a = useAction();
  const copy = (p) => a.run(async () => {
    for (const m of p.mappings) await api("POST", "/api/v1/mappings", { ...m, name: `${m.name} (mine)` });
    onChanged();
  }, `${p.name}'s mappings are now your own: edit them freely.`);
  return html`<${Card} title="Presets" id="presets-title">
    <p class="hint">A preset's mappings replace the previous preset's; your own mappings stay.</p>
    ${presets.map((p) => html`<details key=${p.id}><summary><b>${p.name}</b>${p.id === active ? " · in use" : ""} — ${p.description}</summary>
      <ul class="plain">${p.mappings.map((m) => {
        const { when, what } = describe(m);
        return html`<li>${m.name}: ${when} → ${what}</li>`;
      })}</ul>
      <div class="row">
        <button type="button" class="primary" onClick=${() => a.run(async () => (await api("POST", `/api/v1/presets/${p.id}/apply`), onChanged()), `Applied ${p.name}.`)}>Apply ${p.name}</button>
        <button type="button" onClick=${() => copy(p)}>Copy into my mappings</button>
      </div>
    </details>`)}
    <${Message} error=${a.error} ok=${a.ok} />
  </${Card}>`;
}

export function Mappings() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/schemas"), api("GET", "/api/v1/mappings"), api("GET", "/api/v1/presets")]), []);
  const [editing, setEditing] = useState(null);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [schemas, mappings, presets] = data.data;
  const done = () => (setEditing(null), data.reload());
  const games = [...new Set(mappings.map((m) => m.game ?? ""))].sort();
  return html`
    <section class="card strip-card" aria-label="Live strip"><${Strip} /></section>
    <${Card} title="What each event does" id="mappings-title" actions=${html`<button type="button" class="primary" onClick=${() => setEditing("new")}>Add a mapping</button>`}>
      ${editing === "new" && html`<${Editor} schema=${schemas.mapping} onDone=${done} />`}
      ${mappings.length === 0 && html`<p class="empty">No mappings: apply a preset below, or add your own.</p>`}
      ${games.map((g) => html`<section key=${g} aria-label=${g ? `${g} mappings` : "Mappings for any game"}>
        <h3>${g || "Any game"}</h3>
        <ul class="plain">${mappings.filter((m) => (m.game ?? "") === g).map((m) => editing === m.id
          ? html`<li key=${m.id}><${Editor} schema=${schemas.mapping} mapping=${m} onDone=${done} /></li>`
          : html`<${MappingRow} key=${m.id} m=${m} onEdit=${() => setEditing(m.id)} onChanged=${data.reload} />`)}</ul>
      </section>`)}
    </${Card}>
    <${Presets} presets=${presets} active=${mappings.find((m) => m.preset)?.preset} onChanged=${data.reload} />`;
}
