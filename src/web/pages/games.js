// Games: one card per integration — connected, waiting or its last problem, the last payload and
// counts; setup steps with the ready config file to download; token rotation, recording, a live
// event monitor and test events for that game. New ones from the adapter list, with a form built
// from each adapter's own config schema. The live preview on top shows what the game lights.
import { useState } from "preact/hooks";
import { useSubmit } from "../components/editor.js";
import { Strip } from "../components/strip.js";
import { api, download } from "../lib/api.js";
import { sampleEvent } from "../lib/events.js";
import { Field } from "../lib/form.js";
import { html } from "../lib/html.js";
import { useLiveEvents } from "../lib/live.js";
import { markdown } from "../lib/markdown.js";
import { ago, Card, Message, Pill, useAction, useData } from "../lib/ui.js";
import { EventList } from "./dashboard.js";

const VALUE_LIKE = new Set(["health", "armor", "shield", "mana", "energy", "ammo", "gold", "money", "fuel", "speed", "boost", "flash", "respawn_seconds", "players"]);

function stateOf(rec, status) {
  if (!rec.enabled) return { tone: "off", text: "off" };
  if (!status) return { tone: "bad", text: "not running" };
  if (status.connected) return { tone: "ok", text: "connected" };
  return { tone: "warn", text: status.lastPayloadAt ? `waiting (last payload ${ago(status.lastPayloadAt)})` : "waiting for the game" };
}

function Setup({ rec }) {
  const setup = useData(() => api("GET", `/api/v1/integrations/${rec.id}/setup`), [rec.id]);
  const [shown, setShown] = useState(false);
  const s = setup.data;
  if (!s) return html`<${Message} error=${setup.error} />`;
  return html`<div class="setup">
    <div class="markdown" dangerouslySetInnerHTML=${{ __html: markdown(s.instructions) }}></div>
    ${s.file && html`<p><button type="button" class="primary" onClick=${() => download(s.file.filename, s.file.content)}>Download ${s.file.filename}</button>
      <br /><small class="hint">Put it in <code>${s.file.path}</code>.</small></p>`}
    <dl class="kv"><dt>Send to</dt><dd><code>${s.url}</code></dd>
      <dt>Token</dt><dd>${shown ? html`<code>${s.token}</code>` : html`<button type="button" class="link" onClick=${() => setShown(true)}>Show the token</button>`}</dd></dl>
    ${s.example && html`<details><summary>Test with curl</summary><pre><code>${s.example}</code></pre></details>`}
  </div>`;
}

function Monitor({ rec }) {
  const events = useLiveEvents(20, (e) => e.source === rec.id);
  return html`<${EventList} events=${events} empty="No events from this integration since you opened this page." />`;
}

function IntegrationCard({ rec, adapter, onChanged }) {
  const status = useData(() => api("GET", `/api/v1/integrations/${rec.id}/status`).catch((e) => (e.status === 409 ? null : Promise.reject(e))), [rec.id], 3000);
  const [open, setOpen] = useState(null);
  // A new token: the setup (token, config file) is fetched again.
  const [setupKey, setSetupKey] = useState(0);
  const a = useAction();
  const st = status.data;
  const s = stateOf(rec, st);
  const put = (body, ok, after = () => {}) => a.run(async () => (await api("PUT", `/api/v1/integrations/${rec.id}`, body), after(), onChanged()), ok);
  const triggers = (adapter?.emits ?? []).filter((t) => !VALUE_LIKE.has(t)).slice(0, 8);
  const tab = (name, label) => html`<button type="button" aria-expanded=${open === name} onClick=${() => setOpen(open === name ? null : name)}>${label}</button>`;
  return html`<article class="card integration" aria-labelledby=${`i-${rec.id}`}>
    <div class="card-head"><h3 id=${`i-${rec.id}`}>${rec.name}</h3><${Pill} tone=${s.tone}>${s.text}</${Pill}></div>
    <p class="muted">${adapter?.name ?? rec.type}${rec.preset ? ` · preset ${rec.preset}` : ""}</p>
    ${st && html`<p>Last payload ${ago(st.lastPayloadAt)} · ${st.payloads} payloads · ${st.rejected} refused
      ${Object.keys(st.counts).length > 0 && html`<br /><small>${Object.entries(st.counts).map(([k, v]) => `${k} ${v}`).join(" · ")}</small>`}</p>`}
    ${st?.problem && html`<p class="error" role="alert">${st.problem.text} <small>(${ago(st.problem.at)})</small></p>`}
    <div class="row">
      ${tab("setup", "Set up")}${tab("monitor", "Live events")}${tab("test", "Test events")}
      <button type="button" onClick=${() => put({ enabled: !rec.enabled }, rec.enabled ? "Switched off." : "Switched on.")}>${rec.enabled ? "Switch off" : "Switch on"}</button>
      <button type="button" onClick=${() => put({ record: !rec.record }, rec.record ? "Recording stopped." : "Recording payloads.")}>${rec.record ? "Stop recording" : "Record payloads"}</button>
      <button type="button" onClick=${() => confirm("A new token: the game's config file must be downloaded again. Continue?") && put({ rotateToken: true }, "New token made: download the config again.", () => setSetupKey((k) => k + 1))}>New token</button>
      <button type="button" class="link" onClick=${() => confirm(`Delete "${rec.name}"?`) && a.run(async () => (await api("DELETE", `/api/v1/integrations/${rec.id}`), onChanged()))}>Delete</button>
    </div>
    ${open === "setup" && html`<${Setup} key=${setupKey} rec=${rec} />`}
    ${open === "monitor" && html`<${Monitor} rec=${rec} />`}
    ${open === "test" && html`<div class="buttons">${triggers.map((t) => html`<button type="button" onClick=${() => a.run(() => api("POST", "/api/v1/events", sampleEvent(t, { game: adapter.game })), `Sent ${t}.`)}>${t}</button>`)}</div>`}
    <${Message} error=${a.error ?? status.error} ok=${a.ok} />
  </article>`;
}

function AddIntegration({ adapters, presets, onDone }) {
  const [type, setType] = useState(adapters[0]?.type);
  const adapter = adapters.find((x) => x.type === type);
  const [form, setForm] = useState({ name: "", preset: "", config: {} });
  const submit = useSubmit();
  const errors = submit.errors;
  const save = submit.submit(async () => {
    await api("POST", "/api/v1/integrations", { name: form.name, type, config: form.config, preset: form.preset || null });
    onDone();
  });
  return html`<form noValidate onSubmit=${save} class="editor">
    <div class="field"><label for="new-type">Game</label>
      <select id="new-type" value=${type} onChange=${(e) => (setType(e.currentTarget.value), setForm({ ...form, config: {} }))}>
        ${adapters.map((x) => html`<option value=${x.type}>${x.name}</option>`)}</select></div>
    <div class="field"><label for="new-name">Name</label>
      <input id="new-name" required maxlength="64" value=${form.name} aria-invalid=${errors.name ? "true" : undefined} onInput=${(e) => setForm({ ...form, name: e.currentTarget.value })} />
      ${errors.name && html`<p class="field-error" role="alert">${errors.name}</p>`}</div>
    ${adapter && Object.keys(adapter.configSchema.properties ?? {}).length > 0 && html`<${Field} schema=${adapter.configSchema} value=${form.config} path="config" label="Settings"
      errors=${errors} required=${true} onChange=${(config) => setForm({ ...form, config: config ?? {} })} />`}
    <div class="field"><label for="new-preset">Apply a preset too <small class="muted">(optional)</small></label>
      <select id="new-preset" value=${form.preset} onChange=${(e) => setForm({ ...form, preset: e.currentTarget.value })}>
        <option value="">(keep the current mappings)</option>${presets.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></div>
    <div class="row"><button class="primary" disabled=${submit.busy}>Add</button><button type="button" class="link" onClick=${onDone}>Cancel</button></div>
    <${Message} error=${submit.general} />
  </form>`;
}

export function Games() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/integrations"), api("GET", "/api/v1/adapters"), api("GET", "/api/v1/presets")]), []);
  const [adding, setAdding] = useState(false);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [list, { adapters, loadErrors }, presets] = data.data;
  return html`
    <section class="card strip-card" aria-label="Live strip"><${Strip} /></section>
    <${Card} title="Games" id="games-title" actions=${!adding && html`<button type="button" class="primary" onClick=${() => setAdding(true)}>Add a game</button>`}>
      ${adding && html`<${AddIntegration} adapters=${adapters} presets=${presets} onDone=${() => (setAdding(false), data.reload())} />`}
      ${list.length === 0 && !adding && html`<p class="empty">No games yet: add one, download its config file, start the game.</p>`}
      ${loadErrors.length > 0 && html`<div class="error" role="alert"><p>Adapter files that did not load:</p><ul>${loadErrors.map((e) => html`<li><code>${e}</code></li>`)}</ul></div>`}
    </${Card}>
    <div class="cards">${list.map((rec) => html`<${IntegrationCard} key=${rec.id} rec=${rec} adapter=${adapters.find((x) => x.type === rec.type)} onChanged=${data.reload} />`)}</div>`;
}
