// Segments: named ranges of the strip (desk, shelf …), drawn on the strip; add, resize, reverse,
// mirror; and each segment's base (ambient) layer.
import { useState } from "preact/hooks";
import { Strip } from "../components/strip.js";
import { useSubmit } from "../components/editor.js";
import { api } from "../lib/api.js";
import { Field } from "../lib/form.js";
import { html } from "../lib/html.js";
import { Card, Message, useData } from "../lib/ui.js";
import { SettingsSection } from "./strip.js";

function BaseEditor({ segment, schema, onSaved }) {
  const [draft, setDraft] = useState(null);
  const form = useSubmit();
  const { effect, colors, level, hz, on } = segment.base;
  const value = draft ?? { effect, colors, level, hz, on };
  const fields = { ...schema, properties: Object.fromEntries(Object.entries(schema.properties).filter(([k]) => k !== "segment")) };
  // Every segment's editor is in the page at once: its own field ids (so each label names its own
  // input), and the API's field names under them.
  const path = `base-${segment.name}`;
  const errors = Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k ? `${path}.${k}` : k, v]));
  const save = form.submit(async () => {
    await api("PUT", "/api/v1/scene/base", { ...value, segment: segment.name });
    setDraft(null);
    onSaved();
  }, "Saved.");
  return html`<form noValidate onSubmit=${save} class="base-editor" aria-label=${`${segment.name}'s base layer`}>
    <${Field} schema=${fields} value=${value} path=${path} label="" errors=${errors} required=${true} bare=${true} onChange=${setDraft} />
    <button class="primary" disabled=${form.busy || !draft}>Save ${segment.name}'s base</button>
    <${Message} error=${form.general} ok=${form.ok} />
  </form>`;
}

export function Segments() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/schemas"), api("GET", "/api/v1/settings"), api("GET", "/api/v1/state")]), []);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [schemas, settings, state] = data.data;
  return html`
    <section class="card strip-card" aria-label="The strip with its segments">
      <${Strip} ledCount=${settings.strip.ledCount} segments=${state.segments} />
      <ul class="plain legend">${state.segments.map((s) => html`<li key=${s.name}><b>${s.name}</b> LEDs ${s.start}–${s.start + s.length - 1}${s.reversed ? " · reversed" : ""}${s.mirrored ? " · mirrored" : ""}</li>`)}</ul>
    </section>
    <${SettingsSection} section="segments" schema=${schemas.settings} settings=${settings} onSaved=${data.reload}
      intro=${html`<p class="hint">No segments = one segment "main" over the whole strip. Names: lower-case letters, digits, - and _.
        Effects and meters aimed at a segment light only its LEDs; "*" means all of them.</p>`} />
    <${Card} title="Base layer per segment" id="bases-title">
      ${state.segments.map((s) => html`<details key=${s.name}><summary>${s.name}: ${s.base.effect}, level ${s.base.level}</summary>
        <${BaseEditor} segment=${s} schema=${schemas.base} onSaved=${data.reload} /></details>`)}
    </${Card}>`;
}
