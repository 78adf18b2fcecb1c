// The guided first run: claim the device with the setup code, describe the strip and its output,
// then a wiring check on the real strip — which colour shows for red, green and blue (so the
// colour order is set from what the owner sees), and a dot running from the first LED to the last.
import { useState } from "preact/hooks";
import { api, fieldErrors } from "../lib/api.js";
import { Strip } from "../components/strip.js";
import { Field } from "../lib/form.js";
import { html } from "../lib/html.js";
import { Card, Message, useAction, useData } from "../lib/ui.js";

const NAMES = { R: "Red", G: "Green", B: "Blue", W: "White" };
const HEX = { R: "#ff0000", G: "#00ff00", B: "#0000ff" };

/** Lights the whole strip above everything else, for the wiring check; the test before it ends first. */
async function show(spec) {
  await stop();
  return api("POST", "/api/v1/scene/effects", { segment: "*", priority: 100, fadeInMs: 0, fadeOutMs: 0, ...spec });
}
const stop = () => api("DELETE", "/api/v1/scene/effects");

function Claim({ refresh }) {
  const [form, set] = useState({ code: "", password: "" });
  const a = useAction();
  const submit = (e) => {
    e.preventDefault();
    a.run(async () => {
      await api("POST", "/api/v1/auth/setup", form);
      location.hash = "#/setup";
      refresh();
    });
  };
  return html`<${Card} title="1 · Claim this ledbox" id="claim-title">
    <p class="hint">The setup code is in the device's log: on the appliance run <code>journalctl -u ledbox</code> (it is the line
      "first-run setup code"); if you started ledbox yourself, it is in that terminal.</p>
    <form noValidate onSubmit=${submit}>
      <div class="field"><label for="setup-code">Setup code</label>
        <input id="setup-code" autocomplete="one-time-code" autocapitalize="characters" required value=${form.code} onInput=${(e) => set({ ...form, code: e.currentTarget.value })} /></div>
      <div class="field"><label for="setup-password">New admin password</label>
        <input id="setup-password" type="password" minlength="8" autocomplete="new-password" required value=${form.password} onInput=${(e) => set({ ...form, password: e.currentTarget.value })} />
        <small class="hint">At least 8 characters.</small></div>
      <button class="primary" disabled=${a.busy}>Set password</button>
      <${Message} error=${a.error} />
    </form>
  </${Card}>`;
}

function Basics({ onDone }) {
  const schema = useData(() => Promise.all([api("GET", "/api/v1/schemas"), api("GET", "/api/v1/settings")]), []);
  const [draft, setDraft] = useState(null);
  const [errors, setErrors] = useState({});
  const a = useAction();
  if (!schema.data) return html`<${Message} error=${schema.error} />`;
  const [{ settings: s }, current] = schema.data;
  const d = draft ?? { strip: current.strip, output: current.outputs[0], budgetMa: current.light.power.budgetMa };
  const set = (k) => (v) => setDraft({ ...d, [k]: v });
  const save = (e) => {
    e.preventDefault();
    setErrors({});
    a.run(async () => {
      try {
        await api("PUT", "/api/v1/settings", { strip: d.strip, outputs: [d.output], light: { power: { budgetMa: d.budgetMa } } });
        onDone();
      } catch (err) {
        // The API names the fields; the form shows each message where it belongs.
        setErrors(Object.fromEntries(Object.entries(fieldErrors(err.message)).map(([k, v]) => [k.replace(/^outputs\.0/, "output").replace(/^light\.power\.budgetMa/, "budgetMa"), v])));
        throw err;
      }
    });
  };
  return html`<${Card} title="2 · Your strip" id="basics-title">
    <form noValidate onSubmit=${save}>
      <${Field} schema=${s.properties.strip} value=${d.strip} path="strip" label="Strip" errors=${errors} required=${true} onChange=${set("strip")} />
      <${Field} schema=${s.properties.outputs.items} value=${d.output} path="output" label="Output" errors=${errors} required=${true} onChange=${set("output")} />
      <p class="hint">spi: any Pi, no root (MOSI, GPIO 10) · pio: Pi 5 (/dev/leds0) · ws281x: PWM/PCM through rpi_ws281x (not on a Pi 5) ·
        serial: an Arduino running the ledbox bridge · ddp / wled-udp: a WLED controller on the network · virtual: no hardware (the preview only).</p>
      <${Field} schema=${s.properties.light.properties.power.properties.budgetMa} value=${d.budgetMa} path="budgetMa" label="Power budget (mA)" errors=${errors} required=${true} onChange=${set("budgetMa")} />
      <button class="primary" disabled=${a.busy}>Save and check the wiring</button>
      <${Message} error=${errors[""] ?? (a.error && !Object.keys(errors).length ? a.error : null)} />
    </form>
  </${Card}>`;
}

function ColourCheck({ settings, onChange }) {
  const order = settings.strip.colorOrder;
  const tests = order.length === 4 ? ["R", "G", "B", "W"] : ["R", "G", "B"];
  const [step, setStep] = useState(-1);
  const [seen, setSeen] = useState({});
  // The order the answers were given under: once "Use …" changes the setting, they still mean the same wiring.
  const [tested, setTested] = useState(order);
  const a = useAction();
  const light = (c) => a.run(() => show(c === "W" ? { effect: "flash", colors: ["#ffffff"], durationMs: 6000 } : { effect: "flash", colors: [HEX[c]], durationMs: 6000 }));
  const start = () => (setSeen({}), setTested(order), setStep(0), light(tests[0]));
  const answer = (c) => {
    const next = { ...seen, [tests[step]]: c };
    setSeen(next);
    if (step + 1 < tests.length) (setStep(step + 1), light(tests[step + 1]));
    else (setStep(tests.length), a.run(stop));
  };
  // The strip shows, at the position where `order` puts logical colour c, the colour it physically wires there.
  const done = step === tests.length;
  const wired = done && tests.every((c) => seen[c] && seen[c] !== "?") && new Set(Object.values(seen)).size === tests.length
    ? tests.map((_, pos) => seen[tested[pos]]).join("") : null;
  return html`<div class="wizard-step">
    <h3>Colour order</h3>
    ${step < 0 && html`<p>The strip will light red, then green, then blue${tests.length === 4 ? ", then white" : ""}. Say which colour you see each time.</p>
      <button type="button" class="primary" onClick=${start}>Light the test colours</button>`}
    ${step >= 0 && !done && html`<p role="status">The strip should now be <b>${NAMES[tests[step]].toLowerCase()}</b>. Which colour do you see?</p>
      <div class="buttons" role="group" aria-label="The colour you see">
        ${[...tests, "?"].map((c) => html`<button type="button" onClick=${() => answer(c)}>${c === "?" ? "Nothing / something else" : NAMES[c]}</button>`)}
      </div>`}
    ${done && (wired === order
      ? html`<p class="ok" role="status">The colour order ${order} is right.</p>`
      : wired
        ? html`<p role="status">Your strip's order is <b>${wired}</b>, not ${order}.</p>
          <button type="button" class="primary" onClick=${() => a.run(async () => (await api("PUT", "/api/v1/settings", { strip: { colorOrder: wired } }), onChange()), `Colour order set to ${wired}.`)}>Use ${wired}</button>`
        : html`<p class="error" role="alert">Those answers fit no colour order: check the data wire, the power and the output (Strip page), then try again.</p>`)}
    ${done && html`<button type="button" onClick=${start}>Test again</button>`}
    <${Message} error=${a.error} ok=${a.ok} />
  </div>`;
}

function DotCheck({ settings, onChange }) {
  const n = settings.strip.ledCount;
  const [asked, setAsked] = useState(false);
  const [count, setCount] = useState(n);
  const a = useAction();
  const run = () => (setAsked(true), a.run(() => show({ effect: "sweep", colors: ["#ffffff"], width: Math.max(0.01, 1 / n), durationMs: Math.min(20_000, Math.max(2500, n * 30)) })));
  // The dot runs in each segment: each one turns round, where it is (the owner's segments stay).
  const segments = settings.segments.length ? settings.segments : [{ name: "main", start: 0, length: n, reversed: false }];
  const turned = segments.map((s) => ({ ...s, reversed: !s.reversed }));
  const otherWay = segments.length === 1 && segments[0].name === "main"
    ? `The strip now runs the other way (segment main ${turned[0].reversed ? "reversed" : "no longer reversed"}).`
    : `The strip now runs the other way (segments ${segments.map((s) => s.name).join(", ")} turned round).`;
  // A segment that reached the old end reaches the new one: the count changes alone otherwise.
  const counted = (count) => {
    const resized = settings.segments.map((s) => (s.start + s.length === n && s.start < count ? { ...s, length: count - s.start } : s));
    return resized.some((s, i) => s !== settings.segments[i]) ? { strip: { ledCount: count }, segments: resized } : { strip: { ledCount: count } };
  };
  return html`<div class="wizard-step">
    <h3>Count and direction</h3>
    <p>A white dot runs from the first LED (the end wired to the controller) to LED ${n}.</p>
    <button type="button" class="primary" onClick=${run}>Run the dot</button>
    ${asked && html`<div>
      <p>Did it run the whole strip, from the controller's end to the far end?</p>
      <div class="buttons">
        <button type="button" onClick=${() => a.run(stop, "Wiring checked: the strip is ready.")}>Yes</button>
        <button type="button" onClick=${() => a.run(async () => (await api("PUT", "/api/v1/settings", { segments: turned }), onChange()), otherWay)}>It ran the other way</button>
      </div>
      <form noValidate class="row" onSubmit=${(e) => (e.preventDefault(), a.run(async () => (await api("PUT", "/api/v1/settings", counted(count)), onChange()), `LED count set to ${count}.`))}>
        <div class="field"><label for="dot-count">It stopped early, or did not reach the end: the strip has this many LEDs</label>
          <input id="dot-count" type="number" min="1" max="10000" value=${count} onInput=${(e) => setCount(Number(e.currentTarget.value))} /></div>
        <button>Set the LED count</button>
      </form>
    </div>`}
    <${Message} error=${a.error} ok=${a.ok} />
  </div>`;
}

function Wiring() {
  const settings = useData(() => api("GET", "/api/v1/settings"), []);
  if (!settings.data) return html`<${Message} error=${settings.error} />`;
  return html`<${Card} title="3 · Wiring check" id="wiring-title">
    <p class="hint">Watch the real strip. The preview below shows what ledbox sends: if it lights and the strip does not, check the output (Strip page).</p>
    <div class="strip-card"><${Strip} ledCount=${settings.data.strip.ledCount} /></div>
    <${ColourCheck} settings=${settings.data} onChange=${settings.reload} />
    <${DotCheck} settings=${settings.data} onChange=${settings.reload} />
    <p><a class="button primary" href="#/games">Next: connect a game</a></p>
  </${Card}>`;
}

export function Setup({ session, refresh }) {
  const [step, setStep] = useState("basics");
  if (session.setupRequired) return html`<${Claim} refresh=${refresh} />`;
  return step === "basics" ? html`<${Basics} onDone=${() => setStep("wiring")} />` : html`<${Wiring} />`;
}
