// Every setting of the strip, its light, the render loop, the photosensitivity guard and the
// outputs — forms built from the API's own schema, each save showing the API's message at the
// field it names — and each output's health, wire limit and dropped frames.
import { useState } from "preact/hooks";
import { useSubmit } from "../components/editor.js";
import { api } from "../lib/api.js";
import { Field, labelOf } from "../lib/form.js";
import { html } from "../lib/html.js";
import { Card, healthWords, Message, Pill, useData } from "../lib/ui.js";

/** One section of the settings as a form of its own: saving sends that section only. */
export function SettingsSection({ section, title, schema, settings, onSaved, intro }) {
  const [draft, setDraft] = useState(undefined);
  const form = useSubmit();
  const value = draft ?? settings[section];
  const save = form.submit(async () => {
    const r = await api("PUT", "/api/v1/settings", { [section]: value });
    setDraft(undefined);
    onSaved(r.settings);
  }, "Saved.");
  const id = `${section}-title`;
  return html`<${Card} title=${title ?? labelOf(section)} id=${id}>
    ${intro}
    <form noValidate onSubmit=${save} aria-labelledby=${id}>
      <${Field} schema=${schema.properties[section]} value=${value} path=${section} label=${title ?? labelOf(section)} errors=${form.errors} required=${true}
        bare=${true} onChange=${setDraft} />
      <div class="row"><button class="primary" disabled=${form.busy || draft === undefined}>Save</button>
        ${draft !== undefined && html`<button type="button" class="link" onClick=${() => setDraft(undefined)}>Undo changes</button>`}</div>
      <${Message} error=${form.general} ok=${form.ok} />
    </form>
  </${Card}>`;
}

function OutputHealth() {
  const state = useData(() => api("GET", "/api/v1/state"), [], 2000);
  if (!state.data) return html`<${Message} error=${state.error} />`;
  return html`<${Card} title="Outputs now" id="outputs-now-title">
    <table class="table"><thead><tr><th scope="col">Output</th><th scope="col">LEDs</th><th scope="col">Health</th><th scope="col">Wire limit</th><th scope="col">Frames dropped</th></tr></thead>
    <tbody>${state.data.outputs.map((o, i) => {
      const h = healthWords(o.health);
      // data-label: on a phone the header row is hidden and each cell says what it is.
      return html`<tr key=${i}><td>${i + 1}. ${o.driver}</td><td data-label="LEDs">${o.start}–${o.start + o.length - 1}</td><td><${Pill} tone=${h.tone}>${h.text}</${Pill}></td>
        <td data-label="Wire limit">${o.wireLimitFps ? `${o.wireLimitFps} fps` : "none"}</td><td data-label="Frames dropped">${o.health.framesDropped}</td></tr>`;
    })}</tbody></table>
    <p class="hint">The whole strip runs at ${state.data.stats.targetFps} fps${state.data.stats.wireLimitFps ? `; the slowest output can show ${state.data.stats.wireLimitFps} fps` : ""}.</p>
  </${Card}>`;
}

export function StripPage() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/schemas"), api("GET", "/api/v1/settings")]), []);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [{ settings: schema }, settings] = data.data;
  const props = { schema, settings, onSaved: () => data.reload() };
  return html`
    <${OutputHealth} />
    <${SettingsSection} section="strip" ...${props} />
    <${SettingsSection} section="outputs" ...${props} intro=${html`<p class="hint">Each output drives its range of the strip (start, length; none = to the end).
      After a change the output reopens; its health shows above. <a href="#/setup">Run the wiring check</a> after changing the output.</p>`} />
    <${SettingsSection} section="light" ...${props} />
    <${SettingsSection} section="render" ...${props} />
    <${SettingsSection} section="safety" title="Photosensitivity guard" ...${props} />`;
}
