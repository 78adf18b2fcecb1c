// The live view: the strip, frame and power figures, each output's health (a failing real
// output is never hidden behind a healthy preview), test events and quick controls.
import { useEffect, useRef, useState } from "preact/hooks";
import { Strip } from "../components/strip.js";
import { api } from "../lib/api.js";
import { html } from "../lib/html.js";
import { useLiveEvents, useLiveStatus } from "../lib/live.js";
import { Card, healthWords, Message, Pill, useAction, useData } from "../lib/ui.js";

const TESTS = [
  ["Kill", { type: "kill" }], ["Headshot", { type: "kill", headshot: true }], ["Multikill ×3", { type: "multikill", count: 3 }],
  ["Damage 30", { type: "damage_taken", amount: 30 }], ["Death", { type: "death" }], ["Bomb planted", { type: "bomb_planted" }],
  ["Bomb defused", { type: "bomb_defused" }], ["Round won", { type: "round_end", result: "win" }], ["Round lost", { type: "round_end", result: "loss" }],
];

/** Calls fn with the latest value at most every `ms`: sliders fire far faster than the device needs. */
export function useThrottled(fn, ms) {
  const t = useRef({ timer: null, latest: undefined });
  return (v) => {
    t.current.latest = v;
    t.current.timer ??= setTimeout(() => {
      t.current.timer = null;
      fn(t.current.latest);
    }, ms);
  };
}

function Figures() {
  const { stats, state } = useLiveStatus();
  const s = state === "live" ? stats : null;
  const f = (v, d = 1) => (s ? v.toFixed(d) : "–");
  return html`<dl class=${s ? "figures" : "figures stale"}>
    <div><dt>Delivered</dt><dd><b>${s ? f(s.deliveredFps) : "–"}</b> <small>of ${s?.targetFps ?? "–"} fps</small></dd></div>
    <div><dt>Frame interval p50 / p99</dt><dd><b>${s ? `${f(s.intervalMs.p50)} / ${f(s.intervalMs.p99)}` : "–"}</b> <small>ms</small></dd></div>
    <div><dt>Render p99</dt><dd><b>${s ? f(s.renderMs.p99, 2) : "–"}</b> <small>ms</small></dd></div>
    <div><dt>Overruns</dt><dd><b>${s?.overruns ?? "–"}</b></dd></div>
    <div><dt>Power</dt><dd><b>${s?.power.ma ?? "–"}</b> <small>mA ${s ? `· ${s.power.watts.toFixed(2)} W` : ""}</small></dd></div>
    <div><dt>Limiter</dt><dd><b>${s ? (s.power.limiting ? "limiting" : "ok") : "–"}</b></dd></div>
  </dl>`;
}

function Outputs({ outputs }) {
  return html`<ul class="plain outputs">${outputs.map((o, i) => {
    const h = healthWords(o.health);
    return html`<li key=${i}><b>${o.driver}</b> LEDs ${o.start}–${o.start + o.length - 1} <${Pill} tone=${h.tone}>${h.text}</${Pill}>
      <small class="muted">${o.wireLimitFps ? `wire limit ${o.wireLimitFps} fps · ` : ""}${o.health.framesDropped} frames dropped</small></li>`;
  })}</ul>`;
}

/** The one field that says most about an event, if it has one. */
function keyValue(e) {
  if (typeof e.value === "number") return String(e.value);
  if (e.type === "kill") return e.headshot ? "headshot" : "";
  for (const k of ["amount", "count", "result", "kind", "level", "intensity", "name", "map", "minutes"]) if (e[k] !== undefined) return k === "count" ? `×${e[k]}` : String(e[k]);
  return "";
}

export function EventList({ events, empty = "No events yet — try a button." }) {
  return html`<ol class="events" aria-live="polite">
    ${events.length === 0 && html`<li class="empty">${empty}</li>`}
    ${events.map(({ seq, event: e }) => html`<li key=${seq} class="event">
      <span class="type">${e.type}</span><span class="value">${keyValue(e)}</span><span class="game">${e.game}</span>
      <span class="time">${new Date(e.time).toLocaleTimeString([], { hour12: false })}</span></li>`)}
  </ol>`;
}

function TryEvents() {
  const a = useAction();
  const [health, setHealth] = useState(100);
  const send = (event) => a.run(() => api("POST", "/api/v1/events", { source: "web", ...event }));
  const sendHealth = useThrottled((v) => send({ type: "health", value: v }), 80);
  return html`<${Card} title="Try an event" id="try-title">
    <div class="buttons">${TESTS.map(([label, e]) => html`<button type="button" onClick=${() => send(e)}>${label}</button>`)}</div>
    <div class="field slider"><label for="health">Health <output for="health">${health}</output></label>
      <input id="health" type="range" min="0" max="100" step="1" value=${health} onInput=${(e) => (setHealth(Number(e.currentTarget.value)), sendHealth(Number(e.currentTarget.value)))} /></div>
    <${Message} error=${a.error} />
  </${Card}>`;
}

function QuickControls({ state }) {
  const presets = useData(() => Promise.all([api("GET", "/api/v1/presets"), api("GET", "/api/v1/mappings"), api("GET", "/api/v1/settings")]), []);
  const a = useAction();
  const [brightness, setBrightness] = useState(null);
  const [preset, setPreset] = useState(null);
  const putBrightness = useThrottled((v) => a.run(() => api("PUT", "/api/v1/settings", { light: { brightness: v / 100 } })), 100);
  const putBase = useThrottled((hex) => a.run(() => api("PUT", "/api/v1/scene/base", { colors: [hex], transitionMs: 200 })), 120);
  if (!presets.data) return html`<${Message} error=${presets.error} />`;
  const [list, mappings, settings] = presets.data;
  const active = preset ?? mappings.find((m) => m.preset)?.preset ?? list[0].id;
  const pct = brightness ?? Math.round(settings.light.brightness * 100);
  return html`<${Card} title="Quick controls" id="quick-title">
    <form noValidate class="row" onSubmit=${(e) => (e.preventDefault(), a.run(async () => {
      const r = await api("POST", `/api/v1/presets/${encodeURIComponent(active)}/apply`);
      presets.reload();
      return r;
    }, `Applied ${list.find((p) => p.id === active).name}.`))}>
      <div class="field grow"><label for="preset">Preset</label>
        <select id="preset" value=${active} onChange=${(e) => setPreset(e.currentTarget.value)}>${list.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></div>
      <button class="primary">Apply</button>
    </form>
    <p class="hint">${list.find((p) => p.id === active)?.description}</p>
    <div class="row">
      <div class="field slider grow"><label for="brightness">Brightness <output for="brightness">${pct}%</output></label>
        <input id="brightness" type="range" min="0" max="100" step="1" value=${pct} onInput=${(e) => (setBrightness(Number(e.currentTarget.value)), putBrightness(Number(e.currentTarget.value)))} /></div>
      <div class="field"><label for="base-color">Base colour</label>
        <input id="base-color" type="color" value=${state?.segments[0]?.base.colors[0] ?? "#102040"} onInput=${(e) => putBase(e.currentTarget.value)} /></div>
    </div>
    <${Message} error=${a.error} ok=${a.ok} />
  </${Card}>`;
}

export function Dashboard({ session }) {
  const state = useData(() => api("GET", "/api/v1/state"), [], 2000);
  const events = useLiveEvents(30);
  const live = useLiveStatus();
  // A settings change (LED count) arrives as a new hello: the layout follows.
  useEffect(() => void state.reload(), [live.hello]);
  const s = state.data;
  const failing = s?.outputs.filter((o) => !o.health.ok) ?? [];
  return html`
    <section class="card strip-card" aria-label="Live strip">
      <${Strip} ledCount=${s?.strip.ledCount} segments=${s?.segments ?? []} />
      ${failing.length > 0 && html`<p class="error" role="alert">The preview shows what ledbox sends; ${failing.length === 1 ? "an output is" : `${failing.length} outputs are`} not reaching the strip: ${failing.map((o) => `${o.driver}: ${o.health.message}`).join("; ")}</p>`}
    </section>
    <${Message} error=${state.error} />
    <div class="columns">
      <${Card} title="Figures" id="figures-title"><${Figures} />${s && html`<${Outputs} outputs=${s.outputs} />`}</${Card}>
      <${Card} title="Latest events" id="events-title"><${EventList} events=${events} /></${Card}>
    </div>
    <div class="columns">
      <${TryEvents} />
      ${session.authenticated ? html`<${QuickControls} state=${s} />` : html`<${Card} title="Quick controls" id="quick-title"><p class="hint"><a href="#/account">Log in</a> to change presets, brightness and colours.</p></${Card}>`}
    </div>`;
}
