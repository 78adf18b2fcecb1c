// Forms built from the API's own JSON Schemas (GET /api/v1/schemas, the adapters' config
// schemas): one source for what a field accepts. A field shows the API's validation message for
// its path (errors: { "strip.ledCount": "Too big: …" }) right under it.
import { html } from "./html.js";

const WORDS = {
  led: "LED", leds: "LEDs", gpio: "GPIO", dma: "DMA", spi: "SPI", url: "URL", id: "ID", tls: "TLS", ca: "CA", rcon: "RCON",
  http: "HTTP", mqtt: "MQTT", api: "API", rgbw: "RGBW", rgb: "RGB", fps: "FPS",
};
/** Units at the end of a key ("durationMs") read as a unit, not a word. */
const UNITS = { ms: "ms", hz: "Hz", ma: "mA", s: "s", fps: "fps" };

/** "ledCount" → "LED count", "durationMs" → "Duration (ms)", "budgetMa" → "Budget (mA)". */
export function labelOf(key) {
  const words = String(key).replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]/g, " ").toLowerCase().split(" ");
  const unit = words.length > 1 && UNITS[words.at(-1)] ? ` (${UNITS[words.pop()]})` : "";
  const text = words.map((w) => WORDS[w] ?? w).join(" ") + unit;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const idOf = (path) => `f-${path.replace(/[^\w]/g, "-") || "root"}`;
const isColorList = (s) => s.type === "array" && s.items?.anyOf?.some((o) => o.pattern?.includes("0-9a-f"));
/** The key whose `const` tells the options of a oneOf apart ("driver", "kind"). */
const discriminator = (s) => s.oneOf && Object.keys(s.oneOf[0].properties ?? {}).find((k) => s.oneOf.every((o) => o.properties?.[k]?.const !== undefined));
/** A string-or-empty union ("" = default) is just a string field. */
const plain = (s) => (s.anyOf && s.anyOf.every((o) => o.type === "string") ? { ...s.anyOf.find((o) => o.const === undefined), default: s.default } : s);

/** The errors under `path`, for a container that shows them together. */
const below = (errors, path) => Object.entries(errors ?? {}).filter(([k]) => k === path || k.startsWith(path + "."));

function FieldError({ id, text }) {
  return text ? html`<p class="field-error" id=${id + "-error"} role="alert">${text}</p>` : null;
}

/** One value of any shape; `onChange(newValue)` replaces it (undefined removes it: the API's default applies). */
export function Field({ schema: raw, value, onChange, path, label, errors, required = false, secret = false, bare = false }) {
  const schema = plain(raw);
  const id = idOf(path);
  const error = errors?.[path];
  const hint = schema.description ? html`<small class="hint" id=${id + "-hint"}>${schema.description}</small>` : null;
  const described = [error && id + "-error", schema.description && id + "-hint"].filter(Boolean).join(" ") || undefined;
  const common = { id, "aria-invalid": error ? "true" : undefined, "aria-describedby": described };
  const shown = value ?? schema.default;

  if (schema.const !== undefined) return null;
  if (discriminator(schema)) return html`<${Choice} ...${{ schema, value, onChange, path, label, errors }} />`;
  if (schema.type === "object" && schema.properties) return html`<${Group} ...${{ schema, value, onChange, path, label, errors, required, bare }} />`;
  if (schema.type === "object") return html`<${Record} ...${{ schema, value, onChange, path, label, errors }} />`;
  if (isColorList(schema)) return html`<${Colors} ...${{ schema, value: shown, onChange, path, label, error }} />`;
  if (schema.type === "array" && (schema.items?.type === "object" || schema.items?.oneOf)) return html`<${List} ...${{ schema, value, onChange, path, label, errors }} />`;

  let input;
  if (schema.type === "boolean") {
    return html`<div class="field check">
      <label for=${id}><input type="checkbox" ...${common} checked=${!!shown} onChange=${(e) => onChange(e.currentTarget.checked)} /> ${label}</label>
      ${hint}<${FieldError} id=${id} text=${error} />
    </div>`;
  } else if (schema.enum) {
    input = html`<select ...${common} value=${shown ?? ""} onChange=${(e) => onChange(pick(schema.enum, e.currentTarget.value))}>
      ${!required && schema.default === undefined && html`<option value="">(none)</option>`}
      ${schema.enum.map((v) => html`<option value=${v}>${String(v)}</option>`)}
    </select>`;
  } else if (schema.type === "integer" || schema.type === "number") {
    const big = (n) => (n !== undefined && Math.abs(n) < 1e15 ? n : undefined);
    input = html`<input type="number" inputmode=${schema.type === "integer" ? "numeric" : "decimal"} ...${common}
      min=${big(schema.minimum)} max=${big(schema.maximum)} step=${schema.type === "integer" ? 1 : "any"}
      value=${value ?? ""} placeholder=${schema.default ?? ""} onInput=${(e) => onChange(e.currentTarget.value === "" ? undefined : Number(e.currentTarget.value))} />`;
  } else if (schema.type === "array") {
    input = html`<input ...${common} value=${(value ?? []).join(", ")} placeholder=${(schema.default ?? []).join(", ")}
      onChange=${(e) => onChange(e.currentTarget.value.trim() ? e.currentTarget.value.split(",").map((x) => x.trim()) : undefined)} />`;
  } else if ((schema.maxLength ?? 0) > 1000) {
    input = html`<textarea ...${common} rows="4" value=${value ?? ""} onInput=${(e) => onChange(e.currentTarget.value)}></textarea>`;
  } else {
    input = html`<input ...${common} type=${secret || /password|apiKey|token/i.test(path) ? "password" : "text"} autocomplete="off"
      value=${value ?? ""} placeholder=${schema.default ?? ""} onInput=${(e) => onChange(e.currentTarget.value === "" && !required ? undefined : e.currentTarget.value)} />`;
  }
  return html`<div class="field">
    <label for=${id}>${label}${required || schema.default !== undefined ? "" : html` <small class="muted">(optional)</small>`}</label>
    ${input}${hint}<${FieldError} id=${id} text=${error} />
  </div>`;
}

const pick = (options, text) => (text === "" ? undefined : options.find((o) => String(o) === text));

/** An object's fields; an optional object starts folded ("Add …"). */
function Group({ schema, value, onChange, path, label, errors, required, bare = false }) {
  const present = value !== undefined || required || schema.default !== undefined || !path;
  if (!present) return html`<div class="field"><button type="button" class="link" onClick=${() => onChange({})}>Add ${label.toLowerCase()}</button></div>`;
  const v = value ?? {};
  const req = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([k, s]) => html`<${Field} key=${k} schema=${s} value=${v[k]} path=${path ? `${path}.${k}` : k}
    label=${labelOf(k)} errors=${errors} required=${req.has(k)} onChange=${(x) => onChange(without({ ...v, [k]: x }))} />`);
  if (!path || bare) return html`<div class="fields">${fields}</div>`;
  return html`<fieldset class="group"><legend>${label}</legend>${fields}
    ${!required && schema.default === undefined && html`<button type="button" class="link" onClick=${() => onChange(undefined)}>Remove ${label.toLowerCase()}</button>`}
    <${FieldError} id=${idOf(path)} text=${errors?.[path]} /></fieldset>`;
}

/** Drops undefined members, so a cleared field falls back to the API's default. */
const without = (o) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

/** One of several shapes told apart by a const field (an output's driver, an action's kind). */
function Choice({ schema, value, onChange, path, label, errors }) {
  const key = discriminator(schema);
  const options = schema.oneOf.map((o) => o.properties[key].const);
  const current = value?.[key] ?? options[0];
  const shape = schema.oneOf[options.indexOf(current)] ?? schema.oneOf[0];
  const id = idOf(`${path}.${key}`);
  return html`<fieldset class="group"><legend>${label}</legend>
    <div class="field"><label for=${id}>${labelOf(key)}</label>
      <select id=${id} value=${current} onChange=${(e) => onChange({ [key]: e.currentTarget.value })}>${options.map((o) => html`<option value=${o}>${o}</option>`)}</select>
    </div>
    <${Group} schema=${shape} value=${{ ...value, [key]: current }} path=${path} label=${label} errors=${errors} required=${true} bare=${true}
      onChange=${(x) => onChange({ ...x, [key]: current })} />
  </fieldset>`;
}

/** Free keys with simple values ({"result": "win"}): rows of key and value. */
function Record({ value, onChange, path, label, errors }) {
  const rows = Object.entries(value ?? {});
  const set = (list) => onChange(list.length ? Object.fromEntries(list) : undefined);
  const parse = (t) => (t === "true" ? true : t === "false" ? false : t.trim() !== "" && !isNaN(Number(t)) ? Number(t) : t);
  return html`<fieldset class="group"><legend>${label} <small class="muted">(optional)</small></legend>
    ${rows.map(([k, x], i) => html`<div class="row" key=${i}>
      <label class="grow">Field <input value=${k} onChange=${(e) => set(rows.map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)))} /></label>
      <label class="grow">Value <input value=${String(x)} onChange=${(e) => set(rows.map((r, j) => (j === i ? [r[0], parse(e.currentTarget.value)] : r)))} /></label>
      <button type="button" class="link" aria-label=${`Remove ${k}`} onClick=${() => set(rows.filter((_, j) => j !== i))}>Remove</button>
    </div>`)}
    <button type="button" class="link" onClick=${() => set([...rows, ["", ""]])}>Add a field</button>
    ${below(errors, path).map(([k, t]) => html`<p class="field-error" role="alert" key=${k}>${t}</p>`)}
  </fieldset>`;
}

/** A list of objects (segments, outputs), each its own group, with add and remove. */
function List({ schema, value, onChange, path, label, errors }) {
  const items = value ?? [];
  const blank = () => (discriminator(schema.items) ? { [discriminator(schema.items)]: schema.items.oneOf[0].properties[discriminator(schema.items)].const } : {});
  return html`<fieldset class="group"><legend>${label}</legend>
    ${items.map((item, i) => html`<div class="list-item" key=${i}>
      <${Field} schema=${schema.items} value=${item} path=${`${path}.${i}`} label=${`${labelOf(label).replace(/s$/, "")} ${i + 1}`} errors=${errors} required=${true}
        onChange=${(x) => onChange(items.map((y, j) => (j === i ? x : y)))} />
      <button type="button" class="link" onClick=${() => onChange(items.filter((_, j) => j !== i))}>Remove ${label.toLowerCase().replace(/s$/, "")} ${i + 1}</button>
    </div>`)}
    ${(schema.maxItems === undefined || items.length < schema.maxItems) && html`<button type="button" onClick=${() => onChange([...items, blank()])}>Add</button>`}
    <${FieldError} id=${idOf(path)} text=${errors?.[path]} />
  </fieldset>`;
}

/** Colours as swatches (the API takes "#rrggbb"). */
function Colors({ schema, value, onChange, path, label, error }) {
  const list = (value ?? []).map((c) => (Array.isArray(c) ? "#" + c.map((x) => x.toString(16).padStart(2, "0")).join("") : c.startsWith("#") ? c : "#" + c));
  const max = schema.maxItems ?? 8;
  return html`<fieldset class="group colors"><legend>${label}</legend>
    <div class="row">
      ${list.map((c, i) => html`<label key=${i} class="swatch">${`Colour ${i + 1}`}
        <input type="color" value=${c} onInput=${(e) => onChange(list.map((x, j) => (j === i ? e.currentTarget.value : x)))} /></label>`)}
      ${list.length < max && html`<button type="button" class="link" onClick=${() => onChange([...list, "#ffffff"])}>Add colour</button>`}
      ${list.length > (schema.minItems ?? 0) && html`<button type="button" class="link" onClick=${() => onChange(list.slice(0, -1).length ? list.slice(0, -1) : undefined)}>Remove last</button>`}
    </div>
    <${FieldError} id=${idOf(path)} text=${error} />
  </fieldset>`;
}
